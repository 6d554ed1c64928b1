/* csupervisor plugin SDK: the only header a plugin includes.
 *
 * A plugin is a .so (or, in-tree, a built-in) that exports one function,
 * sup_plugin_query(), returning a magic block. The host checks the block
 * before running any plugin code, then calls init() with a table of
 * functions (struct sup_api): the plugin links against nothing.
 *
 * ABI rules (see docs/plugins.md): struct sup_api only grows, at its end,
 * within one SUP_ABI_MAJOR; each addition bumps SUP_ABI_MINOR and is marked
 * with the minor that added it. A plugin built for minor N loads in any host
 * of the same major whose minor is >= N.
 *
 * Ownership: a *_new function returns a new reference the caller owns;
 * functions documented "steals" take over the reference given to them (also
 * on failure); "borrowed" results stay valid only as long as stated. Strings
 * passed to the host are copied before the call returns.
 *
 * Threads: every function is for the daemon's loop thread, from init() or a
 * callback the host made. Nothing a plugin does may block the loop. */
#ifndef CSUPERVISOR_PLUGIN_H
#define CSUPERVISOR_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUP_ABI_MAJOR 1
#define SUP_ABI_MINOR 1
#ifndef SUP_TARGET_MINOR
#define SUP_TARGET_MINOR SUP_ABI_MINOR /* the oldest host minor this plugin needs */
#endif
#define SUP_PLUGIN_MAGIC 0x53555031u /* "SUP1" */
#define SUP_ENTRY_SYMBOL "sup_plugin_query"
#define SUP_EXPORT __attribute__((visibility("default")))
#define SUP_HIDDEN __attribute__((visibility("hidden")))
#define SUP_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef struct sup_plugin sup_plugin; /* one [rpcinterface:NAME] instance */
typedef struct sup_config sup_config; /* that section's other keys, expanded */
typedef struct sup_value sup_value;   /* a refcounted XML-RPC value */
typedef struct sup_call sup_call;     /* one RPC in flight */
struct sup_typed_method;              /* <csupervisor/typed.h> */

enum { SUP_OK = 0, SUP_ERR = -1, SUP_DEFERRED = 1 };
enum { SUP_KIND_RPC = 1u << 0, SUP_KIND_CTL = 1u << 1 };
enum { SUP_LOG_CRIT = 50, SUP_LOG_ERROR = 40, SUP_LOG_WARN = 30, SUP_LOG_INFO = 20, SUP_LOG_DEBUG = 10 };

/* Supervisor's fault codes (supervisor.xmlrpc.Faults), unchanged. */
enum sup_fault {
	SUP_FAULT_UNKNOWN_METHOD = 1,
	SUP_FAULT_INCORRECT_PARAMETERS = 2,
	SUP_FAULT_BAD_ARGUMENTS = 3,
	SUP_FAULT_SIGNATURE_UNSUPPORTED = 4,
	SUP_FAULT_SHUTDOWN_STATE = 6,
	SUP_FAULT_BAD_NAME = 10,
	SUP_FAULT_BAD_SIGNAL = 11,
	SUP_FAULT_NO_FILE = 20,
	SUP_FAULT_NOT_EXECUTABLE = 21,
	SUP_FAULT_FAILED = 30,
	SUP_FAULT_ABNORMAL_TERMINATION = 40,
	SUP_FAULT_SPAWN_ERROR = 50,
	SUP_FAULT_ALREADY_STARTED = 60,
	SUP_FAULT_NOT_RUNNING = 70,
	SUP_FAULT_SUCCESS = 80,
	SUP_FAULT_ALREADY_ADDED = 90,
	SUP_FAULT_STILL_RUNNING = 91,
	SUP_FAULT_CANT_REREAD = 92,
	SUP_FAULT_PLUGIN_BASE = 1000 /* plugin-private codes start here */
};

enum sup_type { SUP_T_OTHER, SUP_T_INT, SUP_T_BOOL, SUP_T_DOUBLE, SUP_T_STRING, SUP_T_ARRAY, SUP_T_STRUCT };

/* A handler returns SUP_OK after reply(), SUP_ERR after fault() or
 * SUP_DEFERRED after defer(). params is an array, borrowed until it returns. */
typedef int (*sup_method_fn)(sup_call *call, sup_value *params, void *ud);
/* The client went away or the daemon stops: the call handle is dead after. */
typedef void (*sup_cancel_fn)(sup_call *call, void *ud);
/* Completion of an asynchronous process operation: fault 0 is success,
 * otherwise a sup_fault code with Supervisor's detail text (borrowed). */
