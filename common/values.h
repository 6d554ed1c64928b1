/* Value types of supervisord.conf (Supervisor's datatypes.py): each parser
 * takes the option text, stores the typed value and returns 0, or returns -1
 * and sets *err to the exact message Supervisor gives (caller frees). */
#ifndef CSUP_VALUES_H
#define CSUP_VALUES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum autorestart { AUTORESTART_NEVER, AUTORESTART_UNEXPECTED, AUTORESTART_ALWAYS };

/* Log levels with Supervisor's numbers. */
enum loglevel {
	LV_BLAT = 3, LV_TRAC = 5, LV_DEBG = 10, LV_INFO = 20,
	LV_WARN = 30, LV_ERRO = 40, LV_CRIT = 50,
};

int parse_bool(const char *v, bool *out, char **err);
int parse_int(const char *v, long long *out, char **err);      /* Python int() */
int parse_int_i(const char *v, int *out, char **err);         /* same, into an int */
int parse_byte_size(const char *v, long long *out, char **err); /* 50MB etc. */
int parse_octal(const char *v, int *out, char **err);
int parse_signal(const char *v, int *out, char **err);
/* Exit codes as a bitmap of 0..255 plus the given order. */
struct exitcodes {
	int n;
	uint8_t codes[256];
};
int parse_exitcodes(const char *v, struct exitcodes *out, char **err);
int parse_autorestart(const char *v, enum autorestart *out, char **err);
int parse_loglevel(const char *v, int *out, char **err);
/* ~ expanded; *out is a new string (caller frees). */
int parse_existing_directory(const char *v, char **out, char **err);
int parse_existing_dirpath(const char *v, char **out, char **err);
int parse_uid(const char *v, uid_t *out, char **err);
int parse_gid(const char *v, gid_t *out, char **err);
/* "user" or "user:group"; gid is (gid_t)-1 when absent. */
int parse_user_group(const char *v, uid_t *uid, gid_t *gid, char **err);
/* [host:]port; *host is a new string, "" for all interfaces. */
int parse_port_spec(const char *v, char **host, int *port, char **err);
/* Process or group name: stripped, no ' ', ':' or '/'. *out new string. */
int parse_name(const char *v, char **out, char **err);

/* Signal name without the SIG prefix ("TERM"), or NULL. */
const char *signal_name(int sig);
/* Level name as Supervisor prints it in the log ("INFO", "CRIT"...). */
const char *loglevel_name(int level);

/* "~" and "~user" at the start of a path; new string. */
char *expand_user(const char *path);

#endif
