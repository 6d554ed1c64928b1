/* libFuzzer target for the daemon's request reader (rv_parse_call: the
 * i8 guard, then xmlrpc-c, then our value tree): no input may crash it or
 * draw a sanitizer report. Run with tests/fuzz/run.sh rpccall. */
#include <stdint.h>
#include <stdlib.h>

#include "rpcvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *method = NULL, *err = NULL;
	sup_value *params = NULL;
	rv_parse_call((const char *)data, size, &method, &params, &err);
	free(method);
	free(err);
	rv_unref(params);
	return 0;
}
