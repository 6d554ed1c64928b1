/* supervisorctl's client side of HTTP: XML-RPC calls over one reused
 * kept-alive connection (unix:// or http:// server URLs, Basic auth), and the
 * streaming GETs of tail -f / maintail -f / fg. Failures are described
 * with the words Python's supervisorctl prints ("<class '...'>, ..."). */
#ifndef CSUP_RPCCLIENT_H
#define CSUP_RPCCLIENT_H

#include <csupervisor/plugin.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct rpc_client;

enum { RPC_OK = 0, RPC_FAULT = 1, RPC_FAIL = -1 };

/* username/password: NULL when not set (both set: Basic auth). */
struct rpc_client *rpc_client_new(const char *serverurl, const char *username, const char *password);
void rpc_client_free(struct rpc_client *c);
/* Calls fail with EINTR soon after *flag becomes non-zero. */
void rpc_client_set_interrupt(struct rpc_client *c, volatile sig_atomic_t *flag);

/* Call method with params (an array, or NULL; borrowed). RPC_OK with
 * *result (new reference); RPC_FAULT with *code and *fault (borrowed until
 * the next call); RPC_FAIL with errno set and rpc_error() describing it. */
int rpc_call(struct rpc_client *c, const char *method, const sup_value *params, sup_value **result, int *code,
	     const char **fault);
/* Python's "<class 'X'>, message" for the last RPC_FAIL. */
const char *rpc_error(const struct rpc_client *c);
/* HTTP status of the last failed call (0: none). */
int rpc_http_status(const struct rpc_client *c);

/* Stream GET serverurl+path for each path to stdout (see ctl_stream in
 * plugin.h). on_line gets stdin lines; wake_fd (or -1) is readable when
 * the stream should stop and check *interrupted. */
int rpc_stream(const char *serverurl, const char *username, const char *password, const char *const *paths, size_t n,
	       int (*on_line)(const char *line, size_t len, void *ud), void *ud, int wake_fd,
	       volatile sig_atomic_t *interrupted);

#endif
