/* supervisorctl: the command line, the configuration, and the two modes
 * (one-shot action, interactive shell) of Supervisor 4.2.5's
 * supervisorctl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xmlrpc-c/base.h>

#include "config.h"
#include "ctl.h"
#include "pygetopt.h"
#include "util.h"

static const char usage_text[] =
	"supervisorctl -- control applications run by supervisord from the cmd line.\n"
	"\n"
	"Usage: %s [options] [action [arguments]]\n"
	"\n"
	"Options:\n"
	"-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
	"-h/--help -- print usage message and exit\n"
	"-i/--interactive -- start an interactive shell after executing commands\n"
	"-s/--serverurl URL -- URL on which supervisord server is listening\n"
	"     (default \"http://localhost:9001\").\n"
	"-u/--username USERNAME -- username to use for authentication with server\n"
	"-p/--password PASSWORD -- password to use for authentication with server\n"
	"-r/--history-file -- keep a readline history (if readline is available)\n"
	"\n"
	"action [arguments] -- see below\n"
	"\n"
	"Actions are commands like \"tail\" or \"stop\".  If -i is specified or no action is\n"
	"specified on the command line, a \"shell\" interpreting actions typed\n"
	"interactively is started.  Use the action \"help\" to find out about available\n"
	"actions.\n"
	"\n";

enum { O_HELP, O_CONF, O_INTERACTIVE, O_URL, O_USER, O_PASS, O_HISTORY, O_COUNT };

static const struct opt_spec specs[] = {
	{'h', "help", false, O_HELP},
	{'?', NULL, false, O_HELP},
	{'c', "configuration", true, O_CONF},
	{'i', "interactive", false, O_INTERACTIVE},
	{'s', "serverurl", true, O_URL},
	{'u', "username", true, O_USER},
	{'p', "password", true, O_PASS},
	{'r', "history_file", true, O_HISTORY},
};

/* msg is freed (a sanitizer build checks for leaks at exit) */
static _Noreturn void
usage_error(const char *argv0, char *msg)
{
	fflush(stdout);
	fprintf(stderr, "Error: %s\nFor help, use %s -h\n", msg, argv0);
	free(msg);
	exit(2);
}

static _Noreturn void
print_help(const char *argv0)
{
	const char *p = usage_text, *m;
	while ((m = strstr(p, "%s"))) {
		fwrite(p, 1, (size_t)(m - p), stdout);
		fputs(argv0, stdout);
		p = m + 2;
	}
	fputs(p, stdout);
	fflush(stdout);
	exit(0);
}

static bool
is_scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

