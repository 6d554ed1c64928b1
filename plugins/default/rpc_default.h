/* Shared helpers of the built-in `supervisor` namespace (plugins/default):
 * rpc.c (registration, daemon and info methods), rpc_procs.c (start, stop,
 * signals, stdin, group and "all" operations), rpc_logs.c (log reading and
 * clearing). Only <csupervisor/plugin.h> and libc. */
#ifndef CSUP_PLUGIN_DEFAULT_H
#define CSUP_PLUGIN_DEFAULT_H

#include <csupervisor/plugin.h>

#define API sup_api_

/* Process states (Supervisor's ProcessStates). */
enum {
	PSTATE_STOPPED = 0,
	PSTATE_STARTING = 10,
	PSTATE_RUNNING = 20,
	PSTATE_BACKOFF = 30,
	PSTATE_STOPPING = 40,
	PSTATE_EXITED = 100,
	PSTATE_FATAL = 200,
	PSTATE_UNKNOWN = 1000
};

/* The SHUTDOWN_STATE check every supervisor.* method makes first: true
 * (after faulting the call) while the daemon restarts or shuts down. */
bool dflt_refuse(sup_call *call);
/* The same check without a call: is the daemon restarting or stopping? */
bool dflt_stopping(void);

/* Supervisor's fault name for a code ("UNKNOWN" if none). */
const char *dflt_fault_name(int code);
/* RPCError.text: "NAME: detail", or "NAME" when detail is NULL. malloc'd. */
char *dflt_fault_text(int code, const char *detail);
/* A group/all operation result struct (rpc.md 7.2); code 0 = SUCCESS. */
sup_value *dflt_result(const char *group, const char *name, int code, const char *detail);
/* "g:p" split at the first ':' (malloc'd parts). */
void dflt_split(const char *spec, char **group, char **name);
/* make_namespec: "p" when group == process name, else "g:p". malloc'd. */
char *dflt_namespec(const char *group, const char *name);
/* "g:" / "g:*": the whole-group forms of a namespec; *group malloc'd. */
bool dflt_group_form(const char *spec, char **group);

/* Python's int(v): ints, booleans, doubles (truncated) and decimal strings
 * (surrounding whitespace, sign, '_' between digits). false otherwise. */
bool dflt_pyint(const sup_value *v, int64_t *out);
/* Python's str(v), for fault details that echo an argument. malloc'd. */
char *dflt_pystr(const sup_value *v);

/* A string member of a struct, or "" (borrowed). */
const char *dflt_get_str(const sup_value *st, const char *key);
/* An int member of a struct, or dflt. */
int64_t dflt_get_int(const sup_value *st, const char *key, int64_t dflt);

/* The method tables of each part. */
extern const struct sup_method dflt_proc_methods[];
extern const size_t dflt_proc_nmethods;
extern const struct sup_method dflt_log_methods[];
extern const size_t dflt_log_nmethods;

#endif
