/* The mock host of mock_host.h: recording implementations of struct
 * sup_api, with the daemon's contracts (registration only in init and
 * rolled back on failure, argument checks against signatures, one answer
 * per call, "API misuse" for a handler that gives none) but none of its
 * machinery. Values are the mock's own, counted so that a test can assert
 * that a plugin leaked no reference. */
#include "mock_host.h"

#include <errno.h>
#include <ffi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
xmalloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void *
xgrow(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *
xdup(const char *s)
{
	size_t n = strlen(s);
	char *d = xmalloc0(n + 1);
	memcpy(d, s, n);
	return d;
}

static char *
xvfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

static char *xfmt(const char *fmt, ...) SUP_PRINTF(1, 2);
static char *
xfmt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvfmt(fmt, ap);
	va_end(ap);
	return s;
}

/* ======================================================================
 * values */

struct sup_value {
	int refs;
	enum sup_type type;
	union {
		int64_t i;
		bool b;
		double d;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			sup_value **items;
			char **keys; /* structs only */
			int n;
		} c;
	} u;
};

static int live_values;

int mock_live_values(void) { return live_values; }

static sup_value *
val_new(enum sup_type t)
{
	sup_value *v = xmalloc0(sizeof(*v));
	v->refs = 1;
	v->type = t;
	live_values++;
	return v;
}

static void
val_unref(sup_value *v)
{
	if (!v || --v->refs > 0)
		return;
	if (v->type == SUP_T_STRING)
		free(v->u.str.s);
	if (v->type == SUP_T_ARRAY || v->type == SUP_T_STRUCT) {
		for (int i = 0; i < v->u.c.n; i++) {
			val_unref(v->u.c.items[i]);
			if (v->u.c.keys)
				free(v->u.c.keys[i]);
		}
		free(v->u.c.items);
		free(v->u.c.keys);
	}
	free(v);
	live_values--;
}

static sup_value *
val_ref(sup_value *v)
{
	if (v)
		v->refs++;
	return v;
}

static sup_value *
val_int(int64_t i)
{
	sup_value *v = val_new(SUP_T_INT);
	v->u.i = i;
	return v;
}

static sup_value *
val_bool(bool b)
{
	sup_value *v = val_new(SUP_T_BOOL);
	v->u.b = b;
	return v;
}

static sup_value *
val_double(double d)
{
	sup_value *v = val_new(SUP_T_DOUBLE);
	v->u.d = d;
	return v;
}

/* Like the daemon: no control characters but TAB, LF, CR reach a reply. */
static sup_value *
val_string(const char *s, size_t len)
{
	sup_value *v = val_new(SUP_T_STRING);
	v->u.str.s = xmalloc0(len + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		v->u.str.s[i] = (char)(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? '?' : ch);
	}
	v->u.str.len = len;
	return v;
}

static sup_value *val_cstr(const char *s) { return val_string(s, strlen(s)); }
static sup_value *val_array(void) { return val_new(SUP_T_ARRAY); }
static sup_value *val_struct(void) { return val_new(SUP_T_STRUCT); }

static int
val_push(sup_value *a, sup_value *item)
{
	if (!a || a->type != SUP_T_ARRAY || !item) {
		val_unref(item);
		return SUP_ERR;
	}
	a->u.c.items = xgrow(a->u.c.items, (size_t)(a->u.c.n + 1) * sizeof(*a->u.c.items));
	a->u.c.items[a->u.c.n++] = item;
	return SUP_OK;
}

static int
val_put(sup_value *st, const char *key, sup_value *item)
{
	if (!st || st->type != SUP_T_STRUCT || !key || !item) {
		val_unref(item);
		return SUP_ERR;
	}
	for (int i = 0; i < st->u.c.n; i++)
		if (!strcmp(st->u.c.keys[i], key)) {
			val_unref(st->u.c.items[i]);
			st->u.c.items[i] = item;
			return SUP_OK;
		}
	st->u.c.items = xgrow(st->u.c.items, (size_t)(st->u.c.n + 1) * sizeof(*st->u.c.items));
	st->u.c.keys = xgrow(st->u.c.keys, (size_t)(st->u.c.n + 1) * sizeof(*st->u.c.keys));
	st->u.c.keys[st->u.c.n] = xdup(key);
	st->u.c.items[st->u.c.n++] = item;
	return SUP_OK;
}

static enum sup_type val_type(const sup_value *v) { return v ? v->type : SUP_T_OTHER; }

static int
val_get_int(const sup_value *v, int64_t *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_INT ? v->u.i : v->u.b;
	return SUP_OK;
}

static int
val_get_bool(const sup_value *v, bool *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_BOOL ? v->u.b : v->u.i != 0;
	return SUP_OK;
}

static int
val_get_double(const sup_value *v, double *out)
{
	if (!v || (v->type != SUP_T_DOUBLE && v->type != SUP_T_INT))
		return SUP_ERR;
	*out = v->type == SUP_T_DOUBLE ? v->u.d : (double)v->u.i;
	return SUP_OK;
}

