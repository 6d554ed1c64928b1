/* common/iniparse.h against Python 3's RawConfigParser as Supervisor 4.2.5
 * configures it (UnhosedConfigParser: inline comments ';' '#', strict=False),
 * through real files in /tmp. Every expected value and message is what
 * /usr/bin/python3 gives for the same file. */
#include "suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iniparse.h"

/* ---- helpers ---- */

/* s with newlines and control characters escaped, cut to fit buf. */
static const char *
esc(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < n; p++) {
		if (*p == '\n')
			o += (size_t)snprintf(buf + o, n - o, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return buf;
}

/* Writes len bytes of text to a new file in /tmp; path gets its name. */
static void
write_tmp(const char *text, size_t len, char *path, size_t pathsz)
{
	snprintf(path, pathsz, "/tmp/csup_ini_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed: %s", strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		ck_assert_msg(w > 0, "write failed: %s", strerror(errno));
		off += (size_t)w;
	}
	close(fd);
}

/* Parses text as a file (removed afterwards); returns ini_read_file's rc. */
static int
parse_text(struct ini_doc *doc, const char *text, char *path, size_t pathsz, char **err)
{
	write_tmp(text, strlen(text), path, pathsz);
	int rc = ini_read_file(doc, path, err);
	unlink(path);
	return rc;
}

/* Parses text that must be accepted. */
static void
parse_ok(struct ini_doc *doc, const char *text)
{
	char path[64], msg[2048];
	char *err = NULL;
	int rc = parse_text(doc, text, path, sizeof path, &err);
	snprintf(msg, sizeof msg, "%s", err ? err : "");
	free(err);
	ck_assert_msg(rc == 0, "ini_read_file: expected success, got rc %d, error \"%s\"", rc, msg);
}

/* Parses text that must be refused; want is a format with one %s, the path. */
static void
parse_fails(const char *text, const char *want_fmt)
{
	struct ini_doc doc = {0};
	char path[64], want[4096], msg[4096];
	char *err = NULL;
	int rc = parse_text(&doc, text, path, sizeof path, &err);
	snprintf(msg, sizeof msg, "%s", err ? err : "(no message)");
	free(err);
	ini_free(&doc);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(want, sizeof want, want_fmt, path);
#pragma GCC diagnostic pop
	char w[4200], g[4200];
	ck_assert_msg(rc == -1, "expected rc -1 with error \"%s\", got rc %d", esc(want, w, sizeof w), rc);
	ck_assert_msg(strcmp(msg, want) == 0, "expected error \"%s\", got \"%s\"", esc(want, w, sizeof w),
		      esc(msg, g, sizeof g));
}

static void
value_is(const struct ini_doc *doc, const char *sec, const char *key, const char *want)
{
	const struct ini_section *s = ini_find(doc, sec);
	ck_assert_msg(s != NULL, "section [%s]: expected to exist, got none", sec);
	const char *got = ini_get(doc, s, key);
	char w[512], g[512];
	ck_assert_msg(got != NULL, "[%s] %s: expected \"%s\", got no value", sec, key, esc(want, w, sizeof w));
	ck_assert_msg(strcmp(got, want) == 0, "[%s] %s: expected \"%s\", got \"%s\"", sec, key,
		      esc(want, w, sizeof w), esc(got, g, sizeof g));
}

/* For long values: report length and first difference, not the text. */
static void
long_value_is(const struct ini_doc *doc, const char *sec, const char *key, const char *want)
{
	const struct ini_section *s = ini_find(doc, sec);
	ck_assert_msg(s != NULL, "section [%.60s...]: expected to exist, got none", sec);
	const char *got = ini_get(doc, s, key);
	ck_assert_msg(got != NULL, "[%.60s] %.60s: expected a value of %zu bytes, got none", sec, key,
		      strlen(want));
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	ck_assert_msg(strlen(got) == strlen(want) && want[i] == '\0',
		      "[%.60s] %.60s: expected %zu bytes, got %zu; first difference at byte %zu", sec, key,
		      strlen(want), strlen(got), i);
}

static void
no_value(const struct ini_doc *doc, const char *sec, const char *key)
{
	const struct ini_section *s = ini_find(doc, sec);
	ck_assert_msg(s != NULL, "section [%s]: expected to exist, got none", sec);
	const char *got = ini_get(doc, s, key);
	ck_assert_msg(got == NULL, "[%s] %s: expected no value, got \"%s\"", sec, key, got);
}

static void
sections_are(const struct ini_doc *doc, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	ck_assert_msg(doc->n == n, "expected %zu sections, got %zu", n, doc->n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strcmp(doc->secs[i].name, want[i]) == 0, "section %zu: expected [%s], got [%s]", i,
			      want[i], doc->secs[i].name);
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* n bytes of printable text without comment markers, ending in a non-blank. */
static char *
filler(size_t n, unsigned seed)
{
	static const char pool[] = "The quick/brown=fox:jumps-over 0123456789 LAZY_dogs.";
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		s[i] = pool[(i + seed) % (sizeof pool - 1)];
	if (n) {
		if (s[0] == ' ')
			s[0] = 'x';
		if (s[n - 1] == ' ')
			s[n - 1] = 'y';
	}
	s[n] = '\0';
	return s;
}

/* Each test's document; the fixture frees it even when an assertion fails. */
static struct ini_doc the_doc;

static void
doc_setup(void)
{
	memset(&the_doc, 0, sizeof the_doc);
}

static void
doc_teardown(void)
{
	ini_free(&the_doc);
}

/* ---- sections and keys ---- */

START_TEST(test_ini_sections_in_order_of_first_appearance)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[b]\nx=1\n[a]\ny=2\n[c]\n");
	sections_are(doc, NAMES("b", "a", "c"));
	value_is(doc, "b", "x", "1");
	value_is(doc, "a", "y", "2");
}
END_TEST

START_TEST(test_ini_empty_section_exists)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[empty]\n");
	sections_are(doc, NAMES("empty"));
	ck_assert_uint_eq(ini_find(doc, "empty")->n, 0);
}
END_TEST

