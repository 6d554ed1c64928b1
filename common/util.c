#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
check_alloc(void *p)
{
	if (!p) {
		fputs("csupervisor: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t n) { return check_alloc(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return check_alloc(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return check_alloc(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return check_alloc(strndup(s, n)); }

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		check_alloc(NULL);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
sb_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->p = xrealloc(sb->p, cap);
	sb->p[sb->len] = '\0';
	sb->cap = cap;
}

void
sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s) { sb_add(sb, s, strlen(s)); }
void sb_addc(struct strbuf *sb, char c) { sb_add(sb, &c, 1); }

void
sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	/* formatted in place: this writes every number of an XML-RPC reply */
	sb_reserve(sb, 32);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_reserve(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

char *
sb_steal(struct strbuf *sb)
{
	char *p = sb->p ? sb->p : xstrdup("");
	*sb = (struct strbuf){0};
	return p;
}

void
sb_free(struct strbuf *sb)
{
	free(sb->p);
	*sb = (struct strbuf){0};
}

void
strv_push(struct strv *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

void
strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){0};
}

void
sb_add_pyrepr(struct strbuf *sb, const char *s)
{
	char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
	sb_addc(sb, q);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		default:
			if (*p == (unsigned char)q)
				sb_addf(sb, "\\%c", q);
			else if (*p < 0x20 || *p == 0x7f)
				sb_addf(sb, "\\x%02x", *p);
			else
				sb_addc(sb, (char)*p);
		}
	}
	sb_addc(sb, q);
}

char *
pyrepr(const char *s)
{
	struct strbuf sb = {0};
	sb_add_pyrepr(&sb, s);
	return sb_steal(&sb);
}

char *
pyrepr_msg(const char *prefix, const char *v, const char *suffix)
{
	struct strbuf sb = {0};
	sb_adds(&sb, prefix);
	sb_add_pyrepr(&sb, v);
	sb_adds(&sb, suffix);
	return sb_steal(&sb);
}

char *
strip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
bool str_starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

size_t
py_space_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	if ((*u >= 0x09 && *u <= 0x0d) || (*u >= 0x1c && *u <= 0x20))
		return 1;
	if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) /* U+1680 */
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) /* U+205F */
		return 3;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
		return 3;
	return 0;
}

size_t
py_space_before(const char *s, size_t i)
{
	size_t start = i;
	/* step back over continuation bytes to the start of the character */
	while (start > 0 && (((unsigned char)s[start - 1]) & 0xC0) == 0x80 && i - start < 3)
		start--;
	if (start > 0)
		start--;
	for (size_t b = start; b < i; b++)
		if (py_space_at(s + b) == i - b)
			return i - b;
	return 0;
}

char *
py_strip(char *s)
{
	size_t n;
	while ((n = py_space_at(s)))
		s += n;
	size_t len = strlen(s);
	while (len) {
		size_t k = py_space_before(s, len);
		if (!k)
			break;
		len -= k;
	}
	s[len] = '\0';
	return s;
}
