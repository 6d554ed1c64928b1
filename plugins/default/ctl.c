/* supervisorctl's default commands as a ctl plugin: registration, help
 * texts, shared helpers, and the process commands (status, start, stop,
 * restart, signal, pid, clear). Output and exit statuses are those of
 * Supervisor 4.2.5's DefaultControllerPlugin. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_default.h"

/* ---- helpers ------------------------------------------------------------- */

void
dc_out(sup_ctl *ctl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sup_api_->ctl_vprintf(ctl, 0, fmt, ap);
	va_end(ap);
	sup_ctl_printf(ctl, "\n");
}

void dc_status(sup_ctl *ctl, int status) { sup_api_->ctl_set_status(ctl, status); }
int dc_get_status(sup_ctl *ctl) { return sup_api_->ctl_get_status(ctl); }

int
dc_call(sup_ctl *ctl, const char *method, sup_value **result, const char **fault, const char *fmt, ...)
{
	sup_value *params = sup_api_->array_new();
	va_list ap;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f == 's')
			sup_api_->array_push(params, sup_string(va_arg(ap, const char *)));
		else if (*f == 'i')
			sup_api_->array_push(params, sup_api_->int_new(va_arg(ap, long long)));
	}
	va_end(ap);
	return sup_api_->ctl_call(ctl, method, params, result, fault);
}

const char *
dc_str(const sup_value *st, const char *key)
{
	const char *s = NULL;
	if (sup_api_->get_string(sup_api_->struct_get(st, key), &s, NULL) != SUP_OK)
		return "";
	return s;
}

long long
dc_int(const sup_value *st, const char *key)
{
	int64_t v = 0;
	if (sup_api_->get_int(sup_api_->struct_get(st, key), &v) != SUP_OK)
		return 0;
	return (long long)v;
}

int dc_len(const sup_value *a) { return sup_api_->array_size(a); }
const sup_value *dc_at(const sup_value *a, int i) { return sup_api_->array_get(a, i); }

static char *
dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n + 1);
	return d;
}

static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *s = NULL;
	if (vasprintf(&s, f, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

void
dc_split_namespec(const char *name, char **group, char **proc)
{
	const char *colon = strchr(name, ':');
	if (!colon) {
		*group = dup(name);
		*proc = dup(name);
		return;
	}
	*group = strndup(name, (size_t)(colon - name));
	*proc = colon[1] && strcmp(colon + 1, "*") != 0 ? dup(colon + 1) : NULL;
}

char *
dc_make_namespec(const char *group, const char *proc)
{
	if (proc && strcmp(group, proc) == 0)
		return dup(proc);
	return fmt("%s:%s", group, proc ? proc : "None");
}

void
dc_status_from_fault(sup_ctl *ctl, int code, int ignored)
{
	if (code == ignored || code == SUP_FAULT_SUCCESS)
		return;
	if (code == SUP_FAULT_SPAWN_ERROR || code == SUP_FAULT_ABNORMAL_TERMINATION || code == SUP_FAULT_NOT_RUNNING)
		dc_status(ctl, DC_NOT_RUNNING);
	else
		dc_status(ctl, DC_GENERIC);
}

char *
dc_repr(const char *s)
{
	/* Python: single quotes unless the text has ' and no " */
	bool sq = strchr(s, '\'') != NULL, dq = strchr(s, '"') != NULL;
	char q = sq && !dq ? '"' : '\'';
	size_t cap = strlen(s) * 4 + 3, n = 0;
	char *out = malloc(cap);
	if (!out)
		abort();
	out[n++] = q;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == (unsigned char)q || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p == '\n') {
			out[n++] = '\\', out[n++] = 'n';
		} else if (*p == '\r') {
			out[n++] = '\\', out[n++] = 'r';
		} else if (*p == '\t') {
			out[n++] = '\\', out[n++] = 't';
		} else if (*p < 0x20 || *p == 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", *p);
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n++] = q;
	out[n] = 0;
	return out;
}

bool
dc_parse_int(const char *s, long long *out)
{
	/* int(): surrounding whitespace, a sign, digits with single '_'
	 * between them */
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	long long v = 0;
	int digits = 0;
	bool under = false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (v > (9223372036854775807LL - 9) / 10)
				return false;
			v = v * 10 + (*s - '0');
			digits++;
			under = false;
		} else if (*s == '_' && digits && !under) {
			under = true;
		} else {
			break;
		}
	}
	if (!digits || under)
		return false;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s)
		return false;
	*out = neg ? -v : v;
	return true;
}

