/* Test plugin: init failure. init() registers NS.ping, logs, and fails;
 * the daemon must remove NS.ping again, run fini, and stop (exit 2) with
 * an error naming the section. With the key "data = yes" it also hands the
 * daemon per-instance data whose free function lives in this .so. With
 * "hooks = yes" it first subscribes to every event, arms a timer and
 * watches a readable pipe: all three must be gone once init failed (the
 * .so is unmapped then, a leftover would call into nothing). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csupervisor/plugin.h>

static int
ping(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return sup_reply(call, sup_string("pong"));
}

static const struct sup_method methods[] = {
	{"ping", ping, "s:", "pong"},
};

static void
data_free(void *data)
{
	free(data);
}

static int pipefd[2] = {-1, -1};

static void
pipe_free(void *data)
{
	(void)data;
	close(pipefd[0]);
	close(pipefd[1]);
}

static void
on_event(const char *type, const sup_value *payload, void *ud)
{
	(void)type, (void)payload, (void)ud;
	abort(); /* never: the subscription was rolled back */
}

static void
on_timer(void *ud)
{
	(void)ud;
	abort();
}

static void
on_readable(int fd, int revents, void *ud)
{
	(void)fd, (void)revents, (void)ud;
	abort();
}

static int
add_hooks(sup_plugin *p)
{
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0 || write(pipefd[1], "x", 1) != 1)
		return SUP_ERR;
	sup_api_->set_data(p, NULL, pipe_free);
	if (sup_api_->subscribe(p, "EVENT", on_event, NULL) != SUP_OK ||
	    sup_api_->timer_add(p, 0, on_timer, NULL, NULL) != SUP_OK ||
	    sup_api_->fd_watch(p, pipefd[0], SUP_FD_READ, on_readable, NULL) != SUP_OK)
		return SUP_ERR;
	sup_log(p, SUP_LOG_INFO, "subscribed, timer armed, fd %d watched", pipefd[0]);
	return SUP_OK;
}

static void
fini(sup_plugin *p)
{
	sup_log(p, SUP_LOG_INFO, "fini ran");
}

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"data", "hooks", NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	const char *data = sup_api_->config_get(cfg, "data");
	if (data && !strcmp(data, "yes"))
		sup_api_->set_data(p, malloc(16), data_free);
	const char *hooks = sup_api_->config_get(cfg, "hooks");
	if (hooks && !strcmp(hooks, "yes") && add_hooks(p) != SUP_OK)
		return SUP_ERR;
	if (sup_rpc_methods(p, methods, NULL) != SUP_OK)
		return SUP_ERR;
	sup_log(p, SUP_LOG_INFO, "registered ping, now failing on purpose");
	return SUP_ERR;
}

SUP_PLUGIN_DEFINE(initfail, SUP_KIND_RPC, "1.0", init, fini)
