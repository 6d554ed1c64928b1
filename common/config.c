#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <pwd.h>

#include "expand.h"
#include "util.h"

/* A loader run: the document, the names every option can use, and the
 * first error (Supervisor stops at the first). */
struct loader {
	struct config *cfg;
	struct xdict env;  /* ENV_* of the daemon's environment and [supervisord] environment= */
	char *nodename;
	char *err;
};

static const char *const event_types[] = {
	"EVENT", "PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED",
	"PROCESS_STATE_STARTING", "PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF",
	"PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING", "PROCESS_STATE_UNKNOWN",
	"PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
	"PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR",
	"SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING",
	"SUPERVISOR_STATE_CHANGE_STOPPING", "REMOTE_COMMUNICATION",
	"TICK", "TICK_5", "TICK_60", "TICK_3600",
	"PROCESS_GROUP", "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
};

/* The only Python entry points a C daemon can stand for. */
#define MAIN_RPC_FACTORY "supervisor.rpcinterface:make_main_rpcinterface"
#define DEFAULT_RESULT_HANDLER "supervisor.dispatchers:default_handler"

static int
set_err(struct loader *ld, char *msg)
{
	if (!ld->err)
		ld->err = msg;
	else
		free(msg);
	return -1;
}

static void
add_message(struct config *cfg, enum log_message_level level, char *text)
{
	cfg->messages = xrealloc(cfg->messages, (size_t)(cfg->nmessages + 1) * sizeof(*cfg->messages));
	cfg->messages[cfg->nmessages++] = (struct parse_message){level, text};
}

/* os.path.normpath(os.path.abspath(os.path.expanduser(v))) */
char *
normalize_path(const char *v)
{
	char *home = expand_user(v);
	struct strbuf full = {0};
	if (home[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof cwd))
			sb_adds(&full, cwd);
		sb_addc(&full, '/');
	}
	sb_adds(&full, home);
	free(home);
	struct strv parts = {0};
	char *save = NULL;
	for (char *tok = strtok_r(full.p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (streq(tok, "."))
			continue;
		if (streq(tok, "..")) {
			if (parts.n)
				free(parts.v[--parts.n]);
			continue;
		}
		strv_push(&parts, xstrdup(tok));
	}
	struct strbuf out = {0};
	for (size_t i = 0; i < parts.n; i++)
		sb_addf(&out, "/%s", parts.v[i]);
	if (!out.len)
		sb_addc(&out, '/');
	strv_free(&parts);
	sb_free(&full);
	return sb_steal(&out);
}

static char *
dirname_abs(const char *path)
{
	char *abs = normalize_path(path);
	char *slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else
		*slash = '\0';
	return abs;
}

/* tempfile.gettempdir(): the first usable of $TMPDIR $TEMP $TMP /tmp ... */
static char *
temp_dir(void)
{
	const char *cands[] = {getenv("TMPDIR"), getenv("TEMP"), getenv("TMP"), "/tmp", "/var/tmp", "/usr/tmp"};
	for (size_t i = 0; i < ARRAY_LEN(cands); i++) {
		struct stat st;
		if (cands[i] && *cands[i] && stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    access(cands[i], W_OK | X_OK) == 0)
			return normalize_path(cands[i]);
	}
	char cwd[PATH_MAX];
	return xstrdup(getcwd(cwd, sizeof cwd) ? cwd : "/");
}

/* ---- reading options ------------------------------------------------- */

/* saneget(): the raw value (own key, then [DEFAULT]) or def, expanded with
 * ENV_* plus extra, where "<section>.<option>". NULL when absent with no
 * default; sets ld->err on an expansion error (returns NULL then too). */
static char *
get_opt(struct loader *ld, const char *section, const char *opt, const char *def,
	const struct xdict *extra, bool do_expand)
{
	struct ini_section *sec = ini_find(&ld->cfg->ini, section);
	const char *raw = sec ? ini_get(&ld->cfg->ini, sec, opt) : NULL;
	if (!raw)
		raw = def;
	if (!raw)
		return NULL;
	if (!do_expand)
		return xstrdup(raw);
	/* the option's names first, then ENV_* (shared, not copied) */
	struct xdict local = {.parent = &ld->env};
	const struct xdict *d = &ld->env;
	if (extra && extra->parent == &ld->env)
		d = extra;
	else if (extra) {
		xdict_copy(&local, extra);
		d = &local;
	}
	char *where = xasprintf("%s.%s", section, opt);
	char *out = NULL, *err = NULL;
	if (expand(raw, d, where, &out, &err) < 0)
		set_err(ld, err);
	free(where);
	xdict_free(&local);
	return out;
}

static bool
has_opt(struct loader *ld, const char *section, const char *opt)
{
	struct ini_section *sec = ini_find(&ld->cfg->ini, section);
	return sec && ini_get(&ld->cfg->ini, sec, opt);
}

/* Typed getters: value (or default text) through a parser of values.h.
 * They return -1 with ld->err set on failure. */
#define TYPED_GETTER(fname, T, parser)                                                       \
	static int fname(struct loader *ld, const char *sec, const char *opt, const char *def, \
			 const struct xdict *x, T *out)                                        \
	{                                                                                      \
		char *v = get_opt(ld, sec, opt, def, x, true);                                 \
		if (!v)                                                                        \
			return -1;                                                             \
		char *err = NULL;                                                              \
		int rc = parser(v, out, &err);                                                 \
		free(v);                                                                       \
		return rc < 0 ? set_err(ld, err) : 0;                                          \
	}
TYPED_GETTER(get_int, int, parse_int_i)
TYPED_GETTER(get_ll, long long, parse_int)
TYPED_GETTER(get_bool, bool, parse_bool)
TYPED_GETTER(get_bytes, long long, parse_byte_size)
TYPED_GETTER(get_octal, int, parse_octal)
TYPED_GETTER(get_signal, int, parse_signal)
TYPED_GETTER(get_exitcodes, struct exitcodes, parse_exitcodes)
TYPED_GETTER(get_autorestart, enum autorestart, parse_autorestart)
TYPED_GETTER(get_loglevel, int, parse_loglevel)

/* ---- [supervisord] ----------------------------------------------------- */

