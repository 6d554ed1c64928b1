#include "host.h"
#include "events.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rpcvalue.h"
#include "spawn.h"
#include "supervisor.h"
#include "util.h"

enum wait_kind { WAIT_RUNNING, WAIT_STOPPED };

/* A start/stop that answers when the process gets there. */
struct waiter {
	struct waiter *next;
	struct process *p;
	enum wait_kind kind;
	sup_done_fn done;
	void *ud;
};

struct ptimer {
	struct ptimer *next;
	struct timer t;
	uint64_t id;
	sup_plugin *owner;
	void (*cb)(void *);
	void *ud;
};

struct subscription {
	struct subscription *next;
	sup_plugin *owner;
	char *type;
	sup_event_fn cb;
	void *ud;
};

struct pwatch {
	struct pwatch *next;
	sup_plugin *owner;
	int fd;
	sup_fd_fn cb;
	void *ud;
};

static struct {
	struct loop *loop; /* set before plugins load: timers work in init() */
	struct supervisor *sv;
	struct waiter *waiters;
	struct ptimer *timers;
	uint64_t next_timer_id;
	struct subscription *subs;
	struct pwatch *watches;
	struct timer deferred_mood; /* shutdown/restart after the reply went out */
	enum mood pending_mood;
} H;

/* ---- lookup ---- */

static struct procgroup *
find_group(const char *name, size_t len)
{
	for (int i = 0; i < H.sv->ngroups; i++)
		if (strlen(H.sv->groups[i]->cfg->name) == len && !strncmp(H.sv->groups[i]->cfg->name, name, len))
			return H.sv->groups[i];
	return NULL;
}

static struct process *
find_in_group(struct procgroup *g, const char *name)
{
	for (int k = 0; k < g->nprocs; k++)
		if (streq(g->procs[k].cfg->name, name))
			return &g->procs[k];
	return NULL;
}

/* "g:p" or "p" (group and process of one name); NULL for the group forms
 * and unknown names. */
static struct process *
find_process(const char *namespec)
{
	if (!H.sv || !namespec)
		return NULL;
	const char *colon = strchr(namespec, ':');
	if (!colon) {
		struct procgroup *g = find_group(namespec, strlen(namespec));
		return g ? find_in_group(g, namespec) : NULL;
	}
	struct procgroup *g = find_group(namespec, (size_t)(colon - namespec));
	if (!g || !colon[1] || streq(colon + 1, "*"))
		return NULL;
	return find_in_group(g, colon + 1);
}

/* ---- process info (rpc.md 7.1) ---- */

static char *
describe(const struct process *p, time_t now)
{
	switch (p->state) {
	case PS_RUNNING: {
		long long up = (long long)now - (long long)p->laststart;
		if (up < 0)
			up = 0;
		long long days = up / 86400, rest = up % 86400;
		char hms[32];
		snprintf(hms, sizeof hms, "%lld:%02lld:%02lld", rest / 3600, rest % 3600 / 60, rest % 60);
		if (days)
			return xasprintf("pid %d, uptime %lld day%s, %s", (int)p->pid, days, days == 1 ? "" : "s", hms);
		return xasprintf("pid %d, uptime %s", (int)p->pid, hms);
	}
	case PS_BACKOFF:
	case PS_FATAL:
		if (p->spawnerr && *p->spawnerr)
			return xstrdup(p->spawnerr);
		return xasprintf("unknown error (try \"tail %s\")", p->cfg->name);
	case PS_STOPPED:
	case PS_EXITED: {
		if (!p->laststart)
			return xstrdup("Not started");
		static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
						     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
		struct tm tm;
		time_t when = p->laststop;
		localtime_r(&when, &tm);
		int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return xasprintf("%s %02d %02d:%02d %s", months[tm.tm_mon], tm.tm_mday, h12, tm.tm_min,
				 tm.tm_hour < 12 ? "AM" : "PM");
	}
	default:
		return xstrdup("");
	}
}

/* A string node made once and shared (rv_ref) by every reply using it:
 * getAllProcessInfo repeats the same names, paths and state names. */
static sup_value *
shared_str(sup_value **slot, const char *s)
{
	if (!*slot)
		*slot = rv_cstr(s);
	return rv_ref(*slot);
}

