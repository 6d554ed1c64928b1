/* ctl plugins: the built-in default commands, then every [ctlplugin:NAME]
 * (a .so checked like the daemon's RPC plugins before any of its code
 * runs), and the function table they are given. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "config.h"
#include "ctl.h"
#include "plugin_load.h"
#include "rpcvalue.h"

#ifndef PLUGINDIR
#define PLUGINDIR "/usr/local/lib/csupervisor/plugins"
#endif

/* The default commands, compiled with -DSUP_BUILTIN. */
const struct sup_plugin_info *sup_builtin_defaultctl(void);

/* The pointer built-in plugins use; a .so has its own. */
const struct sup_api *sup_api_ = &ctl_api;

static struct plugin_list loaded;

static const struct kvlist no_keys;

/* Drop the commands p registered (a failed init). */
static void
drop_commands(struct sup_plugin *p)
{
	struct sup_ctl *ctl = p->host;
	size_t k = 0;
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (ctl->cmds[i].owner != p)
			ctl->cmds[k++] = ctl->cmds[i];
	ctl->ncmds = k;
}

static char *
load_one(struct sup_ctl *ctl, const char *name, const char *section, const char *factory, const struct kvlist *keys)
{
	struct sup_plugin *p = plugin_new(name, section, keys);
	p->host = ctl;
	char *err;
	if (!factory) {
		p->path = xstrdup("(built-in default)");
		err = plugin_check_info(p, sup_builtin_defaultctl(), SUP_KIND_CTL);
	} else if (strchr(factory, ':') && factory[0] != '/') {
		/* a Python module:callable */
		p->path = xstrdup(factory);
		err = xasprintf("%s cannot be resolved within [%s]", factory, section);
	} else {
		plugin_set_path(p, factory, PLUGINDIR);
		err = plugin_open(p, SUP_KIND_CTL);
	}
	if (!err)
		err = plugin_init(p, &ctl_api, drop_commands);
	if (err) {
		plugin_free(p, true);
		return err;
	}
	plugin_list_add(&loaded, p);
	return NULL;
}

int
ctl_plugins_load(struct sup_ctl *ctl, const struct config *cfg, char **err)
{
	if ((*err = load_one(ctl, "default", "built-in default", NULL, &no_keys)))
		return -1;
	for (int i = 0; cfg && i < cfg->nplugins; i++) {
		const struct plugin_config *pc = &cfg->plugins[i];
		if (pc->kind != PLUGIN_CTL)
			continue;
		if ((*err = load_one(ctl, pc->name, pc->section, pc->factory, &pc->extras)))
			return -1;
	}
	return 0;
}

void
ctl_plugins_unload(struct sup_ctl *ctl)
{
	plugin_list_unload(&loaded);
	free(ctl->cmds);
	ctl->cmds = NULL;
	ctl->ncmds = 0;
}

/* ---- help ---------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Python's cmd.Cmd.columnize(list, 79). */
static void
columnize(struct sup_ctl *ctl, const char **list, size_t size, size_t width)
{
	if (size == 0) {
		ctl_output(ctl, "<empty>");
		return;
	}
	if (size == 1) {
		ctl_output(ctl, "%s", list[0]);
		return;
	}
	size_t nrows = 0, ncols = 1;
	size_t *colwidths = xcalloc(size, sizeof(*colwidths));
	bool fits = false;
	for (nrows = 1; nrows < size; nrows++) {
		ncols = (size + nrows - 1) / nrows;
		long totwidth = -2;
		for (size_t col = 0; col < ncols; col++) {
			size_t cw = 0;
			for (size_t row = 0; row < nrows; row++) {
				size_t i = row + nrows * col;
				if (i >= size)
					break;
				size_t l = strlen(list[i]);
				if (l > cw)
					cw = l;
			}
			colwidths[col] = cw;
			totwidth += (long)cw + 2;
			if (totwidth > (long)width)
				break;
		}
		if (totwidth <= (long)width) {
			fits = true;
			break;
		}
	}
	if (!fits) {
		nrows = size;
		ncols = 1;
		colwidths[0] = 0;
	}
	for (size_t row = 0; row < nrows; row++) {
		size_t last = 0; /* trailing empty cells are dropped */
		for (size_t col = 0; col < ncols; col++)
			if (row + nrows * col < size)
				last = col + 1;
		struct strbuf sb = {0};
		sb_adds(&sb, "");
		for (size_t col = 0; col < last; col++) {
			const char *x = list[row + nrows * col];
			if (col)
				sb_adds(&sb, "  ");
			sb_addf(&sb, "%-*s", (int)colwidths[col], x);
		}
		ctl_output(ctl, "%s", sb.p);
		sb_free(&sb);
	}
	free(colwidths);
}