typedef void (*sup_done_fn)(int fault, const char *detail, void *ud);
/* A subscribed event: type ("PROCESS_STATE_RUNNING"...) and its payload as
 * a struct of the eventlistener protocol's fields (borrowed). */
typedef void (*sup_event_fn)(const char *type, const sup_value *payload, void *ud);

/* One method NAMESPACE.name. signature: xmlrpc-c letters (i b d s A S, V for
 * any value), "ret:args", alternatives separated by ',' (optional trailing
 * parameters), e.g. "b:s,b:sb"; "?" when the handler checks its own. */
struct sup_method {
	const char *name;
	sup_method_fn fn;
	const char *signature;
	const char *help;
};

/* ---- supervisorctl: commands of ctl plugins ([ctlplugin:NAME]) ---- */
typedef struct sup_ctl sup_ctl; /* the controller (one supervisorctl run) */

/* What the argument words of a command complete to (interactive shell). */
enum sup_complete {
	SUP_COMPLETE_NONE,    /* nothing */
	SUP_COMPLETE_PROCESS, /* "name", "group:name", "group:*" */
	SUP_COMPLETE_GROUP,   /* group names */
	SUP_COMPLETE_COMMAND, /* command names */
	SUP_COMPLETE_CUSTOM   /* the command's completer, through ctl_match */
};

/* A command handler's result: SUP_OK; SUP_CTL_QUIT ends an interactive
 * session (quit, exit); SUP_ERR after a failed ctl_call (or ctl_error): the
 * host prints "error: <what failed>" and sets the exit status to 1. */
enum { SUP_CTL_QUIT = 2 };

/* argv[0] is the command name, argv[1..] the argument words (the rest of
 * the line split at whitespace, as Python's str.split()); borrowed. */
typedef int (*sup_command_fn)(sup_ctl *ctl, int argc, char **argv, void *ud);
/* Offer candidates for word (the text being completed) with ctl_match();
 * argv: the words of the line so far. */
typedef void (*sup_complete_fn)(sup_ctl *ctl, int argc, char **argv, const char *word, void *ud);

/* One command NAME (letters, digits and '_'). */
struct sup_command {
	const char *name;
	sup_command_fn fn;
	const char *usage;          /* one line; NULL: not listed by "help" */
	const char *help;           /* printed by "help NAME"; NULL: usage */
	enum sup_complete complete; /* for the argument words */
	sup_complete_fn completer;  /* SUP_COMPLETE_CUSTOM */
};

/* fd watches (1.1): what to watch for, and what happened. SUP_FD_ERROR
 * (error or hang-up) is reported whether asked for or not. */
enum { SUP_FD_READ = 1, SUP_FD_WRITE = 2, SUP_FD_ERROR = 4 };
typedef void (*sup_fd_fn)(int fd, int revents, void *ud);

/* ctl_stream results. */
enum { SUP_STREAM_END = 0, SUP_STREAM_INTERRUPTED = 1, SUP_STREAM_STOPPED = 2, SUP_STREAM_EOF = 3 };
/* A line read from stdin during ctl_stream (without its newline); a
 * non-zero return stops the stream. */
typedef int (*sup_line_fn)(sup_ctl *ctl, const char *line, size_t len, void *ud);

struct sup_api {
	uint32_t abi_major, abi_minor;
	size_t size; /* sizeof(struct sup_api) of the host */

	/* ---- 1.0: instance and configuration ---- */
	void (*vlog)(sup_plugin *p, int level, const char *fmt, va_list ap);
	/* A key of the section, borrowed until fini; NULL if absent. */
	const char *(*config_get)(const sup_config *cfg, const char *key);
	/* Refuse keys not in known (NULL-terminated): SUP_ERR, and the load
	 * error names the section and the key. */
	int (*config_check)(const sup_config *cfg, const char *const *known);
	/* Per-instance data; free_fn(data) runs after fini. */
	void (*set_data)(sup_plugin *p, void *data, void (*free_fn)(void *));
	void *(*get_data)(sup_plugin *p);
	const char *(*instance_name)(sup_plugin *p);

