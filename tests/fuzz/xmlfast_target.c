#include "xmlfast_target.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcvalue.h"
#include "xmlfast.h"

/* xmlfast keeps strings as sent (line ends aside), xmlrpc-c too: when both
 * accept a document they must read the same value. */
static bool
same(const sup_value *a, const sup_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SUP_T_INT: return a->u.i == b->u.i;
	case SUP_T_BOOL: return a->u.b == b->u.b;
	case SUP_T_DOUBLE:
		/* xmlrpc-c's own digit loop misses the last bit of some decimals
		 * (0.21); xmlfast uses strtod, as Python does */
		return a->u.d == b->u.d || (a->u.d != a->u.d && b->u.d != b->u.d) ||
		       fabs(a->u.d - b->u.d) <= 1e-12 * fabs(a->u.d);
	case SUP_T_STRING:
		return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case SUP_T_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (int i = 0; i < a->u.arr.n; i++)
			if (!same(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case SUP_T_STRUCT:
		if (a->u.st.n != b->u.st.n)
			return false;
		for (int i = 0; i < a->u.st.n; i++) {
			const sup_value *bv = rv_get(b, a->u.st.keys[i]);
			if (!bv || !same(a->u.st.vals[i], bv))
				return false;
		}
		return true;
	default:
		return true;
	}
}

int
xmlfast_check_one(const char *data, size_t len)
{
	sup_value *fast = NULL, *slow = NULL;
	int fcode = 0, scode = 0;
	char *ftext = NULL, *stext = NULL, *err = NULL;
	int frc = xmlfast_parse_response(data, len, &fast, &fcode, &ftext);
	int rc = 0;
	if (frc == 0 || frc == 1) {
		int src = rv_parse_response(data, len, &slow, &scode, &stext, &err);
		/* xmlfast may be more lenient (xmlrpc-c refuses, the ctl then
		 * reports xmlrpc-c's error); where both read it, they agree */
		if (src == frc && frc == 0 && !same(fast, slow)) {
			fprintf(stderr, "xmlfast and xmlrpc-c read different values from: %.*s\n", (int)len, data);
			rc = -1;
		}
		if (src == frc && frc == 1 && (fcode != scode || strcmp(ftext, stext) != 0)) {
			fprintf(stderr, "different faults (%d %s / %d %s) from: %.*s\n", fcode, ftext, scode, stext,
				(int)len, data);
			rc = -1;
		}
	} else if (frc != -1) {
		fprintf(stderr, "xmlfast returned %d\n", frc);
		rc = -1;
	}
	rv_unref(fast);
	rv_unref(slow);
	free(ftext);
	free(stext);
	free(err);
	return rc;
}
