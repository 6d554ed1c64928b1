/* supervisord's HTTP servers on libmicrohttpd, driven from our epoll loop.
 *
 * Shape: each configured server is one MHD daemon (MHD_USE_EPOLL, no MHD
 * thread, no MHD listen socket). We bind and accept ourselves (accept4 with
 * SOCK_CLOEXEC, a pause instead of a spin on EMFILE, a connection cap that
 * leaves extra clients in the backlog) and hand each socket to
 * MHD_add_connection. MHD's epoll fd sits in our loop; a timer armed from
 * MHD_get_timeout (or "now" after we resume a connection) runs MHD_run.
 *
 * Requests: POST /RPC2 bodies are collected and passed to handlers->rpc,
 * and every other path but the tails to handlers->web (the status page and
 * its files, when set); the connection is suspended until http_reply() or
 * http_respond() resumes it. While it is
 * suspended MHD cannot see a client leave, so the socket is watched for
 * EPOLLRDHUP in our loop to run the cancel callback. /logtail streams use
 * a chunked callback response fed by a tailfollow, suspended while there is
 * nothing new. Every response is queued on the handler's second call at the
 * earliest, as MHD 0.9.75 closes keep-alive connections otherwise.
 *
 * MHD 0.9.75 behaviours this works around:
 * - its own accept loop busy-waits on EMFILE when it has no connection yet
 *   ("Hit process or system resource limit at FIRST connection"), hence
 *   our accept: on EMFILE/ENFILE the listen fd leaves the loop until a
 *   connection closes or 1 s has passed;
 * - in this external-epoll mode it makes no wake-up fd for resumes, so
 *   after MHD_resume_connection we arm the run timer for "now";
 * - a suspended connection's hang-up is invisible to it (hence EPOLLRDHUP),
 *   and it must not be stopped with suspended connections (http_stop
 *   cancels and resumes everything first);
 * - a response queued before the body is complete fails (so bodies over
 *   the cap are refused from Content-Length, or the connection dropped);
 * - it tries TCP options on the unix sockets we add and logs the failure:
 *   those lines, and its "Closing connection (application ...)" for tails
 *   and cancelled requests we end on purpose, go to BLAT, not ERRO;
 * - a request line starting with NUL reads as an empty line: such a client
 *   is only dropped by the 30 s connection timeout, like any slow one. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_auth.h"
#include "log.h"
#include "tailfollow.h"
#include "util.h"

#define BODY_CAP ((size_t)16 << 20)   /* largest request body we take */
#define WEB_BODY_CAP ((size_t)64 << 10) /* a web UI form is a few fields */
#define CONN_MEMORY ((size_t)32 << 10) /* per connection: headers + read buffer */
#define CONN_TIMEOUT 30u               /* s, idle or slow clients; not while suspended */
#define CONN_LIMIT 512u                /* suspended ones (tails, deferred RPCs) count */
#define LISTEN_BACKLOG 1024
#define ACCEPT_BURST 64
#define EMFILE_PAUSE_MS 1000
#define TAIL_HEAD 1024
#define TAIL_BLOCK ((size_t)16 << 10)
#define SERVER_HEADER "Medusa/1.12"

static const char MSG_IN_USE[] =
	"Another program is already listening on a port that one of our HTTP servers is configured to use.  "
	"Shut this program down first before starting supervisord.";

enum route { ROUTE_RPC, ROUTE_LOGTAIL, ROUTE_MAINLOGTAIL, ROUTE_WEB, ROUTE_OTHER };

enum rstate {
	RS_NEW,        /* headers in, body (if any) arriving */
	RS_DISPATCHED, /* handed to handlers->rpc, no reply yet */
	RS_REPLIED,    /* reply stored, to be queued when MHD calls again */
	RS_CANCELLED,  /* client left or server stops: close without reply */
	RS_DONE,       /* a response is queued */
};

struct server;