static int
val_get_string(const sup_value *v, const char **out, size_t *len)
{
	if (!v || v->type != SUP_T_STRING)
		return SUP_ERR;
	*out = v->u.str.s;
	if (len)
		*len = v->u.str.len;
	return SUP_OK;
}

static int val_size(const sup_value *v) { return v && v->type == SUP_T_ARRAY ? v->u.c.n : -1; }

static const sup_value *
val_at(const sup_value *v, int i)
{
	return v && v->type == SUP_T_ARRAY && i >= 0 && i < v->u.c.n ? v->u.c.items[i] : NULL;
}

static const sup_value *
val_get(const sup_value *v, const char *key)
{
	if (!v || v->type != SUP_T_STRUCT)
		return NULL;
	for (int i = 0; i < v->u.c.n; i++)
		if (!strcmp(v->u.c.keys[i], key))
			return v->u.c.items[i];
	return NULL;
}

sup_value *
mock_params(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sup_value *a = val_array();
	for (const char *f = fmt; *f; f++) {
		switch (*f) {
		case 'i': val_push(a, val_int(va_arg(ap, int))); break;
		case 'b': val_push(a, val_bool(va_arg(ap, int) != 0)); break;
		case 'd': val_push(a, val_double(va_arg(ap, double))); break;
		case 's': val_push(a, val_cstr(va_arg(ap, const char *))); break;
		default: val_push(a, val_struct()); break;
		}
	}
	va_end(ap);
	return a;
}

int64_t
mock_int(const sup_value *v)
{
	int64_t i = 0;
	val_get_int(v, &i);
	return i;
}

const char *
mock_str(const sup_value *v)
{
	const char *s = "";
	val_get_string(v, &s, NULL);
	return s;
}

const sup_value *mock_get(const sup_value *st, const char *key) { return val_get(st, key); }
const sup_value *mock_at(const sup_value *array, int i) { return val_at(array, i); }
int mock_len(const sup_value *array) { return val_size(array); }

/* ======================================================================
 * the log */

static struct {
	char **v;
	int n;
} logs;

static void
log_add(int level, const char *msg)
{
	const char *name = level >= SUP_LOG_CRIT ? "CRIT" : level >= SUP_LOG_ERROR ? "ERRO"
				   : level >= SUP_LOG_WARN ? "WARN" : level >= SUP_LOG_INFO ? "INFO" : "DEBG";
	logs.v = xgrow(logs.v, (size_t)(logs.n + 1) * sizeof(*logs.v));
	logs.v[logs.n++] = xfmt("%s %s", name, msg);
}

int mock_log_count(void) { return logs.n; }
const char *mock_log_line(int i) { return i >= 0 && i < logs.n ? logs.v[i] : NULL; }

int
mock_log_find(const char *needle)
{
	int n = 0;
	for (int i = 0; i < logs.n; i++)
		n += strstr(logs.v[i], needle) != NULL;
	return n;
}

/* ======================================================================
 * instances and configuration */

struct sup_plugin {
	char *name;
	const struct sup_plugin_info *info;
	char **keys, **vals;
	int nkeys;
	void *data;
	void (*free_fn)(void *);
	bool in_init;
	char *config_error;
};

static char *load_error;

const char *mock_load_error(void) { return load_error ? load_error : ""; }

static void
api_vlog(sup_plugin *p, int level, const char *fmt, va_list ap)
{
	char *msg = xvfmt(fmt, ap);
	char *line = xfmt("%s: %s", p ? p->name : "plugin", msg);
	log_add(level, line);
	free(line);
	free(msg);
}

static const char *
api_config_get(const sup_config *cfg, const char *key)
{
	const sup_plugin *p = (const sup_plugin *)cfg;
	for (int i = 0; i < p->nkeys; i++)
		if (!strcmp(p->keys[i], key))
			return p->vals[i];
	return NULL;
}

static int
api_config_check(const sup_config *cfg, const char *const *known)
{
	sup_plugin *p = (sup_plugin *)cfg;
	for (int i = 0; i < p->nkeys; i++) {
		const char *const *k = known;
		while (*k && strcmp(*k, p->keys[i]))
			k++;
		if (!*k) {
			free(p->config_error);
			p->config_error = xfmt("unknown key '%s'", p->keys[i]);
			return SUP_ERR;
		}
	}
	return SUP_OK;
}

static void
api_set_data(sup_plugin *p, void *data, void (*free_fn)(void *))
{
	p->data = data;
	p->free_fn = free_fn;
}

static void *api_get_data(sup_plugin *p) { return p->data; }
static const char *api_instance_name(sup_plugin *p) { return p->name; }

/* ======================================================================
 * methods */

struct method {
	char *name;
	sup_plugin *owner;
	bool typed;
	sup_method_fn fn;
	void (*tfn)(void);
	void *ud;
	char *signature; /* "ret:args,..." or NULL (the handler checks) */
};

static struct {
	struct method *v;
	int n;
} methods;