/* ---- help texts ---------------------------------------------------------- */

static const struct {
	const char *name, *text;
} helps[] = {
	{"add", "add <name> [...]\tActivates any updates in config for process/group"},
	{"avail", "avail\t\t\tDisplay all configured processes"},
	{"clear", "clear <name>\t\tClear a process' log files.\n"
		  "clear <name> <name>\tClear multiple process' log files\n"
		  "clear all\t\tClear all process' log files"},
	{"exit", "exit\tExit the supervisor shell."},
	{"fg", "fg <process>\tConnect to a process in foreground mode\n"
	       "\t\tCtrl-C to exit"},
	{"maintail", "maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n"
		     "maintail -100\tlast 100 *bytes* of supervisord main log file\n"
		     "maintail\tlast 1600 *bytes* of supervisor main log file\n"},
	{"open", "open <url>\tConnect to a remote supervisord process.\n"
		 "\t\t(for UNIX domain socket, use unix:///socket/path)"},
	{"pid", "pid\t\t\tGet the PID of supervisord.\n"
		"pid <name>\t\tGet the PID of a single child process by name.\n"
		"pid all\t\t\tGet the PID of every child process, one per line."},
	{"quit", "quit\tExit the supervisor shell."},
	{"reload", "reload \t\tRestart the remote supervisord."},
	{"remove", "remove <name> [...]\tRemoves process/group from active config"},
	{"reread", "reread \t\t\tReload the daemon's configuration files without add/remove"},
	{"restart", "restart <name>\t\tRestart a process\n"
		    "restart <gname>:*\tRestart all processes in a group\n"
		    "restart <name> <name>\tRestart multiple processes or groups\n"
		    "restart all\t\tRestart all processes\n"
		    "Note: restart does not reread config files. For that, see reread and update."},
	{"shutdown", "shutdown \tShut the remote supervisord down."},
	{"signal", "signal <signal name> <name>\t\tSignal a process\n"
		   "signal <signal name> <gname>:*\t\tSignal all processes in a group\n"
		   "signal <signal name> <name> <name>\tSignal multiple processes or groups\n"
		   "signal <signal name> all\t\tSignal all processes"},
	{"start", "start <name>\t\tStart a process\n"
		  "start <gname>:*\t\tStart all processes in a group\n"
		  "start <name> <name>\tStart multiple processes or groups\n"
		  "start all\t\tStart all processes"},
	{"status", "status <name>\t\tGet status for a single process\n"
		   "status <gname>:*\tGet status for all processes in a group\n"
		   "status <name> <name>\tGet status for multiple named processes\n"
		   "status\t\t\tGet all process status info"},
	{"stop", "stop <name>\t\tStop a process\n"
		 "stop <gname>:*\t\tStop all processes in a group\n"
		 "stop <name> <name>\tStop multiple processes or groups\n"
		 "stop all\t\tStop all processes"},
	{"tail", "tail [-f] <name> [stdout|stderr] (default stdout)\n"
		 "Ex:\n"
		 "tail -f <name>\t\tContinuous tail of named process stdout\n"
		 "\t\t\tCtrl-C to exit.\n"
		 "tail -100 <name>\tlast 100 *bytes* of process stdout\n"
		 "tail <name> stderr\tlast 1600 *bytes* of process stderr"},
	{"update", "update\t\t\tReload config and add/remove as necessary, and will restart affected programs\n"
		   "update all\t\tReload config and add/remove as necessary, and will restart affected programs\n"
		   "update <gname> [...]\tUpdate specific groups"},
	{"version", "version\t\t\tShow the version of the remote supervisord process"},
};

static const char *
help_text(const char *name)
{
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		if (strcmp(helps[i].name, name) == 0)
			return helps[i].text;
	return NULL;
}

