/* Test plugin: configuration keys. init() accepts only "greeting" and
 * "punctuation" (config_check), so a typo is a startup error naming the
 * section and the key; NS.hello() answers greeting + punctuation as the
 * daemon handed them over (expanded). */
#include <string.h>

#include <csupervisor/plugin.h>

static const sup_config *config; /* its strings are valid until fini */

static int
hello(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	const char *g = sup_api_->config_get(config, "greeting");
	const char *p = sup_api_->config_get(config, "punctuation");
	char buf[256] = "";
	strncat(buf, g ? g : "(no greeting)", sizeof buf - 1);
	strncat(buf, p ? p : "", sizeof buf - 1 - strlen(buf));
	return sup_reply(call, sup_string(buf));
}

static const struct sup_method methods[] = {
	{"hello", hello, "s:", "greeting + punctuation"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"greeting", "punctuation", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	config = cfg;
	return sup_rpc_methods(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(configkey, SUP_KIND_RPC, "1.0", init, NULL)
