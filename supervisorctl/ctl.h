/* supervisorctl: the controller. One struct sup_ctl per run holds the
 * options, the RPC client and the exit status; commands come from ctl
 * plugins (the built-in default one first) and run through ctl_onecmd(),
 * which follows Python's cmd.Cmd line rules and supervisorctl's error
 * handling. */
#ifndef CSUP_CTL_H
#define CSUP_CTL_H

#include <csupervisor/plugin.h>
#include <signal.h>
#include <stdbool.h>

#include "rpcclient.h"
#include "util.h"

/* LSB init script exit statuses supervisorctl uses. */
enum {
	CTL_SUCCESS = 0,
	CTL_GENERIC = 1,
	CTL_INVALID_ARGS = 2,
	CTL_UNIMPLEMENTED_FEATURE = 3,
	CTL_INSUFFICIENT_PRIVILEGES = 4,
	CTL_NOT_INSTALLED = 5,
	CTL_NOT_RUNNING = 7,
};

struct ctl_command {
	struct sup_command c; /* strings owned by the plugin */
	void *ud;
	struct sup_plugin *owner;
};

struct sup_ctl {
	/* options (owned) */
	char *serverurl;
	char *username, *password; /* NULL: not set */
	char *prompt;
	char *history_file;
	bool interactive;
	bool oneshot; /* running the command-line action */

	struct rpc_client *rpc;
	int exitstatus;
	char *error;      /* what failed, for the "error: " line */
	bool auth_failed; /* the last failed call got HTTP 401 */

	/* commands of every plugin, in plugin order */
	struct ctl_command *cmds;
	size_t ncmds;

	/* the line being run */
	const char *args; /* raw argument string */

	/* completion */
	sup_value *complete_info; /* cached getAllProcessInfo, or NULL */
	struct strv matches;
};

/* Set by the SIGINT handler (interactive mode, streams). */
extern volatile sig_atomic_t ctl_interrupted;
/* Written to by the SIGINT handler when >= 0 (wakes a stream's poll). */
extern volatile int ctl_wake_fd;
void ctl_sigint_install(void);
void ctl_sigint_restore(void);

void ctl_init(struct sup_ctl *ctl);
void ctl_free(struct sup_ctl *ctl);
/* Run one line with cmd.Cmd semantics; returns SUP_CTL_QUIT when the
 * session should end. */
int ctl_onecmd(struct sup_ctl *ctl, const char *line);
void ctl_output(struct sup_ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_set_error(struct sup_ctl *ctl, char *msg); /* steals msg */
const struct ctl_command *ctl_find(const struct sup_ctl *ctl, const char *name);
/* (Re)create the RPC client for the current serverurl and credentials. */
void ctl_reconnect(struct sup_ctl *ctl);
/* Read a line for a prompt (tty: without echo when !echo); caller frees,
 * NULL at end of input. */
char *ctl_read_line(const char *prompt, bool echo);

/* ctlplugins.c */
/* Load the built-in default commands, then every [ctlplugin:x] of cfg (a
 * bare NAME is PLUGINDIR/NAME.so, or $CSUP_PLUGIN_DIR/NAME.so). Returns 0,
 * or -1 with *err (caller frees). */
struct config;
int ctl_plugins_load(struct sup_ctl *ctl, const struct config *cfg, char **err);
void ctl_plugins_unload(struct sup_ctl *ctl);
/* "help" and "help TOPIC" */
void ctl_help(struct sup_ctl *ctl, const char *arg);
extern const struct sup_api ctl_api;

/* shell.c */
void ctl_shell(struct sup_ctl *ctl);
/* Completion candidates for the word text of line (new strings, in
 * order; duplicates removed). Used by the shell; exposed for tests. */
void ctl_complete(struct sup_ctl *ctl, const char *line, const char *text, struct strv *out);

#endif
