#include "plugins.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "host.h"
#include "log.h"
#include "rpc.h"
#include "util.h"

#define MAIN_RPC_FACTORY "supervisor.rpcinterface:make_main_rpcinterface"

/* The plugin linked into the daemon (compiled with -DSUP_BUILTIN). */
const struct sup_plugin_info *sup_builtin_default(void);

/* The pointer built-in plugins use (SUP_BUILTIN); .so plugins have their own. */
const struct sup_api *sup_api_ = &host_api;

static struct plugin_list loaded;

static void
rollback(struct sup_plugin *p)
{
	rpc_unregister_owner(p);
	host_drop_owner(p);
}

static char *
load_one(const struct plugin_config *pc)
{
	struct sup_plugin *p = plugin_new(pc->name, pc->section, &pc->extras);
	char *err = NULL;
	if (streq(pc->name, "system")) {
		p->path = xstrdup(pc->factory);
		err = plugin_refuse(p, "the namespace 'system' is reserved");
	} else if (streq(pc->factory, MAIN_RPC_FACTORY) || streq(pc->factory, "default")) {
		p->path = xstrdup("(built-in default)");
		err = plugin_check_info(p, sup_builtin_default(), SUP_KIND_RPC);
	} else {
		plugin_set_path(p, pc->factory, PLUGINDIR);
		err = plugin_open(p, SUP_KIND_RPC);
	}
	if (!err)
		err = plugin_init(p, &host_api, rollback);
	if (err) {
		plugin_free(p, true);
		return err;
	}
	plugin_list_add(&loaded, p);
	log_info("RPC interface '%s' initialized", p->name);
	if (!rpc_count_owner(p))
		log_warn("RPC interface '%s' registered no methods", p->name);
	return NULL;
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
	plugin_list_unload(&loaded);
	rpc_free();
}

/* ---- the daemon's own part of the table ---- */

static void
api_vlog(sup_plugin *p, int level, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	log_msg(level, "%s: %s", p ? p->name : "plugin", msg);
	free(msg);
}

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

/* A plugin of both kinds may try: there are no commands in the daemon. */
static int
api_ctl_commands(sup_plugin *p, const struct sup_command *c, size_t n, size_t elem_size, void *ud)
{
	(void)p, (void)c, (void)n, (void)elem_size, (void)ud;
	errno = ENOTSUP;
	return SUP_ERR;
}

/* the process, loop and daemon parts live in host.c */
const struct sup_api host_api = {
	PLUGIN_API_SHARED,
	.vlog = api_vlog,
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
	.ctl_commands = api_ctl_commands, /* the other ctl entries need a sup_ctl: NULL */
	.event_remote_comm = host_event_remote_comm,
	/* 1.1 */
	.fd_watch = host_fd_watch,
	.fd_unwatch = host_fd_unwatch,
	.call_ud = rpc_api_call_ud,
};
