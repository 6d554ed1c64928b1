#include "rpcclient.h"

#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpcvalue.h"
#include "util.h"
#include "xmlfast.h"

/* Where a server URL leads: Python's SupervisorTransport rules. */
struct target {
	bool is_unix;
	char *path; /* unix socket */
	char *host; /* http: hostname (lower-cased, no brackets) */
	int port;
	char *err; /* set: the URL cannot be used ("<class ...>, ...") */
};

static void
target_free(struct target *t)
{
	free(t->path);
	free(t->host);
	free(t->err);
}

static void
parse_target(const char *url, struct target *t)
{
	*t = (struct target){0};
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
			t->err = xasprintf("<class 'ValueError'>, Port could not be cast to integer value as %s",
					   pyrepr(portstr));
		else if (v < 0 || v > 65535)
			t->err = xstrdup("<class 'ValueError'>, Port out of range 0-65535");
		else
			t->port = (int)v;
	}
	free(netloc);
}

/* The URL libcurl is given: the socket does the routing for unix://. */
static char *
target_url(const struct target *t, const char *path)
{
	if (t->is_unix)
		return xasprintf("http://localhost%s", path);
	if (strchr(t->host, ':'))
		return xasprintf("http://[%s]:%d%s", t->host, t->port, path);
	return xasprintf("http://%s:%d%s", t->host, t->port, path);
}

static char *
basic_auth(const char *user, const char *pass)
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
	free(raw);
	return sb_steal(&sb);
}

const char *
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

static char *
describe_oserror(int err)
{
	return xasprintf("<class '%s'>, [Errno %d] %s", py_oserror_class(err), err, strerror(err));
}

/* A name lookup failed inside libcurl: ask getaddrinfo for the code and
 * the words Python's socket.gaierror carries. */
static char *
describe_gaierror(const char *host, int port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int rc = getaddrinfo(host, ps, &hints, &res);
	if (res)
		freeaddrinfo(res);
	if (rc == 0)
		rc = EAI_NONAME;
	return xasprintf("<class 'socket.gaierror'>, [Errno %d] %s", rc, gai_strerror(rc));
}

/* Describe a failed transfer; returns the errno to report. */
static int
describe_curl(CURL *h, CURLcode rc, const struct target *t, const char *errbuf, char **out)
{
	long oserr = 0;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		*out = describe_gaierror(t->host, t->port);
		return EHOSTUNREACH;
	case CURLE_ABORTED_BY_CALLBACK:
		*out = xstrdup("<class 'KeyboardInterrupt'>, ");
		return EINTR;
	case CURLE_GOT_NOTHING:
		*out = xstrdup("<class 'http.client.RemoteDisconnected'>, Remote end closed connection without response");
		return ECONNRESET;
	default:
		if (oserr > 0) {
			*out = describe_oserror((int)oserr);
			return (int)oserr;
		}
		*out = xasprintf("<class 'OSError'>, %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return EIO;
	}
}

/* ---- XML-RPC calls ------------------------------------------------------ */

struct rpc_client {
	CURL *h;
	struct target t;
	char *url;
	char *auth; /* header line, or NULL */
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	struct strbuf body;
	char *reason; /* of the last status line */
	char *error;
	char *fault;
	int http_status;
	volatile sig_atomic_t *interrupted;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	sb_add(&((struct rpc_client *)ud)->body, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct rpc_client *c = ud;
	size_t len = size * n;
	if (len > 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* "HTTP/1.1 401 Unauthorized\r\n": keep the reason */
		const char *sp = memchr(p, ' ', len);
		const char *rs = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - p)) : NULL;
		size_t rlen = rs ? len - (size_t)(rs + 1 - p) : 0;
		while (rlen && (rs[rlen] == '\r' || rs[rlen] == '\n'))
			rlen--;
		free(c->reason);
		c->reason = rs ? xstrndup(rs + 1, rlen) : xstrdup("");
	}
	return len;
}

static int
on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c2, curl_off_t d)
{
	(void)a, (void)b, (void)c2, (void)d;
	struct rpc_client *c = ud;
	return c->interrupted && *c->interrupted;
}

