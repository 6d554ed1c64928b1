#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listener.h"
#include "log.h"
#include "supervisor.h"

/* name, parent ("" for EVENT itself) */
static const struct {
	const char *name, *parent;
} types[] = {
	{"EVENT", ""},
	{"PROCESS_STATE", "EVENT"},
	{"PROCESS_STATE_STOPPED", "PROCESS_STATE"},
	{"PROCESS_STATE_EXITED", "PROCESS_STATE"},
	{"PROCESS_STATE_STARTING", "PROCESS_STATE"},
	{"PROCESS_STATE_STOPPING", "PROCESS_STATE"},
	{"PROCESS_STATE_BACKOFF", "PROCESS_STATE"},
	{"PROCESS_STATE_FATAL", "PROCESS_STATE"},
	{"PROCESS_STATE_RUNNING", "PROCESS_STATE"},
	{"PROCESS_STATE_UNKNOWN", "PROCESS_STATE"},
	{"PROCESS_COMMUNICATION", "EVENT"},
	{"PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION"},
	{"PROCESS_COMMUNICATION_STDERR", "PROCESS_COMMUNICATION"},
	{"PROCESS_LOG", "EVENT"},
	{"PROCESS_LOG_STDOUT", "PROCESS_LOG"},
	{"PROCESS_LOG_STDERR", "PROCESS_LOG"},
	{"REMOTE_COMMUNICATION", "EVENT"},
	{"SUPERVISOR_STATE_CHANGE", "EVENT"},
	{"SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE"},
	{"SUPERVISOR_STATE_CHANGE_STOPPING", "SUPERVISOR_STATE_CHANGE"},
	{"TICK", "EVENT"},
	{"TICK_5", "TICK"},
	{"TICK_60", "TICK"},
	{"TICK_3600", "TICK"},
	{"PROCESS_GROUP", "EVENT"},
	{"PROCESS_GROUP_ADDED", "PROCESS_GROUP"},
	{"PROCESS_GROUP_REMOVED", "PROCESS_GROUP"},
};

static const char *
parent_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (streq(types[i].name, name))
			return types[i].parent;
	return NULL;
}

bool
event_name_valid(const char *name)
{
	return parent_of(name) != NULL;
}

bool
event_matches(const char *sub, const char *name)
{
	for (const char *t = name; t && *t; t = parent_of(t))
		if (!strcasecmp(sub, t))
			return true;
	return false;
}

/* ---- UTF-8 and bytes repr ---- */

bool
utf8_check(const char *str, size_t n, size_t *nchars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t chars = 0;
	for (size_t i = 0; i < n; chars++) {
		unsigned c = s[i];
		size_t need;
		unsigned lo = 0x80, hi = 0xBF;
		if (c < 0x80)
			need = 0;
		else if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else
			return false;
		if (i + need >= n)
			return false;
		for (size_t k = 1; k <= need; k++) {
			unsigned b = s[i + k];
			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
				return false;
		}
		i += need + 1;
	}
	if (nchars)
		*nchars = chars;
	return true;
}

