/* common/envlist.h against Supervisor 4.2.5's dict_of_key_value_pairs()
 * (shlex in non-POSIX mode). Rows of config.md §4.1 first, then the
 * tokenizer's corners; every expected value is what /usr/bin/python3 gives. */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envlist.h"

/* want: NULL-terminated key, value, key, value... in the expected order. */
static void
pairs_are(const char *in, const char *const *want)
{
	struct kvlist kv = {0};
	char *err = NULL;
	int rc = parse_env_pairs(in, &kv, &err);
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", err ? err : "");
	free(err);
	ck_assert_msg(rc == 0, "parse_env_pairs(\"%s\"): expected success, got error \"%s\"", in, msg);
	size_t n = 0;
	while (want[2 * n])
		n++;
	ck_assert_msg(kv.n == n, "parse_env_pairs(\"%s\"): expected %zu pairs, got %zu", in, n, kv.n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(strcmp(kv.keys[i], want[2 * i]) == 0,
			      "parse_env_pairs(\"%s\"): key %zu: expected \"%s\", got \"%s\"", in, i, want[2 * i],
			      kv.keys[i]);
		ck_assert_msg(strcmp(kv.vals[i], want[2 * i + 1]) == 0,
			      "parse_env_pairs(\"%s\"): value of %s: expected \"%s\", got \"%s\"", in, want[2 * i],
			      want[2 * i + 1], kv.vals[i]);
	}
	kv_free(&kv);
}

static void
pairs_fail(const char *in, const char *want)
{
	struct kvlist kv = {0};
	char *err = NULL;
	int rc = parse_env_pairs(in, &kv, &err);
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", err ? err : "(no message)");
	free(err);
	kv_free(&kv);
	ck_assert_msg(rc == -1, "parse_env_pairs(\"%s\"): expected error \"%s\", got success", in, want);
	ck_assert_msg(strcmp(msg, want) == 0, "parse_env_pairs(\"%s\"): expected error \"%s\", got \"%s\"", in,
		      want, msg);
}

/* The "Unexpected end" error, which quotes the whole input with %s. */
static void
pairs_unexpected(const char *in)
{
	char want[512];
	snprintf(want, sizeof want, "Unexpected end of key/value pairs in value '%s'", in);
	pairs_fail(in, want);
}

#define PAIRS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- config.md §4.1 table ---- */

START_TEST(test_env_comma_separated_pairs)
{
	pairs_are("A=1,B=2", PAIRS("A", "1", "B", "2"));
}
END_TEST

START_TEST(test_env_quoted_values_lose_quotes_and_keep_commas)
{
	pairs_are("A=\"x y\",B='z,w'", PAIRS("A", "x y", "B", "z,w"));
}
END_TEST

START_TEST(test_env_any_one_char_separator)
{
	pairs_are("A=1;B=2", PAIRS("A", "1", "B", "2"));
}
END_TEST

START_TEST(test_env_whitespace_around_tokens)
{
	pairs_are("A= 1 , B = 2", PAIRS("A", "1", "B", "2"));
}
END_TEST

START_TEST(test_env_path_with_slashes_and_colons)
{
	pairs_are("PATH=/usr/bin:/bin", PAIRS("PATH", "/usr/bin:/bin"));
}
END_TEST

START_TEST(test_env_second_word_of_value_silently_dropped)
{
	pairs_are("A=foo bar", PAIRS("A", "foo"));
}
END_TEST

START_TEST(test_env_space_is_not_a_pair_separator)
{
	pairs_unexpected("A=1 B=2");
}
END_TEST

START_TEST(test_env_second_equals_in_value_is_error)
{
	pairs_unexpected("A=b=c");
}
END_TEST

START_TEST(test_env_punctuation_in_value_is_error)
{
	pairs_unexpected("A=foo@bar");
	pairs_unexpected("A=a%b");
}
END_TEST

START_TEST(test_env_missing_value_is_error)
{
	pairs_unexpected("A=");
}
END_TEST

START_TEST(test_env_double_separator_is_error)
{
	pairs_unexpected("A=1,,B=2");
}
END_TEST

START_TEST(test_env_empty_quoted_value)
{
	pairs_are("A=\"\"", PAIRS("A", ""));
	pairs_are("A=''", PAIRS("A", ""));
}
END_TEST

START_TEST(test_env_hash_in_word_starts_comment)
{
	pairs_are("A=a#b", PAIRS("A", "a"));
}
END_TEST

START_TEST(test_env_hash_inside_quotes_is_kept)
{
	pairs_are("A=\"a#b\"", PAIRS("A", "a#b"));
}
END_TEST

START_TEST(test_env_backslash_does_not_escape_quote)
{
	pairs_are("A=\"it\\\"s\"", PAIRS("A", "it\\"));
}
END_TEST

/* ---- quotes ---- */

START_TEST(test_env_unterminated_double_quote_is_no_closing_quotation)
{
	pairs_fail("A=\"unterminated", "No closing quotation");
}
END_TEST