static int
load_supervisord(struct loader *ld, const struct supervisord_overrides *ov)
{
	struct supervisord_config *sd = &ld->cfg->sd;
	struct xdict here = {0};
	xdict_set_str(&here, "here", ld->cfg->here);
	const char *S = "supervisord";
	char *err = NULL, *v = NULL;
	int rc = -1;

	if (get_int(ld, S, "minfds", "1024", &here, &sd->minfds) < 0 ||
	    get_int(ld, S, "minprocs", "200", &here, &sd->minprocs) < 0)
		goto out;
	if (has_opt(ld, S, "directory")) {
		if (!(v = get_opt(ld, S, "directory", NULL, &here, true)))
			goto out;
		if (parse_existing_directory(v, &sd->directory, &err) < 0) {
			set_err(ld, err);
			goto out;
		}
		free(v), v = NULL;
	}
	if (has_opt(ld, S, "user") && !(sd->user = get_opt(ld, S, "user", NULL, &here, true)))
		goto out;
	if (get_octal(ld, S, "umask", "022", &here, &sd->umask) < 0)
		goto out;
	if (!(v = get_opt(ld, S, "logfile", "supervisord.log", &here, true)))
		goto out;
	if (parse_existing_dirpath(v, &sd->logfile, &err) < 0) {
		set_err(ld, err);
		goto out;
	}
	free(v), v = NULL;
	if (get_bytes(ld, S, "logfile_maxbytes", "50MB", &here, &sd->logfile_maxbytes) < 0 ||
	    get_int(ld, S, "logfile_backups", "10", &here, &sd->logfile_backups) < 0 ||
	    get_loglevel(ld, S, "loglevel", "info", &here, &sd->loglevel) < 0)
		goto out;
	if (!(v = get_opt(ld, S, "pidfile", "supervisord.pid", &here, true)))
		goto out;
	if (parse_existing_dirpath(v, &sd->pidfile, &err) < 0) {
		set_err(ld, err);
		goto out;
	}
	free(v), v = NULL;
	if (!(sd->identifier = get_opt(ld, S, "identifier", "supervisor", &here, true)) ||
	    get_bool(ld, S, "nodaemon", "false", &here, &sd->nodaemon) < 0 ||
	    get_bool(ld, S, "silent", "false", &here, &sd->silent) < 0)
		goto out;
	char *tmp = temp_dir();
	v = get_opt(ld, S, "childlogdir", tmp, &here, true);
	free(tmp);
	if (!v)
		goto out;
	if (parse_existing_directory(v, &sd->childlogdir, &err) < 0) {
		set_err(ld, err);
		goto out;
	}
	free(v), v = NULL;
	if (get_bool(ld, S, "nocleanup", "false", &here, &sd->nocleanup) < 0 ||
	    get_bool(ld, S, "strip_ansi", "false", &here, &sd->strip_ansi) < 0)
		goto out;

	/* environment= is expanded twice, the second time with host_node_name */
	if (!(v = get_opt(ld, S, "environment", "", &here, true)))
		goto out;
	struct xdict d = {0};
	xdict_copy(&d, &here);
	xdict_set_str(&d, "host_node_name", ld->nodename);
	d.parent = &ld->env;
	char *env = NULL;
	int erc = expand(v, &d, "environment", &env, &err);
	xdict_free(&d);
	if (erc < 0) {
		set_err(ld, err);
		goto out;
	}
	erc = parse_env_pairs(env, &sd->environment, &err);
	free(env);
	if (erc < 0) {
		set_err(ld, err);
		goto out;
	}
	for (size_t i = 0; i < sd->environment.n; i++) {
		char *k = xasprintf("ENV_%s", sd->environment.keys[i]);
		xdict_set_str(&ld->env, k, sd->environment.vals[i]);
		free(k);
	}
	rc = 0;
	(void)ov;
out:
	free(v);
	xdict_free(&here);
	return rc;
}

/* ---- [rpcinterface:x] / [ctlplugin:x] ------------------------------------ */

static int
load_plugins(struct loader *ld, const char *prefix, const char *factory_key, enum plugin_kind kind)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++) {
		struct ini_section *sec = &ini->secs[i];
		if (!str_starts(sec->name, prefix))
			continue;
		char *factory = get_opt(ld, sec->name, factory_key, NULL, NULL, true);
		if (!factory) {
			if (!ld->err)
				set_err(ld, xasprintf("section [%s] does not specify a %s", sec->name, factory_key));
			return -1;
		}
		/* A Python module:callable other than Supervisor's own main
		 * interface cannot be loaded by a C daemon. */
		if (strchr(factory, ':') && !streq(factory, MAIN_RPC_FACTORY) && factory[0] != '/') {
			set_err(ld, xasprintf("%s cannot be resolved within [%s]", factory, sec->name));
			free(factory);
			return -1;
		}
		ld->cfg->plugins = xrealloc(ld->cfg->plugins, (size_t)(ld->cfg->nplugins + 1) * sizeof(*ld->cfg->plugins));
		struct plugin_config *pc = &ld->cfg->plugins[ld->cfg->nplugins++];
		*pc = (struct plugin_config){.kind = kind, .name = xstrdup(strchr(sec->name, ':') + 1),
					     .section = sec->name, .factory = factory};
		/* parser.options(): [DEFAULT]'s keys, then the section's own */
		struct ini_section *both[2] = {&ini->defaults, sec};
		for (int b = 0; b < 2; b++)
			for (size_t k = 0; k < both[b]->n; k++) {
				const char *key = both[b]->entries[k].key;
				if (streq(key, factory_key) || kv_get(&pc->extras, key))
					continue;
				char *val = get_opt(ld, sec->name, key, NULL, NULL, true);
				if (!val)
					return -1;
				kv_set(&pc->extras, key, val);
				free(val);
			}
	}
	return 0;
}

/* ---- processes ----------------------------------------------------------- */

static int
check_name(struct loader *ld, const char *v, char **out)
{
	char *err = NULL;
	if (parse_name(v, out, &err) < 0)
		return set_err(ld, err);
	return 0;
}

/* Options read once per section (program, fcgi-program, eventlistener). */
struct section_opts {
	long long priority, startsecs, startretries, stopwaitsecs;
	int stopsignal, numprocs, numprocs_start;
	bool autostart, stopasgroup, killasgroup, redirect_stderr;
	bool out_events, err_events;
	long long out_capture, err_capture;
	enum autorestart autorestart;
	struct exitcodes exitcodes;
	char *environment, *serverurl, *process_name;
	bool has_uid;
	uid_t uid;
	int umask;
};

