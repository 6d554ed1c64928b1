#include "rpcvalue.h"

#include <stdlib.h>
#include <string.h>
#include <xmlrpc-c/base.h>

#include "util.h"

/* Nested arrays/structs deeper than this are refused when parsing. */
#define MAX_DEPTH 64

static sup_value *
rv_new(enum sup_type t)
{
	sup_value *v = xcalloc(1, sizeof(*v));
	v->refs = 1;
	v->type = t;
	return v;
}

sup_value *rv_int(int64_t x) { sup_value *v = rv_new(SUP_T_INT); v->u.i = x; return v; }
sup_value *rv_bool(bool x) { sup_value *v = rv_new(SUP_T_BOOL); v->u.b = x; return v; }
sup_value *rv_double(double x) { sup_value *v = rv_new(SUP_T_DOUBLE); v->u.d = x; return v; }
sup_value *rv_array(void) { return rv_new(SUP_T_ARRAY); }
sup_value *rv_struct(void) { return rv_new(SUP_T_STRUCT); }
sup_value *rv_cstr(const char *s) { return rv_string(s, strlen(s)); }

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	if (p[0] < 0x80)
		return 1;
	size_t len = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (len == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
		return 0; /* overlong, surrogates */
	if (len == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
		return 0;
	return len;
}

sup_value *
rv_string(const char *s, size_t len)
{
	/* Process output is arbitrary bytes: XML 1.0 allows neither C0
	 * controls (but TAB, LF, CR) nor invalid UTF-8, so those become '?'
	 * and U+FFFD; every client can then parse the reply. */
	struct strbuf sb = {0};
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') {
			sb_addc(&sb, '?');
			i++;
			continue;
		}
		size_t n = utf8_seq(p + i, len - i);
		if (!n) {
			sb_adds(&sb, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		sb_add(&sb, (const char *)p + i, n);
		i += n;
	}
	sup_value *v = rv_new(SUP_T_STRING);
	v->u.str.len = sb.len;
	v->u.str.s = sb_steal(&sb);
	return v;
}

int
rv_push(sup_value *a, sup_value *item)
{
	if (!a || a->type != SUP_T_ARRAY || !item) {
		rv_unref(item);
		return -1;
	}
	if (a->u.arr.n == a->u.arr.cap) {
		a->u.arr.cap = a->u.arr.cap ? 2 * a->u.arr.cap : 8;
		a->u.arr.items = xrealloc(a->u.arr.items, (size_t)a->u.arr.cap * sizeof(sup_value *));
	}
	a->u.arr.items[a->u.arr.n++] = item;
	return 0;
}

int
rv_put(sup_value *st, const char *key, sup_value *item)
{
	if (!st || st->type != SUP_T_STRUCT || !item) {
		rv_unref(item);
		return -1;
	}
	for (int i = 0; i < st->u.st.n; i++)
		if (streq(st->u.st.keys[i], key)) {
			rv_unref(st->u.st.vals[i]);
			st->u.st.vals[i] = item;
			return 0;
		}
	if (st->u.st.n == st->u.st.cap) {
		st->u.st.cap = st->u.st.cap ? 2 * st->u.st.cap : 8;
		st->u.st.keys = xrealloc(st->u.st.keys, (size_t)st->u.st.cap * sizeof(char *));
		st->u.st.vals = xrealloc(st->u.st.vals, (size_t)st->u.st.cap * sizeof(sup_value *));
	}
	st->u.st.keys[st->u.st.n] = xstrdup(key);
	st->u.st.vals[st->u.st.n++] = item;
	return 0;
}

sup_value *
rv_ref(sup_value *v)
{
	if (v)
		v->refs++;
	return v;
}

void
rv_unref(sup_value *v)
{
	if (!v || --v->refs > 0)
		return;
	switch (v->type) {
	case SUP_T_STRING:
		free(v->u.str.s);
		break;
	case SUP_T_ARRAY:
		for (int i = 0; i < v->u.arr.n; i++)
			rv_unref(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case SUP_T_STRUCT:
		for (int i = 0; i < v->u.st.n; i++) {
			free(v->u.st.keys[i]);
			rv_unref(v->u.st.vals[i]);
		}
		free(v->u.st.keys);
		free(v->u.st.vals);
		break;
	default:
		break;
	}
	free(v);
}

const sup_value *
rv_get(const sup_value *st, const char *key)
{
	if (!st || st->type != SUP_T_STRUCT)
		return NULL;
	for (int i = 0; i < st->u.st.n; i++)
		if (streq(st->u.st.keys[i], key))
			return st->u.st.vals[i];
	return NULL;
}

/* ---- xmlrpc-c at the wire ---- */

static sup_value *
from_xmlrpc(xmlrpc_env *env, xmlrpc_value *x, int depth)
{
	if (depth > MAX_DEPTH) {
		xmlrpc_faultf(env, "nesting deeper than %d", MAX_DEPTH);
		return NULL;
	}
	switch (xmlrpc_value_type(x)) {
	case XMLRPC_TYPE_INT: {
		int i;
		xmlrpc_read_int(env, x, &i);
		return env->fault_occurred ? NULL : rv_int(i);
	}
	case XMLRPC_TYPE_I8: {
		xmlrpc_int64 i;
		xmlrpc_read_i8(env, x, &i);
		return env->fault_occurred ? NULL : rv_int(i);
	}
	case XMLRPC_TYPE_BOOL: {
		xmlrpc_bool b;
		xmlrpc_read_bool(env, x, &b);
		return env->fault_occurred ? NULL : rv_bool(b);
	}
	case XMLRPC_TYPE_DOUBLE: {
		double d;
		xmlrpc_read_double(env, x, &d);
		return env->fault_occurred ? NULL : rv_double(d);
	}
	case XMLRPC_TYPE_STRING: {
		size_t len;
		const char *s;
		xmlrpc_read_string_lp(env, x, &len, &s);
		if (env->fault_occurred)
			return NULL;
		sup_value *v = rv_string(s, len);
		free((void *)s);
		return v;
	}
	case XMLRPC_TYPE_DATETIME: {
		const char *s;
		xmlrpc_read_datetime_str(env, x, &s);
		if (env->fault_occurred)
			return NULL;
		sup_value *v = rv_cstr(s);
		free((void *)s);
		return v;
	}
	case XMLRPC_TYPE_BASE64: {
		size_t len;
		const unsigned char *b;
		xmlrpc_read_base64(env, x, &len, &b);
		if (env->fault_occurred)
			return NULL;
		sup_value *v = rv_string((const char *)b, len);
		free((void *)b);
		return v;
	}
	case XMLRPC_TYPE_ARRAY: {
		sup_value *a = rv_array();
		int n = xmlrpc_array_size(env, x);
		for (int i = 0; i < n && !env->fault_occurred; i++) {
			xmlrpc_value *item;
			xmlrpc_array_read_item(env, x, (unsigned)i, &item);
			if (env->fault_occurred)
				break;
			sup_value *v = from_xmlrpc(env, item, depth + 1);
			xmlrpc_DECREF(item);
			if (v)
				rv_push(a, v);
		}
		if (env->fault_occurred) {
			rv_unref(a);
			return NULL;
		}
		return a;
	}
	case XMLRPC_TYPE_STRUCT: {
		sup_value *st = rv_struct();
		int n = xmlrpc_struct_size(env, x);
		for (int i = 0; i < n && !env->fault_occurred; i++) {
			xmlrpc_value *k, *val;
			xmlrpc_struct_read_member(env, x, (unsigned)i, &k, &val);
			if (env->fault_occurred)
				break;
			const char *key;
			size_t klen;
			xmlrpc_read_string_lp(env, k, &klen, &key);
			if (!env->fault_occurred) {
				sup_value *v = from_xmlrpc(env, val, depth + 1);
				if (v)
					rv_put(st, key, v);
				free((void *)key);
			}
			xmlrpc_DECREF(k);
			xmlrpc_DECREF(val);
		}
		if (env->fault_occurred) {
			rv_unref(st);
			return NULL;
		}
		return st;
	}
	default: /* nil and other extensions: Supervisor sees a null-ish string */
		return rv_cstr("");
	}
}

static xmlrpc_value *
to_xmlrpc(xmlrpc_env *env, const sup_value *v)
{
	switch (v->type) {
	case SUP_T_INT:
		if (v->u.i >= INT32_MIN && v->u.i <= INT32_MAX)
			return xmlrpc_int_new(env, (int)v->u.i);
		return xmlrpc_i8_new(env, v->u.i);
	case SUP_T_BOOL:
		return xmlrpc_bool_new(env, v->u.b);
	case SUP_T_DOUBLE:
		return xmlrpc_double_new(env, v->u.d);
	case SUP_T_STRING:
		return xmlrpc_string_new_lp(env, v->u.str.len, v->u.str.s);
	case SUP_T_ARRAY: {
		xmlrpc_value *a = xmlrpc_array_new(env);
		for (int i = 0; i < v->u.arr.n && !env->fault_occurred; i++) {
			xmlrpc_value *item = to_xmlrpc(env, v->u.arr.items[i]);
			if (env->fault_occurred)
				break;
			xmlrpc_array_append_item(env, a, item);
			xmlrpc_DECREF(item);
		}
		if (env->fault_occurred) {
			xmlrpc_DECREF(a);
			return NULL;
		}
		return a;
	}
	case SUP_T_STRUCT: {
		xmlrpc_value *st = xmlrpc_struct_new(env);
		for (int i = 0; i < v->u.st.n && !env->fault_occurred; i++) {
			xmlrpc_value *item = to_xmlrpc(env, v->u.st.vals[i]);
			if (env->fault_occurred)
				break;
			xmlrpc_struct_set_value(env, st, v->u.st.keys[i], item);
			xmlrpc_DECREF(item);
		}
		if (env->fault_occurred) {
			xmlrpc_DECREF(st);
			return NULL;
		}
		return st;
	}
	default:
		return xmlrpc_string_new(env, "");
	}
}

static int
take_block(xmlrpc_env *env, xmlrpc_mem_block *mb, char **out, size_t *len)
{
	if (env->fault_occurred) {
		XMLRPC_MEMBLOCK_FREE(char, mb);
		return -1;
	}
	*len = XMLRPC_MEMBLOCK_SIZE(char, mb);
	*out = xmalloc(*len + 1);
	memcpy(*out, XMLRPC_MEMBLOCK_CONTENTS(char, mb), *len);
	(*out)[*len] = '\0';
	XMLRPC_MEMBLOCK_FREE(char, mb);
	return 0;
}

int
rv_parse_call(const char *xml, size_t len, char **method, sup_value **params, char **err)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	const char *name = NULL;
	xmlrpc_value *xparams = NULL;
	xmlrpc_parse_call(&env, xml, len, &name, &xparams);
	if (env.fault_occurred) {
		*err = xstrdup(env.fault_string ? env.fault_string : "unmarshallable");
		xmlrpc_env_clean(&env);
		return -1;
	}
	sup_value *p = from_xmlrpc(&env, xparams, 0);
	xmlrpc_DECREF(xparams);
	if (env.fault_occurred || !p) {
		*err = xstrdup(env.fault_string ? env.fault_string : "unmarshallable");
		free((void *)name);
		rv_unref(p);
		xmlrpc_env_clean(&env);
		return -1;
	}
	*method = xstrdup(name);
	free((void *)name);
	*params = p;
	xmlrpc_env_clean(&env);
	return 0;
}

int
rv_serialize_response(const sup_value *v, char **out, size_t *len)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	xmlrpc_value *x = to_xmlrpc(&env, v);
	xmlrpc_mem_block *mb = XMLRPC_MEMBLOCK_NEW(char, &env, 0);
	if (!env.fault_occurred)
		xmlrpc_serialize_response2(&env, mb, x, xmlrpc_dialect_i8);
	if (x)
		xmlrpc_DECREF(x);
	int rc = mb ? take_block(&env, mb, out, len) : -1;
	xmlrpc_env_clean(&env);
	return rc;
}