static bool
valid_name(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool
valid_signature(const char *sig)
{
	if (!sig || !strcmp(sig, "?"))
		return true;
	const char *letters = "ibdsASV";
	for (const char *a = sig; *a;) {
		size_t n = strcspn(a, ",");
		if (n < 2 || !strchr(letters, a[0]) || a[1] != ':')
			return false;
		for (size_t i = 2; i < n; i++)
			if (!strchr(letters, a[i]))
				return false;
		a += n;
		if (*a == ',')
			a++;
	}
	return true;
}

static struct method *
find_method(const char *name)
{
	for (int i = 0; i < methods.n; i++)
		if (!strcmp(methods.v[i].name, name))
			return &methods.v[i];
	return NULL;
}

static int
add_method(sup_plugin *p, const char *name, const char *sig, struct method m)
{
	if (!p->in_init) {
		log_add(SUP_LOG_ERROR, "API misuse: methods registered outside init()");
		errno = EBUSY;
		return SUP_ERR;
	}
	if (!valid_name(name)) {
		log_add(SUP_LOG_ERROR, "invalid method name");
		return SUP_ERR;
	}
	char *full = xfmt("%s.%s", p->name, name);
	if (find_method(full) || !valid_signature(sig)) {
		char *msg = xfmt("plugin %s: method %s: %s", p->name, full,
				 find_method(full) ? "already registered" : "bad signature");
		log_add(SUP_LOG_ERROR, msg);
		free(msg);
		free(full);
		return SUP_ERR;
	}
	m.name = full;
	m.owner = p;
	m.signature = sig && strcmp(sig, "?") ? xdup(sig) : NULL;
	methods.v = xgrow(methods.v, (size_t)(methods.n + 1) * sizeof(*methods.v));
	methods.v[methods.n++] = m;
	return SUP_OK;
}

static int
api_rpc_methods(sup_plugin *p, const struct sup_method *m, size_t n, size_t elem_size, void *ud)
{
	for (size_t i = 0; i < n; i++) {
		struct sup_method one = {0};
		memcpy(&one, (const char *)m + i * elem_size, elem_size < sizeof one ? elem_size : sizeof one);
		if (!one.fn || add_method(p, one.name, one.signature, (struct method){.fn = one.fn, .ud = ud}) != SUP_OK)
			return SUP_ERR;
	}
	return SUP_OK;
}

static int
api_rpc_typed(sup_plugin *p, const struct sup_typed_method *m, size_t n, size_t elem_size, void *ud)
{
	for (size_t i = 0; i < n; i++) {
		struct sup_typed_method one = {0};
		memcpy(&one, (const char *)m + i * elem_size, elem_size < sizeof one ? elem_size : sizeof one);
		char sig[16];
		snprintf(sig, sizeof sig, "%c:%.7s", one.rtype, one.atypes);
		if (!one.fn || strlen(one.atypes) > 6 ||
		    add_method(p, one.name, sig, (struct method){.typed = true, .tfn = one.fn, .ud = ud}) != SUP_OK)
			return SUP_ERR;
	}
	return SUP_OK;
}

static void
unregister_owner(const sup_plugin *p)
{
	int o = 0;
	for (int i = 0; i < methods.n; i++) {
		if (methods.v[i].owner == p) {
			free(methods.v[i].name);
			free(methods.v[i].signature);
		} else {
			methods.v[o++] = methods.v[i];
		}
	}
	methods.n = o;
}

int
mock_method_count(const sup_plugin *p)
{
	int n = 0;
	for (int i = 0; i < methods.n; i++)
		n += methods.v[i].owner == p;
	return n;
}

bool mock_has_method(const char *fullname) { return find_method(fullname) != NULL; }

/* ======================================================================
 * calls */

struct sup_call {
	struct mock_call pub; /* first: mock_call() hands out &pub */
	struct method *m;
	sup_cancel_fn cancel;
	void *cancel_ud;
};

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

static void
set_fault(sup_call *c, int code, const char *detail)
{
	const char *name = NULL;
	for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (fault_names[i].code == code)
			name = fault_names[i].name;
	c->pub.state = MOCK_FAULTED;
	c->pub.fault = code;
	c->pub.fault_text = !name ? xdup(detail && *detail ? detail : "UNKNOWN")
			    : detail ? xfmt("%s: %s", name, detail) : xdup(name);
}

static bool
answerable(sup_call *c)
{
	if (c && c->pub.state == MOCK_PENDING)
		return true;
	if (c)
		c->pub.misuse = true;
	log_add(SUP_LOG_ERROR, "API misuse: answer to a call that is already answered or cancelled");
	return false;
}

static int
api_reply(sup_call *c, sup_value *v)
{
	if (!answerable(c)) {
		val_unref(v);
		return SUP_ERR;
	}
	if (!v) { /* nothing to send: a plugin bug, answered as one */
		log_add(SUP_LOG_ERROR, "API misuse: reply without a value");
		c->pub.misuse = true;
		set_fault(c, SUP_FAULT_FAILED, "plugin replied without a value");
		return SUP_ERR;
	}
	c->pub.state = MOCK_REPLIED;
	c->pub.result = v;
	return SUP_OK;
}

static int
api_vfault(sup_call *c, int code, const char *fmt, va_list ap)
{
	if (!answerable(c))
		return SUP_ERR;
	char *detail = fmt ? xvfmt(fmt, ap) : NULL;
	set_fault(c, code, detail);
	free(detail);
	return SUP_ERR;
}

static int
api_defer(sup_call *c, sup_cancel_fn cancel, void *ud)
{
	if (!c || c->pub.state != MOCK_PENDING)
		return SUP_ERR;
	c->pub.deferred = true;
	c->cancel = cancel;
	c->cancel_ud = ud;
	return SUP_DEFERRED;
}

static char *mock_peer;
void
mock_set_peer(const char *peer)
{
	free(mock_peer);
	mock_peer = peer ? xdup(peer) : NULL;
}
static const char *api_call_peer(sup_call *c) { return c ? (mock_peer ? mock_peer : "unix") : ""; }
static void *api_call_ud(sup_call *c) { return c && c->m ? c->m->ud : NULL; }

static bool
type_ok(char want, const sup_value *v)
{
	switch (want) {
	case 'i':
	case 'b': return v->type == SUP_T_INT || v->type == SUP_T_BOOL;
	case 'd': return v->type == SUP_T_DOUBLE || v->type == SUP_T_INT;
	case 's': return v->type == SUP_T_STRING;
	case 'A': return v->type == SUP_T_ARRAY;
	case 'S': return v->type == SUP_T_STRUCT;
	default: return true;
	}
}

/* 0, or the daemon's fault for these arguments. */
static int
check_args(const char *sig, const sup_value *params)
{
	if (!sig)
		return 0;
	int n = params->u.c.n;
	bool count_ok = false;
	for (const char *a = sig; *a;) {
		size_t len = strcspn(a, ",");
		if ((int)len - 2 == n) {
			count_ok = true;
			int i = 0;
			while (i < n && type_ok(a[2 + i], params->u.c.items[i]))
				i++;
			if (i == n)
				return 0;
		}
		a += len;
		if (*a == ',')
			a++;
	}
	return count_ok ? SUP_FAULT_BAD_ARGUMENTS : SUP_FAULT_INCORRECT_PARAMETERS;
}

static ffi_type *
ffi_for(char t)
{
	switch (t) {
	case 'i': return &ffi_type_sint32;
	case 'b': return &ffi_type_uint8;
	case 'd': return &ffi_type_double;
	default: return &ffi_type_pointer;
	}
}

/* The typed path: C arguments from the values, libffi, a value back. */
static void
call_typed(sup_call *c, const sup_value *params)
{
	const char *sig = c->m->signature;
	char ret = sig[0];
	const char *at = sig + 2;
	int n = params->u.c.n;
	ffi_type *types[8];
	void *args[8];
	union slot {
		int32_t i;
		uint8_t b;
		double d;
		const void *p;
	} vals[8];
	types[0] = &ffi_type_pointer;
	vals[0].p = c;
	args[0] = &vals[0];
	for (int i = 0; i < n; i++) {
		const sup_value *v = params->u.c.items[i];
		union slot *s = &vals[i + 1];
		switch (at[i]) {
		case 'i': s->i = (int32_t)(v->type == SUP_T_BOOL ? v->u.b : v->u.i); break;
		case 'b': s->b = v->type == SUP_T_BOOL ? v->u.b : v->u.i != 0; break;
		case 'd': s->d = v->type == SUP_T_DOUBLE ? v->u.d : (double)v->u.i; break;
		case 's': s->p = v->u.str.s; break;
		default: s->p = v; break;
		}
		types[i + 1] = ffi_for(at[i]);
		args[i + 1] = s;
	}
	ffi_cif cif;
	if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)n + 1, ffi_for(ret), types) != FFI_OK)
		abort();
	union {
		ffi_arg raw;
		double d;
	} r = {0};
	ffi_call(&cif, c->m->tfn, &r, args);
	if (c->pub.state != MOCK_PENDING || c->pub.deferred)
		return; /* it faulted or deferred */
	sup_value *v;
	switch (ret) {
	case 'i': v = val_int((int32_t)r.raw); break;
	case 'b': v = val_bool((uint8_t)r.raw != 0); break;
	case 'd': v = val_double(r.d); break;
	case 's': v = val_cstr((const char *)(uintptr_t)r.raw ? (const char *)(uintptr_t)r.raw : ""); break;
	default: v = (sup_value *)(uintptr_t)r.raw; break;
	}
	api_reply(c, v);
}

