/* A fast reader for the XML-RPC responses supervisord writes. xmlrpc-c's
 * general parser needs ~80 ms for the 1 MB getAllProcessInfo reply of a
 * thousand programs; this single pass takes a few. It accepts what
 * Supervisor (Python's xmlrpclib) and xmlrpc-c produce; anything else
 * (comments, CDATA, base64, dateTime, unknown tags) makes it give up, and
 * the caller falls back to xmlrpc-c. Strings are kept as sent, as Python's
 * client does. */
#include "xmlfast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpcvalue.h"
#include "util.h"

struct rd {
	const char *p, *end;
	int depth;
};

static void
skip_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* Consume "<tag>" (or "<tag/>" when selfclose is given); whitespace
 * before it is skipped. */
static bool
open_tag(struct rd *r, const char *tag, bool *selfclose)
{
	skip_ws(r);
	size_t n = strlen(tag);
	if (r->end - r->p < (ptrdiff_t)n + 2 || r->p[0] != '<' || memcmp(r->p + 1, tag, n) != 0)
		return false;
	const char *q = r->p + 1 + n;
	if (*q == '>') {
		r->p = q + 1;
		if (selfclose)
			*selfclose = false;
		return true;
	}
	if (selfclose && q + 1 < r->end && q[0] == '/' && q[1] == '>') {
		r->p = q + 2;
		*selfclose = true;
		return true;
	}
	return false;
}

static bool
close_tag(struct rd *r, const char *tag)
{
	skip_ws(r);
	size_t n = strlen(tag);
	if (r->end - r->p < (ptrdiff_t)n + 3 || r->p[0] != '<' || r->p[1] != '/' || memcmp(r->p + 2, tag, n) != 0 ||
	    r->p[2 + n] != '>')
		return false;
	r->p += n + 3;
	return true;
}

static void
put_utf8(struct strbuf *sb, unsigned long cp)
{
	char b[4];
	if (cp < 0x80) {
		sb_addc(sb, (char)cp);
		return;
	}
	size_t n;
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		n = 4;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
	sb_add(sb, b, n);
}

/* Character data up to the next '<', entities decoded. NULL: malformed. */
static char *
text(struct rd *r, size_t *len)
{
	const char *start = r->p;
	const char *lt = memchr(r->p, '<', (size_t)(r->end - r->p));
	if (!lt)
		return NULL;
	r->p = lt;
	const char *amp = memchr(start, '&', (size_t)(lt - start));
	if (!amp && !memchr(start, '\r', (size_t)(lt - start))) {
		*len = (size_t)(lt - start);
		return xstrndup(start, *len);
	}
	struct strbuf sb = {0};
	sb_add(&sb, "", 0);
	for (const char *s = start; s < lt;) {
		if (*s == '\r') {
			/* XML line ends: \r\n and a lone \r become \n */
			sb_addc(&sb, '\n');
			s += s + 1 < lt && s[1] == '\n' ? 2 : 1;
			continue;
		}
		if (*s != '&') {
			const char *next = s;
			while (next < lt && *next != '&' && *next != '\r')
				next++;
			sb_add(&sb, s, (size_t)(next - s));
			s = next;
			continue;
		}
		const char *semi = memchr(s, ';', (size_t)(lt - s));
		if (!semi || semi - s > 12) {
			sb_free(&sb);
			return NULL;
		}
		size_t n = (size_t)(semi - s - 1);
		const char *e = s + 1;
		if (n == 2 && memcmp(e, "lt", 2) == 0)
			sb_addc(&sb, '<');
		else if (n == 2 && memcmp(e, "gt", 2) == 0)
			sb_addc(&sb, '>');
		else if (n == 3 && memcmp(e, "amp", 3) == 0)
			sb_addc(&sb, '&');
		else if (n == 4 && memcmp(e, "quot", 4) == 0)
			sb_addc(&sb, '"');
		else if (n == 4 && memcmp(e, "apos", 4) == 0)
			sb_addc(&sb, '\'');
		else if (n >= 2 && e[0] == '#') {
			char *endp;
			unsigned long cp = e[1] == 'x' ? strtoul(e + 2, &endp, 16) : strtoul(e + 1, &endp, 10);
			if (endp != semi || cp > 0x10FFFF || cp == 0) {
				sb_free(&sb);
				return NULL;
			}
			put_utf8(&sb, cp);
		} else {
			sb_free(&sb);
			return NULL;
		}
		s = semi + 1;
	}
	*len = sb.len;
	return sb_steal(&sb);
}

static sup_value *
string_value(char *owned, size_t len)
{
	return rv_string_take(owned, len);
}

