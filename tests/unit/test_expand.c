/* common/expand.h against Supervisor 4.2.5's options.expand(), i.e. Python's
 * "str % dict" with the ValueError texts supervisor wraps around it. Every
 * expected value is what /usr/bin/python3 gives for the same input. */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

#define WHERE "program:cat.command"
#define AVAILABLE                                                                                   \
	"Available names: ENV_HOME, group_name, here, host_node_name, numprocs, process_num, "      \
	"program_name"

/* A per-process dictionary as supervisor builds it for [program:cat]. */
static void
program_dict(struct xdict *d)
{
	xdict_set_str(d, "program_name", "cat");
	xdict_set_int(d, "process_num", 3);
	xdict_set_int(d, "numprocs", 12);
	xdict_set_str(d, "here", "/etc/sv");
	xdict_set_str(d, "group_name", "grp");
	xdict_set_str(d, "ENV_HOME", "/root");
	xdict_set_str(d, "host_node_name", "node");
}

/* Odd values for the conversion corner cases. */
static void
odd_dict(struct xdict *d)
{
	xdict_set_int(d, "zero", 0);
	xdict_set_int(d, "neg", -5);
	xdict_set_int(d, "big", 300);
	xdict_set_str(d, "uni", "\xc3\xa9"); /* é */
	xdict_set_str(d, "s", "ab");
}

/* Runs expand() and keeps copies of its result, so that a failing
 * assertion leaves nothing allocated behind. */
struct result {
	int rc;
	char out[1024];
	char err[1024];
};

static struct result
run(const struct xdict *d, const char *in)
{
	struct result r;
	char *out = NULL, *err = NULL;
	r.rc = expand(in, d, WHERE, &out, &err);
	snprintf(r.out, sizeof r.out, "%s", out ? out : "(null)");
	snprintf(r.err, sizeof r.err, "%s", err ? err : "(no message)");
	free(out);
	free(err);
	return r;
}

/* s with control characters escaped, cut to fit buf. */
static const char *
esc(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < n; p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return buf;
}

static void
check_ok(struct result r, const char *in, const char *want)
{
	char i[256], w[1200], g[1200];
	ck_assert_msg(r.rc == 0, "expand(\"%s\"): expected \"%s\", got error \"%s\"", esc(in, i, sizeof i),
		      esc(want, w, sizeof w), esc(r.err, g, sizeof g));
	ck_assert_msg(strcmp(r.out, want) == 0, "expand(\"%s\"): expected \"%s\", got \"%s\"", esc(in, i, sizeof i),
		      esc(want, w, sizeof w), esc(r.out, g, sizeof g));
}

static void
check_fails(struct result r, const char *in, const char *want)
{
	char i[256], w[1200], g[1200];
	ck_assert_msg(r.rc == -1, "expand(\"%s\"): expected error \"%s\", got result \"%s\"", esc(in, i, sizeof i),
		      esc(want, w, sizeof w), esc(r.out, g, sizeof g));
	ck_assert_msg(strcmp(r.err, want) == 0, "expand(\"%s\"): expected error \"%s\", got \"%s\"",
		      esc(in, i, sizeof i), esc(want, w, sizeof w), esc(r.err, g, sizeof g));
}

static void
expands_with(const struct xdict *d, const char *in, const char *want)
{
	check_ok(run(d, in), in, want);
}

static void
fails_with(const struct xdict *d, const char *in, const char *want)
{
	check_fails(run(d, in), in, want);
}

static void
expands(const char *in, const char *want)
{
	struct xdict d = {0};
	program_dict(&d);
	struct result r = run(&d, in);
	xdict_free(&d);
	check_ok(r, in, want);
}

static void
fails(const char *in, const char *want)
{
	struct xdict d = {0};
	program_dict(&d);
	struct result r = run(&d, in);
	xdict_free(&d);
	check_fails(r, in, want);
}

static void
odd_expands(const char *in, const char *want)
{
	struct xdict d = {0};
	odd_dict(&d);
	struct result r = run(&d, in);
	xdict_free(&d);
	check_ok(r, in, want);
}

static void
odd_fails(const char *in, const char *want)
{
	struct xdict d = {0};
	odd_dict(&d);
	struct result r = run(&d, in);
	xdict_free(&d);
	check_fails(r, in, want);
}

/* ---- plain substitution ---- */

