/* The controller: Python's supervisorctl.Controller (a cmd.Cmd). */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

volatile sig_atomic_t ctl_interrupted;
volatile int ctl_wake_fd = -1;
static struct sigaction old_sigint;
static bool sigint_installed;

static void
on_sigint(int sig)
{
	(void)sig;
	ctl_interrupted = 1;
	int fd = ctl_wake_fd;
	if (fd >= 0) {
		int e = errno;
		ssize_t r = write(fd, "x", 1);
		(void)r;
		errno = e;
	}
}

void
ctl_sigint_install(void)
{
	if (sigint_installed)
		return;
	/* no SA_RESTART: a blocking read at the prompt returns */
	struct sigaction sa = {.sa_handler = on_sigint};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sigint);
	sigint_installed = true;
}

void
ctl_sigint_restore(void)
{
	if (!sigint_installed)
		return;
	sigaction(SIGINT, &old_sigint, NULL);
	sigint_installed = false;
}

void
ctl_init(struct sup_ctl *ctl)
{
	*ctl = (struct sup_ctl){0};
}

void
ctl_free(struct sup_ctl *ctl)
{
	ctl_plugins_unload(ctl);
	rpc_client_free(ctl->rpc);
	free(ctl->serverurl);
	free(ctl->username);
	free(ctl->password);
	free(ctl->prompt);
	free(ctl->history_file);
	free(ctl->error);
	if (ctl->complete_info)
		ctl_api.unref(ctl->complete_info);
	strv_free(&ctl->matches);
}

void
ctl_reconnect(struct sup_ctl *ctl)
{
	rpc_client_free(ctl->rpc);
	ctl->rpc = rpc_client_new(ctl->serverurl, ctl->username, ctl->password);
	rpc_client_set_interrupt(ctl->rpc, &ctl_interrupted);
}

void
ctl_output(struct sup_ctl *ctl, const char *fmt, ...)
{
	(void)ctl;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	putchar('\n');
}

void
ctl_set_error(struct sup_ctl *ctl, char *msg)
{
	free(ctl->error);
	ctl->error = msg;
}

const struct ctl_command *
ctl_find(const struct sup_ctl *ctl, const char *name)
{
	for (size_t i = 0; i < ctl->ncmds; i++)
		if (streq(ctl->cmds[i].c.name, name))
			return &ctl->cmds[i];
	return NULL;
}