/* The text of <tag>...</tag> (already opened), then the closing tag. */
static char *
element_text(struct rd *r, const char *tag, size_t *len)
{
	char *t = text(r, len);
	if (t && !close_tag(r, tag)) {
		free(t);
		return NULL;
	}
	return t;
}

static sup_value *value(struct rd *r);

static sup_value *
scalar(struct rd *r, const char *tag)
{
	if (tag[0] == 'i') { /* int, i4, i8: plain digits, read in place */
		const char *q = r->p, *end = r->end;
		bool neg = q < end && *q == '-';
		if (q < end && (*q == '-' || *q == '+'))
			q++;
		const char *digits = q;
		uint64_t u = 0;
		while (q < end && *q >= '0' && *q <= '9' && q - digits < 18)
			u = u * 10 + (uint64_t)(*q++ - '0');
		if (q > digits && q < end && *q == '<') {
			r->p = q;
			if (!close_tag(r, tag))
				return NULL;
			return rv_int(neg ? -(int64_t)u : (int64_t)u);
		}
		/* anything else (spaces, 19 digits, entities): the general way */
	}
	size_t len;
	char *t = element_text(r, tag, &len);
	if (!t)
		return NULL;
	if (streq(tag, "string"))
		return string_value(t, len);
	sup_value *v = NULL;
	char *s = strip(t), *endp;
	if (streq(tag, "boolean")) {
		if (streq(s, "0") || streq(s, "1"))
			v = rv_bool(s[0] == '1');
	} else if (streq(tag, "double")) {
		double d = strtod(s, &endp);
		if (*s && !*endp)
			v = rv_double(d);
	} else {
		long long i = strtoll(s, &endp, 10);
		if (*s && !*endp)
			v = rv_int(i);
	}
	free(t);
	return v;
}

static sup_value *
array(struct rd *r)
{
	bool empty;
	if (!open_tag(r, "data", &empty))
		return NULL;
	sup_value *a = rv_array();
	if (!empty) {
		for (;;) {
			skip_ws(r);
			if (r->end - r->p >= 7 && memcmp(r->p, "</data>", 7) == 0) {
				r->p += 7;
				break;
			}
			sup_value *item = value(r);
			if (!item) {
				rv_unref(a);
				return NULL;
			}
			rv_push(a, item);
		}
	}
	if (!close_tag(r, "array")) {
		rv_unref(a);
		return NULL;
	}
	return a;
}

/* rv_put without copying the key: a repeated key keeps its place and
 * takes the last value, as a Python dict does. */
static void
put_owned(sup_value *st, char *key, sup_value *item)
{
	for (int i = 0; i < st->u.st.n; i++)
		if (streq(st->u.st.keys[i], key)) {
			rv_unref(st->u.st.vals[i]);
			st->u.st.vals[i] = item;
			free(key);
			return;
		}
	if (st->u.st.n == st->u.st.cap) {
		st->u.st.cap = st->u.st.cap ? 2 * st->u.st.cap : 16;
		st->u.st.keys = xrealloc(st->u.st.keys, (size_t)st->u.st.cap * sizeof(char *));
		st->u.st.vals = xrealloc(st->u.st.vals, (size_t)st->u.st.cap * sizeof(sup_value *));
	}
	st->u.st.keys[st->u.st.n] = key;
	st->u.st.vals[st->u.st.n++] = item;
}

/* Member names repeat in every struct of a reply (14 per process in
 * getAllProcessInfo): each distinct name is kept once for the life of the
 * program and stored as a literal key, and equal names are then equal
 * pointers. NULL when the name has an entity or the table is full. */
static const char *
intern_name(struct rd *r)
{
	static struct { char *s; size_t n; } tab[128];
	static int ntab;
	const char *lt = memchr(r->p, '<', (size_t)(r->end - r->p));
	if (!lt || memchr(r->p, '&', (size_t)(lt - r->p)) || memchr(r->p, '\r', (size_t)(lt - r->p)))
		return NULL;
	size_t n = (size_t)(lt - r->p);
	for (int i = 0; i < ntab; i++)
		if (tab[i].n == n && memcmp(tab[i].s, r->p, n) == 0) {
			r->p = lt;
			return tab[i].s;
		}
	if (ntab == (int)ARRAY_LEN(tab))
		return NULL;
	tab[ntab].s = xmalloc(n + 1); /* not strndup: the name may hold a NUL */
	memcpy(tab[ntab].s, r->p, n);
	tab[ntab].s[n] = '\0';
	tab[ntab].n = n;
	r->p = lt;
	return tab[ntab++].s;
}

