/* The `supervisor` XML-RPC namespace (Supervisor 4.2.5's
 * supervisor.rpcinterface), written against the public SDK only: it is the
 * built-in plugin behind supervisor.rpcinterface:make_main_rpcinterface. */
#include <csupervisor/plugin.h>

#define API sup_api_

/* Every supervisor.* method but sendRemoteCommEvent first refuses while
 * the daemon is restarting or shutting down. */
static int
refuse_if_stopping(sup_call *call)
{
	if (API->daemon_state() < 1)
		return sup_fault(call, SUP_FAULT_SHUTDOWN_STATE, NULL), 1;
	return 0;
}

static int
m_getAPIVersion(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	if (refuse_if_stopping(call))
		return SUP_ERR;
	return sup_reply(call, sup_string("3.0"));
}

static int
m_getState(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	if (refuse_if_stopping(call))
		return SUP_ERR;
	sup_value *st = API->struct_new();
	API->struct_put(st, "statecode", API->int_new(1));
	API->struct_put(st, "statename", sup_string("RUNNING"));
	return sup_reply(call, st);
}

static const struct sup_method methods[] = {
	{"getAPIVersion", m_getAPIVersion, "s:", "Return the version of the RPC API used by supervisord\n\n@return string version version id"},
	{"getState", m_getState, "S:", "Return current state of supervisord as a struct\n\n@return struct A struct with keys int statecode, string statename"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	return sup_rpc_methods(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(default, SUP_KIND_RPC, "4.2.5", init, NULL)
