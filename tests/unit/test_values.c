/* common/values.h against Supervisor 4.2.5's datatypes.py. Every expected
 * value and message below is what /usr/bin/python3 with Debian's supervisor
 * package returns for the same input. */
#include "suites.h"

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "values.h"

/* ---- helpers: each takes ownership of err and reports expected vs got ---- */

static void
copy_err(char *dst, size_t n, char *err)
{
	snprintf(dst, n, "%s", err ? err : "(no message)");
	free(err);
}

/* The call must succeed. */
static void
ok_(int rc, char *err, const char *call)
{
	char msg[1024];
	copy_err(msg, sizeof msg, err);
	ck_assert_msg(rc == 0, "%s: expected success, got rc %d with error \"%s\"", call, rc, msg);
}

/* The call must fail with exactly this message. */
static void
fails_(int rc, char *err, const char *call, const char *want)
{
	char msg[1024];
	copy_err(msg, sizeof msg, err);
	ck_assert_msg(rc == -1, "%s: expected error \"%s\", got rc %d", call, want, rc);
	ck_assert_msg(strcmp(msg, want) == 0, "%s: expected error \"%s\", got \"%s\"", call, want, msg);
}

static void
int_is(const char *in, long long want)
{
	long long got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_int(\"%s\")", in);
	ok_(parse_int(in, &got, &err), err, call);
	ck_assert_msg(got == want, "%s: expected %lld, got %lld", call, want, got);
}

static void
int_fails(const char *in, const char *want)
{
	long long got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_int(\"%s\")", in);
	int rc = parse_int(in, &got, &err);
	fails_(rc, err, call, want);
}

static void
bytes_is(const char *in, long long want)
{
	long long got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_byte_size(\"%s\")", in);
	ok_(parse_byte_size(in, &got, &err), err, call);
	ck_assert_msg(got == want, "%s: expected %lld, got %lld", call, want, got);
}

static void
bytes_fails(const char *in, const char *want)
{
	long long got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_byte_size(\"%s\")", in);
	int rc = parse_byte_size(in, &got, &err);
	fails_(rc, err, call, want);
}

static void
octal_is(const char *in, int want)
{
	int got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_octal(\"%s\")", in);
	ok_(parse_octal(in, &got, &err), err, call);
	ck_assert_msg(got == want, "%s: expected %d, got %d", call, want, got);
}

static void
octal_fails(const char *in, const char *want)
{
	int got = 0;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_octal(\"%s\")", in);
	int rc = parse_octal(in, &got, &err);
	fails_(rc, err, call, want);
}

static void
signal_is(const char *in, int want)
{
	int got = -1;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_signal(\"%s\")", in);
	ok_(parse_signal(in, &got, &err), err, call);
	ck_assert_msg(got == want, "%s: expected %d, got %d", call, want, got);
}

static void
signal_fails(const char *in, const char *want)
{
	int got = -1;
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_signal(\"%s\")", in);
	int rc = parse_signal(in, &got, &err);
	fails_(rc, err, call, want);
}

/* want is the list of codes, n of them. */
static void
exitcodes_are(const char *in, const int *want, int n)
{
	struct exitcodes got;
	memset(&got, 0, sizeof got);
	char *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_exitcodes(\"%s\")", in);
	ok_(parse_exitcodes(in, &got, &err), err, call);
	ck_assert_msg(got.n == n, "%s: expected %d codes, got %d", call, n, got.n);
	for (int i = 0; i < n; i++)
		ck_assert_msg(got.codes[i] == want[i], "%s: code %d: expected %d, got %d", call, i, want[i],
			      got.codes[i]);
}

static void
exitcodes_fail(const char *in)
{
	struct exitcodes got;
	memset(&got, 0, sizeof got);
	char *err = NULL;
	char call[256], want[256];
	snprintf(call, sizeof call, "parse_exitcodes(\"%s\")", in);
	snprintf(want, sizeof want, "not a valid list of exit codes: '%s'", in);
	int rc = parse_exitcodes(in, &got, &err);
	fails_(rc, err, call, want);
}

static void
str_result_is(int rc, char *err, char *got, const char *call, const char *want)
{
	char g[1024];
	snprintf(g, sizeof g, "%s", got ? got : "(null)");
	bool same = got && strcmp(got, want) == 0;
	free(got);
	ok_(rc, err, call);
	ck_assert_msg(same, "%s: expected \"%s\", got \"%s\"", call, want, g);
}

/* ---- parse_bool ---- */

START_TEST(test_bool_accepts_truthy_words_in_any_case)
{
	const char *words[] = {"yes", "TRUE", "On", "1", "true", "YES", "on"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bool b = false;
		char *err = NULL;
		ok_(parse_bool(words[i], &b, &err), err, words[i]);
		ck_assert_msg(b, "parse_bool(\"%s\"): expected true, got false", words[i]);
	}
}
END_TEST

START_TEST(test_bool_accepts_falsy_words_in_any_case)
{
	const char *words[] = {"no", "False", "OFF", "0", "false", "NO", "off"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		bool b = true;
		char *err = NULL;
		ok_(parse_bool(words[i], &b, &err), err, words[i]);
		ck_assert_msg(!b, "parse_bool(\"%s\"): expected false, got true", words[i]);
	}
}
END_TEST