static int
state_slot(enum pstate s)
{
	static const enum pstate all[] = {PS_STOPPED, PS_STARTING, PS_RUNNING, PS_BACKOFF,
					  PS_STOPPING, PS_EXITED, PS_FATAL, PS_UNKNOWN};
	for (int i = 0; i < 8; i++)
		if (all[i] == s)
			return i;
	return 7;
}

static sup_value *
info_struct(struct process *p, time_t now)
{
	static sup_value *statenames[8], *empty;
	sup_value *st = rv_struct();
	char *desc = describe(p, now);
	sup_value **c = p->rpc_strings;
	rv_put_literal(st, "name", shared_str(&c[0], p->cfg->name));
	rv_put_literal(st, "group", shared_str(&c[1], p->group->cfg->name));
	rv_put_literal(st, "description", rv_cstr(desc));
	rv_put_literal(st, "start", rv_int((int64_t)p->laststart));
	rv_put_literal(st, "stop", rv_int((int64_t)p->laststop));
	rv_put_literal(st, "now", rv_int((int64_t)now));
	rv_put_literal(st, "state", rv_int(p->state));
	rv_put_literal(st, "statename", shared_str(&statenames[state_slot(p->state)], pstate_name(p->state)));
	rv_put_literal(st, "spawnerr", p->spawnerr ? rv_cstr(p->spawnerr) : shared_str(&empty, ""));
	rv_put_literal(st, "exitstatus", rv_int(p->exitstatus));
	rv_put_literal(st, "logfile", shared_str(&c[2], p->out.path ? p->out.path : ""));
	rv_put_literal(st, "stdout_logfile", shared_str(&c[2], p->out.path ? p->out.path : ""));
	rv_put_literal(st, "stderr_logfile", shared_str(&c[3], p->err.path ? p->err.path : ""));
	rv_put_literal(st, "pid", rv_int(p->pid));
	free(desc);
	return st;
}

static int
cmp_by_names(const void *a, const void *b)
{
	const struct process *x = *(struct process *const *)a, *y = *(struct process *const *)b;
	int c = strcmp(x->group->cfg->name, y->group->cfg->name);
	return c ? c : strcmp(x->cfg->name, y->cfg->name);
}

sup_value *
host_proc_list(void)
{
	sup_value *a = rv_array();
	if (!H.sv)
		return a;
	int n = 0;
	for (int i = 0; i < H.sv->ngroups; i++)
		n += H.sv->groups[i]->nprocs;
	struct process **all = xcalloc((size_t)n + 1, sizeof(*all));
	n = 0;
	for (int i = 0; i < H.sv->ngroups; i++)
		for (int k = 0; k < H.sv->groups[i]->nprocs; k++)
			all[n++] = &H.sv->groups[i]->procs[k];
	if (n > 1)
		qsort(all, (size_t)n, sizeof(*all), cmp_by_names);
	time_t now = time(NULL);
	for (int i = 0; i < n; i++)
		rv_push(a, info_struct(all[i], now));
	free(all);
	return a;
}

sup_value *
host_proc_info(const char *namespec)
{
	struct process *p = find_process(namespec);
	if (!p) {
		errno = ENOENT;
		return NULL;
	}
	return info_struct(p, time(NULL));
}

static int
cmp_priority(const void *a, const void *b)
{
	const struct process *x = *(struct process *const *)a, *y = *(struct process *const *)b;
	if (x->cfg->priority != y->cfg->priority)
		return x->cfg->priority < y->cfg->priority ? -1 : 1;
	return x < y ? -1 : x > y; /* config order */
}

static void
push_group_by_priority(sup_value *a, struct procgroup *g)
{
	struct process **order = xcalloc((size_t)g->nprocs + 1, sizeof(*order));
	for (int k = 0; k < g->nprocs; k++)
		order[k] = &g->procs[k];
	if (g->nprocs > 1)
		qsort(order, (size_t)g->nprocs, sizeof(*order), cmp_priority);
	for (int k = 0; k < g->nprocs; k++) {
		char *spec = xasprintf("%s:%s", g->cfg->name, order[k]->cfg->name);
		rv_push(a, rv_cstr(spec));
		free(spec);
	}
	free(order);
}