START_TEST(test_ini_section_names_are_case_sensitive)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[Foo]\nx=1\n[foo]\nx=2\n");
	sections_are(doc, NAMES("Foo", "foo"));
	value_is(doc, "Foo", "x", "1");
	value_is(doc, "foo", "x", "2");
}
END_TEST

START_TEST(test_ini_section_name_runs_to_last_bracket)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[ s ]\n[a]]\nk=v\n[x] trailing text\nj=w\n");
	sections_are(doc, NAMES(" s ", "a]", "x"));
	value_is(doc, "a]", "k", "v");
	value_is(doc, "x", "j", "w");
}
END_TEST

START_TEST(test_ini_section_header_with_comment_or_trailing_text)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s] ; comment\nk=1\n[t];x\nj=2\n");
	sections_are(doc, NAMES("s", "t"));
	value_is(doc, "s", "k", "1");
	value_is(doc, "t", "j", "2");
}
END_TEST

START_TEST(test_ini_empty_file_has_no_sections)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "");
	ck_assert_uint_eq(doc->n, 0);
	ck_assert_uint_eq(doc->defaults.n, 0);
}
END_TEST

START_TEST(test_ini_comment_chars_inside_section_name_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[a#b]\nk=v\n[s;x]\nc=1\n");
	sections_are(doc, NAMES("a#b", "s;x"));
	value_is(doc, "a#b", "k", "v");
	value_is(doc, "s;x", "c", "1");
}
END_TEST

START_TEST(test_ini_empty_brackets_line_is_an_option)
{
	/* "\[(?P<header>.+)\]" needs one character: "[] = 5" is key "[]" */
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\n[] = 5\n");
	sections_are(doc, NAMES("s"));
	value_is(doc, "s", "[]", "5");
}
END_TEST

START_TEST(test_ini_equals_and_colon_delimiters)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nKey: Value\nother = x\n");
	value_is(doc, "s", "key", "Value");
	value_is(doc, "s", "other", "x");
}
END_TEST

START_TEST(test_ini_first_delimiter_on_line_wins)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nm = : x\nn:o=p\nq=r:s=t\n");
	value_is(doc, "s", "m", ": x");
	value_is(doc, "s", "n", "o=p");
	value_is(doc, "s", "q", "r:s=t");
}
END_TEST

