/* Reading the fields of the structs the site plugins exchange (the
 * daemon's process info, site.summary()'s answer): shared by site.c and
 * sitectl.c, header-only so each still builds from its own .c file. */
#ifndef SITE_FIELDS_H
#define SITE_FIELDS_H

#include <csupervisor/plugin.h>

/* st[key] as a string, "" when absent or not a string (borrowed). */
static inline const char *
str_field(const sup_value *st, const char *key)
{
	const char *s = "";
	sup_api_->get_string(sup_api_->struct_get(st, key), &s, NULL);
	return s;
}

/* st[key] as an integer, 0 when absent or not an int / boolean. */
static inline int64_t
int_field(const sup_value *st, const char *key)
{
	int64_t v = 0;
	sup_api_->get_int(sup_api_->struct_get(st, key), &v);
	return v;
}

#endif
