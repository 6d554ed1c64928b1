#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "events.h"
#include "fcgisock.h"
#include "listener.h"
#include "log.h"
#include "rpcvalue.h"
#include "spawn.h"
#include "supervisor.h"
#include "util.h"

/* A program that keeps exiting at once is restarted immediately the first
 * time, then at most once a second (runit and s6 throttle the same way). */
#define RESPAWN_INTERVAL_MS 1000
/* Pipe reads: Supervisor reads up to 128 KiB per readable event. */
#define READ_CHUNK 131072
/* After a child exits, what is still in its pipes is drained, but a
 * grandchild holding the pipe open cannot keep the loop here forever. */
#define DRAIN_LIMIT (4 * 1024 * 1024)

enum pevent { EV_START, EV_STOP, EV_TIMER, EV_COUNT };

static const struct { enum pstate s; const char *name; } state_names[] = {
	{PS_STOPPED, "STOPPED"}, {PS_STARTING, "STARTING"}, {PS_RUNNING, "RUNNING"},
	{PS_BACKOFF, "BACKOFF"}, {PS_STOPPING, "STOPPING"}, {PS_EXITED, "EXITED"},
	{PS_FATAL, "FATAL"},     {PS_UNKNOWN, "UNKNOWN"},
};

const char *
pstate_name(enum pstate s)
{
	for (size_t i = 0; i < ARRAY_LEN(state_names); i++)
		if (state_names[i].s == s)
			return state_names[i].name;
	return "UNKNOWN";
}

static int
state_index(enum pstate s)
{
	for (size_t i = 0; i < ARRAY_LEN(state_names); i++)
		if (state_names[i].s == s)
			return (int)i;
	return 7;
}

static const char *
signame(int sig)
{
	static char buf[32];
	const char *n = signal_name(sig);
	if (n)
		snprintf(buf, sizeof buf, "SIG%s", n);
	else
		snprintf(buf, sizeof buf, "signal %d", sig);
	return buf;
}

char *
describe_exit(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exit status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		const char *n = signal_name(WTERMSIG(status));
		char *s = n ? xasprintf("terminated by SIG%s", n) : xasprintf("terminated by signal %d", WTERMSIG(status));
		if (WCOREDUMP(status)) {
			char *c = xasprintf("%s (core dumped)", s);
			free(s);
			s = c;
		}
		return s;
	}
	return xasprintf("unknown termination cause 0x%04x", status);
}

/* Config seconds to loop milliseconds, clamped far beyond any real wait
 * (config integers are unbounded, like Python's). */
static int64_t
secs_ms(long long secs)
{
	const long long cap = 1000000000000LL; /* ~31,700 years */
	return (int64_t)(secs > cap ? cap : secs < -cap ? -cap : secs) * 1000;
}

static struct loop *
L(struct process *p)
{
	return p->sv->loop;
}

static void on_stdin_writable(struct loop *l, int fd, uint32_t events, void *data);
static void close_stdin(struct process *p);

static void arm_for_state(struct process *p);

static void
change_state(struct process *p, enum pstate new_state)
{
	enum pstate old = p->state;
	if (old == new_state)
		return;
	p->state = new_state;
	if (new_state == PS_BACKOFF)
		p->backoff++;
	arm_for_state(p);
	supervisor_process_changed(p->sv, p, old);
}

static void
set_spawnerr(struct process *p, char *msg)
{
	free(p->spawnerr);
	p->spawnerr = msg;
}

/* ---- output channels ---- */

/* strip_ansi: drop ESC [ ... up to the first of HfABCDRsuJKhlpm. */
static size_t
strip_ansi(char *buf, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\x1b' && i + 1 < n && buf[i + 1] == '[') {
			size_t j = i + 2;
			while (j < n && !strchr("HfABCDRsuJKhlpm", buf[j]))
				j++;
			if (j < n) {
				i = j;
				continue;
			}
		}
		buf[o++] = buf[i];
	}
	return o;
}

static void
channel_close(struct process *p, struct channel *c)
{
	if (c->fd >= 0) {
		loop_del_fd(L(p), c->fd);
		close(c->fd);
		c->fd = -1;
	}
}

