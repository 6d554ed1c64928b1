/* One input through supervisorctl/xmlfast.c, checked against xmlrpc-c:
 * shared by the libFuzzer target (xmlfast_fuzz.c) and the mutation test in
 * tests/unit/test_xmlfast.c. Returns 0, or -1 after printing why the two
 * readers disagree. */
#ifndef CSUP_XMLFAST_TARGET_H
#define CSUP_XMLFAST_TARGET_H

#include <stddef.h>

int xmlfast_check_one(const char *data, size_t len);

#endif