void
dc_help(sup_ctl *ctl, const char *name)
{
	const char *t = help_text(name);
	if (t)
		dc_out(ctl, "%s", t);
}

/* ---- status -------------------------------------------------------------- */

static bool
stopped_state(long long s)
{
	return s == DC_STATE_STOPPED || s == DC_STATE_EXITED || s == DC_STATE_FATAL || s == DC_STATE_UNKNOWN;
}

/* len() of a str: code points, not bytes */
static size_t
u8len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void
pad_out(sup_ctl *ctl, const char *s, size_t width)
{
	size_t l = u8len(s);
	sup_ctl_printf(ctl, "%s%*s", s, (int)(l < width ? width - l : 0), "");
}

static void
show_statuses(sup_ctl *ctl, const sup_value **infos, int n)
{
	char **ns = calloc((size_t)n + 1, sizeof(*ns));
	size_t maxlen = 30;
	for (int i = 0; i < n; i++) {
		ns[i] = dc_make_namespec(dc_str(infos[i], "group"), dc_str(infos[i], "name"));
		size_t l = u8len(ns[i]);
		if (l > maxlen)
			maxlen = l;
	}
	for (int i = 0; i < n; i++) {
		pad_out(ctl, ns[i], maxlen + 3);
		pad_out(ctl, dc_str(infos[i], "statename"), 10);
		dc_out(ctl, "%s", dc_str(infos[i], "description"));
		free(ns[i]);
	}
	free(ns);
}

int
dc_status_cmd(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	int up = sup_api_->ctl_upcheck(ctl);
	if (up == SUP_ERR)
		return SUP_ERR;
	if (!up) {
		dc_status(ctl, DC_STATUS_UNKNOWN);
		return SUP_OK;
	}
	sup_value *all = NULL;
	if (dc_call(ctl, "supervisor.getAllProcessInfo", &all, NULL, "") != 0)
		return SUP_ERR;
	int nall = dc_len(all) > 0 ? dc_len(all) : 0;
	bool every = argc < 2;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "all") == 0)
			every = true;
	const sup_value **match = NULL;
	int nmatch = 0, cap = 0;
	if (every) {
		match = calloc((size_t)nall + 1, sizeof(*match));
		for (int i = 0; i < nall; i++)
			match[nmatch++] = dc_at(all, i);
	}
	for (int a = 1; a < argc && !every; a++) {
		char *g, *p;
		dc_split_namespec(argv[a], &g, &p);
		bool bad = true;
		for (int i = 0; i < nall; i++) {
			const sup_value *info = dc_at(all, i);
			if (strcmp(dc_str(info, "group"), g) != 0 || (p && strcmp(dc_str(info, "name"), p) != 0))
				continue;
			bad = false;
			if (nmatch == cap) {
				cap = cap ? cap * 2 : 16;
				match = realloc(match, (size_t)cap * sizeof(*match));
			}
			match[nmatch++] = info;
		}
		if (bad) {
			if (!p)
				dc_out(ctl, "%s: ERROR (no such group)", g);
			else
				dc_out(ctl, "%s: ERROR (no such process)", argv[a]);
			dc_status(ctl, DC_STATUS_UNKNOWN);
		}
		free(g);
		free(p);
	}
	show_statuses(ctl, match, nmatch);
	for (int i = 0; i < nmatch; i++)
		if (stopped_state(dc_int(match[i], "state")))
			dc_status(ctl, DC_STATUS_NOT_RUNNING);
	free(match);
	sup_api_->unref(all);
	return SUP_OK;
}

/* ---- start / stop / signal / clear results ------------------------------- */

enum result_kind { R_START, R_STOP, R_SIGNAL, R_CLEAR };

/* The line for one result struct, or NULL (an unknown code: the caller
 * reports Python's ValueError). */
