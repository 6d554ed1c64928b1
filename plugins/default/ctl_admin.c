/* supervisorctl's configuration and daemon commands: avail, reread, add,
 * remove, update, shutdown, reload, version, open. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_default.h"

static int
no_arguments(sup_ctl *ctl, int argc, const char *name)
{
	if (argc < 2)
		return 0;
	dc_out(ctl, "Error: %s accepts no arguments", name);
	dc_status(ctl, DC_GENERIC);
	dc_help(ctl, name);
	return 1;
}

/* ---- avail ------------------------------------------------------------------ */

static void
pad(sup_ctl *ctl, const char *s, int width)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	sup_ctl_printf(ctl, "%s%*s", s, (int)((size_t)width > n ? (size_t)width - n : 0), "");
}

int
dc_avail(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv, (void)ud;
	if (no_arguments(ctl, argc, "avail"))
		return SUP_OK;
	sup_value *res = NULL;
	int rc = dc_call(ctl, "supervisor.getAllConfigInfo", &res, NULL, "");
	if (rc != 0) {
		if (rc > 0)
			dc_status(ctl, DC_GENERIC);
		if (rc != SUP_FAULT_SHUTDOWN_STATE)
			return SUP_ERR;
		dc_out(ctl, "ERROR: supervisor shutting down");
		return SUP_OK;
	}
	for (int i = 0; i < dc_len(res); i++) {
		const sup_value *c = dc_at(res, i);
		bool inuse = false, autostart = false;
		sup_api_->get_bool(sup_api_->struct_get(c, "inuse"), &inuse);
		sup_api_->get_bool(sup_api_->struct_get(c, "autostart"), &autostart);
		char *ns = dc_make_namespec(dc_str(c, "group"), dc_str(c, "name"));
		pad(ctl, ns, 32);
		sup_ctl_printf(ctl, " ");
		pad(ctl, inuse ? "in use" : "avail", 9);
		sup_ctl_printf(ctl, " ");
		pad(ctl, autostart ? "auto" : "manual", 9);
		dc_out(ctl, " %lld:%lld", dc_int(c, "group_prio"), dc_int(c, "process_prio"));
		free(ns);
	}
	sup_api_->unref(res);
	return SUP_OK;
}

/* ---- reread ------------------------------------------------------------------ */

static int
cmp_change(const void *a, const void *b)
{
	return strcmp(((const char *const *)a)[0], ((const char *const *)b)[0]);
}

/* _formatChanges: name -> available/changed/disappeared, sorted by name */
static void
format_changes(sup_ctl *ctl, const sup_value *lists)
{
	static const char *const kinds[] = {"available", "changed", "disappeared"};
	int total = 0;
	for (int k = 0; k < 3; k++)
		total += dc_len(dc_at(lists, k)) > 0 ? dc_len(dc_at(lists, k)) : 0;
	const char *(*pairs)[2] = calloc((size_t)total + 1, sizeof(*pairs));
	int n = 0;
	for (int k = 0; k < 3; k++) {
		const sup_value *l = dc_at(lists, k);
		for (int i = 0; i < dc_len(l); i++) {
			const char *name = "";
			sup_api_->get_string(dc_at(l, i), &name, NULL);
			int j = 0;
			while (j < n && strcmp(pairs[j][0], name) != 0)
				j++;
			pairs[j][0] = name;
			pairs[j][1] = kinds[k];
			if (j == n)
				n++;
		}
	}
	if (!n)
		dc_out(ctl, "No config updates to processes");
	qsort(pairs, (size_t)n, sizeof(*pairs), cmp_change);
	for (int i = 0; i < n; i++)
		dc_out(ctl, "%s: %s", pairs[i][0], pairs[i][1]);
	free(pairs);
}

int
dc_reread(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv, (void)ud;
	if (no_arguments(ctl, argc, "reread"))
		return SUP_OK;
	sup_value *res = NULL;
	const char *fault = NULL;
	int rc = dc_call(ctl, "supervisor.reloadConfig", &res, &fault, "");
	if (rc < 0)
		return SUP_ERR;
	if (rc > 0) {
		dc_status(ctl, DC_GENERIC);
		if (rc == SUP_FAULT_SHUTDOWN_STATE)
			dc_out(ctl, "ERROR: supervisor shutting down");
		else if (rc == SUP_FAULT_CANT_REREAD)
			dc_out(ctl, "ERROR: %s", fault);
		else
			return SUP_ERR;
		return SUP_OK;
	}
	format_changes(ctl, dc_at(res, 0));
	sup_api_->unref(res);
	return SUP_OK;
}

/* ---- add / remove --------------------------------------------------------------- */