sup_value *
host_proc_select(const char *namespec)
{
	if (!H.sv)
		return NULL;
	sup_value *a = rv_array();
	if (!namespec || !*namespec) { /* everything: groups in order, then priority */
		for (int i = 0; i < H.sv->ngroups; i++)
			push_group_by_priority(a, H.sv->groups[i]);
		return a;
	}
	const char *colon = strchr(namespec, ':');
	struct procgroup *g = find_group(namespec, colon ? (size_t)(colon - namespec) : strlen(namespec));
	if (g && (!colon || !colon[1] || streq(colon + 1, "*"))) {
		push_group_by_priority(a, g);
		return a;
	}
	struct process *p = find_process(namespec);
	if (!p) {
		rv_unref(a);
		errno = ENOENT;
		return NULL;
	}
	char *spec = xasprintf("%s:%s", p->group->cfg->name, p->cfg->name);
	rv_push(a, rv_cstr(spec));
	free(spec);
	return a;
}

/* ---- start / stop with waiting ---- */

static void
add_waiter(struct process *p, enum wait_kind kind, sup_done_fn done, void *ud)
{
	struct waiter *w = xcalloc(1, sizeof(*w));
	*w = (struct waiter){H.waiters, p, kind, done, ud};
	H.waiters = w;
}

/* What a waiter for this process answers now, or -1 to keep waiting. */
static int
waiter_verdict(const struct waiter *w, const char **detail)
{
	const struct process *p = w->p;
	*detail = p->cfg->name;
	if (w->kind == WAIT_STOPPED)
		return pstate_is_stopped(p->state) ? 0 : -1;
	if (p->spawnerr && p->state != PS_RUNNING)
		return SUP_FAULT_SPAWN_ERROR;
	if (p->state == PS_RUNNING)
		return 0;
	if (p->state != PS_STARTING)
		return SUP_FAULT_ABNORMAL_TERMINATION;
	return -1;
}

int
host_proc_start(const char *namespec, bool wait, sup_done_fn done, void *ud)
{
	struct process *p = find_process(namespec);
	if (!p) {
		done(SUP_FAULT_BAD_NAME, namespec, ud);
		return SUP_OK;
	}
	struct strv argv = {0};
	char *filename = NULL, *msg = NULL;
	enum command_error ce = command_resolve(p->cfg->command, &p->cfg->environment, &argv, &filename, &msg);
	strv_free(&argv);
	free(filename);
	if (ce != CMD_OK) {
		done(ce == CMD_NOT_FOUND ? SUP_FAULT_NO_FILE : SUP_FAULT_NOT_EXECUTABLE, msg, ud);
		free(msg);
		return SUP_OK;
	}
	if (pstate_is_running(p->state)) {
		done(SUP_FAULT_ALREADY_STARTED, p->cfg->name, ud);
		return SUP_OK;
	}
	if (p->state == PS_UNKNOWN) {
		char *m = xasprintf("%s is in an unknown process state", p->cfg->name);
		done(SUP_FAULT_FAILED, m, ud);
		free(m);
		return SUP_OK;
	}
	process_start(p);
	supervisor_reap(H.sv);    /* a child that failed at once is seen now */
	process_check_started(p); /* startsecs=0: RUNNING before we answer */
	if (p->spawnerr && p->state != PS_RUNNING && p->state != PS_STARTING) {
		done(SUP_FAULT_SPAWN_ERROR, p->cfg->name, ud);
		return SUP_OK;
	}
	if (!wait || p->state == PS_RUNNING) {
		done(0, NULL, ud);
		return SUP_OK;
	}
	if (p->state != PS_STARTING) { /* STOPPING: spawn only warned */
		done(SUP_FAULT_ABNORMAL_TERMINATION, p->cfg->name, ud);
		return SUP_OK;
	}
	add_waiter(p, WAIT_RUNNING, done, ud);
	return SUP_OK;
}

