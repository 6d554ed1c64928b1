#include "rpc.h"

#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

enum method_kind { M_VALUE, M_TYPED, M_SYSTEM };

/* One signature alternative: return letter and argument letters. */
struct alt {
	char ret;
	char args[16];
	int nargs;
};

struct method {
	char *name; /* "namespace.method" */
	enum method_kind kind;
	sup_plugin *owner;
	sup_method_fn fn;
	void *ud;
	char *help;
	struct alt *alts;
	int nalts;
	/* typed */
	void (*tfn)(void);
	ffi_cif cif;
	ffi_type *argtypes[8];
};

struct sup_call {
	struct method *m;
	char *method_name;
	sup_value *params;
	char peer[64];
	int refs; /* the in-flight reference, plus holders during dispatch */
	bool answered, deferred, cancelled, mc_dispatching;
	sup_cancel_fn cancel;
	void *cancel_ud;
	rpc_done_fn *done;
	void *done_ud;
	/* multicall: the sub-call in flight and the results so far */
	sup_call *child;
	sup_value *results;
	int next;
};

static struct {
	struct method **v;
	int n, cap;
	bool sealed;
} table;

static const struct { int code; const char *name; } faults[] = {
	{1, "UNKNOWN_METHOD"}, {2, "INCORRECT_PARAMETERS"}, {3, "BAD_ARGUMENTS"},
	{4, "SIGNATURE_UNSUPPORTED"}, {6, "SHUTDOWN_STATE"}, {10, "BAD_NAME"},
	{11, "BAD_SIGNAL"}, {20, "NO_FILE"}, {21, "NOT_EXECUTABLE"}, {30, "FAILED"},
	{40, "ABNORMAL_TERMINATION"}, {50, "SPAWN_ERROR"}, {60, "ALREADY_STARTED"},
	{70, "NOT_RUNNING"}, {80, "SUCCESS"}, {90, "ALREADY_ADDED"},
	{91, "STILL_RUNNING"}, {92, "CANT_REREAD"},
};

const char *
fault_name(int code)
{
	for (size_t i = 0; i < ARRAY_LEN(faults); i++)
		if (faults[i].code == code)
			return faults[i].name;
	return NULL;
}

/* ---- the table ---- */

