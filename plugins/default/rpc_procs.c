/* Process control of the `supervisor` namespace: startProcess,
 * stopProcess and their group / all forms (deferred until the host's done
 * callbacks come), the signal methods, sendProcessStdin.
 *
 * Fault details: Supervisor raises ALREADY_STARTED, SPAWN_ERROR,
 * ABNORMAL_TERMINATION, NOT_RUNNING and BAD_NAME with the name exactly as
 * the caller wrote it (or, in group operations, make_namespec(group,
 * process)); the host reports the bare process name, so those details are
 * replaced here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc_default.h"

static char *
xdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static const char *
param_str(sup_value *params, int i)
{
	const char *s = "";
	size_t n;
	API->get_string(API->array_get(params, i), &s, &n);
	return s;
}

/* wait: the optional boolean at index i, true when absent */
static bool
param_wait(sup_value *params, int i)
{
	bool b = true;
	if (API->array_size(params) > i)
		API->get_bool(API->array_get(params, i), &b);
	return b;
}

/* The detail Supervisor gives for this fault of an operation on `name`. */
static char *
fix_detail(int fault, const char *detail, const char *name)
{
	static const char unknown[] = " is in an unknown process state";
	switch (fault) {
	case SUP_FAULT_BAD_NAME:
	case SUP_FAULT_ALREADY_STARTED:
	case SUP_FAULT_SPAWN_ERROR:
	case SUP_FAULT_ABNORMAL_TERMINATION:
	case SUP_FAULT_NOT_RUNNING:
		return xdup(name);
	case SUP_FAULT_FAILED: {
		size_t n = detail ? strlen(detail) : 0, u = sizeof unknown - 1;
		if (n >= u && !strcmp(detail + n - u, unknown)) {
			char *s = NULL;
			if (asprintf(&s, "%s%s", name, unknown) < 0)
				abort();
			return s;
		}
		return detail ? xdup(detail) : NULL;
	}
	default:
		return detail ? xdup(detail) : NULL;
	}
}

static int
state_of(const char *spec)
{
	sup_value *info = API->proc_info(spec);
	int state = (int)dflt_get_int(info, "state", PSTATE_UNKNOWN);
	if (info)
		API->unref(info);
	return state;
}

static bool
is_running(int state) /* Supervisor's RUNNING_STATES */
{
	return state == PSTATE_RUNNING || state == PSTATE_BACKOFF || state == PSTATE_STARTING;
}

static bool
is_signallable(int state) /* SIGNALLABLE_STATES */
{
	return state == PSTATE_RUNNING || state == PSTATE_STARTING || state == PSTATE_STOPPING;
}

/* The selection of a group name (no namespec forms), or NULL: BAD_NAME. */
static sup_value *
select_group(const char *name)
{
	if (!*name || strchr(name, ':'))
		return NULL;
	return API->proc_select(name);
}

typedef int start_stop_fn(const char *namespec, bool wait, sup_done_fn done, void *ud);

/* ---- one process ---- */

struct single {
	sup_call *call;
	char *name; /* as the caller wrote it */
	bool sync;  /* inside proc_start/proc_stop */
	bool finished, cancelled;
	int fault;
	char *detail;
};

static void
single_free(struct single *s)
{
	free(s->name);
	free(s->detail);
	free(s);
}

static int
single_answer(struct single *s)
{
	if (s->fault)
		return sup_fault(s->call, s->fault, "%s", s->detail ? s->detail : "");
	return sup_reply(s->call, API->bool_new(true));
}

static void
single_done(int fault, const char *detail, void *ud)
{
	struct single *s = ud;
	s->fault = fault;
	s->detail = fault ? fix_detail(fault, detail, s->name) : NULL;
	s->finished = true;
	if (s->sync)
		return; /* the handler answers */
	if (!s->cancelled)
		single_answer(s);
	single_free(s);
}

static void
single_cancel(sup_call *call, void *ud)
{
	(void)call;
	struct single *s = ud;
	s->cancelled = true; /* done() still comes, and frees */
}

static int
single_op(sup_call *call, const char *name, bool wait, start_stop_fn *fn)
{
	struct single *s = xcalloc(1, sizeof(*s));
	s->call = call;
	s->name = xdup(name);
	s->sync = true;
	fn(name, wait, single_done, s);
	s->sync = false;
	if (s->finished) {
		int rc = single_answer(s);
		single_free(s);
		return rc;
	}
	return sup_defer(call, single_cancel, s);
}

/* ---- group and all operations (make_allfunc) ---- */

/* Supervisor polls a group operation every 0.05 s and, at each poll,
 * collects the deferred operations that have finished in selection order.
 * The same order is rebuilt here from when each one finished: by poll
 * period, then by position in the selection. */
#define POLL_MS 50

struct late {
	int64_t tick;
	int index;
	sup_value *result;
};