START_TEST(test_env_unterminated_single_quote_is_no_closing_quotation)
{
	pairs_fail("A='x", "No closing quotation");
}
END_TEST

START_TEST(test_env_quote_inside_word_is_part_of_word)
{
	/* token foo"bar" loses only its trailing quote */
	pairs_are("A=foo\"bar\"", PAIRS("A", "foo\"bar"));
}
END_TEST

START_TEST(test_env_all_outer_quote_characters_stripped)
{
	pairs_are("A='\"x\"'", PAIRS("A", "x"));
}
END_TEST

START_TEST(test_env_quoted_token_ends_at_closing_quote)
{
	/* '"x"' then word 'y"' as the (skipped) separator */
	pairs_are("A=\"x\"y\"", PAIRS("A", "x"));
}
END_TEST

/* ---- comments ---- */

START_TEST(test_env_comment_after_whitespace_ends_line)
{
	pairs_are("A=1 # comment", PAIRS("A", "1"));
}
END_TEST

START_TEST(test_env_comment_runs_to_end_of_line_only)
{
	pairs_are("A=1,#c\nB=2", PAIRS("A", "1", "B", "2"));
}
END_TEST

START_TEST(test_env_word_continues_after_comment_on_next_line)
{
	pairs_are("A=fo#x\no,B=2", PAIRS("A", "foo", "B", "2"));
}
END_TEST

/* ---- other tokens ---- */

START_TEST(test_env_empty_and_blank_give_no_pairs)
{
	pairs_are("", PAIRS(NULL));
	pairs_are("   ", PAIRS(NULL));
}
END_TEST

START_TEST(test_env_trailing_separator_allowed)
{
	pairs_are("A=1,", PAIRS("A", "1"));
}
END_TEST

START_TEST(test_env_newline_before_separator)
{
	pairs_are("A=1\n,B=2", PAIRS("A", "1", "B", "2"));
}
END_TEST

START_TEST(test_env_key_and_value_word_characters)
{
	pairs_are("a.b=c", PAIRS("a.b", "c"));
	pairs_are("x-y=(1+2):3", PAIRS("x-y", "(1+2):3"));
}
END_TEST

START_TEST(test_env_equals_as_value)
{
	pairs_are("A==1", PAIRS("A", "="));
}
END_TEST

START_TEST(test_env_key_without_equals_is_error)
{
	pairs_unexpected("A");
	pairs_unexpected("A=1,B");
	pairs_unexpected("=1");
	pairs_unexpected("A=1.B=2");
}
END_TEST

START_TEST(test_env_tab_and_crlf_are_whitespace_not_separators)
{
	pairs_unexpected("A=x\tB=y");
	pairs_unexpected("A=x\r\nB=y");
}
END_TEST

START_TEST(test_env_non_ascii_character_is_one_token)
{
	/* shlex reads characters: "é" is one non-word token */
	pairs_are("A=\xc3\xa9,B=2", PAIRS("A", "\xc3\xa9", "B", "2"));
}
END_TEST

/* ---- key order and overwrite ---- */

START_TEST(test_env_repeated_key_takes_last_value)
{
	pairs_are("A=1,A=2", PAIRS("A", "2"));
}
END_TEST

START_TEST(test_env_repeated_key_keeps_first_position)
{
	pairs_are("B=1,A=2,B=3", PAIRS("B", "3", "A", "2"));
}
END_TEST

START_TEST(test_env_keys_keep_case)
{
	pairs_are("path=x,PATH=y", PAIRS("path", "x", "PATH", "y"));
}
END_TEST

START_TEST(test_kv_set_appends_new_keys_in_order)
{
	struct kvlist kv = {0};
	kv_set(&kv, "Z", "1");
	kv_set(&kv, "A", "2");
	kv_set(&kv, "M", "3");
	ck_assert_uint_eq(kv.n, 3);
	ck_assert_str_eq(kv.keys[0], "Z");
	ck_assert_str_eq(kv.keys[1], "A");
	ck_assert_str_eq(kv.keys[2], "M");
	ck_assert_str_eq(kv_get(&kv, "A"), "2");
	ck_assert_ptr_null(kv_get(&kv, "a"));
	kv_free(&kv);
}
END_TEST

START_TEST(test_kv_set_overwrites_in_place)
{
	struct kvlist kv = {0};
	kv_set(&kv, "A", "1");
	kv_set(&kv, "B", "2");
	kv_set(&kv, "A", "3");
	ck_assert_uint_eq(kv.n, 2);
	ck_assert_str_eq(kv.keys[0], "A");
	ck_assert_str_eq(kv.vals[0], "3");
	ck_assert_str_eq(kv.keys[1], "B");
	ck_assert_str_eq(kv_get(&kv, "A"), "3");
	kv_free(&kv);
}
END_TEST

