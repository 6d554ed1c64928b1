#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "http.h"
#include "rpc.h"
#include "log.h"
#include "plugins.h"
#include "spawn.h"
#include "loop.h"
#include "options.h"
#include "supervisor.h"
#include "util.h"
#include "webui.h"

static const int handled_signals[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR2};

static void
on_signal(struct loop *l, int sig, void *data)
{
	(void)l;
	struct supervisor *sv = data;
	const char *name = signal_name(sig);
	switch (sig) {
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
		log_warn("received SIG%s indicating exit request", name);
		supervisor_shutdown(sv, MOOD_SHUTDOWN);
		break;
	case SIGHUP:
		if (sv->mood == MOOD_SHUTDOWN) {
			log_warn("ignored SIGHUP indicating restart request (shutdown in progress)");
			break;
		}
		log_warn("received SIGHUP indicating restart request");
		supervisor_shutdown(sv, MOOD_RESTARTING);
		break;
	case SIGCHLD:
		log_debug("received SIGCHLD indicating a child quit");
		supervisor_reap(sv);
		break;
	case SIGUSR2:
		log_info("received SIGUSR2 indicating log reopen request");
		log_info("supervisord logreopen");
		log_reopen();
		supervisor_reopen_logs(sv);
		break;
	}
}

static void
add_info(struct config *cfg, enum log_message_level level, char *text)
{
	cfg->messages = xrealloc(cfg->messages, (size_t)(cfg->nmessages + 1) * sizeof(*cfg->messages));
	cfg->messages[cfg->nmessages++] = (struct parse_message){level, text};
}

static void
raise_rlimits(struct daemon_options *o, struct config *cfg)
{
	static const struct {
		int res;
		const char *name, *what, *opt, *noun;
	} limits[] = {
		{RLIMIT_NOFILE, "RLIMIT_NOFILE", "file descriptors", "minfds", "process"},
		{RLIMIT_NPROC, "RLIMIT_NPROC", "processes", "minprocs", "program"},
	};
	for (size_t i = 0; i < ARRAY_LEN(limits); i++) {
		rlim_t min = (rlim_t)(limits[i].res == RLIMIT_NOFILE ? cfg->sd.minfds : cfg->sd.minprocs);
		struct rlimit rl;
		if (getrlimit(limits[i].res, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= min)
			continue;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < min)
			rl.rlim_max = min;
		rl.rlim_cur = min;
		if (setrlimit(limits[i].res, &rl) < 0) {
			bool fds = limits[i].res == RLIMIT_NOFILE;
			char *msg = xasprintf(
				"The minimum number of %s required to run this %s is %llu as per the \"%s\" "
				"command-line argument or config file setting. The current environment will only "
				"allow you to open %llu %s.  Either raise the number of usable %s in your "
				"environment (see README.rst) or lower the %s setting in the config file to allow "
				"the %s to start.",
				fds ? "file descriptors" : "available processes", limits[i].noun,
				(unsigned long long)min, limits[i].opt, (unsigned long long)rl.rlim_max, limits[i].what,
				limits[i].what, limits[i].opt, limits[i].noun);
			usage_error(o->argv0, msg);
		}
		add_info(cfg, PARSE_INFO, xasprintf("Increased %s limit to %llu", limits[i].name, (unsigned long long)min));
	}
}

/* Delete AUTO child logs of earlier runs: names matching
 * ".+?---<identifier>-\S+\.log" (anchored at the start only). */
static bool
is_old_autolog(const char *name, const char *ident)
{
	char *mark = xasprintf("---%s-", ident);
	bool match = false;
	for (const char *m = strstr(name + 1, mark); m && !match; m = strstr(m + 1, mark)) {
		const char *rest = m + strlen(mark);
		for (const char *dot = strstr(rest + 1, ".log"); dot && !match; dot = strstr(dot + 1, ".log")) {
			match = true;
			for (const char *c = rest; c < dot; c++)
				if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '\f' || *c == '\v')
					match = false;
		}
	}
	free(mark);
	return match;
}

static void
clear_autochildlogs(const struct supervisord_config *sd)
{
	DIR *d = opendir(sd->childlogdir);
	if (!d) {
		log_warn("Could not clear childlog dir");
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (!is_old_autolog(e->d_name, sd->identifier))
			continue;
		char *path = xasprintf("%s/%s", sd->childlogdir, e->d_name);
		if (unlink(path) < 0)
			log_warn("Failed to clean up '%s'", path);
		free(path);
	}
	closedir(d);
}

static void
flush_parse_messages(struct config *cfg)
{
	static const int order[] = {PARSE_CRIT, PARSE_WARN, PARSE_INFO};
	static const int level[] = {LV_CRIT, LV_WARN, LV_INFO};
	for (size_t o = 0; o < ARRAY_LEN(order); o++)
		for (int i = 0; i < cfg->nmessages; i++)
			if ((int)cfg->messages[i].level == order[o])
				log_msg(level[o], "%s", cfg->messages[i].text);
}

