/* supervisorctl's log commands: tail, maintail, fg. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_default.h"

#define UPCHECK(ctl)                                           \
	do {                                                   \
		int up_ = sup_api_->ctl_upcheck(ctl);          \
		if (up_ != 1)                                  \
			return up_ == 0 ? SUP_OK : SUP_ERR;    \
	} while (0)

/* _tailf: follow one server path until Ctrl-C or its end. */
static int
tailf(sup_ctl *ctl, const char *path)
{
	dc_out(ctl, "==> Press Ctrl-C to exit <==");
	const char *paths[] = {path};
	if (sup_api_->ctl_stream(ctl, paths, 1, NULL, NULL) == SUP_STREAM_INTERRUPTED)
		dc_out(ctl, "%s", "");
	return SUP_OK;
}

/* The byte count of "-N" (Python: int(what)); false: bad argument. XML-RPC
 * ints are 32-bit, as xmlrpc.client refuses bigger ones. */
static bool
byte_count(sup_ctl *ctl, const char *what, long long *bytes, int *rc)
{
	if (!dc_parse_int(what, bytes))
		return false;
	if (*bytes > 2147483647LL || *bytes < -2147483647LL) {
		*rc = sup_ctl_error(ctl, "<class 'OverflowError'>, int exceeds XML-RPC limits");
		return true;
	}
	*rc = SUP_OK;
	return true;
}

static void
print_text(sup_ctl *ctl, const sup_value *v)
{
	const char *s = "";
	size_t len = 0;
	sup_api_->get_string(v, &s, &len);
	/* the text may hold NULs: print it whole */
	for (size_t off = 0; off < len;) {
		const char *nul = memchr(s + off, 0, len - off);
		size_t n = nul ? (size_t)(nul - (s + off)) : len - off;
		sup_ctl_printf(ctl, "%.*s", (int)n, s + off);
		if (nul) {
			sup_ctl_printf(ctl, "%c", 0);
			n++;
		}
		off += n;
	}
	sup_ctl_printf(ctl, "\n");
}

int
dc_tail(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	int nargs = argc - 1;
	char **args = argv + 1;
	if (nargs < 1) {
		dc_out(ctl, "Error: too few arguments");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "tail");
		return SUP_OK;
	}
	if (nargs > 3) {
		dc_out(ctl, "Error: too many arguments");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "tail");
		return SUP_OK;
	}
	const char *modifier = NULL;
	if (args[0][0] == '-') {
		modifier = args[0];
		args++;
		nargs--;
	}
	const char *name;
	char channel[16] = "stdout";
	if (nargs == 1) {
		name = args[0];
	} else if (nargs > 1) {
		name = args[0];
		const char *last = args[nargs - 1];
		char *low = strdup(last);
		for (char *c = low; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (strcmp(low, "stdout") != 0 && strcmp(low, "stderr") != 0) {
			char *r = dc_repr(low);
			dc_out(ctl, "Error: bad channel %s", r);
			free(r);
			free(low);
			dc_status(ctl, DC_GENERIC);
			return SUP_OK;
		}
		strcpy(channel, low);
		free(low);
	} else {
		dc_out(ctl, "Error: tail requires process name");
		dc_status(ctl, DC_GENERIC);
		return SUP_OK;
	}
	long long bytes = 1600;
	bool follow = false;
	if (modifier) {
		const char *what = modifier + 1;
		if (strcmp(what, "f") == 0) {
			follow = true;
		} else {
			int rc = SUP_OK;
			if (!byte_count(ctl, what, &bytes, &rc)) {
				dc_out(ctl, "Error: bad argument %s", modifier);
				dc_status(ctl, DC_GENERIC);
				return SUP_OK;
			}
			if (rc != SUP_OK)
				return rc;
		}
	}
	if (follow) {
		char *path = NULL;
		if (asprintf(&path, "/logtail/%s/%s", name, channel) < 0)
			abort();
		int rc = tailf(ctl, path);
		free(path);
		return rc;
	}
	sup_value *res = NULL;
	int rc = dc_call(ctl,
			 strcmp(channel, "stdout") == 0 ? "supervisor.readProcessStdoutLog"
							: "supervisor.readProcessStderrLog",
			 &res, NULL, "sii", name, -bytes, 0LL);
	if (rc < 0)
		return SUP_ERR;
	if (rc > 0) {
		dc_status(ctl, DC_GENERIC);
		const char *what = rc == SUP_FAULT_NO_FILE ? "no log file"
				   : rc == SUP_FAULT_FAILED ? "unknown error reading log"
				   : rc == SUP_FAULT_BAD_NAME ? "no such process name"
							      : NULL;
		if (!what)
			return SUP_ERR;
		dc_out(ctl, "%s: ERROR (%s)", name, what);
		return SUP_OK;
	}
	print_text(ctl, res);
	sup_api_->unref(res);
	return SUP_OK;
}