struct mock_call *
mock_call(const char *method, sup_value *params)
{
	sup_call *c = xmalloc0(sizeof(*c));
	if (!params)
		params = val_array();
	c->m = find_method(method);
	int bad = !c->m ? SUP_FAULT_UNKNOWN_METHOD : check_args(c->m->signature, params);
	if (bad) {
		set_fault(c, bad, NULL);
	} else if (c->m->typed) {
		call_typed(c, params);
	} else {
		c->m->fn(c, params, c->m->ud);
	}
	if (c->pub.state == MOCK_PENDING && !c->pub.deferred) {
		char *msg = xfmt("API misuse: %s returned without a reply, a fault or defer()", method);
		log_add(SUP_LOG_ERROR, msg);
		free(msg);
		c->pub.misuse = true;
		set_fault(c, SUP_FAULT_FAILED, "plugin did not answer");
	}
	val_unref(params);
	return &c->pub;
}

void
mock_cancel(struct mock_call *pc)
{
	sup_call *c = (sup_call *)pc;
	if (c->pub.state != MOCK_PENDING)
		return;
	c->pub.state = MOCK_CANCELLED;
	if (c->pub.deferred && c->cancel)
		c->cancel(c, c->cancel_ud);
}

void
mock_call_free(struct mock_call *pc)
{
	if (!pc)
		return;
	val_unref(pc->result);
	free(pc->fault_text);
	free(pc);
}

