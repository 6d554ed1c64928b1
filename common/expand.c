#include "expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct xvar *
find(const struct xdict *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (strlen(d->v[i].name) == len && memcmp(d->v[i].name, name, len) == 0)
			return &d->v[i];
	return NULL;
}

static struct xvar *
slot(struct xdict *d, const char *name)
{
	struct xvar *v = find(d, name, strlen(name));
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
	*d = (struct xdict){0};
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
	char **names = xcalloc(d->n, sizeof(*names));
	for (size_t i = 0; i < d->n; i++)
		names[i] = d->v[i].name;
	qsort(names, d->n, sizeof(*names), cmp_names);
	struct strbuf sb = {0};
	sb_adds(&sb, " contains names (");
	sb_add_pyrepr(&sb, key);
	sb_adds(&sb, ") which cannot be expanded. Available names: ");
	for (size_t i = 0; i < d->n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", names[i]);
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

/* One conversion of a value with printf-style flags/width/precision. The
 * format is built from flags the caller has checked against [-+ #0], digits
 * and '.', so it is safe to pass on to printf. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int
convert(struct strbuf *out, const struct xvar *v, const char *spec, size_t speclen, char conv, char **why)
{
	char fmt[64];
	if (speclen > 40) {
		*why = xstrdup("format specification too long");
		return -1;
	}
	switch (conv) {
	case 's': case 'r': case 'a': {
		char *text = v->is_int ? xasprintf("%lld", v->num) : (conv == 's' ? xstrdup(v->str) : pyrepr(v->str));
		snprintf(fmt, sizeof fmt, "%%%.*ss", (int)speclen, spec);
		sb_addf(out, fmt, text);
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
		snprintf(fmt, sizeof fmt, "%%%.*sll%c", (int)speclen, spec, conv == 'u' ? 'd' : conv);
		sb_addf(out, fmt, v->num);
		return 0;
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		if (!v->is_int) {
			*why = xstrdup("must be real number, not str");
			return -1;
		}
		snprintf(fmt, sizeof fmt, "%%%.*s%c", (int)speclen, spec, conv);
		sb_addf(out, fmt, (double)v->num);
		return 0;
	case 'c':
		if (v->is_int && v->num >= 0 && v->num < 128) {
			sb_addc(out, (char)v->num);
			return 0;
		}
		if (!v->is_int && strlen(v->str) == 1) {
			sb_adds(out, v->str);
			return 0;
		}
		*why = xstrdup(v->is_int ? "%c arg not in range(0x110000)" : "%c requires int or char");
		return -1;
	}
	return -1;
}
#pragma GCC diagnostic pop

int
expand(const char *s, const struct xdict *d, const char *where, char **out, char **err)
{
	struct strbuf res = {0};
	const char *p = s;
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
		}
		const char *spec = p;
		p += strspn(p, "-+ #0");
		p += strspn(p, "0123456789");
		if (*p == '.') {
			p++;
			p += strspn(p, "0123456789");
		}
		size_t speclen = (size_t)(p - spec);
		p += strspn(p, "hlL");
		if (!*p) {
			*err = bad_format(s, where, "incomplete format");
			goto fail;
		}
		if (!strchr("sradiuoxXeEfFgGc", *p)) {
			unsigned char c = (unsigned char)*p;
			char *why = (c >= 0x20 && c < 0x7f)
				? xasprintf("unsupported format character '%c' (0x%x) at index %d", c, c, (int)(p - s))
				: xasprintf("unsupported format character '\\x%02x' (0x%x) at index %d", c, c, (int)(p - s));
			*err = bad_format(s, where, why);
			free(why);
			goto fail;
		}
		if (!v) {
			/* a conversion without a key would format the whole mapping */
			*err = bad_format(s, where, "format requires a mapping");
			goto fail;
		}
		char *why = NULL;
		if (convert(&res, v, spec, speclen, *p, &why) < 0) {
			*err = bad_format(s, where, why ? why : "bad conversion");
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