static char *
result_line(enum result_kind k, int code, const char *group, const char *proc, const char *description)
{
	char *ns = dc_make_namespec(group, proc);
	const char *err = NULL, *ok = NULL;
	char *line = NULL;
	if (code == SUP_FAULT_BAD_NAME)
		err = "no such process";
	else if (code == SUP_FAULT_SUCCESS)
		ok = k == R_START ? "started" : k == R_STOP ? "stopped" : k == R_SIGNAL ? "signalled" : "cleared";
	else if (k == R_START) {
		err = code == SUP_FAULT_NO_FILE ? "no such file"
		      : code == SUP_FAULT_NOT_EXECUTABLE ? "file is not executable"
		      : code == SUP_FAULT_ALREADY_STARTED ? "already started"
		      : code == SUP_FAULT_SPAWN_ERROR ? "spawn error"
		      : code == SUP_FAULT_ABNORMAL_TERMINATION ? "abnormal termination"
							       : NULL;
	} else if (k == R_CLEAR) {
		err = code == SUP_FAULT_FAILED ? "failed" : NULL;
	} else {
		if (code == SUP_FAULT_BAD_SIGNAL)
			err = "bad signal name";
		else if (code == SUP_FAULT_NOT_RUNNING)
			err = "not running";
		else if (code == SUP_FAULT_FAILED)
			line = dup(description);
	}
	if (err)
		line = fmt("%s: ERROR (%s)", ns, err);
	else if (ok)
		line = fmt("%s: %s", ns, ok);
	free(ns);
	return line;
}

static int
unknown_result(sup_ctl *ctl, int code, const char *group, const char *proc)
{
	char *ns = dc_make_namespec(group, proc);
	sup_ctl_error(ctl, "<class 'ValueError'>, Unknown result code %d for %s", code, ns);
	free(ns);
	return SUP_ERR;
}

/* Print every result of a group/all operation. */
static int
print_results(sup_ctl *ctl, enum result_kind k, const sup_value *results, int ignored)
{
	for (int i = 0; i < dc_len(results); i++) {
		const sup_value *r = dc_at(results, i);
		int code = (int)dc_int(r, "status");
		char *line = result_line(k, code, dc_str(r, "group"), dc_str(r, "name"), dc_str(r, "description"));
		if (!line)
			return unknown_result(ctl, code, dc_str(r, "group"), dc_str(r, "name"));
		dc_out(ctl, "%s", line);
		free(line);
		dc_status_from_fault(ctl, code, ignored);
	}
	return SUP_OK;
}

static bool
has_all(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		if (strcmp(argv[i], "all") == 0)
			return true;
	return false;
}

struct op {
	enum result_kind kind;
	const char *all_method, *group_method, *one_method;
	const char *done; /* "started" */
	int ignored;
	int bad_group_status;
};

static const struct op op_start = {R_START, "supervisor.startAllProcesses", "supervisor.startProcessGroup",
				   "supervisor.startProcess", "started", SUP_FAULT_ALREADY_STARTED, DC_INVALID_ARGS};
static const struct op op_stop = {R_STOP, "supervisor.stopAllProcesses", "supervisor.stopProcessGroup",
				  "supervisor.stopProcess", "stopped", SUP_FAULT_NOT_RUNNING, DC_GENERIC};
static const struct op op_signal = {R_SIGNAL, "supervisor.signalAllProcesses", "supervisor.signalProcessGroup",
				    "supervisor.signalProcess", "signalled", -1, DC_GENERIC};

