/* sitectl: supervisorctl commands for the site RPC namespace of
 * plugins/example/site.c, written the way a third party writes a ctl
 * plugin: only <csupervisor/plugin.h>, built out of tree with
 *
 *   cc -std=c11 -fPIC -fvisibility=hidden -shared -Wl,-z,defs \
 *      $(pkg-config --cflags csupervisor-plugin) -o sitectl.so sitectl.c
 *
 * and loaded by supervisorctl with
 *
 *   [ctlplugin:site]
 *   supervisor.ctl_factory = /usr/lib/csupervisor/plugins/sitectl.so
 *   namespace = site          ; the daemon's [rpcinterface:NAME] (default site)
 *
 * Commands:
 *   summary              the processes per state, then those not RUNNING;
 *                        exit status 3 when any is not RUNNING (as status)
 *   heal [nowait]        start the FATAL processes and those EXITED with an
 *                        unexpected status (site.restartUnhealthy); exit
 *                        status 1 when one of them failed
 *   uptime <name> ...    how long each process has been RUNNING; exit
 *                        status 3 for one not running, 4 for no such one
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csupervisor/plugin.h>

#include "site_fields.h"

#define API sup_api_

/* supervisorctl's exit statuses (LSB, as for "status") */
enum { EXIT_FAILED = 1, EXIT_NOT_RUNNING = 3, EXIT_NO_SUCH = 4 };

static const char *const state_order[] = {"RUNNING", "STARTING", "BACKOFF", "STOPPING",
					  "STOPPED", "EXITED", "FATAL", "UNKNOWN"};

/* the namespace, from the key "namespace": borrowed from the host */
struct sitectl {
	const char *ns;
};


/* Call NS.method(params); 0 with *result, a fault code (> 0) with *fault,
 * or SUP_ERR (the host describes a failed call). A missing namespace is
 * the one fault every command explains the same way. */
static int
site_call(sup_ctl *ctl, const struct sitectl *sc, const char *method, sup_value *params, sup_value **result,
	  const char **fault)
{
	char name[128];
	snprintf(name, sizeof name, "%s.%s", sc->ns, method);
	int rc = API->ctl_call(ctl, name, params, result, fault);
	if (rc == SUP_FAULT_UNKNOWN_METHOD)
		return sup_ctl_error(ctl, "the server has no %s namespace: add [rpcinterface:%s] with the site plugin "
				     "to supervisord.conf", sc->ns, sc->ns);
	return rc;
}

/* The server answers (supervisorctl's upcheck): 1, else what to return. */
static int
server_up(sup_ctl *ctl, int *ret)
{
	int up = API->ctl_upcheck(ctl);
	*ret = up == SUP_ERR ? SUP_ERR : SUP_OK;
	return up == 1;
}

/* ---- summary ---- */

static int
cmd_summary(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argv;
	const struct sitectl *sc = ud;
	int ret;
	if (argc > 1)
		return sup_ctl_error(ctl, "summary takes no arguments");
	if (!server_up(ctl, &ret))
		return ret;
	sup_value *s = NULL;
	int rc = site_call(ctl, sc, "summary", NULL, &s, NULL);
	if (rc != 0)
		return SUP_ERR;
	const sup_value *states = API->struct_get(s, "states");
	sup_ctl_printf(ctl, "%lld process%s", (long long)int_field(s, "total"), int_field(s, "total") == 1 ? "" : "es");
	const char *sep = ": ";
	for (size_t i = 0; i < sizeof state_order / sizeof state_order[0]; i++) {
		int64_t n = int_field(states, state_order[i]);
		if (n) {
			sup_ctl_printf(ctl, "%s%lld %s", sep, (long long)n, state_order[i]);
			sep = ", ";
		}
	}
	sup_ctl_printf(ctl, "\n");
	const sup_value *down = API->struct_get(s, "notRunning");
	int n = API->array_size(down);
	for (int i = 0; i < n; i++) {
		const sup_value *e = API->array_get(down, i);
		sup_ctl_printf(ctl, "%-32s %-10s %s\n", str_field(e, "name"), str_field(e, "statename"),
			       str_field(e, "description"));
	}
	if (n > 0)
		API->ctl_set_status(ctl, EXIT_NOT_RUNNING);
	API->unref(s);
	return SUP_OK;
}

/* ---- heal [nowait] ---- */

static const char *
outcome(int64_t status)
{
	switch (status) {
	case SUP_FAULT_SUCCESS: return "started";
	case SUP_FAULT_SPAWN_ERROR: return "ERROR (spawn error)";
	case SUP_FAULT_ABNORMAL_TERMINATION: return "ERROR (abnormal termination)";
	case SUP_FAULT_ALREADY_STARTED: return "ERROR (already started)";
	case SUP_FAULT_BAD_NAME: return "ERROR (no such process)";
	default: return NULL;
	}
}