START_TEST(test_ini_empty_value)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nk=\nl:\n");
	value_is(doc, "s", "k", "");
	value_is(doc, "s", "l", "");
}
END_TEST

START_TEST(test_ini_whitespace_around_key_and_value_stripped)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nmy key   =   v a l   \n");
	value_is(doc, "s", "my key", "v a l");
}
END_TEST

START_TEST(test_ini_keys_are_case_insensitive)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nCommand = /BIN/Foo\nA = 1\na=2\n");
	value_is(doc, "s", "command", "/BIN/Foo");
	value_is(doc, "s", "a", "2");
	const struct ini_section *s = ini_find(doc, "s");
	ck_assert_uint_eq(s->n, 2);
	ck_assert_str_eq(s->entries[0].key, "command");
	ck_assert_str_eq(s->entries[1].key, "a");
}
END_TEST

START_TEST(test_ini_comment_chars_inside_key_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na;b=1\nc#d=2\n");
	value_is(doc, "s", "a;b", "1");
	value_is(doc, "s", "c#d", "2");
}
END_TEST

START_TEST(test_ini_last_line_without_newline)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1");
	value_is(doc, "s", "a", "1");
}
END_TEST

START_TEST(test_ini_crlf_line_endings)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\r\na=1\r\n  two\r\n\r\n  three\r\nb = x ;c\r\n");
	value_is(doc, "s", "a", "1\ntwo\n\nthree");
	value_is(doc, "s", "b", "x");
}
END_TEST

START_TEST(test_ini_control_characters_in_values_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=\x01\nb=x\n  \x01\n  \x01" "0\n");
	value_is(doc, "s", "a", "\x01");
	value_is(doc, "s", "b", "x\n\x01\n\x01" "0");
}
END_TEST

/* ---- [DEFAULT] ---- */

START_TEST(test_ini_default_keys_visible_in_every_section)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[DEFAULT]\nautostart=false\nx=d\n[s]\nx=own\n[t]\n");
	sections_are(doc, NAMES("s", "t"));
	value_is(doc, "s", "autostart", "false");
	value_is(doc, "t", "autostart", "false");
	value_is(doc, "s", "x", "own");
	value_is(doc, "t", "x", "d");
	no_value(doc, "s", "missing");
}
END_TEST

START_TEST(test_ini_default_is_not_a_section)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[DEFAULT]\nx=d\n");
	ck_assert_ptr_null(ini_find(doc, "DEFAULT"));
	ck_assert_uint_eq(doc->n, 0);
	ck_assert_uint_eq(doc->defaults.n, 1);
	ck_assert_str_eq(doc->defaults.entries[0].value, "d");
}
END_TEST

START_TEST(test_ini_default_later_in_file_still_applies)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[DEFAULT]\nx=d\n[s]\nx=own\n[DEFAULT]\nlate=1\n");
	value_is(doc, "s", "late", "1");
	value_is(doc, "s", "x", "own");
}
END_TEST

START_TEST(test_ini_default_name_is_case_sensitive)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[default]\nx=d\n[s]\n");
	sections_are(doc, NAMES("default", "s"));
	no_value(doc, "s", "x");
}
END_TEST

/* ---- comments ---- */

START_TEST(test_ini_inline_semicolon_without_space_is_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=b;c\nj=k#l\ne=;x\n");
	value_is(doc, "s", "a", "b;c");
	value_is(doc, "s", "j", "k#l");
	value_is(doc, "s", "e", ";x");
}
END_TEST

START_TEST(test_ini_inline_comment_after_whitespace_is_cut)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=b ;c\ng=h #i\nm=n\t;o\nd= ;x\n");
	value_is(doc, "s", "a", "b");
	value_is(doc, "s", "g", "h");
	value_is(doc, "s", "m", "n");
	value_is(doc, "s", "d", "");
}
END_TEST

START_TEST(test_ini_inline_comment_after_several_plain_markers)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\nb=u#v w#x #y\nd=x;y ;z\n");
	value_is(doc, "s", "b", "u#v w#x");
	value_is(doc, "s", "d", "x;y");
}
END_TEST