START_TEST(test_expand_string_key)
{
	expands("%(program_name)s", "cat");
}
END_TEST

START_TEST(test_expand_text_without_percent_is_unchanged)
{
	expands("plain text", "plain text");
	expands("", "");
}
END_TEST

START_TEST(test_expand_double_percent_is_literal_percent)
{
	expands("100%%", "100%");
	expands("%%(here)s", "%(here)s");
	expands("a%%b%(here)s%%", "a%b/etc/sv%");
}
END_TEST

START_TEST(test_expand_here_inside_text)
{
	expands("cd %(here)s/bin && run", "cd /etc/sv/bin && run");
	expands("x%(here)sy%(here)sz", "x/etc/svy/etc/svz");
}
END_TEST

START_TEST(test_expand_empty_string_value)
{
	struct xdict d = {0};
	xdict_set_str(&d, "x", "");
	expands_with(&d, "[%(x)s]", "[]");
	xdict_free(&d);
}
END_TEST

START_TEST(test_expand_nested_parentheses_in_key)
{
	struct xdict d = {0};
	xdict_set_str(&d, "a(b)c", "v");
	expands_with(&d, "%(a(b)c)s", "v");
	xdict_free(&d);
}
END_TEST

/* ---- integer conversions ---- */

START_TEST(test_expand_process_num_zero_padded)
{
	expands("%(process_num)02d", "03");
}
END_TEST

START_TEST(test_expand_int_hex_and_octal)
{
	expands("%(numprocs)x", "c");
	expands("%(numprocs)X", "C");
	expands("%(numprocs)o", "14");
}
END_TEST

START_TEST(test_expand_int_with_s_r_i_u_and_length_modifier)
{
	expands("%(process_num)s", "3");
	expands("%(process_num)r", "3");
	expands("%(process_num)i", "3");
	expands("%(process_num)u", "3");
	expands("%(process_num)ld", "3");
}
END_TEST

START_TEST(test_expand_width_and_flags)
{
	expands("%(process_num)5d|", "    3|");
	expands("%(process_num)-5d|", "3    |");
	expands("%(process_num)-05d|", "3    |");
	expands("%(process_num)+d", "+3");
	expands("%(process_num) d", " 3");
	expands("%(process_num).3d", "003");
	expands("%(program_name)10s|", "       cat|");
	expands("%(program_name)-10s|", "cat       |");
	expands("%(program_name).2s", "ca");
}
END_TEST

START_TEST(test_expand_alternate_hex_has_prefix)
{
	expands("%(numprocs)#x", "0xc");
	expands("%(numprocs)#X", "0XC");
	expands("%(process_num)#5x|", "  0x3|");
}
END_TEST

START_TEST(test_expand_alternate_octal_uses_0o_prefix)
{
	expands("%(numprocs)#o", "0o14");
}
END_TEST

START_TEST(test_expand_alternate_form_of_zero_keeps_prefix)
{
	odd_expands("%(zero)#x", "0x0");
	odd_expands("%(zero)#X", "0X0");
	odd_expands("%(zero)#o", "0o0");
}
END_TEST

START_TEST(test_expand_negative_hex_and_octal_have_sign)
{
	odd_expands("%(neg)x", "-5");
	odd_expands("%(neg)#x", "-0x5");
	odd_expands("%(neg)#o", "-0o5");
	odd_expands("%(neg)u", "-5");
	odd_expands("%(neg)05d", "-0005");
}
END_TEST

START_TEST(test_expand_zero_precision_still_prints_zero)
{
	odd_expands("%(zero).0d|", "0|");
	odd_expands("%(zero)+.0d|", "+0|");
}
END_TEST

START_TEST(test_expand_float_conversions_of_int)
{
	expands("%(process_num)5.1f", "  3.0");
	expands("%(process_num)e", "3.000000e+00");
	odd_expands("%(big)g", "300");
	odd_expands("%(big)#g", "300.000");
}
END_TEST

START_TEST(test_expand_char_conversion_of_small_int)
{
	expands("%(process_num)c", "\x03");
}
END_TEST

START_TEST(test_expand_char_conversion_of_non_ascii_code_point)
{
	odd_expands("%(big)c", "\xc4\xac"); /* U+012C */
}
END_TEST