START_TEST(test_bool_rejects_other_words_with_repr)
{
	bool b;
	char *err = NULL;
	int rc = parse_bool("maybe", &b, &err);
	fails_(rc, err, "parse_bool(\"maybe\")", "not a valid boolean value: 'maybe'");
	err = NULL;
	rc = parse_bool("2", &b, &err);
	fails_(rc, err, "parse_bool(\"2\")", "not a valid boolean value: '2'");
	err = NULL;
	rc = parse_bool("", &b, &err);
	fails_(rc, err, "parse_bool(\"\")", "not a valid boolean value: ''");
}
END_TEST

START_TEST(test_bool_does_not_strip_whitespace)
{
	bool b;
	char *err = NULL;
	int rc = parse_bool(" yes", &b, &err);
	fails_(rc, err, "parse_bool(\" yes\")", "not a valid boolean value: ' yes'");
}
END_TEST

START_TEST(test_bool_error_repr_switches_to_double_quotes_for_apostrophe)
{
	bool b;
	char *err = NULL;
	int rc = parse_bool("it's", &b, &err);
	fails_(rc, err, "parse_bool(\"it's\")", "not a valid boolean value: \"it's\"");
}
END_TEST

/* ---- parse_int ---- */

START_TEST(test_int_accepts_signs_leading_zeros_and_surrounding_whitespace)
{
	int_is("42", 42);
	int_is(" 42 ", 42);
	int_is("-7", -7);
	int_is("+7", 7);
	int_is("007", 7);
	int_is("\t5\n", 5);
	int_is("0", 0);
}
END_TEST

START_TEST(test_int_accepts_single_underscores_between_digits)
{
	int_is("1_000", 1000);
	int_is("1_0_0", 100);
}
END_TEST

START_TEST(test_int_rejects_misplaced_underscores)
{
	int_fails("1__0", "invalid literal for int() with base 10: '1__0'");
	int_fails("_1", "invalid literal for int() with base 10: '_1'");
	int_fails("1_", "invalid literal for int() with base 10: '1_'");
}
END_TEST

START_TEST(test_int_rejects_base_prefixes)
{
	int_fails("0x10", "invalid literal for int() with base 10: '0x10'");
	int_fails("0o10", "invalid literal for int() with base 10: '0o10'");
}
END_TEST

START_TEST(test_int_rejects_fraction_empty_and_words)
{
	int_fails("1.5", "invalid literal for int() with base 10: '1.5'");
	int_fails("", "invalid literal for int() with base 10: ''");
	int_fails("abc", "invalid literal for int() with base 10: 'abc'");
	int_fails("1 2", "invalid literal for int() with base 10: '1 2'");
}
END_TEST

START_TEST(test_int_i_parses_into_int)
{
	int got = 0;
	char *err = NULL;
	ok_(parse_int_i(" -12 ", &got, &err), err, "parse_int_i(\" -12 \")");
	ck_assert_int_eq(got, -12);
}
END_TEST

/* ---- parse_byte_size ---- */

START_TEST(test_byte_size_suffixes_are_binary_multiples)
{
	bytes_is("50MB", 52428800);
	bytes_is("1kb", 1024);
	bytes_is("1KB", 1024);
	bytes_is("2GB", 2147483648LL);
	bytes_is("1024", 1024);
	bytes_is("5", 5);
}
END_TEST

START_TEST(test_byte_size_allows_space_before_suffix)
{
	bytes_is("1 MB", 1048576);
}
END_TEST

START_TEST(test_byte_size_allows_negative)
{
	bytes_is("-1KB", -1024);
}
END_TEST

START_TEST(test_byte_size_allows_underscores_in_number)
{
	bytes_is("1_0kb", 10240);
}
END_TEST

START_TEST(test_byte_size_rejects_fraction)
{
	bytes_fails("1.5MB", "invalid literal for int() with base 10: '1.5'");
}
END_TEST

START_TEST(test_byte_size_rejects_unknown_suffix_with_lowercased_message)
{
	bytes_fails("1B", "invalid literal for int() with base 10: '1b'");
	bytes_fails("1TB", "invalid literal for int() with base 10: '1tb'");
}
END_TEST

START_TEST(test_byte_size_rejects_bare_suffix)
{
	bytes_fails("MB", "invalid literal for int() with base 10: ''");
	bytes_fails("kb", "invalid literal for int() with base 10: ''");
}
END_TEST

START_TEST(test_byte_size_rejects_whitespace_after_suffix)
{
	bytes_fails("  3 mb ", "invalid literal for int() with base 10: '  3 mb '");
}
END_TEST

START_TEST(test_byte_size_rejects_hex)
{
	bytes_fails("0x10", "invalid literal for int() with base 10: '0x10'");
}
END_TEST

/* ---- parse_octal ---- */

START_TEST(test_octal_accepts_bare_leading_zero_and_0o_prefix)
{
	octal_is("022", 18);
	octal_is("0o22", 18);
	octal_is("0O22", 18);
	octal_is("22", 18);
	octal_is("777", 511);
}
END_TEST

START_TEST(test_octal_accepts_sign_whitespace_and_underscores)
{
	octal_is(" 7 ", 7);
	octal_is("-7", -7);
	octal_is("1_7", 15);
}
END_TEST

