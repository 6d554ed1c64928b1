/* site: an XML-RPC namespace for site tooling, written the way a third
 * party writes a csupervisor plugin: only <csupervisor/plugin.h> and
 * <csupervisor/typed.h>, built out of tree with
 *
 *   cc -std=c11 -fPIC -fvisibility=hidden -shared -Wl,-z,defs \
 *      $(pkg-config --cflags csupervisor-plugin) -o site.so site.c
 *
 * and loaded with
 *
 *   [rpcinterface:site]
 *   supervisor.rpcinterface_factory = /usr/lib/csupervisor/plugins/site.so
 *   exclude = batch:*, oneshot       ; never restarted by restartUnhealthy
 *
 * Methods (NAMESPACE is the section name, "site" above):
 *   site.summary()               struct: process counts per state and the
 *                                processes that are not RUNNING
 *   site.restartUnhealthy([wait]) array: starts every FATAL process and
 *                                every EXITED one whose exit status was not
 *                                expected; answers once all are done
 *   site.uptime(name)            int: seconds a RUNNING process has been up
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

#include "site_fields.h"

#define API sup_api_

/* Supervisor's process states, in its order (supervisor.states). */
static const char *const state_names[] = {"STOPPED", "STARTING", "RUNNING", "BACKOFF",
					  "STOPPING", "EXITED", "FATAL", "UNKNOWN"};
#define NSTATES (sizeof state_names / sizeof state_names[0])

/* One instance: the namespecs restartUnhealthy leaves alone. */
struct site {
	char **exclude; /* "name", "group:name" or "group:*" */
	size_t nexclude;
};

static char *
dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort(); /* like the daemon: out of memory is fatal */
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
site_free(void *data)
{
	struct site *st = data;
	for (size_t i = 0; i < st->nexclude; i++)
		free(st->exclude[i]);
	free(st->exclude);
	free(st);
}

/* "a, g:*,b" -> {"a", "g:*", "b"} */
static void
parse_exclude(struct site *st, const char *list)
{
	const char *p = list;
	while (*p) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, ",");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			st->exclude = realloc(st->exclude, (st->nexclude + 1) * sizeof(*st->exclude));
			if (!st->exclude)
				abort();
			st->exclude[st->nexclude++] = dup_range(p, n);
		}
		p += n;
		p += strcspn(p, ",");
	}
}

static bool
excluded(const struct site *st, const char *group, const char *name)
{
	size_t glen = strlen(group);
	for (size_t i = 0; i < st->nexclude; i++) {
		const char *e = st->exclude[i];
		if (!strchr(e, ':')) {
			if (!strcmp(e, name))
				return true;
		} else if (!strncmp(e, group, glen) && e[glen] == ':' &&
			   (!strcmp(e + glen + 1, "*") || !strcmp(e + glen + 1, name))) {
			return true;
		}
	}
	return false;
}

/* ---- values ---- */


static sup_value *
namespec_value(const char *group, const char *name)
{
	size_t g = strlen(group), n = strlen(name);
	char *spec = malloc(g + n + 2);
	if (!spec)
		abort();
	memcpy(spec, group, g);
	spec[g] = ':';
	memcpy(spec + g + 1, name, n + 1);
	sup_value *v = API->string_new(spec, g + 1 + n);
	free(spec);
	return v;
}

/* ---- site.summary() ---- */

static int
summary(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	sup_value *procs = API->proc_list();
	int64_t counts[NSTATES] = {0};
	sup_value *not_running = API->array_new();
	int n = API->array_size(procs);
	for (int i = 0; i < n; i++) {
		const sup_value *info = API->array_get(procs, i);
		const char *statename = str_field(info, "statename");
		for (size_t s = 0; s < NSTATES; s++)
			if (!strcmp(statename, state_names[s]))
				counts[s]++;
		if (!strcmp(statename, "RUNNING"))
			continue;
		sup_value *entry = API->struct_new();
		API->struct_put(entry, "name", namespec_value(str_field(info, "group"), str_field(info, "name")));
		API->struct_put(entry, "statename", sup_string(statename));
		API->struct_put(entry, "description", sup_string(str_field(info, "description")));
		API->array_push(not_running, entry);
	}
	API->unref(procs);
	sup_value *states = API->struct_new();
	for (size_t s = 0; s < NSTATES; s++)
		API->struct_put(states, state_names[s], API->int_new(counts[s]));
	sup_value *r = API->struct_new();
	API->struct_put(r, "total", API->int_new(n < 0 ? 0 : n));
	API->struct_put(r, "states", states);
	API->struct_put(r, "notRunning", not_running);
	return sup_reply(call, r);
}

/* ---- site.restartUnhealthy([wait]) ---- */

/* Whether status is one of the exit codes configured for group:name. */
static bool
expected_exit(const sup_value *config, const char *group, const char *name, int64_t status)
{
	for (int i = 0; i < API->array_size(config); i++) {
		const sup_value *c = API->array_get(config, i);
		if (strcmp(str_field(c, "group"), group) || strcmp(str_field(c, "name"), name))
			continue;
		const sup_value *codes = API->struct_get(c, "exitcodes");
		for (int k = 0; k < API->array_size(codes); k++) {
			int64_t code;
			if (API->get_int(API->array_get(codes, k), &code) == SUP_OK && code == status)
				return true;
		}
		return false;
	}
	return false;
}

/* The restarts of one call; freed when the last one is done, which may be
 * after the call was cancelled (done() always comes). */