START_TEST(test_expand_char_conversion_rejects_negative_int)
{
	odd_fails("%(neg)c", "Format string '%(neg)c' for '" WHERE "' is badly formatted: "
			     "%c arg not in range(0x110000)");
}
END_TEST

/* ---- string conversions ---- */

START_TEST(test_expand_repr_conversions_quote_strings)
{
	expands("%(program_name)r", "'cat'");
	odd_expands("%(s)a", "'ab'");
	odd_expands("%(s)5r|", " 'ab'|");
}
END_TEST

START_TEST(test_expand_zero_flag_is_ignored_for_strings)
{
	expands("%(process_num)05s|", "    3|");
	odd_expands("%(s)05s|", "   ab|");
}
END_TEST

START_TEST(test_expand_width_counts_characters_not_bytes)
{
	odd_expands("%(uni)5s|", "    \xc3\xa9|");
	odd_expands("%(uni)-3s|", "\xc3\xa9  |");
	odd_expands("%(uni).1s|", "\xc3\xa9|");
}
END_TEST

START_TEST(test_expand_char_conversion_of_one_character_string)
{
	odd_expands("%(uni)c", "\xc3\xa9");
}
END_TEST

START_TEST(test_expand_char_conversion_rejects_longer_string)
{
	fails("%(program_name)c", "Format string '%(program_name)c' for '" WHERE "' is badly formatted: "
				  "%c requires int or char");
}
END_TEST

/* ---- unknown names ---- */

START_TEST(test_expand_unknown_key_lists_sorted_names)
{
	fails("%(nosuch)s", "Format string '%(nosuch)s' for '" WHERE "' contains names ('nosuch') which "
			    "cannot be expanded. " AVAILABLE);
}
END_TEST

START_TEST(test_expand_unknown_key_after_good_text)
{
	fails("%(program_name)s%(nosuch)%", "Format string '%(program_name)s%(nosuch)%' for '" WHERE
					    "' contains names ('nosuch') which cannot be expanded. " AVAILABLE);
}
END_TEST

START_TEST(test_expand_unknown_key_with_apostrophe_uses_double_quotes)
{
	fails("%(a'b)s", "Format string \"%(a'b)s\" for '" WHERE "' contains names (\"a'b\") which "
			 "cannot be expanded. " AVAILABLE);
}
END_TEST

START_TEST(test_expand_empty_key_is_unknown)
{
	fails("%()s", "Format string '%()s' for '" WHERE "' contains names ('') which cannot be "
		      "expanded. " AVAILABLE);
}
END_TEST

START_TEST(test_expand_nested_parentheses_unknown_key_is_whole_key)
{
	fails("%(a(b)c)s", "Format string '%(a(b)c)s' for '" WHERE "' contains names ('a(b)c') which "
			   "cannot be expanded. " AVAILABLE);
}
END_TEST

START_TEST(test_expand_unknown_key_with_empty_dict)
{
	struct xdict d = {0};
	char *out = NULL, *err = NULL;
	ck_assert_int_eq(expand("%(x)s", &d, "w", &out, &err), -1);
	ck_assert_str_eq(err, "Format string '%(x)s' for 'w' contains names ('x') which cannot be expanded. "
			      "Available names: ");
	free(err);
	xdict_free(&d);
}
END_TEST

/* ---- malformed formats ---- */

START_TEST(test_expand_trailing_percent_is_incomplete_format)
{
	fails("abc%", "Format string 'abc%' for '" WHERE "' is badly formatted: incomplete format");
	fails("%", "Format string '%' for '" WHERE "' is badly formatted: incomplete format");
	fails("%%%", "Format string '%%%' for '" WHERE "' is badly formatted: incomplete format");
}
END_TEST

START_TEST(test_expand_key_without_conversion_is_incomplete_format)
{
	fails("%(program_name)", "Format string '%(program_name)' for '" WHERE
				 "' is badly formatted: incomplete format");
}
END_TEST

START_TEST(test_expand_unclosed_key_is_incomplete_format_key)
{
	fails("%(program_name", "Format string '%(program_name' for '" WHERE
				"' is badly formatted: incomplete format key");
}
END_TEST

START_TEST(test_expand_unbalanced_nested_parenthesis_is_incomplete_format_key)
{
	fails("%(a(b)s", "Format string '%(a(b)s' for '" WHERE "' is badly formatted: incomplete format key");
}
END_TEST