struct http_request {
	struct server *srv; /* NULL once the connection is gone */
	struct MHD_Connection *conn;
	int fd; /* the connection's socket, watched for hang-up while suspended */
	bool suspended, watched;
	enum route route;
	enum rstate state;
	int early_status; /* an error decided from the headers, sent after the body */
	size_t discarded;
	struct strbuf body;
	/* RPC */
	bool handle_live; /* the RPC layer holds the handle (until reply/cancel) */
	int reply_status;
	char *reply;
	struct MHD_Response *resp; /* http_respond's reply, queued as it is */
	size_t reply_len;
	void (*cancel)(void *ud);
	void *cancel_ud;
	void *server_data;
	/* logtail */
	struct tailfollow *tail;
	bool tail_dead;
	/* access log */
	char *line;
	int status;
	size_t sent;
	struct http_request *next, *prev; /* srv->reqs */
};

struct server {
	struct http *http;
	char *section, *username, *password;
	char *file; /* unix socket path, unlinked at stop */
	bool is_unix;
	int lfd;
	bool accepting, emfile, stopping;
	unsigned nconns;
	struct MHD_Daemon *d;
	int epfd;
	struct timer run_timer, accept_timer;
	struct http_request *reqs;
	void *server_data;
	bool inited;
};

struct http {
	struct loop *loop;
	struct http_handlers h;
	struct server *srv;
	int nsrv;
	struct tailwatch *tw;
};

/* ------------------------------------------------------------------ */
/* small helpers */

static const char *
reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version not supported";
	default: return "Unknown";
	}
}

/* Python's errno.errorcode[e], or NULL. */
static const char *
py_errno_name(int e)
{
	if (e == EDEADLK)
		return "EDEADLOCK";
	if (e == EOPNOTSUPP)
		return "ENOTSUP";
#ifdef EHWPOISON
	if (e == EHWPOISON)
		return NULL;
#endif
	return strerrorname_np(e);
}

/* Supervisor's message for a socket error while opening a server. */
static char *
socket_error(int e)
{
	if (e == EADDRINUSE)
		return xstrdup(MSG_IN_USE);
	const char *name = py_errno_name(e);
	if (name)
		return xasprintf("Cannot open an HTTP server: socket.error reported errno.%s (%d)", name, e);
	return xasprintf("Cannot open an HTTP server: socket.error reported %d", e);
}

/* RFC 1123 date in the C locale, as medusa's http_date. */
static void
http_date(time_t t, char out[32])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ------------------------------------------------------------------ */
/* running MHD from the loop */

static void
srv_rearm(struct server *srv)
{
	struct loop *l = srv->http->loop;
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(srv->d, &ms) == MHD_YES) {
		if (ms > 86400000)
			ms = 86400000;
		timer_arm(l, &srv->run_timer, loop_now(l) + (int64_t)ms);
	} else {
		timer_cancel(l, &srv->run_timer);
	}
}

static void
srv_run(struct server *srv)
{
	MHD_run(srv->d);
	srv_rearm(srv);
}

/* MHD must run after a resume done outside MHD_run; callers may be inside
 * MHD callbacks, so only ask for a run on the next loop turn. */
static void
srv_kick(struct server *srv)
{
	if (!srv->stopping)
		timer_arm(srv->http->loop, &srv->run_timer, loop_now(srv->http->loop));
}

static void
on_run_timer(struct loop *l, void *data)
{
	(void)l;
	srv_run(data);
}

static void
on_mhd_epoll(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	srv_run(data);
}

/* ------------------------------------------------------------------ */
/* accepting */

static void on_listen(struct loop *l, int fd, uint32_t events, void *data);

/* Watch the listen socket only while below the connection cap and not out
 * of fds: extra clients wait in the backlog instead of being refused. */
static void
accept_update(struct server *srv)
{
	bool want = !srv->stopping && !srv->emfile && srv->nconns < CONN_LIMIT;
	if (want == srv->accepting)
		return;
	if (want)
		srv->accepting = loop_add_fd(srv->http->loop, srv->lfd, EPOLLIN, on_listen, srv) == 0;
	else {
		loop_del_fd(srv->http->loop, srv->lfd);
		srv->accepting = false;
	}
}

static void
on_accept_timer(struct loop *l, void *data)
{
	(void)l;
	struct server *srv = data;
	srv->emfile = false;
	accept_update(srv);
}

