/* The interactive shell: cmd.Cmd.cmdloop() with readline (libedit) when
 * stdin and stdout are terminals, plain reads otherwise; history in GNU
 * readline's plain format, so Python's supervisorctl and this one share
 * history files; tab completion by supervisorctl's rules. */
#include <editline/readline.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "rpcvalue.h"

/* ---- completion ------------------------------------------------------------ */

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
add_unique(struct strv *out, const char *s)
{
	for (size_t i = 0; i < out->n; i++)
		if (streq(out->v[i], s))
			return;
	strv_push(out, xstrdup(s));
}

static int
cmp_cmd(const void *a, const void *b)
{
	const struct ctl_command *x = *(const struct ctl_command *const *)a, *y = *(const struct ctl_command *const *)b;
	if (x->owner != y->owner)
		return 0;
	return strcmp(x->c.name, y->c.name);
}

static void
complete_actions(struct sup_ctl *ctl, const char *text, struct strv *out)
{
	if (has_prefix("help", text))
		add_unique(out, "help");
	/* plugin order, then alphabetical within a plugin (Python's dir()) */
	size_t start = 0;
	while (start < ctl->ncmds) {
		size_t end = start;
		while (end < ctl->ncmds && ctl->cmds[end].owner == ctl->cmds[start].owner)
			end++;
		const struct ctl_command **v = xcalloc(end - start, sizeof(*v));
		for (size_t i = start; i < end; i++)
			v[i - start] = &ctl->cmds[i];
		qsort(v, end - start, sizeof(*v), cmp_cmd);
		for (size_t i = 0; i < end - start; i++)
			if (has_prefix(v[i]->c.name, text))
				add_unique(out, v[i]->c.name);
		free(v);
		start = end;
	}
}

/* getAllProcessInfo, cached until the next command runs (readline may ask
 * many times for one TAB). */
static const sup_value *
complete_info(struct sup_ctl *ctl)
{
	if (!ctl->complete_info) {
		sup_value *v = NULL;
		if (ctl_api.ctl_call(ctl, "supervisor.getAllProcessInfo", NULL, &v, NULL) != 0 || !v ||
		    v->type != SUP_T_ARRAY) {
			rv_unref(v);
			return NULL;
		}
		ctl->complete_info = v;
	}
	return ctl->complete_info;
}

static const char *
info_str(const sup_value *info, const char *key)
{
	const sup_value *v = rv_get(info, key);
	return v && v->type == SUP_T_STRING ? v->u.str.s : "";
}

static void
complete_groups(struct sup_ctl *ctl, const char *text, struct strv *out)
{
	const sup_value *all = complete_info(ctl);
	for (int i = 0; all && i < all->u.arr.n; i++) {
		const char *g = info_str(all->u.arr.items[i], "group");
		if (has_prefix(g, text))
			add_unique(out, g);
	}
}

static void
complete_processes(struct sup_ctl *ctl, const char *text, struct strv *out)
{
	const sup_value *all = complete_info(ctl);
	struct strv cands = {0};
	for (int i = 0; all && i < all->u.arr.n; i++) {
		const char *g = info_str(all->u.arr.items[i], "group");
		const char *n = info_str(all->u.arr.items[i], "name");
		if (strchr(text, ':') || !streq(g, n)) {
			strv_push(&cands, xasprintf("%s:%s", g, n));
			char *star = xasprintf("%s:*", g);
			add_unique(&cands, star);
			free(star);
		} else {
			strv_push(&cands, xstrdup(n));
		}
	}
	for (size_t i = 0; i < cands.n; i++)
		if (has_prefix(cands.v[i], text))
			add_unique(out, cands.v[i]);
	strv_free(&cands);
}

static void
split_ws(const char *s, struct strv *out)
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

void
ctl_complete(struct sup_ctl *ctl, const char *line, const char *text, struct strv *out)
{
	struct strv words = {0};
	split_ws(line, &words);
	size_t len = strlen(line);
	if (words.n == 0 || (words.n == 1 && (len == 0 || line[len - 1] != ' '))) {
		complete_actions(ctl, text, out);
		strv_free(&words);
		return;
	}
	const char *action = words.v[0];
	const struct ctl_command *cmd = ctl_find(ctl, action);
	enum sup_complete how = cmd ? cmd->c.complete : SUP_COMPLETE_NONE;
	/* Python tests `action in ('help')`: a substring of "help" */
	if (!cmd && strstr("help", action))
		how = SUP_COMPLETE_COMMAND;
	switch (how) {
	case SUP_COMPLETE_COMMAND:
		complete_actions(ctl, text, out);
		break;
	case SUP_COMPLETE_GROUP:
		complete_groups(ctl, text, out);
		break;
	case SUP_COMPLETE_PROCESS:
		complete_processes(ctl, text, out);
		break;
	case SUP_COMPLETE_CUSTOM:
		if (cmd->c.completer) {
			strv_free(&ctl->matches);
			strv_push(&words, NULL);
			words.n--;
			cmd->c.completer(ctl, (int)words.n, words.v, text, cmd->ud);
			for (size_t i = 0; i < ctl->matches.n; i++)
				if (has_prefix(ctl->matches.v[i], text))
					add_unique(out, ctl->matches.v[i]);
			strv_free(&ctl->matches);
		}
		break;
	default:
		break;
	}
	strv_free(&words);
}