#define BEGIN_TOKEN "<!--XSUPERVISOR:BEGIN-->"
#define END_TOKEN "<!--XSUPERVISOR:END-->"

/* Supervisor's _log: one piece of output to the log file (or, in capture
 * mode, to the capture buffer), the debug echo and PROCESS_LOG events. */
static void
log_chunk(struct process *p, struct channel *c, char *buf, size_t n)
{
	if (!n)
		return;
	bool is_err = c == &p->err;
	const char *which = is_err ? "stderr" : "stdout";
	const struct stream_config *sc = is_err ? &p->cfg->err : &p->cfg->out;
	if (p->sv->cfg->sd.strip_ansi)
		n = strip_ansi(buf, n);
	if (c->capturing) {
		/* Supervisor's BoundIO: drop as many bytes from the front as
		 * are appended, when the bound would be passed */
		if (c->capture.len + n > (unsigned long long)sc->capture_maxbytes) {
			size_t drop = n < c->capture.len ? n : c->capture.len;
			memmove(c->capture.p, c->capture.p + drop, c->capture.len - drop);
			c->capture.len -= drop;
		}
		sb_add(&c->capture, buf, n);
	} else {
		if (c->has_log && c->log.fd >= 0 && rotfile_write(&c->log, buf, n) < 0)
			log_error("failed to write to log of '%s': %s", p->cfg->name, strerror(errno));
		if (sc->syslog) {
			char *copy = xstrndup(buf, n), *save = NULL;
			for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				syslog(LOG_INFO, "%s %s", p->cfg->name, line);
			free(copy);
		}
	}
	if (log_enabled(LV_DEBG))
		log_debug("'%s' %s output:\n%.*s", p->cfg->name, which, (int)n, buf);
	if (sc->events_enabled)
		events_process_output(p, is_err, false, buf, n);
}

static void
toggle_capture(struct process *p, struct channel *c)
{
	c->capturing = !c->capturing;
	if (c->capturing)
		return;
	bool is_err = c == &p->err;
	events_process_output(p, is_err, true, c->capture.p ? c->capture.p : "", c->capture.len);
	log_debug("'%s' %s emitted a comm event", p->cfg->name, is_err ? "stderr" : "stdout");
	sb_free(&c->capture);
}

/* Longest proper prefix of t that ends h. */
static size_t
prefix_at_end(const char *h, size_t hl, const char *t, size_t tl)
{
	size_t l = tl - 1;
	while (l && !(hl >= l && !memcmp(h + hl - l, t, l)))
		l--;
	return l;
}

/* An event listener's stdout: the protocol, copied to its log. */
static void
listener_stdout(struct process *p, struct channel *c, char *buf, size_t n)
{
	if (log_enabled(LV_DEBG)) {
		struct strbuf sb = {0};
		sb_add_pybytes(&sb, buf, n);
		log_debug("'%s' stdout output:\n%s", p->cfg->name, sb.p);
		sb_free(&sb);
	}
	if (c->has_log && c->log.fd >= 0) {
		char *copy = xstrndup(buf, n);
		size_t m = p->sv->cfg->sd.strip_ansi ? strip_ansi(copy, n) : n;
		if (rotfile_write(&c->log, copy, m) < 0)
			log_error("failed to write to log of '%s': %s", p->cfg->name, strerror(errno));
		free(copy);
	}
	listener_output(p, buf, n);
}