/* ======================================================================
 * the loop */

struct mtimer {
	uint64_t id;
	uint64_t due;
	sup_plugin *owner;
	void (*cb)(void *);
	void *ud;
};

struct subscription {
	sup_plugin *owner;
	char *type;
	sup_event_fn cb;
	void *ud;
};

struct mwatch {
	sup_plugin *owner;
	int fd, events;
	sup_fd_fn cb;
	void *ud;
};

static struct {
	uint64_t now, next_id;
	struct mtimer *timers;
	int ntimers;
	struct subscription *subs;
	int nsubs;
	struct mwatch *watches;
	int nwatches;
} loop;

static int
find_watch(int fd)
{
	for (int i = 0; i < loop.nwatches; i++)
		if (loop.watches[i].fd == fd)
			return i;
	return -1;
}

static int
api_fd_watch(sup_plugin *p, int fd, int events, sup_fd_fn cb, void *ud)
{
	int i = find_watch(fd);
	if (fd < 0 || !cb || (events & ~(SUP_FD_READ | SUP_FD_WRITE | SUP_FD_ERROR))) {
		errno = EINVAL;
		return SUP_ERR;
	}
	if (i >= 0 && loop.watches[i].owner != p) {
		errno = EEXIST;
		return SUP_ERR;
	}
	if (i < 0) {
		loop.watches = xgrow(loop.watches, (size_t)(loop.nwatches + 1) * sizeof(*loop.watches));
		i = loop.nwatches++;
	}
	loop.watches[i] = (struct mwatch){p, fd, events, cb, ud};
	return SUP_OK;
}

static int
api_fd_unwatch(sup_plugin *p, int fd)
{
	int i = find_watch(fd);
	if (i < 0 || loop.watches[i].owner != p) {
		errno = ENOENT;
		return SUP_ERR;
	}
	loop.watches[i] = loop.watches[--loop.nwatches];
	return SUP_OK;
}

int
mock_fd_events(int fd)
{
	int i = find_watch(fd);
	return i < 0 ? -1 : loop.watches[i].events;
}

bool
mock_fd_ready(int fd, int revents)
{
	int i = find_watch(fd);
	if (i < 0 || !(revents & (loop.watches[i].events | SUP_FD_ERROR)))
		return false;
	struct mwatch w = loop.watches[i];
	w.cb(fd, revents & (w.events | SUP_FD_ERROR), w.ud);
	return true;
}

int mock_fd_watches(void) { return loop.nwatches; }
int mock_fd_at(int i) { return i >= 0 && i < loop.nwatches ? loop.watches[i].fd : -1; }

static int
api_timer_add(sup_plugin *p, unsigned ms, void (*cb)(void *), void *ud, uint64_t *id)
{
	loop.timers = xgrow(loop.timers, (size_t)(loop.ntimers + 1) * sizeof(*loop.timers));
	loop.timers[loop.ntimers++] = (struct mtimer){++loop.next_id, loop.now + ms, p, cb, ud};
	if (id)
		*id = loop.next_id;
	return SUP_OK;
}

static int
api_timer_del(sup_plugin *p, uint64_t id)
{
	(void)p;
	for (int i = 0; i < loop.ntimers; i++)
		if (loop.timers[i].id == id) {
			loop.timers[i] = loop.timers[--loop.ntimers];
			return SUP_OK;
		}
	return SUP_ERR;
}

int mock_timers_pending(void) { return loop.ntimers; }

void
mock_advance(unsigned ms)
{
	uint64_t until = loop.now + ms;
	for (;;) {
		int best = -1;
		for (int i = 0; i < loop.ntimers; i++)
			if (loop.timers[i].due <= until &&
			    (best < 0 || loop.timers[i].due < loop.timers[best].due ||
			     (loop.timers[i].due == loop.timers[best].due && loop.timers[i].id < loop.timers[best].id)))
				best = i;
		if (best < 0)
			break;
		struct mtimer t = loop.timers[best];
		loop.timers[best] = loop.timers[--loop.ntimers];
		loop.now = t.due;
		t.cb(t.ud);
	}
	loop.now = until;
}

static int
api_subscribe(sup_plugin *p, const char *type, sup_event_fn cb, void *ud)
{
	loop.subs = xgrow(loop.subs, (size_t)(loop.nsubs + 1) * sizeof(*loop.subs));
	loop.subs[loop.nsubs++] = (struct subscription){p, xdup(type), cb, ud};
	return SUP_OK;
}