static int
read_section_opts(struct loader *ld, const char *s, struct xdict *x, struct section_opts *o)
{
	char *err = NULL, *v;
	if (get_ll(ld, s, "priority", "999", x, &o->priority) < 0 ||
	    get_bool(ld, s, "autostart", "true", x, &o->autostart) < 0 ||
	    get_autorestart(ld, s, "autorestart", "unexpected", x, &o->autorestart) < 0 ||
	    get_ll(ld, s, "startsecs", "1", x, &o->startsecs) < 0 ||
	    get_ll(ld, s, "startretries", "3", x, &o->startretries) < 0 ||
	    get_signal(ld, s, "stopsignal", "TERM", x, &o->stopsignal) < 0 ||
	    get_ll(ld, s, "stopwaitsecs", "10", x, &o->stopwaitsecs) < 0 ||
	    get_bool(ld, s, "stopasgroup", "false", x, &o->stopasgroup) < 0)
		return -1;
	if (!has_opt(ld, s, "killasgroup"))
		o->killasgroup = o->stopasgroup; /* the default is stopasgroup's value */
	else if (get_bool(ld, s, "killasgroup", NULL, x, &o->killasgroup) < 0)
		return -1;
	if (get_exitcodes(ld, s, "exitcodes", "0", x, &o->exitcodes) < 0 ||
	    get_bool(ld, s, "redirect_stderr", "false", x, &o->redirect_stderr) < 0 ||
	    get_int(ld, s, "numprocs", "1", x, &o->numprocs) < 0 ||
	    get_int(ld, s, "numprocs_start", "0", x, &o->numprocs_start) < 0)
		return -1;
	o->environment = get_opt(ld, s, "environment", "", x, false);
	if (get_bytes(ld, s, "stdout_capture_maxbytes", "0", x, &o->out_capture) < 0 ||
	    get_bool(ld, s, "stdout_events_enabled", "false", x, &o->out_events) < 0 ||
	    get_bytes(ld, s, "stderr_capture_maxbytes", "0", x, &o->err_capture) < 0 ||
	    get_bool(ld, s, "stderr_events_enabled", "false", x, &o->err_events) < 0)
		return -1;
	if (has_opt(ld, s, "serverurl")) {
		if (!(o->serverurl = get_opt(ld, s, "serverurl", NULL, x, true)))
			return -1;
		char *t = strip(xstrdup(o->serverurl));
		if (strcasecmp(t, "AUTO") == 0) {
			free(o->serverurl);
			o->serverurl = NULL;
		}
		free(t);
	}
	if (has_opt(ld, s, "user")) {
		if (!(v = get_opt(ld, s, "user", NULL, x, true)))
			return -1;
		int rc = parse_uid(v, &o->uid, &err);
		free(v);
		if (rc < 0)
			return set_err(ld, err);
		o->has_uid = true;
	}
	o->umask = -1;
	if (has_opt(ld, s, "umask") && get_octal(ld, s, "umask", NULL, x, &o->umask) < 0)
		return -1;
	v = get_opt(ld, s, "process_name", "%(program_name)s", x, false);
	int rc = check_name(ld, v, &o->process_name);
	free(v);
	if (rc < 0)
		return -1;
	if (o->numprocs > 1 && !strstr(o->process_name, "%(process_num)"))
		return set_err(ld, xstrdup("%(process_num) must be present within process_name when numprocs > 1"));
	if (o->stopasgroup && !o->killasgroup)
		return set_err(ld, xstrdup("Cannot set stopasgroup=true and killasgroup=false"));
	return 0;
}

static void
section_opts_free(struct section_opts *o)
{
	free(o->environment);
	free(o->serverurl);
	free(o->process_name);
}

static int
expand_err(struct loader *ld, const char *s, struct xdict *x, const char *where, char **out)
{
	char *err = NULL;
	if (expand(s, x, where, out, &err) < 0)
		return set_err(ld, err);
	return 0;
}

/* stdout_logfile and friends for one stream; k is "stdout" or "stderr". */
static int
read_stream(struct loader *ld, const char *s, struct xdict *x, const char *k, struct stream_config *st)
{
	char key[64], *v = NULL, *v2 = NULL, *err = NULL;
	snprintf(key, sizeof key, "%s_logfile", k);
	bool auto_default = !has_opt(ld, s, key);
	int rc = -1;
	if (auto_default) {
		st->dest = LOGDEST_AUTO;
	} else {
		if (!(v = get_opt(ld, s, key, NULL, x, true)) || expand_err(ld, v, x, key, &v2) < 0)
			goto out;
		if (strcasecmp(v2, "none") == 0 || strcasecmp(v2, "off") == 0) {
			st->dest = LOGDEST_NONE;
		} else if (strcasecmp(v2, "auto") == 0) {
			st->dest = LOGDEST_AUTO;
		} else if (strcasecmp(v2, "syslog") == 0) {
			st->dest = LOGDEST_NONE;
			st->syslog = true; /* after reading *_syslog below */
		} else {
			if (parse_existing_dirpath(v2, &st->logfile, &err) < 0) {
				set_err(ld, err);
				goto out;
			}
			st->dest = LOGDEST_FILE;
		}
	}
	bool deprecated_syslog = st->syslog;
	snprintf(key, sizeof key, "%s_logfile_backups", k);
	if (get_int(ld, s, key, "10", x, &st->logfile_backups) < 0)
		goto out;
	snprintf(key, sizeof key, "%s_logfile_maxbytes", k);
	if (get_bytes(ld, s, key, "50MB", x, &st->logfile_maxbytes) < 0)
		goto out;
	snprintf(key, sizeof key, "%s_syslog", k);
	if (get_bool(ld, s, key, "false", x, &st->syslog) < 0)
		goto out;
	if (deprecated_syslog) {
		st->syslog = true;
		add_message(ld->cfg, PARSE_WARN, xasprintf("For [%s], %s_logfile=syslog but this is deprecated and will be removed.  Use %s_syslog=true to enable syslog instead.", s, k, k));
	}
	if (st->dest == LOGDEST_AUTO && !st->logfile_maxbytes)
		add_message(ld->cfg, PARSE_WARN, xasprintf("For [%s], AUTO logging used for %s_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally", s, k));
	rc = 0;
out:
	free(v);
	free(v2);
	return rc;
}

static void
process_free(struct process_config *p)
{
	free(p->name);
	free(p->command);
	free(p->directory);
	free(p->out.logfile);
	free(p->err.logfile);
	kv_free(&p->environment);
	free(p->serverurl);
}

