/* A fast single-pass reader for XML-RPC methodResponse documents. */
#ifndef CSUP_XMLFAST_H
#define CSUP_XMLFAST_H

#include <csupervisor/plugin.h>
#include <stddef.h>

/* 0 with *result (new reference); 1 with *fault_code and *fault_text
 * (caller frees); -1 when the document is not one this reader knows
 * (the caller then uses xmlrpc-c). */
int xmlfast_parse_response(const char *xml, size_t len, sup_value **result, int *fault_code, char **fault_text);

#endif
