#include "rotfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int
open_append(struct rotfile *rf)
{
	rf->fd = open(rf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (rf->fd < 0)
		return -1;
	struct stat st;
	rf->size = fstat(rf->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

int
rotfile_open(struct rotfile *rf, const char *path, long long maxbytes, int backups)
{
	*rf = (struct rotfile){.path = xstrdup(path), .fd = -1, .maxbytes = maxbytes, .backups = backups};
	if (open_append(rf) < 0) {
		int e = errno;
		free(rf->path);
		rf->path = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

/* F.(n-1) -> F.n ... F -> F.1, then a fresh empty F. */
static int
rotate(struct rotfile *rf)
{
	close(rf->fd);
	rf->fd = -1;
	if (rf->backups > 0) {
		for (int i = rf->backups - 1; i >= 1; i--) {
			char *src = xasprintf("%s.%d", rf->path, i);
			char *dst = xasprintf("%s.%d", rf->path, i + 1);
			if (access(src, F_OK) == 0)
				rename(src, dst); /* rename() replaces dst atomically */
			free(src);
			free(dst);
		}
		char *dst = xasprintf("%s.1", rf->path);
		rename(rf->path, dst);
		free(dst);
	}
	rf->fd = open(rf->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	rf->size = 0;
	return rf->fd < 0 ? -1 : 0;
}

void
rotfile_wrote(struct rotfile *rf, size_t n)
{
	rf->size += (off_t)n;
	if (rf->maxbytes > 0 && rf->size >= rf->maxbytes)
		rotate(rf);
}

int
rotfile_write(struct rotfile *rf, const char *buf, size_t len)
{
	if (rf->fd < 0) {
		errno = EBADF;
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(rf->fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	rotfile_wrote(rf, len);
	return 0;
}

int
rotfile_reopen(struct rotfile *rf)
{
	if (rf->fd >= 0)
		close(rf->fd);
	return open_append(rf);
}

int
rotfile_clear(struct rotfile *rf)
{
	if (rf->fd >= 0)
		close(rf->fd);
	unlink(rf->path);
	return open_append(rf);
}

void
rotfile_close(struct rotfile *rf)
{
	if (rf->fd >= 0)
		close(rf->fd);
	free(rf->path);
	*rf = (struct rotfile){.fd = -1};
}