int
dc_maintail(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	long long bytes = 1600;
	if (argc > 2) {
		dc_out(ctl, "Error: too many arguments");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "maintail");
		return SUP_OK;
	}
	if (argc == 2) {
		const char *a = argv[1];
		if (a[0] != '-') {
			dc_out(ctl, "Error: bad argument %s", a);
			dc_status(ctl, DC_GENERIC);
			return SUP_OK;
		}
		if (strcmp(a + 1, "f") == 0)
			return tailf(ctl, "/mainlogtail");
		int rc = SUP_OK;
		if (!byte_count(ctl, a + 1, &bytes, &rc)) {
			dc_out(ctl, "Error: bad argument %s", a);
			dc_status(ctl, DC_GENERIC);
			return SUP_OK;
		}
		if (rc != SUP_OK)
			return rc;
	}
	sup_value *res = NULL;
	int rc = dc_call(ctl, "supervisor.readLog", &res, NULL, "ii", -bytes, 0LL);
	if (rc < 0)
		return SUP_ERR;
	if (rc > 0) {
		dc_status(ctl, DC_GENERIC);
		if (rc == SUP_FAULT_NO_FILE)
			dc_out(ctl, "supervisord: ERROR (no log file)");
		else if (rc == SUP_FAULT_FAILED)
			dc_out(ctl, "supervisord: ERROR (unknown error reading log)");
		else
			return SUP_ERR;
		return SUP_OK;
	}
	print_text(ctl, res);
	sup_api_->unref(res);
	return SUP_OK;
}

/* ---- fg -------------------------------------------------------------------- */

struct fg {
	const char *name;
	int rc; /* SUP_ERR: a call failed */
};

static void
fault_out(sup_ctl *ctl, int code, const char *fault)
{
	char *r = dc_repr(fault ? fault : "");
	dc_out(ctl, "ERROR: <Fault %d: %s>", code, r);
	free(r);
}

/* One line typed in the foreground: to the process's stdin. */
static int
fg_line(sup_ctl *ctl, const char *line, size_t len, void *ud)
{
	struct fg *f = ud;
	char *data = malloc(len + 2);
	if (!data)
		abort();
	memcpy(data, line, len);
	data[len] = '\n';
	data[len + 1] = 0;
	const char *fault = NULL;
	int rc = dc_call(ctl, "supervisor.sendProcessStdin", NULL, &fault, "ss", f->name, data);
	free(data);
	if (rc > 0) {
		if (rc == SUP_FAULT_NOT_RUNNING)
			dc_out(ctl, "Process got killed");
		else
			fault_out(ctl, rc, fault);
		dc_out(ctl, "Exiting foreground");
		return 1;
	}
	if (rc < 0) {
		f->rc = SUP_ERR;
		return 1;
	}
	sup_value *info = NULL;
	rc = dc_call(ctl, "supervisor.getProcessInfo", &info, NULL, "s", f->name);
	if (rc != 0) {
		f->rc = SUP_ERR;
		return 1;
	}
	long long state = dc_int(info, "state");
	sup_api_->unref(info);
	if (state != DC_STATE_RUNNING) {
		dc_out(ctl, "Process got killed");
		dc_out(ctl, "Exiting foreground");
		return 1;
	}
	return 0;
}

int
dc_fg(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	UPCHECK(ctl);
	if (argc < 2) {
		dc_out(ctl, "ERROR: no process name supplied");
		dc_status(ctl, DC_GENERIC);
		dc_help(ctl, "fg");
		return SUP_OK;
	}
	if (argc > 2) {
		dc_out(ctl, "ERROR: too many process names supplied");
		dc_status(ctl, DC_GENERIC);
		return SUP_OK;
	}
	const char *name = argv[1];
	sup_value *info = NULL;
	const char *fault = NULL;
	int rc = dc_call(ctl, "supervisor.getProcessInfo", &info, &fault, "s", name);
	if (rc < 0)
		return SUP_ERR;
	if (rc > 0) {
		if (rc == SUP_FAULT_BAD_NAME) {
			dc_out(ctl, "ERROR: bad process name supplied");
			dc_status(ctl, DC_GENERIC);
		} else {
			fault_out(ctl, rc, fault);
		}
		return SUP_OK;
	}
	long long state = dc_int(info, "state");
	sup_api_->unref(info);
	if (state != DC_STATE_RUNNING) {
		dc_out(ctl, "ERROR: process not running");
		dc_status(ctl, DC_GENERIC);
		return SUP_OK;
	}
	dc_out(ctl, "==> Press Ctrl-C to exit <==");
	char *paths[2] = {NULL, NULL};
	if (asprintf(&paths[0], "/logtail/%s/stdout", name) < 0 || asprintf(&paths[1], "/logtail/%s/stderr", name) < 0)
		abort();
	struct fg f = {name, SUP_OK};
	int sr = sup_api_->ctl_stream(ctl, (const char *const *)paths, 2, fg_line, &f);
	free(paths[0]);
	free(paths[1]);
	if (f.rc == SUP_ERR)
		return SUP_ERR;
	if (sr == SUP_STREAM_INTERRUPTED || sr == SUP_STREAM_EOF)
		dc_out(ctl, "Exiting foreground");
	return SUP_OK;
}