static void
on_listen(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)events;
	struct server *srv = data;
	for (int i = 0; i < ACCEPT_BURST && srv->accepting; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int cfd = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* out of fds: stop watching (the client waits in the
				 * backlog) until a connection closes or a second passes */
				log_error("error accepting a connection on %s: %s; pausing for %d ms",
					  srv->section, strerror(errno), EMFILE_PAUSE_MS);
				srv->emfile = true;
				accept_update(srv);
				timer_arm(l, &srv->accept_timer, loop_now(l) + EMFILE_PAUSE_MS);
			}
			break;
		}
		if (srv->is_unix || len < (socklen_t)sizeof(struct sockaddr)) {
			/* unnamed unix peers come back with only a family */
			memset(&ss, 0, sizeof ss);
			ss.ss_family = AF_UNIX;
			len = sizeof(struct sockaddr_un);
		}
		/* MHD closes cfd itself when it cannot take it */
		MHD_add_connection(srv->d, cfd, (struct sockaddr *)&ss, len);
		accept_update(srv);
	}
	srv_kick(srv);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	(void)c;
	(void)socket_context;
	struct server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		srv->nconns++;
		return;
	}
	if (srv->nconns)
		srv->nconns--;
	if (srv->stopping)
		return;
	if (srv->emfile) {
		/* an fd was just freed */
		srv->emfile = false;
		timer_cancel(srv->http->loop, &srv->accept_timer);
	}
	accept_update(srv);
}

/* ------------------------------------------------------------------ */
/* MHD's own messages go to the activity log like medusa's */

__attribute__((format(printf, 2, 0))) static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char *msg = xvasprintf(fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* MHD does not know that sockets we add are unix ones: it tries TCP
	 * options on them once per connection and says so. */
	if (strstr(msg, "TCP_NODELAY") || strstr(msg, "TCP_CORK") || str_starts(msg, "Failed to push the data") ||
	    /* we end tails and cancelled RPCs this way on purpose */
	    str_starts(msg, "Closing connection (application"))
		log_blather("%s", msg);
	else if (strcasestr(msg, "error"))
		log_error("%s", msg);
	else
		log_trace("%s", msg);
	free(msg);
}

/* medusa's access log line, at TRAC. */
static void
access_log(struct http_request *r)
{
	if (!r->status || !r->conn || !log_enabled(LV_TRAC))
		return;
	char host[INET_ADDRSTRLEN] = "localhost";
	int port = 0;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ci->client_addr;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
	}
	/* medusa: GMT clock with the local standard offset */
	tzset();
	long tz = timezone;
	char sign = tz > 0 ? '-' : '+';
	if (tz < 0)
		tz = -tz;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char date[64];
	strftime(date, sizeof date, "%d/%b/%Y:%H:%M:%S", &tm);
	log_trace("%s:%d - - [%s %c%02ld%02ld] \"%s\" %d %zu", host, port, date, sign, tz / 3600, tz % 3600 / 60,
		  r->line, r->status, r->sent);
}

/* ------------------------------------------------------------------ */
/* requests */

static void
req_free(struct http_request *r)
{
	sb_free(&r->body);
	free(r->reply);
	if (r->resp)
		MHD_destroy_response(r->resp);
	free(r->line);
	free(r);
}

/* Free once neither the connection nor the RPC layer holds it. */
static void
req_maybe_free(struct http_request *r)
{
	if (!r->srv && !r->handle_live)
		req_free(r);
}

static void on_hangup(struct loop *l, int fd, uint32_t events, void *data);

static void
req_suspend(struct http_request *r)
{
	MHD_suspend_connection(r->conn);
	r->suspended = true;
	if (r->fd >= 0)
		r->watched = loop_add_fd(r->srv->http->loop, r->fd, EPOLLRDHUP, on_hangup, r) == 0;
}

static void
req_resume(struct http_request *r)
{
	if (!r->suspended)
		return;
	if (r->watched)
		loop_del_fd(r->srv->http->loop, r->fd);
	r->watched = false;
	r->suspended = false;
	MHD_resume_connection(r->conn);
	srv_kick(r->srv);
}

/* The reply will never be sent: tell the RPC layer (then the handle is
 * dead), or, without a cancel callback, keep the handle alive until it
 * calls http_reply. */
