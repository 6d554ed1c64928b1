/* http_echo: the HTTP layer alone, for tests/integration/test_http.py.
 *
 *   http_echo -c <supervisord.conf>
 *
 * Serves the config's [unix_http_server]/[inet_http_server] sections with
 * an RPC handler that echoes the POST body back. A body containing "DEFER"
 * is answered 200 ms later from a timer, one containing "HOLD" after 60 s
 * (to test cancellation), "ORPHAN" after 300 ms without a cancel callback,
 * "FAIL" gets a 500 page, "WHO" the section of the server it came in on
 * (what server_init stored; $HTTP_ECHO_INIT_FAIL=<section> makes
 * server_init fail for that section). /logtail/x reads the file
 * named by $HTTP_ECHO_TAIL, /logtail/x/stderr $HTTP_ECHO_TAIL_ERR,
 * /mainlogtail the activity log ([supervisord] logfile, level loglevel).
 * Prints "ready" on stdout once serving; SIGTERM/SIGINT stop it cleanly
 * (pending requests cancelled, socket files removed, exit 0). Startup
 * errors: "Error: <text>" on stderr, exit 2. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "util.h"

struct deferred {
	struct loop *loop;
	struct http_request *req;
	char *body;
	size_t len;
	struct timer timer;
	struct deferred *next, *prev;
};

static struct deferred *pending;

static void
unlink_deferred(struct deferred *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		pending = d->next;
	if (d->next)
		d->next->prev = d->prev;
	timer_cancel(d->loop, &d->timer);
	free(d->body);
	free(d);
}

static void
on_deferred_timer(struct loop *l, void *data)
{
	(void)l;
	struct deferred *d = data;
	http_reply(d->req, 200, d->body, d->len);
	unlink_deferred(d);
}

static void
on_cancel(void *ud)
{
	struct deferred *d = ud;
	log_info("cancelled %.*s", (int)d->len, d->body);
	unlink_deferred(d);
}

static void
echo_rpc(struct http_request *req, const char *body, size_t len, void *ud)
{
	struct loop *loop = ud;
	bool hold = memmem(body, len, "HOLD", 4) != NULL;
	bool orphan = memmem(body, len, "ORPHAN", 6) != NULL;
	if (memmem(body, len, "FAIL", 4)) {
		http_reply(req, 500, "", 0);
		return;
	}
	if (memmem(body, len, "WHO", 3)) {
		const char *who = http_request_server_data(req);
		http_reply(req, 200, who, strlen(who));
		return;
	}
	if (!hold && !orphan && !memmem(body, len, "DEFER", 5)) {
		http_reply(req, 200, body, len);
		return;
	}
	struct deferred *d = xcalloc(1, sizeof(*d));
	d->loop = loop;
	d->req = req;
	d->body = xstrndup(body, len);
	d->len = len;
	timer_init(&d->timer, on_deferred_timer, d);
	timer_arm(loop, &d->timer, loop_now(loop) + (hold ? 60000 : orphan ? 300 : 200));
	d->next = pending;
	if (pending)
		pending->prev = d;
	pending = d;
	if (!orphan)
		http_on_cancel(req, on_cancel, d);
}

static int
echo_server_init(const struct server_config *sc, void **data, char **err, void *ud)
{
	(void)ud;
	const char *fail = getenv("HTTP_ECHO_INIT_FAIL");
	if (fail && streq(fail, sc->section)) {
		*err = xstrdup("Could not make echo rpc interface");
		return -1;
	}
	log_info("echo interface initialized for %s", sc->section);
	*data = xstrdup(sc->section);
	return 0;
}

static void
echo_server_fini(void *data, void *ud)
{
	(void)ud;
	free(data);
}

static char *
echo_tail_path(const char *namespec, const char *channel, void *ud)
{
	(void)ud;
	const char *p = NULL;
	if (!namespec)
		p = log_path();
	else if (streq(namespec, "x") && streq(channel, "stdout"))
		p = getenv("HTTP_ECHO_TAIL");
	else if (streq(namespec, "x") && streq(channel, "stderr"))
		p = getenv("HTTP_ECHO_TAIL_ERR");
	return p && access(p, F_OK) == 0 ? xstrdup(p) : NULL;
}

static void
on_signal(struct loop *l, int sig, void *data)
{
	(void)sig;
	(void)data;
	loop_stop(l);
}

int
main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: http_echo -c <config>\n");
		return 2;
	}
	char *err = NULL;
	struct config *cfg = config_load_daemon(argv[2], NULL, &err);
	if (!cfg) {
		fprintf(stderr, "Error: %s\n", err);
		free(err);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct log_settings ls = {.path = cfg->sd.logfile,
				  .maxbytes = cfg->sd.logfile_maxbytes,
				  .backups = cfg->sd.logfile_backups,
				  .level = cfg->sd.loglevel};
	if (log_open(&ls) < 0) {
		perror(cfg->sd.logfile);
		config_free(cfg);
		return 2;
	}
	struct loop *loop = loop_new();
	static const int sigs[] = {SIGTERM, SIGINT};
	loop_signals(loop, sigs, 2, on_signal, NULL);
	struct http_handlers h = {.rpc = echo_rpc,
				  .tail_path = echo_tail_path,
				  .ud = loop,
				  .server_init = echo_server_init,
				  .server_fini = echo_server_fini};
	struct http *http = http_start(loop, cfg, &h, &err);
	if (!http) {
		fprintf(stderr, "Error: %s\n", err);
		free(err);
		loop_free(loop);
		config_free(cfg);
		log_close();
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	loop_run(loop);
	http_stop(http);
	/* requests without a cancel callback outlive http_stop until replied */
	while (pending) {
		http_reply(pending->req, 200, "", 0);
		unlink_deferred(pending);
	}
	log_info("stopped");
	loop_free(loop);
	config_free(cfg);
	log_close();
	return 0;
}