START_TEST(test_ini_inline_comment_search_advances_one_marker_per_round)
{
	/* Python's configparser looks at the next ';' and the next '#' in
	 * rounds and stops at the first round where either starts a comment:
	 * in "x;y ;z #c" round 1 sees ';' at "x;" (no) and '#' at " #c" (yes),
	 * so " ;z" stays in the value; in "p#q #r ;s" round 1 sees '#' at
	 * "p#" (no) and ';' at " ;s" (yes), so " #r" stays. */
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=x;y ;z #c\nc=p#q #r ;s\ne=x;y;z ;c #d\n");
	value_is(doc, "s", "a", "x;y ;z");
	value_is(doc, "s", "c", "p#q #r");
	value_is(doc, "s", "e", "x;y;z ;c");
}
END_TEST

START_TEST(test_ini_quotes_do_not_protect_from_inline_comment)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\ncommand=bash -c 'foo ; bar'\n");
	value_is(doc, "s", "command", "bash -c 'foo");
}
END_TEST

START_TEST(test_ini_full_line_comments_ignored)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "# c\n; c\n  # indented\n\n[s]\n# x=1\n;y=2\na=1\n");
	sections_are(doc, NAMES("s"));
	const struct ini_section *s = ini_find(doc, "s");
	ck_assert_uint_eq(s->n, 1);
	value_is(doc, "s", "a", "1");
}
END_TEST

/* ---- continuation lines ---- */

START_TEST(test_ini_continuation_lines_joined_with_newline)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n  two\n\tthree  \nb=2\n");
	value_is(doc, "s", "a", "1\ntwo\nthree");
	value_is(doc, "s", "b", "2");
}
END_TEST

START_TEST(test_ini_continuation_inline_comment_cut)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n  two ;c\n  three#x\n");
	value_is(doc, "s", "a", "1\ntwo\nthree#x");
}
END_TEST

START_TEST(test_ini_blank_lines_inside_continuation_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n  two\n\n  four\n\n\nb=2\n");
	value_is(doc, "s", "a", "1\ntwo\n\nfour");
	value_is(doc, "s", "b", "2");
}
END_TEST

START_TEST(test_ini_blank_lines_right_after_key_kept_before_continuation)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n\n  # c\n\n  x\n");
	value_is(doc, "s", "a", "1\n\n\nx");
}
END_TEST

START_TEST(test_ini_trailing_blank_lines_dropped)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n  x\n\n\n");
	value_is(doc, "s", "a", "1\nx");
}
END_TEST

START_TEST(test_ini_whitespace_only_line_inside_continuation_is_blank)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n  two\n   \n  four\n");
	value_is(doc, "s", "a", "1\ntwo\n\nfour");
}
END_TEST

START_TEST(test_ini_empty_value_continued_starts_with_newline)
{
	/* the key line contributes an empty first piece */
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=\n  x\n  y\nb= ;c\n  z\n");
	value_is(doc, "s", "a", "\nx\ny");
	value_is(doc, "s", "b", "\nz");
}
END_TEST

START_TEST(test_ini_comment_lines_inside_continuation_not_kept)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n# c\n  x\n  ; d\n  y\n");
	value_is(doc, "s", "a", "1\nx\ny");
}
END_TEST

START_TEST(test_ini_continuation_needs_deeper_indent_than_key)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\n  a=1\n  b=2\n    c\n");
	value_is(doc, "s", "a", "1");
	value_is(doc, "s", "b", "2\nc");
}
END_TEST

START_TEST(test_ini_indented_section_header_continues_value)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n [t]\n");
	sections_are(doc, NAMES("s"));
	value_is(doc, "s", "a", "1\n[t]");
}
END_TEST

START_TEST(test_ini_indented_line_after_header_is_a_key)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\n[t]\n  b=2\n");
	value_is(doc, "s", "a", "1");
	value_is(doc, "t", "b", "2");
}
END_TEST

/* ---- duplicates and several files ---- */

START_TEST(test_ini_duplicate_sections_merged_later_keys_win)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[a]\nx=1\ny=2\n[b]\nz=1\n[a]\nx=3\nw=4\n");
	sections_are(doc, NAMES("a", "b"));
	const struct ini_section *a = ini_find(doc, "a");
	ck_assert_uint_eq(a->n, 3);
	ck_assert_str_eq(a->entries[0].key, "x");
	ck_assert_str_eq(a->entries[0].value, "3");
	ck_assert_str_eq(a->entries[1].key, "y");
	ck_assert_str_eq(a->entries[2].key, "w");
	value_is(doc, "b", "z", "1");
}
END_TEST