/* ---- libedit glue ------------------------------------------------------------ */

static struct sup_ctl *shell_ctl;
static struct strv shell_matches;
static size_t shell_match_idx;

static char *
match_generator(const char *text, int state)
{
	(void)text;
	if (state == 0)
		shell_match_idx = 0;
	if (shell_match_idx < shell_matches.n)
		return xstrdup(shell_matches.v[shell_match_idx++]);
	return NULL;
}

static char **
attempted_completion(const char *text, int start, int end)
{
	(void)start, (void)end;
	rl_attempted_completion_over = 1;
	strv_free(&shell_matches);
	ctl_complete(shell_ctl, rl_line_buffer ? rl_line_buffer : "", text, &shell_matches);
	if (!shell_matches.n)
		return NULL;
	return rl_completion_matches(text, match_generator);
}

/* Reads one character for libedit, decoding UTF-8 (libedit passes what
 * this returns on as one wide character); Ctrl-C ends the input. */
static int
shell_getc(FILE *f)
{
	unsigned char b[4];
	int need = 1;
	for (int got = 0; got < need;) {
		if (ctl_interrupted)
			return EOF;
		ssize_t r = read(fileno(f), &b[got], 1);
		if (r == 0)
			return EOF;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return EOF;
		}
		if (got == 0)
			need = b[0] < 0x80 ? 1 : b[0] >= 0xF0 ? 4 : b[0] >= 0xE0 ? 3 : b[0] >= 0xC0 ? 2 : 1;
		got++;
	}
	if (need == 1)
		return b[0];
	int cp = b[0] & (0x7F >> need);
	for (int i = 1; i < need; i++)
		cp = (cp << 6) | (b[i] & 0x3F);
	return cp;
}

/* Ctrl-D: end of input on an empty line, as GNU readline (libedit's own
 * binding would echo "^D" first). */
static int
eof_or_ding(int count, int key)
{
	(void)count, (void)key;
	if (rl_end == 0)
		rl_done = 1;
	else
		rl_ding();
	return 0;
}

/* ---- history (GNU readline's plain format) ---------------------------------- */

static void
history_load(const char *path, struct strv *hist)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool first = true;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		/* a file libedit wrote starts with its cookie */
		if (first && streq(line, "_HiStOrY_V2_")) {
			first = false;
			continue;
		}
		first = false;
		strv_push(hist, xstrdup(line));
	}
	free(line);
	fclose(f);
}

static void
history_save(const char *path, const struct strv *hist)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return;
	for (size_t i = 0; i < hist->n; i++)
		fprintf(f, "%s\n", hist->v[i]);
	fclose(f);
}

/* input() without readline: the prompt, then one line of stdin. */
static char *
plain_read(const char *prompt)
{
	fputs(prompt, stdout);
	fflush(stdout);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

void
ctl_shell(struct sup_ctl *ctl)
{
	shell_ctl = ctl;
	ctl_sigint_install();
	bool tty = isatty(0) && isatty(1);
	struct strv hist = {0};
	if (ctl->history_file)
		history_load(ctl->history_file, &hist);
	char *prompt = xasprintf("%s> ", ctl->prompt);
	/* without readline, lines are read from stdin; fg reads its fd
	 * directly, so nothing may sit in stdio's buffer */
	if (!tty)
		setvbuf(stdin, NULL, _IONBF, 0);
	if (tty) {
		rl_readline_name = "supervisorctl";
		rl_getc_function = shell_getc;
		rl_attempted_completion_function = attempted_completion;
		/* Python's readline delimiters without ':', '*' and '-' */
		static char breaks[] = " \t\n`~!@#$%^&()=+[{]}\\|;'\",<>/?";
		rl_basic_word_break_characters = breaks;
		rl_completer_word_break_characters = breaks;
		rl_initialize();
		rl_add_defun("csup-eof", eof_or_ding, 4);
		using_history();
		for (size_t i = 0; i < hist.n; i++)
			add_history(hist.v[i]);
	}
	int rc = ctl_onecmd(ctl, "status");
	while (rc != SUP_CTL_QUIT && !ctl_interrupted) {
		char *line = tty ? readline(prompt) : plain_read(prompt);
		if (ctl_interrupted) {
			free(line);
			break;
		}
		if (!line) {
			line = xstrdup("EOF");
		} else if (tty && *line && (!hist.n || !streq(hist.v[hist.n - 1], line))) {
			add_history(line);
			strv_push(&hist, xstrdup(line));
		}
		rc = ctl_onecmd(ctl, line);
		free(line);
	}
	if (ctl_interrupted) {
		/* KeyboardInterrupt: an empty line, and the shell ends */
		ctl_output(ctl, "%s", "");
		fflush(stdout);
	}
	if (ctl->history_file)
		history_save(ctl->history_file, &hist);
	strv_free(&hist);
	strv_free(&shell_matches);
	free(prompt);
	ctl_sigint_restore();
}