struct group_op {
	sup_call *call;
	sup_value *results; /* synchronous ones, in order */
	struct late *late;  /* deferred ones, as they finished */
	int nlate;
	int pending; /* operations not done yet, +1 while issuing */
	bool issuing, cancelled;
	int64_t t0;
};

struct member {
	struct group_op *g;
	char *group, *proc;
	int index;
};

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cmp_late(const void *a, const void *b)
{
	const struct late *x = a, *y = b;
	if (x->tick != y->tick)
		return x->tick < y->tick ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* All done: the results, then free (the reply only if still wanted). */
static sup_value *
group_results(struct group_op *g)
{
	if (g->nlate > 1)
		qsort(g->late, (size_t)g->nlate, sizeof(*g->late), cmp_late);
	for (int i = 0; i < g->nlate; i++)
		API->array_push(g->results, g->late[i].result);
	sup_value *r = g->results;
	free(g->late);
	free(g);
	return r;
}

static void
member_done(int fault, const char *detail, void *ud)
{
	struct member *m = ud;
	struct group_op *g = m->g;
	char *spec = dflt_namespec(m->group, m->proc);
	char *d = fault ? fix_detail(fault, detail, spec) : NULL;
	sup_value *res = dflt_result(m->group, m->proc, fault, d);
	if (g->issuing) {
		API->array_push(g->results, res);
	} else {
		g->late = realloc(g->late, (size_t)(g->nlate + 1) * sizeof(*g->late));
		if (!g->late)
			abort();
		g->late[g->nlate++] = (struct late){(now_ms() - g->t0 + POLL_MS - 1) / POLL_MS, m->index, res};
	}
	free(d);
	free(spec);
	free(m->group);
	free(m->proc);
	free(m);
	if (--g->pending == 0) {
		sup_call *call = g->call;
		bool cancelled = g->cancelled;
		sup_value *r = group_results(g);
		if (!cancelled)
			sup_reply(call, r);
		else
			API->unref(r);
	}
}

static void
group_cancel(sup_call *call, void *ud)
{
	(void)call;
	struct group_op *g = ud;
	g->cancelled = true; /* the pending done() calls still come */
}

/* Issue fn for every process of sel (an array of "g:p") whose state
 * passes want_running (is_running == want_running), all in one pass;
 * answer once all are done. Steals sel. */
static int
group_op(sup_call *call, sup_value *sel, bool want_running, bool wait, start_stop_fn *fn)
{
	struct group_op *g = xcalloc(1, sizeof(*g));
	g->call = call;
	g->results = API->array_new();
	g->pending = 1;
	g->issuing = true;
	g->t0 = now_ms();
	for (int i = 0; i < API->array_size(sel); i++) {
		const char *spec = "";
		size_t n;
		API->get_string(API->array_get(sel, i), &spec, &n);
		if (is_running(state_of(spec)) != want_running)
			continue;
		struct member *m = xcalloc(1, sizeof(*m));
		m->g = g;
		m->index = i;
		dflt_split(spec, &m->group, &m->proc);
		g->pending++;
		fn(spec, wait, member_done, m);
	}
	API->unref(sel);
	g->issuing = false;
	if (--g->pending == 0)
		return sup_reply(call, group_results(g));
	return sup_defer(call, group_cancel, g);
}

/* startProcess / stopProcess on a namespec: group forms go to the group
 * operation, the rest to one process. */
static int
process_or_group(sup_call *call, sup_value *params, bool start)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	bool wait = param_wait(params, 1);
	start_stop_fn *fn = start ? API->proc_start : API->proc_stop;
	char *group;
	if (dflt_group_form(name, &group)) {
		sup_value *sel = select_group(group);
		free(group);
		if (!sel)
			return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
		return group_op(call, sel, !start, wait, fn);
	}
	return single_op(call, name, wait, fn);
}

static int
m_startProcess(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return process_or_group(call, params, true);
}

static int
m_stopProcess(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return process_or_group(call, params, false);
}

static int
whole_group(sup_call *call, sup_value *params, bool start)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	sup_value *sel = select_group(name);
	if (!sel)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	return group_op(call, sel, !start, param_wait(params, 1), start ? API->proc_start : API->proc_stop);
}

static int
m_startProcessGroup(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return whole_group(call, params, true);
}

static int
m_stopProcessGroup(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return whole_group(call, params, false);
}

static int
everything(sup_call *call, sup_value *params, bool start)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	sup_value *sel = API->proc_select("");
	if (!sel)
		sel = API->array_new();
	return group_op(call, sel, !start, param_wait(params, 0), start ? API->proc_start : API->proc_stop);
}

static int
m_startAllProcesses(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return everything(call, params, true);
}

static int
m_stopAllProcesses(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return everything(call, params, false);
}