int
host_proc_stop(const char *namespec, bool wait, sup_done_fn done, void *ud)
{
	struct process *p = find_process(namespec);
	if (!p) {
		done(SUP_FAULT_BAD_NAME, namespec, ud);
		return SUP_OK;
	}
	if (!pstate_is_running(p->state)) {
		done(SUP_FAULT_NOT_RUNNING, p->cfg->name, ud);
		return SUP_OK;
	}
	const char *msg = NULL;
	if (process_stop(p, &msg) < 0 && msg) {
		done(SUP_FAULT_FAILED, msg, ud);
		return SUP_OK;
	}
	if (!wait || pstate_is_stopped(p->state)) {
		done(0, NULL, ud);
		return SUP_OK;
	}
	add_waiter(p, WAIT_STOPPED, done, ud);
	return SUP_OK;
}

static void
run_waiters(struct process *p)
{
	struct waiter **link = &H.waiters;
	while (*link) {
		struct waiter *w = *link;
		const char *detail;
		int verdict = w->p == p ? waiter_verdict(w, &detail) : -1;
		if (verdict < 0) {
			link = &w->next;
			continue;
		}
		*link = w->next;
		w->done(verdict, verdict ? detail : NULL, w->ud);
		free(w);
		link = &H.waiters; /* done() may have added or removed waiters */
	}
}

/* ---- events for subscribers ---- */

static bool
subscribed(const char *sub, const char *type)
{
	return streq(sub, "EVENT") || streq(sub, type) ||
	       (str_starts(type, sub) && type[strlen(sub)] == '_' && streq(sub, "PROCESS_STATE"));
}

void
host_process_changed(struct process *p, enum pstate old)
{
	run_waiters(p);
	if (!H.subs)
		return;
	char type[64];
	snprintf(type, sizeof type, "PROCESS_STATE_%s", pstate_name(p->state));
	sup_value *payload = rv_struct();
	rv_put(payload, "processname", rv_cstr(p->cfg->name));
	rv_put(payload, "groupname", rv_cstr(p->group->cfg->name));
	rv_put(payload, "from_state", rv_cstr(pstate_name(old)));
	rv_put(payload, "pid", rv_int(p->pid));
	rv_put(payload, "tries", rv_int(p->backoff));
	for (struct subscription *s = H.subs; s; s = s->next)
		if (subscribed(s->type, type))
			s->cb(type, payload, s->ud);
	rv_unref(payload);
}

int
host_subscribe(sup_plugin *p, const char *event_type, sup_event_fn cb, void *ud)
{
	struct subscription *s = xcalloc(1, sizeof(*s));
	*s = (struct subscription){H.subs, p, xstrdup(event_type), cb, ud};
	H.subs = s;
	return SUP_OK;
}

/* ---- timers ---- */

static void
ptimer_fire(struct loop *l, void *data)
{
	(void)l;
	struct ptimer *t = data;
	for (struct ptimer **link = &H.timers; *link; link = &(*link)->next)
		if (*link == t) {
			*link = t->next;
			break;
		}
	t->cb(t->ud);
	free(t);
}

int
host_timer_add(sup_plugin *p, unsigned ms, void (*cb)(void *), void *ud, uint64_t *id)
{
	if (!H.loop)
		return SUP_ERR;
	struct ptimer *t = xcalloc(1, sizeof(*t));
	t->id = ++H.next_timer_id;
	t->owner = p;
	t->cb = cb;
	t->ud = ud;
	timer_init(&t->t, ptimer_fire, t);
	timer_arm(H.loop, &t->t, loop_now(H.loop) + ms);
	t->next = H.timers;
	H.timers = t;
	if (id)
		*id = t->id;
	return SUP_OK;
}

int
host_timer_del(sup_plugin *p, uint64_t id)
{
	/* ids are small sequential numbers: a plugin may only delete its own */
	for (struct ptimer **link = &H.timers; *link; link = &(*link)->next)
		if ((*link)->id == id && (*link)->owner == p) {
			struct ptimer *t = *link;
			*link = t->next;
			timer_cancel(H.loop, &t->t);
			free(t);
			return SUP_OK;
		}
	return SUP_ERR;
}

/* ---- fd watches ---- */

static void
pwatch_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	struct pwatch *w = data;
	int revents = (events & EPOLLIN ? SUP_FD_READ : 0) | (events & EPOLLOUT ? SUP_FD_WRITE : 0) |
		      (events & (EPOLLERR | EPOLLHUP) ? SUP_FD_ERROR : 0);
	w->cb(fd, revents, w->ud); /* it may unwatch, and so free w */
}