static void
daemonize(const struct supervisord_config *sd)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_crit("could not fork to daemonize: %s", strerror(errno));
		exit(2);
	}
	if (pid > 0) {
		log_blather("supervisord forked; parent exiting");
		_exit(0);
	}
	log_no_stdout();
	log_info("daemonizing the supervisord process");
	if (sd->directory) {
		if (chdir(sd->directory) < 0)
			log_crit("can't chdir into '%s': %s", sd->directory, strerror(errno));
		else
			log_info("set current directory: '%s'", sd->directory);
	}
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	setsid();
	umask((mode_t)sd->umask);
}

static bool
write_pidfile(const char *path)
{
	/* written to a temporary name, then renamed: readers never see half */
	char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	FILE *f = fopen(tmp, "we");
	bool ok = f && fprintf(f, "%d\n", (int)getpid()) > 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, path) < 0)
		ok = false;
	if (!ok)
		unlink(tmp);
	free(tmp);
	if (!ok)
		log_crit("could not write pidfile %s", path);
	else
		log_info("supervisord started with pid %d", (int)getpid());
	return ok;
}

/* ---- the HTTP servers' view of the daemon ---- */

static void
rpc_replied(int status, const char *body, size_t len, void *ud)
{
	http_reply(ud, status, body, len);
}

static void
rpc_client_gone(void *ud)
{
	rpc_cancel(ud);
}

static void
serve_rpc(struct http_request *req, const char *body, size_t len, void *ud)
{
	(void)ud;
	sup_call *pending = rpc_serve(body, len, http_request_peer(req), rpc_replied, req);
	if (pending)
		http_on_cancel(req, rpc_client_gone, pending);
}

static char *
tail_path(const char *namespec, const char *channel, void *ud)
{
	(void)ud;
	int fault;
	if (namespec && channel && !streq(channel, "stdout") && !streq(channel, "stderr"))
		return NULL;
	char *path = host_log_path(namespec, channel, &fault);
	if (path && access(path, F_OK) < 0) {
		free(path);
		path = NULL;
	}
	return path;
}

/* One generation; returns the mood it ended in. */
static enum mood
run_generation(struct daemon_options *o, bool first)
{
	struct config *cfg = daemon_options_load(o);
	struct supervisord_config *sd = &cfg->sd;
	if (sd->user) {
		uid_t uid;
		char *err = NULL;
		if (parse_uid(sd->user, &uid, &err) < 0)
			usage_error(o->argv0, err);
		const char *why = NULL;
		if (drop_privileges(uid, &why) < 0)
			usage_error(o->argv0, why);
		add_info(cfg, PARSE_INFO, xasprintf("Set uid to user %u succeeded", (unsigned)uid));
	} else if (getuid() == 0) {
		add_info(cfg, PARSE_CRIT, xstrdup("Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message."));
	}
	if (first)
		raise_rlimits(o, cfg);
	struct log_settings ls = {
		.path = sd->logfile, .maxbytes = sd->logfile_maxbytes, .backups = sd->logfile_backups,
		.level = sd->loglevel, .to_stdout = sd->nodaemon && !sd->silent,
	};
	if (log_open(&ls) < 0) {
		char *msg = xasprintf("could not open log file %s: %s", sd->logfile, strerror(errno));
		usage_error(o->argv0, msg);
	}
	flush_parse_messages(cfg);
	char *err = NULL;
	/* Supervisor dies here with the exception's text and status 1 */
	if (supervisor_check_fcgi(cfg, &err) < 0) {
		fprintf(stderr, "Error: %s\n", err);
		exit(1);
	}
	struct loop *loop = loop_new();
	host_set_loop(loop);
	if (plugins_load(cfg, &err) < 0)
		usage_error(o->argv0, err);
	if (!sd->nocleanup)
		clear_autochildlogs(sd);
	/* servers are bound before daemonizing, so a busy port is reported
	 * in the foreground with exit status 2, as Supervisor does */
	const struct http_handlers handlers = {.rpc = serve_rpc, .tail_path = tail_path, .web = webui_serve};
	struct http *http = http_start(loop, cfg, &handlers, &err);
	if (!http)
		usage_error(o->argv0, err);
	if (first && !sd->nodaemon)
		daemonize(sd);

	struct supervisor sv;
	supervisor_init(&sv, loop, cfg);
	host_attach(&sv);
	if (loop_signals(loop, handled_signals, (int)ARRAY_LEN(handled_signals), on_signal, &sv) < 0) {
		log_crit("could not set up signal handling: %s", strerror(errno));
		exit(2);
	}
	bool pid_written = write_pidfile(sd->pidfile);
	supervisor_start(&sv);
	loop_run(loop);
	enum mood mood = sv.mood;
	if (pid_written)
		unlink(sd->pidfile);
	http_stop(http);
	host_detach();
	plugins_unload();
	supervisor_destroy(&sv);
	/* restore the signal mask so the next generation can block it again */
	loop_unblock_signals_for_child(loop);
	loop_free(loop);
	log_close();
	config_free(cfg);
	return mood;
}

int
daemon_main(int argc, char **argv)
{
	struct daemon_options opts;
	daemon_options_parse(&opts, argc, argv);
	/* Like Supervisor, children start with SIGPIPE and SIGXFSZ ignored. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	bool first = true;
	while (run_generation(&opts, first) == MOOD_RESTARTING)
		first = false;
	daemon_options_free(&opts);
	return 0;
}