void
mock_event(const char *type, const char *group, const char *name, const char *from_state)
{
	sup_value *payload = val_struct();
	val_put(payload, "processname", val_cstr(name));
	val_put(payload, "groupname", val_cstr(group));
	val_put(payload, "from_state", val_cstr(from_state));
	val_put(payload, "pid", val_int(0));
	val_put(payload, "tries", val_int(0));
	for (int i = 0; i < loop.nsubs; i++) {
		const char *s = loop.subs[i].type;
		size_t n = strlen(s);
		if (!strcmp(s, "EVENT") || !strcmp(s, type) ||
		    (!strcmp(s, "PROCESS_STATE") && !strncmp(type, s, n) && type[n] == '_'))
			loop.subs[i].cb(type, payload, loop.subs[i].ud);
	}
	val_unref(payload);
}

/* ======================================================================
 * processes and the daemon */

struct mproc {
	char *group, *name, *statename;
	int exitstatus;
	int64_t start, now;
	int codes[16];
	int ncodes;
};

static struct {
	struct mproc *v;
	int n;
	struct mock_op *ops;
	int nops;
	bool immediate;
	int daemon_state;
} procs = {.daemon_state = 1};

void
mock_proc_add(const char *group, const char *name, const char *statename, int exitstatus)
{
	procs.v = xgrow(procs.v, (size_t)(procs.n + 1) * sizeof(*procs.v));
	procs.v[procs.n++] = (struct mproc){xdup(group), xdup(name), xdup(statename), exitstatus, 0, 0, {0}, 1};
}

static struct mproc *
proc_named(const char *group, const char *name)
{
	for (int i = 0; i < procs.n; i++)
		if (!strcmp(procs.v[i].group, group) && !strcmp(procs.v[i].name, name))
			return &procs.v[i];
	return NULL;
}

void
mock_proc_set_start(const char *group, const char *name, int64_t start, int64_t now)
{
	struct mproc *p = proc_named(group, name);
	if (p) {
		p->start = start;
		p->now = now;
	}
}

void
mock_proc_set_exitcodes(const char *group, const char *name, const int *codes, int n)
{
	struct mproc *p = proc_named(group, name);
	if (!p)
		return;
	p->ncodes = n < 16 ? n : 16;
	memcpy(p->codes, codes, (size_t)p->ncodes * sizeof(*codes));
}

void mock_set_daemon_state(int state) { procs.daemon_state = state; }

/* "g:p", or "p" for the process p of group p. */
static struct mproc *
proc_find(const char *namespec)
{
	const char *colon = strchr(namespec, ':');
	if (!colon)
		return proc_named(namespec, namespec);
	char *group = xdup(namespec);
	group[colon - namespec] = '\0';
	struct mproc *p = proc_named(group, colon + 1);
	free(group);
	return p;
}

static sup_value *
info_struct(const struct mproc *p)
{
	sup_value *st = val_struct();
	val_put(st, "name", val_cstr(p->name));
	val_put(st, "group", val_cstr(p->group));
	val_put(st, "statename", val_cstr(p->statename));
	val_put(st, "exitstatus", val_int(p->exitstatus));
	val_put(st, "start", val_int(p->start));
	val_put(st, "now", val_int(p->now));
	val_put(st, "description", val_cstr(""));
	return st;
}

static sup_value *
api_proc_list(void)
{
	sup_value *a = val_array();
	for (int i = 0; i < procs.n; i++)
		val_push(a, info_struct(&procs.v[i]));
	return a;
}

static sup_value *
api_proc_info(const char *namespec)
{
	struct mproc *p = proc_find(namespec);
	if (!p) {
		errno = ENOENT;
		return NULL;
	}
	return info_struct(p);
}

static sup_value *
api_proc_select(const char *namespec)
{
	sup_value *a = val_array();
	for (int i = 0; i < procs.n; i++) {
		const struct mproc *p = &procs.v[i];
		size_t g = strlen(p->group);
		bool all = !*namespec, group = !strcmp(namespec, p->group) ||
						  (!strncmp(namespec, p->group, g) && !strcmp(namespec + g, ":*"));
		if (all || group || proc_find(namespec) == p) {
			char *spec = xfmt("%s:%s", p->group, p->name);
			val_push(a, val_cstr(spec));
			free(spec);
		}
	}
	if (!val_size(a)) {
		val_unref(a);
		errno = ENOENT;
		return NULL;
	}
	return a;
}

static sup_value *
api_config_info(void)
{
	sup_value *a = val_array();
	for (int i = 0; i < procs.n; i++) {
		sup_value *st = val_struct(), *codes = val_array();
		val_put(st, "name", val_cstr(procs.v[i].name));
		val_put(st, "group", val_cstr(procs.v[i].group));
		for (int k = 0; k < procs.v[i].ncodes; k++)
			val_push(codes, val_int(procs.v[i].codes[k]));
		val_put(st, "exitcodes", codes);
		val_push(a, st);
	}
	return a;
}