START_TEST(test_kv_set_grows_past_initial_capacity)
{
	struct kvlist kv = {0};
	char k[16], v[16];
	for (int i = 0; i < 50; i++) {
		snprintf(k, sizeof k, "K%d", i);
		snprintf(v, sizeof v, "%d", i * 2);
		kv_set(&kv, k, v);
	}
	ck_assert_uint_eq(kv.n, 50);
	ck_assert_str_eq(kv.keys[49], "K49");
	ck_assert_str_eq(kv_get(&kv, "K17"), "34");
	kv_free(&kv);
}
END_TEST

START_TEST(test_kv_copy_merges_with_source_winning)
{
	/* like dict.update(): existing keys keep their place, take the new value */
	struct kvlist dst = {0}, src = {0};
	kv_set(&dst, "A", "1");
	kv_set(&dst, "B", "2");
	kv_set(&src, "C", "3");
	kv_set(&src, "A", "4");
	kv_copy(&dst, &src);
	ck_assert_uint_eq(dst.n, 3);
	ck_assert_str_eq(dst.keys[0], "A");
	ck_assert_str_eq(dst.vals[0], "4");
	ck_assert_str_eq(dst.keys[1], "B");
	ck_assert_str_eq(dst.keys[2], "C");
	ck_assert_str_eq(dst.vals[2], "3");
	kv_free(&dst);
	kv_free(&src);
}
END_TEST

START_TEST(test_parse_env_pairs_adds_to_existing_list)
{
	struct kvlist kv = {0};
	char *err = NULL;
	kv_set(&kv, "A", "old");
	kv_set(&kv, "Z", "z");
	ck_assert_int_eq(parse_env_pairs("B=1,A=new", &kv, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(kv.n, 3);
	ck_assert_str_eq(kv.keys[0], "A");
	ck_assert_str_eq(kv.vals[0], "new");
	ck_assert_str_eq(kv.keys[2], "B");
	kv_free(&kv);
}
END_TEST

Suite *
envlist_suite(void)
{
	Suite *s = suite_create("envlist");
	TCase *tc;

	tc = tcase_create("spec_table");
	tcase_add_test(tc, test_env_comma_separated_pairs);
	tcase_add_test(tc, test_env_quoted_values_lose_quotes_and_keep_commas);
	tcase_add_test(tc, test_env_any_one_char_separator);
	tcase_add_test(tc, test_env_whitespace_around_tokens);
	tcase_add_test(tc, test_env_path_with_slashes_and_colons);
	tcase_add_test(tc, test_env_second_word_of_value_silently_dropped);
	tcase_add_test(tc, test_env_space_is_not_a_pair_separator);
	tcase_add_test(tc, test_env_second_equals_in_value_is_error);
	tcase_add_test(tc, test_env_punctuation_in_value_is_error);
	tcase_add_test(tc, test_env_missing_value_is_error);
	tcase_add_test(tc, test_env_double_separator_is_error);
	tcase_add_test(tc, test_env_empty_quoted_value);
	tcase_add_test(tc, test_env_hash_in_word_starts_comment);
	tcase_add_test(tc, test_env_hash_inside_quotes_is_kept);
	tcase_add_test(tc, test_env_backslash_does_not_escape_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("quotes");
	tcase_add_test(tc, test_env_unterminated_double_quote_is_no_closing_quotation);
	tcase_add_test(tc, test_env_unterminated_single_quote_is_no_closing_quotation);
	tcase_add_test(tc, test_env_quote_inside_word_is_part_of_word);
	tcase_add_test(tc, test_env_all_outer_quote_characters_stripped);
	tcase_add_test(tc, test_env_quoted_token_ends_at_closing_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("comments");
	tcase_add_test(tc, test_env_comment_after_whitespace_ends_line);
	tcase_add_test(tc, test_env_comment_runs_to_end_of_line_only);
	tcase_add_test(tc, test_env_word_continues_after_comment_on_next_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("tokens");
	tcase_add_test(tc, test_env_empty_and_blank_give_no_pairs);
	tcase_add_test(tc, test_env_trailing_separator_allowed);
	tcase_add_test(tc, test_env_newline_before_separator);
	tcase_add_test(tc, test_env_key_and_value_word_characters);
	tcase_add_test(tc, test_env_equals_as_value);
	tcase_add_test(tc, test_env_key_without_equals_is_error);
	tcase_add_test(tc, test_env_tab_and_crlf_are_whitespace_not_separators);
	tcase_add_test(tc, test_env_non_ascii_character_is_one_token);
	suite_add_tcase(s, tc);

	tc = tcase_create("kvlist");
	tcase_add_test(tc, test_env_repeated_key_takes_last_value);
	tcase_add_test(tc, test_env_repeated_key_keeps_first_position);
	tcase_add_test(tc, test_env_keys_keep_case);
	tcase_add_test(tc, test_kv_set_appends_new_keys_in_order);
	tcase_add_test(tc, test_kv_set_overwrites_in_place);
	tcase_add_test(tc, test_kv_set_grows_past_initial_capacity);
	tcase_add_test(tc, test_kv_copy_merges_with_source_winning);
	tcase_add_test(tc, test_parse_env_pairs_adds_to_existing_list);
	suite_add_tcase(s, tc);

	return s;
}
