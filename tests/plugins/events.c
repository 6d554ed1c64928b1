/* Test plugin: events. init() subscribes to the key "subscribe" (default
 * "PROCESS_STATE": every state change); NS.seen() answers what arrived, one
 * string per event: "<type> <group>:<name> from <from_state>". */
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>

struct seen {
	sup_value *list; /* array of strings */
};

static const char *
field(const sup_value *payload, const char *key)
{
	const char *s = "?";
	sup_api_->get_string(sup_api_->struct_get(payload, key), &s, NULL);
	return s;
}

static void
on_event(const char *type, const sup_value *payload, void *ud)
{
	struct seen *st = ud;
	const char *parts[] = {type, " ", field(payload, "groupname"), ":", field(payload, "processname"),
			       " from ", field(payload, "from_state")};
	char buf[256] = "";
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		strncat(buf, parts[i], sizeof buf - 1 - strlen(buf));
	sup_api_->array_push(st->list, sup_string(buf));
}

static int
seen(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	struct seen *st = ud;
	return sup_reply(call, sup_api_->ref(st->list));
}

static const struct sup_method methods[] = {
	{"seen", seen, "A:", "The events received so far"},
};

static void
seen_free(void *data)
{
	struct seen *st = data;
	sup_api_->unref(st->list);
	free(st);
}

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"subscribe", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *type = sup_api_->config_get(cfg, "subscribe");
	struct seen *st = calloc(1, sizeof(*st));
	if (!st)
		return SUP_ERR;
	st->list = sup_api_->array_new();
	sup_api_->set_data(p, st, seen_free);
	if (sup_api_->subscribe(p, type ? type : "PROCESS_STATE", on_event, st) != SUP_OK)
		return SUP_ERR;
	return sup_rpc_methods(p, methods, st);
}

SUP_PLUGIN_DEFINE(events, SUP_KIND_RPC, "1.0", init, NULL)
