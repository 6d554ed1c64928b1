/* Test plugin: one source, built once per way a magic block can be wrong.
 * The loader must refuse each before running any of its code, so init()
 * here writes to stderr, which the tests require to hold only the refusal.
 *
 *   -DBREAK_MAGIC        magic 0x12345678           (abi_magic.so)
 *   -DBREAK_MAJOR        built for ABI 2.0          (abi_major.so)
 *   -DNEWER_MINOR        needs the host minor after this one (abi_minor.so)
 *   -DSUP_TARGET_MINOR=0 built for a 1.0 host: loads (abi_old.so)
 *   -DCTL_ONLY           kinds SUP_KIND_CTL only    (abi_ctl.so)
 *   -DNO_ENTRY           no sup_plugin_query at all (abi_nosym.so)
 * and without any: a correct plugin (abi_ok.so), NS.ping() -> "pong". */
#include <stdio.h>

#ifdef NEWER_MINOR /* as if built with the next header */
#define SUP_TARGET_MINOR (SUP_ABI_MINOR + 1)
#endif
#include <csupervisor/plugin.h>

#ifdef BREAK_MAGIC
#undef SUP_PLUGIN_MAGIC
#define SUP_PLUGIN_MAGIC 0x12345678u
#endif
#ifdef BREAK_MAJOR /* as if built with a future header */
#undef SUP_ABI_MAJOR
#define SUP_ABI_MAJOR 2
#endif
#ifdef CTL_ONLY
#define KINDS SUP_KIND_CTL
#else
#define KINDS SUP_KIND_RPC
#endif

#ifdef NO_ENTRY
/* A shared object with code but no entry point: not a plugin. */
SUP_EXPORT int not_a_plugin(void);
int not_a_plugin(void) { return 0; }
#else
static int
ping(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return sup_reply(call, sup_string("pong"));
}

static const struct sup_method methods[] = {
	{"ping", ping, "s:", "pong"},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	(void)cfg;
#if defined(BREAK_MAGIC) || defined(BREAK_MAJOR) || defined(CTL_ONLY) || SUP_TARGET_MINOR > SUP_ABI_MINOR
	fputs("abi test plugin: init ran although the magic block is wrong\n", stderr);
#endif
	return sup_rpc_methods(p, methods, NULL);
}

SUP_PLUGIN_DEFINE(abi, KINDS, "1.0", init, NULL)
#endif
