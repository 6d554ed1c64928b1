/* The web status page (rpc.md §13), on the daemon's own process API.
 *
 * Pages: index.html (also "/"), tail.html, ok.html; everything else is a
 * static file compiled in from webui/ (404 when there is none). Same URLs
 * and messages as Supervisor's, with these differences on purpose:
 * - an action (start, stop, restart, clearlog, stopall, restartall) runs
 *   only from a POST carrying this daemon's CSRF token (random, made once
 *   per daemon process, compared in constant time); a POST without it is
 *   403. A GET with such an action changes nothing: the page asks for a
 *   confirmation through a form instead, so a bookmark still works in one
 *   click but a cross-site link or <img> does nothing;
 * - after an action the answer is 303 to a relative index.html?message=...
 *   (Supervisor: 301 to an absolute URL built from the Host header);
 * - every page carries a Content-Security-Policy without inline script,
 *   nosniff and no framing; all text from processes, the config and the
 *   query is HTML-escaped.
 * Actions that wait (start waits for startsecs, stop for the exit) use the
 * host's waiters: the connection is held, the loop is never blocked, and a
 * client that leaves only drops the answer. */
#include "webui.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "host.h"
#include "rpc.h"
#include "rpcvalue.h"
#include "util.h"

struct webui_asset {
	const char *path, *type;
	const unsigned char *data;
	size_t len;
};
#include "supervisord/webui/assets.inc"

#define TOKEN_BYTES 32
#define TAIL_MIN 1024
#define TAIL_MAX ((long)1 << 20) /* tail.html?limit= is capped here */

/* Headers of every answer but Supervisor's error pages. */
#define SECURITY_HEADERS                                                                                          \
	"Content-Security-Policy",                                                                                \
		"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "    \
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",                                    \
		"X-Content-Type-Options", "nosniff", "X-Frame-Options", "DENY", "Referrer-Policy", "same-origin"

static const char *const page_headers[] = {
	"Content-Type", "text/html;charset=utf-8", "Pragma", "no-cache", "Cache-Control", "no-cache",
	"Expires", "Thu, 01 Jan 1970 00:00:00 GMT", SECURITY_HEADERS, NULL,
};

/* ------------------------------------------------------------------ */
/* the CSRF token */

static char token[2 * TOKEN_BYTES + 1];

static const char *
csrf_token(void)
{
	if (!*token) {
		unsigned char rnd[TOKEN_BYTES];
		size_t got = 0;
		while (got < sizeof rnd) {
			ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
			if (n < 0 && errno != EINTR)
				break;
			if (n > 0)
				got += (size_t)n;
		}
		if (got < sizeof rnd) {
			/* no getrandom: the kernel's pool through the file */
			int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
			if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
				/* never serve a guessable token: no actions then */
				if (fd >= 0)
					close(fd);
				return NULL;
			}
			close(fd);
		}
		for (size_t i = 0; i < sizeof rnd; i++)
			snprintf(token + 2 * i, 3, "%02x", rnd[i]);
	}
	return token;
}

static bool
csrf_ok(const char *given)
{
	const char *want = csrf_token();
	if (!want || !given || strlen(given) != strlen(want))
		return false;
	unsigned char diff = 0;
	for (size_t i = 0; want[i]; i++)
		diff |= (unsigned char)(want[i] ^ given[i]);
	return diff == 0;
}

/* ------------------------------------------------------------------ */
/* text */

/* n bytes of s, HTML-escaped; a NUL (possible in a log) shows as U+FFFD. */
static void
sb_html_n(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		case '\0': sb_adds(sb, "\xef\xbf\xbd"); break;
		default: sb_addc(sb, s[i]); break;
		}
	}
}

static void
sb_html(struct strbuf *sb, const char *s)
{
	if (s)
		sb_html_n(sb, s, strlen(s));
}

