#include "expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct xvar *
find_own(const struct xdict *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (strlen(d->v[i].name) == len && memcmp(d->v[i].name, name, len) == 0)
			return &d->v[i];
	return NULL;
}

static struct xvar *
find(const struct xdict *d, const char *name, size_t len)
{
	for (; d; d = d->parent) {
		struct xvar *v = find_own(d, name, len);
		if (v)
			return v;
	}
	return NULL;
}

bool
xdict_has(const struct xdict *d, const char *name)
{
	return find(d, name, strlen(name)) != NULL;
}

void
xdict_del(struct xdict *d, const char *name)
{
	struct xvar *v = find_own(d, name, strlen(name));
	if (!v)
		return;
	free(v->name);
	free(v->str);
	*v = d->v[--d->n];
}

static struct xvar *
slot(struct xdict *d, const char *name)
{
	struct xvar *v = find_own(d, name, strlen(name));
	if (v) {
		free(v->str);
		v->str = NULL;
		return v;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	v = &d->v[d->n++];
	*v = (struct xvar){.name = xstrdup(name)};
	return v;
}

void
xdict_set_str(struct xdict *d, const char *name, const char *val)
{
	struct xvar *v = slot(d, name);
	v->str = xstrdup(val);
	v->is_int = false;
}

void
xdict_set_int(struct xdict *d, const char *name, long long val)
{
	struct xvar *v = slot(d, name);
	v->num = val;
	v->is_int = true;
}

void
xdict_copy(struct xdict *dst, const struct xdict *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (src->v[i].is_int)
			xdict_set_int(dst, src->v[i].name, src->v[i].num);
		else
			xdict_set_str(dst, src->v[i].name, src->v[i].str);
	}
}

void
xdict_free(struct xdict *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].str);
	}
	free(d->v);
	const struct xdict *parent = d->parent;
	*d = (struct xdict){.parent = parent};
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
format_error(const char *s, const char *where, const char *what)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "Format string ");
	sb_add_pyrepr(&sb, s);
	sb_adds(&sb, " for ");
	sb_add_pyrepr(&sb, where);
	sb_adds(&sb, what);
	return sb_steal(&sb);
}

static char *
missing_key(const char *s, const char *where, const char *key, const struct xdict *d)
{
	/* every name visible through the chain, sorted, each once */
	size_t n = 0;
	for (const struct xdict *c = d; c; c = c->parent)
		n += c->n;
	char **names = xcalloc(n + 1, sizeof(*names));
	n = 0;
	for (const struct xdict *c = d; c; c = c->parent)
		for (size_t i = 0; i < c->n; i++)
			names[n++] = c->v[i].name;
	qsort(names, n, sizeof(*names), cmp_names);
	struct strbuf sb = {0};
	sb_adds(&sb, " contains names (");
	sb_add_pyrepr(&sb, key);
	sb_adds(&sb, ") which cannot be expanded. Available names: ");
	for (size_t i = 0, shown = 0; i < n; i++)
		if (!i || strcmp(names[i], names[i - 1]))
			sb_addf(&sb, "%s%s", shown++ ? ", " : "", names[i]);
	free(names);
	char *tail = sb_steal(&sb);
	char *msg = format_error(s, where, tail);
	free(tail);
	return msg;
}

static char *
bad_format(const char *s, const char *where, const char *why)
{
	char *tail = xasprintf(" is badly formatted: %s", why);
	char *msg = format_error(s, where, tail);
	free(tail);
	return msg;
}

/* A conversion's flags, width and precision, as Python reads them. */
struct spec {
	bool minus, plus, space, alt, zero;
	int width, prec; /* -1: none */
};