int
rv_serialize_fault(int code, const char *text, char **out, size_t *len)
{
	xmlrpc_env env, fault;
	xmlrpc_env_init(&env);
	xmlrpc_env_init(&fault);
	sup_value *clean = rv_cstr(text);
	xmlrpc_env_set_fault(&fault, code, clean->u.str.s);
	rv_unref(clean);
	xmlrpc_mem_block *mb = XMLRPC_MEMBLOCK_NEW(char, &env, 0);
	if (!env.fault_occurred)
		xmlrpc_serialize_fault(&env, mb, &fault);
	int rc = mb ? take_block(&env, mb, out, len) : -1;
	xmlrpc_env_clean(&fault);
	xmlrpc_env_clean(&env);
	return rc;
}

int
rv_serialize_call(const char *method, const sup_value *params, char **out, size_t *len)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	xmlrpc_value *x = to_xmlrpc(&env, params);
	xmlrpc_mem_block *mb = XMLRPC_MEMBLOCK_NEW(char, &env, 0);
	if (!env.fault_occurred)
		xmlrpc_serialize_call(&env, mb, method, x);
	if (x)
		xmlrpc_DECREF(x);
	int rc = mb ? take_block(&env, mb, out, len) : -1;
	xmlrpc_env_clean(&env);
	return rc;
}

int
rv_parse_response(const char *xml, size_t len, sup_value **result, int *fault_code, char **fault_text, char **err)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	xmlrpc_value *x = NULL;
	int code = 0;
	const char *ftext = NULL;
	xmlrpc_parse_response2(&env, xml, len, &x, &code, &ftext);
	if (env.fault_occurred) {
		*err = xstrdup(env.fault_string ? env.fault_string : "bad response");
		xmlrpc_env_clean(&env);
		return -1;
	}
	if (ftext) {
		*fault_code = code;
		*fault_text = xstrdup(ftext);
		free((void *)ftext);
		xmlrpc_env_clean(&env);
		return 1;
	}
	*result = from_xmlrpc(&env, x, 0);
	xmlrpc_DECREF(x);
	int rc = env.fault_occurred ? -1 : 0;
	if (rc < 0)
		*err = xstrdup(env.fault_string ? env.fault_string : "bad response");
	xmlrpc_env_clean(&env);
	return rc;
}