START_TEST(test_expand_unsupported_character_reports_index)
{
	fails("%(program_name)q", "Format string '%(program_name)q' for '" WHERE
				  "' is badly formatted: unsupported format character 'q' (0x71) at index 15");
	fails("%5%", "Format string '%5%' for '" WHERE
		     "' is badly formatted: unsupported format character '%' (0x25) at index 2");
	fails("%(process_num)%", "Format string '%(process_num)%' for '" WHERE
				 "' is badly formatted: unsupported format character '%' (0x25) at index 14");
}
END_TEST

START_TEST(test_expand_unsupported_character_index_counts_characters)
{
	/* Python's index is in code points: "é" is one. */
	fails("\xc3\xa9%z", "Format string '\xc3\xa9%z' for '" WHERE
			    "' is badly formatted: unsupported format character 'z' (0x7a) at index 2");
}
END_TEST

START_TEST(test_expand_unsupported_unprintable_character_shown_as_question_mark)
{
	fails("%(program_name)\x01", "Format string '%(program_name)\\x01' for '" WHERE
				     "' is badly formatted: unsupported format character '?' (0x1) at index 15");
	fails("%(program_name)\xc3\xa9", "Format string '%(program_name)\xc3\xa9' for '" WHERE
					 "' is badly formatted: unsupported format character '?' (0xe9) at index 15");
}
END_TEST

START_TEST(test_expand_d_on_string_needs_real_number)
{
	fails("%(program_name)d", "Format string '%(program_name)d' for '" WHERE
				  "' is badly formatted: %d format: a real number is required, not str");
	fails("%(program_name)i", "Format string '%(program_name)i' for '" WHERE
				  "' is badly formatted: %i format: a real number is required, not str");
}
END_TEST

START_TEST(test_expand_x_on_string_needs_integer)
{
	fails("%(program_name)x", "Format string '%(program_name)x' for '" WHERE
				  "' is badly formatted: %x format: an integer is required, not str");
}
END_TEST

START_TEST(test_expand_f_on_string_needs_real_number)
{
	fails("%(program_name)f", "Format string '%(program_name)f' for '" WHERE
				  "' is badly formatted: must be real number, not str");
}
END_TEST

START_TEST(test_expand_unkeyed_conversion_after_keyed_is_not_enough_arguments)
{
	fails("ab%(program_name)sz%y", "Format string 'ab%(program_name)sz%y' for '" WHERE
				       "' is badly formatted: not enough arguments for format string");
	fails("%(here)s %s", "Format string '%(here)s %s' for '" WHERE
			     "' is badly formatted: not enough arguments for format string");
}
END_TEST

START_TEST(test_expand_unkeyed_d_gets_the_whole_mapping)
{
	fails("%d", "Format string '%d' for '" WHERE
		    "' is badly formatted: %d format: a real number is required, not dict");
}
END_TEST

/* ---- the dictionary ---- */

START_TEST(test_expand_dict_set_overwrites_without_duplicating_name)
{
	struct xdict d = {0};
	xdict_set_str(&d, "here", "/a");
	xdict_set_int(&d, "n", 1);
	xdict_set_str(&d, "here", "/b");
	xdict_set_int(&d, "n", 2);
	ck_assert_uint_eq(d.n, 2);
	expands_with(&d, "%(here)s:%(n)d", "/b:2");
	fails_with(&d, "%(x)s", "Format string '%(x)s' for '" WHERE "' contains names ('x') which cannot "
				"be expanded. Available names: here, n");
	xdict_free(&d);
}
END_TEST

START_TEST(test_expand_dict_set_can_change_type)
{
	struct xdict d = {0};
	xdict_set_str(&d, "v", "text");
	xdict_set_int(&d, "v", 7);
	expands_with(&d, "%(v)03d", "007");
	xdict_set_str(&d, "v", "back");
	expands_with(&d, "%(v)s", "back");
	xdict_free(&d);
}
END_TEST

START_TEST(test_expand_dict_copy_merges_with_later_values_winning)
{
	struct xdict base = {0}, d = {0};
	xdict_set_str(&base, "here", "/etc");
	xdict_set_str(&base, "ENV_A", "1");
	xdict_set_str(&d, "here", "/other");
	xdict_set_int(&d, "process_num", 4);
	xdict_copy(&d, &base);
	expands_with(&d, "%(here)s %(ENV_A)s %(process_num)d", "/etc 1 4");
	ck_assert_uint_eq(d.n, 3);
	xdict_free(&base);
	xdict_free(&d);
}
END_TEST

