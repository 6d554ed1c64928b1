/* Supervisor's events: the type hierarchy, the payloads (captured when an
 * event is created), serial numbers, the TICK timers, and delivery to the
 * event listener pools that subscribe (listener.c). */
#ifndef CSUP_EVENTS_H
#define CSUP_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "process.h"
#include "util.h"

struct supervisor;

/* One pool's numbering of an event (pool serials are keyed by pool name,
 * as Supervisor keys them). */
struct pool_serial {
	char *pool;
	long long serial;
};

struct event {
	int refs;
	const char *name;   /* "PROCESS_STATE_RUNNING"; static */
	char *payload;      /* UTF-8 text, NUL-terminated */
	size_t len;         /* bytes */
	size_t nchars;      /* characters: the envelope's len: */
	long long serial;   /* -1 until a pool accepts it */
	struct pool_serial *ps;
	int nps;
};

struct event *event_ref(struct event *e);
void event_unref(struct event *e);

/* A name Supervisor accepts in events= (upper-case). */
bool event_name_valid(const char *name);
/* Does a subscription to sub receive events of type name? */
bool event_matches(const char *sub, const char *name);
/* Does some pool of the current generation subscribe to name? */
bool events_wanted(const char *name);

/* One supervisor generation at a time. */
void events_attach(struct supervisor *sv);
void events_detach(void);
/* Pools were added or removed: (dis)arm the TICK timers. */
void events_pools_changed(void);

/* Build and deliver; payload is copied. */
void events_notify(const char *name, const char *payload, size_t len);

/* Emitters. */
void events_process_state(struct process *p, enum pstate old);
void events_process_output(struct process *p, bool is_stderr, bool comm, const char *data, size_t n);
void events_remote_comm(const char *type, size_t tlen, const char *data, size_t dlen);
void events_supervisor_state(bool running);
void events_group(const char *name, bool added);

/* Python's repr() of bytes: b'...' */
void sb_add_pybytes(struct strbuf *sb, const char *s, size_t n);
/* Valid UTF-8 as Python's strict decoder sees it; *nchars: characters. */
bool utf8_check(const char *s, size_t n, size_t *nchars);

#endif