START_TEST(test_octal_rejects_non_octal_digits)
{
	octal_fails("8", "8 can not be converted to an octal type");
	octal_fails("08", "08 can not be converted to an octal type");
	octal_fails("0x1", "0x1 can not be converted to an octal type");
}
END_TEST

START_TEST(test_octal_rejects_empty_and_bare_prefix)
{
	octal_fails("", " can not be converted to an octal type");
	octal_fails("0o", "0o can not be converted to an octal type");
}
END_TEST

/* ---- parse_signal ---- */

START_TEST(test_signal_accepts_names_with_or_without_sig_in_any_case)
{
	signal_is("TERM", 15);
	signal_is("term", 15);
	signal_is("SIGTERM", 15);
	signal_is("sigkill", 9);
	signal_is("USR1", 10);
}
END_TEST

START_TEST(test_signal_strips_names)
{
	signal_is(" hup ", 1);
}
END_TEST

START_TEST(test_signal_accepts_aliases)
{
	signal_is("CLD", 17);
	signal_is("IOT", 6);
	signal_is("POLL", 29);
	signal_is("STKFLT", 16);
	signal_is("PWR", 30);
	signal_is("SYS", 31);
}
END_TEST

START_TEST(test_signal_accepts_realtime_bounds)
{
	signal_is("RTMIN", 34);
	signal_is("SIGRTMIN", 34);
	signal_is("RTMAX", 64);
}
END_TEST

START_TEST(test_signal_accepts_sig_handler_constants_as_names)
{
	/* getattr(signal, 'SIG_IGN') exists in Python */
	signal_is("SIG_IGN", 1);
	signal_is("_DFL", 0);
}
END_TEST

START_TEST(test_signal_accepts_numbers_of_sig_constants)
{
	signal_is("9", 9);
	signal_is(" 9 ", 9);
	signal_is("0", 0);
	signal_is("31", 31);
	signal_is("34", 34);
	signal_is("64", 64);
}
END_TEST

START_TEST(test_signal_rejects_numbers_without_sig_constant)
{
	signal_fails("32", "value '32' is not a valid signal number");
	signal_fails("33", "value '33' is not a valid signal number");
	signal_fails("65", "value '65' is not a valid signal number");
	signal_fails("-1", "value '-1' is not a valid signal number");
}
END_TEST

START_TEST(test_signal_rejects_unknown_names)
{
	signal_fails("FOO", "value 'FOO' is not a valid signal name");
	signal_fails("SIGFOO", "value 'SIGFOO' is not a valid signal name");
	signal_fails("DFL", "value 'DFL' is not a valid signal name");
	signal_fails("IGN", "value 'IGN' is not a valid signal name");
	signal_fails("", "value '' is not a valid signal name");
}
END_TEST

/* ---- signal_name (Supervisor's signame() without "SIG") ---- */

/* signame(n) of Python on this platform; "" where it prints "signal <n>". */
static const char *const py_signame[] = {
	"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
	"USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
	"URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS", "", "", "RTMIN",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "RTMAX", "",
};

static void
signame_is(int sig)
{
	const char *want = py_signame[sig];
	const char *got = signal_name(sig);
	if (!*want)
		ck_assert_msg(got == NULL, "signal_name(%d): expected NULL, got \"%s\"", sig, got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "signal_name(%d): expected \"%s\", got \"%s\"", sig,
			      want, got ? got : "(null)");
}

START_TEST(test_signal_name_standard_signals)
{
	for (int sig = 1; sig <= 31; sig++)
		if (sig != 29)
			signame_is(sig);
}
END_TEST

START_TEST(test_signal_name_prefers_abrt_and_chld_over_aliases)
{
	signame_is(SIGABRT);
	signame_is(SIGCHLD);
}
END_TEST

START_TEST(test_signal_name_of_29_is_poll)
{
	/* Python's signal module defines SIGPOLL after SIGIO, so signame(29)
	 * is "SIGPOLL" (config.md/process.md: duplicates resolve as SIGPOLL). */
	signame_is(29);
}
END_TEST

START_TEST(test_signal_name_realtime_bounds)
{
	signame_is(34);
	signame_is(64);
}
END_TEST

START_TEST(test_signal_name_is_null_for_unnamed_numbers)
{
	signame_is(0);
	signame_is(32);
	signame_is(33);
	signame_is(35);
	signame_is(63);
	signame_is(65);
}
END_TEST

/* ---- parse_exitcodes ---- */

START_TEST(test_exitcodes_parses_comma_list_in_order)
{
	const int one[] = {0};
	exitcodes_are("0", one, 1);
	const int two[] = {0, 2};
	exitcodes_are("0,2", two, 2);
	const int dup[] = {2, 1, 2};
	exitcodes_are("2,1,2", dup, 3);
	const int max[] = {255};
	exitcodes_are("255", max, 1);
}
END_TEST

START_TEST(test_exitcodes_allows_whitespace_around_items)
{
	const int three[] = {0, 2, 3};
	exitcodes_are("0, 2 ,3", three, 3);
	const int one[] = {1};
	exitcodes_are(" 1 ", one, 1);
}
END_TEST

START_TEST(test_exitcodes_empty_string_is_empty_list)
{
	exitcodes_are("", NULL, 0);
}
END_TEST

