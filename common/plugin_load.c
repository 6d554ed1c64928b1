#include "plugin_load.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpcvalue.h"
#include "util.h"

struct sup_plugin *
plugin_new(const char *name, const char *section, const struct kvlist *keys)
{
	struct sup_plugin *p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	p->section = xstrdup(section);
	p->keys = keys;
	return p;
}

char *
plugin_refuse(const struct sup_plugin *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("[%s] plugin %s: %s", p->section, p->path, why);
	free(why);
	return msg;
}

void
plugin_set_path(struct sup_plugin *p, const char *factory, const char *compiled_dir)
{
	free(p->path);
	if (factory[0] == '/') {
		p->path = xstrdup(factory);
		return;
	}
	const char *env = getenv("CSUP_PLUGIN_DIR");
	p->path = xasprintf("%s/%s.so", env && *env ? env : compiled_dir, factory);
}

/* A plugin runs as the program, often root: only files nobody else could
 * have written are loaded. */
static char *
check_file(const struct sup_plugin *p)
{
	struct stat st;
	if (stat(p->path, &st) < 0)
		return plugin_refuse(p, "cannot load: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return plugin_refuse(p, "not a regular file");
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return plugin_refuse(p, "owned by uid %u, not by root or uid %u", (unsigned)st.st_uid,
				     (unsigned)geteuid());
	if (st.st_mode & 022)
		return plugin_refuse(p, "writable by group or others (mode %04o)", (unsigned)(st.st_mode & 07777));
	char *copy = xstrdup(p->path);
	const char *dir = dirname(copy);
	char *msg = NULL;
	if (stat(dir, &st) == 0 && (st.st_mode & 002) && !(st.st_mode & S_ISVTX))
		msg = plugin_refuse(p, "its directory %s is writable by others", dir);
	free(copy);
	return msg;
}

char *
plugin_check_info(struct sup_plugin *p, const struct sup_plugin_info *info, uint32_t kind)
{
	const char *program = kind == SUP_KIND_CTL ? "supervisorctl" : "supervisord";
	if (!info || info->magic != SUP_PLUGIN_MAGIC)
		return plugin_refuse(p, "magic is 0x%08x, expected 0x%08x: not a csupervisor plugin",
				     info ? info->magic : 0u, SUP_PLUGIN_MAGIC);
	if (info->abi_major != SUP_ABI_MAJOR)
		return plugin_refuse(p, "abi_major is %u, this host provides %u: rebuild the plugin for ABI %u",
				     (unsigned)info->abi_major, SUP_ABI_MAJOR, SUP_ABI_MAJOR);
	if (info->abi_minor > SUP_ABI_MINOR)
		return plugin_refuse(p, "abi_minor is %u, this host provides %u.%u: upgrade %s or build the plugin "
				     "with SUP_TARGET_MINOR=%u",
				     (unsigned)info->abi_minor, SUP_ABI_MAJOR, SUP_ABI_MINOR, program, SUP_ABI_MINOR);
	if (info->size < sizeof(struct sup_plugin_info))
		return plugin_refuse(p, "size is %u, expected at least %zu: not a csupervisor plugin",
				     (unsigned)info->size, sizeof(struct sup_plugin_info));
	if (!(info->kinds & kind))
		return plugin_refuse(p, "kinds is 0x%x: not %s (%s) plugin", (unsigned)info->kinds,
				     kind == SUP_KIND_CTL ? "a ctl" : "an RPC", program);
	if (!info->init)
		return plugin_refuse(p, "init is NULL");
	p->info = info;
	return NULL;
}

char *
plugin_open(struct sup_plugin *p, uint32_t kind)
{
	char *err = check_file(p);
	if (err)
		return err;
	p->dl = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl)
		return plugin_refuse(p, "dlopen failed: %s", dlerror());
	const struct sup_plugin_info *(*query)(void) =
		(const struct sup_plugin_info *(*)(void))dlsym(p->dl, SUP_ENTRY_SYMBOL);
	if (!query)
		return plugin_refuse(p, "no %s symbol: not a csupervisor plugin (build it with SUP_PLUGIN_DEFINE)",
				     SUP_ENTRY_SYMBOL);
	return plugin_check_info(p, query(), kind);
}