static int
cmp_process(const void *a, const void *b)
{
	const struct process_config *x = a, *y = b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* _processes_from_section(): the processes of one section, appended to g. */
static int
build_processes(struct loader *ld, const char *s, const char *group_name, struct group_config *g)
{
	struct section_opts o = {0};
	struct xdict x = {0};
	char *program_name = NULL, *err = NULL;
	int rc = -1;
	if (check_name(ld, strchr(s, ':') + 1, &program_name) < 0)
		goto out;
	xdict_set_str(&x, "here", ld->cfg->here);
	xdict_set_str(&x, "program_name", program_name);
	xdict_set_str(&x, "host_node_name", ld->nodename);
	xdict_set_str(&x, "group_name", group_name);
	if (read_section_opts(ld, s, &x, &o) < 0)
		goto out;

	struct process_config *procs = NULL;
	int n = 0;
	for (int num = o.numprocs_start; num < o.numprocs_start + o.numprocs; num++) {
		/* as in Supervisor, one dict grows across the instances, and the
		 * daemon's ENV_* overwrite a previous instance's own ENV_* */
		xdict_set_int(&x, "process_num", num);
		xdict_set_int(&x, "numprocs", o.numprocs);
		x.parent = &ld->env;
		for (size_t i = x.n; i-- > 0;)
			if (str_starts(x.v[i].name, "ENV_") && xdict_has(&ld->env, x.v[i].name))
				xdict_del(&x, x.v[i].name);
		struct process_config p = {.section = s};
		char *env = NULL;
		if (expand_err(ld, o.environment, &x, "environment", &env) < 0)
			goto fail;
		int erc = parse_env_pairs(env, &p.environment, &err);
		free(env);
		if (erc < 0) {
			set_err(ld, err);
			goto fail;
		}
		for (size_t i = 0; i < p.environment.n; i++) {
			char *k = xasprintf("ENV_%s", p.environment.keys[i]);
			xdict_set_str(&x, k, p.environment.vals[i]);
			free(k);
		}
		if (has_opt(ld, s, "directory") && !(p.directory = get_opt(ld, s, "directory", NULL, &x, true)))
			goto fail;
		if (read_stream(ld, s, &x, "stdout", &p.out) < 0 || read_stream(ld, s, &x, "stderr", &p.err) < 0)
			goto fail;
		if (o.redirect_stderr) {
			if (p.err.dest == LOGDEST_FILE)
				add_message(ld->cfg, PARSE_WARN, xasprintf("For [%s], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored", s));
			p.err.dest = LOGDEST_NONE;
			free(p.err.logfile);
			p.err.logfile = NULL;
		}
		if (!has_opt(ld, s, "command")) {
			set_err(ld, xasprintf("program section %s does not specify a command", s));
			goto fail;
		}
		if (!(p.command = get_opt(ld, s, "command", NULL, &x, true)) ||
		    expand_err(ld, o.process_name, &x, "process_name", &p.name) < 0)
			goto fail;
		p.umask = o.umask;
		p.priority = o.priority;
		p.autostart = o.autostart;
		p.autorestart = o.autorestart;
		p.startsecs = o.startsecs;
		p.startretries = o.startretries;
		p.has_uid = o.has_uid;
		p.uid = o.uid;
		p.out.capture_maxbytes = o.out_capture;
		p.out.events_enabled = o.out_events;
		p.err.capture_maxbytes = o.err_capture;
		p.err.events_enabled = o.err_events;
		p.stopsignal = o.stopsignal;
		p.stopwaitsecs = o.stopwaitsecs;
		p.stopasgroup = o.stopasgroup;
		p.killasgroup = o.killasgroup;
		p.exitcodes = o.exitcodes;
		p.redirect_stderr = o.redirect_stderr;
		p.serverurl = o.serverurl ? xstrdup(o.serverurl) : NULL;
		procs = xrealloc(procs, (size_t)(n + 1) * sizeof(*procs));
		procs[n++] = p;
		continue;
	fail:
		process_free(&p);
		for (int i = 0; i < n; i++)
			process_free(&procs[i]);
		free(procs);
		goto out;
	}
	if (n > 1)
		qsort(procs, (size_t)n, sizeof(*procs), cmp_process);
	/* appended as they are: two processes of one name both stay in the
	 * config (the runtime keeps the later one, as Supervisor does) */
	if (n > 0) {
		g->procs = xrealloc(g->procs, (size_t)(g->nprocs + n) * sizeof(*g->procs));
		memcpy(g->procs + g->nprocs, procs, (size_t)n * sizeof(*procs));
		g->nprocs += n;
	}
	free(procs);
	rc = 0;
out:
	if (rc < 0 && ld->err && !strstr(ld->err, " in section '")) {
		/* errors inside a program section name it and its file */
		struct ini_section *sec = ini_find(&ld->cfg->ini, s);
		struct strbuf sb = {0};
		sb_addf(&sb, "%s in section ", ld->err);
		sb_add_pyrepr(&sb, s);
		sb_adds(&sb, " (file: ");
		sb_add_pyrepr(&sb, sec && sec->file ? sec->file : ld->cfg->path);
		sb_addc(&sb, ')');
		free(ld->err);
		ld->err = sb_steal(&sb);
	}
	free(program_name);
	section_opts_free(&o);
	xdict_free(&x);
	return rc;
}

/* ---- groups ---------------------------------------------------------------- */

static struct group_config *
new_group(struct loader *ld, const char *name, enum group_kind kind, long long priority)
{
	struct config *cfg = ld->cfg;
	cfg->groups = xrealloc(cfg->groups, (size_t)(cfg->ngroups + 1) * sizeof(*cfg->groups));
	struct group_config *g = &cfg->groups[cfg->ngroups++];
	*g = (struct group_config){.name = xstrdup(name), .kind = kind, .priority = priority};
	g->socket.backlog = -1;
	g->socket.mode = -1;
	return g;
}

static struct xdict *
here_dict(struct loader *ld, struct xdict *d)
{
	*d = (struct xdict){0};
	xdict_set_str(d, "here", ld->cfg->here);
	return d;
}

static bool
section_exists(struct loader *ld, const char *prefix, const char *name)
{
	char *s = xasprintf("%s%s", prefix, name);
	bool yes = ini_find(&ld->cfg->ini, s) != NULL;
	free(s);
	return yes;
}

static int
load_hetero_groups(struct loader *ld, struct strv *excluded)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->secs[i].name;
		if (!str_starts(s, "group:"))
			continue;
		char *name = NULL, *programs = NULL;
		struct xdict h;
		here_dict(ld, &h);
		long long priority;
		int rc = -1;
		if (check_name(ld, s + 6, &name) < 0)
			goto next;
		if (has_opt(ld, s, "programs") && !(programs = get_opt(ld, s, "programs", NULL, &h, true)))
			goto next;
		if (get_ll(ld, s, "priority", "999", &h, &priority) < 0)
			goto next;
		new_group(ld, name, GROUP_HETEROGENEOUS, priority);
		/* Quirk: Supervisor names the previous member's section in these
		 * errors from the second member on (it reuses the variable). */
		const char *shown = s;
		char *save = NULL;
		for (char *p = programs ? strtok_r(programs, ",", &save) : NULL; p; p = strtok_r(NULL, ",", &save)) {
			char *prog = strip(p);
			bool is_prog = section_exists(ld, "program:", prog);
			bool is_fcgi = section_exists(ld, "fcgi-program:", prog);
			if (!is_prog && !is_fcgi) {
				set_err(ld, xasprintf("[%s] names unknown program or fcgi-program %s", shown, prog));
				goto next;
			}
			if (is_prog && is_fcgi) {
				set_err(ld, xasprintf("[%s] name %s is ambiguous (exists as program and fcgi-program)", shown, prog));
				goto next;
			}
			char *sec = xasprintf("%s%s", is_prog ? "program:" : "fcgi-program:", prog);
			/* the processes are built from the ini's own copy of the name */
			const char *secname = ini_find(ini, sec)->name;
			shown = secname;
			strv_push(excluded, sec);
			if (build_processes(ld, secname, name, &ld->cfg->groups[ld->cfg->ngroups - 1]) < 0)
				goto next;
		}
		rc = 0;
	next:
		free(name);
		free(programs);
		xdict_free(&h);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool
in_strv(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (streq(sv->v[i], s))
			return true;
	return false;
}

static int
load_program_groups(struct loader *ld, const struct strv *excluded)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->secs[i].name;
		if (!str_starts(s, "program:") || in_strv(excluded, s))
			continue;
		char *name = NULL;
		struct xdict h;
		here_dict(ld, &h);
		long long priority;
		int rc = check_name(ld, s + 8, &name) < 0 || get_ll(ld, s, "priority", "999", &h, &priority) < 0
			 ? -1
			 : build_processes(ld, s, name, new_group(ld, name, GROUP_PROGRAM, priority));
		free(name);
		xdict_free(&h);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
load_eventlisteners(struct loader *ld)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->secs[i].name;
		if (!str_starts(s, "eventlistener:"))
			continue;
		const char *pool = s + strlen("eventlistener:");
		struct xdict h;
		here_dict(ld, &h);
		long long priority;
		int buffer_size, rc = -1;
		bool redirect;
		char *handler = NULL, *events = NULL;
		struct strv names = {0};
		if (get_ll(ld, s, "priority", "-1", &h, &priority) < 0 ||
		    get_int(ld, s, "buffer_size", "10", &h, &buffer_size) < 0)
			goto next;
		if (buffer_size < 1) {
			set_err(ld, xasprintf("[%s] section sets invalid buffer_size (%d)", s, buffer_size));
			goto next;
		}
		if (!(handler = get_opt(ld, s, "result_handler", DEFAULT_RESULT_HANDLER, &h, true)))
			goto next;
		if (!streq(handler, DEFAULT_RESULT_HANDLER)) {
			set_err(ld, xasprintf("%s cannot be resolved within [%s]", handler, s));
			goto next;
		}
		if (!(events = get_opt(ld, s, "events", "", &h, true)))
			goto next;
		char *save = NULL;
		for (char *e = strtok_r(events, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
			char *name = strip(e);
			for (char *c = name; *c; c++)
				*c = (char)toupper((unsigned char)*c);
			if (!in_strv(&names, name))
				strv_push(&names, xstrdup(name));
		}
		if (!names.n) {
			set_err(ld, xasprintf("[%s] section requires an \"events\" line", s));
			goto next;
		}
		for (size_t k = 0; k < names.n; k++) {
			size_t t;
			for (t = 0; t < ARRAY_LEN(event_types) && !streq(event_types[t], names.v[k]); t++)
				;
			if (t == ARRAY_LEN(event_types)) {
				set_err(ld, xasprintf("Unknown event type %s in [%s] events", names.v[k], s));
				goto next;
			}
		}
		if (get_bool(ld, s, "redirect_stderr", "false", &h, &redirect) < 0)
			goto next;
		if (redirect) {
			set_err(ld, xasprintf("[%s] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol", s));
			goto next;
		}
		struct group_config *g = new_group(ld, pool, GROUP_EVENTLISTENER, priority);
		g->buffer_size = buffer_size;
		g->result_handler = handler;
		handler = NULL;
		g->nevents = (int)names.n;
		g->events = names.v;
		names = (struct strv){0};
		rc = build_processes(ld, s, pool, g);
	next:
		free(handler);
		free(events);
		strv_free(&names);
		xdict_free(&h);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Python raises ValueError(fmt, arg): its text is the tuple's repr. */
static char *
tuple_error(const char *fmt, const char *arg, const char *section)
{
	struct strbuf sb = {0};
	sb_addc(&sb, '(');
	sb_add_pyrepr(&sb, fmt);
	sb_adds(&sb, ", ");
	sb_add_pyrepr(&sb, arg);
	sb_addf(&sb, ") in [%s] socket", section);
	return sb_steal(&sb);
}

static int
parse_fcgi_socket(struct loader *ld, const char *s, const char *sock, bool has_uid, uid_t uid,
		  struct fcgi_socket_config *fs)
{
	if (str_starts(sock, "unix://")) {
		const char *path = sock + 7;
		if (path[0] != '/')
			return set_err(ld, tuple_error("Unix socket path %s is not an absolute path", path, s));
		fs->is_unix = true;
		fs->path = normalize_path(path);
		fs->url = xasprintf("unix://%s", fs->path);
		if (!fs->has_owner && has_uid && uid != getuid()) {
			struct passwd *pw = getpwuid(uid);
			fs->has_owner = true;
			fs->owner_uid = uid;
			fs->owner_gid = pw ? pw->pw_gid : (gid_t)-1;
		}
		if (fs->mode < 0)
			fs->mode = 0700;
		return 0;
	}
	if (fs->has_owner || fs->mode >= 0)
		return set_err(ld, xasprintf("socket_owner and socket_mode params should only be used with a Unix domain socket in [%s] socket", s));
	/* tcp://host:port, host without whitespace or ':' */
	if (str_starts(sock, "tcp://")) {
		const char *host = sock + 6, *colon = strchr(host, ':');
		if (colon && colon > host && !strpbrk(host, " \t\r\n\f\v") && colon[1] &&
		    strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) < 18) {
			fs->host = xstrndup(host, (size_t)(colon - host));
			for (char *c = fs->host; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			long long port = atoll(colon + 1);
			if (port < 1 || port > 65535)
				return set_err(ld, xasprintf("%lld is %s bound (%d) in [%s] socket", port,
							     port < 1 ? "below lower" : "above upper", port < 1 ? 1 : 65535, s));
			fs->port = (int)port;
			fs->url = xasprintf("tcp://%s:%d", fs->host, fs->port);
			return 0;
		}
	}
	return set_err(ld, tuple_error("Bad socket format %s", sock, s));
}

static int
load_fcgi_programs(struct loader *ld, const struct strv *excluded)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++) {
		const char *s = ini->secs[i].name;
		if (!str_starts(s, "fcgi-program:") || in_strv(excluded, s))
			continue;
		char *name = NULL, *v = NULL, *err = NULL;
		struct xdict h;
		here_dict(ld, &h);
		struct fcgi_socket_config fs = {.backlog = -1, .mode = -1};
		long long priority;
		int rc = -1;
		bool has_uid = false;
		uid_t uid = 0;
		if (check_name(ld, s + strlen("fcgi-program:"), &name) < 0 ||
		    get_ll(ld, s, "priority", "999", &h, &priority) < 0)
			goto next;
		if (has_opt(ld, s, "user")) {
			if (!(v = get_opt(ld, s, "user", NULL, &h, true)))
				goto next;
			if (parse_uid(v, &uid, &err) < 0) {
				set_err(ld, err);
				goto next;
			}
			has_uid = true;
			free(v), v = NULL;
		}
		if (has_opt(ld, s, "socket_backlog")) {
			if (get_int(ld, s, "socket_backlog", NULL, &h, &fs.backlog) < 0)
				goto next;
			if (fs.backlog < 1 || fs.backlog > 65535) {
				set_err(ld, xasprintf("Invalid socket_backlog value %d", fs.backlog));
				goto next;
			}
		}
		if (has_opt(ld, s, "socket_owner")) {
			if (!(v = get_opt(ld, s, "socket_owner", NULL, &h, true)))
				goto next;
			if (parse_user_group(v, &fs.owner_uid, &fs.owner_gid, &err) < 0) {
				free(err);
				set_err(ld, xasprintf("Invalid socket_owner value %s", v));
				goto next;
			}
			fs.has_owner = true;
			free(v), v = NULL;
		}
		if (has_opt(ld, s, "socket_mode")) {
			if (!(v = get_opt(ld, s, "socket_mode", NULL, &h, true)))
				goto next;
			if (parse_octal(v, &fs.mode, &err) < 0) {
				free(err);
				set_err(ld, xasprintf("Invalid socket_mode value %s", v));
				goto next;
			}
			free(v), v = NULL;
		}
		struct xdict sx = {0};
		xdict_copy(&sx, &h);
		xdict_set_str(&sx, "program_name", name);
		v = get_opt(ld, s, "socket", NULL, &sx, true);
		xdict_free(&sx);
		if (ld->err)
			goto next;
		if (!v || !*v) {
			set_err(ld, xasprintf("[%s] section requires a \"socket\" line", s));
			goto next;
		}
		if (parse_fcgi_socket(ld, s, v, has_uid, uid, &fs) < 0)
			goto next;
		struct group_config *g = new_group(ld, name, GROUP_FCGI, priority);
		g->socket = fs;
		fs = (struct fcgi_socket_config){0};
		rc = build_processes(ld, s, name, g);
	next:
		free(fs.url);
		free(fs.path);
		free(fs.host);
		free(name);
		free(v);
		xdict_free(&h);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group_config *x = a, *y = b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Python's sort is stable: equal (priority, name) keep their build order. */
static void
sort_groups(struct config *cfg)
{
	for (int i = 1; i < cfg->ngroups; i++) {
		struct group_config g = cfg->groups[i];
		int j = i;
		while (j > 0 && cmp_group(&cfg->groups[j - 1], &g) > 0) {
			cfg->groups[j] = cfg->groups[j - 1];
			j--;
		}
		cfg->groups[j] = g;
	}
}

static int
load_groups(struct loader *ld)
{
	struct strv excluded = {0};
	int rc = 0;
	if (load_hetero_groups(ld, &excluded) < 0 || load_program_groups(ld, &excluded) < 0 ||
	    load_eventlisteners(ld) < 0 || load_fcgi_programs(ld, &excluded) < 0)
		rc = -1;
	strv_free(&excluded);
	if (rc == 0)
		sort_groups(ld->cfg);
	return rc;
}

/* ---- servers -------------------------------------------------------------- */

static int
load_auth(struct loader *ld, const char *s, struct server_config *sc)
{
	if (has_opt(ld, s, "username") && !(sc->username = get_opt(ld, s, "username", NULL, NULL, true)))
		return -1;
	if (has_opt(ld, s, "password") && !(sc->password = get_opt(ld, s, "password", NULL, NULL, true)))
		return -1;
	if ((sc->username || sc->password) && !(sc->username && sc->password))
		return set_err(ld, xasprintf("Section [%s] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified", s));
	return 0;
}

static struct server_config *
new_server(struct config *cfg, const char *section, bool is_unix)
{
	cfg->servers = xrealloc(cfg->servers, (size_t)(cfg->nservers + 1) * sizeof(*cfg->servers));
	struct server_config *sc = &cfg->servers[cfg->nservers++];
	const char *colon = strchr(section, ':');
	*sc = (struct server_config){.is_unix = is_unix, .section = xstrdup(section),
				     .name = colon ? xstrdup(colon + 1) : NULL,
				     .chown_uid = (uid_t)-1, .chown_gid = (gid_t)-1, .chmod = 0700};
	return sc;
}

static int
load_inet_server(struct loader *ld, const char *s)
{
	struct server_config *sc = new_server(ld->cfg, s, false);
	if (load_auth(ld, s, sc) < 0)
		return -1;
	char *port = get_opt(ld, s, "port", NULL, NULL, true), *err = NULL;
	if (!port)
		return ld->err ? -1 : set_err(ld, xasprintf("section [%s] has no port value", s));
	int rc = parse_port_spec(port, &sc->host, &sc->port, &err);
	free(port);
	return rc < 0 ? set_err(ld, err) : 0;
}

static int
load_unix_server(struct loader *ld, const char *s)
{
	struct server_config *sc = new_server(ld->cfg, s, true);
	struct xdict h;
	char *file = get_opt(ld, s, "file", NULL, here_dict(ld, &h), true), *v = NULL, *err = NULL;
	xdict_free(&h);
	if (!file)
		return ld->err ? -1 : set_err(ld, xasprintf("section [%s] has no file value", s));
	sc->file = normalize_path(strip(file));
	free(file);
	if (load_auth(ld, s, sc) < 0)
		return -1;
	if (has_opt(ld, s, "chown")) {
		if (!(v = get_opt(ld, s, "chown", NULL, NULL, true)))
			return -1;
		if (parse_user_group(v, &sc->chown_uid, &sc->chown_gid, &err) < 0) {
			free(err);
			set_err(ld, xasprintf("Invalid sockchown value %s", v));
			free(v);
			return -1;
		}
		free(v);
	}
	if (has_opt(ld, s, "chmod")) {
		if (!(v = get_opt(ld, s, "chmod", NULL, NULL, true)))
			return -1;
		if (parse_octal(v, &sc->chmod, &err) < 0) {
			free(err);
			set_err(ld, xasprintf("Invalid chmod value %s", v));
			free(v);
			return -1;
		}
		free(v);
	}
	return 0;
}

static int
load_servers(struct loader *ld)
{
	struct ini_doc *ini = &ld->cfg->ini;
	for (size_t i = 0; i < ini->n; i++)
		if (str_starts(ini->secs[i].name, "inet_http_server") && load_inet_server(ld, ini->secs[i].name) < 0)
			return -1;
	for (size_t i = 0; i < ini->n; i++)
		if (str_starts(ini->secs[i].name, "unix_http_server") && load_unix_server(ld, ini->secs[i].name) < 0)
			return -1;
	/* SUPERVISOR_SERVER_URL: the first unix socket, else the last inet one */
	bool has_unix = false;
	for (int i = 0; i < ld->cfg->nservers && !ld->cfg->serverurl; i++)
		if (ld->cfg->servers[i].is_unix) {
			ld->cfg->serverurl = xasprintf("unix://%s", ld->cfg->servers[i].file);
			has_unix = true;
		}
	for (int i = 0; i < ld->cfg->nservers && !has_unix; i++)
		if (!ld->cfg->servers[i].is_unix) {
			const char *host = *ld->cfg->servers[i].host ? ld->cfg->servers[i].host : "localhost";
			free(ld->cfg->serverurl);
			ld->cfg->serverurl = xasprintf("http://%s:%d", host, ld->cfg->servers[i].port);
		}
	return 0;
}

/* ---- [include] ------------------------------------------------------------ */

static char *
replace_all(const char *v, const char *what, const char *with)
{
	struct strbuf sb = {0};
	const char *p = v;
	for (const char *m; (m = strstr(p, what)); p = m + strlen(what)) {
		sb_add(&sb, p, (size_t)(m - p));
		sb_adds(&sb, with);
	}
	sb_adds(&sb, p);
	return sb_steal(&sb);
}

/* Python's expand_here(): in every section, every value (its own or the
 * one [DEFAULT] gives it) holding "%(here)s" is set, in that section, to
 * the text with here put in. [DEFAULT] itself keeps the literal text. */
static void
replace_here(struct ini_doc *ini, const char *here)
{
	static const char mark[] = "%(here)s";
	for (size_t i = 0; i < ini->n; i++) {
		struct ini_section *sec = &ini->secs[i];
		for (size_t k = 0; k < ini->defaults.n; k++) {
			const char *key = ini->defaults.entries[k].key;
			const char *v = ini_get(ini, sec, key);
			if (strstr(v, mark)) {
				char *nv = replace_all(v, mark, here);
				ini_set(sec, key, nv);
				free(nv);
			}
		}
		for (size_t k = 0; k < sec->n; k++) {
			char *v = sec->entries[k].value;
			if (strstr(v, mark)) {
				sec->entries[k].value = replace_all(v, mark, here);
				free(v);
			}
		}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_includes(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	struct ini_section *inc = ini_find(&cfg->ini, "include");
	if (!inc)
		return 0;
	replace_here(&cfg->ini, cfg->here);
	if (!ini_get(&cfg->ini, inc, "files"))
		return set_err(ld, xstrdup(".ini file has [include] section, but no files setting"));
	struct xdict d = {0};
	xdict_set_str(&d, "here", cfg->here);
	xdict_set_str(&d, "host_node_name", ld->nodename);
	d.parent = &ld->env;
	char *files = NULL, *err = NULL;
	int rc = expand(ini_get(&cfg->ini, inc, "files"), &d, "include.files", &files, &err);
	xdict_free(&d);
	if (rc < 0)
		return set_err(ld, err);
	char *base = dirname_abs(cfg->path), *save = NULL;
	for (char *pat = strtok_r(files, " \t\r\n\f\v", &save); pat && rc == 0; pat = strtok_r(NULL, " \t\r\n\f\v", &save)) {
		char *full = pat[0] == '/' ? xstrdup(pat) : xasprintf("%s/%s", base, pat);
		glob_t g = {0};
		if (glob(full, GLOB_NOSORT, NULL, &g) != 0 || g.gl_pathc == 0) {
			add_message(cfg, PARSE_WARN, xasprintf("No file matches via include \"%s\"", full));
		} else {
			qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), cmp_str);
			for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
				add_message(cfg, PARSE_INFO, xasprintf("Included extra file \"%s\" during parsing", g.gl_pathv[i]));
				int r = ini_read_file(&cfg->ini, g.gl_pathv[i], &err);
				if (r == -1) {
					rc = set_err(ld, err);
				} else if (r == 0) {
					char *dir = dirname_abs(g.gl_pathv[i]);
					replace_here(&cfg->ini, dir);
					free(dir);
				} /* unreadable files are skipped, as Python's read() does */
			}
		}
		globfree(&g);
		free(full);
	}
	free(base);
	free(files);
	return rc;
}

/* ---- entry points ----------------------------------------------------------- */

void
config_search_paths(const char *argv0, char *paths[6])
{
	/* dirname(dirname(argv0)), as os.path.dirname does on the text */
	char *a = xstrdup(argv0);
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(a, '/');
		if (!slash)
			a[0] = '\0';
		else if (slash == a)
			a[1] = '\0';
		else {
			while (slash > a && slash[-1] == '/')
				slash--;
			*slash = '\0';
		}
	}
	const char *sep = (*a && a[strlen(a) - 1] != '/') ? "/" : "";
	paths[0] = xasprintf("%s%setc/supervisord.conf", a, *a ? sep : "");
	paths[1] = xasprintf("%s%ssupervisord.conf", a, *a ? sep : "");
	paths[2] = xstrdup("supervisord.conf");
	paths[3] = xstrdup("etc/supervisord.conf");
	paths[4] = xstrdup("/etc/supervisord.conf");
	paths[5] = xstrdup("/etc/supervisor/supervisord.conf");
	free(a);
}

