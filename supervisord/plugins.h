/* Loading plugins: [rpcinterface:NAME] sections name a built-in or a .so;
 * each is checked (file, magic block, ABI) before any of its code runs,
 * then initialised with the host's function table. A bare NAME is
 * PLUGINDIR/NAME.so, or $CSUP_PLUGIN_DIR/NAME.so (tests). */
#ifndef CSUP_PLUGINS_H
#define CSUP_PLUGINS_H

#include <csupervisor/plugin.h>

#include "config.h"
#include "envlist.h"
#include "plugin_load.h" /* struct sup_plugin */

/* Load and initialise every [rpcinterface:x] of cfg. Returns 0, or -1 with
 * *err: one message naming the section, the file and what was refused. */
int plugins_load(const struct config *cfg, char **err);
/* fini every instance (reverse order); dlclose nothing while running. */
void plugins_unload(void);

/* The table given to plugins. */
extern const struct sup_api host_api;

#endif