/* start/stop/signal of names (sig: NULL, or the signal argument). */
static int
run_op(sup_ctl *ctl, const struct op *op, int argc, char **argv, int from, const char *sig)
{
	sup_value *res = NULL;
	const char *fault = NULL;
	if (has_all(argc, argv, from)) {
		int rc = sig ? dc_call(ctl, op->all_method, &res, &fault, "s", sig)
			     : dc_call(ctl, op->all_method, &res, &fault, "");
		if (rc != 0)
			return SUP_ERR;
		rc = print_results(ctl, op->kind, res, op->ignored);
		sup_api_->unref(res);
		return rc;
	}
	for (int a = from; a < argc; a++) {
		const char *name = argv[a];
		char *g, *p;
		dc_split_namespec(name, &g, &p);
		int rc;
		if (!p) {
			rc = sig ? dc_call(ctl, op->group_method, &res, &fault, "ss", g, sig)
				 : dc_call(ctl, op->group_method, &res, &fault, "s", g);
			if (rc == 0) {
				rc = print_results(ctl, op->kind, res, op->ignored);
				sup_api_->unref(res);
			} else if (rc == SUP_FAULT_BAD_NAME) {
				dc_out(ctl, "%s: ERROR (no such group)", g);
				dc_status(ctl, op->bad_group_status);
				rc = SUP_OK;
			} else {
				if (rc > 0 && op->kind != R_SIGNAL)
					dc_status(ctl, DC_GENERIC);
				rc = SUP_ERR;
			}
		} else {
			rc = sig ? dc_call(ctl, op->one_method, NULL, &fault, "ss", name, sig)
				 : dc_call(ctl, op->one_method, NULL, &fault, "s", name);
			if (rc == 0) {
				char *ns = dc_make_namespec(g, p);
				dc_out(ctl, "%s: %s", ns, op->done);
				free(ns);
			} else if (rc > 0) {
				char *line = result_line(op->kind, rc, g, p, fault);
				if (!line) {
					rc = unknown_result(ctl, rc, g, p);
				} else {
					dc_out(ctl, "%s", line);
					free(line);
					dc_status_from_fault(ctl, rc, op->ignored);
					rc = SUP_OK;
				}
			}
		}
		free(g);
		free(p);
		if (rc == SUP_ERR)
			return SUP_ERR;
	}
	return SUP_OK;
}

/* upcheck: 1 go on, 0 stop (SUP_OK), SUP_ERR */
#define UPCHECK(ctl)                                           \
	do {                                                   \
		int up_ = sup_api_->ctl_upcheck(ctl);          \
		if (up_ != 1)                                  \
			return up_ == 0 ? SUP_OK : SUP_ERR;    \
	} while (0)

int
dc_start(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	if (argc < 2) {
		dc_out(ctl, "Error: start requires a process name");
		dc_status(ctl, DC_INVALID_ARGS);
		dc_help(ctl, "start");
		return SUP_OK;
	}
	return run_op(ctl, &op_start, argc, argv, 1, NULL);
}

int
dc_stop(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	if (argc < 2) {
		dc_out(ctl, "Error: stop requires a process name");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "stop");
		return SUP_OK;
	}
	return run_op(ctl, &op_stop, argc, argv, 1, NULL);
}

int
dc_restart(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	UPCHECK(ctl);
	if (argc < 2) {
		dc_out(ctl, "Error: restart requires a process name");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "restart");
		return SUP_OK;
	}
	int rc = dc_stop(ctl, argc, argv, ud);
	if (rc == SUP_ERR)
		return rc;
	return dc_start(ctl, argc, argv, ud);
}

int
dc_signal(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	if (argc < 3) {
		dc_out(ctl, "Error: signal requires a signal name and a process name");
		dc_help(ctl, "signal");
		dc_status(ctl, DC_GENERIC);
		return SUP_OK;
	}
	return run_op(ctl, &op_signal, argc, argv, 2, argv[1]);
}

/* ---- pid ------------------------------------------------------------------ */

int
dc_pid(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	sup_value *res = NULL;
	if (argc < 2) {
		if (dc_call(ctl, "supervisor.getPID", &res, NULL, "") != 0)
			return SUP_ERR;
		int64_t pid = 0;
		sup_api_->get_int(res, &pid);
		dc_out(ctl, "%lld", (long long)pid);
		sup_api_->unref(res);
		return SUP_OK;
	}
	if (has_all(argc, argv, 1)) {
		if (dc_call(ctl, "supervisor.getAllProcessInfo", &res, NULL, "") != 0)
			return SUP_ERR;
		for (int i = 0; i < dc_len(res); i++)
			dc_out(ctl, "%lld", dc_int(dc_at(res, i), "pid"));
		sup_api_->unref(res);
		return SUP_OK;
	}
	for (int a = 1; a < argc; a++) {
		int rc = dc_call(ctl, "supervisor.getProcessInfo", &res, NULL, "s", argv[a]);
		if (rc > 0) {
			dc_status(ctl, DC_GENERIC);
			if (rc != SUP_FAULT_BAD_NAME)
				return SUP_ERR;
			dc_out(ctl, "No such process %s", argv[a]);
			continue;
		}
		if (rc < 0)
			return SUP_ERR;
		long long pid = dc_int(res, "pid");
		dc_out(ctl, "%lld", pid);
		if (pid == 0)
			dc_status(ctl, DC_NOT_RUNNING);
		sup_api_->unref(res);
	}
	return SUP_OK;
}

