#include "plugins.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"
#include "rpc.h"
#include "util.h"

#define MAIN_RPC_FACTORY "supervisor.rpcinterface:make_main_rpcinterface"

/* Plugins linked into the daemon (compiled with -DSUP_BUILTIN). */
const struct sup_plugin_info *sup_builtin_default(void);
static const struct {
	const char *name;
	const struct sup_plugin_info *(*query)(void);
} builtins[] = {
	{"default", sup_builtin_default},
};

/* The pointer built-in plugins use (SUP_BUILTIN); .so plugins have their own. */
const struct sup_api *sup_api_ = &host_api;

static struct {
	struct sup_plugin **v;
	int n;
} loaded;

const char *
plugin_dir(void)
{
	const char *env = getenv("CSUP_PLUGIN_DIR");
	return env && *env ? env : PLUGINDIR;
}

static char *
refuse(const struct sup_plugin *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
refuse(const struct sup_plugin *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("[%s] plugin %s: %s", p->section, p->path, why);
	free(why);
	return msg;
}

/* A plugin runs as the daemon, usually root: only files nobody else could
 * have written are loaded. */
static char *
check_file(const struct sup_plugin *p)
{
	struct stat st;
	if (stat(p->path, &st) < 0)
		return refuse(p, "cannot load: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(p, "not a regular file");
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return refuse(p, "owned by uid %u, not by root or uid %u", (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 022)
		return refuse(p, "writable by group or others (mode %04o)", (unsigned)(st.st_mode & 07777));
	char *copy = xstrdup(p->path);
	const char *dir = dirname(copy);
	char *msg = NULL;
	if (stat(dir, &st) == 0 && (st.st_mode & 002) && !(st.st_mode & S_ISVTX))
		msg = refuse(p, "its directory %s is writable by others", dir);
	free(copy);
	return msg;
}

static char *
check_info(const struct sup_plugin *p, const struct sup_plugin_info *info)
{
	if (!info || info->magic != SUP_PLUGIN_MAGIC)
		return refuse(p, "magic is 0x%08x, expected 0x%08x: not a csupervisor plugin",
			      info ? info->magic : 0u, SUP_PLUGIN_MAGIC);
	if (info->abi_major != SUP_ABI_MAJOR)
		return refuse(p, "abi_major is %u, this host provides %u: rebuild the plugin for ABI %u",
			      (unsigned)info->abi_major, SUP_ABI_MAJOR, SUP_ABI_MAJOR);
	if (info->abi_minor > SUP_ABI_MINOR)
		return refuse(p, "abi_minor is %u, this host provides %u.%u: upgrade supervisord or build the plugin with SUP_TARGET_MINOR=%u",
			      (unsigned)info->abi_minor, SUP_ABI_MAJOR, SUP_ABI_MINOR, SUP_ABI_MINOR);
	if (info->size < sizeof(struct sup_plugin_info))
		return refuse(p, "size is %u, expected at least %zu: not a csupervisor plugin",
			      (unsigned)info->size, sizeof(struct sup_plugin_info));
	if (!(info->kinds & SUP_KIND_RPC))
		return refuse(p, "kinds is 0x%x: not an RPC (supervisord) plugin", (unsigned)info->kinds);
	if (!info->init)
		return refuse(p, "init is NULL");
	return NULL;
}

static void
instance_free(struct sup_plugin *p)
{
	if (p->free_fn)
		p->free_fn(p->data);
	free(p->name);
	free(p->section);
	free(p->path);
	free(p->config_error);
	free(p);
}

static char *
load_one(const struct plugin_config *pc)
{
	struct sup_plugin *p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(pc->name);
	p->section = xstrdup(pc->section);
	p->keys = &pc->extras;
	const struct sup_plugin_info *info = NULL;
	char *err = NULL;
	if (streq(pc->name, "system")) {
		p->path = xstrdup(pc->factory);
		err = refuse(p, "the namespace 'system' is reserved");
		goto fail;
	}
	if (streq(pc->factory, MAIN_RPC_FACTORY) || streq(pc->factory, "default")) {
		p->path = xstrdup("(built-in default)");
		info = builtins[0].query();
	} else {
		p->path = pc->factory[0] == '/' ? xstrdup(pc->factory) : xasprintf("%s/%s.so", plugin_dir(), pc->factory);
		if ((err = check_file(p)))
			goto fail;
		p->dl = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
		if (!p->dl) {
			err = refuse(p, "dlopen failed: %s", dlerror());
			goto fail;
		}
		const struct sup_plugin_info *(*query)(void) = (const struct sup_plugin_info *(*)(void))dlsym(p->dl, SUP_ENTRY_SYMBOL);
		if (!query) {
			err = refuse(p, "no %s symbol: not a csupervisor plugin (build it with SUP_PLUGIN_DEFINE)", SUP_ENTRY_SYMBOL);
			goto fail;
		}
		info = query();
	}
	if ((err = check_info(p, info)))
		goto fail;
	p->info = info;
	p->in_init = true;
	int rc = info->init(p, &host_api, (const sup_config *)p);
	p->in_init = false;
	if (rc != SUP_OK || p->config_error) {
		/* roll back what it registered, then let it clean up */
		rpc_unregister_owner(p);
		if (info->fini)
			info->fini(p);
		err = p->config_error ? xasprintf("[%s] %s", p->section, p->config_error)
				      : refuse(p, "init failed");
		goto fail;
	}
	loaded.v = xrealloc(loaded.v, (size_t)(loaded.n + 1) * sizeof(*loaded.v));
	loaded.v[loaded.n++] = p;
	log_info("RPC interface '%s' initialized", p->name);
	if (!rpc_count_owner(p))
		log_warn("RPC interface '%s' registered no methods", p->name);
	return NULL;
fail:
	/* the plugin's free_fn lives in the .so: call it before unmapping */
	void *dl = p->dl;
	instance_free(p);
	if (dl)
		dlclose(dl);
	return err;
}

int
plugins_load(const struct config *cfg, char **err)
{
	rpc_init();
	for (int i = 0; i < cfg->nplugins; i++) {
		if (cfg->plugins[i].kind != PLUGIN_RPC)
			continue;
		if ((*err = load_one(&cfg->plugins[i])))
			return -1;
	}
	rpc_seal();
	return 0;
}

void
plugins_unload(void)
{
	for (int i = loaded.n - 1; i >= 0; i--) {
		struct sup_plugin *p = loaded.v[i];
		if (p->info->fini)
			p->info->fini(p);
		/* a .so stays mapped: callbacks may still point into it */
		instance_free(p);
	}
	free(loaded.v);
	loaded.v = NULL;
	loaded.n = 0;
	rpc_free();
}

/* ---- the instance and configuration part of the table ---- */

static void
api_vlog(sup_plugin *p, int level, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	log_msg(level, "%s: %s", p ? p->name : "plugin", msg);
	free(msg);
}

static const char *
api_config_get(const sup_config *cfg, const char *key)
{
	const struct sup_plugin *p = (const struct sup_plugin *)cfg;
	return kv_get(p->keys, key);
}

static int
api_config_check(const sup_config *cfg, const char *const *known)
{
	struct sup_plugin *p = (struct sup_plugin *)cfg;
	for (size_t i = 0; i < p->keys->n; i++) {
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = streq(*k, p->keys->keys[i]);
		if (!ok) {
			struct strbuf sb = {0};
			sb_addf(&sb, "unknown key '%s' (plugin %s accepts:", p->keys->keys[i], p->path);
			for (const char *const *k = known; *k; k++)
				sb_addf(&sb, "%s %s", k == known ? "" : ",", *k);
			sb_adds(&sb, known[0] ? ")" : " no keys)");
			free(p->config_error);
			p->config_error = sb_steal(&sb);
			return SUP_ERR;
		}
	}
	return SUP_OK;
}

static void
api_set_data(sup_plugin *p, void *data, void (*free_fn)(void *))
{
	p->data = data;
	p->free_fn = free_fn;
}

static void *api_get_data(sup_plugin *p) { return p->data; }
static const char *api_instance_name(sup_plugin *p) { return p->name; }

static int
api_rpc_methods(sup_plugin *p, const struct sup_method *m, size_t n, size_t elem_size, void *ud)
{
	if (!p->in_init) {
		errno = EBUSY;
		return SUP_ERR;
	}
	for (size_t i = 0; i < n; i++) {
		struct sup_method one = {0};
		memcpy(&one, (const char *)m + i * elem_size, elem_size < sizeof one ? elem_size : sizeof one);
		if (rpc_register(p, p->name, &one, ud) != SUP_OK)
			return SUP_ERR;
	}
	return SUP_OK;
}

static int
api_rpc_typed(sup_plugin *p, const struct sup_typed_method *m, size_t n, size_t elem_size, void *ud)
{
	if (!p->in_init) {
		errno = EBUSY;
		return SUP_ERR;
	}
	for (size_t i = 0; i < n; i++) {
		struct sup_typed_method one = {0};
		memcpy(&one, (const char *)m + i * elem_size, elem_size < sizeof one ? elem_size : sizeof one);
		if (rpc_register_typed(p, p->name, &one, ud) != SUP_OK)
			return SUP_ERR;
	}
	return SUP_OK;
}

/* ---- values ---- */

static sup_value *api_int_new(int64_t v) { return rv_int(v); }
static sup_value *api_bool_new(bool v) { return rv_bool(v); }
static sup_value *api_double_new(double v) { return rv_double(v); }
static sup_value *api_string_new(const char *s, size_t n) { return rv_string(s, n); }
static enum sup_type api_type_of(const sup_value *v) { return v ? v->type : SUP_T_OTHER; }

static int
api_get_int(const sup_value *v, int64_t *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_INT ? v->u.i : v->u.b;
	return SUP_OK;
}

static int
api_get_bool(const sup_value *v, bool *out)
{
	if (!v || (v->type != SUP_T_INT && v->type != SUP_T_BOOL))
		return SUP_ERR;
	*out = v->type == SUP_T_BOOL ? v->u.b : v->u.i != 0;
	return SUP_OK;
}

static int
api_get_double(const sup_value *v, double *out)
{
	if (!v || (v->type != SUP_T_DOUBLE && v->type != SUP_T_INT))
		return SUP_ERR;
	*out = v->type == SUP_T_DOUBLE ? v->u.d : (double)v->u.i;
	return SUP_OK;
}

static int
api_get_string(const sup_value *v, const char **out, size_t *len)
{
	if (!v || v->type != SUP_T_STRING)
		return SUP_ERR;
	*out = v->u.str.s;
	if (len)
		*len = v->u.str.len;
	return SUP_OK;
}

static int api_array_size(const sup_value *v) { return v && v->type == SUP_T_ARRAY ? v->u.arr.n : -1; }

static const sup_value *
api_array_get(const sup_value *v, int i)
{
	return v && v->type == SUP_T_ARRAY && i >= 0 && i < v->u.arr.n ? v->u.arr.items[i] : NULL;
}

/* the process, loop and daemon parts live in host.c */
#include "host.h"

const struct sup_api host_api = {
	.abi_major = SUP_ABI_MAJOR,
	.abi_minor = SUP_ABI_MINOR,
	.size = sizeof(struct sup_api),
	.vlog = api_vlog,
	.config_get = api_config_get,
	.config_check = api_config_check,
	.set_data = api_set_data,
	.get_data = api_get_data,
	.instance_name = api_instance_name,
	.int_new = api_int_new,
	.bool_new = api_bool_new,
	.double_new = api_double_new,
	.string_new = api_string_new,
	.array_new = rv_array,
	.struct_new = rv_struct,
	.array_push = rv_push,
	.struct_put = rv_put,
	.ref = rv_ref,
	.unref = rv_unref,
	.type_of = api_type_of,
	.get_int = api_get_int,
	.get_bool = api_get_bool,
	.get_double = api_get_double,
	.get_string = api_get_string,
	.array_size = api_array_size,
	.array_get = api_array_get,
	.struct_get = rv_get,
	.rpc_methods = api_rpc_methods,
	.rpc_typed = api_rpc_typed,
	.reply = rpc_api_reply,
	.vfault = rpc_api_vfault,
	.defer = rpc_api_defer,
	.call_peer = rpc_api_peer,
	.timer_add = host_timer_add,
	.timer_del = host_timer_del,
	.subscribe = host_subscribe,
	.proc_list = host_proc_list,
	.proc_info = host_proc_info,
	.proc_select = host_proc_select,
	.proc_start = host_proc_start,
	.proc_stop = host_proc_stop,
	.proc_signal = host_proc_signal,
	.proc_stdin = host_proc_stdin,
	.proc_clear_logs = host_proc_clear_logs,
	.log_path = host_log_path,
	.main_log_clear = host_main_log_clear,
	.daemon_state = host_daemon_state,
	.daemon_pid = host_daemon_pid,
	.daemon_identifier = host_daemon_identifier,
	.daemon_shutdown = host_daemon_shutdown,
	.daemon_restart = host_daemon_restart,
	.config_reread = host_config_reread,
	.config_info = host_config_info,
	.group_add = host_group_add,
	.group_remove = host_group_remove,
	.event_remote_comm = host_event_remote_comm,
};
