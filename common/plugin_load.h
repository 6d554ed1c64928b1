/* Loading a plugin, shared by supervisord ([rpcinterface:x]) and
 * supervisorctl ([ctlplugin:x]): the instance, the checks made before any
 * of its code runs (the file, dlopen, the entry symbol, the magic block),
 * init() with rollback, and the entries of struct sup_api that mean the
 * same in both programs (configuration, per-instance data, values).
 *
 * Every refusal is one message, "[SECTION] plugin PATH: WHAT", where WHAT
 * names the field and both values (docs/plugins.md). */
#ifndef CSUP_PLUGIN_LOAD_H
#define CSUP_PLUGIN_LOAD_H

#include <csupervisor/plugin.h>

#include "envlist.h"

struct sup_plugin {
	char *name;    /* the instance: NAME of [rpcinterface:NAME] / [ctlplugin:NAME] */
	char *section; /* "rpcinterface:NAME", for messages */
	char *path;    /* the .so, or "(built-in default)" */
	void *dl;
	const struct sup_plugin_info *info;
	const struct kvlist *keys; /* the section's other keys; borrowed from the config */
	void *data;
	void (*free_fn)(void *);
	bool in_init;
	char *load_error; /* a complete refusal, set by a registration in init() */
	void *host;       /* the program's context (supervisorctl: its struct sup_ctl) */
};

/* A new instance (strings copied, keys borrowed); path unset. */
struct sup_plugin *plugin_new(const char *name, const char *section, const struct kvlist *keys);
/* "[SECTION] plugin PATH: <fmt...>"; caller frees. */
char *plugin_refuse(const struct sup_plugin *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* factory: an absolute path, or NAME for DIR/NAME.so where DIR is
 * $CSUP_PLUGIN_DIR or else compiled_dir. Sets p->path. */
void plugin_set_path(struct sup_plugin *p, const char *factory, const char *compiled_dir);

/* The checks, in order: regular file owned by root or the euid, not
 * writable by group or others, in a directory others cannot write (unless
 * sticky); dlopen(RTLD_NOW | RTLD_LOCAL); the SUP_ENTRY_SYMBOL; the magic
 * block for kind (SUP_KIND_RPC or SUP_KIND_CTL). Sets p->dl and p->info;
 * returns NULL, or the refusal (caller frees; p->dl may be set). */
char *plugin_open(struct sup_plugin *p, uint32_t kind);
/* The magic block alone (built-in plugins). Sets p->info when it passes. */
char *plugin_check_info(struct sup_plugin *p, const struct sup_plugin_info *info, uint32_t kind);

/* Run init() with api; registrations are allowed meanwhile. On failure
 * rollback(p) removes what it registered, fini runs, and the refusal is
 * returned (p->load_error, or "init failed"); NULL on success. */
char *plugin_init(struct sup_plugin *p, const struct sup_api *api, void (*rollback)(struct sup_plugin *p));
/* After fini (or a failed load): the data's free function (it may live in
 * the .so), the instance, then dlclose when unmap (never for a plugin
 * whose callbacks may still be referenced). */
void plugin_free(struct sup_plugin *p, bool unmap);

/* The loaded instances of a program, in load order. */
struct plugin_list {
	struct sup_plugin **v;
	int n;
};
void plugin_list_add(struct plugin_list *l, struct sup_plugin *p);
/* fini each instance, last loaded first, and free it; no .so is unmapped
 * (callbacks may still point into it). The list is empty after. */
void plugin_list_unload(struct plugin_list *l);

/* ---- the entries of struct sup_api both programs share ---- */
const char *plugin_api_config_get(const sup_config *cfg, const char *key);
int plugin_api_config_check(const sup_config *cfg, const char *const *known);
void plugin_api_set_data(sup_plugin *p, void *data, void (*free_fn)(void *));
void *plugin_api_get_data(sup_plugin *p);
const char *plugin_api_instance_name(sup_plugin *p);
sup_value *plugin_api_int_new(int64_t v);
sup_value *plugin_api_bool_new(bool v);
sup_value *plugin_api_double_new(double v);
sup_value *plugin_api_string_new(const char *s, size_t n);
enum sup_type plugin_api_type_of(const sup_value *v);
int plugin_api_get_int(const sup_value *v, int64_t *out);
int plugin_api_get_bool(const sup_value *v, bool *out);
int plugin_api_get_double(const sup_value *v, double *out);
int plugin_api_get_string(const sup_value *v, const char **out, size_t *len);
int plugin_api_array_size(const sup_value *v);
const sup_value *plugin_api_array_get(const sup_value *v, int i);

/* Designated initializers for those entries, in a host's table. */
#define PLUGIN_API_SHARED                                                                  \
	.abi_major = SUP_ABI_MAJOR, .abi_minor = SUP_ABI_MINOR, .size = sizeof(struct sup_api), \
	.config_get = plugin_api_config_get, .config_check = plugin_api_config_check,       \
	.set_data = plugin_api_set_data, .get_data = plugin_api_get_data,                   \
	.instance_name = plugin_api_instance_name, .int_new = plugin_api_int_new,           \
	.bool_new = plugin_api_bool_new, .double_new = plugin_api_double_new,               \
	.string_new = plugin_api_string_new, .array_new = rv_array, .struct_new = rv_struct, \
	.array_push = rv_push, .struct_put = rv_put, .ref = rv_ref, .unref = rv_unref,      \
	.type_of = plugin_api_type_of, .get_int = plugin_api_get_int,                       \
	.get_bool = plugin_api_get_bool, .get_double = plugin_api_get_double,               \
	.get_string = plugin_api_get_string, .array_size = plugin_api_array_size,           \
	.array_get = plugin_api_array_get, .struct_get = rv_get

#endif