struct rpc_client *
rpc_client_new(const char *serverurl, const char *username, const char *password)
{
	static bool global;
	if (!global) {
		curl_global_init(CURL_GLOBAL_NOTHING); /* no TLS here */
		global = true;
	}
	struct rpc_client *c = xcalloc(1, sizeof(*c));
	parse_target(serverurl, &c->t);
	if (c->t.err)
		return c;
	c->url = target_url(&c->t, "/RPC2");
	c->headers = curl_slist_append(c->headers, "Content-Type: text/xml");
	c->headers = curl_slist_append(c->headers, "Accept: text/xml");
	c->headers = curl_slist_append(c->headers, "User-Agent: Python-xmlrpc/3.11");
	c->headers = curl_slist_append(c->headers, "Expect:");
	if (username && password) {
		c->auth = basic_auth(username, password);
		c->headers = curl_slist_append(c->headers, c->auth);
	}
	c->h = curl_easy_init();
	if (!c->h) {
		c->t.err = xstrdup("<class 'OSError'>, cannot initialise libcurl");
		return c;
	}
	curl_easy_setopt(c->h, CURLOPT_URL, c->url);
	if (c->t.is_unix)
		curl_easy_setopt(c->h, CURLOPT_UNIX_SOCKET_PATH, c->t.path);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->h, CURLOPT_PROXY, "");
	return c;
}

void
rpc_client_set_interrupt(struct rpc_client *c, volatile sig_atomic_t *flag)
{
	c->interrupted = flag;
}

void
rpc_client_free(struct rpc_client *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->headers);
	target_free(&c->t);
	free(c->url);
	free(c->auth);
	sb_free(&c->body);
	free(c->reason);
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
	sb_free(&c->body);
	c->errbuf[0] = 0;
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, xml);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)xlen);
	CURLcode rc = curl_easy_perform(c->h);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
	free(xml);
	if (rc != CURLE_OK) {
		char *msg = NULL;
		int err = describe_curl(c->h, rc, &c->t, c->errbuf, &msg);
		return fail(c, err, msg);
	}
	long status = 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		c->http_status = (int)status;
		/* the reference drops the connection after any non-200 */
		curl_easy_setopt(c->h, CURLOPT_FORBID_REUSE, 1L);
		char *msg = xasprintf("<class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: %ld %s>",
				      status, c->reason ? c->reason : "");
		return fail(c, status == 401 ? EACCES : EPROTO, msg);
	}
	curl_easy_setopt(c->h, CURLOPT_FORBID_REUSE, 0L);
	char *ftext = NULL, *err = NULL;
	int fcode = 0;
	const char *body = c->body.p ? c->body.p : "";
	int prc = xmlfast_parse_response(body, c->body.len, result, &fcode, &ftext);
	if (prc < 0)
		prc = rv_parse_response(body, c->body.len, result, &fcode, &ftext, &err);
	sb_free(&c->body);
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
	CURL *h;
	char *url;      /* serverurl + path, for messages */
	char *curl_url;
	bool reported;  /* an error was already written */
};

static size_t
stream_body(char *p, size_t size, size_t n, void *ud)
{
	(void)ud;
	fwrite(p, size, n, stdout);
	fflush(stdout);
	return size * n;
}

static size_t
stream_header(char *p, size_t size, size_t n, void *ud)
{
	struct stream *s = ud;
	size_t len = size * n;
	if (len > 5 && memcmp(p, "HTTP/", 5) == 0) {
		int status = 0;
		const char *sp = memchr(p, ' ', len);
		if (sp)
			status = atoi(sp + 1);
		if (status != 200) {
			fflush(stdout);
			fprintf(stderr, "%s Cannot read, status code %d\n", s->url, status);
			s->reported = true;
			return 0; /* ends this transfer */
		}
	}
	return len;
}

