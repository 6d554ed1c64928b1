/* The daemon: one generation of groups and processes built from the
 * config, the daemon's own state (running, restarting, shutting down),
 * its signals, reaping, and the ordered shutdown. */
#ifndef CSUP_SUPERVISOR_H
#define CSUP_SUPERVISOR_H

#include <stdbool.h>

#include "config.h"
#include "loop.h"
#include "process.h"
#include "util.h"

/* Supervisor's numbers (getState). */
enum mood { MOOD_FATAL = 2, MOOD_RUNNING = 1, MOOD_RESTARTING = 0, MOOD_SHUTDOWN = -1 };

struct pool;
struct fcgi_socket;

struct procgroup {
	struct group_config *cfg; /* borrowed from origin */
	struct config *origin;    /* the config it was read from (a reference) */
	struct process *procs;
	int nprocs;
	struct timer autostart;   /* for a group added at run time */
	struct pool *pool;        /* event listener pools only */
	struct fcgi_socket *fcgi; /* fcgi-program groups only (fcgisock.c) */
};

struct pid_slot {
	pid_t pid; /* 0: empty, -1: deleted */
	struct process *p;
};

struct supervisor {
	struct loop *loop;
	struct config *cfg;      /* the daemon's settings, for this generation */
	struct config *lastcfg;  /* the last read (reloadConfig): groups to add */
	struct procgroup **groups; /* in config order (priority, name) */
	int ngroups;
	enum mood mood;
	bool stopping;     /* the ordered stop has begun */
	int stop_groups;   /* groups 0..stop_groups-1 are still to be stopped */
	bool in_progress, progress_again;
	struct timer waiting_report;
	struct timer progress; /* the ordered stop goes on in the next turn */
	char **environ;    /* the daemon's environment at start, for children */
	struct pid_slot *pids; /* open addressing, pid -> process */
	size_t npids_cap, npids_used;
};

/* Build the groups of cfg (AUTO log names, processes in STOPPED). */
void supervisor_init(struct supervisor *sv, struct loop *loop, struct config *cfg);
/* Create and close the socket of every fcgi-program group once, as
 * Supervisor does when it makes its groups (before the HTTP servers).
 * -1 with *err ("Could not create FastCGI socket ...", caller frees). */
int supervisor_check_fcgi(const struct config *cfg, char **err);
/* Autostart everything that should start. */
void supervisor_start(struct supervisor *sv);
/* Begin the ordered stop (SIGTERM, shutdown, restart). */
void supervisor_shutdown(struct supervisor *sv, enum mood mood);
void supervisor_destroy(struct supervisor *sv);
/* Called by a process on every state change. */
void supervisor_process_changed(struct supervisor *sv, struct process *p, enum pstate old);
void supervisor_reap(struct supervisor *sv);
void supervisor_reopen_logs(struct supervisor *sv);

/* reloadConfig: read the file again; names of groups added, changed and
 * removed compared with the running ones (strings pushed to the lists).
 * -1 with *err (the config error) when the file does not load. */
int supervisor_reread(struct supervisor *sv, struct strv *added, struct strv *changed, struct strv *removed, char **err);
/* addProcessGroup / removeProcessGroup: 0 or a fault code. */
int supervisor_add_group(struct supervisor *sv, const char *name);
int supervisor_remove_group(struct supervisor *sv, const char *name);
struct procgroup *supervisor_find_group(struct supervisor *sv, const char *name);

void pid_table_set(struct supervisor *sv, pid_t pid, struct process *p);
void pid_table_del(struct supervisor *sv, pid_t pid);

#endif
