/* The listening socket of an [fcgi-program:x] group (process.md §11).
 *
 * One socket per group, handed to every process of the group as its fd 0.
 * It is reference-counted by the processes that hold it (spawned and not
 * yet reaped): created, bound and listening when the count goes 0 -> 1,
 * closed when it returns to 0, so it survives the restart of one instance
 * while others run, and is gone once the whole group is stopped. A unix
 * socket file is not unlinked on close (it is replaced at the next
 * creation), as in Supervisor. */
#ifndef CSUP_FCGISOCK_H
#define CSUP_FCGISOCK_H

#include "config.h"

struct fcgi_socket {
	const struct fcgi_socket_config *cfg; /* borrowed from the group's config */
	int fd;   /* -1 while closed; blocking (children inherit it), close-on-exec here */
	int refs; /* processes holding it */
};

void fcgi_socket_init(struct fcgi_socket *s, const struct fcgi_socket_config *cfg);

/* Create and close the socket once, as Supervisor does when it makes the
 * group, so a bad address is reported when the group is added. Logs
 * "Creating socket <url>" / "Closing socket <url>". 0, or -1 with *err =
 * "Could not create FastCGI socket <url>: <why>" (caller frees). */
int fcgi_socket_check(const struct fcgi_socket_config *cfg, char **err);

/* A process of the group is being spawned: returns the socket's fd
 * (borrowed; the child dups it to 0), creating the socket if no process
 * holds it. -1 with *err as above (caller frees); the count is unchanged
 * then. */
int fcgi_socket_acquire(struct fcgi_socket *s, char **err);

/* A holder was reaped, or its spawn failed: the last one closes it. */
void fcgi_socket_release(struct fcgi_socket *s);

/* The group goes away: close the socket if still open (no log line). */
void fcgi_socket_destroy(struct fcgi_socket *s);

#endif