	/* ---- 1.0: values ---- */
	sup_value *(*int_new)(int64_t v);
	sup_value *(*bool_new)(bool v);
	sup_value *(*double_new)(double v);
	/* Bytes made valid UTF-8 and XML-safe (control characters replaced). */
	sup_value *(*string_new)(const char *s, size_t len);
	sup_value *(*array_new)(void);
	sup_value *(*struct_new)(void);
	int (*array_push)(sup_value *array, sup_value *item);                /* steals item */
	int (*struct_put)(sup_value *st, const char *key, sup_value *item);  /* steals item */
	sup_value *(*ref)(sup_value *v);
	void (*unref)(sup_value *v);
	enum sup_type (*type_of)(const sup_value *v);
	int (*get_int)(const sup_value *v, int64_t *out); /* booleans count as 0/1 */
	int (*get_bool)(const sup_value *v, bool *out);   /* ints count as booleans */
	int (*get_double)(const sup_value *v, double *out);
	/* Borrowed for the life of v. */
	int (*get_string)(const sup_value *v, const char **out, size_t *len);
	int (*array_size)(const sup_value *v);
	const sup_value *(*array_get)(const sup_value *v, int i);          /* borrowed */
	const sup_value *(*struct_get)(const sup_value *v, const char *key); /* borrowed */

	/* ---- 1.0: RPC methods and replies ---- */
	/* Only during init(): methods of the namespace NAME.* */
	int (*rpc_methods)(sup_plugin *p, const struct sup_method *m, size_t n, size_t elem_size, void *ud);
	int (*rpc_typed)(sup_plugin *p, const struct sup_typed_method *m, size_t n, size_t elem_size, void *ud);
	int (*reply)(sup_call *call, sup_value *v); /* steals v; ends the call */
	int (*vfault)(sup_call *call, int code, const char *fmt, va_list ap); /* ends the call */
	int (*defer)(sup_call *call, sup_cancel_fn cancel, void *ud);
	/* Who is calling: "unix" (the [unix_http_server] socket) or
	 * "inet:<address>" ([inet_http_server]: the client's IPv4 or IPv6
	 * address, without port); sub-calls of a multicall have their
	 * caller's. Borrowed for the life of the call. */
	const char *(*call_peer)(sup_call *call);

	/* ---- 1.0: the loop ---- */
	/* One-shot timer: cb(ud) on the loop after ms; *id (if given) names it. */
	int (*timer_add)(sup_plugin *p, unsigned ms, void (*cb)(void *ud), void *ud, uint64_t *id);
	/* SUP_ERR when the timer has fired already or another plugin armed it. */
	int (*timer_del)(sup_plugin *p, uint64_t id);
	int (*subscribe)(sup_plugin *p, const char *event_type, sup_event_fn cb, void *ud);

	/* ---- 1.0: processes (namespecs as Supervisor's: "g:p", "p", "g:*") ---- */
	/* getAllProcessInfo / getProcessInfo structs; new reference, or NULL
	 * (proc_info: BAD_NAME, errno ENOENT). */
	sup_value *(*proc_list)(void);
	sup_value *(*proc_info)(const char *namespec);
	/* The single processes a namespec names, in Supervisor's order for
	 * group operations: an array of "group:name" strings, or NULL. */
	sup_value *(*proc_select)(const char *namespec);
	/* Start or stop one process with Supervisor's checks. done() runs
	 * exactly once, maybe before this returns: at once without wait, else
	 * when the process is RUNNING / stopped or has failed. */
	int (*proc_start)(const char *namespec, bool wait, sup_done_fn done, void *ud);
	int (*proc_stop)(const char *namespec, bool wait, sup_done_fn done, void *ud);
	/* Returns 0 or a fault code; *detail borrowed until the next call. */
	int (*proc_signal)(const char *namespec, int signo, const char **detail);
	int (*proc_stdin)(const char *namespec, const char *data, size_t len, const char **detail);
	int (*proc_clear_logs)(const char *namespec, const char **detail);
	/* Path of a log ("stdout"/"stderr"; namespec NULL: the activity log);
	 * NULL with *fault when none. Caller frees with free(). */
	char *(*log_path)(const char *namespec, const char *channel, int *fault);
	int (*main_log_clear)(const char **detail);