START_TEST(test_ini_second_file_merges_into_document)
{
	struct ini_doc *doc = &the_doc;
	char p1[64], p2[64];
	char *err = NULL;
	const char *t1 = "[a]\nx=1\n";
	const char *t2 = "[b]\ny=2\n[a]\nx=9\n";
	write_tmp(t1, strlen(t1), p1, sizeof p1);
	write_tmp(t2, strlen(t2), p2, sizeof p2);
	int rc1 = ini_read_file(doc, p1, &err);
	int rc2 = ini_read_file(doc, p2, &err);
	unlink(p1);
	unlink(p2);
	ck_assert_int_eq(rc1, 0);
	ck_assert_int_eq(rc2, 0);
	sections_are(doc, NAMES("a", "b"));
	value_is(doc, "a", "x", "9");
	ck_assert_uint_eq(doc->nfiles, 2);
	ck_assert_str_eq(ini_find(doc, "a")->file, p1);
	ck_assert_str_eq(ini_find(doc, "b")->file, p2);
}
END_TEST

START_TEST(test_ini_set_overwrites_in_place_and_appends)
{
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, "[s]\na=1\nb=2\n");
	struct ini_section *s = ini_find(doc, "s");
	ini_set(s, "a", "new");
	ini_set(s, "c", "3");
	ck_assert_uint_eq(s->n, 3);
	ck_assert_str_eq(s->entries[0].key, "a");
	ck_assert_str_eq(s->entries[0].value, "new");
	ck_assert_str_eq(s->entries[2].key, "c");
}
END_TEST

/* ---- errors ---- */

START_TEST(test_ini_key_before_any_section_is_missing_header)
{
	parse_fails("x=1\n[s]\n", "File contains no section headers.\nfile: '%s', line: 1\n'x=1\\n'");
}
END_TEST

START_TEST(test_ini_missing_header_counts_comment_and_blank_lines)
{
	parse_fails("\n# c\n  x\n[s]", "File contains no section headers.\nfile: '%s', line: 3\n'  x\\n'");
}
END_TEST

START_TEST(test_ini_missing_header_without_newline)
{
	parse_fails("junk", "File contains no section headers.\nfile: '%s', line: 1\n'junk'");
}
END_TEST

START_TEST(test_ini_line_without_delimiter_is_parsing_error)
{
	parse_fails("[s]\nbad\n", "Source contains parsing errors: '%s'\n\t[line  2]: 'bad\\n'");
}
END_TEST

START_TEST(test_ini_parsing_errors_list_every_bad_line)
{
	parse_fails("[s]\nbad\na=1\nalso bad\n:x\n[t]\n=y\n",
		    "Source contains parsing errors: '%s'\n"
		    "\t[line  2]: 'bad\\n'\n"
		    "\t[line  4]: 'also bad\\n'\n"
		    "\t[line  5]: ':x\\n'\n"
		    "\t[line  7]: '=y\\n'");
}
END_TEST

START_TEST(test_ini_parsing_error_line_numbers_past_two_digits)
{
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof text, "[s]\n");
	for (int i = 2; i <= 122; i++) /* lines 2..122 are keys */
		off += (size_t)snprintf(text + off, sizeof text - off, "k%d=v\n", i);
	snprintf(text + off, sizeof text - off, "oops\n"); /* line 123 */
	const char *text2 = "[s]\na=1\nb=2\nc=3\nd=4\ne=5\nf=6\ng=7\nh=8\ni=9\nj=10\nbad\n";
	parse_fails(text, "Source contains parsing errors: '%s'\n\t[line 123]: 'oops\\n'");
	parse_fails(text2, "Source contains parsing errors: '%s'\n\t[line 12]: 'bad\\n'");
}
END_TEST

START_TEST(test_ini_parsing_error_shows_repr_of_line)
{
	parse_fails("[s]\n\tbad line\nit's\n", "Source contains parsing errors: '%s'\n"
					     "\t[line  2]: '\\tbad line\\n'\n"
					     "\t[line  3]: \"it's\\n\"");
}
END_TEST

