/* XML-RPC dispatch: the table of NAMESPACE.method entries that plugins
 * register, exact-name lookup (nothing else is ever callable), argument
 * checks against declared signatures, the system.* namespace including a
 * multicall that waits for deferred sub-calls, and the life of a call. */
#ifndef CSUP_RPC_H
#define CSUP_RPC_H

#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

#include "rpcvalue.h"


/* Where a finished call goes: result (borrowed) or a fault; after
 * rpc_cancel() it runs once more with fault RPC_CANCELLED so its owner can
 * clean up (nothing is to be sent then). */
#define RPC_CANCELLED (-1)
typedef void rpc_done_fn(sup_call *call, const sup_value *result, int fault, const char *text, void *ud);

void rpc_init(void);
void rpc_free(void);

/* Registration (plugins.c checks it happens inside init()). */
int rpc_register(sup_plugin *owner, const char *ns, const struct sup_method *m, void *ud);
int rpc_register_typed(sup_plugin *owner, const char *ns, const struct sup_typed_method *m, void *ud);
/* Drop everything owner registered (init failed). */
void rpc_unregister_owner(sup_plugin *owner);
/* Sort the table once loading is complete; listMethods, lookups use it. */
void rpc_seal(void);
int rpc_count_owner(const sup_plugin *owner);

/* Run one call; done() runs exactly once (maybe before this returns)
 * unless rpc_cancel() comes first. peer is copied. */
sup_call *rpc_call(const char *method, sup_value *params /* steals */, const char *peer, rpc_done_fn *done, void *ud);
void rpc_cancel(sup_call *call);

/* Serve one HTTP body: parse, dispatch, serialize. on_reply(body, len, ud)
 * gets the response (status 200), or status 400 for a malformed call. */
typedef void rpc_http_reply_fn(int status, const char *body, size_t len, void *ud);
sup_call *rpc_serve(const char *xml, size_t len, const char *peer, rpc_http_reply_fn *reply, void *ud);

/* The host's implementations of the call-related sup_api entries. */
int rpc_api_reply(sup_call *call, sup_value *v);
int rpc_api_vfault(sup_call *call, int code, const char *fmt, va_list ap);
int rpc_api_defer(sup_call *call, sup_cancel_fn cancel, void *ud);
const char *rpc_api_peer(sup_call *call);
void *rpc_api_call_ud(sup_call *call);

const char *fault_name(int code);

#endif