Suite *
expand_suite(void)
{
	Suite *s = suite_create("expand");
	TCase *tc;

	tc = tcase_create("substitution");
	tcase_add_test(tc, test_expand_string_key);
	tcase_add_test(tc, test_expand_text_without_percent_is_unchanged);
	tcase_add_test(tc, test_expand_double_percent_is_literal_percent);
	tcase_add_test(tc, test_expand_here_inside_text);
	tcase_add_test(tc, test_expand_empty_string_value);
	tcase_add_test(tc, test_expand_nested_parentheses_in_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("int_conversions");
	tcase_add_test(tc, test_expand_process_num_zero_padded);
	tcase_add_test(tc, test_expand_int_hex_and_octal);
	tcase_add_test(tc, test_expand_int_with_s_r_i_u_and_length_modifier);
	tcase_add_test(tc, test_expand_width_and_flags);
	tcase_add_test(tc, test_expand_alternate_hex_has_prefix);
	tcase_add_test(tc, test_expand_alternate_octal_uses_0o_prefix);
	tcase_add_test(tc, test_expand_alternate_form_of_zero_keeps_prefix);
	tcase_add_test(tc, test_expand_negative_hex_and_octal_have_sign);
	tcase_add_test(tc, test_expand_zero_precision_still_prints_zero);
	tcase_add_test(tc, test_expand_float_conversions_of_int);
	tcase_add_test(tc, test_expand_char_conversion_of_small_int);
	tcase_add_test(tc, test_expand_char_conversion_of_non_ascii_code_point);
	tcase_add_test(tc, test_expand_char_conversion_rejects_negative_int);
	suite_add_tcase(s, tc);

	tc = tcase_create("str_conversions");
	tcase_add_test(tc, test_expand_repr_conversions_quote_strings);
	tcase_add_test(tc, test_expand_zero_flag_is_ignored_for_strings);
	tcase_add_test(tc, test_expand_width_counts_characters_not_bytes);
	tcase_add_test(tc, test_expand_char_conversion_of_one_character_string);
	tcase_add_test(tc, test_expand_char_conversion_rejects_longer_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("unknown_names");
	tcase_add_test(tc, test_expand_unknown_key_lists_sorted_names);
	tcase_add_test(tc, test_expand_unknown_key_after_good_text);
	tcase_add_test(tc, test_expand_unknown_key_with_apostrophe_uses_double_quotes);
	tcase_add_test(tc, test_expand_empty_key_is_unknown);
	tcase_add_test(tc, test_expand_nested_parentheses_unknown_key_is_whole_key);
	tcase_add_test(tc, test_expand_unknown_key_with_empty_dict);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_formats");
	tcase_add_test(tc, test_expand_trailing_percent_is_incomplete_format);
	tcase_add_test(tc, test_expand_key_without_conversion_is_incomplete_format);
	tcase_add_test(tc, test_expand_unclosed_key_is_incomplete_format_key);
	tcase_add_test(tc, test_expand_unbalanced_nested_parenthesis_is_incomplete_format_key);
	tcase_add_test(tc, test_expand_unsupported_character_reports_index);
	tcase_add_test(tc, test_expand_unsupported_character_index_counts_characters);
	tcase_add_test(tc, test_expand_unsupported_unprintable_character_shown_as_question_mark);
	tcase_add_test(tc, test_expand_d_on_string_needs_real_number);
	tcase_add_test(tc, test_expand_x_on_string_needs_integer);
	tcase_add_test(tc, test_expand_f_on_string_needs_real_number);
	tcase_add_test(tc, test_expand_unkeyed_conversion_after_keyed_is_not_enough_arguments);
	tcase_add_test(tc, test_expand_unkeyed_d_gets_the_whole_mapping);
	suite_add_tcase(s, tc);

	tc = tcase_create("dict");
	tcase_add_test(tc, test_expand_dict_set_overwrites_without_duplicating_name);
	tcase_add_test(tc, test_expand_dict_set_can_change_type);
	tcase_add_test(tc, test_expand_dict_copy_merges_with_later_values_winning);
	suite_add_tcase(s, tc);

	return s;
}
