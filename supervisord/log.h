/* The activity log (supervisord's own log): Supervisor's line format and
 * levels, to a rotating file, syslog, and stdout in the foreground. */
#ifndef CSUP_LOG_H
#define CSUP_LOG_H

#include <stdbool.h>

#include "values.h"

struct log_settings {
	const char *path; /* a file, or "syslog" */
	long long maxbytes;
	int backups;
	int level;
	bool to_stdout; /* nodaemon && !silent */
};

/* Returns 0, or -1 with errno when the file cannot be opened. */
int log_open(const struct log_settings *s);
void log_close(void);
int log_reopen(void);
bool log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stop echoing to stdout (after daemonizing, fd 1 is /dev/null). */
void log_no_stdout(void);
/* The log file's path, or NULL (syslog). */
const char *log_path(void);
/* logfile=syslog: the activity log goes to syslog, log_path() is NULL. */
bool log_to_syslog(void);

#define log_crit(...) log_msg(LV_CRIT, __VA_ARGS__)
#define log_error(...) log_msg(LV_ERRO, __VA_ARGS__)
#define log_warn(...) log_msg(LV_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LV_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LV_DEBG, __VA_ARGS__)
#define log_trace(...) log_msg(LV_TRAC, __VA_ARGS__)
#define log_blather(...) log_msg(LV_BLAT, __VA_ARGS__)

#endif
