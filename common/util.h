/* Small helpers shared by every part: allocation that never returns NULL,
 * growable byte buffers and string vectors, Python-style string repr. */
#ifndef CSUP_UTIL_H
#define CSUP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is not recoverable for a supervisor: these abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Growable byte buffer; p is always NUL-terminated once anything was added. */
struct strbuf {
	char *p;
	size_t len, cap;
};
/* Room for extra more bytes (and the NUL) without another allocation. */
void sb_reserve(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the buffer (caller frees) and resets sb; never NULL. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* Vector of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_push(struct strv *sv, char *s); /* steals s */
void strv_free(struct strv *sv);

/* Python's repr() of a str: 'text' with escapes (double quotes when the text
 * holds ' but no "). Appended to sb. */
void sb_add_pyrepr(struct strbuf *sb, const char *s);
/* Same, as a new string (caller frees). */
char *pyrepr(const char *s);
/* prefix + pyrepr(v) + suffix, a new string: most of Python's messages. */
char *pyrepr_msg(const char *prefix, const char *v, const char *suffix);

/* Python's str.isspace() on UTF-8 text: the length in bytes of the
 * whitespace character at s (NO-BREAK SPACE, U+001C..U+001F, U+2000.. count),
 * or 0. py_space_before: the same for the character ending at s[i]. */
size_t py_space_at(const char *s);
size_t py_space_before(const char *s, size_t i);
/* str.strip() in place; returns s moved forward. */
char *py_strip(char *s);

/* Strip leading/trailing ASCII whitespace in place; returns s moved forward. */
char *strip(char *s);
bool streq(const char *a, const char *b);
bool str_starts(const char *s, const char *prefix);

#endif
