/* Test plugin: typed methods, called by the daemon through libffi.
 *
 *   NS.add(i, i) -> i          NS.negate(b) -> b      NS.half(d) -> d
 *   NS.greet(s) -> s           NS.echo(V) -> V        NS.answer() -> 42
 *   NS.mix(i, b, d, s) -> s    (every argument type at once)
 *   NS.refuse(i) -> fault 1002 "refused <i>" (a typed function may fault)
 *   NS.later(i) -> i, after i ms (a typed function may defer) */
#include <stdio.h>
#include <stdlib.h>

#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

static sup_plugin *self;

static int32_t add(sup_call *call, int32_t a, int32_t b) { (void)call; return a + b; }
static bool negate(sup_call *call, bool b) { (void)call; return !b; }
static double half(sup_call *call, double d) { (void)call; return d / 2; }
static int32_t answer(sup_call *call) { (void)call; return 42; }

static const char *
greet(sup_call *call, const char *who)
{
	(void)call;
	static char buf[128]; /* the daemon copies the returned string */
	snprintf(buf, sizeof buf, "hello, %s", who);
	return buf;
}

static sup_value *
echo(sup_call *call, sup_value *v)
{
	(void)call;
	return sup_api_->ref(v); /* the parameter is borrowed, the result stolen */
}

static const char *
mix(sup_call *call, int32_t i, bool b, double d, const char *s)
{
	(void)call;
	static char buf[128];
	snprintf(buf, sizeof buf, "%d %s %.2f %s", (int)i, b ? "true" : "false", d, s);
	return buf;
}

static int32_t
refuse(sup_call *call, int32_t i)
{
	sup_fault(call, SUP_FAULT_PLUGIN_BASE + 2, "refused %d", (int)i);
	return -1; /* ignored after a fault */
}

struct later_call {
	sup_call *call;
	int32_t ms;
	uint64_t timer;
};

static void
later_fire(void *ud)
{
	struct later_call *l = ud;
	sup_reply(l->call, sup_api_->int_new(l->ms));
	free(l);
}

static void
later_cancel(sup_call *call, void *ud)
{
	(void)call;
	struct later_call *l = ud;
	sup_api_->timer_del(self, l->timer);
	free(l);
}

static int32_t
later(sup_call *call, int32_t ms)
{
	struct later_call *l = malloc(sizeof(*l));
	if (!l) {
		sup_fault(call, SUP_FAULT_FAILED, "out of memory");
		return 0;
	}
	*l = (struct later_call){call, ms, 0};
	if (sup_api_->timer_add(self, ms < 0 ? 0u : (unsigned)ms, later_fire, l, &l->timer) != SUP_OK) {
		free(l);
		sup_fault(call, SUP_FAULT_FAILED, "timer_add failed");
		return 0;
	}
	sup_defer(call, later_cancel, l);
	return -1; /* ignored after a defer */
}

/* timer_del on any id: true only for a timer of this plugin's own */
static bool
cancel_timer(sup_call *call, int32_t id)
{
	(void)call;
	return sup_api_->timer_del(self, (uint64_t)id) == SUP_OK;
}

static const struct sup_typed_method methods[] = {
	SUP_TYPED2("add", add, "Add two ints", int32_t, int32_t, int32_t),
	SUP_TYPED1("negate", negate, "Not b", bool, bool),
	SUP_TYPED1("half", half, "d / 2", double, double),
	SUP_TYPED1("greet", greet, "Greet someone", const char *, const char *),
	SUP_TYPED1("echo", echo, "The value given", sup_value *, sup_value *),
	SUP_TYPED0("answer", answer, "42", int32_t),
	SUP_TYPED4("mix", mix, "All types", const char *, int32_t, bool, double, const char *),
	SUP_TYPED1("refuse", refuse, "Always fault 1002", int32_t, int32_t),
	SUP_TYPED1("later", later, "ms, after ms milliseconds", int32_t, int32_t),
	SUP_TYPED1("cancelTimer", cancel_timer, "Delete timer id (true: it was ours)", bool, int32_t),
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	self = p;
	return sup_rpc_typed(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(typed, SUP_KIND_RPC, "1.0", init, NULL)
