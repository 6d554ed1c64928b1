/* Test plugin: fd watches on the daemon's loop (ABI 1.1). init() listens
 * on the unix socket of the key "socket" and watches it; each client is
 * watched too, and every line it sends comes back as "echo: <line>". All
 * of it runs on the daemon's loop, between its other work.
 *
 *   NS.clients()     int: connected clients
 *   NS.fd()          int: the listening socket's fd
 *   NS.tryWatch(fd)  string: what fd_watch says for an fd: "ok" (then
 *                    unwatched again), "EEXIST", "EINVAL", ...
 *   NS.close()       boolean: unwatch and close the listening socket
 *
 * fini closes what is left (after unwatching: the daemon has already
 * dropped the watches then, so fd_unwatch answers ENOENT). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csupervisor/plugin.h>

#define MAXCLIENTS 16

struct echo;

struct client {
	struct echo *e;
	int fd;
	char buf[512];
	size_t len;
};

struct echo {
	sup_plugin *p;
	int lfd;
	struct client *clients[MAXCLIENTS];
	int nclients;
};

static void
client_close(struct echo *e, struct client *c)
{
	sup_api_->fd_unwatch(e->p, c->fd);
	close(c->fd);
	for (int i = 0; i < e->nclients; i++)
		if (e->clients[i] == c)
			e->clients[i] = e->clients[--e->nclients];
	free(c);
}

static void
on_client(int fd, int revents, void *ud)
{
	struct client *c = ud;
	struct echo *e = c->e;
	ssize_t n = 0;
	if (revents & SUP_FD_READ)
		n = read(fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		sup_log(e->p, SUP_LOG_INFO, "client gone (%s)", revents & SUP_FD_ERROR ? "hang-up" : "eof");
		client_close(e, c);
		return;
	}
	c->len += (size_t)n;
	char *nl;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		char out[600];
		int m = snprintf(out, sizeof out, "echo: %.*s\n", (int)(nl - c->buf), c->buf);
		if (write(fd, out, (size_t)m) < 0)
			sup_log(e->p, SUP_LOG_WARN, "write: %s", strerror(errno));
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
	}
	if (c->len == sizeof c->buf - 1)
		c->len = 0; /* a line too long: dropped */
}

static void
on_accept(int fd, int revents, void *ud)
{
	(void)revents;
	struct echo *e = ud;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (e->nclients == MAXCLIENTS) {
		close(cfd);
		return;
	}
	struct client *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->e = e;
	c->fd = cfd;
	if (sup_api_->fd_watch(e->p, cfd, SUP_FD_READ, on_client, c) != SUP_OK) {
		sup_log(e->p, SUP_LOG_ERROR, "fd_watch(client): %s", strerror(errno));
		close(cfd);
		free(c);
		return;
	}
	e->clients[e->nclients++] = c;
	sup_log(e->p, SUP_LOG_INFO, "client connected (%d)", e->nclients);
}

static int
clients(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	struct echo *e = ud;
	return sup_reply(call, sup_api_->int_new(e->nclients));
}

static int
lfd(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	struct echo *e = ud;
	return sup_reply(call, sup_api_->int_new(e->lfd));
}

static void
never(int fd, int revents, void *ud)
{
	(void)fd, (void)revents, (void)ud;
}

static int
try_watch(sup_call *call, sup_value *params, void *ud)
{
	struct echo *e = ud;
	int64_t fd = -1;
	sup_api_->get_int(sup_api_->array_get(params, 0), &fd);
	const char *what = "ok";
	if (sup_api_->fd_watch(e->p, (int)fd, SUP_FD_READ, never, NULL) != SUP_OK)
		what = errno == EEXIST ? "EEXIST" : errno == EINVAL ? "EINVAL" : errno == EBADF ? "EBADF" : "other";
	else if (fd != e->lfd)
		sup_api_->fd_unwatch(e->p, (int)fd);
	else
		sup_api_->fd_watch(e->p, e->lfd, SUP_FD_READ, on_accept, e); /* back to normal */
	return sup_reply(call, sup_string(what));
}

static int
close_listener(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	struct echo *e = ud;
	if (e->lfd < 0)
		return sup_reply(call, sup_api_->bool_new(false));
	int rc = sup_api_->fd_unwatch(e->p, e->lfd);
	close(e->lfd);
	e->lfd = -1;
	return sup_reply(call, sup_api_->bool_new(rc == SUP_OK));
}

static const struct sup_method methods[] = {
	{"clients", clients, "i:", "Connected clients"},
	{"fd", lfd, "i:", "The listening socket's fd"},
	{"tryWatch", try_watch, "s:i", "What fd_watch says for an fd"},
	{"close", close_listener, "b:", "Stop listening"},
};

static void
echo_free(void *data)
{
	struct echo *e = data;
	while (e->nclients)
		client_close(e, e->clients[0]);
	if (e->lfd >= 0) {
		sup_api_->fd_unwatch(e->p, e->lfd);
		close(e->lfd);
	}
	free(e);
}

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"socket", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *path = sup_api_->config_get(cfg, "socket");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path || strlen(path) >= sizeof sa.sun_path) {
		sup_log(p, SUP_LOG_ERROR, "the key socket (a path) is required");
		return SUP_ERR;
	}
	struct echo *e = calloc(1, sizeof(*e));
	if (!e)
		return SUP_ERR;
	e->p = p;
	e->lfd = -1;
	sup_api_->set_data(p, e, echo_free);
	strcpy(sa.sun_path, path);
	unlink(path);
	e->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (e->lfd < 0 || bind(e->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(e->lfd, 8) < 0) {
		sup_log(p, SUP_LOG_ERROR, "cannot listen on %s: %s", path, strerror(errno));
		return SUP_ERR;
	}
	if (sup_api_->fd_watch(p, e->lfd, SUP_FD_READ, on_accept, e) != SUP_OK) {
		sup_log(p, SUP_LOG_ERROR, "fd_watch: %s", strerror(errno));
		return SUP_ERR;
	}
	sup_log(p, SUP_LOG_INFO, "listening on %s", path);
	return sup_rpc_methods(p, methods, e);
}

SUP_PLUGIN_DEFINE(fdwatch, SUP_KIND_RPC, "1.1", init, NULL)