/* ---- signals ---- */

static const struct {
	const char *name;
	int num;
} signames[] = {
	/* every SIG* attribute of Python's signal module on Linux */
	{"SIGABRT", 6}, {"SIGALRM", 14}, {"SIGBUS", 7}, {"SIGCHLD", 17}, {"SIGCLD", 17},
	{"SIGCONT", 18}, {"SIGFPE", 8}, {"SIGHUP", 1}, {"SIGILL", 4}, {"SIGINT", 2},
	{"SIGIO", 29}, {"SIGIOT", 6}, {"SIGKILL", 9}, {"SIGPIPE", 13}, {"SIGPOLL", 29},
	{"SIGPROF", 27}, {"SIGPWR", 30}, {"SIGQUIT", 3}, {"SIGRTMAX", 64}, {"SIGRTMIN", 34},
	{"SIGSEGV", 11}, {"SIGSTKFLT", 16}, {"SIGSTOP", 19}, {"SIGSYS", 31}, {"SIGTERM", 15},
	{"SIGTRAP", 5}, {"SIGTSTP", 20}, {"SIGTTIN", 21}, {"SIGTTOU", 22}, {"SIGURG", 23},
	{"SIGUSR1", 10}, {"SIGUSR2", 12}, {"SIGVTALRM", 26}, {"SIGWINCH", 28}, {"SIGXCPU", 24},
	{"SIGXFSZ", 25}, {"SIG_BLOCK", 0}, {"SIG_DFL", 0}, {"SIG_IGN", 1}, {"SIG_SETMASK", 2},
	{"SIG_UNBLOCK", 1},
};

/* datatypes.signal_number: int(value), else a name with or without "SIG"
 * in any case; the number must be one the signal module names (0 counts:
 * SIG_DFL). -1 when invalid (BAD_SIGNAL). */
static int
signal_number(const sup_value *v)
{
	int64_t num;
	if (!dflt_pyint(v, &num)) {
		const char *s;
		size_t n;
		if (API->type_of(v) != SUP_T_STRING || API->get_string(v, &s, &n) != SUP_OK)
			return -1;
		while (n && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
			s++, n--;
		while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
			n--;
		char name[40];
		size_t o = 0;
		bool sig = n >= 3 && (s[0] == 's' || s[0] == 'S') && (s[1] == 'i' || s[1] == 'I') &&
			   (s[2] == 'g' || s[2] == 'G');
		if (!sig) {
			memcpy(name, "SIG", 3);
			o = 3;
		}
		if (n + o >= sizeof name)
			return -1;
		for (size_t i = 0; i < n; i++)
			name[o++] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
		name[o] = 0;
		num = -1;
		for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
			if (!strcmp(signames[i].name, name))
				num = signames[i].num;
		if (num < 0)
			return -1;
	}
	if ((num >= 0 && num <= 31) || num == 34 || num == 64)
		return (int)num;
	return -1;
}

/* signalProcess on one process (resolved already): 0 or a fault code with
 * *detail (malloc'd) */
static int
signal_one(const char *name, const char *spec, const sup_value *signal, char **detail)
{
	*detail = NULL;
	if (dflt_stopping())
		return SUP_FAULT_SHUTDOWN_STATE;
	int signo = signal_number(signal);
	if (signo < 0) {
		*detail = dflt_pystr(signal);
		return SUP_FAULT_BAD_SIGNAL;
	}
	const char *d = NULL;
	int code = API->proc_signal(spec, signo, &d);
	if (code)
		*detail = fix_detail(code, d, name);
	return code;
}

/* make_allfunc(processes, isSignallable, signalProcess): synchronous */
static sup_value *
signal_many(sup_value *sel, const sup_value *signal)
{
	sup_value *results = API->array_new();
	for (int i = 0; i < API->array_size(sel); i++) {
		const char *spec = "";
		size_t n;
		API->get_string(API->array_get(sel, i), &spec, &n);
		if (!is_signallable(state_of(spec)))
			continue;
		char *group, *proc, *detail;
		dflt_split(spec, &group, &proc);
		char *ns = dflt_namespec(group, proc);
		int code = signal_one(ns, spec, signal, &detail);
		API->array_push(results, dflt_result(group, proc, code, detail));
		free(detail);
		free(ns);
		free(group);
		free(proc);
	}
	API->unref(sel);
	return results;
}

static int
signal_group(sup_call *call, const char *group, const sup_value *signal)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	sup_value *sel = select_group(group);
	if (!sel)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", group);
	sup_value *results = signal_many(sel, signal);
	if (dflt_refuse(call)) {
		API->unref(results);
		return SUP_ERR;
	}
	return sup_reply(call, results);
}