/* datatypes.url: urlparse() finds a scheme and a netloc or a path. */
static bool
is_url(const char *v)
{
	const char *colon = strchr(v, ':');
	if (!colon || colon == v || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
		return false;
	for (const char *p = v; p < colon; p++)
		if (!is_scheme_char(*p))
			return false;
	const char *rest = colon + 1;
	if (rest[0] == '/' && rest[1] == '/') {
		size_t n = strcspn(rest + 2, "/?#");
		if (n)
			return true;
		rest += 2 + n;
	}
	return strcspn(rest, "?#") > 0;
}

struct cmdline {
	const char *configfile;
	const char *serverurl, *username, *password, *history;
	bool interactive;
	int first_arg;
};

static void
parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	struct opt_found *found = NULL;
	size_t n = 0;
	char *err = NULL;
	*cl = (struct cmdline){0};
	if (pygetopt(argc, argv, specs, ARRAY_LEN(specs), &found, &n, &cl->first_arg, &err) < 0)
		usage_error(argv[0], err);
	bool seen[O_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		int id = found[i].id;
		const char *arg = found[i].arg;
		if (id == O_HELP) {
			free(found);
			print_help(argv[0]);
		}
		if (id == O_URL && !is_url(arg)) {
			char *r = pyrepr(arg);
			char *msg = xasprintf("invalid value for %s %s: value %s is not a URL", found[i].given, r, r);
			free(r);
			free(found);
			usage_error(argv[0], msg);
		}
		if (seen[id]) {
			char *r = pyrepr(found[i].given);
			char *msg = xasprintf("conflicting command line option %s", r);
			free(r);
			free(found);
			usage_error(argv[0], msg);
		}
		seen[id] = true;
		switch (id) {
		case O_CONF: cl->configfile = arg; break;
		case O_INTERACTIVE: cl->interactive = true; break;
		case O_URL: cl->serverurl = arg; break;
		case O_USER: cl->username = arg; break;
		case O_PASS: cl->password = arg; break;
		case O_HISTORY: cl->history = arg; break;
		}
	}
	free(found);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int
main(int argc, char **argv)
{
	struct cmdline cl;
	parse_cmdline(argc, argv, &cl);

	char *configfile = cl.configfile ? xstrdup(cl.configfile) : NULL;
	if (!configfile) {
		/* searched, but supervisorctl needs none */
		char *paths[6];
		config_search_paths(argv[0], paths);
		for (int i = 0; i < 6; i++) {
			struct stat st;
			if (!configfile && stat(paths[i], &st) == 0)
				configfile = xstrdup(paths[i]);
			free(paths[i]);
		}
	}
	struct config *cfg = NULL;
	if (configfile) {
		char *err = NULL;
		cfg = config_load_ctl(configfile, &err);
		if (!cfg) {
			free(configfile);
			usage_error(argv[0], err);
		}
	}

	struct sup_ctl ctl;
	ctl_init(&ctl);
	const struct ctl_config *cc = cfg ? &cfg->ctl : NULL;
	if (cl.serverurl) {
		ctl.serverurl = xstrdup(cl.serverurl);
	} else if (cc && cc->serverurl) {
		/* from the file, a socket path is made absolute */
		if (str_starts(cc->serverurl, "unix://")) {
			char *abs = normalize_path(cc->serverurl + 7);
			ctl.serverurl = xasprintf("unix://%s", abs);
			free(abs);
		} else {
			ctl.serverurl = xstrdup(cc->serverurl);
		}
	} else {
		ctl.serverurl = xstrdup("http://localhost:9001");
	}
	ctl.username = dup_or_null(cl.username ? cl.username : cc ? cc->username : NULL);
	ctl.password = dup_or_null(cl.password ? cl.password : cc ? cc->password : NULL);
	ctl.prompt = xstrdup(cc && cc->prompt ? cc->prompt : "supervisor");
	if (cl.history)
		ctl.history_file = xstrdup(cl.history);
	else if (cc && cc->history_file && *cc->history_file)
		ctl.history_file = normalize_path(cc->history_file);
	ctl.interactive = cl.interactive || cl.first_arg >= argc;

	/* getAllProcessInfo of a thousand programs is far above xmlrpc-c's
	 * default 512 KB limit */
	xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, (size_t)1 << 30);

	char *err = NULL;
	if (ctl_plugins_load(&ctl, cfg, &err) < 0) {
		free(configfile);
		ctl_free(&ctl);
		config_free(cfg);
		usage_error(argv[0], err);
	}
	free(configfile);
	ctl_reconnect(&ctl);

	int status = 0;
	if (cl.first_arg < argc) {
		struct strbuf line = {0};
		for (int i = cl.first_arg; i < argc; i++) {
			if (i > cl.first_arg)
				sb_addc(&line, ' ');
			sb_adds(&line, argv[i]);
		}
		ctl.oneshot = true;
		ctl_onecmd(&ctl, line.p);
		sb_free(&line);
		status = ctl.exitstatus;
	} else {
		ctl_shell(&ctl);
	}
	fflush(stdout);
	ctl_free(&ctl);
	/* after the plugins: their keys are borrowed from it until fini */
	config_free(cfg);
	return status;
}
