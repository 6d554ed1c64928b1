#include "http_client.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- where a URL leads ---------------------------------------------------- */

void
http_target_free(struct http_target *t)
{
	free(t->path);
	free(t->host);
	free(t->err);
}

void
http_target_parse(const char *url, struct http_target *t)
{
	*t = (struct http_target){0};
	if (str_starts(url, "unix://")) {
		t->is_unix = true;
		t->path = xstrdup(url + 7);
		return;
	}
	if (!str_starts(url, "http://")) {
		t->err = xasprintf("<class 'ValueError'>, Unknown protocol for serverurl %s", url);
		return;
	}
	/* urlparse: netloc ends at '/', '?' or '#'; hostname drops the
	 * userinfo, the brackets of an IPv6 address and is lower-cased */
	const char *n = url + 7;
	size_t nlen = strcspn(n, "/?#");
	char *netloc = xstrndup(n, nlen);
	char *hp = strrchr(netloc, '@') ? strrchr(netloc, '@') + 1 : netloc;
	char *portstr = NULL;
	if (hp[0] == '[') {
		char *close = strchr(hp, ']');
		t->host = xstrndup(hp + 1, close ? (size_t)(close - hp - 1) : strlen(hp + 1));
		if (close && close[1] == ':')
			portstr = close + 2;
	} else {
		char *colon = strchr(hp, ':');
		t->host = colon ? xstrndup(hp, (size_t)(colon - hp)) : xstrdup(hp);
		if (colon)
			portstr = colon + 1;
	}
	for (char *p = t->host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	t->port = 80;
	if (portstr && *portstr) {
		char *end;
		long v = strtol(portstr, &end, 10);
		if (*end || end == portstr || portstr[0] == '-' || portstr[0] == '+')
			t->err = pyrepr_msg("<class 'ValueError'>, Port could not be cast to integer value as ",
					    portstr, "");
		else if (v < 0 || v > 65535)
			t->err = xstrdup("<class 'ValueError'>, Port out of range 0-65535");
		else
			t->port = (int)v;
	}
	free(netloc);
}

/* ---- Python's words for failures ------------------------------------------ */

static const char *
py_oserror_class(int err)
{
	switch (err) {
	case ECONNREFUSED: return "ConnectionRefusedError";
	case ECONNRESET: return "ConnectionResetError";
	case ECONNABORTED: return "ConnectionAbortedError";
	case EPIPE: return "BrokenPipeError";
	case ENOENT: return "FileNotFoundError";
	case EACCES:
	case EPERM: return "PermissionError";
	case ETIMEDOUT: return "TimeoutError";
	case ENOTDIR: return "NotADirectoryError";
	case EISDIR: return "IsADirectoryError";
	case EINTR: return "InterruptedError";
	default: return "OSError";
	}
}

char *
py_oserror(int err)
{
	return xasprintf("<class '%s'>, [Errno %d] %s", py_oserror_class(err), err, strerror(err));
}

static int
fail_os(int err, char **why)
{
	*why = py_oserror(err);
	errno = err;
	return -1;
}

/* ---- connecting ------------------------------------------------------------ */

static int
connect_unix(const char *path, char **why)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return fail_os(ENAMETOOLONG, why);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_os(errno, why);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		return fail_os(e, why);
	}
	return fd;
}

/* socket.create_connection: each address in turn, the last error wins. */
static int
connect_tcp(const char *host, int port, char **why)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int rc = getaddrinfo(host, ps, &hints, &res);
	if (rc != 0) {
		int e = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
		*why = xasprintf("<class 'socket.gaierror'>, [Errno %d] %s", rc, gai_strerror(rc));
		errno = e;
		return -1;
	}
	int e = EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(res);
			return fd;
		}
		e = errno;
		close(fd);
		if (e == EINTR)
			break; /* Ctrl-C */
	}
	freeaddrinfo(res);
	return fail_os(e, why);
}

int
http_connect(const struct http_target *t, char **why)
{
	return t->is_unix ? connect_unix(t->path, why) : connect_tcp(t->host, t->port, why);
}

/* ---- requests ---------------------------------------------------------------- */