int
dc_add(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	for (int a = 1; a < argc; a++) {
		int rc = dc_call(ctl, "supervisor.addProcessGroup", NULL, NULL, "s", argv[a]);
		if (rc == 0) {
			dc_out(ctl, "%s: added process group", argv[a]);
		} else if (rc == SUP_FAULT_SHUTDOWN_STATE) {
			dc_out(ctl, "ERROR: shutting down");
			dc_status(ctl, DC_GENERIC);
		} else if (rc == SUP_FAULT_ALREADY_ADDED) {
			dc_out(ctl, "ERROR: process group already active");
		} else if (rc == SUP_FAULT_BAD_NAME) {
			dc_out(ctl, "ERROR: no such process/group: %s", argv[a]);
			dc_status(ctl, DC_GENERIC);
		} else {
			if (rc > 0)
				dc_status(ctl, DC_GENERIC);
			return SUP_ERR;
		}
	}
	return SUP_OK;
}

int
dc_remove(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	for (int a = 1; a < argc; a++) {
		int rc = dc_call(ctl, "supervisor.removeProcessGroup", NULL, NULL, "s", argv[a]);
		if (rc == 0) {
			dc_out(ctl, "%s: removed process group", argv[a]);
			continue;
		}
		if (rc < 0)
			return SUP_ERR;
		dc_status(ctl, DC_GENERIC);
		if (rc == SUP_FAULT_STILL_RUNNING)
			dc_out(ctl, "ERROR: process/group still running: %s", argv[a]);
		else if (rc == SUP_FAULT_BAD_NAME)
			dc_out(ctl, "ERROR: no such process/group: %s", argv[a]);
		else
			return SUP_ERR;
	}
	return SUP_OK;
}

/* ---- update ---------------------------------------------------------------------- */

static bool
in_list(const sup_value *list, const char *name)
{
	for (int i = 0; i < dc_len(list); i++) {
		const char *s = NULL;
		if (sup_api_->get_string(dc_at(list, i), &s, NULL) == SUP_OK && strcmp(s, name) == 0)
			return true;
	}
	return false;
}

static bool
in_argv(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int
dc_update(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)ud;
	sup_value *res = NULL;
	int rc = dc_call(ctl, "supervisor.reloadConfig", &res, NULL, "");
	if (rc != 0) {
		if (rc > 0)
			dc_status(ctl, DC_GENERIC);
		if (rc != SUP_FAULT_SHUTDOWN_STATE)
			return SUP_ERR;
		dc_out(ctl, "ERROR: already shutting down");
		return SUP_OK;
	}
	const sup_value *lists = dc_at(res, 0);
	const sup_value *added = dc_at(lists, 0), *changed = dc_at(lists, 1), *removed = dc_at(lists, 2);
	/* the requested groups; "all" anywhere means every group */
	bool some = argc > 1 && !in_argv(argc, argv, "all");
	if (some) {
		sup_value *infos = NULL;
		if (dc_call(ctl, "supervisor.getAllProcessInfo", &infos, NULL, "") != 0) {
			sup_api_->unref(res);
			return SUP_ERR;
		}
		for (int a = 1; a < argc; a++) {
			if (in_argv(a, argv, argv[a]))
				continue; /* a set: each name once */
			bool known = in_list(added, argv[a]);
			for (int i = 0; i < dc_len(infos) && !known; i++)
				known = strcmp(dc_str(dc_at(infos, i), "group"), argv[a]) == 0;
			if (!known) {
				dc_out(ctl, "ERROR: no such group: %s", argv[a]);
				dc_status(ctl, DC_GENERIC);
			}
		}
		sup_api_->unref(infos);
	}
	rc = SUP_OK;
	for (int i = 0; i < dc_len(removed) && rc == SUP_OK; i++) {
		const char *g = "";
		sup_api_->get_string(dc_at(removed, i), &g, NULL);
		if (some && !in_argv(argc, argv, g))
			continue;
		sup_value *results = NULL;
		if (dc_call(ctl, "supervisor.stopProcessGroup", &results, NULL, "s", g) != 0) {
			rc = SUP_ERR;
			break;
		}
		dc_out(ctl, "%s: stopped", g);
		bool fails = false;
		for (int k = 0; k < dc_len(results); k++)
			fails |= dc_int(dc_at(results, k), "status") == SUP_FAULT_FAILED;
		sup_api_->unref(results);
		if (fails) {
			dc_out(ctl, "%s: has problems; not removing", g);
			dc_status(ctl, DC_GENERIC);
			continue;
		}
		if (dc_call(ctl, "supervisor.removeProcessGroup", NULL, NULL, "s", g) != 0)
			rc = SUP_ERR;
		else
			dc_out(ctl, "%s: removed process group", g);
	}
	for (int i = 0; i < dc_len(changed) && rc == SUP_OK; i++) {
		const char *g = "";
		sup_api_->get_string(dc_at(changed, i), &g, NULL);
		if (some && !in_argv(argc, argv, g))
			continue;
		if (dc_call(ctl, "supervisor.stopProcessGroup", NULL, NULL, "s", g) != 0) {
			rc = SUP_ERR;
			break;
		}
		dc_out(ctl, "%s: stopped", g);
		if (dc_call(ctl, "supervisor.removeProcessGroup", NULL, NULL, "s", g) != 0 ||
		    dc_call(ctl, "supervisor.addProcessGroup", NULL, NULL, "s", g) != 0) {
			rc = SUP_ERR;
			break;
		}
		dc_out(ctl, "%s: updated process group", g);
	}
	for (int i = 0; i < dc_len(added) && rc == SUP_OK; i++) {
		const char *g = "";
		sup_api_->get_string(dc_at(added, i), &g, NULL);
		if (some && !in_argv(argc, argv, g))
			continue;
		if (dc_call(ctl, "supervisor.addProcessGroup", NULL, NULL, "s", g) != 0)
			rc = SUP_ERR;
		else
			dc_out(ctl, "%s: added process group", g);
	}
	sup_api_->unref(res);
	return rc;
}