int
rpc_stream(const char *serverurl, const char *username, const char *password, const char *const *paths, size_t n,
	   int (*on_line)(const char *line, size_t len, void *ud), void *ud, int wake_fd,
	   volatile sig_atomic_t *interrupted)
{
	struct target t;
	parse_target(serverurl, &t);
	CURLM *m = curl_multi_init();
	struct stream *ss = xcalloc(n ? n : 1, sizeof(*ss));
	struct curl_slist *headers = NULL;
	headers = curl_slist_append(headers, "Accept-Encoding: chunked");
	headers = curl_slist_append(headers, "Accept: */*");
	headers = curl_slist_append(headers, "User-agent: Supervisor HTTP Client");
	char *auth = NULL;
	if (password && *password) {
		auth = basic_auth(username ? username : "None", password);
		headers = curl_slist_append(headers, auth);
	}
	size_t active = 0;
	for (size_t i = 0; i < n; i++) {
		struct stream *s = &ss[i];
		s->url = xasprintf("%s%s", serverurl, paths[i]);
		if (t.err) {
			fflush(stdout);
			fprintf(stderr, "%s Cannot connect, error: %s\n", s->url, t.err);
			continue;
		}
		s->curl_url = target_url(&t, paths[i]);
		s->h = curl_easy_init();
		curl_easy_setopt(s->h, CURLOPT_URL, s->curl_url);
		if (t.is_unix)
			curl_easy_setopt(s->h, CURLOPT_UNIX_SOCKET_PATH, t.path);
		curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(s->h, CURLOPT_PROXY, "");
		curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, stream_body);
		curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, stream_header);
		curl_easy_setopt(s->h, CURLOPT_HEADERDATA, s);
		curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
		curl_multi_add_handle(m, s->h);
		active++;
	}
	struct strbuf in = {0};
	bool in_eof = false;
	int result = SUP_STREAM_END;
	for (;;) {
		int running = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct stream *s = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			CURLcode rc = msg->data.result;
			if (rc != CURLE_OK && !s->reported) {
				char errbuf[1] = {0}, *text = NULL;
				describe_curl(s->h, rc, &t, errbuf, &text);
				/* "<class 'X'>, msg" -> "<class 'X'> (msg)" */
				char *comma = strstr(text, ">, ");
				fflush(stdout);
				if (comma)
					fprintf(stderr, "%s Cannot connect, error: %.*s (%s)\n", s->url,
						(int)(comma + 1 - text), text, comma + 3);
				else
					fprintf(stderr, "%s Cannot connect, error: %s\n", s->url, text);
				free(text);
			}
			curl_multi_remove_handle(m, s->h);
			curl_easy_cleanup(s->h);
			s->h = NULL;
			active--;
		}
		if (interrupted && *interrupted) {
			result = SUP_STREAM_INTERRUPTED;
			break;
		}
		if (!active && !on_line)
			break;
		if (on_line && in_eof) {
			result = SUP_STREAM_EOF;
			break;
		}
		struct curl_waitfd extra[2];
		unsigned nextra = 0;
		if (wake_fd >= 0)
			extra[nextra++] = (struct curl_waitfd){.fd = wake_fd, .events = CURL_WAIT_POLLIN};
		if (on_line)
			extra[nextra++] = (struct curl_waitfd){.fd = 0, .events = CURL_WAIT_POLLIN};
		int numfds = 0;
		curl_multi_poll(m, extra, nextra, 1000, &numfds);
		if (wake_fd >= 0 && (extra[0].revents & CURL_WAIT_POLLIN)) {
			char buf[64];
			while (read(wake_fd, buf, sizeof buf) > 0)
				;
		}
		if (interrupted && *interrupted) {
			result = SUP_STREAM_INTERRUPTED;
			break;
		}
		if (on_line && (extra[nextra - 1].revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI))) {
			char buf[4096];
			ssize_t r = read(0, buf, sizeof buf);
			if (r > 0)
				sb_add(&in, buf, (size_t)r);
			else if (r == 0 || errno != EINTR)
				in_eof = true;
			int stop = 0;
			char *nl;
			while (!stop && in.len && (nl = memchr(in.p, '\n', in.len))) {
				size_t l = (size_t)(nl - in.p);
				in.p[l] = 0;
				stop = on_line(in.p, l, ud);
				memmove(in.p, nl + 1, in.len - l - 1);
				in.len -= l + 1;
				in.p[in.len] = 0;
			}
			if (!stop && in_eof && in.len) {
				/* a last line without its newline still counts */
				stop = on_line(in.p, in.len, ud);
				in.len = 0;
			}
			if (stop) {
				result = SUP_STREAM_STOPPED;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (ss[i].h) {
			curl_multi_remove_handle(m, ss[i].h);
			curl_easy_cleanup(ss[i].h);
		}
		free(ss[i].url);
		free(ss[i].curl_url);
	}
	free(ss);
	sb_free(&in);
	curl_multi_cleanup(m);
	curl_slist_free_all(headers);
	free(auth);
	target_free(&t);
	return result;
}
