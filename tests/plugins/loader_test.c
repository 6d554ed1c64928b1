/* The daemon's own loader (supervisord/plugins.c) and dispatcher
 * (supervisord/rpc.c) with the test plugins of tests/plugins/, in process:
 * what a failed init() leaves behind can only be seen from inside (the
 * daemon exits at once). Prints Check's summary line, which
 * tests/run-all.sh counts. TEST_PLUGINS is the directory of the built
 * .so files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "envlist.h"
#include "host.h"
#include "log.h"
#include "loop.h"
#include "plugins.h"
#include "rpc.h"
#include "util.h"

static char logdir[64];
static char *logfile;
static struct loop *loop;

static void
setup(void)
{
	snprintf(logdir, sizeof logdir, "/tmp/csup-loader-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(logdir));
	logfile = xasprintf("%s/activity.log", logdir);
	struct log_settings ls = {.path = logfile, .maxbytes = 0, .backups = 0, .level = LV_INFO, .to_stdout = false};
	ck_assert_int_eq(log_open(&ls), 0);
	loop = loop_new();
	host_set_loop(loop); /* timers and fd watches work in init() */
}

static void
teardown(void)
{
	host_detach();
	loop_free(loop);
	log_close();
	unlink(logfile);
	rmdir(logdir);
	free(logfile);
}

static char *
read_log(void)
{
	FILE *f = fopen(logfile, "r");
	struct strbuf sb = {0};
	sb_adds(&sb, "");
	if (f) {
		char buf[512];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			sb_add(&sb, buf, n);
		fclose(f);
	}
	return sb_steal(&sb);
}

/* A config with [rpcinterface:NAME] sections: name, file (in TEST_PLUGINS),
 * then key, value pairs, NULL; the list ends with a NULL name. */
static struct config *
config_of(const char *const *const *sections)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	while (sections[cfg->nplugins])
		cfg->nplugins++;
	cfg->plugins = xcalloc((size_t)cfg->nplugins + 1, sizeof(*cfg->plugins));
	for (int i = 0; i < cfg->nplugins; i++) {
		const char *const *s = sections[i];
		struct plugin_config *pc = &cfg->plugins[i];
		pc->kind = PLUGIN_RPC;
		pc->name = xstrdup(s[0]);
		pc->section = xasprintf("rpcinterface:%s", s[0]);
		pc->factory = xasprintf("%s/%s.so", TEST_PLUGINS, s[1]);
		for (int k = 2; s[k] && s[k + 1]; k += 2)
			kv_set(&pc->extras, s[k], s[k + 1]);
	}
	return cfg;
}

static void
config_drop(struct config *cfg)
{
	for (int i = 0; i < cfg->nplugins; i++) {
		free(cfg->plugins[i].name);
		free(cfg->plugins[i].section);
		free(cfg->plugins[i].factory);
		kv_free(&cfg->plugins[i].extras);
	}
	free(cfg->plugins);
	free(cfg);
}

struct answer {
	bool done;
	int fault;
	char *text;
	char *names; /* listMethods: the names joined with ' ' */
};

static void
on_done(sup_call *call, const sup_value *result, int fault, const char *text, void *ud)
{
	(void)call;
	struct answer *a = ud;
	a->done = true;
	a->fault = fault;
	a->text = xstrdup(text ? text : "");
	struct strbuf sb = {0};
	sb_adds(&sb, "");
	if (result && result->type == SUP_T_ARRAY)
		for (int i = 0; i < result->u.arr.n; i++)
			if (result->u.arr.items[i]->type == SUP_T_STRING)
				sb_addf(&sb, "%s ", result->u.arr.items[i]->u.str.s);
	a->names = sb_steal(&sb);
}

static struct answer
call(const char *method)
{
	struct answer a = {0};
	ck_assert_ptr_null(rpc_call(method, NULL, "test", on_done, &a));
	ck_assert(a.done);
	return a;
}

static void
answer_free(struct answer *a)
{
	free(a->text);
	free(a->names);
}

START_TEST(test_failed_init_leaves_no_method_and_runs_fini)
{
	struct config *cfg = config_of((const char *const *const[]){
		(const char *const[]){"initfail", "initfail", NULL}, NULL});
	char *err = NULL;
	ck_assert_int_eq(plugins_load(cfg, &err), -1);
	char *want = xasprintf("[rpcinterface:initfail] plugin %s/initfail.so: init failed", TEST_PLUGINS);
	ck_assert_str_eq(err, want);

	struct answer a = call("initfail.ping");
	ck_assert_int_eq(a.fault, SUP_FAULT_UNKNOWN_METHOD);
	ck_assert_str_eq(a.text, "UNKNOWN_METHOD");
	answer_free(&a);
	a = call("system.listMethods");
	ck_assert_int_eq(a.fault, 0);
	ck_assert_str_eq(a.names, "system.listMethods system.methodHelp system.methodSignature system.multicall ");
	answer_free(&a);

	char *log = read_log();
	ck_assert_msg(strstr(log, "INFO initfail: registered ping, now failing on purpose\n"), "log: %s", log);
	ck_assert_msg(strstr(log, "INFO initfail: fini ran\n"), "log: %s", log);
	ck_assert_msg(strstr(log, "fini ran") > strstr(log, "registered ping"), "fini before init? log: %s", log);
	free(log);
	plugins_unload();
	free(want);
	free(err);
	config_drop(cfg);
}
END_TEST