START_TEST(test_ini_parsing_error_line_without_newline)
{
	parse_fails("[s]\nbad", "Source contains parsing errors: '%s'\n\t[line  2]: 'bad'");
}
END_TEST

START_TEST(test_ini_parsing_error_in_crlf_file_shows_newline_only)
{
	/* Python reads the file with universal newlines: "\r\n" becomes "\n" */
	parse_fails("[s]\r\nbad\r\na=1\r\n", "Source contains parsing errors: '%s'\n\t[line  2]: 'bad\\n'");
}
END_TEST

START_TEST(test_ini_bracket_line_without_name_is_parsing_error)
{
	parse_fails("[s]\n[]x\n", "Source contains parsing errors: '%s'\n\t[line  2]: '[]x\\n'");
}
END_TEST

START_TEST(test_ini_unclosed_bracket_line_is_parsing_error)
{
	parse_fails("[s]\n[x\n", "Source contains parsing errors: '%s'\n\t[line  2]: '[x\\n'");
}
END_TEST

START_TEST(test_ini_unopenable_file_returns_minus_two)
{
	struct ini_doc *doc = &the_doc;
	char *err = NULL;
	errno = 0;
	int rc = ini_read_file(doc, "/nonexistent_csup_dir/supervisord.conf", &err);
	ck_assert_int_eq(rc, -2);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(doc->n, 0);
}
END_TEST

/* ---- long keys, values and names come back whole ---- */

START_TEST(test_ini_4k_value_whole)
{
	struct ini_doc *doc = &the_doc;
	char *v = filler(4096, 0);
	size_t n = strlen(v) + 64;
	char *text = malloc(n);
	snprintf(text, n, "[s]\ncommand = %s\nafter=1\n", v);
	parse_ok(doc, text);
	free(text);
	long_value_is(doc, "s", "command", v);
	value_is(doc, "s", "after", "1");
	free(v);
}
END_TEST

START_TEST(test_ini_64k_value_whole)
{
	struct ini_doc *doc = &the_doc;
	char *v = filler(65536, 7);
	size_t n = strlen(v) + 64;
	char *text = malloc(n);
	snprintf(text, n, "[s]\nenvironment=%s\nafter=1\n", v);
	parse_ok(doc, text);
	free(text);
	long_value_is(doc, "s", "environment", v);
	value_is(doc, "s", "after", "1");
	free(v);
}
END_TEST

START_TEST(test_ini_100_char_section_name_whole)
{
	struct ini_doc *doc = &the_doc;
	char name[101], text[256];
	memset(name, 0, sizeof name);
	memcpy(name, "program:", 8);
	for (int i = 8; i < 100; i++)
		name[i] = (char)('a' + i % 26);
	snprintf(text, sizeof text, "[%s]\ncommand=/bin/cat\n", name);
	parse_ok(doc, text);
	sections_are(doc, NAMES(name));
	value_is(doc, name, "command", "/bin/cat");
}
END_TEST

START_TEST(test_ini_100_char_key_whole_and_lowercased)
{
	struct ini_doc *doc = &the_doc;
	char key[101], lower[101], text[256];
	for (int i = 0; i < 100; i++) {
		key[i] = (char)((i % 2 ? 'A' : 'a') + i % 26);
		lower[i] = (char)('a' + i % 26);
	}
	key[100] = lower[100] = '\0';
	snprintf(text, sizeof text, "[s]\n%s = value\n", key);
	parse_ok(doc, text);
	value_is(doc, "s", lower, "value");
	ck_assert_uint_eq(ini_find(doc, "s")->n, 1);
}
END_TEST

