/* The default supervisorctl commands (Supervisor's DefaultControllerPlugin),
 * written against <csupervisor/plugin.h> only. Shared helpers. */
#ifndef CSUP_CTL_DEFAULT_H
#define CSUP_CTL_DEFAULT_H

#include <csupervisor/plugin.h>
#include <stdbool.h>

/* LSB exit statuses (supervisorctl.LSBInitExitStatuses). */
enum {
	DC_SUCCESS = 0,
	DC_GENERIC = 1,
	DC_INVALID_ARGS = 2,
	DC_NOT_RUNNING = 7,
	DC_STATUS_NOT_RUNNING = 3,
	DC_STATUS_UNKNOWN = 4,
};

/* Process states (supervisor.states.ProcessStates). */
enum { DC_STATE_STOPPED = 0, DC_STATE_RUNNING = 20, DC_STATE_EXITED = 100, DC_STATE_FATAL = 200, DC_STATE_UNKNOWN = 1000 };

/* One output line (a '\n' is added). */
void dc_out(sup_ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dc_status(sup_ctl *ctl, int status);
int dc_get_status(sup_ctl *ctl);

/* ctl_call with params built from a format: 's' string, 'i' int. Returns
 * as ctl_call. */
int dc_call(sup_ctl *ctl, const char *method, sup_value **result, const char **fault, const char *fmt, ...);

/* Values (borrowed; "" / 0 when missing). */
const char *dc_str(const sup_value *st, const char *key);
long long dc_int(const sup_value *st, const char *key);
int dc_len(const sup_value *array);           /* -1: not an array */
const sup_value *dc_at(const sup_value *array, int i);

/* options.split_namespec: *proc NULL for "g:" and "g:*"; new strings. */
void dc_split_namespec(const char *name, char **group, char **proc);
/* options.make_namespec ("None" for a NULL process, as Python prints);
 * new string. */
char *dc_make_namespec(const char *group, const char *proc);

/* set_exitstatus_from_xmlrpc_fault */
void dc_status_from_fault(sup_ctl *ctl, int code, int ignored);

/* Python's repr(str) as a new string. */
char *dc_repr(const char *s);
/* Python's int(s) for a command argument; false when it raises. */
bool dc_parse_int(const char *s, long long *out);

/* Help texts, printed after argument errors too. */
void dc_help(sup_ctl *ctl, const char *name);

/* Commands, by file. */
int dc_status_cmd(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_start(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_stop(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_restart(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_signal(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_pid(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_clear(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_tail(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_maintail(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_fg(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_avail(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_reread(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_add(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_remove(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_update(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_shutdown(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_reload(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_version(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_open(sup_ctl *ctl, int argc, char **argv, void *ud);
int dc_quit(sup_ctl *ctl, int argc, char **argv, void *ud);

#endif
