/* confdump -c FILE: load FILE as supervisord does and print the effective
 * configuration in the canonical format of tests/integration/pyconfdump.py,
 * so the integration tests can compare us with the reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

static void
put_str(const char *key, const char *v)
{
	printf("%s=", key);
	if (!v) {
		puts("None");
		return;
	}
	for (const char *p = v; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", (unsigned char)*p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static void
put_env(const char *key, const struct kvlist *kv)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < kv->n; i++)
		sb_addf(&sb, "%s%s=%s", i ? "," : "", kv->keys[i], kv->vals[i]);
	put_str(key, sb.p ? sb.p : "");
	sb_free(&sb);
}

#define PUT_INT(fmt, v, ...)                                   \
	do {                                                   \
		printf(fmt "=%lld\n", __VA_ARGS__, (long long)(v)); \
	} while (0)

static void
put_stream(const char *P, const char *k, const struct stream_config *s)
{
	char key[512];
	snprintf(key, sizeof key, "%s.%s_logfile", P, k);
	put_str(key, s->dest == LOGDEST_AUTO ? "AUTO" : s->dest == LOGDEST_NONE ? "NONE" : s->logfile);
	PUT_INT("%s.%s_logfile_maxbytes", s->logfile_maxbytes, P, k);
	PUT_INT("%s.%s_logfile_backups", s->logfile_backups, P, k);
	PUT_INT("%s.%s_capture_maxbytes", s->capture_maxbytes, P, k);
	PUT_INT("%s.%s_events_enabled", s->events_enabled, P, k);
	PUT_INT("%s.%s_syslog", s->syslog, P, k);
}

static void
put_process(const char *group, const struct process_config *p)
{
	char P[512], key[600];
	snprintf(P, sizeof P, "process.%s:%s", group, p->name);
#define S(name, v) (snprintf(key, sizeof key, "%s." name, P), put_str(key, v))
	S("command", p->command);
	S("directory", p->directory);
	if (p->umask < 0)
		S("umask", NULL);
	else
		PUT_INT("%s.umask", p->umask, P);
	PUT_INT("%s.priority", p->priority, P);
	PUT_INT("%s.autostart", p->autostart, P);
	S("autorestart", autorestart_name(p->autorestart));
	PUT_INT("%s.startsecs", p->startsecs, P);
	PUT_INT("%s.startretries", p->startretries, P);
	if (p->has_uid)
		PUT_INT("%s.uid", p->uid, P);
	else
		S("uid", NULL);
	put_stream(P, "stdout", &p->out);
	put_stream(P, "stderr", &p->err);
	PUT_INT("%s.stopsignal", p->stopsignal, P);
	PUT_INT("%s.stopwaitsecs", p->stopwaitsecs, P);
	PUT_INT("%s.stopasgroup", p->stopasgroup, P);
	PUT_INT("%s.killasgroup", p->killasgroup, P);
	struct strbuf sb = {0};
	for (int i = 0; i < p->exitcodes.n; i++)
		sb_addf(&sb, "%s%d", i ? "," : "", p->exitcodes.codes[i]);
	S("exitcodes", sb.p ? sb.p : "");
	sb_free(&sb);
	PUT_INT("%s.redirect_stderr", p->redirect_stderr, P);
	snprintf(key, sizeof key, "%s.environment", P);
	put_env(key, &p->environment);
	S("serverurl", p->serverurl ? p->serverurl : "AUTO");
#undef S
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	struct daemon_options opts;
	daemon_options_parse(&opts, argc, argv);
	struct config *cfg = daemon_options_load(&opts);
	const struct supervisord_config *sd = &cfg->sd;
	put_str("supervisord.logfile", sd->logfile);
	PUT_INT("%s", sd->logfile_maxbytes, "supervisord.logfile_maxbytes");
	PUT_INT("%s", sd->logfile_backups, "supervisord.logfile_backups");
	PUT_INT("%s", sd->loglevel, "supervisord.loglevel");
	put_str("supervisord.pidfile", sd->pidfile);
	PUT_INT("%s", sd->umask, "supervisord.umask");
	PUT_INT("%s", sd->nodaemon, "supervisord.nodaemon");
	PUT_INT("%s", sd->silent, "supervisord.silent");
	PUT_INT("%s", sd->minfds, "supervisord.minfds");
	PUT_INT("%s", sd->minprocs, "supervisord.minprocs");
	PUT_INT("%s", sd->nocleanup, "supervisord.nocleanup");
	put_str("supervisord.childlogdir", sd->childlogdir);
	put_str("supervisord.user", sd->user);
	put_str("supervisord.directory", sd->directory);
	PUT_INT("%s", sd->strip_ansi, "supervisord.strip_ansi");
	put_str("supervisord.identifier", sd->identifier);
	put_env("supervisord.environment", &sd->environment);
	put_str("supervisord.serverurl", cfg->serverurl);
	for (int i = 0; i < cfg->nservers; i++) {
		const struct server_config *s = &cfg->servers[i];
		char key[512];
		printf("server.%d.family=%s\n", i, s->is_unix ? "unix" : "inet");
		snprintf(key, sizeof key, "server.%d.section", i);
		put_str(key, s->section);
		if (s->is_unix) {
			snprintf(key, sizeof key, "server.%d.file", i);
			put_str(key, s->file);
			printf("server.%d.chmod=%d\n", i, s->chmod);
			printf("server.%d.chown=%d:%d\n", i, (int)s->chown_uid, (int)s->chown_gid);
		} else {
			snprintf(key, sizeof key, "server.%d.host", i);
			put_str(key, s->host);
			printf("server.%d.port=%d\n", i, s->port);
		}
		snprintf(key, sizeof key, "server.%d.username", i);
		put_str(key, s->username);
		snprintf(key, sizeof key, "server.%d.password", i);
		put_str(key, s->password);
	}
	for (int i = 0; i < cfg->nplugins; i++) {
		const struct plugin_config *pc = &cfg->plugins[i];
		char key[1024];
		snprintf(key, sizeof key, "rpcinterface.%s.factory", pc->name);
		put_str(key, pc->factory);
		/* extra keys sorted by key */
		size_t order[pc->extras.n ? pc->extras.n : 1];
		for (size_t k = 0; k < pc->extras.n; k++)
			order[k] = k;
		for (size_t a = 1; a < pc->extras.n; a++)
			for (size_t b = a; b > 0 && strcmp(pc->extras.keys[order[b - 1]], pc->extras.keys[order[b]]) > 0; b--) {
				size_t t = order[b];
				order[b] = order[b - 1];
				order[b - 1] = t;
			}
		for (size_t k = 0; k < pc->extras.n; k++) {
			snprintf(key, sizeof key, "rpcinterface.%s.%s", pc->name, pc->extras.keys[order[k]]);
			put_str(key, pc->extras.vals[order[k]]);
		}
	}
	for (int i = 0; i < cfg->ngroups; i++) {
		const struct group_config *g = &cfg->groups[i];
		printf("group.%s.kind=%s\n", g->name, group_kind_name(g->kind));
		printf("group.%s.priority=%lld\n", g->name, g->priority);
		if (g->kind == GROUP_EVENTLISTENER) {
			/* the reference keeps them in a set: print them sorted */
			char *ev[g->nevents ? g->nevents : 1];
			memcpy(ev, g->events, (size_t)g->nevents * sizeof(char *));
			qsort(ev, (size_t)g->nevents, sizeof(char *), cmp_str);
			printf("group.%s.events=", g->name);
			for (int e = 0; e < g->nevents; e++)
				printf("%s%s", e ? "," : "", ev[e]);
			printf("\ngroup.%s.buffer_size=%d\n", g->name, g->buffer_size);
		} else if (g->kind == GROUP_FCGI) {
			const struct fcgi_socket_config *s = &g->socket;
			printf("group.%s.socket=%s\n", g->name, s->url);
			if (s->backlog < 0)
				printf("group.%s.socket_backlog=None\n", g->name);
			else
				printf("group.%s.socket_backlog=%d\n", g->name, s->backlog);
			if (s->has_owner)
				printf("group.%s.socket_owner=%d:%d\n", g->name, (int)s->owner_uid, (int)s->owner_gid);
			else
				printf("group.%s.socket_owner=None\n", g->name);
			if (s->mode < 0)
				printf("group.%s.socket_mode=None\n", g->name);
			else
				printf("group.%s.socket_mode=%d\n", g->name, s->mode);
		}
		for (int p = 0; p < g->nprocs; p++)
			put_process(g->name, &g->procs[p]);
	}
	config_free(cfg);
	daemon_options_free(&opts);
	return 0;
}
