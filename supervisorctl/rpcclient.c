#include "rpcclient.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_client.h"
#include "rpcvalue.h"
#include "util.h"
#include "xmlfast.h"

/* ---- XML-RPC calls ------------------------------------------------------ */

struct rpc_client {
	struct http_target t;
	int fd;         /* the kept-alive connection, or -1 */
	char *headers;  /* the request's fixed header lines */
	char *error;
	char *fault;
	int http_status;
	volatile sig_atomic_t *interrupted;
};

struct rpc_client *
rpc_client_new(const char *serverurl, const char *username, const char *password)
{
	struct rpc_client *c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	http_target_parse(serverurl, &c->t);
	char *auth = username && password ? http_basic_auth(username, password) : NULL;
	/* what Python's xmlrpc.client sends */
	c->headers = xasprintf("Content-Type: text/xml\r\nAccept: text/xml\r\nUser-Agent: Python-xmlrpc/3.11\r\n%s",
			       auth ? auth : "");
	free(auth);
	return c;
}

void
rpc_client_set_interrupt(struct rpc_client *c, volatile sig_atomic_t *flag)
{
	c->interrupted = flag;
}

static void
disconnect(struct rpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void
rpc_client_free(struct rpc_client *c)
{
	if (!c)
		return;
	disconnect(c);
	http_target_free(&c->t);
	free(c->headers);
	free(c->error);
	free(c->fault);
	free(c);
}

static int
fail(struct rpc_client *c, int err, char *msg)
{
	free(c->error);
	c->error = msg;
	errno = err;
	return RPC_FAIL;
}

static bool
interrupted(const struct rpc_client *c)
{
	return c->interrupted && *c->interrupted;
}

static int
keyboard_interrupt(char **why)
{
	free(*why);
	*why = xstrdup("<class 'KeyboardInterrupt'>, ");
	return EINTR;
}

/* Read one reply on c->fd: 0, or an errno with *why. A blocking read is
 * enough: SIGINT's handler has no SA_RESTART, so Ctrl-C ends it. */
static int
read_reply(struct rpc_client *c, struct http_reply *r, char **why)
{
	char buf[65536];
	while (!r->complete) {
		if (interrupted(c))
			return keyboard_interrupt(why);
		ssize_t n = read(c->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			*why = py_oserror(e);
			return e;
		}
		if (http_reply_feed(r, buf, (size_t)n) < 0 || (n == 0 && !r->complete)) {
			int e;
			*why = http_reply_failure(r, &e);
			return e;
		}
	}
	return 0;
}

/* Send the request and read its reply, on the kept-alive connection when
 * there is one. Returns 0, or an errno with *why. */
static int
exchange(struct rpc_client *c, const char *req, size_t reqlen, struct http_reply *r, char **why)
{
	for (;;) {
		bool reused = c->fd >= 0;
		if (!reused && (c->fd = http_connect(&c->t, why)) < 0)
			return errno == EINTR && interrupted(c) ? keyboard_interrupt(why) : errno;
		int e = http_send(c->fd, req, reqlen) < 0 ? errno : 0;
		if (e)
			*why = py_oserror(e);
		else
			e = read_reply(c, r, why);
		if (!e && r->keep_alive)
			return 0;
		disconnect(c);
		/* the server may close a kept-alive connection between two
		 * calls: the request then goes again, on a new one */
		if (e && reused && r->received == 0 && e != EINTR) {
			free(*why);
			*why = NULL;
			http_reply_free(r);
			http_reply_init(r, NULL);
			continue;
		}
		return e;
	}
}

int
rpc_call(struct rpc_client *c, const char *method, const sup_value *params, sup_value **result, int *code,
	 const char **fault)
{
	c->http_status = 0;
	if (c->t.err)
		return fail(c, EINVAL, xstrdup(c->t.err));
	sup_value *empty = NULL;
	if (!params)
		params = empty = rv_array();
	char *xml = NULL;
	size_t xlen = 0;
	int src = rv_serialize_call(method, params, &xml, &xlen);
	rv_unref(empty);
	if (src < 0)
		return fail(c, EINVAL, xasprintf("<class 'TypeError'>, cannot marshal the parameters of %s", method));
	char *head = http_request_head(&c->t, "POST", "/RPC2", c->headers, xlen);
	size_t hlen = strlen(head);
	head = xrealloc(head, hlen + xlen + 1);
	memcpy(head + hlen, xml, xlen);
	head[hlen + xlen] = '\0';
	free(xml);
	struct http_reply r;
	http_reply_init(&r, NULL);
	char *why = NULL;
	int e = exchange(c, head, hlen + xlen, &r, &why);
	free(head);
	if (e) {
		http_reply_free(&r);
		return fail(c, e, why);
	}
	if (r.status != 200) {
		c->http_status = r.status;
		/* the reference drops the connection after any non-200 */
		disconnect(c);
		char *msg = xasprintf("<class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: %d %s>",
				      r.status, r.reason.p ? r.reason.p : "");
		http_reply_free(&r);
		return fail(c, r.status == 401 ? EACCES : EPROTO, msg);
	}
	char *ftext = NULL, *err = NULL;
	int fcode = 0;
	const char *body = r.body.p ? r.body.p : "";
	int prc = xmlfast_parse_response(body, r.body.len, result, &fcode, &ftext);
	if (prc < 0)
		prc = rv_parse_response(body, r.body.len, result, &fcode, &ftext, &err);
	http_reply_free(&r);
	if (prc < 0) {
		char *msg = xasprintf("<class 'xml.parsers.expat.ExpatError'>, %s", err ? err : "bad response");
		free(err);
		return fail(c, EPROTO, msg);
	}
	if (prc == 1) {
		free(c->fault);
		c->fault = ftext;
		*code = fcode;
		*fault = c->fault;
		return RPC_FAULT;
	}
	return RPC_OK;
}

const char *
rpc_error(const struct rpc_client *c)
{
	return c->error ? c->error : "";
}

int
rpc_http_status(const struct rpc_client *c)
{
	return c->http_status;
}

/* ---- streams (tail -f, maintail -f, fg) --------------------------------- */

struct stream {
	int fd;    /* -1: ended */
	char *url; /* serverurl + path, for messages */
	struct http_reply r;
};

/* Python's http_client prints "<class 'X'> (msg)" for "<class 'X'>, msg". */
static void
report_cannot_connect(const char *url, const char *why)
{
	const char *comma = strstr(why, ">, ");
	fflush(stdout);
	if (comma)
		fprintf(stderr, "%s Cannot connect, error: %.*s (%s)\n", url, (int)(comma + 1 - why), why, comma + 3);
	else
		fprintf(stderr, "%s Cannot connect, error: %s\n", url, why);
}

static void
stream_end(struct stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void
stream_start(struct stream *s, const struct http_target *t, const char *path, const char *headers)
{
	http_reply_init(&s->r, stdout);
	s->r.only_200 = true;
	char *why = NULL;
	s->fd = http_connect(t, &why);
	if (s->fd >= 0) {
		char *req = http_request_head(t, "GET", path, headers, 0);
		if (http_send(s->fd, req, strlen(req)) < 0)
			why = py_oserror(errno);
		free(req);
	}
	if (why) {
		report_cannot_connect(s->url, why);
		free(why);
		stream_end(s);
	}
}

/* The stream's socket is readable. Like Python's client, a stream the
 * server closes ends without a word. */
static void
stream_read(struct stream *s)
{
	char buf[16384];
	ssize_t n = read(s->fd, buf, sizeof buf);
	if (n < 0 && errno == EINTR)
		return;
	if (n < 0) {
		char *why = py_oserror(errno);
		report_cannot_connect(s->url, why);
		free(why);
		stream_end(s);
		return;
	}
	if (n == 0) {
		/* the server closed, in the middle of a chunked body too */
		stream_end(s);
		return;
	}
	if (http_reply_feed(&s->r, buf, (size_t)n) < 0) {
		fflush(stdout);
		if (s->r.status && s->r.status != 200) {
			fprintf(stderr, "%s Cannot read, status code %d\n", s->url, s->r.status);
		} else {
			int e;
			char *why = http_reply_failure(&s->r, &e);
			report_cannot_connect(s->url, why);
			free(why);
		}
		stream_end(s);
	} else if (s->r.complete) {
		stream_end(s);
	}
}

/* Hand each complete line of in to on_line; non-zero: it asked to stop. */
static int
feed_lines(struct strbuf *in, bool eof, int (*on_line)(const char *, size_t, void *), void *ud)
{
	int stop = 0;
	char *nl;
	while (!stop && in->len && (nl = memchr(in->p, '\n', in->len))) {
		size_t l = (size_t)(nl - in->p);
		in->p[l] = 0;
		stop = on_line(in->p, l, ud);
		memmove(in->p, nl + 1, in->len - l - 1);
		in->len -= l + 1;
		in->p[in->len] = 0;
	}
	if (!stop && eof && in->len) {
		/* a last line without its newline still counts */
		stop = on_line(in->p, in->len, ud);
		in->len = 0;
	}
	return stop;
}

int
rpc_stream(const char *serverurl, const char *username, const char *password, const char *const *paths, size_t n,
	   int (*on_line)(const char *line, size_t len, void *ud), void *ud, int wake_fd,
	   volatile sig_atomic_t *interrupted)
{
	struct http_target t;
	http_target_parse(serverurl, &t);
	/* what Python's supervisor.http_client sends */
	char *auth = password && *password ? http_basic_auth(username ? username : "None", password) : NULL;
	char *headers = xasprintf("Accept-Encoding: chunked\r\nAccept: */*\r\nUser-agent: Supervisor HTTP Client\r\n%s",
				  auth ? auth : "");
	free(auth);
	struct stream *ss = xcalloc(n ? n : 1, sizeof(*ss));
	for (size_t i = 0; i < n; i++) {
		ss[i].url = xasprintf("%s%s", serverurl, paths[i]);
		ss[i].fd = -1;
		if (t.err) {
			fflush(stdout);
			fprintf(stderr, "%s Cannot connect, error: %s\n", ss[i].url, t.err);
		} else {
			stream_start(&ss[i], &t, paths[i], headers);
		}
	}
	struct pollfd *pfd = xcalloc(n + 2, sizeof(*pfd));
	struct strbuf in = {0};
	bool in_eof = false;
	int result = SUP_STREAM_END;
	for (;;) {
		if (interrupted && *interrupted) {
			result = SUP_STREAM_INTERRUPTED;
			break;
		}
		if (on_line && in_eof) {
			result = SUP_STREAM_EOF;
			break;
		}
		nfds_t np = 0;
		for (size_t i = 0; i < n; i++)
			if (ss[i].fd >= 0)
				pfd[np++] = (struct pollfd){.fd = ss[i].fd, .events = POLLIN};
		if (!np && !on_line)
			break;
		nfds_t wake = np, input = np;
		if (wake_fd >= 0)
			pfd[np++] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
		if (on_line)
			pfd[input = np++] = (struct pollfd){.fd = 0, .events = POLLIN};
		if (poll(pfd, np, -1) < 0)
			continue; /* EINTR: the flag is checked above */
		for (size_t i = 0, k = 0; i < n; i++)
			if (ss[i].fd >= 0 && pfd[k++].revents)
				stream_read(&ss[i]);
		if (wake_fd >= 0 && pfd[wake].revents) {
			char buf[64];
			while (read(wake_fd, buf, sizeof buf) > 0)
				;
		}
		if (on_line && pfd[input].revents) {
			char buf[4096];
			ssize_t r = read(0, buf, sizeof buf);
			if (r > 0)
				sb_add(&in, buf, (size_t)r);
			else if (r == 0 || errno != EINTR)
				in_eof = true;
			if (feed_lines(&in, in_eof, on_line, ud)) {
				result = SUP_STREAM_STOPPED;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		stream_end(&ss[i]);
		http_reply_free(&ss[i].r);
		free(ss[i].url);
	}
	free(ss);
	free(pfd);
	sb_free(&in);
	free(headers);
	http_target_free(&t);
	return result;
}
