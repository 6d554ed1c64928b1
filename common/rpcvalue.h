/* XML-RPC values as the SDK's sup_value: a small refcounted tree of our
 * own, parsed by xmlrpc-c and written out directly. Owning the tree lets
 * plugins borrow strings and items without copies, and lets us clean every
 * string before it reaches the XML writer. */
#ifndef CSUP_RPCVALUE_H
#define CSUP_RPCVALUE_H

#include <csupervisor/plugin.h>

struct sup_value {
	int refs;
	enum sup_type type;
	union {
		int64_t i;
		bool b;
		double d;
		struct { char *s; size_t len; bool plain; /* no & < > to escape */ } str;
		struct { sup_value **items; int n, cap; } arr;
		struct {
			char **keys;
			sup_value **vals;
			int n, cap;
			uint64_t static_keys; /* bit i: keys[i] is a literal, not owned */
		} st;
	} u;
};

sup_value *rv_int(int64_t v);
sup_value *rv_bool(bool v);
sup_value *rv_double(double v);
/* Cleaned: valid UTF-8, and no C0 controls but TAB, LF and CR. */
sup_value *rv_string(const char *s, size_t len);
sup_value *rv_cstr(const char *s);
/* A string taken as it is (owned: malloc()ed, NUL-terminated at len), not
 * cleaned: for text read from a server, kept as sent. */
sup_value *rv_string_take(char *owned, size_t len);
sup_value *rv_array(void);
sup_value *rv_struct(void);
int rv_push(sup_value *array, sup_value *item);              /* steals item */
int rv_put(sup_value *st, const char *key, sup_value *item); /* steals item */
/* rv_put for a key known to be absent (builders of fixed structs). */
void rv_put_new(sup_value *st, const char *key, sup_value *item);
/* rv_put_new with a key that outlives the value (a string literal): not
 * copied. */
void rv_put_literal(sup_value *st, const char *key, sup_value *item);
sup_value *rv_ref(sup_value *v);
void rv_unref(sup_value *v);
const sup_value *rv_get(const sup_value *st, const char *key);

/* Parse an XML-RPC methodCall. Returns 0 with *method (caller frees) and
 * *params (new reference), or -1 with *err (caller frees). */
int rv_parse_call(const char *xml, size_t len, char **method, sup_value **params, char **err);
/* Serialize a methodResponse carrying v, or a fault; *out caller frees. */
int rv_serialize_response(const sup_value *v, char **out, size_t *len);
int rv_serialize_fault(int code, const char *text, char **out, size_t *len);
/* Build a methodCall (the client side). */
int rv_serialize_call(const char *method, const sup_value *params, char **out, size_t *len);
/* Parse a methodResponse: 0 with *result, or 1 with the fault code and text
 * (caller frees), or -1 with *err. */
int rv_parse_response(const char *xml, size_t len, sup_value **result, int *fault_code, char **fault_text, char **err);

#endif