static struct config *
start_load(struct loader *ld, const char *path)
{
	extern char **environ;
	struct utsname u;
	ld->nodename = xstrdup(uname(&u) == 0 ? u.nodename : "");
	for (char **e = environ; *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char *k = xasprintf("ENV_%.*s", (int)(eq - *e), *e);
		xdict_set_str(&ld->env, k, eq + 1);
		free(k);
	}
	struct config *cfg = ld->cfg = xcalloc(1, sizeof(*cfg));
	cfg->refs = 1;
	cfg->path = xstrdup(path);
	cfg->here = dirname_abs(path);
	struct stat st;
	if (stat(path, &st) < 0) {
		set_err(ld, xasprintf("could not find config file %s", path));
		return NULL;
	}
	char *err = NULL;
	int rc = ini_read_file(&cfg->ini, path, &err);
	if (rc == -2 || (rc == 0 && S_ISDIR(st.st_mode)))
		set_err(ld, xasprintf("could not read config file %s", path));
	else if (rc == -1)
		set_err(ld, err);
	return ld->err ? NULL : cfg;
}

static struct config *
finish_load(struct loader *ld)
{
	xdict_free(&ld->env);
	free(ld->nodename);
	if (ld->err) {
		config_free(ld->cfg);
		return NULL;
	}
	return ld->cfg;
}

