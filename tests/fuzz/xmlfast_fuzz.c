/* libFuzzer target for supervisorctl/xmlfast.c (hand-written XML reading):
 * every input must be read without a crash or a sanitizer report, and
 * where xmlrpc-c reads it too, to the same value. Build and run it with
 * tests/fuzz/run.sh (clang's -fsanitize=fuzzer). The same check runs in
 * the unit tests on deterministic mutations of valid replies. */
#include <stdint.h>
#include <stdlib.h>

#include "xmlfast_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (xmlfast_check_one((const char *)data, size) < 0)
		abort();
	return 0;
}
