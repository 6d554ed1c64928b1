#include "rpcvalue.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlrpc-c/base.h>

#include "util.h"

/* Nested arrays/structs deeper than this are refused when parsing. */
#define MAX_DEPTH 64

/* Freed nodes are kept for reuse: a getAllProcessInfo reply builds and
 * drops some 15 nodes per process, and malloc's per-size caches are far
 * smaller than that. Both programs are single-threaded. */
#define NODE_CACHE_MAX 4096
#ifdef __SANITIZE_ADDRESS__
#define NODE_CACHE_KEEP 0 /* let ASan see every use after free */
#else
#define NODE_CACHE_KEEP NODE_CACHE_MAX
#endif
static struct {
	sup_value *free[NODE_CACHE_MAX];
	int n;
} nodes;

static sup_value *
rv_new(enum sup_type t)
{
	sup_value *v = nodes.n ? nodes.free[--nodes.n] : xmalloc(sizeof(*v));
	*v = (sup_value){.refs = 1, .type = t};
	return v;
}

static void
node_free(sup_value *v)
{
	if (nodes.n < NODE_CACHE_KEEP)
		nodes.free[nodes.n++] = v;
	else
		free(v);
}

sup_value *rv_int(int64_t x) { sup_value *v = rv_new(SUP_T_INT); v->u.i = x; return v; }
sup_value *rv_bool(bool x) { sup_value *v = rv_new(SUP_T_BOOL); v->u.b = x; return v; }
sup_value *rv_double(double x) { sup_value *v = rv_new(SUP_T_DOUBLE); v->u.d = x; return v; }
sup_value *rv_array(void) { return rv_new(SUP_T_ARRAY); }
sup_value *rv_struct(void) { return rv_new(SUP_T_STRUCT); }
sup_value *rv_cstr(const char *s) { return rv_string(s, strlen(s)); }

sup_value *
rv_string_take(char *owned, size_t len)
{
	sup_value *v = rv_new(SUP_T_STRING);
	v->u.str.s = owned;
	v->u.str.len = len;
	return v;
}

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
	const unsigned char *p = (const unsigned char *)s;
	size_t clean = 0; /* printable ASCII, TAB, LF, CR: the usual case */
	bool markup = false;
	for (; clean < len; clean++) {
		unsigned char c = p[clean];
		if (c >= 0x20 && c < 0x7f)
			markup |= c == '&' || c == '<' || c == '>';
		else if (c != '\t' && c != '\n' && c != '\r')
			break;
	}
	sup_value *v = rv_new(SUP_T_STRING);
	if (clean == len) {
		v->u.str.s = xstrndup(s, len);
		v->u.str.len = len;
		v->u.str.plain = !markup;
		return v;
	}
	struct strbuf sb = {0};
	sb_add(&sb, s, clean);
	for (size_t i = clean; i < len;) {
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
	rv_put_new(st, key, item);
	return 0;
}

/* Append a member; key is stored as given (owned unless literal). */
static void
st_append(sup_value *st, char *key, bool literal, sup_value *item)
{
	if (st->u.st.n == st->u.st.cap) {
		st->u.st.cap = st->u.st.cap ? 2 * st->u.st.cap : 16;
		st->u.st.keys = xrealloc(st->u.st.keys, (size_t)st->u.st.cap * sizeof(char *));
		st->u.st.vals = xrealloc(st->u.st.vals, (size_t)st->u.st.cap * sizeof(sup_value *));
	}
	if (literal)
		st->u.st.static_keys |= (uint64_t)1 << st->u.st.n;
	st->u.st.keys[st->u.st.n] = key;
	st->u.st.vals[st->u.st.n++] = item;
}

void
rv_put_new(sup_value *st, const char *key, sup_value *item)
{
	st_append(st, xstrdup(key), false, item);
}

void
rv_put_literal(sup_value *st, const char *key, sup_value *item)
{
	if (st->u.st.n < 64)
		st_append(st, (char *)key, true, item);
	else
		rv_put_new(st, key, item);
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
			if (i >= 64 || !(v->u.st.static_keys >> i & 1))
				free(v->u.st.keys[i]);
			rv_unref(v->u.st.vals[i]);
		}
		free(v->u.st.keys);
		free(v->u.st.vals);
		break;
	default:
		break;
	}
	node_free(v);
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

