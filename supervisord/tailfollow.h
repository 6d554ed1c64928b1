/* Following a log file like `tail -f` without polling: the file and its
 * directory are watched with inotify (one instance per struct tailwatch,
 * registered in the loop), so a follower only wakes up when the file was
 * written, truncated, replaced or renamed. Reads reproduce Supervisor's
 * tail_f_producer: the last `head` bytes first, then what is appended;
 * "==> File truncated <==\n" and a restart at 0 when the file shrank; the
 * new file from its start when the path names a new inode (rotation). */
#ifndef CSUP_TAILFOLLOW_H
#define CSUP_TAILFOLLOW_H

#include <stddef.h>
#include <time.h>

#include "loop.h"

struct tailwatch;
struct tailfollow;

/* Called (once) when a follower whose last read returned 0 may have data. */
typedef void tailfollow_wake_fn(void *ud);

/* The inotify fd is made on first use; without inotify (or out of watches)
 * followers fall back to checking every 0.1 s while they wait. */
struct tailwatch *tailwatch_new(struct loop *l);
/* Every follower must be closed first. */
void tailwatch_free(struct tailwatch *tw);

/* Open path (borrowed) for following; NULL with errno when it cannot be
 * opened. wake(ud) runs from the loop. */
struct tailfollow *tailfollow_open(struct tailwatch *tw, const char *path, size_t head,
				   tailfollow_wake_fn *wake, void *ud);
/* Up to max bytes of what comes next; 0 means nothing now, and wake() will
 * be called when there may be more. */
size_t tailfollow_read(struct tailfollow *tf, char *buf, size_t max);
/* Modification time of the file when it was opened. */
time_t tailfollow_mtime(const struct tailfollow *tf);
void tailfollow_close(struct tailfollow *tf);

#endif