static void
rpc_cancel(struct http_request *r)
{
	r->state = RS_CANCELLED;
	if (r->cancel) {
		void (*cb)(void *) = r->cancel;
		r->cancel = NULL;
		r->handle_live = false;
		cb(r->cancel_ud);
	}
}

static void
on_hangup(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	struct http_request *r = data;
	if (r->state == RS_DISPATCHED)
		rpc_cancel(r);
	r->tail_dead = true;
	/* MHD closes it when it calls us back */
	req_resume(r);
}

static struct http_request *
req_new(struct server *srv, struct MHD_Connection *c, const char *url, const char *method, const char *version)
{
	struct http_request *r = xcalloc(1, sizeof(*r));
	r->srv = srv;
	r->conn = c;
	r->server_data = srv->server_data;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	r->fd = ci ? ci->connect_fd : -1;
	r->line = xasprintf("%s %s %s", method, url, version);
	r->next = srv->reqs;
	if (srv->reqs)
		srv->reqs->prev = r;
	srv->reqs = r;
	return r;
}

static void
req_unlink(struct http_request *r)
{
	struct server *srv = r->srv;
	if (r->prev)
		r->prev->next = r->next;
	else
		srv->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
}

/* The connection is done with r (request completed, or connection gone). */
static void
req_detach(struct http_request *r)
{
	if (r->state == RS_DISPATCHED)
		rpc_cancel(r);
	if (r->watched)
		loop_del_fd(r->srv->http->loop, r->fd);
	r->watched = r->suspended = false;
	tailfollow_close(r->tail);
	r->tail = NULL;
	req_unlink(r);
	r->srv = NULL;
	r->conn = NULL;
	req_maybe_free(r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct http_request *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	access_log(r);
	req_detach(r);
}

/* ------------------------------------------------------------------ */
/* responses */

static enum MHD_Result
queue(struct http_request *r, int status, struct MHD_Response *resp, size_t len)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, SERVER_HEADER);
	enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->state = RS_DONE;
	r->status = status;
	r->sent = len;
	return ok;
}

/* Supervisor's HTML error page. */
static enum MHD_Result
queue_error(struct http_request *r, int status)
{
	char *body = xasprintf("<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n"
			       "<h1>Error response</h1>\r\n<p>Error code %d.\r\n<p>Message: %s.\r\n</body>\r\n",
			       status, reason(status));
	size_t len = strlen(body);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html");
	if (status == 401) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"default\"");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	}
	return queue(r, status, resp, len);
}

static enum MHD_Result
queue_reply(struct http_request *r)
{
	if (r->resp) {
		struct MHD_Response *resp = r->resp;
		r->resp = NULL;
		return queue(r, r->reply_status, resp, r->reply_len);
	}
	if (r->reply_status != 200)
		return queue_error(r, r->reply_status);
	size_t len = r->reply_len;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, r->reply, MHD_RESPMEM_MUST_FREE);
	r->reply = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/xml");
	return queue(r, 200, resp, len);
}

/* ------------------------------------------------------------------ */
/* POST /RPC2, and the web UI */

static enum MHD_Result
dispatch_step(struct http_request *r, const char *url, const char *method)
{
	switch (r->state) {
	case RS_NEW: {
		struct http *http = r->srv->http;
		const char *body = r->body.p ? r->body.p : "";
		r->state = RS_DISPATCHED;
		r->handle_live = true;
		if (r->route == ROUTE_WEB)
			http->h.web(r, method, url, body, r->body.len, http->h.ud);
		else
			http->h.rpc(r, body, r->body.len, http->h.ud);
		if (r->state == RS_REPLIED)
			return queue_reply(r);
		req_suspend(r);
		return MHD_YES;
	}
	case RS_REPLIED:
		return queue_reply(r);
	default:
		/* cancelled: drop the connection */
		return MHD_NO;
	}
}

/* Whether a reply may be stored now; frees a handle whose client left. */
static bool
reply_begin(struct http_request *req)
{
	if (!req->handle_live)
		return false;
	req->handle_live = false;
	if (!req->srv || req->state != RS_DISPATCHED) {
		/* the client left meanwhile (no cancel callback was set) */
		req_maybe_free(req);
		return false;
	}
	return true;
}

