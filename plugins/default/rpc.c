/* The `supervisor` XML-RPC namespace (Supervisor 4.2.5's
 * supervisor.rpcinterface), written against the public SDK only: it is the
 * built-in plugin behind supervisor.rpcinterface:make_main_rpcinterface.
 *
 * This file: registration, the shared helpers of rpc_default.h, and the
 * methods about the daemon itself and process information. Process control
 * is in rpc_procs.c, logs in rpc_logs.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_default.h"

/* shutdown()/restart() change Supervisor's mood at once, so a later call in
 * the same multicall already sees it; the host applies it only after the
 * reply went out, so remember it here until the next generation's init. */
static bool mood_requested;

bool
dflt_stopping(void)
{
	return mood_requested || API->daemon_state() < 1;
}

bool
dflt_refuse(sup_call *call)
{
	if (!dflt_stopping())
		return false;
	sup_fault(call, SUP_FAULT_SHUTDOWN_STATE, NULL);
	return true;
}

/* ---- helpers ---- */

static const struct {
	int code;
	const char *name;
} fault_names[] = {
	{1, "UNKNOWN_METHOD"}, {2, "INCORRECT_PARAMETERS"}, {3, "BAD_ARGUMENTS"},
	{4, "SIGNATURE_UNSUPPORTED"}, {6, "SHUTDOWN_STATE"}, {10, "BAD_NAME"},
	{11, "BAD_SIGNAL"}, {20, "NO_FILE"}, {21, "NOT_EXECUTABLE"}, {30, "FAILED"},
	{40, "ABNORMAL_TERMINATION"}, {50, "SPAWN_ERROR"}, {60, "ALREADY_STARTED"},
	{70, "NOT_RUNNING"}, {80, "SUCCESS"}, {90, "ALREADY_ADDED"},
	{91, "STILL_RUNNING"}, {92, "CANT_REREAD"},
};

const char *
dflt_fault_name(int code)
{
	for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (fault_names[i].code == code)
			return fault_names[i].name;
	return "UNKNOWN";
}

static char *
xdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static char *
xprintf(const char *fmt, ...) SUP_PRINTF(1, 2);

static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

char *
dflt_fault_text(int code, const char *detail)
{
	if (!detail)
		return xdup(dflt_fault_name(code));
	return xprintf("%s: %s", dflt_fault_name(code), detail);
}

sup_value *
dflt_result(const char *group, const char *name, int code, const char *detail)
{
	sup_value *st = API->struct_new();
	API->struct_put(st, "name", sup_string(name));
	API->struct_put(st, "group", sup_string(group));
	API->struct_put(st, "status", API->int_new(code ? code : SUP_FAULT_SUCCESS));
	if (code) {
		char *text = dflt_fault_text(code, detail);
		API->struct_put(st, "description", sup_string(text));
		free(text);
	} else {
		API->struct_put(st, "description", sup_string("OK"));
	}
	return st;
}

void
dflt_split(const char *spec, char **group, char **name)
{
	const char *colon = strchr(spec, ':');
	if (!colon) {
		*group = xdup(spec);
		*name = xdup(spec);
		return;
	}
	*group = strndup(spec, (size_t)(colon - spec));
	*name = xdup(colon + 1);
	if (!*group)
		abort();
}

char *
dflt_namespec(const char *group, const char *name)
{
	if (!strcmp(group, name))
		return xdup(name);
	return xprintf("%s:%s", group, name);
}

bool
dflt_group_form(const char *spec, char **group)
{
	const char *colon = strchr(spec, ':');
	if (!colon || (colon[1] && strcmp(colon + 1, "*")))
		return false;
	*group = strndup(spec, (size_t)(colon - spec));
	if (!*group)
		abort();
	return true;
}

const char *
dflt_get_str(const sup_value *st, const char *key)
{
	const char *s = NULL;
	size_t n;
	const sup_value *v = st ? API->struct_get(st, key) : NULL;
	if (!v || API->get_string(v, &s, &n) != SUP_OK)
		return "";
	return s;
}

int64_t
dflt_get_int(const sup_value *st, const char *key, int64_t dflt)
{
	int64_t i;
	const sup_value *v = st ? API->struct_get(st, key) : NULL;
	if (!v || API->get_int(v, &i) != SUP_OK)
		return dflt;
	return i;
}

static bool
py_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* int(s) for base 10: whitespace around, a sign, digits with single '_'
 * between them. Values beyond +-2^62 are refused (never a real offset). */