static void
help_topics(struct sup_ctl *ctl, struct sup_plugin *p)
{
	ctl_output(ctl, "%s", "");
	const char **names = xcalloc(ctl->ncmds + 1, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (ctl->cmds[i].owner == p && (ctl->cmds[i].c.help || ctl->cmds[i].c.usage))
			names[n++] = ctl->cmds[i].c.name;
	if (n) {
		qsort(names, n, sizeof(*names), cmp_str);
		char *header = xasprintf("%s commands (type help <topic>):", p->name);
		ctl_output(ctl, "%s", header);
		char *ruler = xcalloc(strlen(header) + 1, 1);
		memset(ruler, '=', strlen(header));
		ctl_output(ctl, "%s", ruler);
		columnize(ctl, names, n, 79);
		ctl_output(ctl, "%s", "");
		free(ruler);
		free(header);
	}
	free(names);
}

void
ctl_help(struct sup_ctl *ctl, const char *arg)
{
	char *copy = xstrdup(arg ? arg : "");
	char *topic = py_strip(copy);
	if (streq(topic, "help")) {
		ctl_output(ctl, "help\t\tPrint a list of available actions");
		ctl_output(ctl, "help <action>\tPrint help for <action>");
		free(copy);
		return;
	}
	for (int k = 0; k < loaded.n; k++) {
		struct sup_plugin *p = loaded.v[k];
		if (!*topic) {
			help_topics(ctl, p);
			continue;
		}
		const struct ctl_command *c = ctl_find(ctl, topic);
		const char *text = c && c->owner == p ? (c->c.help ? c->c.help : c->c.usage) : NULL;
		if (text)
			ctl_output(ctl, "%s", text);
		else
			ctl_output(ctl, "*** No help on %s", topic);
	}
	free(copy);
}

/* ---- the table: instance and values ---------------------------------------- */

static void
api_vlog(sup_plugin *p, int level, const char *fmt, va_list ap)
{
	(void)level;
	char *msg = xvasprintf(fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", p ? p->name : "plugin", msg);
	free(msg);
}

/* ---- the daemon's part: not available in supervisorctl ---- */

static int
no_daemon(void)
{
	errno = ENOTSUP;
	return SUP_ERR;
}

static int n_rpc_methods(sup_plugin *p, const struct sup_method *m, size_t n, size_t e, void *ud)
{ (void)p, (void)m, (void)n, (void)e, (void)ud; return no_daemon(); }
static int n_rpc_typed(sup_plugin *p, const struct sup_typed_method *m, size_t n, size_t e, void *ud)
{ (void)p, (void)m, (void)n, (void)e, (void)ud; return no_daemon(); }
static int n_reply(sup_call *c, sup_value *v) { (void)c; rv_unref(v); return no_daemon(); }
static int n_vfault(sup_call *c, int code, const char *f, va_list ap) { (void)c, (void)code, (void)f, (void)ap; return no_daemon(); }
static int n_defer(sup_call *c, sup_cancel_fn f, void *ud) { (void)c, (void)f, (void)ud; return no_daemon(); }
static const char *n_call_peer(sup_call *c) { (void)c; return NULL; }
static int n_timer_add(sup_plugin *p, unsigned ms, void (*cb)(void *), void *ud, uint64_t *id)
{ (void)p, (void)ms, (void)cb, (void)ud, (void)id; return no_daemon(); }
static int n_timer_del(sup_plugin *p, uint64_t id) { (void)p, (void)id; return no_daemon(); }
static int n_subscribe(sup_plugin *p, const char *t, sup_event_fn cb, void *ud) { (void)p, (void)t, (void)cb, (void)ud; return no_daemon(); }
static sup_value *n_proc_list(void) { errno = ENOTSUP; return NULL; }
static sup_value *n_proc_info(const char *n) { (void)n; errno = ENOTSUP; return NULL; }
static int n_proc_start(const char *n, bool w, sup_done_fn d, void *ud) { (void)n, (void)w, (void)d, (void)ud; return no_daemon(); }
static int n_proc_signal(const char *n, int s, const char **d) { (void)n, (void)s, (void)d; return no_daemon(); }
static int n_proc_stdin(const char *n, const char *data, size_t l, const char **d) { (void)n, (void)data, (void)l, (void)d; return no_daemon(); }
static int n_proc_clear(const char *n, const char **d) { (void)n, (void)d; return no_daemon(); }
static char *n_log_path(const char *n, const char *c, int *f) { (void)n, (void)c, (void)f; errno = ENOTSUP; return NULL; }
static int n_main_log_clear(const char **d) { (void)d; return no_daemon(); }
static int n_int(void) { return -1; }
static const char *n_ident(void) { return NULL; }
static void n_void(void) {}
static sup_value *n_reread(const char **d) { (void)d; errno = ENOTSUP; return NULL; }
static sup_value *n_value(void) { errno = ENOTSUP; return NULL; }
static int n_remote_comm(const char *t, const char *d, size_t l) { (void)t, (void)d, (void)l; return no_daemon(); }
static int n_fd_watch(sup_plugin *p, int fd, int ev, sup_fd_fn cb, void *ud)
{ (void)p, (void)fd, (void)ev, (void)cb, (void)ud; return no_daemon(); }
static int n_fd_unwatch(sup_plugin *p, int fd) { (void)p, (void)fd; return no_daemon(); }
static void *n_call_ud(sup_call *c) { (void)c; errno = ENOTSUP; return NULL; }

/* ---- the controller's part ------------------------------------------------ */

static bool
valid_command_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int
api_ctl_commands(sup_plugin *p, const struct sup_command *c, size_t n, size_t elem_size, void *ud)
{
	if (!p->in_init) {
		errno = EBUSY;
		return SUP_ERR;
	}
	struct sup_ctl *ctl = p->host;
	for (size_t i = 0; i < n; i++) {
		struct sup_command one = {0};
		memcpy(&one, (const char *)c + i * elem_size, elem_size < sizeof one ? elem_size : sizeof one);
		char *err = NULL;
		if (!valid_command_name(one.name) || !one.fn) {
			err = xasprintf("command name %s is not made of letters, digits and '_' (or it has no handler)",
					one.name ? pyrepr(one.name) : "NULL");
		} else if (streq(one.name, "help") || streq(one.name, "EOF")) {
			err = xasprintf("command '%s' is supervisorctl's own", one.name);
		} else {
			const struct ctl_command *old = ctl_find(ctl, one.name);
			if (old)
				err = xasprintf("command '%s' is already defined by plugin '%s'", one.name,
						old->owner == p ? p->name : old->owner->name);
		}
		if (err) {
			free(p->load_error);
			p->load_error = plugin_refuse(p, "%s", err);
			free(err);
			errno = EEXIST;
			return SUP_ERR;
		}
		ctl->cmds = xrealloc(ctl->cmds, (ctl->ncmds + 1) * sizeof(*ctl->cmds));
		ctl->cmds[ctl->ncmds++] = (struct ctl_command){one, ud, p};
	}
	return SUP_OK;
}

static void
api_ctl_vprintf(sup_ctl *ctl, int to_stderr, const char *fmt, va_list ap)
{
	(void)ctl;
	if (to_stderr) {
		fflush(stdout);
		vfprintf(stderr, fmt, ap);
	} else {
		vfprintf(stdout, fmt, ap);
	}
}

static int
api_ctl_call(sup_ctl *ctl, const char *method, sup_value *params, sup_value **result, const char **fault)
{
	if (result)
		*result = NULL;
	if (!ctl->rpc)
		ctl_reconnect(ctl);
	sup_value *res = NULL;
	int code = 0;
	const char *ftext = NULL;
	int rc = rpc_call(ctl->rpc, method, params, &res, &code, &ftext);
	int e = errno;
	rv_unref(params);
	ctl->auth_failed = false;
	if (rc == RPC_OK) {
		if (result)
			*result = res;
		else
			rv_unref(res);
		return 0;
	}
	if (rc == RPC_FAULT) {
		char *r = pyrepr(ftext);
		ctl_set_error(ctl, xasprintf("<class 'xmlrpc.client.Fault'>, <Fault %d: %s>", code, r));
		free(r);
		if (fault)
			*fault = ftext;
		if (code > 0)
			return code;
		errno = EPROTO;
		return SUP_ERR;
	}
	ctl_set_error(ctl, xstrdup(rpc_error(ctl->rpc)));
	ctl->auth_failed = rpc_http_status(ctl->rpc) == 401;
	errno = e;
	return SUP_ERR;
}

static int
api_ctl_upcheck(sup_ctl *ctl)
{
	sup_value *v = NULL;
	int rc = api_ctl_call(ctl, "supervisor.getVersion", NULL, &v, NULL);
	if (rc == 0) {
		bool ok = v && v->type == SUP_T_STRING && streq(v->u.str.s, "3.0");
		if (!ok) {
			char *shown = v && v->type == SUP_T_STRING ? xstrdup(v->u.str.s)
				      : v && v->type == SUP_T_INT ? xasprintf("%lld", (long long)v->u.i)
				      : v && v->type == SUP_T_BOOL ? xstrdup(v->u.b ? "True" : "False")
				      : v && v->type == SUP_T_DOUBLE ? xasprintf("%g", v->u.d)
								     : xstrdup("None");
			ctl_output(ctl, "Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, "
					"but the remote version is %s.", shown);
			free(shown);
			ctl->exitstatus = CTL_NOT_INSTALLED;
		}
		rv_unref(v);
		return ok ? 1 : 0;
	}
	if (rc == SUP_FAULT_UNKNOWN_METHOD) {
		ctl_output(ctl, "Sorry, supervisord responded but did not recognize the supervisor namespace commands "
				"that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] "
				"section is enabled in the configuration file (see sample.conf).");
		ctl->exitstatus = CTL_UNIMPLEMENTED_FEATURE;
		return 0;
	}
	if (rc > 0) {
		ctl->exitstatus = CTL_GENERIC;
		return SUP_ERR;
	}
	int e = errno;
	if (e == ECONNREFUSED && rpc_http_status(ctl->rpc) == 0) {
		ctl_output(ctl, "%s refused connection", ctl->serverurl);
		ctl->exitstatus = CTL_INSUFFICIENT_PRIVILEGES;
		return 0;
	}
	if (e == ENOENT && rpc_http_status(ctl->rpc) == 0) {
		ctl_output(ctl, "%s no such file", ctl->serverurl);
		ctl->exitstatus = CTL_NOT_RUNNING;
		return 0;
	}
	if (!ctl->auth_failed && e != EINTR)
		ctl->exitstatus = CTL_GENERIC;
	errno = e;
	return SUP_ERR;
}

static int api_ctl_get_status(sup_ctl *ctl) { return ctl->exitstatus; }
static void api_ctl_set_status(sup_ctl *ctl, int status) { ctl->exitstatus = status; }

static const char *
api_ctl_option(sup_ctl *ctl, const char *name)
{
	if (streq(name, "serverurl"))
		return ctl->serverurl;
	if (streq(name, "username"))
		return ctl->username;
	if (streq(name, "password"))
		return ctl->password;
	if (streq(name, "prompt"))
		return ctl->prompt;
	if (streq(name, "history_file"))
		return ctl->history_file;
	if (streq(name, "interactive"))
		return ctl->interactive ? "1" : "0";
	return NULL;
}

static int
api_ctl_set_serverurl(sup_ctl *ctl, const char *url)
{
	char *copy = xstrdup(url);
	free(ctl->serverurl);
	ctl->serverurl = copy;
	ctl_reconnect(ctl);
	return SUP_OK;
}

static char *
api_ctl_input(sup_ctl *ctl, const char *prompt)
{
	(void)ctl;
	return ctl_read_line(prompt, true);
}

struct line_ctx {
	sup_ctl *ctl;
	sup_line_fn fn;
	void *ud;
};

static int
line_thunk(const char *line, size_t len, void *ud)
{
	struct line_ctx *lc = ud;
	return lc->fn(lc->ctl, line, len, lc->ud);
}

static int
api_ctl_stream(sup_ctl *ctl, const char *const *paths, size_t n, sup_line_fn on_line, void *ud)
{
	fflush(stdout);
	int p[2];
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		p[0] = p[1] = -1;
	ctl_interrupted = 0;
	ctl_wake_fd = p[1];
	bool mine = !ctl->interactive || ctl->oneshot;
	ctl_sigint_install();
	struct line_ctx lc = {ctl, on_line, ud};
	int rc = rpc_stream(ctl->serverurl, ctl->username, ctl->password, paths, n, on_line ? line_thunk : NULL, &lc,
			    p[0], &ctl_interrupted);
	ctl_wake_fd = -1;
	if (mine)
		ctl_sigint_restore();
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	/* the stream took the Ctrl-C: the session goes on */
	ctl_interrupted = 0;
	return rc;
}

static void
api_ctl_match(sup_ctl *ctl, const char *candidate)
{
	strv_push(&ctl->matches, xstrdup(candidate));
}

static void
api_ctl_verror(sup_ctl *ctl, const char *fmt, va_list ap)
{
	ctl_set_error(ctl, xvasprintf(fmt, ap));
}

static int
api_ctl_run(sup_ctl *ctl, const char *line)
{
	return ctl_onecmd(ctl, line);
}

const struct sup_api ctl_api = {
	PLUGIN_API_SHARED,
	.vlog = api_vlog,
	.rpc_methods = n_rpc_methods,
	.rpc_typed = n_rpc_typed,
	.reply = n_reply,
	.vfault = n_vfault,
	.defer = n_defer,
	.call_peer = n_call_peer,
	.timer_add = n_timer_add,
	.timer_del = n_timer_del,
	.subscribe = n_subscribe,
	.proc_list = n_proc_list,
	.proc_info = n_proc_info,
	.proc_select = n_proc_info,
	.proc_start = n_proc_start,
	.proc_stop = n_proc_start,
	.proc_signal = n_proc_signal,
	.proc_stdin = n_proc_stdin,
	.proc_clear_logs = n_proc_clear,
	.log_path = n_log_path,
	.main_log_clear = n_main_log_clear,
	.daemon_state = n_int,
	.daemon_pid = n_int,
	.daemon_identifier = n_ident,
	.daemon_shutdown = n_void,
	.daemon_restart = n_void,
	.config_reread = n_reread,
	.config_info = n_value,
	.group_add = n_proc_clear,
	.group_remove = n_proc_clear,
	.ctl_commands = api_ctl_commands,
	.ctl_vprintf = api_ctl_vprintf,
	.ctl_call = api_ctl_call,
	.ctl_upcheck = api_ctl_upcheck,
	.ctl_get_status = api_ctl_get_status,
	.ctl_set_status = api_ctl_set_status,
	.ctl_option = api_ctl_option,
	.ctl_set_serverurl = api_ctl_set_serverurl,
	.ctl_input = api_ctl_input,
	.ctl_stream = api_ctl_stream,
	.ctl_match = api_ctl_match,
	.ctl_verror = api_ctl_verror,
	.ctl_run = api_ctl_run,
	.event_remote_comm = n_remote_comm,
	/* 1.1 */
	.fd_watch = n_fd_watch,
	.fd_unwatch = n_fd_unwatch,
	.call_ud = n_call_ud,
};
