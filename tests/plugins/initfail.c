/* Test plugin: init failure. init() registers NS.ping, logs, and fails;
 * the daemon must remove NS.ping again, run fini, and stop (exit 2) with
 * an error naming the section. With the key "data = yes" it also hands the
 * daemon per-instance data whose free function lives in this .so. */
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>

static int
ping(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return sup_reply(call, sup_string("pong"));
}

static const struct sup_method methods[] = {
	{"ping", ping, "s:", "pong"},
};

static void
data_free(void *data)
{
	free(data);
}

static void
fini(sup_plugin *p)
{
	sup_log(p, SUP_LOG_INFO, "fini ran");
}

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"data", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *data = sup_api_->config_get(cfg, "data");
	if (data && !strcmp(data, "yes"))
		sup_api_->set_data(p, malloc(16), data_free);
	if (sup_rpc_methods(p, methods, NULL) != SUP_OK)
		return SUP_ERR;
	sup_log(p, SUP_LOG_INFO, "registered ping, now failing on purpose");
	return SUP_ERR;
}

SUP_PLUGIN_DEFINE(initfail, SUP_KIND_RPC, "1.0", init, fini)
