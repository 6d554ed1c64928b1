/* The daemon-side half of the plugin API: processes, the loop, events and
 * the daemon itself, as struct sup_api exposes them (plugins.c assembles
 * the table). One supervisor generation is attached at a time. */
#ifndef CSUP_HOST_H
#define CSUP_HOST_H

#include <csupervisor/plugin.h>

#include "process.h"

struct supervisor;

/* The loop plugin timers use; set before plugins are loaded. */
void host_set_loop(struct loop *loop);
void host_attach(struct supervisor *sv);
/* Fail every waiter and drop plugin timers, subscriptions and fd watches
 * (end of a generation). */
void host_detach(void);
/* Drop p's timers, subscriptions and fd watches (its init failed). */
void host_drop_owner(sup_plugin *p);
/* Timers, subscriptions and fd watches of all plugins (tests). */
int host_hook_count(void);
/* From supervisor_process_changed: waiters and subscriptions. */
void host_process_changed(struct process *p, enum pstate old);

int host_timer_add(sup_plugin *p, unsigned ms, void (*cb)(void *), void *ud, uint64_t *id);
int host_timer_del(sup_plugin *p, uint64_t id);
int host_fd_watch(sup_plugin *p, int fd, int events, sup_fd_fn cb, void *ud);
int host_fd_unwatch(sup_plugin *p, int fd);
int host_subscribe(sup_plugin *p, const char *event_type, sup_event_fn cb, void *ud);
sup_value *host_proc_list(void);
sup_value *host_proc_info(const char *namespec);
sup_value *host_proc_select(const char *namespec);
int host_proc_start(const char *namespec, bool wait, sup_done_fn done, void *ud);
int host_proc_stop(const char *namespec, bool wait, sup_done_fn done, void *ud);
int host_proc_signal(const char *namespec, int signo, const char **detail);
int host_proc_stdin(const char *namespec, const char *data, size_t len, const char **detail);
int host_proc_clear_logs(const char *namespec, const char **detail);
char *host_log_path(const char *namespec, const char *channel, int *fault);
int host_main_log_clear(const char **detail);
int host_daemon_state(void);
int host_daemon_pid(void);
const char *host_daemon_identifier(void);
void host_daemon_shutdown(void);
void host_daemon_restart(void);
sup_value *host_config_reread(const char **detail);
sup_value *host_config_info(void);
int host_group_add(const char *name, const char **detail);
int host_group_remove(const char *name, const char **detail);
int host_event_remote_comm(const char *type, const char *data, size_t len);

#endif
