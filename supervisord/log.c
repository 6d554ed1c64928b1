#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "rotfile.h"
#include "util.h"

static struct {
	struct rotfile file;
	bool is_open, use_syslog, to_stdout;
	int level;
} lg = {.file = {.fd = -1}, .level = LV_INFO};

int
log_open(const struct log_settings *s)
{
	log_close();
	lg.level = s->level;
	lg.to_stdout = s->to_stdout;
	if (streq(s->path, "syslog")) {
		lg.use_syslog = true;
		openlog(NULL, 0, LOG_USER);
	} else if (rotfile_open(&lg.file, s->path, s->maxbytes, s->backups) < 0) {
		return -1;
	}
	lg.is_open = true;
	return 0;
}

void
log_close(void)
{
	if (lg.is_open && !lg.use_syslog)
		rotfile_close(&lg.file);
	lg.is_open = false;
	lg.use_syslog = false;
}

int
log_reopen(void)
{
	return lg.is_open && !lg.use_syslog ? rotfile_reopen(&lg.file) : 0;
}

void log_no_stdout(void) { lg.to_stdout = false; }
bool log_enabled(int level) { return level >= lg.level; }
const char *log_path(void) { return lg.is_open && !lg.use_syslog ? lg.file.path : NULL; }
bool log_to_syslog(void) { return lg.use_syslog; }

void
log_msg(int level, const char *fmt, ...)
{
	if (level < lg.level)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	localtime_r(&tv.tv_sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	char *line = xasprintf("%s,%03d %s %s\n", stamp, (int)(tv.tv_usec / 1000), loglevel_name(level), msg);
	size_t len = strlen(line);
	if (lg.to_stdout || !lg.is_open) {
		/* before the log exists (or without one), stderr keeps it visible */
		FILE *out = lg.to_stdout ? stdout : stderr;
		fwrite(line, 1, len, out);
		fflush(out);
	}
	if (lg.use_syslog) {
		/* one record per line of the message */
		char *save = NULL;
		for (char *l = strtok_r(line, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			syslog(LOG_INFO, "%s", l);
	} else if (lg.is_open) {
		rotfile_write(&lg.file, line, len);
	}
	free(line);
	free(msg);
}
