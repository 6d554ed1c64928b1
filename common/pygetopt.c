#include "pygetopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
push(struct opt_found **found, size_t *n, int id, const char *given, const char *arg)
{
	*found = xrealloc(*found, (*n + 1) * sizeof(**found));
	struct opt_found *f = &(*found)[(*n)++];
	f->id = id;
	snprintf(f->given, sizeof f->given, "%s", given);
	f->arg = arg;
}

static int
long_opt(int argc, char **argv, int *i, const struct opt_spec *specs, size_t nspecs,
	 struct opt_found **found, size_t *n, char **err)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_spec *match = NULL;
	int nmatch = 0;
	for (size_t k = 0; k < nspecs; k++) {
		const char *ln = specs[k].long_name;
		if (!ln || strncmp(ln, name, len) != 0)
			continue;
		if (strlen(ln) == len) { /* an exact name wins over prefixes */
			match = &specs[k];
			nmatch = 1;
			break;
		}
		match = &specs[k];
		nmatch++;
	}
	if (!nmatch) {
		*err = xasprintf("option --%.*s not recognized", (int)len, name);
		return -1;
	}
	if (nmatch > 1) {
		*err = xasprintf("option --%.*s not a unique prefix", (int)len, name);
		return -1;
	}
	const char *arg = NULL;
	if (match->has_arg) {
		if (eq)
			arg = eq + 1;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		else {
			*err = xasprintf("option --%s requires argument", match->long_name);
			return -1;
		}
	} else if (eq) {
		*err = xasprintf("option --%s must not have an argument", match->long_name);
		return -1;
	}
	/* Python reports the full option name even when abbreviated. */
	char given[48];
	snprintf(given, sizeof given, "--%s", match->long_name);
	push(found, n, match->id, given, arg);
	return 0;
}

static int
short_opts(int argc, char **argv, int *i, const struct opt_spec *specs, size_t nspecs,
	   struct opt_found **found, size_t *n, char **err)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct opt_spec *sp = NULL;
		for (size_t k = 0; k < nspecs && !sp; k++)
			if (specs[k].short_name == *p)
				sp = &specs[k];
		if (!sp) {
			*err = xasprintf("option -%c not recognized", *p);
			return -1;
		}
		char given[3] = {'-', *p, 0};
		if (!sp->has_arg) {
			push(found, n, sp->id, given, NULL);
			continue;
		}
		const char *arg;
		if (p[1])
			arg = p + 1;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		else {
			*err = xasprintf("option -%c requires argument", *p);
			return -1;
		}
		push(found, n, sp->id, given, arg);
		return 0;
	}
	return 0;
}

int
pygetopt(int argc, char **argv, const struct opt_spec *specs, size_t nspecs,
	 struct opt_found **found, size_t *nfound, int *first_arg, char **err)
{
	*found = NULL;
	*nfound = 0;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (streq(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		int rc = a[1] == '-' ? long_opt(argc, argv, &i, specs, nspecs, found, nfound, err)
				     : short_opts(argc, argv, &i, specs, nspecs, found, nfound, err);
		if (rc < 0) {
			free(*found);
			*found = NULL;
			return -1;
		}
	}
	*first_arg = i;
	return 0;
}
