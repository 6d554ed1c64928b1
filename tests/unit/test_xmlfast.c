/* supervisorctl/xmlfast.c, the one piece of hand-written XML reading: valid
 * replies in both servers' layouts take the fast path, and deterministic
 * mutations of them (bytes flipped, cut, repeated, XML tokens inserted) are
 * read without a crash, a sanitizer report (the suite also runs under
 * ASan+UBSan) or a value different from xmlrpc-c's. tests/fuzz/run.sh runs
 * the same check under libFuzzer. */
#include "suites.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpcvalue.h"
#include "xmlfast.h"
#include "xmlfast_target.h"

/* Python's xmlrpclib layout (Debian's supervisord) */
static const char py_reply[] =
	"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n"
	"<value><struct>\n<member>\n<name>name</name>\n<value><string>cat &amp; &lt;dog&gt;</string></value>\n"
	"</member>\n<member>\n<name>pid</name>\n<value><int>4242</int></value>\n</member>\n"
	"<member>\n<name>ok</name>\n<value><boolean>1</boolean></value>\n</member>\n"
	"<member>\n<name>load</name>\n<value><double>0.25</double></value>\n</member>\n"
	"<member>\n<name>bare</name>\n<value>untyped text</value>\n</member>\n"
	"<member>\n<name>empty</name>\n<value><string></string></value>\n</member>\n"
	"</struct></value>\n<value><string>caf\xc3\xa9 &#233; &#x20AC;\r\nline</string></value>\n"
	"<value><array><data>\n</data></array></value>\n"
	"</data></array></value>\n</param>\n</params>\n</methodResponse>\n";

static const char py_fault[] =
	"<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n"
	"<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n"
	"<member>\n<name>faultString</name>\n<value><string>BAD_NAME: x</string></value>\n</member>\n"
	"</struct></value>\n</fault>\n</methodResponse>\n";

/* our daemon's (xmlrpc-c's) layout, written by rpcvalue.c */
static char *
our_reply(size_t *len)
{
	sup_value *a = rv_array();
	for (int i = 0; i < 3; i++) {
		sup_value *st = rv_struct();
		rv_put(st, "name", rv_cstr(i ? "worker" : "a<b>&c"));
		rv_put(st, "pid", rv_int(1000 + i));
		rv_put(st, "now", rv_int(1LL << 40));
		rv_put(st, "running", rv_bool(i & 1));
		rv_put(st, "spawnerr", rv_cstr(""));
		rv_push(a, st);
	}
	char *out;
	rv_serialize_response(a, &out, len);
	rv_unref(a);
	return out;
}

START_TEST(valid_replies_take_the_fast_path)
{
	size_t len;
	char *ours = our_reply(&len);
	sup_value *v = NULL;
	int code = 0;
	char *text = NULL;
	ck_assert_int_eq(xmlfast_parse_response(ours, len, &v, &code, &text), 0);
	ck_assert_int_eq(xmlfast_check_one(ours, len), 0);
	rv_unref(v);
	free(ours);
	v = NULL;
	ck_assert_int_eq(xmlfast_parse_response(py_reply, sizeof(py_reply) - 1, &v, &code, &text), 0);
	ck_assert_int_eq(xmlfast_check_one(py_reply, sizeof(py_reply) - 1), 0);
	const sup_value *first = v->u.arr.items[0];
	ck_assert_str_eq(rv_get(first, "name")->u.str.s, "cat & <dog>");
	ck_assert_str_eq(rv_get(first, "bare")->u.str.s, "untyped text");
	ck_assert_str_eq(v->u.arr.items[1]->u.str.s, "caf\xc3\xa9 \xc3\xa9 \xe2\x82\xac\nline");
	rv_unref(v);
	ck_assert_int_eq(xmlfast_parse_response(py_fault, sizeof(py_fault) - 1, &v, &code, &text), 1);
	ck_assert_int_eq(code, 10);
	ck_assert_str_eq(text, "BAD_NAME: x");
	free(text);
}
END_TEST

