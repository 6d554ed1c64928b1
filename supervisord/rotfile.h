/* A log file with Supervisor's size rotation: F -> F.1 -> ... -> F.<backups>.
 * Used for the activity log and for every child log. */
#ifndef CSUP_ROTFILE_H
#define CSUP_ROTFILE_H

#include <stddef.h>
#include <sys/types.h>

struct rotfile {
	char *path;
	int fd;
	long long maxbytes; /* 0: never rotate */
	int backups;
	off_t size;
};

/* Open path for appending (created 0644 unless mode says otherwise).
 * Returns 0, or -1 with errno. */
int rotfile_open(struct rotfile *rf, const char *path, long long maxbytes, int backups);
/* Write all of buf, then rotate if the file reached maxbytes. Returns 0 or
 * -1 with errno (the data is then lost for this file only). */
int rotfile_write(struct rotfile *rf, const char *buf, size_t len);
/* Account for n bytes written to rf->fd by someone else (splice). */
void rotfile_wrote(struct rotfile *rf, size_t n);
int rotfile_reopen(struct rotfile *rf);
/* Truncate to empty (clearLog) by unlinking and recreating. */
int rotfile_clear(struct rotfile *rf);
void rotfile_close(struct rotfile *rf);

#endif
