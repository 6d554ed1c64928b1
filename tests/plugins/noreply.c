/* Test plugin: API misuse the daemon must survive.
 *   NS.forget()       returns without a reply, a fault or defer(): the
 *                     client gets fault 30 FAILED and the log an
 *                     "API misuse" line
 *   NS.twice()        replies twice: the second reply is refused (SUP_ERR)
 *                     and the plugin logs what it got
 *   NS.lateRegister() registers a method outside init(): refused */
#include <errno.h>

#include <csupervisor/plugin.h>

static sup_plugin *self;

static int
forget(sup_call *call, sup_value *params, void *ud)
{
	(void)call;
	(void)params;
	(void)ud;
	return SUP_OK; /* the bug under test */
}

static int
twice(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	sup_reply(call, sup_string("first"));
	int rc = sup_reply(call, sup_string("second"));
	sup_log(self, SUP_LOG_INFO, "second reply returned %d", rc);
	return SUP_OK;
}

static int
late_register(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	static const struct sup_method extra[] = {{"extra", forget, "b:", "never registered"}};
	int rc = sup_rpc_methods(self, extra, NULL);
	int err = errno;
	sup_log(self, SUP_LOG_INFO, "late registration returned %d (%s)", rc, err == EBUSY ? "EBUSY" : "?");
	return sup_reply(call, sup_api_->bool_new(rc == SUP_OK));
}

static const struct sup_method methods[] = {
	{"forget", forget, "b:", "Never answers"},
	{"twice", twice, "s:", "Answers twice"},
	{"lateRegister", late_register, "b:", "Registers a method after init"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	self = p;
	return sup_rpc_methods(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(noreply, SUP_KIND_RPC, "1.0", init, NULL)
