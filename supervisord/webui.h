/* The web status page: Supervisor's URLs (/, /index.html, /tail.html,
 * /ok.html, /stylesheets/..., /images/...) served from the daemon's HTTP
 * servers, with state-changing actions taken only from a POST that carries
 * this daemon's CSRF token. Static files are compiled in (webui/). */
#ifndef CSUP_WEBUI_H
#define CSUP_WEBUI_H

#include <stddef.h>

#include "http.h"

/* An http_web_fn (see http.h): every path but /RPC2 and the tails. Works
 * on the generation attached to host.c; ud is unused. */
void webui_serve(struct http_request *req, const char *method, const char *path, const char *body, size_t len,
		 void *ud);

#endif
