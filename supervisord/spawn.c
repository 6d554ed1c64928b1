#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
shell_split(const char *s, struct strv *out, const char **why)
{
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			return 0;
		struct strbuf tok = {0};
		sb_add(&tok, "", 0); /* "" is a real (empty) word */
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end)
					goto unclosed;
				sb_add(&tok, p + 1, (size_t)(end - p - 1));
				p = end + 1;
			} else if (*p == '"') {
				p++;
				while (*p != '"') {
					if (!*p)
						goto unclosed;
					/* inside "..." a backslash escapes only " and \ */
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					sb_addc(&tok, *p++);
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					*why = "No escaped character";
					sb_free(&tok);
					return -1;
				}
				sb_addc(&tok, p[1]);
				p += 2;
			} else {
				sb_addc(&tok, *p++);
			}
		}
		strv_push(out, sb_steal(&tok));
		continue;
	unclosed:
		*why = "No closing quotation";
		sb_free(&tok);
		return -1;
	}
}

enum command_error
command_resolve(const char *command, const struct kvlist *env, struct strv *argv, char **filename, char **msg)
{
	const char *why = NULL;
	if (shell_split(command, argv, &why) < 0) {
		struct strbuf sb = {0};
		sb_adds(&sb, "can't parse command ");
		sb_add_pyrepr(&sb, command);
		sb_addf(&sb, ": %s", why);
		*msg = sb_steal(&sb);
		strv_free(argv);
		return CMD_BAD;
	}
	if (!argv->n) {
		*msg = xstrdup("command is empty");
		return CMD_BAD;
	}
	const char *prog = argv->v[0];
	struct stat st;
	bool found = false;
	if (strchr(prog, '/')) {
		*filename = xstrdup(prog);
		found = stat(prog, &st) == 0;
	} else {
		/* the program's own PATH, else ours, else a fixed default */
		const char *path = env ? kv_get(env, "PATH") : NULL;
		if (!path)
			path = getenv("PATH");
		if (!path)
			path = "/bin:/usr/bin:/usr/local/bin";
		char *dirs = xstrdup(path), *save = NULL;
		*filename = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
			char *cand = xasprintf("%s/%s", d, prog);
			if (stat(cand, &st) == 0) {
				*filename = cand;
				found = true;
			} else {
				free(cand);
			}
		}
		free(dirs);
		if (!found)
			*filename = xstrdup(prog);
	}
	enum command_error rc = CMD_OK;
	if (!found) {
		*msg = pyrepr_msg("can't find command ", *filename, "");
		rc = CMD_NOT_FOUND;
	} else if (S_ISDIR(st.st_mode)) {
		*msg = pyrepr_msg("command at ", *filename, " is a directory");
		rc = CMD_NOT_EXECUTABLE;
	} else if (!(st.st_mode & 0111)) {
		*msg = pyrepr_msg("command at ", *filename, " is not executable");
		rc = CMD_NOT_EXECUTABLE;
	} else if (access(*filename, X_OK) < 0) {
		*msg = pyrepr_msg("no permission to run command ", *filename, "");
		rc = CMD_NO_PERMISSION;
	}
	if (rc != CMD_OK) {
		free(*filename);
		*filename = NULL;
	}
	return rc;
}

/* Only async-signal-safe calls from here on: we are in a forked child.
 * One line "supervisor: " + the parts (NULLs skipped) to fd 2. */
static void
child_say(const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[] = {"supervisor: ", a, b, c, d, "\n"};
	for (size_t i = 0; i < ARRAY_LEN(parts); i++)
		if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0)
			return;
}

/* "ENOENT", as Python's errno.errorcode names it (glibc keeps the table). */
static const char *
errno_name(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "EUNKNOWN";
}

int
drop_privileges(uid_t uid, const char **why)
{
	if (getuid() == uid)
		return 0;
	if (getuid() != 0) {
		*why = "Can't drop privilege as nonroot user";
		return -1;
	}
	struct passwd *pw = getpwuid(uid);
	if (!pw) {
		*why = "Can't find uid";
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0) {
		*why = "Could not set groups of effective user";
		return -1;
	}
	if (setgid(pw->pw_gid) < 0) {
		*why = "Could not set group id of effective user";
		return -1;
	}
	if (setuid(uid) < 0) {
		*why = "Could not set user id of effective user";
		return -1;
	}
	return 0;
}

_Noreturn void
child_exec(const struct child_setup *cs)
{
	setpgid(0, 0);
	dup2(cs->stdin_fd, 0);
	dup2(cs->stdout_fd, 1);
	dup2(cs->stderr_fd, 2);
	/* every other descriptor, whatever the daemon has open */
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	if (cs->has_uid) {
		const char *why = NULL;
		if (drop_privileges(cs->uid, &why) < 0) {
			char num[24];
			snprintf(num, sizeof num, "%u", (unsigned)cs->uid);
			child_say("couldn't setuid to ", num, ": ", why);
			goto fail;
		}
	}
	if (cs->directory && chdir(cs->directory) < 0) {
		int e = errno;
		child_say("couldn't chdir to ", cs->directory, ": ", errno_name(e));
		goto fail;
	}
	if (cs->umask >= 0)
		umask((mode_t)cs->umask);
	execve(cs->filename, cs->argv, cs->envp);
	child_say("couldn't exec ", cs->argv[0], ": ", errno_name(errno));
fail:
	child_say("child process was not spawned", NULL, NULL, NULL);
	_exit(127);
}