/* ---- XML out ----
 * Written directly rather than through an xmlrpc-c value tree: building
 * and freeing that tree took two thirds of getAllProcessInfo's time with
 * 1,000 programs. The layout is xmlrpc-c's, byte for byte; strings are
 * already valid XML text (rv_string), so only & < > need escaping. A CR
 * goes out raw, as Python's supervisord sends it. */

#define CRLF "\r\n"
/* append a string literal without measuring it */
#define ADD_LIT(sb, lit) sb_add((sb), (lit), sizeof(lit) - 1)

static void
put_text(struct strbuf *sb, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c > '>' || (c != '&' && c != '<' && c != '>'))
			continue;
		const char *esc = c == '&' ? "&amp;" : c == '<' ? "&lt;" : "&gt;";
		sb_add(sb, s + run, i - run);
		sb_adds(sb, esc);
		run = i + 1;
	}
	sb_add(sb, s + run, n - run);
}

/* Shortest text that reads back as d, without an exponent (XML-RPC has
 * none), as xmlrpc-c writes it. */
static void
put_double(struct strbuf *sb, double d)
{
	char buf[32];
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
	int exp10 = atoi(strchr(buf, 'e') + 1);
	int decimals = prec - 1 - exp10;
	sb_addf(sb, "%.*f", decimals > 0 ? decimals : 0, d);
}

/* Decimal digits of x (printf costs more than the rest of an int). */
static void
put_int(struct strbuf *sb, int64_t x)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = x < 0 ? -(uint64_t)x : (uint64_t)x;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (x < 0)
		*--p = '-';
	sb_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

static void
put_value(struct strbuf *sb, const sup_value *v)
{
	switch (v->type) {
	case SUP_T_INT:
		if (v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) {
			ADD_LIT(sb, "<value><i4>");
			put_int(sb, v->u.i);
			ADD_LIT(sb, "</i4></value>");
		} else {
			ADD_LIT(sb, "<value><i8>");
			put_int(sb, v->u.i);
			ADD_LIT(sb, "</i8></value>");
		}
		break;
	case SUP_T_BOOL:
		if (v->u.b)
			ADD_LIT(sb, "<value><boolean>1</boolean></value>");
		else
			ADD_LIT(sb, "<value><boolean>0</boolean></value>");
		break;
	case SUP_T_DOUBLE:
		ADD_LIT(sb, "<value><double>");
		put_double(sb, v->u.d);
		ADD_LIT(sb, "</double></value>");
		break;
	case SUP_T_STRING:
		ADD_LIT(sb, "<value><string>");
		if (v->u.str.plain)
			sb_add(sb, v->u.str.s, v->u.str.len);
		else
			put_text(sb, v->u.str.s, v->u.str.len);
		ADD_LIT(sb, "</string></value>");
		break;
	case SUP_T_ARRAY:
		ADD_LIT(sb, "<value><array><data>" CRLF);
		for (int i = 0; i < v->u.arr.n; i++) {
			put_value(sb, v->u.arr.items[i]);
			sb_adds(sb, CRLF);
		}
		ADD_LIT(sb, "</data></array></value>");
		break;
	case SUP_T_STRUCT:
		ADD_LIT(sb, "<value><struct>" CRLF);
		for (int i = 0; i < v->u.st.n; i++) {
			ADD_LIT(sb, "<member><name>");
			put_text(sb, v->u.st.keys[i], strlen(v->u.st.keys[i]));
			ADD_LIT(sb, "</name>" CRLF);
			put_value(sb, v->u.st.vals[i]);
			ADD_LIT(sb, "</member>" CRLF);
		}
		ADD_LIT(sb, "</struct></value>");
		break;
	default:
		ADD_LIT(sb, "<value><string></string></value>");
		break;
	}
}

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" CRLF

static int
finish(struct strbuf *sb, char **out, size_t *len)
{
	*len = sb->len;
	*out = sb_steal(sb);
	return 0;
}

