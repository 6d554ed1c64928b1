/* supervisord's HTTP servers: one libmicrohttpd daemon per [unix_http_server]
 * and [inet_http_server] section, driven from our own epoll loop (no MHD
 * threads), with Basic auth, limits against bad clients, POST /RPC2 handed to
 * the RPC layer (which may answer later), the /logtail streams, and every
 * other path handed to the web UI (webui.c). */
#ifndef CSUP_HTTP_H
#define CSUP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "loop.h"

struct http;          /* all servers of one generation */
struct http_request;  /* one POST /RPC2 in flight; valid until replied or cancelled */

/* Called once the whole body of a POST /RPC2 has arrived (auth passed).
 * The callee must eventually call http_reply() exactly once, possibly from a
 * later loop turn, unless the cancel callback set on the request ran first. */
typedef void http_rpc_fn(struct http_request *req, const char *body, size_t len, void *ud);

/* Where /logtail/<namespec>[/<channel>] and /mainlogtail read from: returns a
 * path (caller frees) or NULL for 404. namespec NULL means the main log. */
typedef char *http_tail_path_fn(const char *namespec, const char *channel, void *ud);

/* Optional: runs for each server right after it is bound, in config order
 * and before its "running without any HTTP authentication" warning, where
 * Supervisor makes the server's RPC interfaces. Returns 0, or -1 with *err
 * (caller frees) to make http_start fail with that text. *server_data is
 * given back by http_request_server_data() and to server_fini. */
typedef int http_server_init_fn(const struct server_config *sc, void **server_data, char **err, void *ud);
typedef void http_server_fini_fn(void *server_data, void *ud);

/* The web UI and its static files: every GET, HEAD or POST on any other
 * path, called once the whole body has arrived (auth passed). path is the
 * %-decoded path without the query. Same contract as http_rpc_fn: answer
 * with http_respond() or http_reply() exactly once, now or later. */
typedef void http_web_fn(struct http_request *req, const char *method, const char *path, const char *body, size_t len,
			 void *ud);

struct http_handlers {
	http_rpc_fn *rpc;
	http_tail_path_fn *tail_path;
	void *ud;
	http_server_init_fn *server_init; /* may be NULL */
	http_server_fini_fn *server_fini; /* may be NULL */
	http_web_fn *web; /* may be NULL: other paths are 404, as medusa's empty static dir */
};

/* Bind every configured server (unix sockets: temp name + link, stale
 * socket handling, chmod/chown; TCP: SO_REUSEADDR) and start serving from
 * loop. Returns NULL with *err set to Supervisor's usage-error text
 * (rpc.md 1.4) when a server cannot be opened. No servers configured: returns
 * an empty struct http. */
struct http *http_start(struct loop *loop, const struct config *cfg, const struct http_handlers *h, char **err);
/* Cancel requests in flight, close listeners, unlink the socket files. */
void http_stop(struct http *http);

/* Complete a request: 200 with Content-Type text/xml and this body (copied).
 * status other than 200 sends Supervisor's HTML error page for that code. */
void http_reply(struct http_request *req, int status, const char *body, size_t len);
/* Complete a request with any status: headers is NULL or a NULL-terminated
 * list of name, value pairs (borrowed, copied); body is copied. */
void http_respond(struct http_request *req, int status, const char *const *headers, const char *body, size_t len);
/* Until the request is replied or cancelled (borrowed, NULL when absent):
 * the first query argument of that name, %-decoded with '+' as space; a
 * request header. */
const char *http_request_query(const struct http_request *req, const char *name);
const char *http_request_header(const struct http_request *req, const char *name);
/* Run cancel(ud) if the client goes away (or the server stops) before the
 * reply; after that the request handle is dead and must not be used.
 * Without a cancel callback the handle stays valid in that case until
 * http_reply(), which then only frees it (even after http_stop). */
void http_on_cancel(struct http_request *req, void (*cancel)(void *ud), void *ud);
/* What server_init stored for the server the request came in on (NULL
 * without server_init); valid until the request is replied or cancelled. */
void *http_request_server_data(const struct http_request *req);

/* Who sent req: "unix", or "inet:<address>" of a TCP client (the
 * plugin API's call_peer). Borrowed until the next call. */
const char *http_request_peer(const struct http_request *req);

#endif
