#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "events.h"
#include "fcgisock.h"
#include "host.h"
#include "listener.h"
#include "log.h"
#include "util.h"

#include <csupervisor/plugin.h>

/* Shutdown progress is reported at most this often. */
#define WAITING_REPORT_MS 3000

/* ---- pid table: open addressing, so reaping is O(1) per child ---- */

static size_t
pid_hash(pid_t pid, size_t cap)
{
	return ((size_t)pid * 2654435761u) & (cap - 1);
}

static void
pid_table_grow(struct supervisor *sv)
{
	size_t oldcap = sv->npids_cap;
	struct pid_slot *old = sv->pids;
	sv->npids_cap = oldcap ? oldcap * 2 : 64;
	sv->pids = xcalloc(sv->npids_cap, sizeof(*sv->pids));
	sv->npids_used = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].pid > 0)
			pid_table_set(sv, old[i].pid, old[i].p);
	free(old);
}

void
pid_table_set(struct supervisor *sv, pid_t pid, struct process *p)
{
	if ((sv->npids_used + 1) * 2 > sv->npids_cap)
		pid_table_grow(sv);
	size_t i = pid_hash(pid, sv->npids_cap);
	while (sv->pids[i].pid > 0 && sv->pids[i].pid != pid)
		i = (i + 1) & (sv->npids_cap - 1);
	if (sv->pids[i].pid <= 0)
		sv->npids_used++;
	sv->pids[i] = (struct pid_slot){pid, p};
}

static struct pid_slot *
pid_table_find(struct supervisor *sv, pid_t pid)
{
	if (!sv->npids_cap)
		return NULL;
	size_t i = pid_hash(pid, sv->npids_cap);
	while (sv->pids[i].pid != 0) {
		if (sv->pids[i].pid == pid)
			return &sv->pids[i];
		i = (i + 1) & (sv->npids_cap - 1);
	}
	return NULL;
}

void
pid_table_del(struct supervisor *sv, pid_t pid)
{
	struct pid_slot *s = pid_table_find(sv, pid);
	if (s)
		*s = (struct pid_slot){-1, NULL}; /* a tombstone keeps probe chains intact */
}

/* ---- groups ---- */

static void on_waiting_report(struct loop *l, void *data);

static struct process_config *const *cmp_base;

static int
cmp_config_name(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(cmp_base[x]->name, cmp_base[y]->name);
	return c ? c : x - y;
}

/* Supervisor keeps a group's processes in a dict by name: of two configs
 * with one name, the process sits at the first's place with the later's
 * config. Returns the configs to build, in order (caller frees). */
static struct process_config **
unique_configs(struct group_config *gc, int *n)
{
	struct process_config **all = xcalloc((size_t)gc->nprocs + 1, sizeof(*all));
	int *idx = xcalloc((size_t)gc->nprocs + 1, sizeof(*idx));
	for (int i = 0; i < gc->nprocs; i++) {
		all[i] = &gc->procs[i];
		idx[i] = i;
	}
	cmp_base = all;
	if (gc->nprocs > 1)
		qsort(idx, (size_t)gc->nprocs, sizeof(*idx), cmp_config_name);
	for (int i = 0; i < gc->nprocs;) {
		int j = i + 1;
		while (j < gc->nprocs && streq(all[idx[i]]->name, all[idx[j]]->name))
			j++;
		if (j - i > 1) {
			all[idx[i]] = all[idx[j - 1]];
			for (int k = i + 1; k < j; k++)
				all[idx[k]] = NULL;
		}
		i = j;
	}
	*n = 0;
	for (int i = 0; i < gc->nprocs; i++)
		if (all[i])
			all[(*n)++] = all[i];
	free(idx);
	return all;
}

static bool group_all_stopped(const struct procgroup *g);
static void shutdown_progress(struct supervisor *sv);

static void
on_progress(struct loop *l, void *data)
{
	(void)l;
	shutdown_progress(data);
}