static bool
parse_pyint(const char *s, size_t len, int64_t *out)
{
	const char *end = s + len;
	while (s < end && py_space(*s))
		s++;
	while (end > s && py_space(end[-1]))
		end--;
	bool neg = false;
	if (s < end && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (s == end || *s < '0' || *s > '9')
		return false;
	int64_t v = 0;
	for (; s < end; s++) {
		if (*s == '_') {
			if (s + 1 == end || s[1] < '0' || s[1] > '9')
				return false;
			continue;
		}
		if (*s < '0' || *s > '9')
			return false;
		if (v > ((int64_t)1 << 62) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return true;
}

bool
dflt_pyint(const sup_value *v, int64_t *out)
{
	const char *s;
	size_t n;
	double d;
	switch (API->type_of(v)) {
	case SUP_T_INT:
	case SUP_T_BOOL:
		return API->get_int(v, out) == SUP_OK;
	case SUP_T_DOUBLE:
		if (API->get_double(v, &d) != SUP_OK || !isfinite(d) || fabs(d) > 4e18)
			return false;
		*out = (int64_t)d;
		return true;
	case SUP_T_STRING:
		return API->get_string(v, &s, &n) == SUP_OK && parse_pyint(s, n, out);
	default:
		return false;
	}
}

/* Python's repr() of a float: shortest round-trip digits, fixed notation
 * for exponents -4..15, else d.ddde+XX. */
static char *
py_float(double d)
{
	if (isnan(d))
		return xdup("nan");
	if (isinf(d))
		return xdup(d < 0 ? "-inf" : "inf");
	char buf[64];
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	bool neg = buf[0] == '-';
	char *m = buf + neg, *e = strchr(m, 'e');
	int exp10 = atoi(e + 1);
	char digits[32];
	size_t nd = 0;
	for (char *c = m; c < e; c++)
		if (*c >= '0' && *c <= '9')
			digits[nd++] = *c;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	char out[96];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if (exp10 >= -4 && exp10 < 16) {
		int decpt = exp10 + 1;
		if (decpt <= 0) {
			o += (size_t)snprintf(out + o, sizeof out - o, "0.");
			for (int i = 0; i < -decpt; i++)
				out[o++] = '0';
			o += (size_t)snprintf(out + o, sizeof out - o, "%s", digits);
		} else if ((size_t)decpt >= nd) {
			o += (size_t)snprintf(out + o, sizeof out - o, "%s", digits);
			for (size_t i = nd; i < (size_t)decpt; i++)
				out[o++] = '0';
			o += (size_t)snprintf(out + o, sizeof out - o, ".0");
		} else {
			o += (size_t)snprintf(out + o, sizeof out - o, "%.*s.%s", decpt, digits, digits + decpt);
		}
	} else {
		out[o++] = digits[0];
		if (nd > 1)
			o += (size_t)snprintf(out + o, sizeof out - o, ".%s", digits + 1);
		o += (size_t)snprintf(out + o, sizeof out - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
	out[o] = 0;
	return xdup(out);
}

struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void py_repr(struct sbuf *b, const sup_value *v);

static void
py_repr_string(struct sbuf *b, const char *s, size_t n)
{
	char q = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
	sb_add(b, &q, 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '\\' || c == (unsigned char)q)
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (c == '\r')
			snprintf(esc, sizeof esc, "\\r");
		else if (c == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof esc, "\\x%02x", c);
		else
			esc[0] = (char)c, esc[1] = 0;
		sb_str(b, esc);
	}
	sb_add(b, &q, 1);
}

/* str() of a scalar, repr() inside containers */
static void
py_str(struct sbuf *b, const sup_value *v, bool repr)
{
	int64_t i;
	double d;
	bool t;
	const char *s;
	size_t n;
	char num[32];
	switch (API->type_of(v)) {
	case SUP_T_INT:
		API->get_int(v, &i);
		snprintf(num, sizeof num, "%lld", (long long)i);
		sb_str(b, num);
		break;
	case SUP_T_BOOL:
		API->get_bool(v, &t);
		sb_str(b, t ? "True" : "False");
		break;
	case SUP_T_DOUBLE: {
		API->get_double(v, &d);
		char *f = py_float(d);
		sb_str(b, f);
		free(f);
		break;
	}
	case SUP_T_STRING:
		API->get_string(v, &s, &n);
		if (repr)
			py_repr_string(b, s, n);
		else
			sb_add(b, s, n);
		break;
	case SUP_T_ARRAY:
		sb_str(b, "[");
		for (int k = 0; k < API->array_size(v); k++) {
			if (k)
				sb_str(b, ", ");
			py_repr(b, API->array_get(v, k));
		}
		sb_str(b, "]");
		break;
	case SUP_T_STRUCT:
		/* the SDK cannot enumerate a struct's members */
		sb_str(b, "{...}");
		break;
	default:
		sb_str(b, "None");
		break;
	}
}

static void py_repr(struct sbuf *b, const sup_value *v) { py_str(b, v, true); }

char *
dflt_pystr(const sup_value *v)
{
	struct sbuf b = {0};
	sb_str(&b, "");
	py_str(&b, v, false);
	return b.s;
}

/* ---- the daemon ---- */

#define UNUSED_ARGS \
	(void)params; \
	(void)ud

static int
m_getAPIVersion(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	return sup_reply(call, sup_string("3.0"));
}

static int
m_getSupervisorVersion(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	return sup_reply(call, sup_string("4.2.5"));
}

static int
m_getIdentification(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *id = API->daemon_identifier();
	return sup_reply(call, sup_string(id ? id : ""));
}

static int
m_getState(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	/* the check above makes RUNNING the only state a caller ever sees */
	sup_value *st = API->struct_new();
	API->struct_put(st, "statecode", API->int_new(1));
	API->struct_put(st, "statename", sup_string("RUNNING"));
	return sup_reply(call, st);
}

static int
m_getPID(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	return sup_reply(call, API->int_new(API->daemon_pid()));
}

static int
m_shutdown(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	mood_requested = true;
	API->daemon_shutdown();
	return sup_reply(call, API->bool_new(true));
}

static int
m_restart(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	mood_requested = true;
	API->daemon_restart();
	return sup_reply(call, API->bool_new(true));
}

static int
m_reloadConfig(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *detail = NULL;
	sup_value *diff = API->config_reread(&detail);
	if (!diff)
		return sup_fault(call, SUP_FAULT_CANT_REREAD, "%s", detail ? detail : "");
	/* [[added, changed, removed]]: Supervisor wraps the triple once more */
	sup_value *outer = API->array_new();
	API->array_push(outer, diff);
	return sup_reply(call, outer);
}

static int
group_change(sup_call *call, sup_value *params, bool add)
{
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name;
	size_t n;
	API->get_string(API->array_get(params, 0), &name, &n);
	const char *detail = NULL;
	int code = add ? API->group_add(name, &detail) : API->group_remove(name, &detail);
	if (code)
		return sup_fault(call, code, "%s", detail ? detail : name);
	return sup_reply(call, API->bool_new(true));
}

static int
m_addProcessGroup(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return group_change(call, params, true);
}

static int
m_removeProcessGroup(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	return group_change(call, params, false);
}

static int
m_sendRemoteCommEvent(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	/* Never refuses (Supervisor does not check the state here). */
	char nbuf[2][32];
	const char *str[2];
	size_t len[2];
	for (int i = 0; i < 2; i++) {
		/* Python formats any value with %s: strings, ints, booleans */
		const sup_value *v = API->array_get(params, i);
		int64_t iv;
		bool bv;
		str[i] = nbuf[i];
		if (API->get_string(v, &str[i], &len[i]) == 0)
			continue;
		if (API->type_of(v) == SUP_T_BOOL && API->get_bool(v, &bv) == 0)
			len[i] = (size_t)snprintf(nbuf[i], sizeof nbuf[i], "%s", bv ? "True" : "False");
		else if (API->get_int(v, &iv) == 0)
			len[i] = (size_t)snprintf(nbuf[i], sizeof nbuf[i], "%lld", (long long)iv);
		else
			len[i] = 0;
	}
	char *t = strndup(str[0], len[0]);
	if (t)
		API->event_remote_comm(t, str[1], len[1]);
	free(t);
	return sup_reply(call, API->bool_new(true));
}

/* ---- process information ---- */

static int
m_getProcessInfo(sup_call *call, sup_value *params, void *ud)
{
	(void)ud;
	if (dflt_refuse(call))
		return SUP_ERR;
	const char *name;
	size_t n;
	API->get_string(API->array_get(params, 0), &name, &n);
	sup_value *info = API->proc_info(name);
	if (!info)
		return sup_fault(call, SUP_FAULT_BAD_NAME, "%s", name);
	return sup_reply(call, info);
}

static int
m_getAllProcessInfo(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	sup_value *all = API->proc_list();
	return sup_reply(call, all ? all : API->array_new());
}

struct keyed {
	const sup_value *v;
	const char *name;
	int index;
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Supervisor names AUTO log files when it creates the process, in the
 * shared config object, so getAllConfigInfo shows "auto" only for groups
 * not in use; take the names from the running process. (st is our own
 * fresh copy from config_info.) */
static void
materialise_auto_logs(sup_value *st)
{
	static const char *const keys[] = {"stdout_logfile", "stderr_logfile"};
	const sup_value *inuse = API->struct_get(st, "inuse");
	bool used = false;
	if (!inuse || API->get_bool(inuse, &used) != SUP_OK || !used)
		return;
	if (strcmp(dflt_get_str(st, keys[0]), "auto") && strcmp(dflt_get_str(st, keys[1]), "auto"))
		return;
	char *spec = NULL;
	if (asprintf(&spec, "%s:%s", dflt_get_str(st, "group"), dflt_get_str(st, "name")) < 0)
		abort();
	sup_value *proc = API->proc_info(spec);
	free(spec);
	if (!proc)
		return;
	for (int i = 0; i < 2; i++) {
		const char *path = dflt_get_str(proc, keys[i]);
		if (!strcmp(dflt_get_str(st, keys[i]), "auto") && *path)
			API->struct_put(st, keys[i], sup_string(path));
	}
	API->unref(proc);
}

static int
m_getAllConfigInfo(sup_call *call, sup_value *params, void *ud)
{
	UNUSED_ARGS;
	if (dflt_refuse(call))
		return SUP_ERR;
	sup_value *info = API->config_info();
	if (!info)
		return sup_reply(call, API->array_new());
	/* sorted by process name only, stable (configinfo.sort(key=name)) */
	int n = API->array_size(info);
	struct keyed *k = calloc((size_t)n + 1, sizeof(*k));
	if (!k)
		abort();
	for (int i = 0; i < n; i++) {
		k[i].v = API->array_get(info, i);
		k[i].name = dflt_get_str(k[i].v, "name");
		k[i].index = i;
		materialise_auto_logs((sup_value *)k[i].v);
	}
	if (n > 1)
		qsort(k, (size_t)n, sizeof(*k), cmp_keyed);
	sup_value *sorted = API->array_new();
	for (int i = 0; i < n; i++)
		API->array_push(sorted, API->ref((sup_value *)k[i].v));
	free(k);
	API->unref(info);
	return sup_reply(call, sorted);
}

/* ---- registration ---- */

#define H_VERSION "Return the version of the XML-RPC API spoken by supervisord (\"3.0\").\n\n@return string version"

static const struct sup_method methods[] = {
	{"getAPIVersion", m_getAPIVersion, "s:", H_VERSION},
	{"getVersion", m_getAPIVersion, "s:", H_VERSION},
	{"getSupervisorVersion", m_getSupervisorVersion, "s:",
	 "Return the Supervisor version this supervisord is compatible with.\n\n@return string version"},
	{"getIdentification", m_getIdentification, "s:",
	 "Return the identifier of this supervisord (the identifier option).\n\n@return string identifier"},
	{"getState", m_getState, "S:",
	 "Return the state of supervisord.\n\n@return struct state {statecode: int, statename: string}"},
	{"getPID", m_getPID, "i:", "Return the process id of supervisord.\n\n@return int pid"},
	{"shutdown", m_shutdown, "b:",
	 "Shut supervisord down: its processes are stopped after this call answered.\n\n@return boolean result true"},
	{"restart", m_restart, "b:",
	 "Restart supervisord: stop everything, re-read the configuration, start again.\n\n@return boolean result true"},
	{"reloadConfig", m_reloadConfig, "A:",
	 "Re-read the configuration file and compare it with the running groups.\n\n"
	 "@return array result [[added, changed, removed]] (arrays of group names)"},
	{"addProcessGroup", m_addProcessGroup, "b:s",
	 "Activate a process group of the last-read configuration.\n\n"
	 "@param string name group name\n@return boolean result true"},
	{"removeProcessGroup", m_removeProcessGroup, "b:s",
	 "Remove a process group whose processes are all stopped from the running configuration.\n\n"
	 "@param string name group name\n@return boolean result true"},
	{"sendRemoteCommEvent", m_sendRemoteCommEvent, "b:ss,b:VV",
	 "Send a REMOTE_COMMUNICATION event to event listeners.\n\n"
	 "@param string type the event's type field\n@param string data the event's body\n"
	 "@return boolean result true"},
	{"getProcessInfo", m_getProcessInfo, "S:s",
	 "Return the state of one process.\n\n@param string name process name or group:name\n"
	 "@return struct info {name, group, start, stop, now, state, statename, spawnerr, exitstatus, "
	 "logfile, stdout_logfile, stderr_logfile, pid, description}"},
	{"getAllProcessInfo", m_getAllProcessInfo, "A:",
	 "Return the state of every process, sorted by group then process name.\n\n"
	 "@return array info structs as getProcessInfo returns them"},
	{"getAllConfigInfo", m_getAllConfigInfo, "A:",
	 "Return the configuration of every process of the last-read configuration, sorted by process name.\n\n"
	 "@return array structs of configuration values"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	mood_requested = false;
	if (API->rpc_methods(p, methods, sizeof methods / sizeof methods[0], sizeof methods[0], NULL) != SUP_OK ||
	    API->rpc_methods(p, dflt_proc_methods, dflt_proc_nmethods, sizeof dflt_proc_methods[0], NULL) != SUP_OK ||
	    API->rpc_methods(p, dflt_log_methods, dflt_log_nmethods, sizeof dflt_log_methods[0], NULL) != SUP_OK)
		return SUP_ERR;
	return SUP_OK;
}

SUP_PLUGIN_DEFINE(default, SUP_KIND_RPC, "4.2.5", init, NULL)
