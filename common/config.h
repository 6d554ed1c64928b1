/* The configuration schema: what supervisord.conf means once read, checked
 * and expanded exactly as Supervisor 4.2.5 does (options.py). One loader,
 * used by supervisord (whole file) and supervisorctl ([supervisorctl]). */
#ifndef CSUP_CONFIG_H
#define CSUP_CONFIG_H

#include <stdbool.h>
#include <sys/types.h>

#include "envlist.h"
#include "iniparse.h"
#include "values.h"

enum logdest { LOGDEST_NONE, LOGDEST_AUTO, LOGDEST_FILE };

/* One output stream (stdout or stderr) of a process. */
struct stream_config {
	enum logdest dest;
	char *logfile; /* LOGDEST_FILE: path as configured */
	long long logfile_maxbytes;
	int logfile_backups;
	long long capture_maxbytes;
	bool events_enabled;
	bool syslog;
};

struct process_config {
	char *name;
	char *command;
	char *directory; /* NULL: inherit */
	int umask;       /* -1: inherit */
	long long priority; /* Python ints are unbounded; 99999999999 is a valid priority */
	bool autostart;
	enum autorestart autorestart;
	long long startsecs, startretries; /* unbounded like Python ints */
	bool has_uid;
	uid_t uid;
	struct stream_config out, err;
	int stopsignal;
	long long stopwaitsecs;
	bool stopasgroup, killasgroup;
	struct exitcodes exitcodes;
	bool redirect_stderr;
	struct kvlist environment; /* [supervisord] environment, then the program's */
	char *serverurl;           /* NULL: AUTO */
	const char *section;       /* borrowed from the ini doc */
};

enum group_kind { GROUP_PROGRAM, GROUP_HETEROGENEOUS, GROUP_EVENTLISTENER, GROUP_FCGI };

struct fcgi_socket_config {
	bool is_unix;
	char *url;  /* normalised: unix:///abs/path or tcp://host:port */
	char *path; /* unix */
	char *host; /* tcp */
	int port;
	int backlog;  /* -1: SOMAXCONN */
	bool has_owner;
	uid_t owner_uid;
	gid_t owner_gid;
	int mode;     /* -1: unset (tcp) */
};

struct group_config {
	char *name;
	enum group_kind kind;
	long long priority;
	struct process_config *procs;
	int nprocs;
	/* eventlistener pools */
	char **events; /* upper-cased event type names */
	int nevents;
	int buffer_size;
	char *result_handler;
	/* fcgi-program */
	struct fcgi_socket_config socket;
};

struct server_config {
	bool is_unix;
	char *section;
	char *name; /* text after "inet_http_server:" etc., or NULL */
	char *username, *password;
	/* unix */
	char *file;
	int chmod;
	uid_t chown_uid; /* (uid_t)-1: unchanged */
	gid_t chown_gid;
	/* inet */
	char *host; /* "" for all interfaces */
	int port;
};

enum plugin_kind { PLUGIN_RPC, PLUGIN_CTL };

struct plugin_config {
	enum plugin_kind kind;
	char *name;    /* text after "rpcinterface:" */
	char *section;
	char *factory; /* as written */
	struct kvlist extras; /* other keys, [DEFAULT] included, ENV_-expanded */
};

enum log_message_level { PARSE_CRIT, PARSE_WARN, PARSE_INFO };

struct parse_message {
	enum log_message_level level;
	char *text;
};

struct supervisord_config {
	char *logfile; /* absolute, or "syslog" */
	long long logfile_maxbytes;
	int logfile_backups;
	int loglevel;
	char *pidfile;
	int umask;
	bool nodaemon, silent;
	int minfds, minprocs;
	bool nocleanup;
	char *childlogdir;
	char *user; /* NULL: none */
	char *directory;
	bool strip_ansi;
	char *identifier;
	struct kvlist environment;
};

/* Command-line values that override the file ([supervisord] options). */
struct supervisord_overrides {
	bool nodaemon, silent, nocleanup, strip_ansi; /* true: set by -n -s -k -t */
	const char *user, *logfile, *pidfile, *identifier, *childlogdir, *directory;
	bool has_umask, has_logfile_maxbytes, has_logfile_backups, has_loglevel;
	bool has_minfds, has_minprocs;
	int umask, logfile_backups, loglevel, minfds, minprocs;
	long long logfile_maxbytes;
};

struct ctl_config {
	char *serverurl;
	char *username, *password;
	char *prompt;
	char *history_file;
};

struct config {
	int refs;     /* config_ref / config_free */
	char *path;   /* as given */
	char *here;   /* absolute directory of the main file */
	struct ini_doc ini;
	struct supervisord_config sd;
	struct server_config *servers;
	int nservers;
	struct group_config *groups; /* sorted by (priority, name) */
	int ngroups;
	struct plugin_config *plugins;
	int nplugins;
	struct ctl_config ctl;
	struct parse_message *messages; /* to log once the logger exists */
	int nmessages;
	char *serverurl; /* SUPERVISOR_SERVER_URL fallback, NULL without servers */
};

/* The paths probed without -c, in order; argv0 decides the first two.
 * Fills paths[6] with new strings. */
void config_search_paths(const char *argv0, char *paths[6]);

/* Read the whole file for supervisord. ov may be NULL. Returns a config, or
 * NULL with *err set to the message Supervisor prints after "Error: ". */
struct config *config_load_daemon(const char *path, const struct supervisord_overrides *ov, char **err);
/* Read [supervisorctl] (includes are ignored, as Supervisor does). */
struct config *config_load_ctl(const char *path, char **err);
/* Drop a reference; the config is freed with the last one. */
void config_free(struct config *cfg);
struct config *config_ref(struct config *cfg);
#define config_unref config_free
/* Supervisor's comparison for reloadConfig's "changed": every option of
 * every process, an AUTO log file matching any log file. */
bool group_config_equal(const struct group_config *a, const struct group_config *b);

/* os.path.normpath(os.path.abspath(os.path.expanduser(v))); new string. */
char *normalize_path(const char *v);

const char *autorestart_name(enum autorestart a);
const char *group_kind_name(enum group_kind k);

#endif