struct restart {
	sup_call *call;
	sup_value *results; /* one struct per process, in selection order */
	int pending;        /* starts not done yet, +1 while issuing */
	bool cancelled;
};

struct member {
	struct restart *r;
	sup_value *result; /* its slot in r->results (borrowed) */
};

static void
restart_finish(struct restart *r)
{
	if (!r->cancelled)
		sup_reply(r->call, r->results);
	else
		API->unref(r->results);
	free(r);
}

static void
member_done(int fault, const char *detail, void *ud)
{
	struct member *m = ud;
	struct restart *r = m->r;
	API->struct_put(m->result, "status", API->int_new(fault ? fault : SUP_FAULT_SUCCESS));
	API->struct_put(m->result, "description", sup_string(fault ? (detail ? detail : "") : "OK"));
	free(m);
	if (--r->pending == 0)
		restart_finish(r);
}

static void
restart_cancel(sup_call *call, void *ud)
{
	(void)call;
	struct restart *r = ud;
	r->cancelled = true; /* the outstanding done() calls still come */
}

static bool
unhealthy(const sup_value *info, const sup_value *config)
{
	const char *statename = str_field(info, "statename");
	if (!strcmp(statename, "FATAL"))
		return true;
	return !strcmp(statename, "EXITED") &&
	       !expected_exit(config, str_field(info, "group"), str_field(info, "name"), int_field(info, "exitstatus"));
}

static int
restart_unhealthy(sup_call *call, sup_value *params, void *ud)
{
	const struct site *st = ud;
	bool wait = true;
	if (API->array_size(params) > 0)
		API->get_bool(API->array_get(params, 0), &wait);
	if (API->daemon_state() != 1)
		return sup_fault(call, SUP_FAULT_SHUTDOWN_STATE, NULL);

	struct restart *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->call = call;
	r->results = API->array_new();
	r->pending = 1;
	sup_value *procs = API->proc_list();
	sup_value *config = API->config_info();
	/* first the selection, then the starts: a start that finishes at
	 * once must not change what the next iteration sees */
	int n = API->array_size(procs);
	for (int i = 0; i < n; i++) {
		const sup_value *info = API->array_get(procs, i);
		const char *group = str_field(info, "group"), *name = str_field(info, "name");
		if (!unhealthy(info, config) || excluded(st, group, name))
			continue;
		sup_value *res = API->struct_new();
		API->struct_put(res, "name", sup_string(name));
		API->struct_put(res, "group", sup_string(group));
		API->array_push(r->results, res); /* still ours to fill: borrowed */
	}
	API->unref(config);
	API->unref(procs);
	for (int i = 0; i < API->array_size(r->results); i++) {
		struct member *m = malloc(sizeof(*m));
		if (!m)
			abort();
		m->r = r;
		m->result = (sup_value *)API->array_get(r->results, i);
		sup_value *spec = namespec_value(str_field(m->result, "group"), str_field(m->result, "name"));
		const char *s;
		API->get_string(spec, &s, NULL);
		r->pending++;
		API->proc_start(s, wait, member_done, m);
		API->unref(spec);
	}
	if (--r->pending == 0) {
		sup_value *results = r->results;
		free(r);
		return sup_reply(call, results);
	}
	return sup_defer(call, restart_cancel, r);
}

/* ---- site.uptime(name): a typed method ---- */

static int32_t
uptime(sup_call *call, const char *name)
{
	sup_value *info = API->proc_info(name);
	if (!info) {
		sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
		return 0;
	}
	int64_t up = -1;
	if (!strcmp(str_field(info, "statename"), "RUNNING"))
		up = int_field(info, "now") - int_field(info, "start");
	API->unref(info);
	if (up < 0) {
		sup_fault(call, SUP_FAULT_NOT_RUNNING, "%s", name);
		return 0;
	}
	return up > INT32_MAX ? INT32_MAX : (int32_t)up;
}

static const struct sup_method methods[] = {
	{"summary", summary, "S:",
	 "Count the processes in each state and list those that are not RUNNING\n\n"
	 "@return struct {total: int, states: {STATENAME: int}, notRunning: [{name, statename, description}]}"},
	{"restartUnhealthy", restart_unhealthy, "A:,A:b",
	 "Start every FATAL process and every EXITED one with an unexpected exit status,\n"
	 "except the excluded ones; with wait (the default), answer once each is RUNNING\n"
	 "or has failed.\n\n"
	 "@param boolean wait  Wait for each process to be fully started\n"
	 "@return array [{name, group, status, description}], Supervisor's status codes (80 = OK)"},
};

static const struct sup_typed_method typed[] = {
	SUP_TYPED1("uptime", uptime, "Seconds a RUNNING process has been up\n\n@param string name\n@return int",
		   int32_t, const char *),
};

static int
site_init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"exclude", NULL};
	if (API->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	struct site *st = calloc(1, sizeof(*st));
	if (!st)
		return SUP_ERR;
	API->set_data(p, st, site_free);
	const char *ex = API->config_get(cfg, "exclude");
	if (ex)
		parse_exclude(st, ex);
	if (sup_rpc_methods(p, methods, st) != SUP_OK || sup_rpc_typed(p, typed, NULL) != SUP_OK)
		return SUP_ERR;
	sup_log(p, SUP_LOG_INFO, "site tools ready (%zu exclusion%s)", st->nexclude, st->nexclude == 1 ? "" : "s");
	return SUP_OK;
}

SUP_PLUGIN_DEFINE(site, SUP_KIND_RPC, "1.0", site_init, NULL)
