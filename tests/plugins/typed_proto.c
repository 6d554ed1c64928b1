/* Compile-only test of <csupervisor/typed.h>: SUP_TYPEDn must refuse a
 * function whose prototype differs from the declared types. Built without
 * any WRONG_* macro it compiles; with any one of them it must not
 * (tests/integration/test_plugins.py compiles it each way). */
#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

static int32_t add(sup_call *call, int32_t a, int32_t b) { (void)call; return a + b; }
static double scale(sup_call *call, double d, int32_t k) { (void)call; return d * k; }
static const char *name_of(sup_call *call, const char *s) { (void)call; return s; }

static const struct sup_typed_method methods[] = {
#if defined(WRONG_RETURN)
	SUP_TYPED2("add", add, "declared as returning double", double, int32_t, int32_t),
#elif defined(WRONG_ARGUMENT)
	SUP_TYPED2("scale", scale, "arguments swapped", double, int32_t, double),
#elif defined(WRONG_COUNT)
	SUP_TYPED1("add", add, "one argument short", int32_t, int32_t),
#elif defined(WRONG_CONST)
	SUP_TYPED1("name", name_of, "char * is not const char *", const char *, char *),
#else
	SUP_TYPED2("add", add, "right", int32_t, int32_t, int32_t),
	SUP_TYPED2("scale", scale, "right", double, double, int32_t),
	SUP_TYPED1("name", name_of, "right", const char *, const char *),
#endif
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
	return sup_rpc_typed(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(typed_proto, SUP_KIND_RPC, "1.0", init, NULL)