static uint32_t
epoll_events(int events)
{
	return (events & SUP_FD_READ ? EPOLLIN : 0) | (events & SUP_FD_WRITE ? EPOLLOUT : 0);
}

static struct pwatch **
find_watch(int fd)
{
	struct pwatch **link = &H.watches;
	while (*link && (*link)->fd != fd)
		link = &(*link)->next;
	return link;
}

int
host_fd_watch(sup_plugin *p, int fd, int events, sup_fd_fn cb, void *ud)
{
	if (!H.loop || fd < 0 || !cb || (events & ~(SUP_FD_READ | SUP_FD_WRITE | SUP_FD_ERROR))) {
		errno = EINVAL;
		return SUP_ERR;
	}
	struct pwatch *w = *find_watch(fd);
	if (w && w->owner != p) {
		errno = EEXIST;
		return SUP_ERR;
	}
	if (w) {
		if (loop_mod_fd(H.loop, fd, epoll_events(events)) < 0)
			return SUP_ERR;
		w->cb = cb;
		w->ud = ud;
		return SUP_OK;
	}
	w = xcalloc(1, sizeof(*w));
	*w = (struct pwatch){H.watches, p, fd, cb, ud};
	/* the daemon's own fds are in the epoll set already: EEXIST */
	if (loop_add_fd(H.loop, fd, epoll_events(events), pwatch_ready, w) < 0) {
		int e = errno;
		free(w);
		errno = e;
		return SUP_ERR;
	}
	H.watches = w;
	return SUP_OK;
}

int
host_fd_unwatch(sup_plugin *p, int fd)
{
	struct pwatch **link = find_watch(fd);
	struct pwatch *w = *link;
	if (!w || w->owner != p) {
		errno = ENOENT;
		return SUP_ERR;
	}
	*link = w->next;
	loop_del_fd(H.loop, fd);
	free(w);
	return SUP_OK;
}

/* Timers, subscriptions and fd watches of owner (NULL: everyone's). */
static void
drop_owned(sup_plugin *owner)
{
	for (struct ptimer **link = &H.timers; *link;) {
		struct ptimer *t = *link;
		if (owner && t->owner != owner) {
			link = &t->next;
			continue;
		}
		*link = t->next;
		timer_cancel(H.loop, &t->t);
		free(t);
	}
	for (struct subscription **link = &H.subs; *link;) {
		struct subscription *sub = *link;
		if (owner && sub->owner != owner) {
			link = &sub->next;
			continue;
		}
		*link = sub->next;
		free(sub->type);
		free(sub);
	}
	for (struct pwatch **link = &H.watches; *link;) {
		struct pwatch *w = *link;
		if (owner && w->owner != owner) {
			link = &w->next;
			continue;
		}
		*link = w->next;
		loop_del_fd(H.loop, w->fd);
		free(w);
	}
}

void
host_drop_owner(sup_plugin *p)
{
	drop_owned(p);
}

int
host_hook_count(void)
{
	int n = 0;
	for (struct ptimer *t = H.timers; t; t = t->next)
		n++;
	for (struct subscription *sub = H.subs; sub; sub = sub->next)
		n++;
	for (struct pwatch *w = H.watches; w; w = w->next)
		n++;
	return n;
}

/* ---- signals, stdin, logs ---- */

int
host_proc_signal(const char *namespec, int signo, const char **detail)
{
	static char buf[256];
	struct process *p = find_process(namespec);
	*detail = namespec;
	if (!p)
		return SUP_FAULT_BAD_NAME;
	*detail = p->cfg->name;
	if (p->state != PS_RUNNING && p->state != PS_STARTING && p->state != PS_STOPPING)
		return SUP_FAULT_NOT_RUNNING;
	log_debug("sending %s (pid %d) sig SIG%s", p->cfg->name, (int)p->pid,
		  signal_name(signo) ? signal_name(signo) : "?");
	if (kill(p->pid, signo) < 0 && errno != ESRCH) {
		snprintf(buf, sizeof buf, "%s", strerror(errno));
		*detail = buf;
		return SUP_FAULT_FAILED;
	}
	return 0;
}

