#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static int
fail(char **err, char *msg)
{
	*err = msg;
	return -1;
}

static const char *const truthy[] = {"yes", "true", "on", "1"};
static const char *const falsy[] = {"no", "false", "off", "0"};

static int
word_in(const char *v, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, words[i]) == 0)
			return 1;
	return 0;
}

int
parse_bool(const char *v, bool *out, char **err)
{
	if (word_in(v, truthy, ARRAY_LEN(truthy)))
		*out = true;
	else if (word_in(v, falsy, ARRAY_LEN(falsy)))
		*out = false;
	else
		return fail(err, pyrepr_msg("not a valid boolean value: ", v, ""));
	return 0;
}

/* Python int(s, base): surrounding whitespace, a sign, digits with single
 * underscores between them; base 8 also takes a 0o prefix. */
static int
py_int(const char *v, int base, long long *out)
{
	const char *p = v;
	while (isspace((unsigned char)*p))
		p++;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (base == 8 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		p += 2;
		if (*p == '_')
			p++;
	}
	unsigned long long acc = 0;
	int digits = 0;
	for (; *p; p++) {
		if (*p == '_' && digits && isdigit((unsigned char)p[1]))
			continue;
		if (!isdigit((unsigned char)*p) || *p - '0' >= base)
			break;
		if (acc > (ULLONG_MAX - 9) / (unsigned)base)
			return -1; /* beyond what a config value can mean */
		acc = acc * (unsigned)base + (unsigned)(*p - '0');
		digits++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (!digits || *p || acc > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? -(long long)acc : (long long)acc;
	return 0;
}

static char *
int_error(const char *v)
{
	return pyrepr_msg("invalid literal for int() with base 10: ", v, "");
}

int
parse_int(const char *v, long long *out, char **err)
{
	if (py_int(v, 10, out) < 0)
		return fail(err, int_error(v));
	return 0;
}

int
parse_int_i(const char *v, int *out, char **err)
{
	long long n;
	if (parse_int(v, &n, err) < 0)
		return -1;
	if (n > INT_MAX || n < INT_MIN)
		return fail(err, xasprintf("value %s is out of range", v));
	*out = (int)n;
	return 0;
}

int
parse_byte_size(const char *v, long long *out, char **err)
{
	static const struct { const char *suffix; long long mult; } units[] = {
		{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024 * 1024 * 1024},
	};
	char *low = xstrdup(v);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t n = strlen(low);
	long long mult = 1;
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (n >= 2 && streq(low + n - 2, units[i].suffix)) {
			low[n - 2] = '\0';
			mult = units[i].mult;
			break;
		}
	long long num;
	int rc = parse_int(low, &num, err);
	free(low);
	if (rc == 0 && __builtin_mul_overflow(num, mult, out))
		return fail(err, xasprintf("value %s is out of range", v));
	return rc;
}

int
parse_octal(const char *v, int *out, char **err)
{
	long long n;
	if (py_int(v, 8, &n) < 0 || n > INT_MAX || n < INT_MIN)
		return fail(err, xasprintf("%s can not be converted to an octal type", v));
	*out = (int)n;
	return 0;
}

static const struct { const char *name; int num; } signames[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
	{"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG}, {"XCPU", SIGXCPU},
	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
	/* Python's table names 29 SIGPOLL, so POLL comes before IO */
	{"POLL", SIGIO}, {"PWR", SIGPWR}, {"SYS", SIGSYS},
	/* aliases, after the main names so signal_name() prefers those */
	{"IOT", SIGABRT}, {"CLD", SIGCHLD}, {"IO", SIGIO},
	/* Python's signal module constants; glibc's SIGRTMIN is 34 */
	{"RTMIN", 34}, {"RTMAX", 64},
	{"_DFL", 0}, {"_IGN", 1}, {"_BLOCK", 0}, {"_UNBLOCK", 1}, {"_SETMASK", 2},
};

const char *
signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_LEN(signames); i++)
		if (signames[i].num == sig && signames[i].name[0] != '_')
			return signames[i].name;
	return NULL;
}

static int
valid_signum(long long n)
{
	/* every value of a SIG* constant: 0 (SIG_DFL) .. 31, RTMIN, RTMAX */
	return (n >= 0 && n <= 31) || n == 34 || n == 64;
}

int
parse_signal(const char *v, int *out, char **err)
{
	long long n;
	if (py_int(v, 10, &n) < 0) {
		char *copy = xstrdup(v);
		char *up = xstrdup(strip(copy));
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		const char *bare = str_starts(up, "SIG") ? up + 3 : up;
		int found = 0;
		for (size_t i = 0; i < ARRAY_LEN(signames) && !found; i++)
			if (streq(signames[i].name, bare)) {
				n = signames[i].num;
				found = 1;
			}
		free(up);
		free(copy);
		if (!found)
			return fail(err, pyrepr_msg("value ", v, " is not a valid signal name"));
	}
	if (!valid_signum(n))
		return fail(err, pyrepr_msg("value ", v, " is not a valid signal number"));
	*out = (int)n;
	return 0;
}

int
parse_exitcodes(const char *v, struct exitcodes *out, char **err)
{
	out->n = 0;
	if (!*v)
		return 0;
	char *copy = xstrdup(v), *save = NULL;
	int ok = 1;
	/* strtok_r would skip empty items; Python's int('') fails on them */
	char *item = copy;
	for (;;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		long long n;
		if (py_int(item, 10, &n) < 0 || n < 0 || n > 255 || out->n == 256) {
			ok = 0;
			break;
		}
		out->codes[out->n++] = (uint8_t)n;
		if (!comma)
			break;
		item = comma + 1;
	}
	(void)save;
	free(copy);
	if (!ok)
		return fail(err, pyrepr_msg("not a valid list of exit codes: ", v, ""));
	return 0;
}

int
parse_autorestart(const char *v, enum autorestart *out, char **err)
{
	if (word_in(v, truthy, ARRAY_LEN(truthy)))
		*out = AUTORESTART_ALWAYS;
	else if (word_in(v, falsy, ARRAY_LEN(falsy)))
		*out = AUTORESTART_NEVER;
	else if (strcasecmp(v, "unexpected") == 0)
		*out = AUTORESTART_UNEXPECTED;
	else {
		char *low = xstrdup(v);
		for (char *p = low; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		char *msg = pyrepr_msg("invalid 'autorestart' value ", low, "");
		free(low);
		return fail(err, msg);
	}
	return 0;
}

static const struct { const char *desc, *name; int level; } levels[] = {
	{"critical", "CRIT", LV_CRIT}, {"error", "ERRO", LV_ERRO},
	{"warn", "WARN", LV_WARN},     {"info", "INFO", LV_INFO},
	{"debug", "DEBG", LV_DEBG},    {"trace", "TRAC", LV_TRAC},
	{"blather", "BLAT", LV_BLAT},
};

int
parse_loglevel(const char *v, int *out, char **err)
{
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (strcasecmp(v, levels[i].desc) == 0) {
			*out = levels[i].level;
			return 0;
		}
	return fail(err, pyrepr_msg("bad logging level name ", v, ""));
}

const char *
loglevel_name(int level)
{
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "INFO";
}

char *
expand_user(const char *path)
{
	if (path[0] != '~')
		return xstrdup(path);
	const char *slash = strchr(path, '/');
	size_t ulen = slash ? (size_t)(slash - path - 1) : strlen(path) - 1;
	const char *home = NULL;
	if (ulen == 0) {
		home = getenv("HOME");
		if (!home) {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
	} else {
		char *user = xstrndup(path + 1, ulen);
		struct passwd *pw = getpwnam(user);
		free(user);
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return xstrdup(path);
	/* Python: (home.rstrip('/') + rest) or '/' */
	size_t hl = strlen(home);
	while (hl > 0 && home[hl - 1] == '/')
		hl--;
	char *r = xasprintf("%.*s%s", (int)hl, home, slash ? slash : "");
	if (!*r) {
		free(r);
		r = xstrdup("/");
	}
	return r;
}

static int
is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int
parse_existing_directory(const char *v, char **out, char **err)
{
	char *nv = expand_user(v);
	if (!is_dir(nv)) {
		free(nv);
		return fail(err, xasprintf("%s is not an existing directory", v));
	}
	*out = nv;
	return 0;
}

int
parse_existing_dirpath(const char *v, char **out, char **err)
{
	char *nv = expand_user(v);
	char *slash = strrchr(nv, '/');
	if (slash) {
		/* os.path.dirname keeps "/" for "/x" and strips trailing slashes */
		char *dir = slash == nv ? xstrdup("/") : xstrndup(nv, (size_t)(slash - nv));
		size_t dl = strlen(dir);
		while (dl > 1 && dir[dl - 1] == '/')
			dir[--dl] = '\0';
		int ok = is_dir(dir);
		free(dir);
		if (!ok) {
			free(nv);
			return fail(err, xasprintf("The directory named as part of the path %s does not exist", v));
		}
	}
	*out = nv;
	return 0;
}

/* All digits (with an optional sign): a number, even past 64 bits. */
static bool
looks_numeric(const char *v)
{
	const char *p = v;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		p++;
	size_t n = strspn(p, "0123456789_");
	return n > 0 && p[n + strspn(p + n, " \t\n\r\f\v")] == '\0';
}

int
parse_uid(const char *v, uid_t *out, char **err)
{
	long long n;
	if (py_int(v, 10, &n) < 0 && looks_numeric(v))
		return fail(err, xasprintf("Invalid user id %s", v));
	if (py_int(v, 10, &n) == 0) {
		if (n < 0 || n > UINT_MAX - 1 || !getpwuid((uid_t)n))
			return fail(err, xasprintf("Invalid user id %s", v));
		*out = (uid_t)n;
		return 0;
	}
	struct passwd *pw = getpwnam(v);
	if (!pw)
		return fail(err, xasprintf("Invalid user name %s", v));
	*out = pw->pw_uid;
	return 0;
}

int
parse_gid(const char *v, gid_t *out, char **err)
{
	long long n;
	if (py_int(v, 10, &n) == 0) {
		if (n < 0 || n > UINT_MAX - 1 || !getgrgid((gid_t)n))
			return fail(err, xasprintf("Invalid group id %s", v));
		*out = (gid_t)n;
		return 0;
	}
	struct group *gr = getgrnam(v);
	if (!gr)
		return fail(err, xasprintf("Invalid group name %s", v));
	*out = gr->gr_gid;
	return 0;
}

int
parse_user_group(const char *v, uid_t *uid, gid_t *gid, char **err)
{
	char *copy = xstrdup(v);
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	char *sub = NULL;
	int rc = parse_uid(copy, uid, &sub);
	*gid = (gid_t)-1;
	if (rc == 0 && colon)
		rc = parse_gid(colon + 1, gid, &sub);
	free(sub);
	free(copy);
	if (rc < 0)
		return fail(err, xasprintf("Invalid user:group definition %s", v));
	return 0;
}

static int
port_number(const char *s, int *port, char **err)
{
	long long n;
	if (parse_int(s, &n, err) < 0)
		return -1;
	if (n < 1)
		return fail(err, xasprintf("%lld is below lower bound (1)", n));
	if (n > 65535)
		return fail(err, xasprintf("%lld is above upper bound (65535)", n));
	*port = (int)n;
	return 0;
}

int
parse_port_spec(const char *v, char **host, int *port, char **err)
{
	const char *colon = strrchr(v, ':');
	char *h = xstrdup("");
	if (colon) {
		free(h);
		h = xstrndup(v, (size_t)(colon - v));
		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!colon[1]) {
			free(h);
			return fail(err, xstrdup("no port number specified in ''"));
		}
		if (port_number(colon + 1, port, err) < 0) {
			free(h);
			return -1;
		}
	} else if (port_number(v, port, err) < 0) {
		free(*err);
		free(h);
		return fail(err, pyrepr_msg("not a valid port number: ", v, " "));
	}
	if (streq(h, "*"))
		h[0] = '\0';
	*host = h;
	return 0;
}

int
parse_name(const char *v, char **out, char **err)
{
	char *s = xstrdup(v);
	char *st = strip(s);
	for (const char *c = " :/"; *c; c++)
		if (strchr(st, *c)) {
			char ch[2] = {*c, 0};
			struct strbuf sb = {0};
			sb_adds(&sb, "Invalid name: ");
			sb_add_pyrepr(&sb, v);
			sb_adds(&sb, " because of character: ");
			sb_add_pyrepr(&sb, ch);
			free(s);
			return fail(err, sb_steal(&sb));
		}
	*out = xstrdup(st);
	free(s);
	return 0;
}