static void
on_group_autostart(struct loop *l, void *data)
{
	(void)l;
	struct procgroup *g = data;
	for (int k = 0; k < g->nprocs; k++)
		process_autostart(&g->procs[k]);
}

static struct procgroup *
group_new(struct supervisor *sv, struct config *origin, struct group_config *gc)
{
	struct procgroup *g = xcalloc(1, sizeof(*g));
	g->cfg = gc;
	g->origin = config_ref(origin);
	timer_init(&g->autostart, on_group_autostart, g);
	if (gc->kind == GROUP_FCGI) {
		g->fcgi = xcalloc(1, sizeof(*g->fcgi));
		fcgi_socket_init(g->fcgi, &gc->socket);
	}
	struct process_config **pcs = unique_configs(gc, &g->nprocs);
	g->procs = xcalloc((size_t)g->nprocs + 1, sizeof(*g->procs));
	for (int k = 0; k < g->nprocs; k++)
		process_init(&g->procs[k], sv, g, pcs[k]);
	free(pcs);
	if (gc->kind == GROUP_EVENTLISTENER)
		g->pool = pool_new(sv, g);
	return g;
}

static void
group_free(struct procgroup *g)
{
	pool_free(g->pool);
	g->pool = NULL;
	for (int k = 0; k < g->nprocs; k++)
		process_destroy(&g->procs[k]);
	free(g->procs);
	if (g->fcgi) {
		fcgi_socket_destroy(g->fcgi);
		free(g->fcgi);
	}
	config_unref(g->origin);
	free(g);
}

/* Groups run in (priority, name) order; one added later goes after the
 * groups of its priority already there, as Supervisor's list does. */
static void
insert_group(struct supervisor *sv, struct procgroup *g)
{
	sv->groups = xrealloc(sv->groups, (size_t)(sv->ngroups + 1) * sizeof(*sv->groups));
	int i = sv->ngroups;
	while (i > 0 && sv->groups[i - 1]->cfg->priority > g->cfg->priority) {
		sv->groups[i] = sv->groups[i - 1];
		i--;
	}
	sv->groups[i] = g;
	sv->ngroups++;
}

void
supervisor_init(struct supervisor *sv, struct loop *loop, struct config *cfg)
{
	extern char **environ;
	*sv = (struct supervisor){.loop = loop, .cfg = cfg, .mood = MOOD_RUNNING, .environ = environ};
	timer_init(&sv->waiting_report, on_waiting_report, sv);
	timer_init(&sv->progress, on_progress, sv);
	sv->lastcfg = config_ref(cfg);
	events_attach(sv);
	for (int i = 0; i < cfg->ngroups; i++) {
		insert_group(sv, group_new(sv, cfg, &cfg->groups[i]));
		events_group(cfg->groups[i].name, true);
	}
}

int
supervisor_check_fcgi(const struct config *cfg, char **err)
{
	for (int i = 0; i < cfg->ngroups; i++)
		if (cfg->groups[i].kind == GROUP_FCGI && fcgi_socket_check(&cfg->groups[i].socket, err) < 0)
			return -1;
	return 0;
}

struct procgroup *
supervisor_find_group(struct supervisor *sv, const char *name)
{
	for (int i = 0; i < sv->ngroups; i++)
		if (streq(sv->groups[i]->cfg->name, name))
			return sv->groups[i];
	return NULL;
}

static struct group_config *
find_group_config(struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->ngroups; i++)
		if (streq(cfg->groups[i].name, name))
			return &cfg->groups[i];
	return NULL;
}

int
supervisor_reread(struct supervisor *sv, struct strv *added, struct strv *changed, struct strv *removed, char **err)
{
	struct config *fresh = config_load_daemon(sv->cfg->path, NULL, err);
	if (!fresh)
		return -1;
	config_unref(sv->lastcfg);
	sv->lastcfg = fresh;
	for (int i = 0; i < fresh->ngroups; i++) {
		struct procgroup *g = supervisor_find_group(sv, fresh->groups[i].name);
		if (!g)
			strv_push(added, xstrdup(fresh->groups[i].name));
		else if (!group_config_equal(g->cfg, &fresh->groups[i]))
			strv_push(changed, xstrdup(fresh->groups[i].name));
	}
	for (int i = 0; i < sv->ngroups; i++)
		if (!find_group_config(fresh, sv->groups[i]->cfg->name))
			strv_push(removed, xstrdup(sv->groups[i]->cfg->name));
	return 0;
}


