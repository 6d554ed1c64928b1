/* Test plugin: cancelled replies. NS.hang() defers and never answers; its
 * cancel callback runs when the client goes away or the daemon stops, and
 * logs "hang() cancelled (<n> so far)" (and each hang() "hang() deferred
 * (<n> hanging)"). NS.cancels() answers how many
 * hang() calls were cancelled. */
#include <stdlib.h>

#include <csupervisor/plugin.h>

struct counts {
	int hanging, cancelled;
};

static void
on_cancel(sup_call *call, void *ud)
{
	(void)call; /* dead from here on: never answered */
	sup_plugin *p = ud;
	struct counts *c = sup_api_->get_data(p);
	c->hanging--;
	c->cancelled++;
	sup_log(p, SUP_LOG_INFO, "hang() cancelled (%d so far)", c->cancelled);
}

static int
hang(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	sup_plugin *p = ud;
	struct counts *c = sup_api_->get_data(p);
	c->hanging++;
	sup_log(p, SUP_LOG_INFO, "hang() deferred (%d hanging)", c->hanging);
	return sup_defer(call, on_cancel, p);
}

static int
cancels(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	struct counts *c = sup_api_->get_data(ud);
	return sup_reply(call, sup_api_->int_new(c->cancelled));
}

static const struct sup_method methods[] = {
	{"hang", hang, "b:", "Never answer"},
	{"cancels", cancels, "i:", "How many hang() calls were cancelled"},
};

static void
fini(sup_plugin *p)
{
	struct counts *c = sup_api_->get_data(p);
	sup_log(p, SUP_LOG_INFO, "fini: %d hanging, %d cancelled", c->hanging, c->cancelled);
}

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	struct counts *c = calloc(1, sizeof(*c));
	if (!c)
		return SUP_ERR;
	sup_api_->set_data(p, c, free);
	return sup_rpc_methods(p, methods, p);
}

SUP_PLUGIN_DEFINE(cancelled, SUP_KIND_RPC, "1.0", init, fini)
