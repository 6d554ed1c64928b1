/* A mock supervisord for unit-testing plugins without the daemon (collectd's
 * plugin_mock.c, made simple by the function table): a struct sup_api whose
 * functions record what the plugin does.
 *
 *   sup_plugin *p = mock_load(sup_plugin_query, "site", (const char *[]){"exclude", "x", NULL});
 *   mock_proc_add("web", "web", "RUNNING", 0);
 *   struct mock_call *c = mock_call("site.summary", NULL);
 *   ck_assert_int_eq(c->state, MOCK_REPLIED);
 *   ... c->result ...
 *   mock_call_free(c);
 *   mock_unload(p);
 *   ck_assert_int_eq(mock_live_values(), 0);   -- no reference leaked
 *
 * The plugin's code is linked into the test program (or dlopen()ed); its
 * init() gets mock_api(). Everything is single-threaded and deterministic:
 * time is virtual (mock_advance), process operations finish when the test
 * says so (mock_op_finish) or at once (mock_ops_immediate). */
#ifndef CSUP_MOCK_HOST_H
#define CSUP_MOCK_HOST_H

#include <csupervisor/plugin.h>
#include <csupervisor/typed.h>

/* ---- the host ---- */

const struct sup_api *mock_api(void);
/* Forget everything (plugins must have been unloaded). */
void mock_reset(void);

/* Run the plugin's init with the section's keys (kv: key, value, ...,
 * NULL). NULL when the plugin is refused or init fails; then everything it
 * registered is gone again, fini has run, and mock_load_error() says why. */
sup_plugin *mock_load(const struct sup_plugin_info *(*query)(void), const char *name, const char *const *kv);
const char *mock_load_error(void);
/* fini, then the data's free function. */
void mock_unload(sup_plugin *p);
/* Number of methods p registered ("name" for one of them: 1 or 0). */
int mock_method_count(const sup_plugin *p);
bool mock_has_method(const char *fullname);

/* ---- values (the mock's own implementation, with leak accounting) ---- */

int mock_live_values(void); /* values created and not yet freed */
/* Builds params from a format: i int, b bool, d double, s string, n nil
 * struct (an empty struct). New reference. */
sup_value *mock_params(const char *fmt, ...);
/* Convenience readers for assertions (borrowed; 0 / "" when absent). */
int64_t mock_int(const sup_value *v);
const char *mock_str(const sup_value *v);
const sup_value *mock_get(const sup_value *st, const char *key);
const sup_value *mock_at(const sup_value *array, int i);
int mock_len(const sup_value *array);

/* ---- calls ---- */

enum mock_call_state { MOCK_PENDING, MOCK_REPLIED, MOCK_FAULTED, MOCK_CANCELLED };

struct mock_call {
	enum mock_call_state state;
	bool deferred;
	sup_value *result; /* MOCK_REPLIED: owned by the call */
	int fault;         /* MOCK_FAULTED */
	char *fault_text;  /* "NAME: detail", as the daemon writes it */
	bool misuse;       /* no answer, two answers, or a reply without a value */
};

/* Call NAMESPACE.method (value or typed) with params (stolen; NULL: no
 * arguments) after the daemon's argument checks. The call is not freed by
 * answering: mock_call_free it. */
struct mock_call *mock_call(const char *method, sup_value *params);
/* The client goes away: the plugin's cancel callback runs. */
void mock_cancel(struct mock_call *c);
void mock_call_free(struct mock_call *c);

/* ---- the loop ---- */

/* Move virtual time forward, firing due timers in order. */
void mock_advance(unsigned ms);
int mock_timers_pending(void);
/* Deliver an event to subscribers: payload fields as for PROCESS_STATE. */
void mock_event(const char *type, const char *group, const char *name, const char *from_state);

/* fd watches (sup_api.fd_watch): the events fd is watched for, or -1. */
int mock_fd_events(int fd);
int mock_fd_watches(void);
int mock_fd_at(int i); /* the fd of watch i (0 .. mock_fd_watches() - 1), or -1 */
/* fd became ready: run its callback with revents (limited to what it
 * watches, plus SUP_FD_ERROR); false when nothing watches for that. */
bool mock_fd_ready(int fd, int revents);

/* What call_peer answers ("unix" until set; NULL: back to "unix"). */
void mock_set_peer(const char *peer);

/* ---- processes ---- */

/* A process as getAllProcessInfo shows it; exitcodes default to {0}. */
void mock_proc_add(const char *group, const char *name, const char *statename, int exitstatus);
void mock_proc_set_start(const char *group, const char *name, int64_t start, int64_t now);
void mock_proc_set_exitcodes(const char *group, const char *name, const int *codes, int n);
void mock_set_daemon_state(int state);

/* proc_start / proc_stop as recorded. */
struct mock_op {
	char *namespec;
	bool start, wait, finished;
	sup_done_fn done;
	void *ud;
};
int mock_ops_count(void);
const struct mock_op *mock_op(int i);
/* Finish operation i with a fault code (0: success) and detail. */
void mock_op_finish(int i, int fault, const char *detail);
/* Finish every operation inside proc_start/stop with success (default: no). */
void mock_ops_immediate(bool on);

/* ---- the log ---- */

int mock_log_count(void);
const char *mock_log_line(int i); /* "LEVEL message" */
/* How many lines contain needle. */
int mock_log_find(const char *needle);

#endif