/* ---- clear ---------------------------------------------------------------- */

int
dc_clear(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	if (argc < 2) {
		dc_out(ctl, "Error: clear requires a process name");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "clear");
		return SUP_OK;
	}
	sup_value *res = NULL;
	const char *fault = NULL;
	if (has_all(argc, argv, 1)) {
		if (dc_call(ctl, "supervisor.clearAllProcessLogs", &res, NULL, "") != 0)
			return SUP_ERR;
		int rc = print_results(ctl, R_CLEAR, res, -1);
		sup_api_->unref(res);
		return rc;
	}
	for (int a = 1; a < argc; a++) {
		char *g, *p;
		dc_split_namespec(argv[a], &g, &p);
		int rc = dc_call(ctl, "supervisor.clearProcessLogs", NULL, &fault, "s", argv[a]);
		if (rc == 0) {
			char *ns = dc_make_namespec(g, p);
			dc_out(ctl, "%s: cleared", ns);
			free(ns);
		} else if (rc > 0) {
			char *line = result_line(R_CLEAR, rc, g, p, fault);
			if (!line) {
				rc = unknown_result(ctl, rc, g, p);
			} else {
				dc_out(ctl, "%s", line);
				free(line);
				dc_status_from_fault(ctl, rc, -1);
				rc = SUP_OK;
			}
		}
		free(g);
		free(p);
		if (rc == SUP_ERR)
			return SUP_ERR;
	}
	return SUP_OK;
}

/* ---- quit / exit ------------------------------------------------------------ */

int
dc_quit(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argc, (void)argv, (void)ud;
	dc_out(ctl, "%s", "");
	return SUP_CTL_QUIT;
}

/* ---- registration ---------------------------------------------------------- */

#define P SUP_COMPLETE_PROCESS
#define G SUP_COMPLETE_GROUP
#define N SUP_COMPLETE_NONE

static const struct sup_command commands[] = {
	{"add", dc_add, "add <name> [...]", NULL, G, NULL},
	{"avail", dc_avail, "avail", NULL, N, NULL},
	{"clear", dc_clear, "clear <name> [...]", NULL, P, NULL},
	{"exit", dc_quit, "exit", NULL, N, NULL},
	{"fg", dc_fg, "fg <process>", NULL, P, NULL},
	{"maintail", dc_maintail, "maintail [-f|-N]", NULL, N, NULL},
	{"open", dc_open, "open <url>", NULL, N, NULL},
	{"pid", dc_pid, "pid [all|<name> ...]", NULL, P, NULL},
	{"quit", dc_quit, "quit", NULL, N, NULL},
	{"reload", dc_reload, "reload", NULL, N, NULL},
	{"remove", dc_remove, "remove <name> [...]", NULL, G, NULL},
	{"reread", dc_reread, "reread", NULL, N, NULL},
	{"restart", dc_restart, "restart <name> [...]", NULL, P, NULL},
	{"shutdown", dc_shutdown, "shutdown", NULL, N, NULL},
	{"signal", dc_signal, "signal <signal> <name> [...]", NULL, P, NULL},
	{"start", dc_start, "start <name> [...]", NULL, P, NULL},
	{"status", dc_status_cmd, "status [<name> ...]", NULL, P, NULL},
	{"stop", dc_stop, "stop <name> [...]", NULL, P, NULL},
	{"tail", dc_tail, "tail [-f|-N] <name> [stdout|stderr]", NULL, P, NULL},
	{"update", dc_update, "update [all|<group> ...]", NULL, G, NULL},
	{"version", dc_version, "version", NULL, N, NULL},
};

static int
init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {NULL};
	if (sup_api_->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	struct sup_command cmds[sizeof commands / sizeof commands[0]];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		cmds[i] = commands[i];
		cmds[i].help = help_text(cmds[i].name);
	}
	return sup_ctl_commands(p, cmds, NULL);
}

SUP_PLUGIN_DEFINE(defaultctl, SUP_KIND_CTL, "4.2.5", init, NULL)