START_TEST(test_exitcodes_rejects_out_of_range)
{
	exitcodes_fail("256");
	exitcodes_fail("-1");
	exitcodes_fail("0,256");
}
END_TEST

START_TEST(test_exitcodes_rejects_empty_items_and_words)
{
	exitcodes_fail("1,,2");
	exitcodes_fail("0,");
	exitcodes_fail("a");
	exitcodes_fail(" ");
}
END_TEST

/* ---- parse_autorestart ---- */

static void
autorestart_is(const char *in, enum autorestart want)
{
	enum autorestart got = (enum autorestart)-1;
	char *err = NULL;
	char call[128];
	snprintf(call, sizeof call, "parse_autorestart(\"%s\")", in);
	ok_(parse_autorestart(in, &got, &err), err, call);
	ck_assert_msg(got == want, "%s: expected %d, got %d", call, (int)want, (int)got);
}

START_TEST(test_autorestart_truthy_words_are_unconditional)
{
	autorestart_is("true", AUTORESTART_ALWAYS);
	autorestart_is("Yes", AUTORESTART_ALWAYS);
	autorestart_is("1", AUTORESTART_ALWAYS);
}
END_TEST

START_TEST(test_autorestart_falsy_words_are_never)
{
	autorestart_is("false", AUTORESTART_NEVER);
	autorestart_is("0", AUTORESTART_NEVER);
	autorestart_is("OFF", AUTORESTART_NEVER);
}
END_TEST

START_TEST(test_autorestart_unexpected_in_any_case)
{
	autorestart_is("unexpected", AUTORESTART_UNEXPECTED);
	autorestart_is("UNEXPECTED", AUTORESTART_UNEXPECTED);
}
END_TEST

START_TEST(test_autorestart_rejects_other_words_with_lowercased_repr)
{
	enum autorestart got;
	char *err = NULL;
	int rc = parse_autorestart("MAYBE", &got, &err);
	fails_(rc, err, "parse_autorestart(\"MAYBE\")", "invalid 'autorestart' value 'maybe'");
	err = NULL;
	rc = parse_autorestart("", &got, &err);
	fails_(rc, err, "parse_autorestart(\"\")", "invalid 'autorestart' value ''");
}
END_TEST

/* ---- parse_loglevel / loglevel_name ---- */

START_TEST(test_loglevel_names_map_to_supervisor_numbers)
{
	static const struct { const char *in; int want; } t[] = {
		{"critical", 50}, {"error", 40}, {"warn", 30}, {"info", 20},
		{"debug", 10},    {"trace", 5},  {"blather", 3},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		int got = -1;
		char *err = NULL;
		ok_(parse_loglevel(t[i].in, &got, &err), err, t[i].in);
		ck_assert_msg(got == t[i].want, "parse_loglevel(\"%s\"): expected %d, got %d", t[i].in, t[i].want,
			      got);
	}
}
END_TEST

START_TEST(test_loglevel_is_case_insensitive)
{
	int got = -1;
	char *err = NULL;
	ok_(parse_loglevel("ERROR", &got, &err), err, "parse_loglevel(\"ERROR\")");
	ck_assert_int_eq(got, 40);
	err = NULL;
	ok_(parse_loglevel("Debug", &got, &err), err, "parse_loglevel(\"Debug\")");
	ck_assert_int_eq(got, 10);
}
END_TEST

START_TEST(test_loglevel_rejects_other_names_keeping_case)
{
	int got;
	char *err = NULL;
	int rc = parse_loglevel("warning", &got, &err);
	fails_(rc, err, "parse_loglevel(\"warning\")", "bad logging level name 'warning'");
	err = NULL;
	rc = parse_loglevel("WARNING", &got, &err);
	fails_(rc, err, "parse_loglevel(\"WARNING\")", "bad logging level name 'WARNING'");
	err = NULL;
	rc = parse_loglevel("crit", &got, &err);
	fails_(rc, err, "parse_loglevel(\"crit\")", "bad logging level name 'crit'");
	err = NULL;
	rc = parse_loglevel("", &got, &err);
	fails_(rc, err, "parse_loglevel(\"\")", "bad logging level name ''");
}
END_TEST

START_TEST(test_loglevel_name_gives_four_letter_names)
{
	ck_assert_str_eq(loglevel_name(50), "CRIT");
	ck_assert_str_eq(loglevel_name(40), "ERRO");
	ck_assert_str_eq(loglevel_name(30), "WARN");
	ck_assert_str_eq(loglevel_name(20), "INFO");
	ck_assert_str_eq(loglevel_name(10), "DEBG");
	ck_assert_str_eq(loglevel_name(5), "TRAC");
	ck_assert_str_eq(loglevel_name(3), "BLAT");
}
END_TEST

/* ---- expand_user (os.path.expanduser) ---- */

static void
expands_to(const char *in, const char *want)
{
	char *got = expand_user(in);
	char call[256];
	snprintf(call, sizeof call, "expand_user(\"%s\") with HOME=\"%s\"", in,
		 getenv("HOME") ? getenv("HOME") : "(unset)");
	str_result_is(0, NULL, got, call, want);
}

START_TEST(test_expand_user_tilde_uses_home)
{
	setenv("HOME", "/home/tester", 1);
	expands_to("~", "/home/tester");
	expands_to("~/x", "/home/tester/x");
	expands_to("~/", "/home/tester/");
}
END_TEST