char *
http_request_head(const struct http_target *t, const char *method, const char *path, const char *headers,
		  size_t content_length)
{
	struct strbuf sb = {0};
	sb_addf(&sb, "%s %s HTTP/1.1\r\nHost: ", method, path);
	if (t->is_unix)
		sb_adds(&sb, "localhost");
	else if (strchr(t->host, ':'))
		sb_addf(&sb, "[%s]:%d", t->host, t->port);
	else
		sb_addf(&sb, "%s:%d", t->host, t->port);
	sb_adds(&sb, "\r\n");
	if (headers)
		sb_adds(&sb, headers);
	if (content_length || strcmp(method, "POST") == 0)
		sb_addf(&sb, "Content-Length: %zu\r\n", content_length);
	sb_adds(&sb, "\r\n");
	return sb_steal(&sb);
}

int
http_send(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

char *
http_basic_auth(const char *user, const char *pass)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *raw = xasprintf("%s:%s", user, pass);
	size_t n = strlen(raw);
	struct strbuf sb = {0};
	sb_adds(&sb, "Authorization: Basic ");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)raw[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)raw[i + 2];
		sb_addc(&sb, tab[(v >> 18) & 63]);
		sb_addc(&sb, tab[(v >> 12) & 63]);
		sb_addc(&sb, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		sb_addc(&sb, i + 2 < n ? tab[v & 63] : '=');
	}
	sb_adds(&sb, "\r\n");
	free(raw);
	return sb_steal(&sb);
}

/* ---- replies ------------------------------------------------------------------ */

static int
on_status(http_parser *p, const char *at, size_t len)
{
	sb_add(&((struct http_reply *)p->data)->reason, at, len);
	return 0;
}

static int
on_headers_complete(http_parser *p)
{
	struct http_reply *r = p->data;
	r->status = p->status_code;
	if (r->only_200 && r->status != 200)
		return -1;
	/* one allocation for a whole XML-RPC reply (1 MB for 1,000 programs) */
	if (!r->sink && p->content_length != UINT64_MAX && p->content_length < (64u << 20))
		sb_reserve(&r->body, (size_t)p->content_length);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t len)
{
	struct http_reply *r = p->data;
	if (r->sink) {
		fwrite(at, 1, len, r->sink);
		fflush(r->sink);
	} else {
		sb_add(&r->body, at, len);
	}
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct http_reply *r = p->data;
	r->complete = true;
	r->keep_alive = http_should_keep_alive(p);
	return 0;
}

static const http_parser_settings reply_settings = {
	.on_status = on_status,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void
http_reply_init(struct http_reply *r, FILE *sink)
{
	*r = (struct http_reply){.sink = sink};
	http_parser_init(&r->p, HTTP_RESPONSE);
	r->p.data = r;
}

void
http_reply_free(struct http_reply *r)
{
	sb_free(&r->reason);
	sb_free(&r->body);
}

int
http_reply_feed(struct http_reply *r, const char *buf, size_t n)
{
	if (r->complete)
		return 0; /* nothing may follow a reply we did not ask for */
	r->received += n;
	http_parser_execute(&r->p, &reply_settings, buf, n);
	return r->complete || HTTP_PARSER_ERRNO(&r->p) == HPE_OK ? 0 : -1;
}

char *
http_reply_failure(const struct http_reply *r, int *err)
{
	if (r->received == 0) {
		*err = ECONNRESET;
		return xstrdup("<class 'http.client.RemoteDisconnected'>, Remote end closed connection without response");
	}
	*err = EPROTO;
	if (r->status == 0)
		return xasprintf("<class 'http.client.BadStatusLine'>, %s",
				 http_errno_description(HTTP_PARSER_ERRNO(&r->p)));
	/* while a Content-Length body is read, content_length is what is left */
	if (!(r->p.flags & F_CHUNKED) && r->p.content_length != UINT64_MAX && r->p.content_length)
		return xasprintf("<class 'http.client.IncompleteRead'>, IncompleteRead(%zu bytes read, %llu more expected)",
				 r->body.len, (unsigned long long)r->p.content_length);
	return xasprintf("<class 'http.client.IncompleteRead'>, IncompleteRead(%zu bytes read)", r->body.len);
}
