/* Turning a program's command= into an exec: shell-like splitting, PATH
 * search and the checks Supervisor makes before forking (also used by the
 * RPC layer to refuse a start early), and the child's side of the fork. */
#ifndef CSUP_SPAWN_H
#define CSUP_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "util.h"

enum command_error { CMD_OK, CMD_BAD, CMD_NOT_FOUND, CMD_NOT_EXECUTABLE, CMD_NO_PERMISSION };

/* Split and resolve; on success fills argv (owned) and *filename (caller
 * frees). On failure returns the error kind and *msg (Supervisor's text,
 * caller frees). */
enum command_error command_resolve(const char *command, const struct kvlist *env, struct strv *argv,
				   char **filename, char **msg);

/* POSIX shlex.split(); returns 0 or -1 with *why ("No closing quotation"). */
int shell_split(const char *s, struct strv *out, const char **why);

/* What the child needs; everything is prepared before fork. */
struct child_setup {
	const char *filename;
	char **argv;
	char *const *envp;
	int stdin_fd, stdout_fd, stderr_fd; /* child ends; stderr_fd may equal stdout_fd */
	const char *directory;
	int umask; /* -1: keep */
	bool has_uid;
	uid_t uid;
};

/* Become uid (initgroups, setgid, setuid) as Supervisor does; 0, or -1
 * with *why set to Supervisor's message. Also used in forked children. */
int drop_privileges(uid_t uid, const char **why);

/* Runs in the child after fork(); never returns. */
_Noreturn void child_exec(const struct child_setup *cs);

#endif
