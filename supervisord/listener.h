/* Event listener pools ([eventlistener:x]): the pool's event buffer,
 * dispatch to READY listeners, and the listener protocol spoken on each
 * listener's stdin (envelopes) and stdout (READY / RESULT). */
#ifndef CSUP_LISTENER_H
#define CSUP_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

struct event;
struct process;
struct procgroup;
struct supervisor;
struct pool;

enum lstate { LS_READY = 10, LS_BUSY = 20, LS_ACKNOWLEDGED = 30, LS_UNKNOWN = 40 };

struct pool *pool_new(struct supervisor *sv, struct procgroup *g);
void pool_free(struct pool *pl);
/* Take an event into the buffer (head: a re-queued one). */
void pool_accept(struct pool *pl, struct event *e, bool head);

/* Per listener process (p->listener). */
void listener_init(struct process *p);
void listener_destroy(struct process *p);
/* A new spawn: ACKNOWLEDGED, no event, empty buffers. */
void listener_spawned(struct process *p);
/* Bytes the listener wrote to its stdout. */
void listener_output(struct process *p, const char *data, size_t n);
/* The listener's process state changed (RUNNING: it may get events). */
void listener_state_changed(struct process *p);
/* The listener was reaped: an event it had not answered goes back. */
void listener_reaped(struct process *p);
const char *lstate_name(enum lstate s);
enum lstate listener_state(const struct process *p);

#endif
