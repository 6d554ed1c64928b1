/* Loading plugins: [rpcinterface:NAME] sections name a built-in or a .so;
 * each is checked (file, magic block, ABI) before any of its code runs,
 * then initialised with the host's function table. */
#ifndef CSUP_PLUGINS_H
#define CSUP_PLUGINS_H

#include <csupervisor/plugin.h>

#include "config.h"
#include "envlist.h"

struct sup_plugin {
	char *name;    /* the namespace: [rpcinterface:NAME] */
	char *section;
	char *path;    /* the .so, or "(built-in default)" */
	void *dl;
	const struct sup_plugin_info *info;
	const struct kvlist *keys; /* borrowed from the config */
	void *data;
	void (*free_fn)(void *);
	bool in_init;
	char *config_error; /* set by config_check */
};

/* Where plugins named by a bare NAME live; settable for tests through
 * CSUP_PLUGIN_DIR in the environment. */
const char *plugin_dir(void);

/* Load and initialise every [rpcinterface:x] of cfg. Returns 0, or -1 with
 * *err: one message naming the section, the file and what was refused. */
int plugins_load(const struct config *cfg, char **err);
/* fini every instance (reverse order); dlclose nothing while running. */
void plugins_unload(void);

/* The table given to plugins. */
extern const struct sup_api host_api;

#endif
