/* Supervisor's HTTP Basic authentication (medusa auth_handler with
 * supervisor's encrypted_dictionary_authorizer): plain or {SHA} passwords. */
#ifndef CSUP_HTTP_AUTH_H
#define CSUP_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* Check one request's Authorization header value (borrowed; NULL when the
 * request has none) against the configured username and password (plain,
 * or "{SHA}" + lowercase hex SHA-1). Returns 200 when access is granted,
 * else the status Supervisor answers: 401 (missing, other scheme, wrong
 * credentials), 400 (credentials not base64 / not UTF-8), 500 (decoded
 * credentials without ':' — Supervisor's unpacking error). Comparisons of
 * secrets take a time that does not depend on where they differ. */
int http_auth_check(const char *header, const char *username, const char *password);

/* Python's binascii.a2b_base64 (non-strict): characters outside the
 * alphabet are skipped, '=' ends the data once a quad can be completed.
 * Returns a new buffer (caller frees, NUL-terminated) and its length in
 * *len, or NULL for "Incorrect padding" and the like. */
char *http_base64_decode(const char *s, size_t *len);

/* Strict UTF-8 as Python's bytes.decode('utf-8') accepts it. */
bool http_utf8_valid(const char *s, size_t len);

#endif