static int
cmd_heal(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	const struct sitectl *sc = ud;
	bool wait = true;
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "nowait")))
		return sup_ctl_error(ctl, "usage: heal [nowait]");
	if (argc == 2)
		wait = false;
	int ret;
	if (!server_up(ctl, &ret))
		return ret;
	sup_value *params = API->array_new();
	API->array_push(params, API->bool_new(wait));
	sup_value *results = NULL;
	if (site_call(ctl, sc, "restartUnhealthy", params, &results, NULL) != 0)
		return SUP_ERR;
	int n = API->array_size(results);
	if (n <= 0)
		sup_ctl_printf(ctl, "nothing to heal\n");
	for (int i = 0; i < n; i++) {
		const sup_value *r = API->array_get(results, i);
		const char *name = str_field(r, "name"), *group = str_field(r, "group");
		int64_t status = int_field(r, "status");
		const char *what = outcome(status);
		if (strcmp(name, group))
			sup_ctl_printf(ctl, "%s:", group);
		if (what)
			sup_ctl_printf(ctl, "%s: %s\n", name, what);
		else
			sup_ctl_printf(ctl, "%s: ERROR (%s)\n", name, str_field(r, "description"));
		if (status != SUP_FAULT_SUCCESS)
			API->ctl_set_status(ctl, EXIT_FAILED);
	}
	API->unref(results);
	return SUP_OK;
}

static void
complete_heal(sup_ctl *ctl, int argc, char **argv, const char *word, void *ud)
{
	(void)argv, (void)word, (void)ud;
	if (argc <= 2) /* "heal" and the word being completed */
		API->ctl_match(ctl, "nowait");
}

/* ---- uptime <name> ... ---- */

static int
cmd_uptime(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	const struct sitectl *sc = ud;
	if (argc < 2)
		return sup_ctl_error(ctl, "usage: uptime <name> [...]");
	int ret;
	if (!server_up(ctl, &ret))
		return ret;
	for (int i = 1; i < argc; i++) {
		sup_value *params = API->array_new();
		API->array_push(params, sup_string(argv[i]));
		sup_value *v = NULL;
		const char *fault = NULL;
		int rc = site_call(ctl, sc, "uptime", params, &v, &fault);
		if (rc == SUP_ERR)
			return SUP_ERR;
		if (rc == SUP_FAULT_BAD_NAME || rc == SUP_FAULT_NOT_RUNNING) {
			sup_ctl_printf(ctl, "%s: ERROR (%s)\n", argv[i],
				       rc == SUP_FAULT_BAD_NAME ? "no such process" : "not running");
			API->ctl_set_status(ctl, rc == SUP_FAULT_BAD_NAME ? EXIT_NO_SUCH : EXIT_NOT_RUNNING);
			continue;
		}
		if (rc != 0)
			return sup_ctl_error(ctl, "%s: %s", argv[i], fault ? fault : "failed");
		int64_t up = 0;
		API->get_int(v, &up);
		API->unref(v);
		long long d = up / 86400, h = up % 86400 / 3600, m = up % 3600 / 60, s = up % 60;
		if (d)
			sup_ctl_printf(ctl, "%s: %lld day%s, %lld:%02lld:%02lld\n", argv[i], d, d == 1 ? "" : "s", h, m, s);
		else
			sup_ctl_printf(ctl, "%s: %lld:%02lld:%02lld\n", argv[i], h, m, s);
	}
	return SUP_OK;
}

static const struct sup_command commands[] = {
	{"summary", cmd_summary, "summary",
	 "summary\t\tCount the processes in each state and list those not RUNNING\n"
	 "\t\t(exit status 3 when any is not RUNNING)",
	 SUP_COMPLETE_NONE, NULL},
	{"heal", cmd_heal, "heal [nowait]",
	 "heal\t\tStart every FATAL process and every EXITED one whose exit status\n"
	 "\t\twas not expected, and wait until each is RUNNING or has failed\n"
	 "heal nowait\tStart them without waiting",
	 SUP_COMPLETE_CUSTOM, complete_heal},
	{"uptime", cmd_uptime, "uptime <name> [...]",
	 "uptime <name>\t\tHow long a process has been RUNNING\n"
	 "uptime <name> <name>\tThe same for several processes",
	 SUP_COMPLETE_PROCESS, NULL},
};

static int
sitectl_init(sup_plugin *p, const sup_config *cfg)
{
	static const char *const keys[] = {"namespace", NULL};
	if (API->config_check(cfg, keys) != SUP_OK)
		return SUP_ERR;
	struct sitectl *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return SUP_ERR;
	API->set_data(p, sc, free);
	const char *ns = API->config_get(cfg, "namespace");
	sc->ns = ns && *ns ? ns : "site";
	return sup_ctl_commands(p, commands, sc);
}

SUP_PLUGIN_DEFINE(sitectl, SUP_KIND_CTL, "1.0", sitectl_init, NULL)
