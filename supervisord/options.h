/* supervisord's command line, parsed and validated as Supervisor does. */
#ifndef CSUP_SD_OPTIONS_H
#define CSUP_SD_OPTIONS_H

#include "config.h"

struct daemon_options {
	const char *argv0;
	char *configfile; /* -c, or the first default path that exists */
	struct supervisord_overrides ov;
	char *user; /* effective user= (command line or file), NULL: none */
};

/* Parse argv; on a usage error print it the Supervisor way and exit 2;
 * -h and -v print and exit 0. */
void daemon_options_parse(struct daemon_options *o, int argc, char **argv);

/* Load the config and apply the command line over it; exits 2 with
 * "Error: ..." on any problem. */
struct config *daemon_options_load(struct daemon_options *o);

void daemon_options_free(struct daemon_options *o);

/* Print "Error: msg" and the help hint to stderr, exit 2. */
_Noreturn void usage_error(const char *argv0, const char *msg);

#endif