int
supervisor_add_group(struct supervisor *sv, const char *name)
{
	if (supervisor_find_group(sv, name))
		return SUP_FAULT_ALREADY_ADDED;
	struct group_config *gc = find_group_config(sv->lastcfg, name);
	if (!gc)
		return SUP_FAULT_BAD_NAME;
	/* Supervisor makes the socket once when it makes the group; the
	 * daemon's first groups were checked by supervisor_check_fcgi */
	char *err = NULL;
	if (gc->kind == GROUP_FCGI && fcgi_socket_check(&gc->socket, &err) < 0) {
		log_error("%s", err);
		free(err);
		return SUP_FAULT_FAILED;
	}
	struct procgroup *g = group_new(sv, sv->lastcfg, gc);
	insert_group(sv, g);
	events_group(name, true);
	events_pools_changed();
	/* autostart on the next loop turn, after the reply */
	timer_arm(sv->loop, &g->autostart, loop_now(sv->loop));
	return 0;
}

int
supervisor_remove_group(struct supervisor *sv, const char *name)
{
	int i;
	for (i = 0; i < sv->ngroups && !streq(sv->groups[i]->cfg->name, name); i++)
		;
	if (i == sv->ngroups)
		return SUP_FAULT_BAD_NAME;
	struct procgroup *g = sv->groups[i];
	if (!group_all_stopped(g))
		return SUP_FAULT_STILL_RUNNING;
	timer_cancel(sv->loop, &g->autostart);
	memmove(sv->groups + i, sv->groups + i + 1, (size_t)(sv->ngroups - i - 1) * sizeof(*sv->groups));
	sv->ngroups--;
	char *gname = xstrdup(name);
	group_free(g);
	events_pools_changed();
	events_group(gname, false);
	free(gname);
	return 0;
}

void
supervisor_start(struct supervisor *sv)
{
	events_supervisor_state(true);
	events_pools_changed();
	/* groups in priority order; inside a group, configuration order */
	for (int i = 0; i < sv->ngroups; i++)
		for (int k = 0; k < sv->groups[i]->nprocs; k++)
			process_autostart(&sv->groups[i]->procs[k]);
}

static bool
group_all_stopped(const struct procgroup *g)
{
	for (int k = 0; k < g->nprocs; k++)
		if (!pstate_is_stopped(g->procs[k].state))
			return false;
	return true;
}

static int
cmp_stop_order(const void *a, const void *b)
{
	const struct process *x = *(struct process *const *)a, *y = *(struct process *const *)b;
	if (x->cfg->priority != y->cfg->priority)
		return x->cfg->priority > y->cfg->priority ? -1 : 1;
	return -strcmp(x->cfg->name, y->cfg->name);
}

/* Stop the last group still to stop: RUNNING/STARTING get their stop
 * signal in descending (priority, name) order, BACKOFF gives up. */
static void
stop_group(struct procgroup *g)
{
	struct process **order = xcalloc((size_t)g->nprocs + 1, sizeof(*order));
	for (int k = 0; k < g->nprocs; k++)
		order[k] = &g->procs[k];
	qsort(order, (size_t)g->nprocs, sizeof(*order), cmp_stop_order);
	for (int k = 0; k < g->nprocs; k++)
		process_stop_for_shutdown(order[k]);
	free(order);
}

static void shutdown_step(struct supervisor *sv);

/* Advance the ordered stop as far as the current states allow. */
static void
shutdown_progress(struct supervisor *sv)
{
	/* stopping a group changes states, which calls back here: run once */
	if (sv->in_progress) {
		sv->progress_again = true;
		return;
	}
	sv->in_progress = true;
	do {
		sv->progress_again = false;
		shutdown_step(sv);
	} while (sv->progress_again);
	sv->in_progress = false;
}

