/* Supervisor's %(name)s expansion: Python's "str % dict" for option values,
 * with the same conversions (%(process_num)02d ...) and the same errors. */
#ifndef CSUP_EXPAND_H
#define CSUP_EXPAND_H

#include <stdbool.h>
#include <stddef.h>

struct xvar {
	char *name;
	char *str;       /* when !is_int */
	long long num;   /* when is_int */
	bool is_int;
};

/* The names available at one place in the file. */
struct xdict {
	struct xvar *v;
	size_t n, cap;
	/* names not found here are looked up there (not owned): the large
	 * ENV_* table is shared instead of copied for every option */
	const struct xdict *parent;
};

void xdict_set_str(struct xdict *d, const char *name, const char *val);
void xdict_set_int(struct xdict *d, const char *name, long long val);
void xdict_copy(struct xdict *dst, const struct xdict *src); /* src's own names */
void xdict_del(struct xdict *d, const char *name);
bool xdict_has(const struct xdict *d, const char *name); /* d or its parents */
void xdict_free(struct xdict *d);

/* Expand s. where is what the error names ("program:x.command",
 * "environment"...). Returns 0 with *out (caller frees), or -1 with *err. */
int expand(const char *s, const struct xdict *d, const char *where, char **out, char **err);

#endif