struct config *
config_load_daemon(const char *path, const struct supervisord_overrides *ov, char **err)
{
	struct loader ld = {0};
	if (start_load(&ld, path) && load_includes(&ld) == 0) {
		if (!ini_find(&ld.cfg->ini, "supervisord"))
			set_err(&ld, xstrdup(".ini file does not include supervisord section"));
		else if (load_supervisord(&ld, ov) == 0 &&
			 load_plugins(&ld, "rpcinterface:", "supervisor.rpcinterface_factory", PLUGIN_RPC) == 0 &&
			 load_groups(&ld) == 0) {
			/* every process gets [supervisord] environment under its own */
			for (int g = 0; g < ld.cfg->ngroups; g++)
				for (int p = 0; p < ld.cfg->groups[g].nprocs; p++) {
					struct process_config *pc = &ld.cfg->groups[g].procs[p];
					struct kvlist env = {0};
					kv_copy(&env, &ld.cfg->sd.environment);
					kv_copy(&env, &pc->environment);
					kv_free(&pc->environment);
					pc->environment = env;
				}
			load_servers(&ld);
		}
	}
	*err = ld.err;
	return finish_load(&ld);
}

struct config *
config_load_ctl(const char *path, char **err)
{
	struct loader ld = {0};
	if (start_load(&ld, path)) {
		struct ctl_config *c = &ld.cfg->ctl;
		const char *S = "supervisorctl";
		struct xdict h;
		here_dict(&ld, &h);
		if (!ini_find(&ld.cfg->ini, S))
			set_err(&ld, xstrdup(".ini file does not include supervisorctl section"));
		else if ((c->serverurl = get_opt(&ld, S, "serverurl", "http://localhost:9001", &h, true)) &&
			 (c->prompt = get_opt(&ld, S, "prompt", "supervisor", NULL, true))) {
			if (has_opt(&ld, S, "username"))
				c->username = get_opt(&ld, S, "username", NULL, NULL, true);
			if (has_opt(&ld, S, "password"))
				c->password = get_opt(&ld, S, "password", NULL, NULL, true);
			if (has_opt(&ld, S, "history_file"))
				c->history_file = get_opt(&ld, S, "history_file", NULL, &h, true);
			if (!ld.err)
				load_plugins(&ld, "ctlplugin:", "supervisor.ctl_factory", PLUGIN_CTL);
		}
		xdict_free(&h);
	}
	*err = ld.err;
	return finish_load(&ld);
}