char *
plugin_init(struct sup_plugin *p, const struct sup_api *api, void (*rollback)(struct sup_plugin *p))
{
	p->in_init = true;
	int rc = p->info->init(p, api, (const sup_config *)p);
	p->in_init = false;
	if (rc == SUP_OK && !p->load_error)
		return NULL;
	/* roll back what it registered, then let it clean up */
	rollback(p);
	if (p->info->fini)
		p->info->fini(p);
	char *err = p->load_error ? p->load_error : plugin_refuse(p, "init failed");
	p->load_error = NULL;
	return err;
}

void
plugin_free(struct sup_plugin *p, bool unmap)
{
	/* the free function lives in the .so: call it before unmapping */
	void *dl = p->dl;
	if (p->free_fn)
		p->free_fn(p->data);
	free(p->name);
	free(p->section);
	free(p->path);
	free(p->load_error);
	free(p);
	if (dl && unmap)
		dlclose(dl);
}

void
plugin_list_add(struct plugin_list *l, struct sup_plugin *p)
{
	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = p;
}

void
plugin_list_unload(struct plugin_list *l)
{
	for (int i = l->n - 1; i >= 0; i--) {
		struct sup_plugin *p = l->v[i];
		if (p->info->fini)
			p->info->fini(p);
		plugin_free(p, false);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- the shared part of the table ---- */

const char *
plugin_api_config_get(const sup_config *cfg, const char *key)
{
	const struct sup_plugin *p = (const struct sup_plugin *)cfg;
	return kv_get(p->keys, key);
}

int
plugin_api_config_check(const sup_config *cfg, const char *const *known)
{
	struct sup_plugin *p = (struct sup_plugin *)cfg;
	for (size_t i = 0; i < p->keys->n; i++) {
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = streq(*k, p->keys->keys[i]);
		if (ok)
			continue;
		struct strbuf sb = {0};
		sb_addf(&sb, "[%s] unknown key '%s' (plugin %s accepts:", p->section, p->keys->keys[i], p->path);
		for (const char *const *k = known; *k; k++)
			sb_addf(&sb, "%s %s", k == known ? "" : ",", *k);
		sb_adds(&sb, known[0] ? ")" : " no keys)");
		free(p->load_error);
		p->load_error = sb_steal(&sb);
		return SUP_ERR;
	}
	return SUP_OK;
}

void
plugin_api_set_data(sup_plugin *p, void *data, void (*free_fn)(void *))
{
	p->data = data;
	p->free_fn = free_fn;
}

void *plugin_api_get_data(sup_plugin *p) { return p->data; }
const char *plugin_api_instance_name(sup_plugin *p) { return p->name; }
sup_value *plugin_api_int_new(int64_t v) { return rv_int(v); }
sup_value *plugin_api_bool_new(bool v) { return rv_bool(v); }
sup_value *plugin_api_double_new(double v) { return rv_double(v); }
sup_value *plugin_api_string_new(const char *s, size_t n) { return rv_string(s, n); }
enum sup_type plugin_api_type_of(const sup_value *v) { return v ? v->type : SUP_T_OTHER; }

int
plugin_api_get_int(const sup_value *v, int64_t *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_INT ? v->u.i : v->u.b;
	return SUP_OK;
}

int
plugin_api_get_bool(const sup_value *v, bool *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_BOOL ? v->u.b : v->u.i != 0;
	return SUP_OK;
}

int
plugin_api_get_double(const sup_value *v, double *out)
{
	if (!v || (v->type != SUP_T_DOUBLE && v->type != SUP_T_INT))
		return SUP_ERR;
	*out = v->type == SUP_T_DOUBLE ? v->u.d : (double)v->u.i;
	return SUP_OK;
}

int
plugin_api_get_string(const sup_value *v, const char **out, size_t *len)
{
	if (!v || v->type != SUP_T_STRING)
		return SUP_ERR;
	*out = v->u.str.s;
	if (len)
		*len = v->u.str.len;
	return SUP_OK;
}

int plugin_api_array_size(const sup_value *v) { return v && v->type == SUP_T_ARRAY ? v->u.arr.n : -1; }

const sup_value *
plugin_api_array_get(const sup_value *v, int i)
{
	return v && v->type == SUP_T_ARRAY && i >= 0 && i < v->u.arr.n ? v->u.arr.items[i] : NULL;
}
