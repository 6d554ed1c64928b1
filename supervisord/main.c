/* supervisord: read the configuration, then run the programs it names. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct daemon_options opts;
	daemon_options_parse(&opts, argc, argv);
	struct config *cfg = daemon_options_load(&opts);
	/* The process engine comes next; until then the daemon validates. */
	fprintf(stderr, "supervisord: configuration %s is valid (%d groups)\n", opts.configfile, cfg->ngroups);
	config_free(cfg);
	daemon_options_free(&opts);
	return 0;
}
