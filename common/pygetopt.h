/* Command-line parsing with the exact rules and messages of Python's
 * getopt.getopt(), which supervisord and supervisorctl use: options stop at
 * the first non-option, long options take any unique prefix. */
#ifndef CSUP_PYGETOPT_H
#define CSUP_PYGETOPT_H

#include <stdbool.h>
#include <stddef.h>

struct opt_spec {
	char short_name;       /* 0: none */
	const char *long_name; /* NULL: none */
	bool has_arg;
	int id;
};

struct opt_found {
	int id;
	char given[48];    /* "-c" or "--configuration" (the full name) */
	const char *arg;   /* NULL for flags; borrowed from argv */
};

/* Parse argv[1..]. On success returns 0, fills *found (caller frees the
 * array) and *first_arg (index of the first positional argument). On error
 * returns -1 with *err (caller frees), e.g. "option -x not recognized". */
int pygetopt(int argc, char **argv, const struct opt_spec *specs, size_t nspecs,
	     struct opt_found **found, size_t *nfound, int *first_arg, char **err);

#endif