/* Inside the handler the connection is not suspended yet: dispatch_step
 * queues the reply when the callback returns. */
static void
reply_end(struct http_request *req)
{
	req->state = RS_REPLIED;
	req_resume(req);
}

void
http_respond(struct http_request *req, int status, const char *const *headers, const char *body, size_t len)
{
	if (!reply_begin(req))
		return;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
	for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	req->resp = resp;
	req->reply_status = status;
	req->reply_len = len;
	reply_end(req);
}

const char *
http_request_query(const struct http_request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

const char *
http_request_header(const struct http_request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

void
http_reply(struct http_request *req, int status, const char *body, size_t len)
{
	if (!reply_begin(req))
		return;
	req->reply_status = status;
	req->reply = xmalloc(len + 1);
	if (len) /* body may be NULL for an empty error page */
		memcpy(req->reply, body, len);
	req->reply[len] = '\0';
	req->reply_len = len;
	reply_end(req);
}

void
http_on_cancel(struct http_request *req, void (*cancel)(void *ud), void *ud)
{
	req->cancel = cancel;
	req->cancel_ud = ud;
}

void *http_request_server_data(const struct http_request *req) { return req->server_data; }

/* ------------------------------------------------------------------ */
/* GET /logtail/<namespec>[/<channel>], GET /mainlogtail */

static ssize_t
tail_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct http_request *r = cls;
	if (r->tail_dead || !r->tail)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = tailfollow_read(r->tail, buf, max);
	if (n) {
		r->sent += n;
		return (ssize_t)n;
	}
	req_suspend(r);
	return 0;
}

static void
tail_wake(void *ud)
{
	req_resume(ud);
}

/* "/logtail/<name>[/<channel>]": medusa drops the first path component,
 * whatever it is, and defaults the channel to stdout. */
static void
split_logtail(const char *url, char **name, char **channel)
{
	while (*url == '/')
		url++;
	const char *rest = strchr(url, '/') + 1; /* checked on the first call */
	const char *slash = strchr(rest, '/');
	*name = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	*channel = xstrdup(slash ? slash + 1 : "stdout");
}

static enum MHD_Result
tail_start(struct http_request *r, const char *url)
{
	struct http *http = r->srv->http;
	char *name = NULL, *channel = NULL;
	if (r->route == ROUTE_LOGTAIL)
		split_logtail(url, &name, &channel);
	char *path = http->h.tail_path ? http->h.tail_path(name, channel, http->h.ud) : NULL;
	free(name);
	free(channel);
	if (path) {
		if (!http->tw)
			http->tw = tailwatch_new(http->loop);
		r->tail = tailfollow_open(http->tw, path, TAIL_HEAD, tail_wake, r);
		free(path);
	}
	if (!r->tail)
		return queue_error(r, 404);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, TAIL_BLOCK, tail_reader, r, NULL);
	char date[32];
	http_date(tailfollow_mtime(r->tail), date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain;charset=utf-8");
	if (r->route == ROUTE_LOGTAIL)
		MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	return queue(r, 200, resp, 0);
}

/* ------------------------------------------------------------------ */
/* routing */

static enum route
route_of(const char *url, bool web)
{
	if (str_starts(url, "/RPC2"))
		return ROUTE_RPC;
	if (str_starts(url, "/logtail"))
		return ROUTE_LOGTAIL;
	if (str_starts(url, "/mainlogtail"))
		return ROUTE_MAINLOGTAIL;
	return web ? ROUTE_WEB : ROUTE_OTHER;
}

/* Decide from the headers alone; returns the status to send right away
 * (closing the connection), or 0 to go on reading the request. */
static int
first_call(struct http_request *r, const char *url, const char *method)
{
	struct server *srv = r->srv;
	struct MHD_Connection *c = r->conn;
	r->route = route_of(url, srv->http->h.web != NULL);
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = 0;
	if (cl) {
		errno = 0;
		char *end;
		declared = strtoull(cl, &end, 10);
		if (errno || end == cl)
			declared = ULLONG_MAX;
	}
	bool too_big = declared > BODY_CAP;
	int status = 0;
	if (srv->username) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		int a = http_auth_check(auth, srv->username, srv->password);
		if (a != 200)
			status = a;
	}
	if (!status) {
		switch (r->route) {
		case ROUTE_RPC:
			if (!streq(method, "POST"))
				status = 400;
			else if (!cl)
				status = 411;
			else if (too_big)
				return 413;
			else if (!srv->http->h.rpc)
				status = 404;
			break;
		case ROUTE_LOGTAIL:
		case ROUTE_MAINLOGTAIL:
			if (!streq(method, "GET"))
				status = 400;
			else if (r->route == ROUTE_LOGTAIL) {
				const char *p = url;
				while (*p == '/')
					p++;
				if (!strchr(p, '/')) {
					/* Supervisor fails to unpack the path */
					log_error("Server Error: <class 'ValueError'>, not enough values to unpack "
						  "(expected 2, got 1): %s", url);
					status = 500;
				}
			}
			break;
		case ROUTE_WEB:
			/* medusa's static file handler takes GET and HEAD; the web
			 * UI's pages GET and POST: the handler sorts them out */
			if (!streq(method, "GET") && !streq(method, "HEAD") && !streq(method, "POST"))
				status = 400;
			else if (declared > WEB_BODY_CAP)
				return 413;
			break;
		default:
			/* no web UI: medusa's static file handler on an empty directory */
			status = streq(method, "GET") || streq(method, "HEAD") ? 404 : 400;
			break;
		}
	}
	if (status && too_big)
		return status;
	r->early_status = status;
	return 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
	   const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct http_request *r = *con_cls;
	if (!r) {
		r = req_new(srv, c, url, method, version);
		*con_cls = r;
		int now = first_call(r, url, method);
		/* a response on this first call closes the connection, as wanted
		 * here; otherwise wait for the next call (keep-alive) */
		return now ? queue_error(r, now) : MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->early_status || (r->route != ROUTE_RPC && r->route != ROUTE_WEB)) {
			r->discarded += n;
			return r->discarded > BODY_CAP ? MHD_NO : MHD_YES;
		}
		if (r->body.len + n > (r->route == ROUTE_WEB ? WEB_BODY_CAP : BODY_CAP))
			return MHD_NO; /* MHD 0.9.75 cannot queue a reply mid-body */
		sb_add(&r->body, upload_data, n);
		return MHD_YES;
	}
	if (r->state == RS_NEW && r->early_status)
		return queue_error(r, r->early_status);
	switch (r->route) {
	case ROUTE_RPC:
	case ROUTE_WEB:
		return dispatch_step(r, url, method);
	case ROUTE_LOGTAIL:
	case ROUTE_MAINLOGTAIL:
		return r->state == RS_NEW ? tail_start(r, url) : MHD_NO;
	default:
		return MHD_NO;
	}
}