static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Bytes of the first `chars` characters of s. */
static size_t
utf8_prefix(const char *s, size_t chars)
{
	size_t i = 0;
	while (s[i] && chars) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

static void
pad(struct strbuf *out, char c, int n)
{
	for (int i = 0; i < n; i++)
		sb_addc(out, c);
}

/* Text with width and precision counted in characters, as Python does. */
static void
put_text(struct strbuf *out, const char *text, const struct spec *sp)
{
	size_t len = sp->prec >= 0 ? utf8_prefix(text, (size_t)sp->prec) : strlen(text);
	int chars = (int)utf8_chars(text, len);
	int fill = sp->width > chars ? sp->width - chars : 0;
	if (!sp->minus)
		pad(out, ' ', fill);
	sb_add(out, text, len);
	if (sp->minus)
		pad(out, ' ', fill);
}

/* Python's integer conversions: sign, 0x/0X/0o prefix with '#', precision
 * as a minimum digit count, '0' padding after sign and prefix. */
static void
put_int(struct strbuf *out, long long num, char conv, const struct spec *sp)
{
	unsigned long long mag = num < 0 ? 0ULL - (unsigned long long)num : (unsigned long long)num;
	char digits[80];
	const char *fmt = conv == 'o' ? "%llo" : conv == 'x' ? "%llx" : conv == 'X' ? "%llX" : "%llu";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(digits, sizeof digits, fmt, mag);
#pragma GCC diagnostic pop
	const char *sign = num < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	const char *prefix = !sp->alt ? "" : conv == 'o' ? "0o" : conv == 'x' ? "0x" : conv == 'X' ? "0X" : "";
	int nd = (int)strlen(digits);
	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	int len = (int)(strlen(sign) + strlen(prefix)) + zeros + nd;
	int fill = sp->width > len ? sp->width - len : 0;
	if (!sp->minus && !sp->zero)
		pad(out, ' ', fill);
	sb_adds(out, sign);
	sb_adds(out, prefix);
	if (!sp->minus && sp->zero)
		pad(out, '0', fill);
	pad(out, '0', zeros);
	sb_adds(out, digits);
	if (sp->minus)
		pad(out, ' ', fill);
}

static void
put_utf8(struct strbuf *out, unsigned long cp)
{
	char b[4];
	int n;
	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
		b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	else
		b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	sb_add(out, b, (size_t)n);
}

/* One conversion of a value; *why gets Python's TypeError text. */
static int
convert(struct strbuf *out, const struct xvar *v, const struct spec *sp, char conv, char **why)
{
	switch (conv) {
	case 's': case 'r': case 'a': {
		char *text = v->is_int ? xasprintf("%lld", v->num) : (conv == 's' ? xstrdup(v->str) : pyrepr(v->str));
		put_text(out, text, sp);
		free(text);
		return 0;
	}
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		if (!v->is_int) {
			*why = conv == 'o' || conv == 'x' || conv == 'X'
				? xasprintf("%%%c format: an integer is required, not str", conv)
				: xasprintf("%%%c format: a real number is required, not str", conv);
			return -1;
		}
		put_int(out, v->num, conv, sp);
		return 0;
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
		if (!v->is_int) {
			*why = xstrdup("must be real number, not str");
			return -1;
		}
		char fmt[32];
		snprintf(fmt, sizeof fmt, "%%%s%s%s%s%s*.*%c", sp->minus ? "-" : "", sp->plus ? "+" : "",
			 sp->space ? " " : "", sp->alt ? "#" : "", sp->zero ? "0" : "", conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		sb_addf(out, fmt, sp->width < 0 ? 0 : sp->width, sp->prec < 0 ? 6 : sp->prec, (double)v->num);
#pragma GCC diagnostic pop
		return 0;
	}
	case 'c': {
		struct strbuf ch = {0};
		if (v->is_int && v->num >= 0 && v->num < 0x110000) {
			put_utf8(&ch, (unsigned long)v->num);
		} else if (!v->is_int && utf8_chars(v->str, strlen(v->str)) == 1) {
			sb_adds(&ch, v->str);
		} else {
			*why = xstrdup(v->is_int ? "%c arg not in range(0x110000)" : "%c requires int or char");
			return -1;
		}
		struct spec nosp = *sp;
		nosp.prec = -1;
		put_text(out, ch.p, &nosp);
		sb_free(&ch);
		return 0;
	}
	}
	return -1;
}

/* What a conversion without a key does to the whole mapping. */
static char *
mapping_arg_error(char conv)
{
	switch (conv) {
	case 'd': case 'i': case 'u':
		return xasprintf("%%%c format: a real number is required, not dict", conv);
	case 'o': case 'x': case 'X':
		return xasprintf("%%%c format: an integer is required, not dict", conv);
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		return xstrdup("must be real number, not dict");
	case 'c':
		return xstrdup("%c requires int or char");
	default: /* %s of the whole mapping: its repr, which we do not reproduce */
		return xstrdup("format requires a mapping");
	}
}

int
expand(const char *s, const struct xdict *d, const char *where, char **out, char **err)
{
	struct strbuf res = {0};
	const char *p = s;
	/* Python's argument index: the mapping itself is the one positional
	 * argument, so only the first conversion without a key may take it. */
	bool mapping_taken = false;
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			sb_adds(&res, p);
			break;
		}
		sb_add(&res, p, (size_t)(pct - p));
		p = pct + 1;
		if (*p == '%') {
			sb_addc(&res, '%');
			p++;
			continue;
		}
		const struct xvar *v = NULL;
		bool keyed = false;
		if (*p == '(') {
			/* Python matches nested parentheses inside the key */
			int depth = 1;
			const char *k = ++p;
			while (*p && depth) {
				if (*p == '(')
					depth++;
				else if (*p == ')')
					depth--;
				p++;
			}
			if (depth) {
				*err = bad_format(s, where, "incomplete format key");
				goto fail;
			}
			size_t klen = (size_t)(p - 1 - k);
			v = find(d, k, klen);
			if (!v) {
				char *key = xstrndup(k, klen);
				*err = missing_key(s, where, key, d);
				free(key);
				goto fail;
			}
			keyed = true;
			mapping_taken = true; /* the key's value became the argument */
		}
		struct spec sp = {.width = -1, .prec = -1};
		for (;; p++) {
			if (*p == '-') sp.minus = true;
			else if (*p == '+') sp.plus = true;
			else if (*p == ' ') sp.space = true;
			else if (*p == '#') sp.alt = true;
			else if (*p == '0') sp.zero = true;
			else break;
		}
		if (*p == '*') {
			*err = bad_format(s, where, keyed ? "not enough arguments for format string" : "* wants int");
			goto fail;
		}
		if (*p >= '0' && *p <= '9')
			sp.width = (int)strtol(p, (char **)&p, 10);
		if (*p == '.') {
			p++;
			sp.prec = (*p >= '0' && *p <= '9') ? (int)strtol(p, (char **)&p, 10) : 0;
		}
		p += strspn(p, "hlL");
		if (!*p) {
			*err = bad_format(s, where, "incomplete format");
			goto fail;
		}
		bool whole_mapping = false;
		if (!keyed) {
			if (mapping_taken) {
				*err = bad_format(s, where, "not enough arguments for format string");
				goto fail;
			}
			mapping_taken = whole_mapping = true;
		}
		if (!strchr("sradiuoxXeEfFgGc", *p)) {
			unsigned char c = (unsigned char)*p;
			unsigned long cp = c;
			if (c >= 0xC0) { /* the code point, as Python reports it */
				int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
				cp = c & (0x3F >> more);
				for (int i = 1; i <= more && p[i]; i++)
					cp = (cp << 6) | ((unsigned char)p[i] & 0x3F);
			}
			char *why = xasprintf("unsupported format character '%c' (0x%lx) at index %zu",
					      (c >= 0x20 && c < 0x7f) ? c : '?', cp, utf8_chars(s, (size_t)(p - s)));
			*err = bad_format(s, where, why);
			free(why);
			goto fail;
		}
		char *why = NULL;
		if (whole_mapping)
			why = mapping_arg_error(*p);
		else if (convert(&res, v, &sp, *p, &why) == 0)
			why = NULL;
		else if (!why)
			why = xstrdup("bad conversion");
		if (why) {
			*err = bad_format(s, where, why);
			free(why);
			goto fail;
		}
		p++;
	}
	*out = sb_steal(&res);
	return 0;
fail:
	sb_free(&res);
	return -1;
}