START_TEST(test_expand_user_leaves_other_paths_alone)
{
	setenv("HOME", "/home/tester", 1);
	expands_to("a/~", "a/~");
	expands_to("/abs/path", "/abs/path");
	expands_to("", "");
}
END_TEST

START_TEST(test_expand_user_drops_trailing_slash_of_home)
{
	setenv("HOME", "/home/tester/", 1);
	expands_to("~", "/home/tester");
	expands_to("~/x", "/home/tester/x");
}
END_TEST

START_TEST(test_expand_user_named_user_from_passwd)
{
	struct passwd *pw = getpwnam("root");
	ck_assert_ptr_nonnull(pw);
	char want[512];
	setenv("HOME", "/home/tester", 1);
	snprintf(want, sizeof want, "%s", pw->pw_dir);
	expands_to("~root", want);
	snprintf(want, sizeof want, "%s/x", pw->pw_dir);
	expands_to("~root/x", want);
}
END_TEST

START_TEST(test_expand_user_unknown_user_unchanged)
{
	expands_to("~nosuchuser_csup/x", "~nosuchuser_csup/x");
}
END_TEST

START_TEST(test_expand_user_without_home_uses_passwd)
{
	struct passwd *pw = getpwuid(getuid());
	ck_assert_ptr_nonnull(pw);
	char want[512];
	snprintf(want, sizeof want, "%s/x", pw->pw_dir);
	unsetenv("HOME");
	expands_to("~/x", want);
}
END_TEST

START_TEST(test_expand_user_home_is_root_dir)
{
	/* Python: (home.rstrip('/') + rest) or '/' */
	setenv("HOME", "/", 1);
	expands_to("~", "/");
	expands_to("~/x", "/x");
	expands_to("~/", "/");
}
END_TEST

START_TEST(test_expand_user_empty_home)
{
	setenv("HOME", "", 1);
	expands_to("~", "/");
	expands_to("~/x", "/x");
}
END_TEST

/* ---- parse_existing_directory / parse_existing_dirpath ---- */

static void
dir_is(const char *in, const char *want)
{
	char *got = NULL, *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_existing_directory(\"%s\")", in);
	int rc = parse_existing_directory(in, &got, &err);
	str_result_is(rc, err, got, call, want);
}

static void
dir_fails(const char *in, const char *want)
{
	char *got = NULL, *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_existing_directory(\"%s\")", in);
	int rc = parse_existing_directory(in, &got, &err);
	fails_(rc, err, call, want);
}

static void
dirpath_is(const char *in, const char *want)
{
	char *got = NULL, *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_existing_dirpath(\"%s\")", in);
	int rc = parse_existing_dirpath(in, &got, &err);
	str_result_is(rc, err, got, call, want);
}

static void
dirpath_fails(const char *in)
{
	char *got = NULL, *err = NULL;
	char call[256], want[512];
	snprintf(call, sizeof call, "parse_existing_dirpath(\"%s\")", in);
	snprintf(want, sizeof want, "The directory named as part of the path %s does not exist", in);
	int rc = parse_existing_dirpath(in, &got, &err);
	fails_(rc, err, call, want);
}

START_TEST(test_existing_directory_accepts_directories)
{
	dir_is("/tmp", "/tmp");
	dir_is("/", "/");
}
END_TEST

START_TEST(test_existing_directory_expands_tilde)
{
	setenv("HOME", "/tmp", 1);
	dir_is("~", "/tmp");
}
END_TEST

START_TEST(test_existing_directory_rejects_missing_and_files_with_original_text)
{
	setenv("HOME", "/tmp", 1);
	dir_fails("/nonexistent_csup", "/nonexistent_csup is not an existing directory");
	dir_fails("~/nonexistent_csup", "~/nonexistent_csup is not an existing directory");
	dir_fails("/etc/passwd", "/etc/passwd is not an existing directory");
	dir_fails("", " is not an existing directory");
}
END_TEST

START_TEST(test_existing_dirpath_accepts_bare_file_names)
{
	dirpath_is("foo.log", "foo.log");
	dirpath_is("", "");
}
END_TEST

START_TEST(test_existing_dirpath_accepts_existing_parent)
{
	dirpath_is("/tmp/foo.log", "/tmp/foo.log");
	dirpath_is("/foo.log", "/foo.log");
	dirpath_is("/tmp//x.log", "/tmp//x.log");
	dirpath_is("/tmp/", "/tmp/");
}
END_TEST

START_TEST(test_existing_dirpath_expands_tilde)
{
	setenv("HOME", "/tmp", 1);
	dirpath_is("~/x.log", "/tmp/x.log");
}
END_TEST

START_TEST(test_existing_dirpath_rejects_missing_parent)
{
	dirpath_fails("/nonexistent_csup/x.log");
	dirpath_fails("/etc/passwd/x");
	dirpath_fails("/tmp/nonexistent_csup/");
	dirpath_fails("~nosuchuser_csup/x");
}
END_TEST

/* ---- parse_uid / parse_gid / parse_user_group ---- */