/* libxmlrpc 1.59 (Debian 12) crashes formatting its own error for an <i8>
 * whose text is not a plain in-range integer ("1 ", "1x", "-", 20 digits):
 * one such request would take the daemon down. So every i8 element (with
 * or without a namespace prefix) is checked first: optional sign, 1 to 19
 * digits, within int64. NULL when the document is safe to hand over. */
static const char *
bad_i8(const char *xml, size_t len)
{
	const char *end = xml + len;
	for (const char *p = xml; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
		const char *q = p + 1;
		const char *name = q;
		while (q < end && (isalnum((unsigned char)*q) || *q == '_' || *q == '-' || *q == '.' || *q == ':')) {
			if (*q == ':')
				name = q + 1;
			q++;
		}
		if (q - name != 2 || name[0] != 'i' || name[1] != '8')
			continue;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q >= end || *q != '>')
			continue; /* not a start tag we know (or "<i8/>") */
		const char *t = ++q, *stop = memchr(t, '<', (size_t)(end - t));
		if (!stop)
			return "unterminated <i8> element";
		bool neg = t < stop && *t == '-';
		if (t < stop && (*t == '-' || *t == '+'))
			t++;
		size_t digits = (size_t)(stop - t);
		static const char max[] = "9223372036854775807";
		if (digits == 0 || digits > 19)
			return "<i8> element is not a 64-bit integer";
		for (const char *d = t; d < stop; d++)
			if (!isdigit((unsigned char)*d))
				return "<i8> element is not a 64-bit integer";
		if (digits == 19) {
			int c = memcmp(t, max, 19);
			if (c > 0 && !(neg && memcmp(t, "9223372036854775808", 19) == 0))
				return "<i8> element is not a 64-bit integer";
		}
	}
	return NULL;
}

int
rv_parse_call(const char *xml, size_t len, char **method, sup_value **params, char **err)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	const char *name = NULL;
	xmlrpc_value *xparams = NULL;
	const char *unsafe = bad_i8(xml, len);
	if (unsafe) {
		*err = xstrdup(unsafe);
		return -1;
	}
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
	struct strbuf sb = {0};
	sb_adds(&sb, XML_HEAD "<methodResponse>" CRLF "<params>" CRLF "<param>");
	put_value(&sb, v);
	sb_adds(&sb, "</param>" CRLF "</params>" CRLF "</methodResponse>" CRLF);
	return finish(&sb, out, len);
}

int
rv_serialize_fault(int code, const char *text, char **out, size_t *len)
{
	sup_value *f = rv_struct();
	rv_put(f, "faultCode", rv_int(code));
	rv_put(f, "faultString", rv_cstr(text));
	struct strbuf sb = {0};
	sb_adds(&sb, XML_HEAD "<methodResponse>" CRLF "<fault>" CRLF);
	put_value(&sb, f);
	sb_adds(&sb, CRLF "</fault>" CRLF "</methodResponse>" CRLF);
	rv_unref(f);
	return finish(&sb, out, len);
}

int
rv_serialize_call(const char *method, const sup_value *params, char **out, size_t *len)
{
	if (!params || params->type != SUP_T_ARRAY)
		return -1;
	struct strbuf sb = {0};
	sb_adds(&sb, XML_HEAD "<methodCall>" CRLF "<methodName>");
	put_text(&sb, method, strlen(method));
	sb_adds(&sb, "</methodName>" CRLF "<params>" CRLF);
	for (int i = 0; i < params->u.arr.n; i++) {
		sb_adds(&sb, "<param>");
		put_value(&sb, params->u.arr.items[i]);
		sb_adds(&sb, "</param>" CRLF);
	}
	sb_adds(&sb, "</params>" CRLF "</methodCall>" CRLF);
	return finish(&sb, out, len);
}

int
rv_parse_response(const char *xml, size_t len, sup_value **result, int *fault_code, char **fault_text, char **err)
{
	xmlrpc_env env;
	xmlrpc_env_init(&env);
	xmlrpc_value *x = NULL;
	int code = 0;
	const char *ftext = NULL;
	const char *unsafe = bad_i8(xml, len);
	if (unsafe) {
		*err = xstrdup(unsafe);
		return -1;
	}
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