static void
stop_loop(struct loop *l, void *data)
{
	(void)data;
	loop_stop(l);
}

START_TEST(test_failed_init_drops_its_subscriptions_timers_and_fd_watches)
{
	struct config *cfg = config_of((const char *const *const[]){
		(const char *const[]){"hooks", "initfail", "hooks", "yes", NULL}, NULL});
	char *err = NULL;
	ck_assert_int_eq(host_hook_count(), 0);
	ck_assert_int_eq(plugins_load(cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "initfail.so: init failed"));
	char *log = read_log();
	ck_assert_msg(strstr(log, "INFO hooks: subscribed, timer armed, fd "), "init did not get that far; log: %s",
		      log);
	free(log);
	ck_assert_msg(host_hook_count() == 0, "expected no subscription, timer or fd watch left, got %d",
		      host_hook_count());
	/* a loop turn with the (due) timer and the (readable) pipe of the
	 * plugin: what was left would now call into the unmapped .so */
	struct timer t;
	timer_init(&t, stop_loop, NULL);
	timer_arm(loop, &t, loop_now(loop) + 50);
	loop_run(loop);
	plugins_unload();
	free(err);
	config_drop(cfg);
}
END_TEST

START_TEST(test_failed_init_keeps_the_plugins_loaded_before)
{
	struct config *cfg = config_of((const char *const *const[]){
		(const char *const[]){"first", "deferred", NULL},
		(const char *const[]){"second", "initfail", NULL}, NULL});
	char *err = NULL;
	ck_assert_int_eq(plugins_load(cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "[rpcinterface:second] plugin "));
	struct answer a = call("first.now");
	ck_assert_int_eq(a.fault, 0);
	answer_free(&a);
	a = call("second.ping");
	ck_assert_int_eq(a.fault, SUP_FAULT_UNKNOWN_METHOD);
	answer_free(&a);
	plugins_unload();
	free(err);
	config_drop(cfg);
}
END_TEST

START_TEST(test_duplicate_method_fails_init_and_is_logged)
{
	struct config *cfg = config_of((const char *const *const[]){
		(const char *const[]){"dup", "badreg", "case", "duplicate", NULL}, NULL});
	char *err = NULL;
	ck_assert_int_eq(plugins_load(cfg, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "badreg.so: init failed"));
	struct answer a = call("dup.ping"); /* the first one is rolled back too */
	ck_assert_int_eq(a.fault, SUP_FAULT_UNKNOWN_METHOD);
	answer_free(&a);
	char *log = read_log();
	ck_assert_msg(strstr(log, "ERRO plugin dup: method dup.ping is already registered\n"), "log: %s", log);
	free(log);
	plugins_unload();
	free(err);
	config_drop(cfg);
}
END_TEST

START_TEST(test_loaded_plugin_methods_are_listed_in_order)
{
	struct config *cfg = config_of((const char *const *const[]){
		(const char *const[]){"zz", "abi_ok", NULL},
		(const char *const[]){"aa", "cancelled", NULL}, NULL});
	char *err = NULL;
	ck_assert_int_eq(plugins_load(cfg, &err), 0);
	struct answer a = call("system.listMethods");
	ck_assert_str_eq(a.names, "aa.cancels aa.hang system.listMethods system.methodHelp "
				  "system.methodSignature system.multicall zz.ping ");
	answer_free(&a);
	char *log = read_log();
	ck_assert_msg(strstr(log, "INFO RPC interface 'zz' initialized\n"), "log: %s", log);
	ck_assert_msg(strstr(log, "INFO RPC interface 'aa' initialized\n"), "log: %s", log);
	free(log);
	plugins_unload();
	config_drop(cfg);
}
END_TEST

static Suite *
loader_suite(void)
{
	Suite *s = suite_create("loader (supervisord/plugins.c)");
	TCase *tc = tcase_create("loader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_failed_init_leaves_no_method_and_runs_fini);
	tcase_add_test(tc, test_failed_init_drops_its_subscriptions_timers_and_fd_watches);
	tcase_add_test(tc, test_failed_init_keeps_the_plugins_loaded_before);
	tcase_add_test(tc, test_duplicate_method_fails_init_and_is_logged);
	tcase_add_test(tc, test_loaded_plugin_methods_are_listed_in_order);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