START_TEST(test_uid_accepts_name_and_number)
{
	uid_t uid = 99;
	char *err = NULL;
	ok_(parse_uid("root", &uid, &err), err, "parse_uid(\"root\")");
	ck_assert_int_eq(uid, 0);
	uid = 99;
	err = NULL;
	ok_(parse_uid("0", &uid, &err), err, "parse_uid(\"0\")");
	ck_assert_int_eq(uid, 0);
	uid = 99;
	err = NULL;
	ok_(parse_uid(" 0 ", &uid, &err), err, "parse_uid(\" 0 \")");
	ck_assert_int_eq(uid, 0);
}
END_TEST

START_TEST(test_uid_rejects_unknown_name)
{
	uid_t uid;
	char *err = NULL;
	int rc = parse_uid("nosuchuser_csup", &uid, &err);
	fails_(rc, err, "parse_uid(\"nosuchuser_csup\")", "Invalid user name nosuchuser_csup");
	err = NULL;
	rc = parse_uid("", &uid, &err);
	fails_(rc, err, "parse_uid(\"\")", "Invalid user name ");
}
END_TEST

START_TEST(test_uid_rejects_unknown_number)
{
	uid_t uid;
	char *err = NULL;
	int rc = parse_uid("-1", &uid, &err);
	fails_(rc, err, "parse_uid(\"-1\")", "Invalid user id -1");
}
END_TEST

START_TEST(test_uid_huge_number_is_an_invalid_id_not_a_name)
{
	uid_t uid;
	char *err = NULL;
	int rc = parse_uid("99999999999999999999", &uid, &err);
	fails_(rc, err, "parse_uid(\"99999999999999999999\")", "Invalid user id 99999999999999999999");
}
END_TEST

START_TEST(test_gid_accepts_name_and_number)
{
	gid_t gid = 99;
	char *err = NULL;
	ok_(parse_gid("root", &gid, &err), err, "parse_gid(\"root\")");
	ck_assert_int_eq(gid, 0);
	gid = 99;
	err = NULL;
	ok_(parse_gid("0", &gid, &err), err, "parse_gid(\"0\")");
	ck_assert_int_eq(gid, 0);
}
END_TEST

START_TEST(test_gid_rejects_unknown_name_and_number)
{
	gid_t gid;
	char *err = NULL;
	int rc = parse_gid("nosuchgroup_csup", &gid, &err);
	fails_(rc, err, "parse_gid(\"nosuchgroup_csup\")", "Invalid group name nosuchgroup_csup");
	err = NULL;
	rc = parse_gid("-1", &gid, &err);
	fails_(rc, err, "parse_gid(\"-1\")", "Invalid group id -1");
}
END_TEST

START_TEST(test_user_group_user_only_gives_no_gid)
{
	uid_t uid = 99;
	gid_t gid = 99;
	char *err = NULL;
	ok_(parse_user_group("root", &uid, &gid, &err), err, "parse_user_group(\"root\")");
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(gid, (gid_t)-1);
}
END_TEST

START_TEST(test_user_group_names_and_numbers)
{
	uid_t uid = 99;
	gid_t gid = 99;
	char *err = NULL;
	ok_(parse_user_group("root:root", &uid, &gid, &err), err, "parse_user_group(\"root:root\")");
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(gid, 0);
	uid = 99;
	gid = 99;
	err = NULL;
	ok_(parse_user_group("0:0", &uid, &gid, &err), err, "parse_user_group(\"0:0\")");
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(gid, 0);
}
END_TEST

START_TEST(test_user_group_rejects_bad_parts_with_whole_definition)
{
	static const char *const bad[] = {
		"root:nosuchgroup_csup", "nosuchuser_csup:root", "root:", ":root", "root:0:0",
		"nosuchuser_csup",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		uid_t uid;
		gid_t gid;
		char *err = NULL;
		char want[256];
		snprintf(want, sizeof want, "Invalid user:group definition %s", bad[i]);
		int rc = parse_user_group(bad[i], &uid, &gid, &err);
		fails_(rc, err, bad[i], want);
	}
}
END_TEST

/* ---- parse_port_spec (inet_address) ---- */

static void
port_is(const char *in, const char *want_host, int want_port)
{
	char *host = NULL, *err = NULL;
	int port = -1;
	char call[256];
	snprintf(call, sizeof call, "parse_port_spec(\"%s\")", in);
	int rc = parse_port_spec(in, &host, &port, &err);
	ok_(rc, err, call);
	ck_assert_msg(port == want_port, "%s: expected port %d, got %d", call, want_port, port);
	str_result_is(0, NULL, host, call, want_host);
}

static void
port_fails(const char *in, const char *want)
{
	char *host = NULL, *err = NULL;
	int port = -1;
	char call[256];
	snprintf(call, sizeof call, "parse_port_spec(\"%s\")", in);
	int rc = parse_port_spec(in, &host, &port, &err);
	free(host);
	fails_(rc, err, call, want);
}

START_TEST(test_port_spec_port_only_is_all_interfaces)
{
	port_is("9001", "", 9001);
	port_is(" 80 ", "", 80);
	port_is("65535", "", 65535);
}
END_TEST

START_TEST(test_port_spec_host_and_port)
{
	port_is("localhost:9001", "localhost", 9001);
	port_is("127.0.0.1:1", "127.0.0.1", 1);
}
END_TEST

