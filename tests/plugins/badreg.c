/* Test plugin: registrations the daemon refuses, chosen by the key "case":
 *   duplicate   NS.ping twice
 *   name        a method named "bad-name"
 *   signature   NS.ping with the signature "x:y"
 *   none        no method at all (loads, with a warning)
 * init() passes the refusal on, so the daemon stops with "init failed". */
#include <string.h>

#include <csupervisor/plugin.h>

static int
ping(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return sup_reply(call, sup_string("pong"));
}

static const struct sup_method duplicate[] = {
	{"ping", ping, "s:", "pong"},
	{"ping", ping, "s:", "pong again"},
};
static const struct sup_method bad_name[] = {
	{"bad-name", ping, "s:", "not an identifier"},
};
static const struct sup_method bad_signature[] = {
	{"ping", ping, "x:y", "not xmlrpc-c letters"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"case", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *c = sup_api_->config_get(cfg, "case");
	if (!c || !strcmp(c, "none"))
		return SUP_OK;
	if (!strcmp(c, "duplicate"))
		return sup_rpc_methods(p, duplicate, NULL);
	if (!strcmp(c, "name"))
		return sup_rpc_methods(p, bad_name, NULL);
	return sup_rpc_methods(p, bad_signature, NULL);
}

SUP_PLUGIN_DEFINE(badreg, SUP_KIND_RPC, "1.0", init, NULL)