	/* ---- 1.0: the daemon ---- */
	int (*daemon_state)(void); /* 1 RUNNING, 0 RESTARTING, -1 SHUTDOWN */
	int (*daemon_pid)(void);
	const char *(*daemon_identifier)(void);
	void (*daemon_shutdown)(void); /* takes effect after the reply is sent */
	void (*daemon_restart)(void);
	/* Re-read the config: [[added], [changed], [removed]] group names, or
	 * NULL with *detail (CANT_REREAD). New reference. */
	sup_value *(*config_reread)(const char **detail);
	sup_value *(*config_info)(void); /* getAllConfigInfo */
	int (*group_add)(const char *name, const char **detail);
	int (*group_remove)(const char *name, const char **detail);
	/* ---- 1.0: supervisorctl (ctl plugins) ---- */
	/* Only during init(): the instance's commands. A name another plugin
	 * already has is a load error naming both. */
	int (*ctl_commands)(sup_plugin *p, const struct sup_command *c, size_t n, size_t elem_size, void *ud);
	/* Output (stdout, or stderr when to_stderr). */
	void (*ctl_vprintf)(sup_ctl *ctl, int to_stderr, const char *fmt, va_list ap);
	/* Call "namespace.method" on the server; steals params (an array, or
	 * NULL for none). Returns 0 with *result (new reference; result may be
	 * NULL), a fault code > 0 with *fault (borrowed until the next call), or
	 * SUP_ERR when the call failed (errno: ECONNREFUSED, ENOENT, EACCES for
	 * HTTP 401, EPROTO for other HTTP errors or a bad reply, EINTR for
	 * Ctrl-C, or the socket's). Authentication prompts and retries after
	 * 401 are the host's. */
	int (*ctl_call)(sup_ctl *ctl, const char *method, sup_value *params, sup_value **result, const char **fault);
	/* supervisorctl's server check (supervisor.getVersion): 1 usable; 0
	 * not (the message is printed and the status set); SUP_ERR failed (the
	 * handler should return SUP_ERR). */
	int (*ctl_upcheck)(sup_ctl *ctl);
	/* The exit status (one-shot mode): last writer wins. */
	int (*ctl_get_status)(sup_ctl *ctl);
	void (*ctl_set_status)(sup_ctl *ctl, int status);
	/* "serverurl", "username", "password", "prompt", "history_file",
	 * "interactive" ("1"/"0"); NULL when unset. Borrowed until changed. */
	const char *(*ctl_option)(sup_ctl *ctl, const char *name);
	/* Use another server from now on ("open"). */
	int (*ctl_set_serverurl)(sup_ctl *ctl, const char *url);
	/* Print prompt and read one line from the user (no newline; caller
	 * frees); NULL at end of input. */
	char *(*ctl_input)(sup_ctl *ctl, const char *prompt);
	/* Stream the server's HTTP paths ("/logtail/NAME/stdout",
	 * "/mainlogtail") to stdout until Ctrl-C (SUP_STREAM_INTERRUPTED) or
	 * every stream ended (SUP_STREAM_END). With on_line, stdin lines go to
	 * it (SUP_STREAM_STOPPED when it returns non-zero, SUP_STREAM_EOF at
	 * end of input) and the end of the streams does not end the call. */
	int (*ctl_stream)(sup_ctl *ctl, const char *const *paths, size_t n, sup_line_fn on_line, void *ud);
	/* From a completer: offer one candidate (copied). */
	void (*ctl_match)(sup_ctl *ctl, const char *candidate);
	/* Describe the failure the handler reports by returning SUP_ERR. */
	void (*ctl_verror)(sup_ctl *ctl, const char *fmt, va_list ap);
	/* Run a command line as if typed; returns what its handler returned. */
	int (*ctl_run)(sup_ctl *ctl, const char *line);
	/* ---- 1.0: events ---- */
	/* Emit REMOTE_COMMUNICATION (payload "type:<type>\n<data>") to the
	 * event listener pools that subscribe (supervisor.sendRemoteCommEvent). */
	int (*event_remote_comm)(const char *type, const char *data, size_t len);

	/* ---- 1.1: fd watches on the daemon's loop ---- */
	/* Call cb(fd, revents, ud) on the loop thread whenever fd is ready for
	 * events (SUP_FD_READ | SUP_FD_WRITE; level-triggered, like poll).
	 * Watching an fd this plugin already watches replaces events, cb and
	 * ud; an fd the daemon or another plugin watches is refused (SUP_ERR,
	 * errno EEXIST). The fd stays the plugin's: fd_unwatch it before
	 * closing it. When init fails or the plugin is unloaded, the daemon
	 * drops its watches (and its timers and subscriptions) but never
	 * closes its fds. supervisorctl: SUP_ERR, ENOTSUP. */
	int (*fd_watch)(sup_plugin *p, int fd, int events, sup_fd_fn cb, void *ud);
	/* SUP_ERR (ENOENT) when p does not watch fd. */
	int (*fd_unwatch)(sup_plugin *p, int fd);
	/* ---- 1.1: calls ---- */
	/* The ud given to rpc_methods / rpc_typed with the method this call
	 * runs: how a typed function, which has no ud parameter, reaches its
	 * instance. NULL for system.* methods. */
	void *(*call_ud)(sup_call *call);
	/* 1.2 and later: append below this line, with the minor that added them. */
};