START_TEST(test_port_spec_star_or_empty_host_is_all_interfaces)
{
	port_is("*:9001", "", 9001);
	port_is(":9001", "", 9001);
}
END_TEST

START_TEST(test_port_spec_lowercases_host)
{
	port_is("HOST:80", "host", 80);
}
END_TEST

START_TEST(test_port_spec_splits_at_last_colon)
{
	port_is("a:b:80", "a:b", 80);
	port_is("[::1]:80", "[::1]", 80);
}
END_TEST

START_TEST(test_port_spec_rejects_missing_port_after_colon)
{
	port_fails("a:", "no port number specified in ''");
}
END_TEST

START_TEST(test_port_spec_rejects_bad_port_only_with_trailing_space)
{
	port_fails("0", "not a valid port number: '0' ");
	port_fails("65536", "not a valid port number: '65536' ");
	port_fails("abc", "not a valid port number: 'abc' ");
}
END_TEST

START_TEST(test_port_spec_host_with_bad_port_reports_int_error)
{
	port_fails("host:abc", "invalid literal for int() with base 10: 'abc'");
}
END_TEST

START_TEST(test_port_spec_host_with_port_out_of_range_reports_bounds)
{
	port_fails("host:0", "0 is below lower bound (1)");
	port_fails("x:99999", "99999 is above upper bound (65535)");
}
END_TEST

/* ---- parse_name (process_or_group_name) ---- */

static void
name_is(const char *in, const char *want)
{
	char *got = NULL, *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_name(\"%s\")", in);
	int rc = parse_name(in, &got, &err);
	str_result_is(rc, err, got, call, want);
}

static void
name_fails(const char *in, const char *want)
{
	char *got = NULL, *err = NULL;
	char call[256];
	snprintf(call, sizeof call, "parse_name(\"%s\")", in);
	int rc = parse_name(in, &got, &err);
	fails_(rc, err, call, want);
}

START_TEST(test_name_is_stripped)
{
	name_is("foo", "foo");
	name_is(" foo ", "foo");
	name_is("", "");
}
END_TEST

START_TEST(test_name_allows_tab_inside)
{
	name_is("a\tb", "a\tb");
}
END_TEST

START_TEST(test_name_rejects_space_colon_slash)
{
	name_fails("a b", "Invalid name: 'a b' because of character: ' '");
	name_fails("a:b", "Invalid name: 'a:b' because of character: ':'");
	name_fails("a/b", "Invalid name: 'a/b' because of character: '/'");
}
END_TEST

START_TEST(test_name_reports_first_bad_character_in_check_order)
{
	/* checked in the order ' ', ':', '/' */
	name_fails("x:y/z", "Invalid name: 'x:y/z' because of character: ':'");
	name_fails("x/y z", "Invalid name: 'x/y z' because of character: ' '");
}
END_TEST

START_TEST(test_name_error_shows_unstripped_name)
{
	name_fails(" a b ", "Invalid name: ' a b ' because of character: ' '");
}
END_TEST