/* ---- shutdown / reload ------------------------------------------------------------- */

/* In interactive mode, ask; 1 yes, 0 no, SUP_ERR at end of input. */
static int
confirm(sup_ctl *ctl, const char *question)
{
	const char *inter = sup_api_->ctl_option(ctl, "interactive");
	if (!inter || strcmp(inter, "1") != 0)
		return 1;
	char *answer = sup_api_->ctl_input(ctl, question);
	if (!answer)
		return sup_ctl_error(ctl, "<class 'EOFError'>, EOF when reading a line");
	int yes = answer[0] == 'y' || answer[0] == 'Y';
	free(answer);
	return yes;
}

int
dc_shutdown(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv, (void)ud;
	if (no_arguments(ctl, argc, "shutdown"))
		return SUP_OK;
	int really = confirm(ctl, "Really shut the remote supervisord process down y/N? ");
	if (really != 1)
		return really;
	int rc = dc_call(ctl, "supervisor.shutdown", NULL, NULL, "");
	if (rc == 0) {
		dc_out(ctl, "Shut down");
		return SUP_OK;
	}
	if (rc == SUP_FAULT_SHUTDOWN_STATE) {
		dc_out(ctl, "ERROR: already shutting down");
		return SUP_OK;
	}
	if (rc > 0) {
		dc_status(ctl, DC_GENERIC);
		return SUP_ERR;
	}
	int e = errno;
	const char *url = sup_api_->ctl_option(ctl, "serverurl");
	if (e == ECONNREFUSED || e == ENOENT) {
		dc_status(ctl, DC_GENERIC);
		dc_out(ctl, "ERROR: %s %s (already shut down?)", url, e == ENOENT ? "no such file" : "refused connection");
		return SUP_OK;
	}
	return SUP_ERR;
}

int
dc_reload(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv, (void)ud;
	if (no_arguments(ctl, argc, "reload"))
		return SUP_OK;
	int really = confirm(ctl, "Really restart the remote supervisord process y/N? ");
	if (really != 1)
		return really;
	int rc = dc_call(ctl, "supervisor.restart", NULL, NULL, "");
	if (rc == 0) {
		dc_out(ctl, "Restarted supervisord");
		return SUP_OK;
	}
	if (rc < 0)
		return SUP_ERR;
	dc_status(ctl, DC_GENERIC);
	if (rc != SUP_FAULT_SHUTDOWN_STATE)
		return SUP_ERR;
	dc_out(ctl, "ERROR: already shutting down");
	return SUP_OK;
}

/* ---- version / open ------------------------------------------------------------------ */

int
dc_version(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv, (void)ud;
	if (no_arguments(ctl, argc, "version"))
		return SUP_OK;
	int up = sup_api_->ctl_upcheck(ctl);
	if (up != 1)
		return up == 0 ? SUP_OK : SUP_ERR;
	sup_value *res = NULL;
	if (dc_call(ctl, "supervisor.getSupervisorVersion", &res, NULL, "") != 0)
		return SUP_ERR;
	const char *v = "";
	sup_api_->get_string(res, &v, NULL);
	dc_out(ctl, "%s", v);
	sup_api_->unref(res);
	return SUP_OK;
}

/* urlparse(url).scheme: lower-cased, "" when there is none */
static bool
scheme_is(const char *url, const char *want)
{
	const char *colon = strchr(url, ':');
	if (!colon || colon == url)
		return false;
	if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
		return false;
	size_t n = (size_t)(colon - url);
	if (n != strlen(want))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = url[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return false;
	}
	return true;
}

int
dc_open(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *url = calloc(len, 1);
	if (!url)
		abort();
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strcat(url, " ");
		strcat(url, argv[i]);
	}
	if (!scheme_is(url, "unix") && !scheme_is(url, "http")) {
		dc_out(ctl, "ERROR: url must be http:// or unix://");
		dc_status(ctl, DC_GENERIC);
		free(url);
		return SUP_OK;
	}
	sup_api_->ctl_set_serverurl(ctl, url);
	free(url);
	int old = dc_get_status(ctl);
	char *noargs[] = {argv[0], NULL};
	int rc = dc_status_cmd(ctl, 1, noargs, ud);
	if (rc == SUP_ERR)
		return rc;
	dc_status(ctl, old);
	return SUP_OK;
}