static void
channel_write(struct process *p, struct channel *c, char *buf, size_t n)
{
	bool is_err = c == &p->err;
	if (p->listener && !is_err) {
		listener_stdout(p, c, buf, n);
		return;
	}
	const struct stream_config *sc = is_err ? &p->cfg->err : &p->cfg->out;
	if (sc->capture_maxbytes <= 0) {
		log_chunk(p, c, buf, n);
		return;
	}
	/* capture mode scanning (events.md 7.2) */
	sb_add(&c->pending, buf, n);
	for (;;) {
		const char *tok = c->capturing ? END_TOKEN : BEGIN_TOKEN;
		size_t tl = strlen(tok);
		if (c->pending.len <= tl)
			return;
		struct strbuf data = c->pending;
		c->pending = (struct strbuf){0};
		char *hit = memmem(data.p, data.len, tok, tl);
		if (!hit) {
			size_t keep = prefix_at_end(data.p, data.len, tok, tl);
			sb_add(&c->pending, data.p + data.len - keep, keep);
			log_chunk(p, c, data.p, data.len - keep);
			sb_free(&data);
			return;
		}
		size_t before = (size_t)(hit - data.p);
		sb_add(&c->pending, data.p + before + tl, data.len - before - tl);
		log_chunk(p, c, data.p, before);
		toggle_capture(p, c);
		sb_free(&data);
		if (!c->pending.len)
			return;
	}
}

static void
channel_reset_capture(struct channel *c)
{
	c->capturing = false;
	sb_free(&c->pending);
	sb_free(&c->capture);
}

/* Read what is there; returns bytes read, 0 at EOF (channel closed), -1
 * when nothing more is available now. */
static ssize_t
channel_read(struct process *p, struct channel *c)
{
	static char buf[READ_CHUNK];
	ssize_t n = read(c->fd, buf, sizeof buf);
	if (n > 0) {
		channel_write(p, c, buf, (size_t)n);
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	log_debug("fd %d closed, stopped monitoring %s", c->fd, c == &p->out ? "stdout" : "stderr");
	channel_close(p, c);
	return 0;
}

static void
on_output(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)events;
	struct process *p = data;
	struct channel *c = p->out.fd == fd ? &p->out : &p->err;
	channel_read(p, c);
}