static int
parse_signature(const char *sig, struct method *m)
{
	if (!sig || streq(sig, "?"))
		return 0; /* the handler checks its own arguments */
	char *copy = xstrdup(sig), *save = NULL;
	for (char *a = strtok_r(copy, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		struct alt alt = {0};
		char *colon = strchr(a, ':');
		if (!colon || colon - a != 1 || strlen(colon + 1) >= sizeof alt.args ||
		    strspn(a, "ibdsASV") != 1 || strspn(colon + 1, "ibdsASV") != strlen(colon + 1)) {
			free(copy);
			return -1;
		}
		alt.ret = a[0];
		strcpy(alt.args, colon + 1);
		alt.nargs = (int)strlen(alt.args);
		m->alts = xrealloc(m->alts, (size_t)(m->nalts + 1) * sizeof(*m->alts));
		m->alts[m->nalts++] = alt;
	}
	free(copy);
	return 0;
}

static bool
valid_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static struct method *
find(const char *name)
{
	int lo = 0, hi = table.n - 1;
	if (!table.sealed) { /* during loading: a plain scan */
		for (int i = 0; i < table.n; i++)
			if (streq(table.v[i]->name, name))
				return table.v[i];
		return NULL;
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(table.v[mid]->name, name);
		if (!c)
			return table.v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static struct method *
add_method(sup_plugin *owner, const char *ns, const char *name, const char *sig, const char *help)
{
	if (!valid_name(ns) || !valid_name(name)) {
		log_error("plugin %s: invalid method name '%s.%s'", ns, ns, name ? name : "");
		return NULL;
	}
	char *full = xasprintf("%s.%s", ns, name);
	if (find(full)) {
		log_error("plugin %s: method %s is already registered", ns, full);
		free(full);
		return NULL;
	}
	struct method *m = xcalloc(1, sizeof(*m));
	m->name = full;
	m->owner = owner;
	m->help = xstrdup(help ? help : "");
	if (parse_signature(sig, m) < 0) {
		log_error("plugin %s: method %s: bad signature '%s'", ns, full, sig);
		free(m->help);
		free(m->name);
		free(m);
		return NULL;
	}
	if (table.n == table.cap) {
		table.cap = table.cap ? 2 * table.cap : 64;
		table.v = xrealloc(table.v, (size_t)table.cap * sizeof(*table.v));
	}
	table.v[table.n++] = m;
	table.sealed = false;
	return m;
}

int
rpc_register(sup_plugin *owner, const char *ns, const struct sup_method *sm, void *ud)
{
	struct method *m = add_method(owner, ns, sm->name, sm->signature, sm->help);
	if (!m || !sm->fn)
		return SUP_ERR;
	m->kind = M_VALUE;
	m->fn = sm->fn;
	m->ud = ud;
	return SUP_OK;
}

static ffi_type *
ffi_for(char t)
{
	switch (t) {
	case 'i': return &ffi_type_sint32;
	case 'b': return &ffi_type_uint8;
	case 'd': return &ffi_type_double;
	default: return &ffi_type_pointer; /* 's', 'V', and the call handle */
	}
}

int
rpc_register_typed(sup_plugin *owner, const char *ns, const struct sup_typed_method *tm, void *ud)
{
	size_t nargs = strnlen(tm->atypes, sizeof tm->atypes);
	char sig[32];
	snprintf(sig, sizeof sig, "%c:%.*s", tm->rtype, (int)nargs, tm->atypes);
	struct method *m = add_method(owner, ns, tm->name, sig, tm->help);
	if (!m || !tm->fn || nargs > 6)
		return SUP_ERR;
	m->kind = M_TYPED;
	m->tfn = tm->fn;
	m->ud = ud;
	m->argtypes[0] = &ffi_type_pointer;
	for (size_t i = 0; i < nargs; i++)
		m->argtypes[i + 1] = ffi_for(tm->atypes[i]);
	if (ffi_prep_cif(&m->cif, FFI_DEFAULT_ABI, (unsigned)nargs + 1, ffi_for(tm->rtype), m->argtypes) != FFI_OK)
		return SUP_ERR;
	return SUP_OK;
}

static void
method_free(struct method *m)
{
	free(m->name);
	free(m->help);
	free(m->alts);
	free(m);
}

void
rpc_unregister_owner(sup_plugin *owner)
{
	int o = 0;
	for (int i = 0; i < table.n; i++) {
		if (table.v[i]->owner == owner && owner)
			method_free(table.v[i]);
		else
			table.v[o++] = table.v[i];
	}
	table.n = o;
}

int
rpc_count_owner(const sup_plugin *owner)
{
	int n = 0;
	for (int i = 0; i < table.n; i++)
		n += table.v[i]->owner == owner;
	return n;
}

static int
cmp_method(const void *a, const void *b)
{
	return strcmp((*(struct method *const *)a)->name, (*(struct method *const *)b)->name);
}

void
rpc_seal(void)
{
	if (table.n > 1)
		qsort(table.v, (size_t)table.n, sizeof(*table.v), cmp_method);
	table.sealed = true;
}

/* ---- calls ---- */

static sup_call *
call_new(const char *method, sup_value *params, const char *peer, rpc_done_fn *done, void *ud)
{
	sup_call *c = xcalloc(1, sizeof(*c));
	c->refs = 1;
	c->method_name = xstrdup(method);
	c->params = params ? params : rv_array();
	snprintf(c->peer, sizeof c->peer, "%s", peer ? peer : "");
	c->done = done;
	c->done_ud = ud;
	return c;
}

static void
call_unref(sup_call *c)
{
	if (--c->refs > 0)
		return;
	rv_unref(c->params);
	rv_unref(c->results);
	free(c->method_name);
	free(c);
}

/* The call has its answer: hand it on and drop the in-flight reference. */
static void
finish(sup_call *c, const sup_value *result, int fault, const char *text)
{
	c->answered = true;
	if (log_enabled(LV_TRAC)) {
		if (fault)
			log_trace("XML-RPC method %s() returned fault: [%d] %s", c->method_name, fault, text);
		else
			log_trace("XML-RPC method %s() returned successfully", c->method_name);
	}
	if (!c->cancelled)
		c->done(c, result, fault, text, c->done_ud);
	call_unref(c);
}

static void
finish_fault(sup_call *c, int code, const char *detail)
{
	/* "NAME: detail", or the bare name without a detail (NULL); an empty
	 * detail keeps its separator, as Supervisor's "BAD_NAME: " does */
	const char *name = fault_name(code);
	char *text = !name ? xstrdup(detail && *detail ? detail : "UNKNOWN")
		     : detail ? xasprintf("%s: %s", name, detail) : xstrdup(name);
	finish(c, NULL, code, text);
	free(text);
}

int
rpc_api_reply(sup_call *c, sup_value *v)
{
	if (!c || c->answered) {
		rv_unref(v);
		return SUP_ERR;
	}
	if (!v) {
		log_error("API misuse: %s replied without a value", c->method_name);
		finish_fault(c, SUP_FAULT_FAILED, "plugin replied without a value");
		return SUP_ERR;
	}
	finish(c, v, 0, NULL);
	rv_unref(v);
	return SUP_OK;
}

int
rpc_api_vfault(sup_call *c, int code, const char *fmt, va_list ap)
{
	if (!c || c->answered)
		return SUP_ERR;
	char *detail = fmt ? xvasprintf(fmt, ap) : NULL;
	finish_fault(c, code, detail);
	free(detail);
	return SUP_ERR;
}

int
rpc_api_defer(sup_call *c, sup_cancel_fn cancel, void *ud)
{
	if (!c || c->answered)
		return SUP_ERR;
	c->deferred = true;
	c->cancel = cancel;
	c->cancel_ud = ud;
	return SUP_DEFERRED;
}

const char *rpc_api_peer(sup_call *c) { return c->peer; }

static bool
type_ok(char want, const sup_value *v)
{
	switch (want) {
	case 'i': return v->type == SUP_T_INT || v->type == SUP_T_BOOL;
	case 'b': return v->type == SUP_T_BOOL || v->type == SUP_T_INT;
	case 'd': return v->type == SUP_T_DOUBLE || v->type == SUP_T_INT;
	case 's': return v->type == SUP_T_STRING;
	case 'A': return v->type == SUP_T_ARRAY;
	case 'S': return v->type == SUP_T_STRUCT;
	default: return true;
	}
}

/* 0, or the fault code for these arguments. */
static int
check_args(const struct method *m, const sup_value *params)
{
	if (!m->nalts)
		return 0;
	int n = params->u.arr.n;
	bool count_ok = false;
	for (int a = 0; a < m->nalts; a++) {
		if (m->alts[a].nargs != n)
			continue;
		count_ok = true;
		int i;
		for (i = 0; i < n && type_ok(m->alts[a].args[i], params->u.arr.items[i]); i++)
			;
		if (i == n)
			return 0;
	}
	return count_ok ? SUP_FAULT_BAD_ARGUMENTS : SUP_FAULT_INCORRECT_PARAMETERS;
}

static sup_value *
typed_result(char t, ffi_arg raw, double d)
{
	switch (t) {
	case 'i': return rv_int((int32_t)raw);
	case 'b': return rv_bool((uint8_t)raw != 0);
	case 'd': return rv_double(d);
	case 's': return rv_cstr((const char *)(uintptr_t)raw ? (const char *)(uintptr_t)raw : "");
	default: return (sup_value *)(uintptr_t)raw; /* stolen */
	}
}

static void
invoke_typed(sup_call *c)
{
	struct method *m = c->m;
	void *args[8];
	union slot { int32_t i; uint8_t b; double d; const void *p; } vals[8];
	vals[0].p = c;
	args[0] = &vals[0];
	for (int i = 0; i < c->params->u.arr.n; i++) {
		const sup_value *v = c->params->u.arr.items[i];
		char t = m->alts[0].args[i];
		union slot *slot = &vals[i + 1];
		switch (t) {
		case 'i': slot->i = (int32_t)(v->type == SUP_T_BOOL ? v->u.b : v->u.i); break;
		case 'b': slot->b = v->type == SUP_T_BOOL ? v->u.b : v->u.i != 0; break;
		case 'd': slot->d = v->type == SUP_T_DOUBLE ? v->u.d : (double)v->u.i; break;
		case 's': slot->p = v->u.str.s; break;
		default: slot->p = v; break;
		}
		args[i + 1] = slot;
	}
	union { ffi_arg raw; double d; } ret = {0};
	ffi_call(&m->cif, m->tfn, &ret, args);
	if (c->answered || c->deferred)
		return; /* it faulted or deferred: the return value means nothing */
	char rt = m->alts[0].ret;
	rpc_api_reply(c, typed_result(rt, ret.raw, rt == 'd' ? ret.d : 0));
}

static void system_method(sup_call *c);

static void
dispatch(sup_call *c)
{
	log_trace("XML-RPC method called: %s()", c->method_name);
	c->m = find(c->method_name);
	if (!c->m) {
		finish_fault(c, SUP_FAULT_UNKNOWN_METHOD, NULL);
		return;
	}
	int bad = check_args(c->m, c->params);
	if (bad) {
		finish_fault(c, bad, NULL);
		return;
	}
	c->refs++; /* the handler may answer, and so drop the in-flight ref */
	switch (c->m->kind) {
	case M_VALUE:
		c->m->fn(c, c->params, c->m->ud);
		break;
	case M_TYPED:
		invoke_typed(c);
		break;
	case M_SYSTEM:
		system_method(c);
		break;
	}
	if (!c->answered && !c->deferred && !c->cancelled) {
		log_error("API misuse: %s returned without a reply, a fault or defer()", c->method_name);
		finish_fault(c, SUP_FAULT_FAILED, "plugin did not answer");
	}
	call_unref(c);
}

sup_call *
rpc_call(const char *method, sup_value *params, const char *peer, rpc_done_fn *done, void *ud)
{
	sup_call *c = call_new(method, params, peer, done, ud);
	c->refs++;
	if (c->params->type != SUP_T_ARRAY)
		finish_fault(c, SUP_FAULT_INCORRECT_PARAMETERS, NULL);
	else
		dispatch(c);
	sup_call *pending = c->answered ? NULL : c;
	call_unref(c);
	return pending;
}

void
rpc_cancel(sup_call *c)
{
	if (!c || c->answered || c->cancelled)
		return;
	c->cancelled = true;
	if (c->child)
		rpc_cancel(c->child);
	if (c->deferred && c->cancel)
		c->cancel(c, c->cancel_ud);
	c->answered = true;
	c->done(c, NULL, RPC_CANCELLED, NULL, c->done_ud); /* lets the owner clean up */
	call_unref(c); /* the in-flight reference: nobody may answer now */
}

/* ---- system.* ---- */

static const char *
type_word(char t)
{
	switch (t) {
	case 'i': return "int";
	case 'b': return "boolean";
	case 'd': return "double";
	case 's': return "string";
	case 'A': return "array";
	case 'S': return "struct";
	default: return "undef";
	}
}

static void multicall_next(sup_call *c);

static void
multicall_done(sup_call *sub, const sup_value *result, int fault, const char *text, void *ud)
{
	(void)sub;
	sup_call *c = ud;
	c->child = NULL;
	if (fault == RPC_CANCELLED)
		return;
	if (fault) {
		sup_value *f = rv_struct();
		rv_put(f, "faultCode", rv_int(fault));
		rv_put(f, "faultString", rv_cstr(text));
		rv_push(c->results, f);
	} else {
		/* Supervisor's quirk: the plain value, not wrapped in an array */
		rv_push(c->results, rv_ref((sup_value *)result));
	}
	if (!c->mc_dispatching) /* a deferred sub-call finished: go on */
		multicall_next(c);
}

static void
multicall_fault(sup_call *c, const char *text)
{
	sup_value *f = rv_struct();
	rv_put(f, "faultCode", rv_int(SUP_FAULT_INCORRECT_PARAMETERS));
	rv_put(f, "faultString", rv_cstr(text));
	rv_push(c->results, f);
}

/* Run sub-calls in order; a deferred one suspends the sequence. */
static void
multicall_next(sup_call *c)
{
	const sup_value *calls = c->params->u.arr.items[0];
	while (c->next < calls->u.arr.n && !c->cancelled) {
		const sup_value *sub = calls->u.arr.items[c->next++];
		const sup_value *name = rv_get(sub, "methodName");
		const sup_value *params = rv_get(sub, "params");
		if (!name || name->type != SUP_T_STRING) {
			multicall_fault(c, "INCORRECT_PARAMETERS: No methodName");
			continue;
		}
		if (streq(name->u.str.s, "system.multicall")) {
			multicall_fault(c, "INCORRECT_PARAMETERS: Recursive system.multicall forbidden");
			continue;
		}
		sup_value *p = params ? rv_ref((sup_value *)params) : rv_array();
		sup_call *child = call_new(name->u.str.s, p, c->peer, multicall_done, c);
		c->child = child;
		c->mc_dispatching = true;
		if (p->type != SUP_T_ARRAY)
			finish_fault(child, SUP_FAULT_INCORRECT_PARAMETERS, NULL);
		else
			dispatch(child);
		c->mc_dispatching = false;
		if (c->child) { /* still pending: multicall_done resumes us */
			if (!c->deferred)
				rpc_api_defer(c, NULL, NULL);
			return;
		}
	}
	if (!c->cancelled)
		rpc_api_reply(c, rv_ref(c->results));
}

static void
system_method(sup_call *c)
{
	const char *m = c->m->name + strlen("system.");
	const sup_value *p = c->params;
	if (streq(m, "listMethods")) {
		sup_value *a = rv_array();
		for (int i = 0; i < table.n; i++)
			rv_push(a, rv_cstr(table.v[i]->name));
		rpc_api_reply(c, a);
	} else if (streq(m, "methodHelp") || streq(m, "methodSignature")) {
		struct method *target = find(p->u.arr.items[0]->u.str.s);
		if (!target || (m[6] == 'S' && !target->nalts)) {
			finish_fault(c, SUP_FAULT_SIGNATURE_UNSUPPORTED, NULL);
			return;
		}
		if (m[6] == 'H') {
			rpc_api_reply(c, rv_cstr(target->help));
			return;
		}
		/* Supervisor's flat [return, params...] of the longest form */
		const struct alt *best = &target->alts[0];
		for (int i = 1; i < target->nalts; i++)
			if (target->alts[i].nargs > best->nargs)
				best = &target->alts[i];
		sup_value *a = rv_array();
		rv_push(a, rv_cstr(type_word(best->ret)));
		for (int i = 0; i < best->nargs; i++)
			rv_push(a, rv_cstr(type_word(best->args[i])));
		rpc_api_reply(c, a);
	} else if (streq(m, "multicall")) {
		c->results = rv_array();
		multicall_next(c);
	} else {
		finish_fault(c, SUP_FAULT_UNKNOWN_METHOD, NULL);
	}
}

static const struct { const char *name, *sig, *help; } system_methods[] = {
	{"listMethods", "A:", "Return an array listing the available method names\n\n@return array result  An array of method names available (strings)."},
	{"methodHelp", "s:s", "Return a string showing the method's documentation\n\n@param string name   The name of the method.\n@return string result The documentation for the method name."},
	{"methodSignature", "A:s", "Return an array describing the method signature in the form [rtype, ptype, ptype...] where rtype is the return data type of the method, and ptypes are the parameter data types that the method accepts in method argument order.\n\n@param string name  The name of the method.\n@return array result  The result."},
	{"multicall", "A:A", "Process an array of calls, and return an array of results. Calls should be structs of the form {'methodName': string, 'params': array}. Each result will either be a single-item array containing the result value, or a struct of the form {'faultCode': int, 'faultString': string}. This is useful when you need to make lots of small calls without lots of round trips.\n\n@param array calls  An array of call requests\n@return array result  An array of results"},
};

void
rpc_init(void)
{
	for (size_t i = 0; i < ARRAY_LEN(system_methods); i++) {
		struct method *m = add_method(NULL, "system", system_methods[i].name, system_methods[i].sig, system_methods[i].help);
		if (m)
			m->kind = M_SYSTEM;
	}
}

void
rpc_free(void)
{
	for (int i = 0; i < table.n; i++)
		method_free(table.v[i]);
	free(table.v);
	table.v = NULL;
	table.n = table.cap = 0;
	table.sealed = false;
}

/* ---- one HTTP request ---- */

struct serve {
	rpc_http_reply_fn *reply;
	void *ud;
	sup_call *call;
};

static void
serve_done(sup_call *c, const sup_value *result, int fault, const char *text, void *ud)
{
	(void)c;
	struct serve *s = ud;
	if (fault == RPC_CANCELLED) {
		free(s);
		return;
	}
	char *body = NULL;
	size_t len = 0;
	int rc = fault ? rv_serialize_fault(fault, text, &body, &len) : rv_serialize_response(result, &body, &len);
	if (rc < 0)
		s->reply(500, NULL, 0, s->ud);
	else
		s->reply(200, body, len, s->ud);
	free(body);
	free(s);
}

sup_call *
rpc_serve(const char *xml, size_t len, const char *peer, rpc_http_reply_fn *reply, void *ud)
{
	char *method = NULL, *err = NULL;
	sup_value *params = NULL;
	if (rv_parse_call(xml, len, &method, &params, &err) < 0) {
		char *shown = xstrndup(xml, len > 200 ? 200 : len);
		char *r = pyrepr(shown);
		log_error("XML-RPC request data %s is invalid: unmarshallable", r);
		free(r);
		free(shown);
		free(err);
		reply(400, NULL, 0, ud);
		return NULL;
	}
	if (!*method) {
		log_error("XML-RPC request data is invalid: no method name");
		free(method);
		rv_unref(params);
		reply(400, NULL, 0, ud);
		return NULL;
	}
	struct serve *s = xcalloc(1, sizeof(*s));
	s->reply = reply;
	s->ud = ud;
	sup_call *c = call_new(method, params, peer, serve_done, s);
	free(method);
	c->refs++;
	dispatch(c);
	sup_call *pending = c->answered ? NULL : c;
	call_unref(c);
	return pending;
}

/* sup_api.call_ud (1.1): the ud registered with the call's method. */
void *
rpc_api_call_ud(sup_call *c)
{
	return c && c->m && c->m->kind != M_SYSTEM ? c->m->ud : NULL;
}
