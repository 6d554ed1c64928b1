#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "pygetopt.h"
#include "util.h"

static const char usage_text[] =
	"supervisord -- run a set of applications as daemons.\n"
	"\n"
	"Usage: %s [options]\n"
	"\n"
	"Options:\n"
	"-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
	"-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)\n"
	"-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)\n"
	"-h/--help -- print this usage message and exit\n"
	"-v/--version -- print supervisord version number and exit\n"
	"-u/--user USER -- run supervisord as this user (or numeric uid)\n"
	"-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)\n"
	"-d/--directory DIRECTORY -- directory to chdir to when daemonized\n"
	"-l/--logfile FILENAME -- use FILENAME as logfile path\n"
	"-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile\n"
	"-z/--logfile_backups NUM -- number of backups to keep when max bytes reached\n"
	"-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)\n"
	"-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME\n"
	"-i/--identifier STR -- identifier used for this instance of supervisord\n"
	"-q/--childlogdir DIRECTORY -- the log directory for child process logs\n"
	"-k/--nocleanup --  prevent the process from performing cleanup (removal of\n"
	"                   old automatic child log files) at startup.\n"
	"-a/--minfds NUM -- the minimum number of file descriptors for start success\n"
	"-t/--strip_ansi -- strip ansi escape codes from process output\n"
	"--minprocs NUM  -- the minimum number of processes available for start success\n"
	"--profile_options OPTIONS -- run supervisord under profiler and output\n"
	"                             results based on OPTIONS, which  is a comma-sep'd\n"
	"                             list of 'cumulative', 'calls', and/or 'callers',\n"
	"                             e.g. 'cumulative,callers')\n"
	"\n";

enum {
	O_HELP, O_VERSION, O_CONF, O_NODAEMON, O_SILENT, O_USER, O_UMASK, O_DIR, O_LOGFILE,
	O_MAXBYTES, O_BACKUPS, O_LOGLEVEL, O_PIDFILE, O_IDENT, O_CHILDLOGDIR, O_NOCLEANUP,
	O_MINFDS, O_MINPROCS, O_STRIP, O_PROFILE, O_COUNT
};

static const struct opt_spec specs[] = {
	{'h', "help", false, O_HELP},           {'?', NULL, false, O_HELP},
	{'c', "configuration", true, O_CONF},   {'v', "version", false, O_VERSION},
	{'n', "nodaemon", false, O_NODAEMON},   {'u', "user", true, O_USER},
	{'m', "umask", true, O_UMASK},          {'d', "directory", true, O_DIR},
	{'l', "logfile", true, O_LOGFILE},      {'y', "logfile_maxbytes", true, O_MAXBYTES},
	{'z', "logfile_backups", true, O_BACKUPS}, {'e', "loglevel", true, O_LOGLEVEL},
	{'j', "pidfile", true, O_PIDFILE},      {'i', "identifier", true, O_IDENT},
	{'q', "childlogdir", true, O_CHILDLOGDIR}, {'a', "minfds", true, O_MINFDS},
	{0, "minprocs", true, O_MINPROCS},      {'k', "nocleanup", false, O_NOCLEANUP},
	{'t', "strip_ansi", false, O_STRIP},    {0, "profile_options", true, O_PROFILE},
	{'s', "silent", false, O_SILENT},
};

_Noreturn void
usage_error(const char *argv0, const char *msg)
{
	fprintf(stderr, "Error: %s\nFor help, use %s -h\n", msg, argv0);
	exit(2);
}

static void
print_help(const char *argv0)
{
	const char *p = usage_text, *m;
	while ((m = strstr(p, "%s"))) {
		fwrite(p, 1, (size_t)(m - p), stdout);
		fputs(argv0, stdout);
		p = m + 2;
	}
	fputs(p, stdout);
	exit(0);
}

/* profile_options: a comma list of cumulative/calls/callers (accepted and
 * ignored: there is no Python profiler to run). */
static int
check_profile(const char *v, char **err)
{
	char *copy = xstrdup(v), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!streq(t, "cumulative") && !streq(t, "calls") && !streq(t, "callers")) {
			*err = xasprintf("Unknown profile option: %s", t);
			rc = -1;
			break;
		}
	free(copy);
	return rc;
}

/* Convert and store one option value; returns -1 with *err on a bad value. */
static int
apply(struct daemon_options *o, unsigned id, const char *arg, char **err)
{
	struct supervisord_overrides *ov = &o->ov;
	switch (id) {
	case O_CONF:
		free(o->configfile);
		o->configfile = xstrdup(arg);
		return 0;
	case O_NODAEMON: ov->nodaemon = true; return 0;
	case O_SILENT: ov->silent = true; return 0;
	case O_NOCLEANUP: ov->nocleanup = true; return 0;
	case O_STRIP: ov->strip_ansi = true; return 0;
	case O_USER: ov->user = arg; return 0;
	case O_IDENT: ov->identifier = arg; return 0;
	case O_UMASK: ov->has_umask = true; return parse_octal(arg, &ov->umask, err);
	case O_DIR: {
		char *d = NULL;
		if (parse_existing_directory(arg, &d, err) < 0)
			return -1;
		free(d);
		ov->directory = arg;
		return 0;
	}
	case O_LOGFILE:
	case O_PIDFILE: {
		char *d = NULL;
		if (parse_existing_dirpath(arg, &d, err) < 0)
			return -1;
		free(d);
		*(id == O_LOGFILE ? &ov->logfile : &ov->pidfile) = arg;
		return 0;
	}
	case O_CHILDLOGDIR: {
		char *d = NULL;
		if (parse_existing_directory(arg, &d, err) < 0)
			return -1;
		free(d);
		ov->childlogdir = arg;
		return 0;
	}
	case O_MAXBYTES: ov->has_logfile_maxbytes = true; return parse_byte_size(arg, &ov->logfile_maxbytes, err);
	case O_BACKUPS: ov->has_logfile_backups = true; return parse_int_i(arg, &ov->logfile_backups, err);
	case O_LOGLEVEL: ov->has_loglevel = true; return parse_loglevel(arg, &ov->loglevel, err);
	case O_MINFDS: ov->has_minfds = true; return parse_int_i(arg, &ov->minfds, err);
	case O_MINPROCS: ov->has_minprocs = true; return parse_int_i(arg, &ov->minprocs, err);
	case O_PROFILE: return check_profile(arg, err);
	}
	return 0;
}