static int
record_op(const char *namespec, bool start, bool wait, sup_done_fn done, void *ud)
{
	procs.ops = xgrow(procs.ops, (size_t)(procs.nops + 1) * sizeof(*procs.ops));
	procs.ops[procs.nops++] = (struct mock_op){xdup(namespec), start, wait, false, done, ud};
	if (!proc_find(namespec))
		mock_op_finish(procs.nops - 1, SUP_FAULT_BAD_NAME, namespec);
	else if (procs.immediate)
		mock_op_finish(procs.nops - 1, 0, NULL);
	return SUP_OK;
}

static int
api_proc_start(const char *namespec, bool wait, sup_done_fn done, void *ud)
{
	return record_op(namespec, true, wait, done, ud);
}

static int
api_proc_stop(const char *namespec, bool wait, sup_done_fn done, void *ud)
{
	return record_op(namespec, false, wait, done, ud);
}

int mock_ops_count(void) { return procs.nops; }
const struct mock_op *mock_op(int i) { return i >= 0 && i < procs.nops ? &procs.ops[i] : NULL; }
void mock_ops_immediate(bool on) { procs.immediate = on; }

void
mock_op_finish(int i, int fault, const char *detail)
{
	struct mock_op *op = &procs.ops[i];
	if (op->finished)
		return;
	op->finished = true;
	struct mproc *p = proc_find(op->namespec);
	if (p && !fault) {
		free(p->statename);
		p->statename = xdup(op->start ? "RUNNING" : "STOPPED");
	}
	op->done(fault, detail, op->ud); /* exactly once, as the daemon does */
}

static int
api_proc_signal(const char *namespec, int signo, const char **detail)
{
	(void)signo;
	*detail = namespec;
	return proc_find(namespec) ? 0 : SUP_FAULT_BAD_NAME;
}

static int
api_proc_stdin(const char *namespec, const char *data, size_t len, const char **detail)
{
	(void)data;
	(void)len;
	*detail = namespec;
	return proc_find(namespec) ? 0 : SUP_FAULT_BAD_NAME;
}

static int
api_proc_clear_logs(const char *namespec, const char **detail)
{
	*detail = namespec;
	return proc_find(namespec) ? 0 : SUP_FAULT_BAD_NAME;
}

static char *
api_log_path(const char *namespec, const char *channel, int *fault)
{
	(void)namespec;
	(void)channel;
	*fault = SUP_FAULT_NO_FILE;
	return NULL;
}

static int
api_main_log_clear(const char **detail)
{
	*detail = "";
	return 0;
}

static int api_daemon_state(void) { return procs.daemon_state; }
static int api_daemon_pid(void) { return 4242; }
static const char *api_daemon_identifier(void) { return "supervisor"; }
static void api_daemon_shutdown(void) { log_add(SUP_LOG_INFO, "mock: shutdown requested"); }
static void api_daemon_restart(void) { log_add(SUP_LOG_INFO, "mock: restart requested"); }

static sup_value *
api_config_reread(const char **detail)
{
	*detail = "not in the mock";
	return NULL;
}

static int
api_group_add(const char *name, const char **detail)
{
	(void)name;
	*detail = "not in the mock";
	return SUP_FAULT_FAILED;
}

static int
api_group_remove(const char *name, const char **detail)
{
	(void)name;
	*detail = "not in the mock";
	return SUP_FAULT_FAILED;
}

static int
api_event_remote_comm(const char *type, const char *data, size_t len)
{
	(void)data;
	char *line = xfmt("REMOTE_COMMUNICATION type:%s (%zu bytes)", type, len);
	log_add(SUP_LOG_DEBUG, line);
	free(line);
	return SUP_OK;
}

static const struct sup_api api = {
	.abi_major = SUP_ABI_MAJOR,
	.abi_minor = SUP_ABI_MINOR,
	.size = sizeof(struct sup_api),
	.vlog = api_vlog,
	.config_get = api_config_get,
	.config_check = api_config_check,
	.set_data = api_set_data,
	.get_data = api_get_data,
	.instance_name = api_instance_name,
	.int_new = val_int,
	.bool_new = val_bool,
	.double_new = val_double,
	.string_new = val_string,
	.array_new = val_array,
	.struct_new = val_struct,
	.array_push = val_push,
	.struct_put = val_put,
	.ref = val_ref,
	.unref = val_unref,
	.type_of = val_type,
	.get_int = val_get_int,
	.get_bool = val_get_bool,
	.get_double = val_get_double,
	.get_string = val_get_string,
	.array_size = val_size,
	.array_get = val_at,
	.struct_get = val_get,
	.rpc_methods = api_rpc_methods,
	.rpc_typed = api_rpc_typed,
	.reply = api_reply,
	.vfault = api_vfault,
	.defer = api_defer,
	.call_peer = api_call_peer,
	.timer_add = api_timer_add,
	.timer_del = api_timer_del,
	.subscribe = api_subscribe,
	.proc_list = api_proc_list,
	.proc_info = api_proc_info,
	.proc_select = api_proc_select,
	.proc_start = api_proc_start,
	.proc_stop = api_proc_stop,
	.proc_signal = api_proc_signal,
	.proc_stdin = api_proc_stdin,
	.proc_clear_logs = api_proc_clear_logs,
	.log_path = api_log_path,
	.main_log_clear = api_main_log_clear,
	.daemon_state = api_daemon_state,
	.daemon_pid = api_daemon_pid,
	.daemon_identifier = api_daemon_identifier,
	.daemon_shutdown = api_daemon_shutdown,
	.daemon_restart = api_daemon_restart,
	.config_reread = api_config_reread,
	.config_info = api_config_info,
	.group_add = api_group_add,
	.group_remove = api_group_remove,
	.event_remote_comm = api_event_remote_comm,
	/* 1.1 */
	.fd_watch = api_fd_watch,
	.fd_unwatch = api_fd_unwatch,
	.call_ud = api_call_ud,
};

