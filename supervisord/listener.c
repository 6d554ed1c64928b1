#include "listener.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "process.h"
#include "supervisor.h"
#include "util.h"

#define READY_TOKEN "READY\n"
#define READY_LEN 6
#define RESULT_TOKEN_START_LEN 7 /* "RESULT " (not checked, as Supervisor) */

struct listener {
	enum lstate state;
	struct strbuf buf;     /* bytes not yet understood */
	long long resultlen;   /* -1: no result line yet */
	struct strbuf result;
	struct event *event;   /* sent, not yet answered */
};

struct pool {
	struct supervisor *sv;
	struct procgroup *g;
	char *name;
	struct event **buf; /* FIFO: buf[0] is the oldest */
	int n, cap;
	long long serial;   /* last pool serial given, -1 at first */
	struct timer kick;  /* dispatch on the next loop turn */
};

static void pool_dispatch(struct pool *pl);

const char *
lstate_name(enum lstate s)
{
	switch (s) {
	case LS_READY: return "READY";
	case LS_BUSY: return "BUSY";
	case LS_ACKNOWLEDGED: return "ACKNOWLEDGED";
	default: return "UNKNOWN";
	}
}

enum lstate
listener_state(const struct process *p)
{
	return p->listener ? p->listener->state : LS_UNKNOWN;
}

static void
on_kick(struct loop *l, void *data)
{
	(void)l;
	pool_dispatch(data);
}

static void
pool_kick(struct pool *pl)
{
	if (!timer_armed(&pl->kick))
		timer_arm(pl->sv->loop, &pl->kick, loop_now(pl->sv->loop));
}

struct pool *
pool_new(struct supervisor *sv, struct procgroup *g)
{
	struct pool *pl = xcalloc(1, sizeof(*pl));
	pl->sv = sv;
	pl->g = g;
	pl->name = xstrdup(g->cfg->name);
	pl->serial = -1;
	timer_init(&pl->kick, on_kick, pl);
	return pl;
}

void
pool_free(struct pool *pl)
{
	if (!pl)
		return;
	timer_cancel(pl->sv->loop, &pl->kick);
	for (int i = 0; i < pl->n; i++)
		event_unref(pl->buf[i]);
	free(pl->buf);
	free(pl->name);
	free(pl);
}

static long long
next_serial(long long *s)
{
	if (*s == 0x7fffffffffffffffLL) /* sys.maxsize */
		*s = -1;
	return ++*s;
}

static long long global_serial = -1; /* across generations, as Supervisor's */

void
pool_accept(struct pool *pl, struct event *e, bool head)
{
	if (e->serial < 0)
		e->serial = next_serial(&global_serial);
	int i;
	for (i = 0; i < e->nps && !streq(e->ps[i].pool, pl->name); i++)
		;
	if (i == e->nps) {
		e->ps = xrealloc(e->ps, (size_t)(e->nps + 1) * sizeof(*e->ps));
		e->ps[e->nps++] = (struct pool_serial){xstrdup(pl->name), next_serial(&pl->serial)};
	} else {
		log_debug("rebuffering event %lld for pool %s (buf size=%d, max=%d)", e->serial, pl->name, pl->n,
			  pl->g->cfg->buffer_size);
	}
	if (pl->n >= pl->g->cfg->buffer_size && pl->n) {
		struct event *old = pl->buf[0];
		memmove(pl->buf, pl->buf + 1, (size_t)(pl->n - 1) * sizeof(*pl->buf));
		pl->n--;
		log_error("pool %s event buffer overflowed, discarding event %lld", pl->name, old->serial);
		event_unref(old);
	}
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 8;
		pl->buf = xrealloc(pl->buf, (size_t)pl->cap * sizeof(*pl->buf));
	}
	if (head) {
		memmove(pl->buf + 1, pl->buf, (size_t)pl->n * sizeof(*pl->buf));
		pl->buf[0] = event_ref(e);
	} else {
		pl->buf[pl->n] = event_ref(e);
	}
	pl->n++;
	pool_kick(pl);
}