int
host_proc_stdin(const char *namespec, const char *data, size_t len, const char **detail)
{
	struct process *p = find_process(namespec);
	*detail = namespec;
	if (!p)
		return SUP_FAULT_BAD_NAME;
	*detail = p->cfg->name;
	if (!p->pid || p->killing)
		return SUP_FAULT_NOT_RUNNING;
	if (process_send_stdin(p, data, len) < 0)
		return SUP_FAULT_NO_FILE;
	return 0;
}

int
host_proc_clear_logs(const char *namespec, const char **detail)
{
	struct process *p = find_process(namespec);
	*detail = namespec;
	if (!p)
		return SUP_FAULT_BAD_NAME;
	*detail = p->cfg->name;
	return process_clear_logs(p) < 0 ? SUP_FAULT_FAILED : 0;
}

char *
host_log_path(const char *namespec, const char *channel, int *fault)
{
	*fault = 0;
	if (!namespec) {
		const char *path = log_path();
		/* Supervisor keeps "syslog" as the log file's name and looks for
		 * it like a path: readLog answers NO_FILE: syslog */
		if (!path && log_to_syslog())
			path = "syslog";
		if (!path)
			*fault = SUP_FAULT_NO_FILE;
		return path ? xstrdup(path) : NULL;
	}
	struct process *p = find_process(namespec);
	if (!p) {
		*fault = SUP_FAULT_BAD_NAME;
		return NULL;
	}
	const char *path = channel && streq(channel, "stderr") ? p->err.path : p->out.path;
	if (!path)
		*fault = SUP_FAULT_NO_FILE;
	return path ? xstrdup(path) : NULL;
}

int
host_main_log_clear(const char **detail)
{
	const char *path = log_path();
	*detail = path ? path : "";
	if (!path || access(path, F_OK) < 0)
		return SUP_FAULT_NO_FILE;
	if (unlink(path) < 0)
		return SUP_FAULT_FAILED;
	log_info("reopening log file");
	log_reopen();
	return 0;
}

/* ---- the daemon ---- */

int host_daemon_state(void) { return H.sv ? (int)H.sv->mood : MOOD_SHUTDOWN; }
int host_daemon_pid(void) { return (int)getpid(); }
const char *host_daemon_identifier(void) { return H.sv ? H.sv->cfg->sd.identifier : "supervisor"; }

static void
apply_mood(struct loop *l, void *data)
{
	(void)l;
	(void)data;
	if (H.sv)
		supervisor_shutdown(H.sv, H.pending_mood);
}

/* The reply is written in this loop turn; the stop begins in the next. */
static void
later_mood(enum mood mood)
{
	if (!H.sv)
		return;
	H.pending_mood = mood;
	timer_arm(H.sv->loop, &H.deferred_mood, loop_now(H.sv->loop));
}

void host_daemon_shutdown(void) { later_mood(MOOD_SHUTDOWN); }
void host_daemon_restart(void) { later_mood(MOOD_RESTARTING); }

static sup_value *
names_array(struct strv *sv)
{
	sup_value *a = rv_array();
	for (size_t i = 0; i < sv->n; i++)
		rv_push(a, rv_cstr(sv->v[i]));
	strv_free(sv);
	return a;
}

sup_value *
host_config_reread(const char **detail)
{
	static char *last_err;
	struct strv added = {0}, changed = {0}, removed = {0};
	free(last_err);
	last_err = NULL;
	if (!H.sv || supervisor_reread(H.sv, &added, &changed, &removed, &last_err) < 0) {
		*detail = last_err ? last_err : "";
		return NULL;
	}
	sup_value *inner = rv_array();
	rv_push(inner, names_array(&added));
	rv_push(inner, names_array(&changed));
	rv_push(inner, names_array(&removed));
	return inner;
}

int
host_group_add(const char *name, const char **detail)
{
	*detail = name;
	return H.sv ? supervisor_add_group(H.sv, name) : SUP_FAULT_SHUTDOWN_STATE;
}

int
host_group_remove(const char *name, const char **detail)
{
	*detail = name;
	return H.sv ? supervisor_remove_group(H.sv, name) : SUP_FAULT_SHUTDOWN_STATE;
}