static void
put_interned(sup_value *st, const char *key, sup_value *item)
{
	/* interned names are equal only as the same pointer; a name that had
	 * to be decoded (owned key) is compared as text */
	for (int i = 0; i < st->u.st.n; i++)
		if (st->u.st.keys[i] == key || (i < 64 && !(st->u.st.static_keys >> i & 1) && streq(st->u.st.keys[i], key))) {
			rv_unref(st->u.st.vals[i]);
			st->u.st.vals[i] = item;
			return;
		}
	rv_put_literal(st, key, item);
}

static sup_value *
structure(struct rd *r)
{
	sup_value *st = rv_struct();
	for (;;) {
		skip_ws(r);
		if (r->end - r->p >= 9 && memcmp(r->p, "</struct>", 9) == 0) {
			r->p += 9;
			return st;
		}
		size_t len;
		char *name = NULL;
		const char *key = NULL;
		sup_value *item = NULL;
		if (!open_tag(r, "member", NULL) || !open_tag(r, "name", NULL))
			goto fail;
		key = intern_name(r);
		if (key ? !close_tag(r, "name") : !(name = element_text(r, "name", &len)))
			goto fail;
		if (!(item = value(r)) || !close_tag(r, "member"))
			goto fail;
		if (key)
			put_interned(st, key, item);
		else
			put_owned(st, name, item);
		continue;
	fail:
		free(name);
		rv_unref(item);
		rv_unref(st);
		return NULL;
	}
}

static const char *const scalars[] = {"string", "int", "i4", "i8", "boolean", "double"};

static sup_value *
value(struct rd *r)
{
	bool empty;
	if (++r->depth > 64 || !open_tag(r, "value", &empty))
		return NULL;
	sup_value *v = NULL;
	if (empty) {
		r->depth--;
		return string_value(xstrdup(""), 0);
	}
	/* untyped text is a string, whitespace included */
	const char *save = r->p;
	skip_ws(r);
	if (r->p >= r->end || *r->p != '<' || (r->p + 1 < r->end && r->p[1] == '/')) {
		r->p = save;
		size_t len;
		char *t = element_text(r, "value", &len);
		r->depth--;
		return t ? string_value(t, len) : NULL;
	}
	for (size_t i = 0; i < ARRAY_LEN(scalars) && !v; i++) {
		bool self = false;
		if (open_tag(r, scalars[i], &self)) {
			if (self)
				v = streq(scalars[i], "string") ? string_value(xstrdup(""), 0) : NULL;
			else
				v = scalar(r, scalars[i]);
			if (!v)
				return NULL;
		}
	}
	if (!v) {
		bool self = false;
		if (open_tag(r, "array", NULL))
			v = array(r);
		else if (open_tag(r, "struct", &self))
			v = self ? rv_struct() : structure(r);
		if (!v)
			return NULL;
	}
	if (!close_tag(r, "value")) {
		rv_unref(v);
		return NULL;
	}
	r->depth--;
	return v;
}

int
xmlfast_parse_response(const char *xml, size_t len, sup_value **result, int *fault_code, char **fault_text)
{
	struct rd r = {xml, xml + len, 0};
	skip_ws(&r);
	if (r.end - r.p > 5 && memcmp(r.p, "<?xml", 5) == 0) {
		/* the reply need not be NUL-terminated: search within len */
		const char *q = memmem(r.p, (size_t)(r.end - r.p), "?>", 2);
		if (!q)
			return -1;
		r.p = q + 2;
	}
	if (!open_tag(&r, "methodResponse", NULL))
		return -1;
	if (open_tag(&r, "fault", NULL)) {
		sup_value *f = value(&r);
		const sup_value *code = f ? rv_get(f, "faultCode") : NULL;
		const sup_value *str = f ? rv_get(f, "faultString") : NULL;
		if (!f || !code || code->type != SUP_T_INT || !str || str->type != SUP_T_STRING ||
		    !close_tag(&r, "fault") || !close_tag(&r, "methodResponse")) {
			rv_unref(f);
			return -1;
		}
		*fault_code = (int)code->u.i;
		*fault_text = xstrdup(str->u.str.s);
		rv_unref(f);
		return 1;
	}
	sup_value *v = NULL;
	if (!open_tag(&r, "params", NULL) || !open_tag(&r, "param", NULL) || !(v = value(&r)) ||
	    !close_tag(&r, "param") || !close_tag(&r, "params") || !close_tag(&r, "methodResponse")) {
		rv_unref(v);
		return -1;
	}
	skip_ws(&r);
	if (r.p != r.end) {
		rv_unref(v);
		return -1;
	}
	*result = v;
	return 0;
}