/* ------------------------------------------------------------------ */
/* listeners */

/* Supervisor's checkused(): a live server takes the connection and answers
 * (or at least does not fail) "GET / HTTP/1.0". Bounded wait, unlike
 * Supervisor's blocking socket. */
static bool
socket_in_use(const struct sockaddr_un *sa, socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return false;
	bool used = false;
	if (connect(s, (const struct sockaddr *)sa, len) < 0) {
		used = errno == EAGAIN; /* backlog full: someone listens */
	} else {
		static const char req[] = "GET / HTTP/1.0\r\n\r\n";
		if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof req - 1)) {
			struct pollfd p = {.fd = s, .events = POLLIN};
			char b;
			if (poll(&p, 1, 2000) == 0)
				used = true; /* connected but silent: still somebody's */
			else
				used = recv(s, &b, 1, 0) >= 0;
		}
	}
	close(s);
	return used;
}

static int
open_unix(const struct server_config *sc, int *fdp, char **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *tmp = xasprintf("%s.%d", sc->file, (int)getpid());
	size_t n = strlen(tmp);
	int fd = -1, rc = -1;
	bool linked = false;
	unlink(tmp);
	if (n > sizeof sa.sun_path || strlen(sc->file) > sizeof sa.sun_path) {
		*err = xstrdup("Cannot open an HTTP server: socket.error reported AF_UNIX path too long");
		goto out;
	}
	memcpy(sa.sun_path, tmp, n);
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	struct sockaddr_un target = {.sun_family = AF_UNIX};
	memcpy(target.sun_path, sc->file, strlen(sc->file));
	socklen_t tlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sc->file));
	for (int attempt = 0;; attempt++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, salen) < 0 || chmod(tmp, (mode_t)sc->chmod) < 0) {
			*err = socket_error(errno);
			goto out;
		}
		if (link(tmp, sc->file) == 0)
			break;
		int e = errno;
		if (e != EEXIST || attempt >= 10) {
			/* Supervisor would retry forever here */
			*err = socket_error(e);
			goto out;
		}
		if (socket_in_use(&target, tlen)) {
			*err = socket_error(EADDRINUSE);
			goto out;
		}
		fprintf(stderr, "Unlinking stale socket %s\n", sc->file);
		fflush(stderr);
		if (unlink(sc->file) < 0 && errno != ENOENT) {
			*err = socket_error(errno);
			goto out;
		}
		close(fd);
		fd = -1;
		unlink(tmp);
	}
	linked = true;
	if (chown(sc->file, sc->chown_uid, sc->chown_gid) < 0) {
		if (errno == EPERM) {
			struct passwd *pw = getpwuid(geteuid());
			char *who = pw ? xstrdup(pw->pw_name) : xasprintf("%d", (int)geteuid());
			*err = xasprintf("Not permitted to chown %s to uid/gid (%d, %d); adjust \"sockchown\" value in config "
					 "file or on command line to values that the current user (%s) can successfully chown",
					 sc->file, (int)sc->chown_uid, (int)sc->chown_gid, who);
			free(who);
		} else {
			*err = socket_error(errno);
		}
		goto out;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		*err = socket_error(errno);
		goto out;
	}
	rc = 0;