struct config *
config_ref(struct config *cfg)
{
	if (cfg)
		cfg->refs++;
	return cfg;
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && streq(a, b));
}

static bool
stream_equal(const struct stream_config *a, const struct stream_config *b)
{
	/* Supervisor skips any option where either side is AUTO */
	bool logs = a->dest == LOGDEST_AUTO || b->dest == LOGDEST_AUTO ||
		    (a->dest == b->dest && str_eq(a->logfile, b->logfile));
	return logs && a->logfile_maxbytes == b->logfile_maxbytes && a->logfile_backups == b->logfile_backups &&
	       a->capture_maxbytes == b->capture_maxbytes && a->events_enabled == b->events_enabled &&
	       a->syslog == b->syslog;
}

static bool
kv_equal(const struct kvlist *a, const struct kvlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(kv_get(b, a->keys[i]), a->vals[i]))
			return false;
	return true;
}

static bool
process_config_equal(const struct process_config *a, const struct process_config *b)
{
	return str_eq(a->name, b->name) && str_eq(a->command, b->command) && str_eq(a->directory, b->directory) &&
	       a->umask == b->umask && a->priority == b->priority && a->autostart == b->autostart &&
	       a->autorestart == b->autorestart && a->startsecs == b->startsecs &&
	       a->startretries == b->startretries && a->has_uid == b->has_uid && (!a->has_uid || a->uid == b->uid) &&
	       stream_equal(&a->out, &b->out) && stream_equal(&a->err, &b->err) && a->stopsignal == b->stopsignal &&
	       a->stopwaitsecs == b->stopwaitsecs && a->stopasgroup == b->stopasgroup &&
	       a->killasgroup == b->killasgroup && a->exitcodes.n == b->exitcodes.n &&
	       !memcmp(a->exitcodes.codes, b->exitcodes.codes, (size_t)a->exitcodes.n) &&
	       a->redirect_stderr == b->redirect_stderr && kv_equal(&a->environment, &b->environment) &&
	       str_eq(a->serverurl, b->serverurl);
}