/* Found by tests/fuzz/run.sh: an XML declaration that never ends was
 * searched for "?>" past the end of the (unterminated) reply. */
START_TEST(unterminated_declaration)
{
	static const char doc[] = "<?xml version='1.0'?";
	char *exact = malloc(sizeof(doc) - 1);
	memcpy(exact, doc, sizeof(doc) - 1);
	sup_value *v = NULL;
	int code = 0;
	char *text = NULL;
	ck_assert_int_eq(xmlfast_parse_response(exact, sizeof(doc) - 1, &v, &code, &text), -1);
	free(exact);
}
END_TEST

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const tokens[] = {
	"<", ">", "&", "&#", "&#0;", "&#x110000;", "&#xD800;", "&bogus;", "&amp", "</value>", "<value>",
	"<struct>", "</struct>", "<array><data>", "</data></array>", "<member><name>", "<string/>", "<value/>",
	"\r", "\r\n", "]]>", "<!--x-->", "<![CDATA[x]]>", "<i8>99999999999999999999</i8>", "<double>1e999</double>",
	"<boolean>2</boolean>", "\xff", "\xc3", "<int> 7 </int>", "<?pi?>",
};

/* One mutation of seed into buf (at most cap bytes); returns the length. */
static size_t
mutate(const char *seed, size_t n, char *buf, size_t cap)
{
	memcpy(buf, seed, n);
	int edits = 1 + (int)(next() % 4);
	for (int e = 0; e < edits; e++) {
		size_t at = n ? next() % n : 0;
		switch (next() % 5) {
		case 0: /* flip a byte */
			if (n)
				buf[at] = (char)(buf[at] ^ (1 << (next() % 8)));
			break;
		case 1: /* cut the end */
			n = at;
			break;
		case 2: { /* delete a range */
			size_t k = next() % 16;
			if (at + k > n)
				k = n - at;
			memmove(buf + at, buf + at + k, n - at - k);
			n -= k;
			break;
		}
		case 3: { /* insert a token */
			const char *t = tokens[next() % (sizeof(tokens) / sizeof(*tokens))];
			size_t k = strlen(t);
			if (n + k > cap)
				break;
			memmove(buf + at + k, buf + at, n - at);
			memcpy(buf + at, t, k);
			n += k;
			break;
		}
		default: { /* repeat a range */
			size_t k = next() % 64;
			if (at + k > n)
				k = n - at;
			if (n + k > cap)
				break;
			memmove(buf + at + k, buf + at, n - at);
			n += k;
			break;
		}
		}
	}
	return n;
}

START_TEST(mutations_are_read_safely)
{
	size_t olen;
	char *ours = our_reply(&olen);
	const struct { const char *s; size_t n; } seeds[] = {
		{ours, olen}, {py_reply, sizeof(py_reply) - 1}, {py_fault, sizeof(py_fault) - 1},
	};
	enum { PER_SEED = 20000 };
	size_t cap = olen + sizeof(py_reply) + 4096;
	int bad = 0;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(*seeds); s++)
		for (int i = 0; i < PER_SEED; i++) {
			/* a fresh heap block of the exact length, so ASan sees any
			 * read past the end of the document */
			char *buf = malloc(cap);
			size_t n = mutate(seeds[s].s, seeds[s].n, buf, cap);
			char *exact = malloc(n ? n : 1);
			memcpy(exact, buf, n);
			free(buf);
			if (xmlfast_check_one(exact, n) < 0)
				bad++;
			free(exact);
		}
	free(ours);
	ck_assert_msg(bad == 0, "%d mutated documents read differently (see stderr)", bad);
}
END_TEST

Suite *
xmlfast_suite(void)
{
	Suite *s = suite_create("xmlfast");
	TCase *tc = tcase_create("reader");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, valid_replies_take_the_fast_path);
	tcase_add_test(tc, unterminated_declaration);
	tcase_add_test(tc, mutations_are_read_safely);
	suite_add_tcase(s, tc);
	return s;
}