static void
shutdown_step(struct supervisor *sv)
{
	while (sv->stop_groups > 0) {
		struct procgroup *g = sv->groups[sv->stop_groups - 1];
		stop_group(g);
		if (!group_all_stopped(g))
			return;
		sv->stop_groups--;
	}
	for (int i = 0; i < sv->ngroups; i++)
		if (!group_all_stopped(sv->groups[i]))
			return;
	timer_cancel(sv->loop, &sv->waiting_report);
	loop_stop(sv->loop);
}

static void
on_waiting_report(struct loop *l, void *data)
{
	struct supervisor *sv = data;
	struct strbuf names = {0};
	for (int i = 0; i < sv->ngroups; i++)
		for (int k = 0; k < sv->groups[i]->nprocs; k++) {
			struct process *p = &sv->groups[i]->procs[k];
			if (!pstate_is_stopped(p->state))
				sb_addf(&names, "%s%s", names.len ? ", " : "", p->cfg->name);
		}
	if (names.len) {
		log_info("waiting for %s to die", names.p);
		for (int i = 0; i < sv->ngroups; i++)
			for (int k = 0; k < sv->groups[i]->nprocs; k++) {
				struct process *p = &sv->groups[i]->procs[k];
				if (!pstate_is_stopped(p->state))
					log_blather("%s state: %s", p->cfg->name, pstate_name(p->state));
			}
	}
	sb_free(&names);
	timer_arm(l, &sv->waiting_report, loop_now(l) + WAITING_REPORT_MS);
}

void
supervisor_shutdown(struct supervisor *sv, enum mood mood)
{
	sv->mood = mood;
	if (!sv->stopping) {
		events_supervisor_state(false);
		sv->stopping = true;
		sv->stop_groups = sv->ngroups;
		shutdown_progress(sv);
		/* Supervisor reports at once, then every 3 s, while any is alive */
		if (sv->stop_groups > 0 || !loop_stopping(sv->loop))
			on_waiting_report(sv->loop, sv);
		return;
	}
	shutdown_progress(sv);
}

void
supervisor_process_changed(struct supervisor *sv, struct process *p, enum pstate old)
{
	events_process_state(p, old);
	if (p->listener)
		listener_state_changed(p);
	host_process_changed(p, old);
	/* the next group is stopped on the next loop turn, after this
	 * process's exit has been logged, as Supervisor's loop orders it */
	if (sv->stopping && pstate_is_stopped(p->state) && !timer_armed(&sv->progress))
		timer_arm(sv->loop, &sv->progress, loop_now(sv->loop));
}

void
supervisor_reap(struct supervisor *sv)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			if (pid < 0 && errno != ECHILD && errno != EINTR)
				log_crit("waitpid error %d; a process may not be cleaned up properly", errno);
			return;
		}
		struct pid_slot *slot = pid_table_find(sv, pid);
		if (!slot) {
			char *desc = describe_exit(status);
			log_info("reaped unknown pid %d (%s)", (int)pid, desc);
			free(desc);
			continue;
		}
		process_reaped(slot->p, status);
	}
}

void
supervisor_reopen_logs(struct supervisor *sv)
{
	for (int i = 0; i < sv->ngroups; i++)
		for (int k = 0; k < sv->groups[i]->nprocs; k++)
			process_reopen_logs(&sv->groups[i]->procs[k]);
}

void
supervisor_destroy(struct supervisor *sv)
{
	events_detach();
	timer_cancel(sv->loop, &sv->waiting_report);
	timer_cancel(sv->loop, &sv->progress);
	for (int i = 0; i < sv->ngroups; i++) {
		timer_cancel(sv->loop, &sv->groups[i]->autostart);
		group_free(sv->groups[i]);
	}
	free(sv->groups);
	free(sv->pids);
	config_unref(sv->lastcfg);
	*sv = (struct supervisor){0};
}