START_TEST(test_ini_long_key_with_long_value_whole)
{
	struct ini_doc *doc = &the_doc;
	char *k = filler(300, 3), *v = filler(5000, 11);
	for (char *p = k; *p; p++)
		if (*p == '=' || *p == ':' || *p == ' ')
			*p = '_';
	for (char *p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	size_t n = strlen(k) + strlen(v) + 32;
	char *text = malloc(n);
	snprintf(text, n, "[s]\n%s=%s\n", k, v);
	parse_ok(doc, text);
	free(text);
	long_value_is(doc, "s", k, v);
	free(k);
	free(v);
}
END_TEST

START_TEST(test_ini_long_continuation_lines_whole)
{
	struct ini_doc *doc = &the_doc;
	char *c1 = filler(3000, 5), *c2 = filler(70000, 9);
	size_t n = strlen(c1) + strlen(c2) + 64;
	char *text = malloc(n), *want = malloc(n);
	snprintf(text, n, "[s]\na=first\n  %s\n\n  %s\nb=2\n", c1, c2);
	snprintf(want, n, "first\n%s\n\n%s", c1, c2);
	parse_ok(doc, text);
	free(text);
	long_value_is(doc, "s", "a", want);
	value_is(doc, "s", "b", "2");
	free(want);
	free(c1);
	free(c2);
}
END_TEST

START_TEST(test_ini_every_value_length_up_to_400_whole)
{
	/* crosses inih's 200-byte line buffer at every offset */
	size_t cap = 400 * 420 + 16, off = 0;
	char *text = malloc(cap);
	off += (size_t)snprintf(text + off, cap - off, "[s]\n");
	for (size_t len = 1; len <= 400; len++) {
		char *v = filler(len, (unsigned)len);
		off += (size_t)snprintf(text + off, cap - off, "k%zu = %s\n", len, v);
		free(v);
	}
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, text);
	free(text);
	ck_assert_uint_eq(ini_find(doc, "s")->n, 400);
	for (size_t len = 1; len <= 400; len++) {
		char key[16];
		snprintf(key, sizeof key, "k%zu", len);
		char *v = filler(len, (unsigned)len);
		long_value_is(doc, "s", key, v);
		free(v);
	}
}
END_TEST

START_TEST(test_ini_every_key_and_section_length_up_to_120_whole)
{
	size_t cap = 120 * 300 + 16, off = 0;
	char *text = malloc(cap);
	for (size_t len = 1; len <= 120; len++) {
		char name[128], key[128];
		for (size_t i = 0; i < len; i++) {
			name[i] = (char)('A' + i % 26);
			key[i] = (char)('a' + (i + len) % 26);
		}
		name[len] = key[len] = '\0';
		off += (size_t)snprintf(text + off, cap - off, "[%s]\n%s=%zu\n", name, key, len);
	}
	struct ini_doc *doc = &the_doc;
	parse_ok(doc, text);
	free(text);
	ck_assert_uint_eq(doc->n, 120);
	for (size_t len = 1; len <= 120; len++) {
		char name[128], key[128], want[16];
		for (size_t i = 0; i < len; i++) {
			name[i] = (char)('A' + i % 26);
			key[i] = (char)('a' + (i + len) % 26);
		}
		name[len] = key[len] = '\0';
		snprintf(want, sizeof want, "%zu", len);
		value_is(doc, name, key, want);
	}
}
END_TEST

static TCase *
new_tcase(const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, doc_setup, doc_teardown);
	return tc;
}