static void
drain(struct process *p, struct channel *c)
{
	size_t total = 0;
	while (c->fd >= 0 && total < DRAIN_LIMIT) {
		ssize_t n = channel_read(p, c);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

static int
channel_open_log(struct channel *c, const struct stream_config *sc)
{
	if (!c->path)
		return 0;
	if (rotfile_open(&c->log, c->path, sc->logfile_maxbytes, sc->logfile_backups) < 0)
		return -1;
	c->has_log = true;
	return 0;
}

static void
channel_close_log(struct channel *c)
{
	if (c->has_log)
		rotfile_close(&c->log);
	c->has_log = false;
}

/* ---- spawning ---- */

/* The child's environment: the daemon's own, SUPERVISOR_*, then the
 * configured one. It depends only on the config, so it is built once per
 * process and kept (spawning 1,000 programs rebuilt it 1,000 times). */
static char *const *
child_environment(struct process *p)
{
	if (p->envp)
		return p->envp;
	struct kvlist env = {0};
	size_t n = 0;
	for (char **e = p->sv->environ; *e; e++)
		n++;
	/* the daemon's environment has unique names: no lookups needed */
	env.keys = xcalloc(n + 1, sizeof(char *));
	env.vals = xcalloc(n + 1, sizeof(char *));
	env.cap = n + 1;
	for (char **e = p->sv->environ; *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		env.keys[env.n] = xstrndup(*e, (size_t)(eq - *e));
		env.vals[env.n++] = xstrdup(eq + 1);
	}
	kv_set(&env, "SUPERVISOR_ENABLED", "1");
	const char *url = p->cfg->serverurl ? p->cfg->serverurl : p->sv->cfg->serverurl;
	if (url)
		kv_set(&env, "SUPERVISOR_SERVER_URL", url);
	kv_set(&env, "SUPERVISOR_PROCESS_NAME", p->cfg->name);
	kv_set(&env, "SUPERVISOR_GROUP_NAME", p->group->cfg->name);
	kv_copy(&env, &p->cfg->environment);
	p->envp = xcalloc(env.n + 1, sizeof(char *));
	for (size_t i = 0; i < env.n; i++)
		p->envp[i] = xasprintf("%s=%s", env.keys[i], env.vals[i]);
	kv_free(&env);
	return p->envp;
}

static void
free_envp(char **envp)
{
	for (char **e = envp; e && *e; e++)
		free(*e);
	free(envp);
}

static const char *
errno_code(int e)
{
	switch (e) {
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	default: return strerror(e);
	}
}

/* The three pipes; our ends non-blocking and close-on-exec. With
 * shared_stdin >= 0 (an fcgi socket) the child gets it as stdin and
 * there is no stdin pipe. */
static int
make_pipes(struct process *p, int shared_stdin, int child[3], int ours[3])
{
	bool want_err = !p->cfg->redirect_stderr || p->group->cfg->kind == GROUP_EVENTLISTENER;
	int fds[3][2] = {{shared_stdin, -1}, {-1, -1}, {-1, -1}};
	for (int i = 0; i < 3; i++) {
		if (i == 2 && !want_err)
			break;
		if (i == 0 && shared_stdin >= 0)
			continue;
		if (pipe2(fds[i], O_CLOEXEC) < 0) {
			int e = errno;
			for (int j = shared_stdin >= 0; j < i; j++) {
				close(fds[j][0]);
				close(fds[j][1]);
			}
			errno = e;
			return -1;
		}
	}
	child[0] = fds[0][0], ours[0] = fds[0][1];
	child[1] = fds[1][1], ours[1] = fds[1][0];
	child[2] = want_err ? fds[2][1] : fds[1][1];
	ours[2] = want_err ? fds[2][0] : -1;
	for (int i = 0; i < 3; i++)
		if (ours[i] >= 0)
			fcntl(ours[i], F_SETFL, fcntl(ours[i], F_GETFL) | O_NONBLOCK);
	return 0;
}

static void
spawn_failed(struct process *p, char *msg)
{
	log_info("spawnerr: %s", msg);
	set_spawnerr(p, msg);
	change_state(p, PS_BACKOFF);
}

/* fcgi-program: take a reference to the group's socket; its fd becomes
 * the child's stdin. -1 (not fcgi) or the fd; -2 when the socket cannot
 * be created (p is in BACKOFF then). */
static int
fcgi_acquire(struct process *p)
{
	if (!p->group->fcgi)
		return -1;
	char *err = NULL;
	int fd = fcgi_socket_acquire(p->group->fcgi, &err);
	if (fd < 0) {
		spawn_failed(p, err);
		return -2;
	}
	p->fcgi_held = true;
	return fd;
}

/* Give p's socket reference back. The caller has cleared fcgi_held
 * before the state changes that precede this (they may spawn p again,
 * which takes a new reference). */
static void
fcgi_release(struct process *p, bool held)
{
	if (held)
		fcgi_socket_release(p->group->fcgi);
}

/* spawn_failed once the socket is taken: it is given back after the
 * spawnerr line, as Supervisor does. */
static void
spawn_abort(struct process *p, char *msg)
{
	bool held = p->fcgi_held;
	p->fcgi_held = false;
	spawn_failed(p, msg);
	fcgi_release(p, held);
}

static void
spawn(struct process *p)
{
	const char *name = p->cfg->name;
	if (p->pid) {
		log_warn("process '%s' already running", name);
		return;
	}
	p->killing = false;
	set_spawnerr(p, NULL);
	p->exitstatus = 0;
	p->laststart_ms = loop_update_time(L(p));
	p->laststart = time(NULL);
	p->spawned_once = true;
	change_state(p, PS_STARTING);

	/* Supervisor takes the socket first: a failing spawn creates and
	 * closes it (with both log lines) */
	int sock = fcgi_acquire(p);
	if (sock == -2)
		return;
	struct strv argv = {0};
	char *filename = NULL, *msg = NULL;
	if (command_resolve(p->cfg->command, &p->cfg->environment, &argv, &filename, &msg) != CMD_OK) {
		strv_free(&argv);
		spawn_abort(p, msg);
		return;
	}
	int child[3], ours[3];
	if (make_pipes(p, sock, child, ours) < 0) {
		int e = errno;
		strv_free(&argv);
		free(filename);
		spawn_abort(p, e == EMFILE ? xasprintf("too many open files to spawn '%s'", name)
					   : xasprintf("unknown error making dispatchers for '%s': %s", name, errno_code(e)));
		return;
	}
	if (channel_open_log(&p->out, &p->cfg->out) < 0 || channel_open_log(&p->err, &p->cfg->err) < 0)
		log_error("could not open log file for '%s': %s", name, strerror(errno));
	strv_push(&argv, NULL);
	struct child_setup cs = {
		.filename = filename, .argv = argv.v, .envp = child_environment(p),
		.stdin_fd = child[0], .stdout_fd = child[1], .stderr_fd = child[2],
		.directory = p->cfg->directory, .umask = p->cfg->umask,
		.has_uid = p->cfg->has_uid, .uid = p->cfg->uid,
	};
	/* vfork: the child only makes system calls before exec, and copying
	 * the page and fd tables of a daemon with thousands of pipes is what
	 * fork() would cost. Dropping privileges reads /etc/group, which is not
	 * safe in a vfork child, so that case forks. */
	pid_t pid = p->cfg->has_uid ? fork() : vfork();
	if (pid == 0) {
		loop_unblock_signals_for_child(L(p));
		child_exec(&cs);
	}
	int fork_errno = errno;
	free(filename);
	argv.n--; /* the NULL terminator is not an owned string */
	strv_free(&argv);
	if (!p->fcgi_held) /* the fcgi socket stays open for the next spawns */
		close(child[0]);
	close(child[1]);
	if (child[2] != child[1])
		close(child[2]);
	if (pid < 0) {
		for (int i = 0; i < 3; i++)
			if (ours[i] >= 0)
				close(ours[i]);
		channel_close_log(&p->out);
		channel_close_log(&p->err);
		spawn_abort(p, fork_errno == EAGAIN
				       ? xasprintf("Too many processes in process table to spawn '%s'", name)
				       : xasprintf("unknown error during fork for '%s': %s", name, errno_code(fork_errno)));
		return;
	}
	p->pid = pid;
	pid_table_set(p->sv, pid, p);
	channel_reset_capture(&p->out);
	channel_reset_capture(&p->err);
	if (p->listener)
		listener_spawned(p);
	p->stdin_fd = ours[0];
	p->out.fd = ours[1];
	p->err.fd = ours[2];
	loop_add_fd(L(p), p->out.fd, EPOLLIN, on_output, p);
	if (p->err.fd >= 0)
		loop_add_fd(L(p), p->err.fd, EPOLLIN, on_output, p);
	log_info("spawned: '%s' with pid %d", name, (int)pid);
	timer_arm(L(p), &p->timer, p->laststart_ms + secs_ms(p->cfg->startsecs));
}

/* ---- stopping ---- */

/* Send sig to the process (or its group); STARTING/RUNNING/STOPPING ->
 * STOPPING with a new stopwaitsecs deadline. */
static void
kill_process(struct process *p, int sig)
{
	bool as_group = p->state == PS_STOPPING ? p->cfg->killasgroup : p->cfg->stopasgroup;
	log_debug("killing %s (pid %d) %swith signal %s", p->cfg->name, (int)p->pid,
		  as_group ? "process group " : "", signame(sig));
	p->killing = true;
	change_state(p, PS_STOPPING);
	/* a SIGKILL is repeated after stopwaitsecs, but at most once a second
	 * (Supervisor's pace with stopwaitsecs=0: one per loop turn) */
	long long wait = p->cfg->stopwaitsecs;
	if (sig == SIGKILL && wait < 1)
		wait = 1;
	timer_arm(L(p), &p->timer, loop_now(L(p)) + secs_ms(wait));
	if (kill(as_group ? -p->pid : p->pid, sig) < 0) {
		if (errno == ESRCH) {
			log_debug("unable to signal %s (pid %d), it probably just exited on its own: %s",
				  p->cfg->name, (int)p->pid, strerror(errno));
			return;
		}
		log_crit("unknown problem killing %s (%d):%s", p->cfg->name, (int)p->pid, strerror(errno));
		timer_cancel(L(p), &p->timer);
		change_state(p, PS_UNKNOWN);
		p->killing = false;
	}
}

static void
give_up(struct process *p)
{
	p->backoff = 0;
	timer_cancel(L(p), &p->timer);
	change_state(p, PS_FATAL);
}

/* ---- the state machine: state x event -> action ---- */

typedef int action(struct process *p, const char **msg);

static int
act_spawn(struct process *p, const char **msg)
{
	(void)msg;
	spawn(p);
	return 0;
}

static int
act_nop(struct process *p, const char **msg)
{
	(void)p;
	(void)msg;
	return 0;
}

static int
act_refuse(struct process *p, const char **msg)
{
	(void)p;
	*msg = NULL;
	return -1;
}

static int
act_stop(struct process *p, const char **msg)
{
	(void)msg;
	kill_process(p, p->cfg->stopsignal);
	return 0;
}

static int
act_stop_backoff(struct process *p, const char **msg)
{
	(void)msg;
	log_debug("Attempted to kill %s, which is in BACKOFF state.", p->cfg->name);
	timer_cancel(L(p), &p->timer);
	change_state(p, PS_STOPPED);
	return 0;
}

static int
act_stop_not_running(struct process *p, const char **msg)
{
	static char buf[512];
	snprintf(buf, sizeof buf, "attempted to kill %s with sig %s but it wasn't running", p->cfg->name,
		 signame(p->cfg->stopsignal));
	log_debug("%s", buf);
	*msg = buf;
	return -1;
}

static int
act_started(struct process *p, const char **msg)
{
	(void)msg;
	p->backoff = 0;
	change_state(p, PS_RUNNING);
	log_info("success: %s entered RUNNING state, process has stayed up for > than %lld seconds (startsecs)",
		 p->cfg->name, p->cfg->startsecs);
	return 0;
}

static int
act_backoff_timer(struct process *p, const char **msg)
{
	(void)msg;
	if (p->sv->mood < MOOD_RUNNING)
		return 0;
	if (p->backoff > p->cfg->startretries) {
		log_info("gave up: %s entered FATAL state, too many start retries too quickly", p->cfg->name);
		give_up(p);
	} else {
		spawn(p);
	}
	return 0;
}

static int
act_stopwait_expired(struct process *p, const char **msg)
{
	(void)msg;
	log_warn("killing '%s' (%d) with SIGKILL", p->cfg->name, (int)p->pid);
	kill_process(p, SIGKILL);
	return 0;
}

static int
act_autorestart(struct process *p, const char **msg)
{
	(void)msg;
	if (p->sv->mood < MOOD_RUNNING)
		return 0;
	p->last_autorespawn_ms = loop_now(L(p));
	spawn(p);
	return 0;
}

/*                          START           STOP                  TIMER */
static action *const machine[8][EV_COUNT] = {
	/* STOPPED  */ {act_spawn,   act_stop_not_running, act_nop},
	/* STARTING */ {act_refuse,  act_stop,             act_started},
	/* RUNNING  */ {act_refuse,  act_stop,             act_nop},
	/* BACKOFF  */ {act_spawn,   act_stop_backoff,     act_backoff_timer},
	/* STOPPING */ {act_spawn,   act_nop,              act_stopwait_expired},
	/* EXITED   */ {act_spawn,   act_stop_not_running, act_autorestart},
	/* FATAL    */ {act_spawn,   act_stop_not_running, act_nop},
	/* UNKNOWN  */ {act_refuse,  act_stop_not_running, act_nop},
};

static int
dispatch(struct process *p, enum pevent ev, const char **msg)
{
	const char *ignored;
	return machine[state_index(p->state)][ev](p, msg ? msg : &ignored);
}

static void
on_timer(struct loop *l, void *data)
{
	(void)l;
	dispatch(data, EV_TIMER, NULL);
}

int process_start(struct process *p) { return dispatch(p, EV_START, NULL); }

void
process_check_started(struct process *p)
{
	if (p->state == PS_STARTING && timer_armed(&p->timer) && p->timer.deadline <= loop_update_time(L(p))) {
		timer_cancel(L(p), &p->timer);
		dispatch(p, EV_TIMER, NULL);
	}
}
int process_stop(struct process *p, const char **msg) { return dispatch(p, EV_STOP, msg); }

void
process_stop_for_shutdown(struct process *p)
{
	if (p->state == PS_RUNNING || p->state == PS_STARTING)
		kill_process(p, p->cfg->stopsignal);
	else if (p->state == PS_BACKOFF)
		give_up(p);
}

void
process_autostart(struct process *p)
{
	if (p->state == PS_STOPPED && !p->spawned_once && p->cfg->autostart && p->sv->mood == MOOD_RUNNING)
		spawn(p);
}

static bool
exit_expected(struct process *p, int es)
{
	for (int i = 0; i < p->cfg->exitcodes.n; i++)
		if (p->cfg->exitcodes.codes[i] == es)
			return true;
	return false;
}

/* Entering BACKOFF (from spawn failures or quick exits) sets the retry
 * deadline: backoff seconds from now, or at once when it is time to give up. */
static void
arm_for_state(struct process *p)
{
	struct loop *l = L(p);
	if (p->state == PS_BACKOFF) {
		int64_t wait = p->backoff > p->cfg->startretries ? 0 : (int64_t)p->backoff * 1000;
		timer_arm(l, &p->timer, loop_now(l) + wait);
	} else if (p->state == PS_EXITED) {
		bool restart = p->cfg->autorestart == AUTORESTART_ALWAYS ||
			       (p->cfg->autorestart == AUTORESTART_UNEXPECTED && !exit_expected(p, p->exitstatus));
		if (!restart)
			return;
		int64_t next = p->last_autorespawn_ms + RESPAWN_INTERVAL_MS;
		int64_t now = loop_now(l);
		timer_arm(l, &p->timer, p->last_autorespawn_ms && next > now ? next : now);
	}
}

/* ---- exit handling ---- */

void
process_reaped(struct process *p, int status)
{
	drain(p, &p->out);
	drain(p, &p->err);
	int64_t now = loop_update_time(L(p));
	p->laststop = time(NULL);
	int es = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	bool expected = exit_expected(p, es);
	bool too_quickly = now - p->laststart_ms < secs_ms(p->cfg->startsecs);
	char *desc = describe_exit(status);
	const char *name = p->cfg->name;
	timer_cancel(L(p), &p->timer);
	pid_table_del(p->sv, p->pid);
	p->exit_pid = p->pid; /* the state events carry the old pid */
	p->exit_expected = expected;
	p->pid = 0;
	bool held = p->fcgi_held;
	p->fcgi_held = false;
	channel_close(p, &p->out);
	channel_close(p, &p->err);
	channel_close_log(&p->out);
	channel_close_log(&p->err);
	close_stdin(p);
	if (p->killing || p->state == PS_STOPPING) {
		p->killing = false;
		p->exitstatus = es;
		change_state(p, PS_STOPPED);
		if (expected)
			log_info("stopped: %s (%s)", name, desc);
		else
			log_warn("stopped: %s (%s)", name, desc);
	} else if (too_quickly && p->state == PS_STARTING) {
		p->exitstatus = 0;
		set_spawnerr(p, xstrdup("Exited too quickly (process log may have details)"));
		change_state(p, PS_BACKOFF);
		log_warn("exited: %s (%s; not expected)", name, desc);
	} else {
		p->backoff = 0;
		p->exitstatus = es;
		if (p->state == PS_STARTING)
			change_state(p, PS_RUNNING);
		if (!expected)
			set_spawnerr(p, xasprintf("Bad exit code %d", es));
		/* expected or not is needed by the EXITED event and autorestart */
		change_state(p, PS_EXITED);
		if (expected)
			log_info("exited: %s (%s; expected)", name, desc);
		else
			log_warn("exited: %s (%s; not expected)", name, desc);
	}
	p->exit_pid = 0;
	free(desc);
	/* after the exit is logged, as Supervisor drops it in finish() */
	fcgi_release(p, held);
	if (p->listener)
		listener_reaped(p);
}

static void
close_stdin(struct process *p)
{
	if (p->stdin_fd >= 0) {
		loop_del_fd(L(p), p->stdin_fd);
		close(p->stdin_fd);
		p->stdin_fd = -1;
	}
	sb_free(&p->stdin_buf);
}

/* Write as much of the stdin buffer as the pipe takes. */
static int
flush_stdin(struct process *p)
{
	while (p->stdin_buf.len) {
		ssize_t n = write(p->stdin_fd, p->stdin_buf.p, p->stdin_buf.len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			close_stdin(p); /* EPIPE: the child closed its end */
			return -1;
		}
		memmove(p->stdin_buf.p, p->stdin_buf.p + n, p->stdin_buf.len - (size_t)n);
		p->stdin_buf.len -= (size_t)n;
	}
	/* watch for room only while something is waiting */
	loop_del_fd(L(p), p->stdin_fd);
	if (p->stdin_buf.len)
		loop_add_fd(L(p), p->stdin_fd, EPOLLOUT, on_stdin_writable, p);
	return 0;
}

static void
on_stdin_writable(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	flush_stdin(data);
}

int
process_send_stdin(struct process *p, const char *data, size_t len)
{
	if (p->stdin_fd < 0)
		return -1;
	sb_add(&p->stdin_buf, data, len);
	return flush_stdin(p);
}

int
process_clear_logs(struct process *p)
{
	/* Supervisor's quirk: only the open log files, i.e. while it runs */
	int rc = 0;
	if (p->out.has_log && rotfile_clear(&p->out.log) < 0)
		rc = -1;
	if (p->err.has_log && rotfile_clear(&p->err.log) < 0)
		rc = -1;
	return rc;
}

void
process_reopen_logs(struct process *p)
{
	if (p->out.has_log)
		rotfile_reopen(&p->out.log);
	if (p->err.has_log)
		rotfile_reopen(&p->err.log);
}

/* ---- setup ---- */

/* <name>-<channel>---<identifier>-<8 random chars>.log, created 0600, as
 * Python's mkstemp makes them (its alphabet: a-z 0-9 _). */
static char *
auto_log_name(struct process *p, const char *channel)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	const struct supervisord_config *sd = &p->sv->cfg->sd;
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[8];
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			break;
		char suffix[9];
		for (int i = 0; i < 8; i++)
			suffix[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
		suffix[8] = '\0';
		char *path = xasprintf("%s/%s-%s---%s-%s.log", sd->childlogdir, p->cfg->name, channel, sd->identifier, suffix);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			return path;
		}
		free(path);
		if (errno != EEXIST)
			break;
	}
	log_error("could not create AUTO log file in %s: %s", sd->childlogdir, strerror(errno));
	return NULL;
}

