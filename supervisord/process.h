/* One supervised process: its state machine (Supervisor's states and
 * transitions, as a state x event table), its pipes and its logs. */
#ifndef CSUP_PROCESS_H
#define CSUP_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "loop.h"
#include "rotfile.h"
#include "util.h"

enum pstate {
	PS_STOPPED = 0, PS_STARTING = 10, PS_RUNNING = 20, PS_BACKOFF = 30,
	PS_STOPPING = 40, PS_EXITED = 100, PS_FATAL = 200, PS_UNKNOWN = 1000,
};

struct supervisor;
struct procgroup;
struct listener;

/* One output channel (stdout or stderr) of a process. */
struct channel {
	int fd; /* our end of the pipe, -1 when closed */
	bool has_log;
	struct rotfile log;
	char *path; /* AUTO: the generated file name; else the configured path */
	/* capture mode (events.md §7.2), when *_capture_maxbytes > 0 */
	bool capturing;
	struct strbuf pending; /* not yet scanned for a token */
	struct strbuf capture; /* captured since BEGIN */
};

struct process {
	struct supervisor *sv;
	struct procgroup *group;
	struct process_config *cfg; /* owned by the group's config */
	enum pstate state;
	pid_t pid;
	int backoff;
	bool killing;         /* a stop was requested; the exit means STOPPED */
	bool spawned_once;    /* laststart != 0 in Supervisor */
	int exitstatus;
	/* name, group, stdout and stderr log paths as RPC string values,
	 * made on first use by host.c and shared by every reply */
	struct sup_value *rpc_strings[4];
	char *spawnerr;
	int64_t laststart_ms;   /* monotonic */
	time_t laststart, laststop; /* wall clock, for the RPC fields */
	int64_t last_autorespawn_ms;
	struct timer timer;   /* the one deadline of the current state */
	struct timer report;  /* not used for the state machine */
	struct channel out, err;
	int stdin_fd;
	struct strbuf stdin_buf; /* not yet written to the child's stdin */
	char **envp;             /* built at the first spawn, kept */
	struct listener *listener; /* event listeners only (listener.c) */
	pid_t exit_pid;      /* during the state changes of a reap: the old pid */
	bool exit_expected;  /* for PROCESS_STATE_EXITED */
	bool fcgi_held;      /* holds a reference to the group's fcgi socket */
};

const char *pstate_name(enum pstate s);
static inline bool pstate_is_stopped(enum pstate s)
{
	return s == PS_STOPPED || s == PS_EXITED || s == PS_FATAL || s == PS_UNKNOWN;
}
static inline bool pstate_is_running(enum pstate s)
{
	return s == PS_RUNNING || s == PS_BACKOFF || s == PS_STARTING;
}

void process_init(struct process *p, struct supervisor *sv, struct procgroup *g, struct process_config *cfg);
void process_destroy(struct process *p);

/* Requests. start: STOPPED/EXITED/FATAL/BACKOFF -> STARTING. stop: the stop
 * signal (BACKOFF -> STOPPED at once). Returns 0, or -1 with *msg set to
 * Supervisor's explanation (borrowed static or NULL). */
int process_start(struct process *p);
int process_stop(struct process *p, const char **msg);
/* STARTING whose startsecs have passed (startsecs=0: at once) -> RUNNING
 * now, as Supervisor's startProcess runs one transition after spawning. */
void process_check_started(struct process *p);
/* Shutdown: RUNNING/STARTING are stopped, BACKOFF gives up (FATAL). */
void process_stop_for_shutdown(struct process *p);
/* Autostart at the beginning of a generation. */
void process_autostart(struct process *p);
/* The child was reaped with this wait status. */
void process_reaped(struct process *p, int status);
/* sendProcessStdin: queue bytes for the child's stdin and write what the
 * pipe takes now. -1 when stdin is closed (or the child closed its end). */
int process_send_stdin(struct process *p, const char *data, size_t len);
/* clearProcessLogs: unlink and recreate the open log files. */
int process_clear_logs(struct process *p);
/* Reopen (SIGUSR2) the process's log files. */
void process_reopen_logs(struct process *p);

/* "exit status 3" / "terminated by SIGKILL (core dumped)" */
char *describe_exit(int status);

#endif