Suite *
values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc;

	tc = tcase_create("bool");
	tcase_add_test(tc, test_bool_accepts_truthy_words_in_any_case);
	tcase_add_test(tc, test_bool_accepts_falsy_words_in_any_case);
	tcase_add_test(tc, test_bool_rejects_other_words_with_repr);
	tcase_add_test(tc, test_bool_does_not_strip_whitespace);
	tcase_add_test(tc, test_bool_error_repr_switches_to_double_quotes_for_apostrophe);
	suite_add_tcase(s, tc);

	tc = tcase_create("int");
	tcase_add_test(tc, test_int_accepts_signs_leading_zeros_and_surrounding_whitespace);
	tcase_add_test(tc, test_int_accepts_single_underscores_between_digits);
	tcase_add_test(tc, test_int_rejects_misplaced_underscores);
	tcase_add_test(tc, test_int_rejects_base_prefixes);
	tcase_add_test(tc, test_int_rejects_fraction_empty_and_words);
	tcase_add_test(tc, test_int_i_parses_into_int);
	suite_add_tcase(s, tc);

	tc = tcase_create("byte_size");
	tcase_add_test(tc, test_byte_size_suffixes_are_binary_multiples);
	tcase_add_test(tc, test_byte_size_allows_space_before_suffix);
	tcase_add_test(tc, test_byte_size_allows_negative);
	tcase_add_test(tc, test_byte_size_allows_underscores_in_number);
	tcase_add_test(tc, test_byte_size_rejects_fraction);
	tcase_add_test(tc, test_byte_size_rejects_unknown_suffix_with_lowercased_message);
	tcase_add_test(tc, test_byte_size_rejects_bare_suffix);
	tcase_add_test(tc, test_byte_size_rejects_whitespace_after_suffix);
	tcase_add_test(tc, test_byte_size_rejects_hex);
	suite_add_tcase(s, tc);

	tc = tcase_create("octal");
	tcase_add_test(tc, test_octal_accepts_bare_leading_zero_and_0o_prefix);
	tcase_add_test(tc, test_octal_accepts_sign_whitespace_and_underscores);
	tcase_add_test(tc, test_octal_rejects_non_octal_digits);
	tcase_add_test(tc, test_octal_rejects_empty_and_bare_prefix);
	suite_add_tcase(s, tc);

	tc = tcase_create("signal");
	tcase_add_test(tc, test_signal_accepts_names_with_or_without_sig_in_any_case);
	tcase_add_test(tc, test_signal_strips_names);
	tcase_add_test(tc, test_signal_accepts_aliases);
	tcase_add_test(tc, test_signal_accepts_realtime_bounds);
	tcase_add_test(tc, test_signal_accepts_sig_handler_constants_as_names);
	tcase_add_test(tc, test_signal_accepts_numbers_of_sig_constants);
	tcase_add_test(tc, test_signal_rejects_numbers_without_sig_constant);
	tcase_add_test(tc, test_signal_rejects_unknown_names);
	tcase_add_test(tc, test_signal_name_standard_signals);
	tcase_add_test(tc, test_signal_name_prefers_abrt_and_chld_over_aliases);
	tcase_add_test(tc, test_signal_name_of_29_is_poll);
	tcase_add_test(tc, test_signal_name_realtime_bounds);
	tcase_add_test(tc, test_signal_name_is_null_for_unnamed_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("exitcodes");
	tcase_add_test(tc, test_exitcodes_parses_comma_list_in_order);
	tcase_add_test(tc, test_exitcodes_allows_whitespace_around_items);
	tcase_add_test(tc, test_exitcodes_empty_string_is_empty_list);
	tcase_add_test(tc, test_exitcodes_rejects_out_of_range);
	tcase_add_test(tc, test_exitcodes_rejects_empty_items_and_words);
	suite_add_tcase(s, tc);

	tc = tcase_create("autorestart");
	tcase_add_test(tc, test_autorestart_truthy_words_are_unconditional);
	tcase_add_test(tc, test_autorestart_falsy_words_are_never);
	tcase_add_test(tc, test_autorestart_unexpected_in_any_case);
	tcase_add_test(tc, test_autorestart_rejects_other_words_with_lowercased_repr);
	suite_add_tcase(s, tc);

	tc = tcase_create("loglevel");
	tcase_add_test(tc, test_loglevel_names_map_to_supervisor_numbers);
	tcase_add_test(tc, test_loglevel_is_case_insensitive);
	tcase_add_test(tc, test_loglevel_rejects_other_names_keeping_case);
	tcase_add_test(tc, test_loglevel_name_gives_four_letter_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, test_expand_user_tilde_uses_home);
	tcase_add_test(tc, test_expand_user_leaves_other_paths_alone);
	tcase_add_test(tc, test_expand_user_drops_trailing_slash_of_home);
	tcase_add_test(tc, test_expand_user_named_user_from_passwd);
	tcase_add_test(tc, test_expand_user_unknown_user_unchanged);
	tcase_add_test(tc, test_expand_user_without_home_uses_passwd);
	tcase_add_test(tc, test_expand_user_home_is_root_dir);
	tcase_add_test(tc, test_expand_user_empty_home);
	tcase_add_test(tc, test_existing_directory_accepts_directories);
	tcase_add_test(tc, test_existing_directory_expands_tilde);
	tcase_add_test(tc, test_existing_directory_rejects_missing_and_files_with_original_text);
	tcase_add_test(tc, test_existing_dirpath_accepts_bare_file_names);
	tcase_add_test(tc, test_existing_dirpath_accepts_existing_parent);
	tcase_add_test(tc, test_existing_dirpath_expands_tilde);
	tcase_add_test(tc, test_existing_dirpath_rejects_missing_parent);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_add_test(tc, test_uid_accepts_name_and_number);
	tcase_add_test(tc, test_uid_rejects_unknown_name);
	tcase_add_test(tc, test_uid_rejects_unknown_number);
	tcase_add_test(tc, test_uid_huge_number_is_an_invalid_id_not_a_name);
	tcase_add_test(tc, test_gid_accepts_name_and_number);
	tcase_add_test(tc, test_gid_rejects_unknown_name_and_number);
	tcase_add_test(tc, test_user_group_user_only_gives_no_gid);
	tcase_add_test(tc, test_user_group_names_and_numbers);
	tcase_add_test(tc, test_user_group_rejects_bad_parts_with_whole_definition);
	suite_add_tcase(s, tc);

	tc = tcase_create("port_spec");
	tcase_add_test(tc, test_port_spec_port_only_is_all_interfaces);
	tcase_add_test(tc, test_port_spec_host_and_port);
	tcase_add_test(tc, test_port_spec_star_or_empty_host_is_all_interfaces);
	tcase_add_test(tc, test_port_spec_lowercases_host);
	tcase_add_test(tc, test_port_spec_splits_at_last_colon);
	tcase_add_test(tc, test_port_spec_rejects_missing_port_after_colon);
	tcase_add_test(tc, test_port_spec_rejects_bad_port_only_with_trailing_space);
	tcase_add_test(tc, test_port_spec_host_with_bad_port_reports_int_error);
	tcase_add_test(tc, test_port_spec_host_with_port_out_of_range_reports_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("name");
	tcase_add_test(tc, test_name_is_stripped);
	tcase_add_test(tc, test_name_allows_tab_inside);
	tcase_add_test(tc, test_name_rejects_space_colon_slash);
	tcase_add_test(tc, test_name_reports_first_bad_character_in_check_order);
	tcase_add_test(tc, test_name_error_shows_unstripped_name);
	suite_add_tcase(s, tc);

	return s;
}