sup_value *
host_config_info(void)
{
	sup_value *a = rv_array();
	if (!H.sv)
		return a;
	const struct config *cfg = H.sv->lastcfg;
	for (int i = 0; i < cfg->ngroups; i++) {
		const struct group_config *g = &cfg->groups[i];
		struct procgroup *running = supervisor_find_group(H.sv, g->name);
		for (int k = 0; k < g->nprocs; k++) {
			const struct process_config *pc = &g->procs[k];
			/* an AUTO log has its name once its group is in use */
			struct process *proc = running ? find_in_group(running, pc->name) : NULL;
			sup_value *st = rv_struct();
			rv_put(st, "name", rv_cstr(pc->name));
			rv_put(st, "group", rv_cstr(g->name));
			rv_put(st, "inuse", rv_bool(running != NULL));
			rv_put(st, "autostart", rv_bool(pc->autostart));
			rv_put(st, "command", rv_cstr(pc->command));
			rv_put(st, "directory", rv_cstr(pc->directory ? pc->directory : "none"));
			rv_put(st, "uid", pc->has_uid ? rv_int(pc->uid) : rv_cstr("none"));
			rv_put(st, "serverurl", rv_cstr(pc->serverurl ? pc->serverurl : "none"));
			sup_value *codes = rv_array();
			for (int e = 0; e < pc->exitcodes.n; e++)
				rv_push(codes, rv_int(pc->exitcodes.codes[e]));
			rv_put(st, "exitcodes", codes);
			rv_put(st, "group_prio", rv_int(g->priority));
			rv_put(st, "process_prio", rv_int(pc->priority));
			rv_put(st, "killasgroup", rv_bool(pc->killasgroup));
			rv_put(st, "redirect_stderr", rv_bool(pc->redirect_stderr));
			rv_put(st, "startretries", rv_int(pc->startretries));
			rv_put(st, "startsecs", rv_int(pc->startsecs));
			rv_put(st, "stopsignal", rv_int(pc->stopsignal));
			rv_put(st, "stopwaitsecs", rv_int(pc->stopwaitsecs));
			const struct stream_config *streams[2] = {&pc->out, &pc->err};
			static const char *const names[2] = {"stdout", "stderr"};
			for (int s = 0; s < 2; s++) {
				char key[64];
				const struct stream_config *sc = streams[s];
				snprintf(key, sizeof key, "%s_logfile", names[s]);
				const char *auto_path = proc ? (s ? proc->err.path : proc->out.path) : NULL;
				rv_put(st, key, rv_cstr(sc->dest == LOGDEST_FILE ? sc->logfile
							: sc->dest == LOGDEST_AUTO ? (auto_path ? auto_path : "auto") : "none"));
				snprintf(key, sizeof key, "%s_logfile_backups", names[s]);
				rv_put(st, key, rv_int(sc->logfile_backups));
				snprintf(key, sizeof key, "%s_logfile_maxbytes", names[s]);
				rv_put(st, key, rv_int(sc->logfile_maxbytes));
				snprintf(key, sizeof key, "%s_capture_maxbytes", names[s]);
				rv_put(st, key, rv_int(sc->capture_maxbytes));
				snprintf(key, sizeof key, "%s_events_enabled", names[s]);
				rv_put(st, key, rv_bool(sc->events_enabled));
				snprintf(key, sizeof key, "%s_syslog", names[s]);
				rv_put(st, key, rv_bool(sc->syslog));
			}
			rv_push(a, st);
		}
	}
	return a;
}

void
host_set_loop(struct loop *loop)
{
	H.loop = loop;
}

void
host_attach(struct supervisor *sv)
{
	H.sv = sv;
	timer_init(&H.deferred_mood, apply_mood, NULL);
}

void
host_detach(void)
{
	while (H.waiters) {
		struct waiter *w = H.waiters;
		H.waiters = w->next;
		w->done(SUP_FAULT_FAILED, "supervisord is stopping", w->ud);
		free(w);
	}
	drop_owned(NULL);
	if (H.sv)
		timer_cancel(H.sv->loop, &H.deferred_mood);
	H.sv = NULL;
}

/* ---- events ---- */

int
host_event_remote_comm(const char *type, const char *data, size_t len)
{
	events_remote_comm(type, strlen(type), data, len);
	return SUP_OK;
}