out:
	unlink(tmp);
	free(tmp);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		if (linked)
			unlink(sc->file);
	} else {
		*fdp = fd;
	}
	return rc;
}

static int
open_inet(const struct server_config *sc, int *fdp, char **err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sc->port)};
	if (!*sc->host) {
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, sc->host, &sa.sin_addr) != 1) {
		struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
		int g = getaddrinfo(sc->host, NULL, &hints, &res);
		if (g) {
			/* Python's socket.gaierror: args[0] is the EAI code */
			*err = xasprintf("Cannot open an HTTP server: socket.error reported %d", g);
			return -1;
		}
		sa.sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		*err = socket_error(errno);
		goto fail;
	}
	if (!*sc->host) {
		if (log_enabled(LV_TRAC))
			log_trace(":Computing default hostname");
		char hostname[256] = "";
		gethostname(hostname, sizeof hostname - 1);
		struct addrinfo hints = {.ai_family = AF_INET}, *res;
		if (getaddrinfo(hostname, NULL, &hints, &res) != 0) {
			*err = xasprintf("Could not determine IP address for hostname %s, please try setting an explicit IP "
					 "address in the \"port\" setting of your [inet_http_server] section.  For example, "
					 "instead of \"port = 9001\", try \"port = 127.0.0.1:9001.\"",
					 hostname);
			goto fail;
		}
		freeaddrinfo(res);
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		*err = socket_error(errno);
		goto fail;
	}
	*fdp = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
log_started(const struct server_config *sc)
{
	if (!log_enabled(LV_TRAC))
		return;
	time_t now = time(NULL);
	char when[32];
	ctime_r(&now, when);
	when[strcspn(when, "\n")] = '\0';
	if (sc->is_unix)
		log_trace("%s:Medusa (V1.12) started at %s\n\tHostname: <unix domain socket>\n\tPort:%s", sc->file, when,
			  sc->file);
	else
		log_trace("%s:Medusa (V1.12) started at %s\n\tHostname: %s\n\tPort:%d", sc->host, when,
			  *sc->host ? sc->host : "0.0.0.0", sc->port);
}

