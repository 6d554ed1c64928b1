/* common/rpcvalue.c's XML writer: the exact bytes xmlrpc-c writes for the
 * same value (taken from xmlrpc_serialize_response2 in libxmlrpc 1.59), and
 * a round trip of every type through xmlrpc-c's parser. */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcvalue.h"

static sup_value *
sample(void)
{
	sup_value *top = rv_array();
	rv_push(top, rv_array());
	rv_push(top, rv_struct());
	sup_value *st = rv_struct();
	rv_put(st, "k", rv_int(1));
	rv_put(st, "a<b", rv_array());
	rv_push(top, st);
	rv_push(top, rv_bool(true));
	rv_push(top, rv_double(0.1));
	rv_push(top, rv_cstr("a<b&c>d\n\tx]]>'\""));
	rv_push(top, rv_int(1LL << 40));
	rv_push(top, rv_int(-5));
	return top;
}

START_TEST(response_bytes_are_xmlrpc_c_s)
{
	static const char want[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<params>\r\n"
		"<param><value><array><data>\r\n"
		"<value><array><data>\r\n</data></array></value>\r\n"
		"<value><struct>\r\n</struct></value>\r\n"
		"<value><struct>\r\n"
		"<member><name>k</name>\r\n<value><i4>1</i4></value></member>\r\n"
		"<member><name>a&lt;b</name>\r\n<value><array><data>\r\n</data></array></value></member>\r\n"
		"</struct></value>\r\n"
		"<value><boolean>1</boolean></value>\r\n"
		"<value><double>0.1</double></value>\r\n"
		"<value><string>a&lt;b&amp;c&gt;d\n\tx]]&gt;'\"</string></value>\r\n"
		"<value><i8>1099511627776</i8></value>\r\n"
		"<value><i4>-5</i4></value>\r\n"
		"</data></array></value></param>\r\n</params>\r\n</methodResponse>\r\n";
	sup_value *v = sample();
	char *out;
	size_t len;
	ck_assert_int_eq(rv_serialize_response(v, &out, &len), 0);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_str_eq(out, want);
	free(out);
	rv_unref(v);
}
END_TEST

START_TEST(fault_bytes_are_xmlrpc_c_s)
{
	char *out;
	size_t len;
	ck_assert_int_eq(rv_serialize_fault(10, "BAD <x>", &out, &len), 0);
	ck_assert_str_eq(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodResponse>\r\n<fault>\r\n"
			      "<value><struct>\r\n"
			      "<member><name>faultCode</name>\r\n<value><i4>10</i4></value></member>\r\n"
			      "<member><name>faultString</name>\r\n<value><string>BAD &lt;x&gt;</string></value></member>\r\n"
			      "</struct></value>\r\n</fault>\r\n</methodResponse>\r\n");
	free(out);
}
END_TEST

START_TEST(call_bytes_are_xmlrpc_c_s)
{
	sup_value *p = rv_array();
	rv_push(p, rv_cstr("a"));
	rv_push(p, rv_int(3));
	char *out;
	size_t len;
	ck_assert_int_eq(rv_serialize_call("sup.x<y", p, &out, &len), 0);
	ck_assert_str_eq(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<methodCall>\r\n"
			      "<methodName>sup.x&lt;y</methodName>\r\n<params>\r\n"
			      "<param><value><string>a</string></value></param>\r\n"
			      "<param><value><i4>3</i4></value></param>\r\n</params>\r\n</methodCall>\r\n");
	free(out);
	rv_unref(p);
}
END_TEST

/* Serialize x, parse it back with xmlrpc-c and check it equals x. */
static void
equal(const sup_value *a, const sup_value *b)
{
	ck_assert_int_eq(a->type, b->type);
	switch (a->type) {
	case SUP_T_INT: ck_assert_int_eq(a->u.i, b->u.i); break;
	case SUP_T_BOOL: ck_assert_int_eq(a->u.b, b->u.b); break;
	case SUP_T_DOUBLE: ck_assert_msg(a->u.d == b->u.d, "%.17g != %.17g", a->u.d, b->u.d); break;
	case SUP_T_STRING:
		ck_assert_uint_eq(a->u.str.len, b->u.str.len);
		ck_assert(memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0);
		break;
	case SUP_T_ARRAY:
		ck_assert_int_eq(a->u.arr.n, b->u.arr.n);
		for (int i = 0; i < a->u.arr.n; i++)
			equal(a->u.arr.items[i], b->u.arr.items[i]);
		break;
	case SUP_T_STRUCT:
		ck_assert_int_eq(a->u.st.n, b->u.st.n);
		for (int i = 0; i < a->u.st.n; i++) {
			const sup_value *bv = rv_get(b, a->u.st.keys[i]);
			ck_assert_msg(bv != NULL, "member %s lost", a->u.st.keys[i]);
			equal(a->u.st.vals[i], bv);
		}
		break;
	default:
		break;
	}
}

static void
round_trip(sup_value *v)
{
	char *out, *err = NULL, *ftext = NULL;
	size_t len;
	ck_assert_int_eq(rv_serialize_response(v, &out, &len), 0);
	sup_value *back = NULL;
	int code = 0;
	int rc = rv_parse_response(out, len, &back, &code, &ftext, &err);
	ck_assert_msg(rc == 0, "xmlrpc-c refused our XML (%s): %s", err ? err : "", out);
	equal(v, back);
	free(out);
	rv_unref(back);
	rv_unref(v);
}

START_TEST(round_trip_through_xmlrpc_c)
{
	sup_value *v = sample();
	rv_unref(v->u.arr.items[4]); /* 0.1: see doubles_read_back_exactly */
	v->u.arr.items[4] = rv_double(0.5);
	round_trip(v);
	/* process output: controls and broken UTF-8 were cleaned by rv_string */
	round_trip(rv_string("\x01\x02 ok \xff\xfe caf\xc3\xa9 \xe2\x82\xac", 19));
	round_trip(rv_int(INT64_MIN));
	round_trip(rv_int(INT32_MAX + 1LL));
}
END_TEST

/* Doubles: no exponent (XML-RPC has none), and strtod reads back the same
 * value (xmlrpc-c's own reader rounds some of them, Python's does not). */
START_TEST(doubles_read_back_exactly)
{
	static const double ds[] = {0, 1.5, -2.25, 1e-7, 123456789.125, 1e22, 3.0000000000000004, -1e-300, 0.1};
	for (size_t i = 0; i < sizeof(ds) / sizeof(*ds); i++) {
		sup_value *v = rv_double(ds[i]);
		char *out;
		size_t len;
		ck_assert_int_eq(rv_serialize_response(v, &out, &len), 0);
		char *num = strstr(out, "<double>");
		ck_assert(num != NULL);
		num += strlen("<double>");
		char *end;
		double back = strtod(num, &end);
		ck_assert_msg(strncmp(end, "</double>", 9) == 0, "not a plain number: %s", num);
		ck_assert_msg(!memchr(num, 'e', (size_t)(end - num)), "exponent in %.*s", (int)(end - num), num);
		ck_assert_msg(back == ds[i], "%.17g came back as %.17g", ds[i], back);
		free(out);
		rv_unref(v);
	}
}
END_TEST

/* libxmlrpc 1.59 crashes on these; rv_parse_call/response must refuse
 * them before xmlrpc-c sees them, and still take valid i8s. */
START_TEST(bad_i8_never_reaches_xmlrpc_c)
{
	static const char *const bad[] = {"1  ", "1x", "-", "+", "", " 1", "99999999999999999999",
					  "9223372036854775808", "-9223372036854775809"};
	static const char *const good[] = {"0", "-9223372036854775808", "9223372036854775807", "+5", "-12"};
	char doc[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad) + sizeof(good) / sizeof(*good); i++) {
		bool ok = i >= sizeof(bad) / sizeof(*bad);
		const char *v = ok ? good[i - sizeof(bad) / sizeof(*bad)] : bad[i];
		const char *tag = i % 2 ? "ex:i8" : "i8";
		snprintf(doc, sizeof doc,
			 "<?xml version='1.0'?><methodCall><methodName>m</methodName><params><param>"
			 "<value><%s>%s</%s></value></param></params></methodCall>",
			 tag, v, tag);
		char *method = NULL, *err = NULL;
		sup_value *params = NULL;
		int rc = rv_parse_call(doc, strlen(doc), &method, &params, &err);
		ck_assert_msg(rc == (ok ? 0 : -1), "<%s>%s</%s>: rc %d", tag, v, tag, rc);
		free(method);
		free(err);
		rv_unref(params);
		snprintf(doc, sizeof doc,
			 "<?xml version='1.0'?><methodResponse><params><param><value><%s>%s</%s></value>"
			 "</param></params></methodResponse>", tag, v, tag);
		sup_value *res = NULL;
		char *ftext = NULL;
		int code = 0;
		rc = rv_parse_response(doc, strlen(doc), &res, &code, &ftext, &err);
		ck_assert_msg(rc == (ok ? 0 : -1), "response <%s>%s</%s>: rc %d", tag, v, tag, rc);
		rv_unref(res);
		free(ftext);
		free(err);
		err = NULL;
	}
}
END_TEST

Suite *
rpcvalue_suite(void)
{
	Suite *s = suite_create("rpcvalue");
	TCase *tc = tcase_create("xml");
	tcase_add_test(tc, response_bytes_are_xmlrpc_c_s);
	tcase_add_test(tc, fault_bytes_are_xmlrpc_c_s);
	tcase_add_test(tc, call_bytes_are_xmlrpc_c_s);
	tcase_add_test(tc, round_trip_through_xmlrpc_c);
	tcase_add_test(tc, doubles_read_back_exactly);
	tcase_add_test(tc, bad_i8_never_reaches_xmlrpc_c);
	suite_add_tcase(s, tc);
	return s;
}