static long long
pool_serial_of(struct event *e, const char *pool)
{
	for (int i = 0; i < e->nps; i++)
		if (streq(e->ps[i].pool, pool))
			return e->ps[i].serial;
	return -1;
}

/* Offer e to the first RUNNING + READY listener. */
static bool
dispatch_one(struct pool *pl, struct event *e)
{
	struct procgroup *g = pl->g;
	for (int k = 0; k < g->nprocs; k++) {
		struct process *p = &g->procs[k];
		if (p->state != PS_RUNNING || !p->listener || p->listener->state != LS_READY)
			continue;
		char *env = xasprintf("ver:3.0 server:%s serial:%lld pool:%s poolserial:%lld eventname:%s len:%zu\n",
				      pl->sv->cfg->sd.identifier, e->serial, pl->name, pool_serial_of(e, pl->name),
				      e->name, e->nchars);
		struct strbuf sb = {0};
		sb_adds(&sb, env);
		free(env);
		sb_add(&sb, e->payload, e->len);
		int rc = process_send_stdin(p, sb.p, sb.len);
		sb_free(&sb);
		if (rc < 0) {
			log_debug("epipe occurred while sending event %lld to listener %s, listener state unchanged",
				  e->serial, p->cfg->name);
			continue;
		}
		p->listener->state = LS_BUSY;
		event_unref(p->listener->event);
		p->listener->event = event_ref(e);
		log_debug("event %lld sent to listener %s", e->serial, p->cfg->name);
		return true;
	}
	return false;
}

static void
pool_dispatch(struct pool *pl)
{
	bool capable = false;
	for (int k = 0; k < pl->g->nprocs && !capable; k++) {
		struct process *p = &pl->g->procs[k];
		capable = p->state == PS_RUNNING && p->listener && p->listener->state == LS_READY;
	}
	if (!capable)
		return;
	while (pl->n) {
		struct event *e = pl->buf[0];
		memmove(pl->buf, pl->buf + 1, (size_t)(pl->n - 1) * sizeof(*pl->buf));
		pl->n--;
		bool ok = dispatch_one(pl, e);
		if (!ok)
			pool_accept(pl, e, true);
		event_unref(e);
		if (!ok)
			break;
	}
	timer_cancel(pl->sv->loop, &pl->kick); /* pool_accept may have armed it */
}

/* ---- one listener ---- */

void
listener_init(struct process *p)
{
	p->listener = xcalloc(1, sizeof(*p->listener));
	p->listener->state = LS_ACKNOWLEDGED;
	p->listener->resultlen = -1;
}

static void
reset(struct listener *li)
{
	sb_free(&li->buf);
	sb_free(&li->result);
	li->resultlen = -1;
	event_unref(li->event);
	li->event = NULL;
}

void
listener_destroy(struct process *p)
{
	if (!p->listener)
		return;
	reset(p->listener);
	free(p->listener);
	p->listener = NULL;
}

void
listener_spawned(struct process *p)
{
	reset(p->listener);
	p->listener->state = LS_ACKNOWLEDGED;
}

static void
change_lstate(struct process *p, enum lstate s)
{
	struct listener *li = p->listener;
	log_debug("%s: %s -> %s", p->cfg->name, lstate_name(li->state), lstate_name(s));
	li->state = s;
	if (s == LS_UNKNOWN)
		log_warn("%s: has entered the UNKNOWN state and will no longer receive events, this usually "
			 "indicates the process violated the eventlistener protocol",
			 p->cfg->name);
	if (s == LS_READY && p->group->pool)
		pool_kick(p->group->pool);
}

/* EventRejectedEvent: the pool owning the listener takes it back. */
static void
reject(struct process *p, struct event *e)
{
	if (e && p->group->pool)
		pool_accept(p->group->pool, e, true);
}

static void
drop_event(struct listener *li)
{
	event_unref(li->event);
	li->event = NULL;
}

static void
consume(struct strbuf *sb, size_t n)
{
	memmove(sb->p, sb->p + n, sb->len - n);
	sb->len -= n;
	if (sb->p)
		sb->p[sb->len] = '\0';
}