Suite *
ini_suite(void)
{
	Suite *s = suite_create("ini");
	TCase *tc;

	tc = new_tcase("sections_keys");
	tcase_add_test(tc, test_ini_sections_in_order_of_first_appearance);
	tcase_add_test(tc, test_ini_empty_section_exists);
	tcase_add_test(tc, test_ini_section_names_are_case_sensitive);
	tcase_add_test(tc, test_ini_section_name_runs_to_last_bracket);
	tcase_add_test(tc, test_ini_section_header_with_comment_or_trailing_text);
	tcase_add_test(tc, test_ini_empty_file_has_no_sections);
	tcase_add_test(tc, test_ini_comment_chars_inside_section_name_kept);
	tcase_add_test(tc, test_ini_empty_brackets_line_is_an_option);
	tcase_add_test(tc, test_ini_equals_and_colon_delimiters);
	tcase_add_test(tc, test_ini_first_delimiter_on_line_wins);
	tcase_add_test(tc, test_ini_empty_value);
	tcase_add_test(tc, test_ini_whitespace_around_key_and_value_stripped);
	tcase_add_test(tc, test_ini_keys_are_case_insensitive);
	tcase_add_test(tc, test_ini_comment_chars_inside_key_kept);
	tcase_add_test(tc, test_ini_last_line_without_newline);
	tcase_add_test(tc, test_ini_crlf_line_endings);
	tcase_add_test(tc, test_ini_control_characters_in_values_kept);
	suite_add_tcase(s, tc);

	tc = new_tcase("default");
	tcase_add_test(tc, test_ini_default_keys_visible_in_every_section);
	tcase_add_test(tc, test_ini_default_is_not_a_section);
	tcase_add_test(tc, test_ini_default_later_in_file_still_applies);
	tcase_add_test(tc, test_ini_default_name_is_case_sensitive);
	suite_add_tcase(s, tc);

	tc = new_tcase("comments");
	tcase_add_test(tc, test_ini_inline_semicolon_without_space_is_kept);
	tcase_add_test(tc, test_ini_inline_comment_after_whitespace_is_cut);
	tcase_add_test(tc, test_ini_inline_comment_after_several_plain_markers);
	tcase_add_test(tc, test_ini_inline_comment_search_advances_one_marker_per_round);
	tcase_add_test(tc, test_ini_quotes_do_not_protect_from_inline_comment);
	tcase_add_test(tc, test_ini_full_line_comments_ignored);
	suite_add_tcase(s, tc);

	tc = new_tcase("continuation");
	tcase_add_test(tc, test_ini_continuation_lines_joined_with_newline);
	tcase_add_test(tc, test_ini_continuation_inline_comment_cut);
	tcase_add_test(tc, test_ini_blank_lines_inside_continuation_kept);
	tcase_add_test(tc, test_ini_blank_lines_right_after_key_kept_before_continuation);
	tcase_add_test(tc, test_ini_trailing_blank_lines_dropped);
	tcase_add_test(tc, test_ini_whitespace_only_line_inside_continuation_is_blank);
	tcase_add_test(tc, test_ini_empty_value_continued_starts_with_newline);
	tcase_add_test(tc, test_ini_comment_lines_inside_continuation_not_kept);
	tcase_add_test(tc, test_ini_continuation_needs_deeper_indent_than_key);
	tcase_add_test(tc, test_ini_indented_section_header_continues_value);
	tcase_add_test(tc, test_ini_indented_line_after_header_is_a_key);
	suite_add_tcase(s, tc);

	tc = new_tcase("merging");
	tcase_add_test(tc, test_ini_duplicate_sections_merged_later_keys_win);
	tcase_add_test(tc, test_ini_second_file_merges_into_document);
	tcase_add_test(tc, test_ini_set_overwrites_in_place_and_appends);
	suite_add_tcase(s, tc);

	tc = new_tcase("errors");
	tcase_add_test(tc, test_ini_key_before_any_section_is_missing_header);
	tcase_add_test(tc, test_ini_missing_header_counts_comment_and_blank_lines);
	tcase_add_test(tc, test_ini_missing_header_without_newline);
	tcase_add_test(tc, test_ini_line_without_delimiter_is_parsing_error);
	tcase_add_test(tc, test_ini_parsing_errors_list_every_bad_line);
	tcase_add_test(tc, test_ini_parsing_error_line_numbers_past_two_digits);
	tcase_add_test(tc, test_ini_parsing_error_shows_repr_of_line);
	tcase_add_test(tc, test_ini_parsing_error_line_without_newline);
	tcase_add_test(tc, test_ini_parsing_error_in_crlf_file_shows_newline_only);
	tcase_add_test(tc, test_ini_bracket_line_without_name_is_parsing_error);
	tcase_add_test(tc, test_ini_unclosed_bracket_line_is_parsing_error);
	tcase_add_test(tc, test_ini_unopenable_file_returns_minus_two);
	suite_add_tcase(s, tc);

	tc = new_tcase("long_lines");
	tcase_add_test(tc, test_ini_4k_value_whole);
	tcase_add_test(tc, test_ini_64k_value_whole);
	tcase_add_test(tc, test_ini_100_char_section_name_whole);
	tcase_add_test(tc, test_ini_100_char_key_whole_and_lowercased);
	tcase_add_test(tc, test_ini_long_key_with_long_value_whole);
	tcase_add_test(tc, test_ini_long_continuation_lines_whole);
	tcase_add_test(tc, test_ini_every_value_length_up_to_400_whole);
	tcase_add_test(tc, test_ini_every_key_and_section_length_up_to_120_whole);
	suite_add_tcase(s, tc);

	return s;
}
