#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct fd_watch {
	fd_cb *cb;
	void *data;
	bool used;
};

struct loop {
	int epfd;
	int sigfd;
	sigset_t sigs, oldmask;
	signal_cb *sig_cb;
	void *sig_data;
	struct fd_watch *fds; /* indexed by fd */
	int nfds;
	struct timer **heap;
	int nheap, capheap;
	int64_t now;
	bool stop;
	uint64_t wakeups;
	uint64_t pass; /* run_timers passes */
};

int64_t
loop_update_time(struct loop *l)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	l->now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return l->now;
}

int64_t loop_now(struct loop *l) { return l->now; }
uint64_t loop_wakeups(const struct loop *l) { return l->wakeups; }

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = -1;
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	loop_update_time(l);
	return l;
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l->fds);
	free(l->heap);
	free(l);
}

int
loop_add_fd(struct loop *l, int fd, uint32_t events, fd_cb *cb, void *data)
{
	if (fd >= l->nfds) {
		int n = l->nfds ? l->nfds : 64;
		while (n <= fd)
			n *= 2;
		l->fds = xrealloc(l->fds, (size_t)n * sizeof(*l->fds));
		memset(l->fds + l->nfds, 0, (size_t)(n - l->nfds) * sizeof(*l->fds));
		l->nfds = n;
	}
	struct epoll_event ev = {.events = events, .data.fd = fd};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	l->fds[fd] = (struct fd_watch){cb, data, true};
	return 0;
}

int
loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nfds || !l->fds[fd].used)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd] = (struct fd_watch){0};
}

/* ---- timer heap (binary min-heap on deadline) ---- */

void
timer_init(struct timer *t, timer_cb *cb, void *data)
{
	*t = (struct timer){.heap_index = -1, .cb = cb, .data = data};
}

static void
heap_set(struct loop *l, int i, struct timer *t)
{
	l->heap[i] = t;
	t->heap_index = i;
}

static void
sift_up(struct loop *l, int i)
{
	struct timer *t = l->heap[i];
	while (i > 0) {
		int parent = (i - 1) / 2;
		if (l->heap[parent]->deadline <= t->deadline)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void
sift_down(struct loop *l, int i)
{
	struct timer *t = l->heap[i];
	for (;;) {
		int c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->deadline < l->heap[c]->deadline)
			c++;
		if (t->deadline <= l->heap[c]->deadline)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void
timer_cancel(struct loop *l, struct timer *t)
{
	int i = t->heap_index;
	if (i < 0)
		return;
	t->heap_index = -1;
	struct timer *last = l->heap[--l->nheap];
	if (i == l->nheap)
		return;
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->heap_index);
}

void
timer_arm(struct loop *l, struct timer *t, int64_t deadline)
{
	timer_cancel(l, t);
	if (l->nheap == l->capheap) {
		l->capheap = l->capheap ? 2 * l->capheap : 64;
		l->heap = xrealloc(l->heap, (size_t)l->capheap * sizeof(*l->heap));
	}
	t->deadline = deadline;
	t->armed_pass = l->pass;
	heap_set(l, l->nheap++, t);
	sift_up(l, t->heap_index);
}

/* ---- signals ---- */

static void
on_signalfd(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)events;
	(void)data;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		l->sig_cb(l, (int)si.ssi_signo, l->sig_data);
}

int
loop_signals(struct loop *l, const int *sigs, int n, signal_cb *cb, void *data)
{
	sigemptyset(&l->sigs);
	for (int i = 0; i < n; i++)
		sigaddset(&l->sigs, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &l->sigs, &l->oldmask) < 0)
		return -1;
	/* An ignored signal is dropped before signalfd can see it: a daemon
	 * started from a background job (SIGINT and SIGQUIT ignored) must
	 * still obey them, as Python's handlers do. Blocked first, so the
	 * default action never runs; children start with it too. */
	for (int i = 0; i < n; i++)
		signal(sigs[i], SIG_DFL);
	l->sigfd = signalfd(-1, &l->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0)
		return -1;
	l->sig_cb = cb;
	l->sig_data = data;
	return loop_add_fd(l, l->sigfd, EPOLLIN, on_signalfd, NULL);
}

void
loop_unblock_signals_for_child(struct loop *l)
{
	sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
}

/* ---- running ---- */

void loop_stop(struct loop *l) { l->stop = true; }
bool loop_stopping(const struct loop *l) { return l->stop; }

static void
run_timers(struct loop *l)
{
	/* A timer armed by a callback of this pass for "now" waits for the
	 * next turn, after the fds (a SIGCHLD, say) have been read: otherwise
	 * a callback that re-arms itself for now would never let go. */
	l->pass++;
	while (l->nheap && l->heap[0]->deadline <= l->now) {
		struct timer *t = l->heap[0];
		if (t->armed_pass == l->pass)
			break;
		timer_cancel(l, t);
		t->cb(l, t->data);
	}
}

int
loop_run(struct loop *l)
{
	struct epoll_event evs[64];
	l->stop = false;
	while (!l->stop) {
		loop_update_time(l);
		run_timers(l);
		if (l->stop)
			break;
		int timeout = -1;
		if (l->nheap) {
			int64_t wait = l->heap[0]->deadline - l->now;
			timeout = wait < 0 ? 0 : wait > 86400000 ? 86400000 : (int)wait;
		}
		int n = epoll_wait(l->epfd, evs, (int)ARRAY_LEN(evs), timeout);
		l->wakeups++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		loop_update_time(l);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			/* a callback may have removed this fd meanwhile */
			if (fd < l->nfds && l->fds[fd].used)
				l->fds[fd].cb(l, fd, evs[i].events, l->fds[fd].data);
		}
	}
	return 0;
}
