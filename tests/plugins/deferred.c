/* Test plugin: deferred replies. Each method defers its call and answers
 * from a timer on the daemon's loop, so the call outlives its handler.
 *
 *   NS.later(ms, text)  -> text, after ms milliseconds
 *   NS.failLater(ms)    -> fault 1001 "failed after <ms> ms", after ms
 *   NS.now()            -> "now", at once (for ordering in multicalls)
 *
 * A cancelled call (client gone, daemon stopping) deletes its timer. */
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>

struct pending {
	sup_call *call;
	sup_plugin *p;
	uint64_t timer;
	int ms;
	char *text; /* NULL: fault */
};

static void
pending_free(struct pending *d)
{
	free(d->text);
	free(d);
}

static void
fire(void *ud)
{
	struct pending *d = ud;
	if (d->text)
		sup_reply(d->call, sup_string(d->text));
	else
		sup_fault(d->call, SUP_FAULT_PLUGIN_BASE + 1, "failed after %d ms", d->ms);
	pending_free(d);
}

static void
cancelled(sup_call *call, void *ud)
{
	(void)call;
	struct pending *d = ud;
	sup_api_->timer_del(d->p, d->timer);
	sup_log(d->p, SUP_LOG_INFO, "call cancelled after defer (%d ms)", d->ms);
	pending_free(d);
}

static int
defer_for(sup_call *call, sup_plugin *p, int ms, const char *text)
{
	struct pending *d = calloc(1, sizeof(*d));
	if (!d)
		return sup_fault(call, SUP_FAULT_FAILED, "out of memory");
	d->call = call;
	d->p = p;
	d->ms = ms;
	if (text) {
		size_t n = strlen(text);
		d->text = malloc(n + 1);
		if (!d->text) {
			free(d);
			return sup_fault(call, SUP_FAULT_FAILED, "out of memory");
		}
		memcpy(d->text, text, n + 1);
	}
	if (sup_api_->timer_add(p, ms < 0 ? 0u : (unsigned)ms, fire, d, &d->timer) != SUP_OK) {
		pending_free(d);
		return sup_fault(call, SUP_FAULT_FAILED, "timer_add failed");
	}
	return sup_defer(call, cancelled, d);
}

static int
later(sup_call *call, sup_value *params, void *ud)
{
	int64_t ms = 0;
	const char *text = NULL;
	sup_api_->get_int(sup_api_->array_get(params, 0), &ms);
	sup_api_->get_string(sup_api_->array_get(params, 1), &text, NULL);
	return defer_for(call, ud, (int)ms, text);
}

static int
fail_later(sup_call *call, sup_value *params, void *ud)
{
	int64_t ms = 0;
	sup_api_->get_int(sup_api_->array_get(params, 0), &ms);
	return defer_for(call, ud, (int)ms, NULL);
}

static int
now(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return sup_reply(call, sup_string("now"));
}

static const struct sup_method methods[] = {
	{"later", later, "s:is", "Answer text after ms milliseconds"},
	{"failLater", fail_later, "b:i", "Fault 1001 after ms milliseconds"},
	{"now", now, "s:", "Answer at once"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	return sup_rpc_methods(p, methods, p);
}

SUP_PLUGIN_DEFINE(deferred, SUP_KIND_RPC, "1.0", init, NULL)
