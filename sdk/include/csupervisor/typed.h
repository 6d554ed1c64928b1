/* Typed RPC methods: register a plain C function as NAMESPACE.name; the
 * daemon converts the XML-RPC arguments to C values, calls the function
 * through libffi, and converts the return value back. The plugin itself
 * never links libffi.
 *
 *   static int32_t add(sup_call *call, int32_t a, int32_t b) { return a + b; }
 *   static const struct sup_typed_method m[] = {
 *       SUP_TYPED2("add", add, "Add two numbers", int32_t, int32_t, int32_t),
 *   };
 *   ... sup_rpc_typed(p, m, ud);
 *
 * The SUP_TYPEDn macros derive the signature letters from the C types and
 * fail to compile unless the function has exactly the declared prototype,
 * so the declaration and the function cannot drift apart.
 *
 * Types: int32_t ('i'), bool ('b'), double ('d'), const char * ('s',
 * borrowed for the call), sup_value * ('V': a parameter is borrowed; a
 * returned value is stolen). At most 6 parameters. If the function called
 * sup_fault() or sup_defer(), its return value is ignored. The ud given to
 * sup_rpc_typed comes back from sup_call_ud(call) (ABI 1.1). */
#ifndef CSUPERVISOR_TYPED_H
#define CSUPERVISOR_TYPED_H

#include <csupervisor/plugin.h>

struct sup_typed_method {
	const char *name, *help;
	void (*fn)(void); /* really R (*)(sup_call *, A1, ...) */
	char rtype;
	char atypes[7]; /* NUL-terminated */
};

#define SUP_T_(T) _Generic((T){0}, int32_t: 'i', bool: 'b', double: 'd', const char *: 's', sup_value *: 'V')
/* Zero, or a compile error when FN's type differs from the prototype PT. */
#define SUP_SAME_(FN, PT) (0 * sizeof(char[__builtin_types_compatible_p(__typeof__(&(FN)), PT) ? 1 : -1]))
#define SUP_TMETHOD_(NAME, FN, HELP, R, PT, ...) \
	{(NAME), (HELP), (void (*)(void))(FN), (char)(SUP_T_(R) + SUP_SAME_(FN, PT)), {__VA_ARGS__}}

#define SUP_TYPED0(NAME, FN, HELP, R) SUP_TMETHOD_(NAME, FN, HELP, R, R(*)(sup_call *), 0)
#define SUP_TYPED1(NAME, FN, HELP, R, A1) \
	SUP_TMETHOD_(NAME, FN, HELP, R, R(*)(sup_call *, A1), SUP_T_(A1))
#define SUP_TYPED2(NAME, FN, HELP, R, A1, A2) \
	SUP_TMETHOD_(NAME, FN, HELP, R, R(*)(sup_call *, A1, A2), SUP_T_(A1), SUP_T_(A2))
#define SUP_TYPED3(NAME, FN, HELP, R, A1, A2, A3) \
	SUP_TMETHOD_(NAME, FN, HELP, R, R(*)(sup_call *, A1, A2, A3), SUP_T_(A1), SUP_T_(A2), SUP_T_(A3))
#define SUP_TYPED4(NAME, FN, HELP, R, A1, A2, A3, A4)                                          \
	SUP_TMETHOD_(NAME, FN, HELP, R, R(*)(sup_call *, A1, A2, A3, A4), SUP_T_(A1), SUP_T_(A2), \
		     SUP_T_(A3), SUP_T_(A4))

#define sup_rpc_typed(p, arr, ud) \
	sup_api_->rpc_typed((p), (arr), sizeof(arr) / sizeof((arr)[0]), sizeof((arr)[0]), (ud))

#endif