bool
group_config_equal(const struct group_config *a, const struct group_config *b)
{
	if (!str_eq(a->name, b->name) || a->kind != b->kind || a->priority != b->priority || a->nprocs != b->nprocs)
		return false;
	for (int i = 0; i < a->nprocs; i++)
		if (!process_config_equal(&a->procs[i], &b->procs[i]))
			return false;
	if (a->kind == GROUP_EVENTLISTENER) {
		if (a->buffer_size != b->buffer_size || a->nevents != b->nevents || !str_eq(a->result_handler, b->result_handler))
			return false;
		for (int i = 0; i < a->nevents; i++)
			if (!str_eq(a->events[i], b->events[i]))
				return false;
	}
	if (a->kind == GROUP_FCGI && !str_eq(a->socket.url, b->socket.url))
		return false;
	return true;
}

void
config_free(struct config *cfg)
{
	if (!cfg || --cfg->refs > 0)
		return;
	struct supervisord_config *sd = &cfg->sd;
	free(sd->logfile);
	free(sd->pidfile);
	free(sd->childlogdir);
	free(sd->user);
	free(sd->directory);
	free(sd->identifier);
	kv_free(&sd->environment);
	for (int i = 0; i < cfg->nservers; i++) {
		struct server_config *s = &cfg->servers[i];
		free(s->section);
		free(s->name);
		free(s->username);
		free(s->password);
		free(s->file);
		free(s->host);
	}
	free(cfg->servers);
	for (int i = 0; i < cfg->ngroups; i++) {
		struct group_config *g = &cfg->groups[i];
		for (int p = 0; p < g->nprocs; p++)
			process_free(&g->procs[p]);
		free(g->procs);
		for (int e = 0; e < g->nevents; e++)
			free(g->events[e]);
		free(g->events);
		free(g->result_handler);
		free(g->socket.url);
		free(g->socket.path);
		free(g->socket.host);
		free(g->name);
	}
	free(cfg->groups);
	for (int i = 0; i < cfg->nplugins; i++) {
		free(cfg->plugins[i].name);
		free(cfg->plugins[i].factory);
		kv_free(&cfg->plugins[i].extras);
	}
	free(cfg->plugins);
	free(cfg->ctl.serverurl);
	free(cfg->ctl.username);
	free(cfg->ctl.password);
	free(cfg->ctl.prompt);
	free(cfg->ctl.history_file);
	for (int i = 0; i < cfg->nmessages; i++)
		free(cfg->messages[i].text);
	free(cfg->messages);
	free(cfg->serverurl);
	ini_free(&cfg->ini);
	free(cfg->path);
	free(cfg->here);
	free(cfg);
}

const char *
autorestart_name(enum autorestart a)
{
	return a == AUTORESTART_ALWAYS ? "true" : a == AUTORESTART_NEVER ? "false" : "unexpected";
}

const char *
group_kind_name(enum group_kind k)
{
	static const char *const names[] = {"program", "group", "eventlistener", "fcgi-program"};
	return names[k];
}