static int
m_signalProcess(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	const sup_value *signal = API->array_get(params, 1);
	char *group;
	if (dflt_group_form(name, &group)) {
		sup_value *sel = select_group(group);
		if (!sel) {
			free(group);
			return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
		}
		API->unref(sel);
		int rc = signal_group(call, group, signal);
		free(group);
		return rc;
	}
	sup_value *info = API->proc_info(name);
	if (!info)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	API->unref(info);
	char *detail;
	int code = signal_one(name, name, signal, &detail);
	if (code) {
		sup_fault(call, code, "%s", detail ? detail : "");
		free(detail);
		return SUP_ERR;
	}
	return sup_reply(call, API->bool_new(true));
}

static int
m_signalProcessGroup(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return signal_group(call, param_str(params, 0), API->array_get(params, 1));
}

static int
m_signalAllProcesses(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	/* Supervisor checks the state only after the pass, but each
	 * signalProcess of the pass checks it first: nothing is signalled */
	sup_value *sel = API->proc_select("");
	sup_value *results = signal_many(sel ? sel : API->array_new(), API->array_get(params, 0));
	if (dflt_refuse(call)) {
		API->unref(results);
		return SUP_ERR;
	}
	return sup_reply(call, results);
}

/* ---- stdin ---- */

static int
m_sendProcessStdin(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name = param_str(params, 0);
	const sup_value *chars = API->array_get(params, 1);
	const char *data;
	size_t len;
	if (API->type_of(chars) != SUP_T_STRING || API->get_string(chars, &data, &len) != SUP_OK) {
		char *s = dflt_pystr(chars);
		sup_fault(call, SUP_FAULT_INCORRECT_PARAMETERS, "%s", s);
		free(s);
		return SUP_ERR;
	}
	sup_value *info = API->proc_info(name);
	if (!info)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	API->unref(info);
	const char *d = NULL;
	int code = API->proc_stdin(name, data, len, &d);
	if (code) /* BAD_NAME, NOT_RUNNING and NO_FILE all name the process */
		return sup_fault(call, code, "%s", code == SUP_FAULT_FAILED && d ? d : name);
	return sup_reply(call, API->bool_new(true));
}

/* ---- the table ---- */

#define P_NAME "@param string name process name, group:name, or group:* for the whole group\n"
#define P_WAIT "@param boolean wait wait until the operation completed (default true)\n"
#define P_SIG "@param string signal signal name (HUP, SIGHUP) or number, as a string or an int\n"

const struct sup_method dflt_proc_methods[] = {
	{"startProcess", m_startProcess, "b:s,b:sb",
	 "Start a process; with wait, answer once it is RUNNING (after startsecs).\n\n" P_NAME P_WAIT
	 "@return boolean result true (an array of result structs for group:*)"},
	{"startProcessGroup", m_startProcessGroup, "A:s,A:sb",
	 "Start every process of a group that is not already starting or running.\n\n"
	 "@param string name group name\n" P_WAIT
	 "@return array result structs {name, group, status, description}"},
	{"startAllProcesses", m_startAllProcesses, "A:,A:b",
	 "Start every process that is not already starting or running, in priority order.\n\n" P_WAIT
	 "@return array result structs {name, group, status, description}"},
	{"stopProcess", m_stopProcess, "b:s,b:sb",
	 "Stop a process; with wait, answer once it has stopped.\n\n" P_NAME P_WAIT
	 "@return boolean result true (an array of result structs for group:*)"},
	{"stopProcessGroup", m_stopProcessGroup, "A:s,A:sb",
	 "Stop every starting or running process of a group.\n\n"
	 "@param string name group name\n" P_WAIT
	 "@return array result structs {name, group, status, description}"},
	{"stopAllProcesses", m_stopAllProcesses, "A:,A:b",
	 "Stop every starting or running process.\n\n" P_WAIT
	 "@return array result structs {name, group, status, description}"},
	{"signalProcess", m_signalProcess, "b:ss,b:sV",
	 "Send a signal to a process.\n\n" P_NAME P_SIG
	 "@return boolean result true (an array of result structs for group:*)"},
	{"signalProcessGroup", m_signalProcessGroup, "A:ss,A:sV",
	 "Send a signal to every running process of a group.\n\n"
	 "@param string name group name\n" P_SIG
	 "@return array result structs {name, group, status, description}"},
	{"signalAllProcesses", m_signalAllProcesses, "A:s,A:V",
	 "Send a signal to every running process.\n\n" P_SIG
	 "@return array result structs {name, group, status, description}"},
	{"sendProcessStdin", m_sendProcessStdin, "b:ss,b:sV",
	 "Write characters (UTF-8 encoded) to the standard input of a process.\n\n"
	 "@param string name process name or group:name\n@param string chars the data to write\n"
	 "@return boolean result true"},
};
const size_t dflt_proc_nmethods = sizeof dflt_proc_methods / sizeof dflt_proc_methods[0];