void
sb_add_pybytes(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
	char q = sq && !dq ? '"' : '\'';
	sb_addc(sb, 'b');
	sb_addc(sb, q);
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c == (unsigned char)q || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\t')
			sb_adds(sb, "\\t");
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else if (c == '\r')
			sb_adds(sb, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			sb_addf(sb, "\\x%02x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_addc(sb, q);
}

/* Process output as the payload text: UTF-8, or Supervisor's fallback. */
static void
sb_add_text(struct strbuf *sb, const char *data, size_t n)
{
	if (utf8_check(data, n, NULL)) {
		sb_add(sb, data, n);
	} else {
		sb_adds(sb, "Undecodable: ");
		sb_add_pybytes(sb, data, n);
	}
}

/* ---- events ---- */

struct event *
event_ref(struct event *e)
{
	e->refs++;
	return e;
}

void
event_unref(struct event *e)
{
	if (!e || --e->refs > 0)
		return;
	for (int i = 0; i < e->nps; i++)
		free(e->ps[i].pool);
	free(e->ps);
	free(e->payload);
	free(e);
}

static struct supervisor *SV;

bool
events_wanted(const char *name)
{
	if (!SV)
		return false;
	for (int i = 0; i < SV->ngroups; i++) {
		struct procgroup *g = SV->groups[i];
		if (!g->pool)
			continue;
		for (int k = 0; k < g->cfg->nevents; k++)
			if (event_matches(g->cfg->events[k], name))
				return true;
	}
	return false;
}

void
events_notify(const char *name, const char *payload, size_t len)
{
	if (!SV)
		return;
	struct event *e = NULL;
	/* one acceptance per matching subscription, pools in the order they
	 * subscribed (the groups' order) */
	for (int i = 0; i < SV->ngroups; i++) {
		struct procgroup *g = SV->groups[i];
		if (!g->pool)
			continue;
		for (int k = 0; k < g->cfg->nevents; k++) {
			if (!event_matches(g->cfg->events[k], name))
				continue;
			if (!e) {
				e = xcalloc(1, sizeof(*e));
				e->refs = 1;
				e->name = name;
				e->payload = xstrndup(payload, len);
				e->len = len;
				if (!utf8_check(payload, len, &e->nchars))
					e->nchars = len;
				e->serial = -1;
			}
			pool_accept(g->pool, e, false);
		}
	}
	event_unref(e);
}

static void
notify_sb(const char *name, struct strbuf *sb)
{
	events_notify(name, sb->p ? sb->p : "", sb->len);
	sb_free(sb);
}

/* Names are static strings for the event's lifetime. */
static const char *
static_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (streq(types[i].name, name))
			return types[i].name;
	return "EVENT";
}

void
events_process_state(struct process *p, enum pstate old)
{
	char type[64];
	snprintf(type, sizeof type, "PROCESS_STATE_%s", pstate_name(p->state));
	const char *name = static_name(type);
	if (!events_wanted(name))
		return;
	struct strbuf sb = {0};
	int pid = (int)(p->exit_pid ? p->exit_pid : p->pid);
	sb_addf(&sb, "processname:%s groupname:%s from_state:%s", p->cfg->name, p->group->cfg->name, pstate_name(old));
	switch (p->state) {
	case PS_STARTING:
	case PS_BACKOFF:
		sb_addf(&sb, " tries:%d", p->backoff);
		break;
	case PS_RUNNING:
	case PS_STOPPING:
	case PS_STOPPED:
		sb_addf(&sb, " pid:%d", pid);
		break;
	case PS_EXITED:
		sb_addf(&sb, " expected:%d pid:%d", p->exit_expected ? 1 : 0, pid);
		break;
	default:
		break;
	}
	notify_sb(name, &sb);
}

void
events_process_output(struct process *p, bool is_stderr, bool comm, const char *data, size_t n)
{
	const char *name = comm ? (is_stderr ? "PROCESS_COMMUNICATION_STDERR" : "PROCESS_COMMUNICATION_STDOUT")
				: (is_stderr ? "PROCESS_LOG_STDERR" : "PROCESS_LOG_STDOUT");
	if (!events_wanted(name))
		return;
	struct strbuf sb = {0};
	sb_addf(&sb, "processname:%s groupname:%s pid:%d", p->cfg->name, p->group->cfg->name, (int)p->pid);
	if (!comm)
		sb_addf(&sb, " channel:%s", is_stderr ? "stderr" : "stdout");
	sb_addc(&sb, '\n');
	sb_add_text(&sb, data, n);
	notify_sb(name, &sb);
}

void
events_remote_comm(const char *type, size_t tlen, const char *data, size_t dlen)
{
	if (!events_wanted("REMOTE_COMMUNICATION"))
		return;
	struct strbuf sb = {0};
	sb_adds(&sb, "type:");
	sb_add(&sb, type, tlen);
	sb_addc(&sb, '\n');
	sb_add(&sb, data, dlen);
	notify_sb("REMOTE_COMMUNICATION", &sb);
}

void
events_supervisor_state(bool running)
{
	events_notify(running ? "SUPERVISOR_STATE_CHANGE_RUNNING" : "SUPERVISOR_STATE_CHANGE_STOPPING", "", 0);
}

void
events_group(const char *group, bool added)
{
	const char *name = added ? "PROCESS_GROUP_ADDED" : "PROCESS_GROUP_REMOVED";
	if (!events_wanted(name))
		return;
	struct strbuf sb = {0};
	sb_addf(&sb, "groupname:%s\n", group);
	notify_sb(name, &sb);
}

/* ---- TICK_5 / TICK_60 / TICK_3600 ----
 * A timer per period wakes the loop just after the next wall-clock
 * boundary, and only while some pool subscribes to that tick. */

static const int tick_periods[3] = {5, 60, 3600};
static const char *const tick_names[3] = {"TICK_5", "TICK_60", "TICK_3600"};
static struct timer tick_timers[3];
static long long tick_last[3];

static int64_t
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
timeslice(int period, int64_t ms)
{
	long long t = ms / 1000;
	return t - t % period;
}

static void
tick_arm(int i)
{
	int64_t now = wall_ms();
	int64_t next = ((long long)timeslice(tick_periods[i], now) + tick_periods[i]) * 1000;
	/* a little late rather than early: the slice must have changed */
	timer_arm(SV->loop, &tick_timers[i], loop_update_time(SV->loop) + (next - now) + 2);
}

static void
on_tick(struct loop *l, void *data)
{
	(void)l;
	int i = (int)(intptr_t)data;
	long long now = timeslice(tick_periods[i], wall_ms());
	if (now != tick_last[i]) {
		tick_last[i] = now;
		char buf[48];
		int n = snprintf(buf, sizeof buf, "when:%lld", now);
		events_notify(tick_names[i], buf, (size_t)n);
	}
	if (SV && events_wanted(tick_names[i]))
		tick_arm(i);
}

void
events_pools_changed(void)
{
	if (!SV)
		return;
	for (int i = 0; i < 3; i++) {
		bool want = events_wanted(tick_names[i]);
		if (want && !timer_armed(&tick_timers[i])) {
			tick_last[i] = timeslice(tick_periods[i], wall_ms());
			tick_arm(i);
		} else if (!want && timer_armed(&tick_timers[i])) {
			timer_cancel(SV->loop, &tick_timers[i]);
		}
	}
}

void
events_attach(struct supervisor *sv)
{
	SV = sv;
	for (int i = 0; i < 3; i++)
		timer_init(&tick_timers[i], on_tick, (void *)(intptr_t)i);
}

void
events_detach(void)
{
	if (!SV)
		return;
	for (int i = 0; i < 3; i++)
		timer_cancel(SV->loop, &tick_timers[i]);
	SV = NULL;
}
