/* Test plugin: what a call knows (ABI 1.1).
 *
 *   NS.peer()     string: call_peer(), "unix" or "inet:<address>"
 *   NS.whoami()   typed:  the instance name, reached through call_ud()
 *   NS.count()    typed:  a per-instance counter, through call_ud()
 *   NS.udOf()     string: "same" when call_ud() of a value method is the
 *                 ud it was registered with
 *
 * A typed function has no ud parameter: call_ud(call) is how it reaches
 * the data its instance registered it with, so two instances of this
 * plugin ([rpcinterface:a] and [rpcinterface:b]) count separately. */
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

struct inst {
	const char *name; /* borrowed from the host until fini */
	int32_t count;
};

static int
peer(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	const char *who = sup_api_->call_peer(call);
	return sup_reply(call, sup_string(who ? who : "(null)"));
}

static int
ud_of(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	return sup_reply(call, sup_string(sup_call_ud(call) == ud ? "same" : "different"));
}

static const char *
whoami(sup_call *call)
{
	struct inst *in = sup_call_ud(call);
	return in->name;
}

static int32_t
count(sup_call *call)
{
	struct inst *in = sup_call_ud(call);
	return ++in->count;
}

static const struct sup_method methods[] = {
	{"peer", peer, "s:", "Who is calling"},
	{"udOf", ud_of, "s:", "Whether call_ud() is the registered ud"},
};

static const struct sup_typed_method typed[] = {
	SUP_TYPED0("whoami", whoami, "The instance name, through call_ud()", const char *),
	SUP_TYPED0("count", count, "Calls of count() on this instance", int32_t),
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	struct inst *in = calloc(1, sizeof(*in));
	if (!in)
		return SUP_ERR;
	in->name = sup_api_->instance_name(p);
	sup_api_->set_data(p, in, free);
	if (sup_rpc_methods(p, methods, in) != SUP_OK)
		return SUP_ERR;
	return sup_rpc_typed(p, typed, in);
}

SUP_PLUGIN_DEFINE(calls, SUP_KIND_RPC, "1.1", init, NULL)
