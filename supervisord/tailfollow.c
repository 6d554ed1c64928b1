#include "tailfollow.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The file: written, renamed away, deleted, or its link count changed
 * (unlinked while we hold it open). The directory: a file created or
 * renamed in under our name (the new file after a rotation). */
#define FILE_MASK (IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB)
#define DIR_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
#define POLL_MS 100

static const char TRUNCATED[] = "==> File truncated <==\n";

struct tailwatch {
	struct loop *loop;
	int fd; /* inotify; -1 before first use or when unavailable */
	bool failed;
	struct tailfollow *list;
};

struct tailfollow {
	struct tailwatch *tw;
	char *path, *dir, *base;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t pos;
	time_t mtime;
	int wd_file, wd_dir; /* -1: not watched */
	size_t notice_off;   /* bytes of TRUNCATED still to send, from here */
	bool notice;
	bool waiting;
	struct timer poll; /* only without inotify */
	tailfollow_wake_fn *wake;
	void *ud;
	struct tailfollow *next, *prev;
};

static void on_inotify(struct loop *l, int fd, uint32_t events, void *data);

struct tailwatch *
tailwatch_new(struct loop *l)
{
	struct tailwatch *tw = xcalloc(1, sizeof(*tw));
	tw->loop = l;
	tw->fd = -1;
	return tw;
}

void
tailwatch_free(struct tailwatch *tw)
{
	if (!tw)
		return;
	while (tw->list)
		tailfollow_close(tw->list);
	if (tw->fd >= 0) {
		loop_del_fd(tw->loop, tw->fd);
		close(tw->fd);
	}
	free(tw);
}

static int
inotify_fd(struct tailwatch *tw)
{
	if (tw->fd < 0 && !tw->failed) {
		tw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (tw->fd >= 0 && loop_add_fd(tw->loop, tw->fd, EPOLLIN, on_inotify, tw) < 0) {
			close(tw->fd);
			tw->fd = -1;
		}
		tw->failed = tw->fd < 0;
	}
	return tw->fd;
}

/* Drop a watch unless another follower still uses it (inotify hands out
 * one wd per inode). */
static void
release_wd(struct tailfollow *tf, int wd)
{
	if (wd < 0)
		return;
	for (struct tailfollow *o = tf->tw->list; o; o = o->next)
		if (o != tf && (o->wd_file == wd || o->wd_dir == wd))
			return;
	inotify_rm_watch(tf->tw->fd, wd);
}

static void
watch_file(struct tailfollow *tf)
{
	int old = tf->wd_file;
	tf->wd_file = -1;
	int ifd = inotify_fd(tf->tw);
	if (ifd >= 0) {
		/* watch the inode we hold open, not whatever the path names now */
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", tf->fd);
		tf->wd_file = inotify_add_watch(ifd, proc, FILE_MASK);
		if (tf->wd_file < 0)
			tf->wd_file = inotify_add_watch(ifd, tf->path, FILE_MASK);
	}
	if (old != tf->wd_file)
		release_wd(tf, old);
}

static void
wake(struct tailfollow *tf)
{
	if (!tf->waiting)
		return;
	tf->waiting = false;
	timer_cancel(tf->tw->loop, &tf->poll);
	tf->wake(tf->ud);
}

static void
on_poll(struct loop *l, void *data)
{
	(void)l;
	wake(data);
}

static void
on_inotify(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)events;
	struct tailwatch *tw = data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			struct tailfollow *next;
			for (struct tailfollow *tf = tw->list; tf; tf = next) {
				next = tf->next; /* wake() may not close, but stay safe */
				bool hit = ev->wd == -1 /* queue overflow */ || ev->wd == tf->wd_file ||
					   (ev->wd == tf->wd_dir && ev->len && streq(ev->name, tf->base));
				if (ev->mask & IN_IGNORED) {
					/* the kernel dropped the watch */
					if (tf->wd_file == ev->wd)
						tf->wd_file = -1;
					if (tf->wd_dir == ev->wd)
						tf->wd_dir = -1;
				}
				if (hit)
					wake(tf);
			}
		}
	}
}