const struct sup_api *mock_api(void) { return &api; }

/* ======================================================================
 * loading */

static void
instance_free(sup_plugin *p)
{
	if (p->free_fn)
		p->free_fn(p->data);
	for (int i = 0; i < p->nkeys; i++) {
		free(p->keys[i]);
		free(p->vals[i]);
	}
	free(p->keys);
	free(p->vals);
	free(p->name);
	free(p->config_error);
	free(p);
}

/* Timers, subscriptions and fd watches of p end with it. */
static void
drop_owned(const sup_plugin *p)
{
	int o = 0;
	for (int i = 0; i < loop.ntimers; i++)
		if (loop.timers[i].owner != p)
			loop.timers[o++] = loop.timers[i];
	loop.ntimers = o;
	o = 0;
	for (int i = 0; i < loop.nsubs; i++) {
		if (loop.subs[i].owner == p)
			free(loop.subs[i].type);
		else
			loop.subs[o++] = loop.subs[i];
	}
	loop.nsubs = o;
	o = 0;
	for (int i = 0; i < loop.nwatches; i++)
		if (loop.watches[i].owner != p)
			loop.watches[o++] = loop.watches[i];
	loop.nwatches = o;
}

sup_plugin *
mock_load(const struct sup_plugin_info *(*query)(void), const char *name, const char *const *kv)
{
	free(load_error);
	load_error = NULL;
	const struct sup_plugin_info *info = query();
	if (!info || info->magic != SUP_PLUGIN_MAGIC || info->abi_major != SUP_ABI_MAJOR ||
	    info->abi_minor > SUP_ABI_MINOR || info->size < sizeof(*info) || !(info->kinds & SUP_KIND_RPC) ||
	    !info->init) {
		load_error = xdup("refused: bad magic block");
		return NULL;
	}
	sup_plugin *p = xmalloc0(sizeof(*p));
	p->name = xdup(name);
	p->info = info;
	for (int i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
		p->keys = xgrow(p->keys, (size_t)(p->nkeys + 1) * sizeof(*p->keys));
		p->vals = xgrow(p->vals, (size_t)(p->nkeys + 1) * sizeof(*p->vals));
		p->keys[p->nkeys] = xdup(kv[i]);
		p->vals[p->nkeys++] = xdup(kv[i + 1]);
	}
	p->in_init = true;
	int rc = info->init(p, &api, (const sup_config *)p);
	p->in_init = false;
	if (rc != SUP_OK || p->config_error) {
		unregister_owner(p);
		drop_owned(p);
		if (info->fini)
			info->fini(p);
		load_error = p->config_error ? xdup(p->config_error) : xdup("init failed");
		instance_free(p);
		return NULL;
	}
	return p;
}

void
mock_unload(sup_plugin *p)
{
	if (!p)
		return;
	unregister_owner(p);
	drop_owned(p);
	if (p->info->fini)
		p->info->fini(p);
	instance_free(p);
}

void
mock_reset(void)
{
	for (int i = 0; i < methods.n; i++) {
		free(methods.v[i].name);
		free(methods.v[i].signature);
	}
	free(methods.v);
	methods.v = NULL;
	methods.n = 0;
	for (int i = 0; i < loop.nsubs; i++)
		free(loop.subs[i].type);
	free(loop.subs);
	free(loop.timers);
	free(loop.watches);
	loop.subs = NULL;
	loop.timers = NULL;
	loop.watches = NULL;
	loop.nsubs = loop.ntimers = loop.nwatches = 0;
	mock_set_peer(NULL);
	loop.now = 0;
	for (int i = 0; i < procs.n; i++) {
		free(procs.v[i].group);
		free(procs.v[i].name);
		free(procs.v[i].statename);
	}
	free(procs.v);
	for (int i = 0; i < procs.nops; i++)
		free(procs.ops[i].namespec);
	free(procs.ops);
	procs.v = NULL;
	procs.ops = NULL;
	procs.n = procs.nops = 0;
	procs.immediate = false;
	procs.daemon_state = 1;
	for (int i = 0; i < logs.n; i++)
		free(logs.v[i]);
	free(logs.v);
	logs.v = NULL;
	logs.n = 0;
	free(load_error);
	load_error = NULL;
}
