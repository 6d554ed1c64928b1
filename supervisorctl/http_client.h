/* supervisorctl's HTTP/1.1 client: where a server URL leads, connecting to
 * it, writing a request and reading the reply through http-parser.
 *
 * Why not libcurl: supervisorctl only ever speaks plain HTTP to one
 * supervisord, and Debian's libcurl brings ~35 libraries (GnuTLS, OpenSSL,
 * Kerberos, LDAP, ...) bound at load time: 5.6 ms of every run, a quarter of
 * the time `status` may take. http-parser (Debian libhttp-parser2.9, no
 * dependencies) does the parsing: status line, headers, Content-Length,
 * chunked bodies, keep-alive. */
#ifndef CSUP_HTTP_CLIENT_H
#define CSUP_HTTP_CLIENT_H

#include <http_parser.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* Where a server URL leads: Python's SupervisorTransport rules. */
struct http_target {
	bool is_unix;
	char *path; /* unix socket */
	char *host; /* http: hostname (lower-cased, no brackets) */
	int port;
	char *err; /* set: the URL cannot be used ("<class ...>, ...") */
};

void http_target_parse(const char *url, struct http_target *t);
void http_target_free(struct http_target *t);

/* A connected socket, or -1 with errno set and *why (caller frees) in
 * Python's words: "<class 'ConnectionRefusedError'>, [Errno 111] ...". */
int http_connect(const struct http_target *t, char **why);

/* The request head, up to and including the blank line (caller frees).
 * headers: extra "Name: value\r\n" lines, or NULL. */
char *http_request_head(const struct http_target *t, const char *method, const char *path, const char *headers,
			size_t content_length);

/* Writes all of buf; -1 with errno (EPIPE rather than SIGPIPE). */
int http_send(int fd, const char *buf, size_t len);

/* "Authorization: Basic ...\r\n" (caller frees). */
char *http_basic_auth(const char *user, const char *pass);

/* One reply being read. The body is kept in body, or written to sink. */
struct http_reply {
	http_parser p;
	int status;          /* 0 until the headers are complete */
	struct strbuf reason; /* of the status line */
	struct strbuf body;
	FILE *sink;
	size_t received;     /* bytes fed so far */
	bool complete;
	bool keep_alive;     /* the connection may serve another request */
	bool only_200;       /* stop at the headers of any other status */
};

void http_reply_init(struct http_reply *r, FILE *sink);
void http_reply_free(struct http_reply *r);
/* Feed bytes read from the socket; n == 0 tells that the peer closed.
 * 0, or -1 when the bytes are not an HTTP reply (or only_200 refused it). */
int http_reply_feed(struct http_reply *r, const char *buf, size_t n);
/* Why the reply ended badly, in Python's words (caller frees); err gets
 * the errno to report. For a reply that stopped or did not parse. */
char *http_reply_failure(const struct http_reply *r, int *err);

/* "<class 'ConnectionRefusedError'>, [Errno 111] Connection refused":
 * Python's words for an OSError with this errno (caller frees). */
char *py_oserror(int err);

#endif
