/* The daemon's one event loop: epoll for fds, signalfd for signals, and
 * timers kept in a heap by deadline. Each turn waits exactly until the
 * nearest deadline, so an idle daemon sleeps in epoll_wait. */
#ifndef CSUP_LOOP_H
#define CSUP_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;

typedef void fd_cb(struct loop *l, int fd, uint32_t events, void *data);
typedef void timer_cb(struct loop *l, void *data);
typedef void signal_cb(struct loop *l, int sig, void *data);

/* A timer is embedded in its owner; arm/cancel never allocate. */
struct timer {
	int64_t deadline; /* loop_now() milliseconds */
	int heap_index;   /* -1 when not armed */
	timer_cb *cb;
	void *data;
	uint64_t armed_pass; /* run_timers pass it was armed in */
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Milliseconds of CLOCK_MONOTONIC, cached per turn. */
int64_t loop_now(struct loop *l);
/* Refresh the cached time (after something slow, like a fork burst). */
int64_t loop_update_time(struct loop *l);

int loop_add_fd(struct loop *l, int fd, uint32_t events, fd_cb *cb, void *data);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
void loop_del_fd(struct loop *l, int fd);

void timer_init(struct timer *t, timer_cb *cb, void *data);
void timer_arm(struct loop *l, struct timer *t, int64_t deadline);
void timer_cancel(struct loop *l, struct timer *t);
static inline bool timer_armed(const struct timer *t) { return t->heap_index >= 0; }

/* Block sigs, deliver them through a signalfd to cb. */
int loop_signals(struct loop *l, const int *sigs, int n, signal_cb *cb, void *data);
/* Restore the signal mask the process had (for children before exec). */
void loop_unblock_signals_for_child(struct loop *l);

/* Run until loop_stop(); returns 0. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
bool loop_stopping(const struct loop *l);
/* Count of epoll_wait returns, for tests and benchmarks of idleness. */
uint64_t loop_wakeups(const struct loop *l);

#endif