char *
ctl_read_line(const char *prompt, bool echo)
{
	int fd = 0;
	FILE *out = stdout;
	FILE *in = stdin;
	FILE *tty = NULL;
	struct termios old, raw;
	bool restore = false;
	if (!echo) {
		/* getpass(): the terminal itself, without echo */
		int tfd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tfd >= 0 && (tty = fdopen(tfd, "r+"))) {
			in = out = tty;
			fd = tfd;
		} else if (tfd >= 0) {
			close(tfd);
		}
		if (tcgetattr(fd, &old) == 0) {
			raw = old;
			raw.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(fd, TCSAFLUSH, &raw) == 0;
		}
	}
	fflush(stdout);
	fputs(prompt, out);
	fflush(out);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, in);
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', out);
	}
	if (tty)
		fclose(tty);
	if (n < 0) {
		free(line);
		clearerr(stdin);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

/* Python's str.split(): words between whitespace (Unicode aware). */
static void
split_words(const char *s, struct strv *out)
{
	size_t i = 0, n = strlen(s);
	while (i < n) {
		size_t w;
		while (i < n && (w = py_space_at(s + i)))
			i += w;
		if (i >= n)
			break;
		size_t start = i;
		while (i < n && !py_space_at(s + i))
			i++;
		strv_push(out, xstrndup(s + start, i - start));
	}
}

static bool
is_identchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int
call_handler(struct sup_ctl *ctl, const struct ctl_command *cmd, const char *name, const char *arg)
{
	struct strv words = {0};
	strv_push(&words, xstrdup(name));
	split_words(arg, &words);
	strv_push(&words, NULL);
	words.n--;
	ctl_set_error(ctl, NULL);
	ctl->auth_failed = false;
	const char *saved = ctl->args;
	ctl->args = arg;
	int rc = cmd->c.fn(ctl, (int)words.n, words.v, cmd->ud);
	ctl->args = saved;
	fflush(stdout);
	strv_free(&words);
	return rc;
}

static void
print_error(struct sup_ctl *ctl)
{
	ctl_output(ctl, "error: %s", ctl->error ? ctl->error : "<class 'Exception'>, the command failed");
	ctl->exitstatus = CTL_GENERIC;
}

/* The controller's own commands (do_help, do_EOF) come first, as Python's
 * getattr(self, 'do_' + cmd) does. */
static int
builtin_help(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argc, (void)argv, (void)ud;
	ctl_help(ctl, ctl->args);
	return SUP_OK;
}

static int
builtin_eof(sup_ctl *ctl, int argc, char **argv, void *ud)
{
	(void)argc, (void)argv, (void)ud;
	ctl_output(ctl, "%s", "");
	return SUP_CTL_QUIT;
}

static const struct ctl_command builtin_cmds[] = {
	{{"help", builtin_help, NULL, NULL, SUP_COMPLETE_COMMAND, NULL}, NULL, NULL},
	{{"EOF", builtin_eof, NULL, NULL, SUP_COMPLETE_NONE, NULL}, NULL, NULL},
};

int
ctl_onecmd(struct sup_ctl *ctl, const char *input)
{
	/* cmd.Cmd.parseline */
	char *copy = xstrdup(input);
	char *line = py_strip(copy);
	if (!*line) {
		free(copy);
		return SUP_OK;
	}
	char *owned = NULL;
	if (line[0] == '?')
		line = owned = xasprintf("help %s", line + 1);
	size_t i = 0;
	if (line[0] != '!')
		while (line[i] && is_identchar(line[i]))
			i++;
	char *name = xstrndup(line, i);
	char *argcopy = xstrdup(line + i);
	char *arg = py_strip(argcopy);
	/* a new command: completion info is fetched again */
	if (ctl->complete_info) {
		ctl_api.unref(ctl->complete_info);
		ctl->complete_info = NULL;
	}
	const struct ctl_command *cmd = NULL;
	for (size_t k = 0; k < ARRAY_LEN(builtin_cmds) && i; k++)
		if (streq(builtin_cmds[k].c.name, name))
			cmd = &builtin_cmds[k];
	if (!cmd && i)
		cmd = ctl_find(ctl, name);
	int rc = SUP_OK;
	if (!cmd) {
		ctl_output(ctl, "*** Unknown syntax: %s", line);
		ctl->exitstatus = CTL_GENERIC;
		goto out;
	}
	rc = call_handler(ctl, cmd, name, arg);
	if (rc == SUP_ERR && ctl_interrupted) {
		rc = SUP_CTL_QUIT;
		goto out;
	}
	if (rc == SUP_ERR && ctl->auth_failed) {
		ctl_output(ctl, "Server requires authentication");
		if (ctl->interactive) {
			char *user = ctl_read_line("Username:", true);
			char *pass = user ? ctl_read_line("Password:", false) : NULL;
			if (!user || !pass) {
				/* raw_input() at end of input: EOFError */
				free(user);
				ctl_set_error(ctl, xstrdup("<class 'EOFError'>, EOF when reading a line"));
				print_error(ctl);
				rc = SUP_OK;
				goto out;
			}
			ctl_output(ctl, "%s", "");
			free(ctl->username);
			free(ctl->password);
			ctl->username = user;
			ctl->password = pass;
			ctl_reconnect(ctl);
			rc = ctl_onecmd(ctl, line);
			goto out;
		}
		ctl->exitstatus = CTL_GENERIC;
		/* quirk: the command runs once more; its failure is an error line */
		rc = call_handler(ctl, cmd, name, arg);
		if (rc == SUP_ERR)
			print_error(ctl);
		rc = rc == SUP_CTL_QUIT ? rc : SUP_OK;
		goto out;
	}
	if (rc == SUP_ERR) {
		print_error(ctl);
		rc = SUP_OK;
	}
out:
	fflush(stdout);
	free(name);
	free(argcopy);
	free(owned);
	free(copy);
	return rc;
}