struct tailfollow *
tailfollow_open(struct tailwatch *tw, const char *path, size_t head, tailfollow_wake_fn *wakefn, void *ud)
{
	/* O_NONBLOCK: a FIFO at the path must not hang the loop */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	struct tailfollow *tf = xcalloc(1, sizeof(*tf));
	tf->tw = tw;
	tf->path = xstrdup(path);
	char *d = xstrdup(path), *b = xstrdup(path);
	tf->dir = xstrdup(dirname(d));
	tf->base = xstrdup(basename(b));
	free(d);
	free(b);
	tf->fd = fd;
	tf->dev = st.st_dev;
	tf->ino = st.st_ino;
	tf->mtime = st.st_mtime;
	tf->pos = st.st_size >= (off_t)head ? st.st_size - (off_t)head : 0;
	tf->wd_file = tf->wd_dir = -1;
	tf->wake = wakefn;
	tf->ud = ud;
	timer_init(&tf->poll, on_poll, tf);
	tf->next = tw->list;
	if (tw->list)
		tw->list->prev = tf;
	tw->list = tf;
	watch_file(tf);
	if (tw->fd >= 0)
		tf->wd_dir = inotify_add_watch(tw->fd, tf->dir, DIR_MASK);
	return tf;
}

time_t tailfollow_mtime(const struct tailfollow *tf) { return tf->mtime; }

static size_t
read_from(struct tailfollow *tf, off_t size, char *buf, size_t max)
{
	size_t want = (size_t)(size - tf->pos) < max ? (size_t)(size - tf->pos) : max;
	ssize_t n = pread(tf->fd, buf, want, tf->pos);
	if (n <= 0)
		return 0;
	tf->pos += n;
	return (size_t)n;
}

/* The path names another file now: finish the old one, then switch. */
static size_t
follow_rotation(struct tailfollow *tf, char *buf, size_t max)
{
	struct stat st;
	if (stat(tf->path, &st) < 0 || (st.st_dev == tf->dev && st.st_ino == tf->ino))
		return 0;
	struct stat old;
	if (fstat(tf->fd, &old) == 0 && old.st_size > tf->pos)
		return read_from(tf, old.st_size, buf, max);
	int fd = open(tf->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(tf->fd);
	tf->fd = fd;
	tf->dev = st.st_dev;
	tf->ino = st.st_ino;
	tf->pos = 0;
	watch_file(tf);
	return 0;
}

size_t
tailfollow_read(struct tailfollow *tf, char *buf, size_t max)
{
	if (!max)
		return 0;
	if (tf->notice) {
		size_t n = sizeof TRUNCATED - 1 - tf->notice_off;
		if (n > max)
			n = max;
		memcpy(buf, TRUNCATED + tf->notice_off, n);
		tf->notice_off += n;
		tf->notice = tf->notice_off < sizeof TRUNCATED - 1;
		return n;
	}
	size_t n = follow_rotation(tf, buf, max);
	if (n)
		return n;
	struct stat st;
	if (fstat(tf->fd, &st) == 0) {
		if (st.st_size < tf->pos) {
			tf->pos = 0;
			tf->notice = true;
			tf->notice_off = 0;
			return tailfollow_read(tf, buf, max);
		}
		if (st.st_size > tf->pos && (n = read_from(tf, st.st_size, buf, max)))
			return n;
	}
	tf->waiting = true;
	if (tf->wd_file < 0 || tf->wd_dir < 0)
		timer_arm(tf->tw->loop, &tf->poll, loop_now(tf->tw->loop) + POLL_MS);
	return 0;
}

void
tailfollow_close(struct tailfollow *tf)
{
	if (!tf)
		return;
	struct tailwatch *tw = tf->tw;
	timer_cancel(tw->loop, &tf->poll);
	if (tf->prev)
		tf->prev->next = tf->next;
	else
		tw->list = tf->next;
	if (tf->next)
		tf->next->prev = tf->prev;
	tf->next = tf->prev = NULL;
	/* released after unlinking, so our own entries don't keep the wds */
	if (tw->fd >= 0) {
		release_wd(tf, tf->wd_file);
		if (tf->wd_dir != tf->wd_file)
			release_wd(tf, tf->wd_dir);
	}
	close(tf->fd);
	free(tf->path);
	free(tf->dir);
	free(tf->base);
	free(tf);
}