/* The magic block, checked before any other plugin code runs. */
struct sup_plugin_info {
	uint32_t magic;                /* SUP_PLUGIN_MAGIC */
	uint16_t abi_major, abi_minor; /* SUP_ABI_MAJOR, SUP_TARGET_MINOR */
	uint32_t size;                 /* sizeof(struct sup_plugin_info) */
	uint32_t kinds;                /* SUP_KIND_RPC | SUP_KIND_CTL */
	const char *name, *version;
	int (*init)(sup_plugin *p, const struct sup_api *api, const sup_config *cfg);
	void (*fini)(sup_plugin *p);
};

#ifdef SUP_BUILTIN /* an in-tree plugin linked into the host */
extern const struct sup_api *sup_api_;
#define SUP_API_STORAGE_
#define SUP_QUERY_(id) sup_builtin_##id
#define SUP_QUERY_VIS_
#else
SUP_HIDDEN extern const struct sup_api *sup_api_;
#define SUP_API_STORAGE_ SUP_HIDDEN const struct sup_api *sup_api_;
#define SUP_QUERY_(id) sup_plugin_query
#define SUP_QUERY_VIS_ SUP_EXPORT
#endif

/* Exactly once per plugin, in one .c file. */
#define SUP_PLUGIN_DEFINE(id, KINDS, VERSION, INIT, FINI)                                        \
	SUP_API_STORAGE_                                                                         \
	static int sup_init_##id(sup_plugin *p, const struct sup_api *a, const sup_config *c)    \
	{                                                                                        \
		sup_api_ = a;                                                                    \
		return (INIT)(p, c);                                                             \
	}                                                                                        \
	SUP_QUERY_VIS_ const struct sup_plugin_info *SUP_QUERY_(id)(void);                       \
	const struct sup_plugin_info *SUP_QUERY_(id)(void)                                       \
	{                                                                                        \
		static const struct sup_plugin_info info = {SUP_PLUGIN_MAGIC, SUP_ABI_MAJOR,      \
							     SUP_TARGET_MINOR, sizeof info, (KINDS), \
							     #id, (VERSION), sup_init_##id, (FINI)}; \
		return &info;                                                                    \
	}

/* Convenience wrappers over the table. */
#define sup_rpc_methods(p, arr, ud) \
	sup_api_->rpc_methods((p), (arr), sizeof(arr) / sizeof((arr)[0]), sizeof((arr)[0]), (ud))
static inline int sup_reply(sup_call *c, sup_value *v) { return sup_api_->reply(c, v); }
static inline int sup_defer(sup_call *c, sup_cancel_fn f, void *ud) { return sup_api_->defer(c, f, ud); }
static inline SUP_PRINTF(3, 4) int sup_fault(sup_call *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sup_api_->vfault(c, code, fmt, ap);
	va_end(ap);
	return r;
}
static inline SUP_PRINTF(3, 4) void sup_log(sup_plugin *p, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sup_api_->vlog(p, level, fmt, ap);
	va_end(ap);
}
static inline sup_value *sup_string(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return sup_api_->string_new(s, n);
}

#if SUP_TARGET_MINOR >= 1
static inline void *sup_call_ud(sup_call *c) { return sup_api_->call_ud(c); }
#endif

/* ctl plugins */
#define sup_ctl_commands(p, arr, ud) \
	sup_api_->ctl_commands((p), (arr), sizeof(arr) / sizeof((arr)[0]), sizeof((arr)[0]), (ud))
static inline SUP_PRINTF(2, 3) void sup_ctl_printf(sup_ctl *ctl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sup_api_->ctl_vprintf(ctl, 0, fmt, ap);
	va_end(ap);
}
static inline SUP_PRINTF(2, 3) int sup_ctl_error(sup_ctl *ctl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sup_api_->ctl_verror(ctl, fmt, ap);
	va_end(ap);
	return SUP_ERR;
}

#endif
