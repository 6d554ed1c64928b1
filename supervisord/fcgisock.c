#include "fcgisock.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <netinet/in.h>

#include "log.h"
#include "util.h"

/* Error texts are those of the Python exceptions Supervisor reports, so
 * that "Could not create FastCGI socket ..." reads the same:
 * "[Errno 98] Address already in use". */
static char *
errno_text(int e, const char *filename)
{
	struct strbuf sb = {0};
	sb_addf(&sb, "[Errno %d] %s", e, strerror(e));
	if (filename) {
		sb_adds(&sb, ": ");
		sb_add_pyrepr(&sb, filename);
	}
	return sb_steal(&sb);
}

/* Unix: replace any file at the path, bind, then chown/chmod. The file
 * is created with no permissions at all (umask) so nobody can connect
 * before socket_mode applies. */
static int
bind_unix(const struct fcgi_socket_config *c, char **why)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(c->path) >= sizeof sa.sun_path) {
		*why = xstrdup("AF_UNIX path too long");
		return -1;
	}
	strcpy(sa.sun_path, c->path);
	unlink(c->path); /* a stale socket from an earlier run; errors do not matter */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = errno_text(errno, NULL);
		return -1;
	}
	mode_t old = umask(0777);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	int e = errno;
	umask(old);
	if (rc < 0) {
		*why = errno_text(e, NULL);
		goto fail;
	}
	if (c->has_owner && chown(c->path, c->owner_uid, c->owner_gid) < 0) {
		char *t = errno_text(errno, c->path);
		*why = xasprintf("Could not change ownership of socket file: %s", t);
		free(t);
		goto fail;
	}
	if (chmod(c->path, (mode_t)c->mode) < 0) {
		char *t = errno_text(errno, c->path);
		*why = xasprintf("Could not change permissions of socket file: %s", t);
		free(t);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* TCP: IPv4 only (the config rejects IPv6 literals), SO_REUSEADDR so a
 * restart does not wait for TIME_WAIT connections. */
static int
bind_tcp(const struct fcgi_socket_config *c, char **why)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai = NULL;
	int g = getaddrinfo(c->host, NULL, &hints, &ai);
	if (g != 0) {
		*why = g == EAI_SYSTEM ? errno_text(errno, NULL) : xasprintf("[Errno %d] %s", g, gai_strerror(g));
		return -1;
	}
	struct sockaddr_in sa = *(struct sockaddr_in *)ai->ai_addr;
	freeaddrinfo(ai);
	sa.sin_port = htons((uint16_t)c->port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = errno_text(errno, NULL);
		return -1;
	}
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		*why = errno_text(errno, NULL);
		close(fd);
		return -1;
	}
	return fd;
}

/* Logs "Creating socket", then a listening fd or -1 with *err. */
static int
create(const struct fcgi_socket_config *c, char **err)
{
	log_info("Creating socket %s", c->url);
	char *why = NULL;
	int fd = c->is_unix ? bind_unix(c, &why) : bind_tcp(c, &why);
	if (fd >= 0 && listen(fd, c->backlog > 0 ? c->backlog : SOMAXCONN) < 0) {
		why = errno_text(errno, NULL);
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		*err = xasprintf("Could not create FastCGI socket %s: %s", c->url, why);
		free(why);
	}
	return fd;
}

static void
close_logged(const struct fcgi_socket_config *c, int fd)
{
	log_info("Closing socket %s", c->url);
	close(fd);
}

void
fcgi_socket_init(struct fcgi_socket *s, const struct fcgi_socket_config *cfg)
{
	*s = (struct fcgi_socket){.cfg = cfg, .fd = -1};
}

int
fcgi_socket_check(const struct fcgi_socket_config *cfg, char **err)
{
	int fd = create(cfg, err);
	if (fd < 0)
		return -1;
	close_logged(cfg, fd);
	return 0;
}

int
fcgi_socket_acquire(struct fcgi_socket *s, char **err)
{
	if (s->refs == 0) {
		s->fd = create(s->cfg, err);
		if (s->fd < 0)
			return -1;
	}
	s->refs++;
	return s->fd;
}

void
fcgi_socket_release(struct fcgi_socket *s)
{
	if (s->refs > 0 && --s->refs == 0) {
		close_logged(s->cfg, s->fd);
		s->fd = -1;
	}
}

void
fcgi_socket_destroy(struct fcgi_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->refs = 0;
}