static char *
log_path_for(struct process *p, const struct stream_config *sc, const char *channel)
{
	switch (sc->dest) {
	case LOGDEST_AUTO: return auto_log_name(p, channel);
	case LOGDEST_FILE: return xstrdup(sc->logfile);
	default: return NULL;
	}
}

void
process_init(struct process *p, struct supervisor *sv, struct procgroup *g, struct process_config *cfg)
{
	*p = (struct process){.sv = sv, .group = g, .cfg = cfg, .state = PS_STOPPED, .stdin_fd = -1};
	p->out = (struct channel){.fd = -1};
	p->err = (struct channel){.fd = -1};
	timer_init(&p->timer, on_timer, p);
	timer_init(&p->report, NULL, p);
	if (g->cfg->kind == GROUP_EVENTLISTENER)
		listener_init(p);
	p->out.path = log_path_for(p, &cfg->out, "stdout");
	p->err.path = log_path_for(p, &cfg->err, "stderr");
}

void
process_destroy(struct process *p)
{
	timer_cancel(L(p), &p->timer);
	if (p->pid)
		pid_table_del(p->sv, p->pid);
	channel_close(p, &p->out);
	channel_close(p, &p->err);
	channel_close_log(&p->out);
	channel_close_log(&p->err);
	close_stdin(p);
	fcgi_release(p, p->fcgi_held);
	p->fcgi_held = false;
	for (int i = 0; i < 4; i++) {
		rv_unref(p->rpc_strings[i]);
		p->rpc_strings[i] = NULL;
	}
	free_envp(p->envp);
	free(p->out.path);
	free(p->err.path);
	channel_reset_capture(&p->out);
	channel_reset_capture(&p->err);
	listener_destroy(p);
	free(p->spawnerr);
}