static int
server_start(struct http *http, struct server *srv, const struct server_config *sc, char **err)
{
	srv->http = http;
	srv->section = xstrdup(sc->section);
	srv->is_unix = sc->is_unix;
	if (sc->username && *sc->username) {
		srv->username = xstrdup(sc->username);
		srv->password = xstrdup(sc->password ? sc->password : "");
	}
	srv->lfd = srv->epfd = -1;
	timer_init(&srv->run_timer, on_run_timer, srv);
	timer_init(&srv->accept_timer, on_accept_timer, srv);
	if ((sc->is_unix ? open_unix(sc, &srv->lfd, err) : open_inet(sc, &srv->lfd, err)) < 0)
		return -1;
	if (sc->is_unix)
		srv->file = xstrdup(sc->file);
	log_started(sc);
	srv->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET,
				  0, NULL, NULL, on_request, srv,
				  /* first, or MHD complains to stderr about the options before it */
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY,
				  MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT,
				  MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
				  MHD_OPTION_END);
	const union MHD_DaemonInfo *di = srv->d ? MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!di || loop_add_fd(http->loop, di->epoll_fd, EPOLLIN, on_mhd_epoll, srv) < 0) {
		*err = socket_error(errno ? errno : ENOMEM);
		return -1;
	}
	srv->epfd = di->epoll_fd;
	if (http->h.server_init) {
		if (http->h.server_init(sc, &srv->server_data, err, http->h.ud) < 0)
			return -1;
		srv->inited = true;
	}
	if (!srv->username) {
		char *name = pyrepr(sc->section);
		log_crit("Server %s running without any HTTP authentication checking", name);
		free(name);
	}
	accept_update(srv);
	return 0;
}

static void
server_stop(struct http *http, struct server *srv)
{
	srv->stopping = true;
	/* pending RPCs are cancelled, then every suspended connection is
	 * resumed: MHD_stop_daemon must not meet suspended ones */
	for (struct http_request *r = srv->reqs; r; r = r->next) {
		if (r->state == RS_DISPATCHED)
			rpc_cancel(r);
		r->tail_dead = true;
		req_resume(r);
	}
	if (srv->epfd >= 0)
		loop_del_fd(http->loop, srv->epfd);
	if (srv->d)
		MHD_stop_daemon(srv->d); /* runs on_completed for each request */
	while (srv->reqs)
		req_detach(srv->reqs);
	timer_cancel(http->loop, &srv->run_timer);
	timer_cancel(http->loop, &srv->accept_timer);
	if (srv->lfd >= 0) {
		if (srv->accepting)
			loop_del_fd(http->loop, srv->lfd);
		close(srv->lfd);
	}
	if (srv->file)
		unlink(srv->file);
	if (srv->inited && http->h.server_fini)
		http->h.server_fini(srv->server_data, http->h.ud);
	free(srv->section);
	free(srv->username);
	free(srv->password);
	free(srv->file);
}

struct http *
http_start(struct loop *loop, const struct config *cfg, const struct http_handlers *h, char **err)
{
	struct http *http = xcalloc(1, sizeof(*http));
	http->loop = loop;
	http->h = *h;
	http->srv = xcalloc((size_t)cfg->nservers, sizeof(*http->srv));
	for (int i = 0; i < cfg->nservers; i++) {
		http->nsrv = i + 1;
		errno = 0;
		if (server_start(http, &http->srv[i], &cfg->servers[i], err) < 0) {
			http_stop(http);
			return NULL;
		}
	}
	return http;
}

void
http_stop(struct http *http)
{
	if (!http)
		return;
	for (int i = 0; i < http->nsrv; i++)
		server_stop(http, &http->srv[i]);
	tailwatch_free(http->tw);
	free(http->srv);
	free(http);
}

/* Who sent req, for sup_api.call_peer: "unix", or "inet:<address>" of a
 * TCP client. Borrowed until the next call. */
const char *
http_request_peer(const struct http_request *req)
{
	static char peer[INET6_ADDRSTRLEN + 8];
	if (!req->srv || !req->conn)
		return "unknown";
	if (req->srv->is_unix)
		return "unix";
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char addr[INET6_ADDRSTRLEN] = "";
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
	snprintf(peer, sizeof peer, "inet:%s", addr);
	return peer;
}