/* %-encode all but RFC 3986's unreserved characters. */
static void
sb_urlquote(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			sb_addc(sb, (char)c);
		else
			sb_addf(sb, "%%%02X", c);
	}
}

/* An attribute value holding a URL with a %-encoded part. */
static void
sb_href(struct strbuf *sb, const char *prefix, const char *quoted_part, const char *suffix)
{
	struct strbuf u = {0};
	sb_adds(&u, prefix);
	sb_urlquote(&u, quoted_part);
	sb_adds(&u, suffix);
	sb_html(sb, u.p);
	sb_free(&u);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded, in place. */
static void
form_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The fields of a request: the form body first, then the query; the first
 * value of a name wins (rpc.md §13). */
struct fields {
	struct http_request *req;
	struct strv kv; /* name, value, name, value... */
};

static void
fields_parse(struct fields *f, struct http_request *req, const char *body, size_t len)
{
	f->req = req;
	f->kv = (struct strv){0};
	const char *ctype = http_request_header(req, "Content-Type");
	if (!len || !ctype || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0)
		return;
	char *copy = xstrndup(body, len);
	for (char *save = NULL, *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		char *val = eq ? eq + 1 : pair + strlen(pair);
		if (eq)
			*eq = '\0';
		form_decode(pair);
		form_decode(val);
		strv_push(&f->kv, xstrdup(pair));
		strv_push(&f->kv, xstrdup(val));
	}
	free(copy);
}

/* Borrowed; NULL when absent. */
static const char *
field(const struct fields *f, const char *name)
{
	for (size_t i = 0; i + 1 < f->kv.n; i += 2)
		if (streq(f->kv.v[i], name))
			return f->kv.v[i + 1];
	return http_request_query(f->req, name);
}

static void
ctime_now(char out[32])
{
	time_t now = time(NULL);
	ctime_r(&now, out);
	out[strcspn(out, "\n")] = '\0';
}

/* Python's RPCError text: "NAME: detail", or the bare name. */
static char *
fault_text(int code, const char *detail)
{
	const char *name = fault_name(code);
	if (!name)
		return xstrdup(detail && *detail ? detail : "UNKNOWN");
	return detail ? xasprintf("%s: %s", name, detail) : xstrdup(name);
}

static char *
unexpected(int code, const char *detail)
{
	char *text = fault_text(code, detail);
	char *msg = xasprintf("unexpected rpc fault [%d] %s", code, text);
	free(text);
	return msg;
}

/* ------------------------------------------------------------------ */
/* answers */

static void
respond_page(struct http_request *req, int status, struct strbuf *page)
{
	http_respond(req, status, page_headers, page->p ? page->p : "", page->len);
	sb_free(page);
}

static void
redirect_with(struct http_request *req, const char *message)
{
	struct strbuf loc = {0}, body = {0};
	sb_adds(&loc, "index.html?message=");
	sb_urlquote(&loc, message);
	sb_adds(&body, "<!DOCTYPE html>\n<title>See Other</title>\n<p><a href=\"");
	sb_html(&body, loc.p);
	sb_adds(&body, "\">Back to the status page</a></p>\n");
	const char *const headers[] = {"Location", loc.p, "Content-Type", "text/html;charset=utf-8",
				       "Cache-Control", "no-cache", SECURITY_HEADERS, NULL};
	http_respond(req, 303, headers, body.p, body.len);
	sb_free(&loc);
	sb_free(&body);
}

static void
page_head(struct strbuf *sb, const char *title)
{
	sb_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	sb_html(sb, title);
	sb_adds(sb, "</title>\n<link rel=\"stylesheet\" href=\"stylesheets/supervisor.css\">\n"
		    "<link rel=\"icon\" href=\"images/icon.svg\">\n"
		    "<script src=\"scripts/refresh.js\" defer></script>\n</head>\n"
		    "<body data-refresh-ms=\"5000\">\n<header class=\"masthead\">\n"
		    "<a class=\"brand\" href=\"index.html\"><img src=\"images/icon.svg\" alt=\"\" width=\"32\" height=\"32\">"
		    "Supervisor</a>\n<span class=\"ident\">");
	sb_html(sb, host_daemon_identifier());
	sb_adds(sb, "</span>\n</header>\n<main>\n");
}

static void
page_foot(struct strbuf *sb)
{
	sb_adds(sb, "</main>\n<footer>csupervisor " PACKAGE_VERSION " &middot; Supervisor " SUPERVISOR_VERSION
		    " compatible</footer>\n</body>\n</html>\n");
}

static void
hidden(struct strbuf *sb, const char *name, const char *value)
{
	sb_adds(sb, "<input type=\"hidden\" name=\"");
	sb_html(sb, name);
	sb_adds(sb, "\" value=\"");
	sb_html(sb, value);
	sb_adds(sb, "\">");
}

static void
button(struct strbuf *sb, const char *action, const char *label)
{
	sb_addf(sb, "<button type=\"submit\" name=\"action\" value=\"%s\" class=\"button\">%s</button>", action, label);
}

/* A form posting the token; processname may be NULL. */
static void
form_open(struct strbuf *sb, const char *cls, const char *processname)
{
	sb_addf(sb, "<form method=\"post\" action=\"index.html\" class=\"%s\">", cls);
	hidden(sb, "csrf", csrf_token() ? csrf_token() : "");
	if (processname)
		hidden(sb, "processname", processname);
}

static const char *
state_class(const char *statename)
{
	if (streq(statename, "RUNNING"))
		return "statusrunning";
	if (streq(statename, "FATAL") || streq(statename, "BACKOFF"))
		return "statuserror";
	return "statusnominal";
}

static const char *
str_of(const sup_value *st, const char *key)
{
	const sup_value *v = rv_get(st, key);
	return v && v->type == SUP_T_STRING ? v->u.str.s : "";
}

static void
process_row(struct strbuf *sb, const sup_value *info)
{
	const char *name = str_of(info, "name"), *group = str_of(info, "group");
	const char *statename = str_of(info, "statename");
	char *ns = streq(name, group) ? xstrdup(name) : xasprintf("%s:%s", group, name);
	char *lower = xstrdup(statename);
	for (char *c = lower; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	sb_adds(sb, "<tr data-process=\"");
	sb_html(sb, ns);
	sb_addf(sb, "\">\n<td class=\"status\"><span class=\"%s state-%s\">%s</span></td>\n<td class=\"description\">",
		state_class(statename), lower, lower);
	sb_html(sb, str_of(info, "description"));
	sb_adds(sb, "</td>\n<td class=\"name\"><a href=\"");
	sb_href(sb, "tail.html?processname=", ns, "");
	sb_adds(sb, "\">");
	sb_html(sb, ns);
	sb_adds(sb, "</a></td>\n<td class=\"action\">");
	form_open(sb, "actions", ns);
	if (streq(statename, "RUNNING")) {
		button(sb, "restart", "Restart");
		button(sb, "stop", "Stop");
	} else if (streq(statename, "STOPPED") || streq(statename, "EXITED") || streq(statename, "FATAL")) {
		button(sb, "start", "Start");
	}
	button(sb, "clearlog", "Clear Log");
	sb_adds(sb, "</form> <a class=\"tail\" href=\"");
	sb_href(sb, "logtail/", ns, "");
	sb_adds(sb, "\">Tail -f Stdout</a> <a class=\"tail\" href=\"");
	sb_href(sb, "logtail/", ns, "/stderr");
	sb_adds(sb, "\">Tail -f Stderr</a></td>\n</tr>\n");
	free(lower);
	free(ns);
}

static const char *const confirm_verbs[][2] = {
	{"start", "start"}, {"stop", "stop"}, {"restart", "restart"}, {"clearlog", "clear the log of"},
	{"stopall", "stop all processes"}, {"restartall", "restart all processes"},
};

/* The status page; message and confirm (an action asked for by GET, with
 * its processname) may be NULL. */
static void
index_page(struct http_request *req, const char *message, const char *confirm, const char *confirm_name)
{
	struct strbuf sb = {0};
	page_head(&sb, "Supervisor Status");
	if (confirm) {
		const char *verb = confirm;
		for (size_t i = 0; i < ARRAY_LEN(confirm_verbs); i++)
			if (streq(confirm_verbs[i][0], confirm))
				verb = confirm_verbs[i][1];
		sb_adds(&sb, "<div id=\"confirm\" class=\"statusmessage confirm\" role=\"alert\">");
		form_open(&sb, "confirm", confirm_name);
		sb_adds(&sb, "<p>Actions are only taken from this page's buttons. Do you want to ");
		sb_html(&sb, verb);
		if (confirm_name) {
			sb_adds(&sb, " <strong>");
			sb_html(&sb, confirm_name);
			sb_adds(&sb, "</strong>");
		}
		sb_adds(&sb, "?</p>");
		sb_adds(&sb, "<button type=\"submit\" name=\"action\" value=\"");
		sb_html(&sb, confirm);
		sb_adds(&sb, "\" class=\"button\">Confirm</button> <a href=\"index.html\">Cancel</a></form></div>\n");
	} else if (message && *message) {
		sb_adds(&sb, "<div id=\"statusmessage\" class=\"statusmessage\" role=\"status\">");
		sb_html(&sb, message);
		sb_adds(&sb, "</div>\n");
	}
	sb_adds(&sb, "<nav class=\"globalbuttons\"><a class=\"button\" href=\"index.html?action=refresh\">Refresh</a> ");
	form_open(&sb, "global", NULL);
	button(&sb, "restartall", "Restart All");
	button(&sb, "stopall", "Stop All");
	sb_adds(&sb, "</form></nav>\n");
	sup_value *list = host_proc_list();
	if (list->u.arr.n == 0) {
		sb_adds(&sb, "<p id=\"proctable\" class=\"empty\" data-refresh>No programs to manage</p>\n");
	} else {
		sb_adds(&sb, "<table id=\"proctable\" data-refresh>\n<thead><tr><th class=\"state\">State</th>"
			     "<th class=\"desc\">Description</th><th class=\"name\">Name</th>"
			     "<th class=\"action\">Action</th></tr></thead>\n<tbody>\n");
		for (int i = 0; i < list->u.arr.n; i++)
			process_row(&sb, list->u.arr.items[i]);
		sb_adds(&sb, "</tbody>\n</table>\n");
	}
	rv_unref(list);
	page_foot(&sb);
	respond_page(req, 200, &sb);
}

static void
forbidden(struct http_request *req)
{
	struct strbuf sb = {0};
	page_head(&sb, "Supervisor: action refused");
	sb_adds(&sb, "<div class=\"statusmessage statuserror\" role=\"alert\"><p>This action was refused: it did not "
		     "come from a form of this daemon's status page (the page may be older than the daemon).</p>"
		     "<p><a href=\"index.html\">Reload the status page</a> and try again.</p></div>\n");
	page_foot(&sb);
	respond_page(req, 403, &sb);
}

/* ------------------------------------------------------------------ */
/* tail.html */

/* The last `limit` bytes of path, NUL-terminated (caller frees); "" when
 * the file is missing, as tailProcessLog. */
static char *
read_tail(const char *path, long limit, size_t *len)
{
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return xstrdup("");
	}
	off_t from = st.st_size > limit ? st.st_size - limit : 0;
	size_t want = (size_t)(st.st_size - from);
	char *buf = xmalloc(want + 1);
	while (*len < want) {
		ssize_t n = pread(fd, buf + *len, want - *len, from + (off_t)*len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	close(fd);
	return buf;
}

static void
tail_page(struct http_request *req, const struct fields *f)
{
	const char *ns = field(f, "processname");
	const char *channel = field(f, "channel");
	bool err_channel = channel && streq(channel, "stderr");
	const char *lim = field(f, "limit");
	long limit = lim ? strtol(lim, NULL, 10) : TAIL_MIN;
	if (limit < TAIL_MIN)
		limit = TAIL_MIN;
	if (limit > TAIL_MAX)
		limit = TAIL_MAX;
	struct strbuf sb = {0};
	char *title = ns ? xasprintf("Supervisor tail of process %s", ns) : xstrdup("Supervisor tail");
	page_head(&sb, title);
	free(title);
	if (!ns || !*ns) {
		sb_adds(&sb, "<p class=\"statusmessage statuserror\">No process name found</p>\n");
		page_foot(&sb);
		respond_page(req, 200, &sb);
		return;
	}
	sb_adds(&sb, "<h1 class=\"tailtitle\">");
	sb_html(&sb, ns);
	sb_addf(&sb, " <span>%s</span></h1>\n<nav class=\"tailnav\"><a class=\"button\" href=\"", err_channel ? "stderr" : "stdout");
	char *suffix = xasprintf("&limit=%ld%s", limit, err_channel ? "&channel=stderr" : "");
	sb_href(&sb, "tail.html?processname=", ns, suffix);
	free(suffix);
	sb_adds(&sb, "\">Refresh</a> <a href=\"");
	sb_href(&sb, "tail.html?processname=", ns, err_channel ? "" : "&channel=stderr");
	sb_addf(&sb, "\">%s</a> <a href=\"", err_channel ? "Stdout" : "Stderr");
	sb_href(&sb, "logtail/", ns, err_channel ? "/stderr" : "");
	sb_adds(&sb, "\">Tail -f</a> <a href=\"index.html\">Back to the status page</a></nav>\n");
	int fault = 0;
	char *path = host_log_path(ns, err_channel ? "stderr" : "stdout", &fault);
	if (fault == SUP_FAULT_NO_FILE) {
		sb_adds(&sb, "<p id=\"tail\" class=\"statusmessage\" data-refresh>No file for ");
		sb_html(&sb, ns);
		sb_adds(&sb, "</p>\n");
	} else if (fault) {
		char *msg = unexpected(fault, ns);
		sb_adds(&sb, "<p id=\"tail\" class=\"statusmessage statuserror\" data-refresh>ERROR: ");
		sb_html(&sb, msg);
		sb_adds(&sb, "</p>\n");
		free(msg);
	} else {
		size_t n;
		char *text = read_tail(path, limit, &n);
		sb_adds(&sb, "<pre id=\"tail\" class=\"tail\" data-refresh>");
		sb_html_n(&sb, text, n);
		sb_adds(&sb, "</pre>\n");
		free(text);
	}
	free(path);
	page_foot(&sb);
	respond_page(req, 200, &sb);
}

/* ------------------------------------------------------------------ */
/* actions */

enum act { ACT_START, ACT_STOP, ACT_RESTART, ACT_CLEARLOG, ACT_STOPALL, ACT_RESTARTALL };

static const char *const act_names[] = {"start", "stop", "restart", "clearlog", "stopall", "restartall"};

/* One action in progress: lives until the host answers its last step, even
 * when the client leaves first (req is NULL then). */
struct job {
	struct http_request *req;
	enum act act;
	char *ns;
	/* stopall / restartall */
	sup_value *all; /* namespecs in start order */
	int next;
	bool starting, waiting, stepping;
};

static void
job_free(struct job *j)
{
	rv_unref(j->all);
	free(j->ns);
	free(j);
}

/* Answer (if the client is still there) and end the job; steals msg. */
static void
job_finish(struct job *j, char *msg)
{
	if (j->req)
		redirect_with(j->req, msg);
	free(msg);
	job_free(j);
}

static void
job_client_gone(void *ud)
{
	struct job *j = ud;
	j->req = NULL;
}

static char *
start_message(const char *ns, int fault, const char *detail)
{
	switch (fault) {
	case 0: return xasprintf("Process %s started", ns);
	case SUP_FAULT_BAD_NAME: return xasprintf("No such process named %s", ns);
	case SUP_FAULT_NO_FILE: return xasprintf("ERROR: Process %s: no such file", ns);
	case SUP_FAULT_NOT_EXECUTABLE: return xasprintf("ERROR: Process %s: file not executable", ns);
	case SUP_FAULT_ALREADY_STARTED: return xasprintf("ERROR: Process %s: already started", ns);
	case SUP_FAULT_SPAWN_ERROR: return xasprintf("ERROR: Process %s: spawn error", ns);
	case SUP_FAULT_ABNORMAL_TERMINATION: return xasprintf("ERROR: Process %s: abnormal termination", ns);
	default: {
		char *u = unexpected(fault, detail);
		char *msg = xasprintf("ERROR: Process %s: %s", ns, u);
		free(u);
		return msg;
	}
	}
}

static char *
stop_message(const char *ns, int fault, const char *detail)
{
	if (!fault)
		return xasprintf("Process %s stopped", ns);
	if (fault == SUP_FAULT_BAD_NAME)
		return xasprintf("No such process named %s", ns);
	return unexpected(fault, detail);
}

static void
start_done(int fault, const char *detail, void *ud)
{
	struct job *j = ud;
	char *msg = start_message(j->ns, fault, detail);
	if (!fault && j->act == ACT_RESTART) {
		free(msg);
		msg = xasprintf("Process %s restarted", j->ns);
	}
	job_finish(j, msg);
}

static void
stop_done(int fault, const char *detail, void *ud)
{
	struct job *j = ud;
	if (j->act == ACT_RESTART && (!fault || fault == SUP_FAULT_NOT_RUNNING)) {
		if (!j->req) {
			job_free(j);
			return;
		}
		/* the stop may have ended in the daemon's own shutdown */
		if (host_daemon_state() != 1) {
			job_finish(j, unexpected(SUP_FAULT_SHUTDOWN_STATE, NULL));
			return;
		}
		host_proc_start(j->ns, true, start_done, j);
		return;
	}
	job_finish(j, stop_message(j->ns, fault, detail));
}

static void all_step(struct job *j);

static void
all_done(int fault, const char *detail, void *ud)
{
	(void)fault; /* like stopAllProcesses / startAllProcesses, failures of
		      * single processes do not end the run */
	(void)detail;
	struct job *j = ud;
	j->waiting = false;
	if (!j->stepping)
		all_step(j);
}

/* stopall: every running process, reverse start order; restartall: then
 * every process in start order. One at a time, each waited for, as
 * Supervisor's stopAllProcesses/startAllProcesses. Synchronous answers
 * loop here instead of recursing. */
static void
all_step(struct job *j)
{
	j->stepping = true;
	while (!j->waiting) {
		if (!j->req || host_daemon_state() != 1) {
			if (!j->req) {
				job_free(j);
				return;
			}
			job_finish(j, unexpected(SUP_FAULT_SHUTDOWN_STATE, NULL));
			return;
		}
		int n = j->all->u.arr.n;
		if (j->next >= n) {
			if (j->act == ACT_RESTARTALL && !j->starting) {
				j->starting = true;
				j->next = 0;
				continue;
			}
			char when[32];
			ctime_now(when);
			job_finish(j, xasprintf("All %s at %s", j->act == ACT_STOPALL ? "stopped" : "restarted", when));
			return;
		}
		int idx = j->starting ? j->next : n - 1 - j->next;
		j->next++;
		const char *ns = j->all->u.arr.items[idx]->u.str.s;
		j->waiting = true;
		if (j->starting)
			host_proc_start(ns, true, all_done, j);
		else
			host_proc_stop(ns, true, all_done, j);
	}
	j->stepping = false;
}

static void
run_action(struct http_request *req, enum act act, const char *ns)
{
	if (host_daemon_state() != 1) {
		redirect_with(req, "unexpected rpc fault [6] SHUTDOWN_STATE");
		return;
	}
	if (act == ACT_CLEARLOG) {
		const char *detail = NULL;
		int fault = host_proc_clear_logs(ns, &detail);
		char *msg = !fault ? xasprintf("Log for %s cleared", ns)
			  : fault == SUP_FAULT_BAD_NAME ? xasprintf("No such process named %s", ns)
							: unexpected(fault, detail);
		redirect_with(req, msg);
		free(msg);
		return;
	}
	struct job *j = xcalloc(1, sizeof(*j));
	j->req = req;
	j->act = act;
	j->ns = xstrdup(ns ? ns : "");
	/* before any step: the host may answer at once (then the reply makes
	 * the cancel callback moot) or long after the client left */
	http_on_cancel(req, job_client_gone, j);
	switch (act) {
	case ACT_START: host_proc_start(j->ns, true, start_done, j); break;
	case ACT_STOP:
	case ACT_RESTART: host_proc_stop(j->ns, true, stop_done, j); break;
	default:
		j->all = host_proc_select(NULL);
		if (!j->all)
			j->all = rv_array();
		all_step(j);
		break;
	}
}

static void
index_request(struct http_request *req, bool post, const struct fields *f)
{
	const char *action = field(f, "action");
	if (post && !csrf_ok(field(f, "csrf"))) {
		forbidden(req);
		return;
	}
	if (!action || !*action) {
		index_page(req, field(f, "message"), NULL, NULL);
		return;
	}
	if (streq(action, "refresh")) {
		char when[32], *msg;
		ctime_now(when);
		msg = xasprintf("Page refreshed at %s", when);
		redirect_with(req, msg);
		free(msg);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(act_names); i++) {
		if (!streq(action, act_names[i]))
			continue;
		const char *ns = field(f, "processname");
		bool needs_name = i < ACT_STOPALL;
		if (!post)
			index_page(req, NULL, act_names[i], needs_name ? (ns ? ns : "") : NULL);
		else
			run_action(req, (enum act)i, needs_name ? (ns ? ns : "") : NULL);
		return;
	}
	http_reply(req, 500, "", 0); /* as Supervisor's unknown action */
}

/* ------------------------------------------------------------------ */
/* routing */

static void
static_file(struct http_request *req, const char *method, const char *path)
{
	if (streq(method, "POST")) {
		http_reply(req, 400, "", 0); /* medusa's static handler */
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(webui_assets); i++) {
		if (!streq(webui_assets[i].path, path))
			continue;
		const char *const headers[] = {"Content-Type", webui_assets[i].type, "Cache-Control", "no-cache",
					       SECURITY_HEADERS, NULL};
		http_respond(req, 200, headers, (const char *)webui_assets[i].data, webui_assets[i].len);
		return;
	}
	http_reply(req, 404, "", 0);
}

void
webui_serve(struct http_request *req, const char *method, const char *path, const char *body, size_t len, void *ud)
{
	(void)ud;
	const char *page = path;
	while (*page == '/')
		page++;
	if (!*page)
		page = "index.html";
	if (streq(page, "ok.html")) {
		const char *const headers[] = {"Content-Type", "text/plain", SECURITY_HEADERS, NULL};
		http_respond(req, 200, headers, "OK", 2);
		return;
	}
	bool post = streq(method, "POST");
	if (!streq(page, "index.html") && !streq(page, "tail.html")) {
		static_file(req, method, path);
		return;
	}
	struct fields f;
	fields_parse(&f, req, post ? body : "", post ? len : 0);
	if (streq(page, "tail.html"))
		tail_page(req, &f);
	else
		index_request(req, post, &f);
	strv_free(&f.kv);
}
