/* environment= values: KEY=val pairs split the way Supervisor splits them
 * (Python shlex in non-POSIX mode, then KEY = VALUE separator groups). */
#ifndef CSUP_ENVLIST_H
#define CSUP_ENVLIST_H

#include <stddef.h>

/* Ordered KEY=value list; a repeated key keeps its first place, last value. */
struct kvlist {
	char **keys, **vals;
	size_t n, cap;
};

void kv_set(struct kvlist *kv, const char *key, const char *val);
const char *kv_get(const struct kvlist *kv, const char *key);
void kv_copy(struct kvlist *dst, const struct kvlist *src);
void kv_free(struct kvlist *kv);

/* Parse s into kv. Returns 0, or -1 with *err (caller frees). */
int parse_env_pairs(const char *s, struct kvlist *kv, char **err);

#endif