void
daemon_options_parse(struct daemon_options *o, int argc, char **argv)
{
	struct opt_found *found;
	size_t n;
	int first;
	char *err = NULL;
	*o = (struct daemon_options){.argv0 = argv[0]};
	if (pygetopt(argc, argv, specs, ARRAY_LEN(specs), &found, &n, &first, &err) < 0)
		usage_error(o->argv0, err);
	if (first < argc) {
		struct strbuf sb = {0};
		sb_adds(&sb, "positional arguments are not supported: [");
		for (int i = first; i < argc; i++) {
			if (i > first)
				sb_adds(&sb, ", ");
			sb_add_pyrepr(&sb, argv[i]);
		}
		sb_addc(&sb, ']');
		usage_error(o->argv0, sb.p);
	}
	bool seen[O_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		unsigned id = (unsigned)found[i].id % O_COUNT;
		if (id == O_HELP)
			print_help(o->argv0);
		if (id == O_VERSION) {
			puts(SUPERVISOR_VERSION);
			exit(0);
		}
		if (apply(o, id, found[i].arg, &err) < 0) {
			struct strbuf sb = {0};
			sb_addf(&sb, "invalid value for %s ", found[i].given);
			sb_add_pyrepr(&sb, found[i].arg);
			sb_addf(&sb, ": %s", err);
			usage_error(o->argv0, sb.p);
		}
		if (seen[id] && id != O_PROFILE) {
			struct strbuf sb = {0};
			sb_adds(&sb, "conflicting command line option ");
			sb_add_pyrepr(&sb, found[i].given);
			usage_error(o->argv0, sb.p);
		}
		seen[id] = true;
	}
	free(found);
	if (!o->configfile) {
		char *paths[6];
		config_search_paths(o->argv0, paths);
		if (getuid() == 0)
			fputs("UserWarning: Supervisord is running as root and it is searching for its configuration file "
			      "in default locations (including its current working directory); you probably want to "
			      "specify a \"-c\" argument specifying an absolute path to a configuration file for "
			      "improved security.\n", stderr);
		struct strbuf sb = {0};
		for (int i = 0; i < 6; i++) {
			struct stat st;
			if (!o->configfile && stat(paths[i], &st) == 0)
				o->configfile = xstrdup(paths[i]);
			sb_addf(&sb, "%s%s", i ? ", " : "", paths[i]);
			free(paths[i]);
		}
		if (!o->configfile) {
			char *msg = xasprintf("No config file found at default paths (%s); use the -c option to "
					      "specify a config file at a different path", sb.p);
			usage_error(o->argv0, msg);
		}
		sb_free(&sb);
	}
}

static void
override_str(char **field, const char *v)
{
	if (!v)
		return;
	free(*field);
	*field = xstrdup(v);
}

struct config *
daemon_options_load(struct daemon_options *o)
{
	char *err = NULL;
	struct config *cfg = config_load_daemon(o->configfile, &o->ov, &err);
	if (!cfg)
		usage_error(o->argv0, err);
	struct supervisord_config *sd = &cfg->sd;
	const struct supervisord_overrides *ov = &o->ov;
	sd->nodaemon |= ov->nodaemon;
	sd->silent |= ov->silent;
	sd->nocleanup |= ov->nocleanup;
	sd->strip_ansi |= ov->strip_ansi;
	override_str(&sd->user, ov->user);
	override_str(&sd->identifier, ov->identifier);
	override_str(&sd->directory, ov->directory);
	override_str(&sd->childlogdir, ov->childlogdir);
	override_str(&sd->logfile, ov->logfile);
	override_str(&sd->pidfile, ov->pidfile);
	if (ov->has_umask) sd->umask = ov->umask;
	if (ov->has_logfile_maxbytes) sd->logfile_maxbytes = ov->logfile_maxbytes;
	if (ov->has_logfile_backups) sd->logfile_backups = ov->logfile_backups;
	if (ov->has_loglevel) sd->loglevel = ov->loglevel;
	if (ov->has_minfds) sd->minfds = ov->minfds;
	if (ov->has_minprocs) sd->minprocs = ov->minprocs;
	if (sd->user) {
		uid_t uid;
		if (parse_uid(sd->user, &uid, &err) < 0)
			usage_error(o->argv0, err);
	}
	if (!streq(sd->logfile, "syslog")) {
		char *abs = normalize_path(sd->logfile);
		free(sd->logfile);
		sd->logfile = abs;
	}
	char *abs = normalize_path(sd->pidfile);
	free(sd->pidfile);
	sd->pidfile = abs;
	return cfg;
}

void
daemon_options_free(struct daemon_options *o)
{
	free(o->configfile);
	free(o->user);
}