/* Python's int() of the bytes after "RESULT ". */
static bool
parse_len(const char *s, size_t n, long long *out)
{
	size_t i = 0;
	while (i < n && strchr(" \t\r\n\v\f", s[i]))
		i++;
	while (n > i && strchr(" \t\r\n\v\f", s[n - 1]))
		n--;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return false;
	long long v = 0;
	for (; i < n; i++) {
		if (s[i] == '_' && i + 1 < n && s[i - 1] >= '0' && s[i - 1] <= '9')
			continue;
		if (s[i] < '0' || s[i] > '9' || v > 100000000000LL)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static void
handle_result(struct process *p, const char *res, size_t n)
{
	struct listener *li = p->listener;
	struct event *e = li->event;
	li->event = NULL;
	/* the default handler (supervisor.dispatchers:default_handler) */
	if (n == 2 && !memcmp(res, "OK", 2)) {
		log_debug("%s: event was processed", p->cfg->name);
		change_lstate(p, LS_ACKNOWLEDGED);
	} else {
		log_warn("%s: event was rejected", p->cfg->name);
		change_lstate(p, LS_ACKNOWLEDGED);
		reject(p, e);
	}
	event_unref(e);
}

static void
handle_buffer(struct process *p)
{
	struct listener *li = p->listener;
	struct strbuf *b = &li->buf;
	while (b->len) {
		switch (li->state) {
		case LS_UNKNOWN:
			sb_free(b);
			return;
		case LS_ACKNOWLEDGED:
			if (b->len < READY_LEN)
				return;
			if (!memcmp(b->p, READY_TOKEN, READY_LEN)) {
				change_lstate(p, LS_READY);
				consume(b, READY_LEN);
			} else {
				change_lstate(p, LS_UNKNOWN);
				sb_free(b);
			}
			drop_event(li);
			continue;
		case LS_READY:
			change_lstate(p, LS_UNKNOWN);
			sb_free(b);
			drop_event(li);
			return;
		case LS_BUSY:
			if (li->resultlen < 0) {
				char *nl = memchr(b->p, '\n', b->len);
				if (!nl)
					return;
				size_t pos = (size_t)(nl - b->p);
				long long len;
				bool ok = pos >= RESULT_TOKEN_START_LEN
						  ? parse_len(b->p + RESULT_TOKEN_START_LEN, pos - RESULT_TOKEN_START_LEN, &len)
						  : false;
				if (!ok) {
					struct strbuf line = {0};
					if (utf8_check(b->p, pos, NULL)) {
						sb_add(&line, b->p, pos);
					} else {
						sb_adds(&line, "Undecodable: ");
						sb_add_pybytes(&line, b->p, pos);
					}
					log_warn("%s: bad result line: '%s'", p->cfg->name, line.p ? line.p : "");
					sb_free(&line);
					change_lstate(p, LS_UNKNOWN);
					sb_free(b);
					struct event *e = li->event;
					li->event = NULL;
					reject(p, e);
					event_unref(e);
					return;
				}
				consume(b, pos + 1);
				li->resultlen = len < 0 ? 0 : len;
			} else {
				size_t need = (size_t)li->resultlen - li->result.len;
				size_t take = need < b->len ? need : b->len;
				sb_add(&li->result, b->p, take);
				consume(b, take);
				if (li->result.len == (size_t)li->resultlen) {
					struct strbuf res = li->result;
					li->result = (struct strbuf){0};
					li->resultlen = -1;
					handle_result(p, res.p ? res.p : "", res.len);
					sb_free(&res);
				}
			}
			continue;
		}
	}
}

void
listener_output(struct process *p, const char *data, size_t n)
{
	struct listener *li = p->listener;
	if (!li || !n)
		return;
	sb_add(&li->buf, data, n);
	handle_buffer(p);
}

void
listener_state_changed(struct process *p)
{
	if (p->state == PS_RUNNING && p->group->pool)
		pool_kick(p->group->pool);
}

void
listener_reaped(struct process *p)
{
	struct listener *li = p->listener;
	if (!li || !li->event)
		return;
	struct event *e = li->event;
	li->event = NULL;
	reject(p, e);
	event_unref(e);
}
