/* Unit tests of plugins/example/site.c through the mock host
 * (tests/mock_host.h), without the daemon: the plugin's code is linked
 * into this program and its init() gets the mock's table. Then the test
 * plugins of ABI 1.1 (call_peer, call_ud, fd watches), dlopen()ed. Prints Check's
 * summary line, which tests/run-all.sh counts. */
#include <check.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mock_host.h"

/* site.c, linked in */
const struct sup_plugin_info *sup_plugin_query(void);

static sup_plugin *
load_site(const char *exclude)
{
	const char *kv[] = {"exclude", exclude, NULL};
	sup_plugin *p = mock_load(sup_plugin_query, "site", exclude ? kv : NULL);
	ck_assert_msg(p, "site refused: %s", mock_load_error());
	return p;
}

/* Every test ends here: unloaded, and no value left alive. */
static void
finish(sup_plugin *p)
{
	mock_unload(p);
	int live = mock_live_values();
	ck_assert_msg(live == 0, "expected no live values after unload, got %d", live);
	mock_reset();
}

/* A site with one of everything restartUnhealthy has to tell apart. */
static void
add_processes(void)
{
	mock_proc_add("web", "web", "RUNNING", 0);
	mock_proc_add("workers", "w1", "FATAL", 0);
	mock_proc_add("workers", "w2", "EXITED", 3);  /* unexpected */
	mock_proc_add("workers", "w3", "EXITED", 0);  /* expected (exitcodes 0) */
	mock_proc_add("workers", "w4", "STOPPED", 0); /* stopped on purpose */
	mock_proc_add("batch", "job", "EXITED", 2);   /* expected: exitcodes 0,2 */
	mock_proc_set_exitcodes("batch", "job", (const int[]){0, 2}, 2);
}

static void
assert_fault(const struct mock_call *c, int code, const char *text)
{
	ck_assert_msg(c->state == MOCK_FAULTED, "expected fault %d, got state %d", code, c->state);
	ck_assert_int_eq(c->fault, code);
	ck_assert_str_eq(c->fault_text, text);
}

static void
assert_result(const sup_value *r, const char *group, const char *name, int status, const char *desc)
{
	ck_assert_str_eq(mock_str(mock_get(r, "group")), group);
	ck_assert_str_eq(mock_str(mock_get(r, "name")), name);
	ck_assert_int_eq(mock_int(mock_get(r, "status")), status);
	ck_assert_str_eq(mock_str(mock_get(r, "description")), desc);
}

/* ---- loading ---- */

START_TEST(test_registers_three_methods_and_logs_ready)
{
	sup_plugin *p = load_site("batch:*, w4");
	ck_assert_int_eq(mock_method_count(p), 3);
	ck_assert(mock_has_method("site.summary"));
	ck_assert(mock_has_method("site.restartUnhealthy"));
	ck_assert(mock_has_method("site.uptime"));
	ck_assert_int_eq(mock_log_find("INFO site: site tools ready (2 exclusions)"), 1);
	finish(p);
}
END_TEST

START_TEST(test_unknown_key_is_refused_and_nothing_stays_registered)
{
	const char *kv[] = {"exlude", "x", NULL};
	ck_assert_ptr_null(mock_load(sup_plugin_query, "site", kv));
	ck_assert_str_eq(mock_load_error(), "unknown key 'exlude'");
	ck_assert(!mock_has_method("site.summary"));
	ck_assert_int_eq(mock_live_values(), 0);
	mock_reset();
}
END_TEST

/* ---- site.summary ---- */

START_TEST(test_summary_counts_states_and_lists_the_others)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	struct mock_call *c = mock_call("site.summary", NULL);
	ck_assert_int_eq(c->state, MOCK_REPLIED);
	const sup_value *r = c->result;
	ck_assert_int_eq(mock_int(mock_get(r, "total")), 6);
	const sup_value *states = mock_get(r, "states");
	ck_assert_int_eq(mock_int(mock_get(states, "RUNNING")), 1);
	ck_assert_int_eq(mock_int(mock_get(states, "FATAL")), 1);
	ck_assert_int_eq(mock_int(mock_get(states, "EXITED")), 3);
	ck_assert_int_eq(mock_int(mock_get(states, "STOPPED")), 1);
	ck_assert_int_eq(mock_int(mock_get(states, "BACKOFF")), 0);
	ck_assert_ptr_nonnull(mock_get(states, "UNKNOWN"));
	const sup_value *nr = mock_get(r, "notRunning");
	ck_assert_int_eq(mock_len(nr), 5);
	ck_assert_str_eq(mock_str(mock_get(mock_at(nr, 0), "name")), "workers:w1");
	ck_assert_str_eq(mock_str(mock_get(mock_at(nr, 0), "statename")), "FATAL");
	ck_assert_str_eq(mock_str(mock_get(mock_at(nr, 4), "name")), "batch:job");
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_summary_takes_no_arguments)
{
	sup_plugin *p = load_site(NULL);
	struct mock_call *c = mock_call("site.summary", mock_params("i", 1));
	assert_fault(c, SUP_FAULT_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	mock_call_free(c);
	finish(p);
}
END_TEST

/* ---- site.restartUnhealthy ---- */

START_TEST(test_restart_starts_fatal_and_unexpected_exits_and_waits)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	struct mock_call *c = mock_call("site.restartUnhealthy", NULL);
	ck_assert_int_eq(c->state, MOCK_PENDING);
	ck_assert(c->deferred);
	ck_assert_int_eq(mock_ops_count(), 2);
	ck_assert_str_eq(mock_op(0)->namespec, "workers:w1");
	ck_assert_str_eq(mock_op(1)->namespec, "workers:w2");
	ck_assert(mock_op(0)->start && mock_op(0)->wait);

	/* the answer waits for the last one, whatever the order */
	mock_op_finish(1, SUP_FAULT_SPAWN_ERROR, "w2");
	ck_assert_int_eq(c->state, MOCK_PENDING);
	mock_op_finish(0, 0, NULL);
	ck_assert_int_eq(c->state, MOCK_REPLIED);
	ck_assert_int_eq(mock_len(c->result), 2);
	assert_result(mock_at(c->result, 0), "workers", "w1", 80, "OK");
	assert_result(mock_at(c->result, 1), "workers", "w2", SUP_FAULT_SPAWN_ERROR, "w2");
	ck_assert(!c->misuse);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_without_wait_passes_wait_false)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	mock_ops_immediate(true);
	struct mock_call *c = mock_call("site.restartUnhealthy", mock_params("b", 0));
	ck_assert_int_eq(c->state, MOCK_REPLIED); /* every start finished at once */
	ck_assert_int_eq(mock_ops_count(), 2);
	ck_assert(!mock_op(0)->wait && !mock_op(1)->wait);
	ck_assert_int_eq(mock_len(c->result), 2);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_leaves_excluded_processes_alone)
{
	sup_plugin *p = load_site("workers:w1 , w2");
	add_processes();
	struct mock_call *c = mock_call("site.restartUnhealthy", mock_params("b", 1));
	ck_assert_int_eq(c->state, MOCK_REPLIED);
	ck_assert_int_eq(mock_len(c->result), 0);
	ck_assert_int_eq(mock_ops_count(), 0);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_group_wildcard_exclusion)
{
	sup_plugin *p = load_site("workers:*");
	add_processes();
	struct mock_call *c = mock_call("site.restartUnhealthy", NULL);
	ck_assert_int_eq(c->state, MOCK_REPLIED);
	ck_assert_int_eq(mock_len(c->result), 0);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_cancelled_call_gets_no_answer_and_frees_everything)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	struct mock_call *c = mock_call("site.restartUnhealthy", NULL);
	ck_assert(c->deferred);
	mock_cancel(c);
	ck_assert_int_eq(c->state, MOCK_CANCELLED);
	/* the daemon still reports the starts: the plugin must not answer */
	mock_op_finish(0, 0, NULL);
	mock_op_finish(1, 0, NULL);
	ck_assert_int_eq(c->state, MOCK_CANCELLED);
	ck_assert(!c->misuse);
	ck_assert_int_eq(mock_log_find("API misuse"), 0);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_refused_while_stopping)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	mock_set_daemon_state(-1);
	struct mock_call *c = mock_call("site.restartUnhealthy", NULL);
	assert_fault(c, SUP_FAULT_SHUTDOWN_STATE, "SHUTDOWN_STATE");
	ck_assert_int_eq(mock_ops_count(), 0);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_restart_checks_its_arguments)
{
	sup_plugin *p = load_site(NULL);
	struct mock_call *c = mock_call("site.restartUnhealthy", mock_params("s", "yes"));
	assert_fault(c, SUP_FAULT_BAD_ARGUMENTS, "BAD_ARGUMENTS");
	mock_call_free(c);
	c = mock_call("site.restartUnhealthy", mock_params("bb", 1, 1));
	assert_fault(c, SUP_FAULT_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	mock_call_free(c);
	finish(p);
}
END_TEST

/* ---- site.uptime (typed, through libffi) ---- */

START_TEST(test_uptime_of_a_running_process)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	mock_proc_set_start("web", "web", 1000, 4725);
	struct mock_call *c = mock_call("site.uptime", mock_params("s", "web:web"));
	ck_assert_int_eq(c->state, MOCK_REPLIED);
	ck_assert_int_eq(mock_int(c->result), 3725);
	mock_call_free(c);
	c = mock_call("site.uptime", mock_params("s", "web"));
	ck_assert_int_eq(mock_int(c->result), 3725);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_uptime_faults_for_unknown_and_stopped_processes)
{
	sup_plugin *p = load_site(NULL);
	add_processes();
	struct mock_call *c = mock_call("site.uptime", mock_params("s", "nosuch"));
	assert_fault(c, SUP_FAULT_BAD_NAME, "BAD_NAME: nosuch");
	mock_call_free(c);
	c = mock_call("site.uptime", mock_params("s", "workers:w4"));
	assert_fault(c, SUP_FAULT_NOT_RUNNING, "NOT_RUNNING: workers:w4");
	ck_assert(!c->misuse);
	mock_call_free(c);
	c = mock_call("site.uptime", mock_params("i", 3));
	assert_fault(c, SUP_FAULT_BAD_ARGUMENTS, "BAD_ARGUMENTS");
	mock_call_free(c);
	finish(p);
}
END_TEST

/* ---- the mock itself: what it must catch in any plugin ---- */

static int
forgetful(sup_call *call, sup_value *params, void *ud)
{
	(void)call;
	(void)params;
	(void)ud;
	return SUP_OK; /* no reply, no fault, no defer */
}

static const struct sup_api *forgetful_api;

static int
null_reply(sup_call *call, sup_value *params, void *ud)
{
	(void)params;
	(void)ud;
	return forgetful_api->reply(call, NULL);
}

static int
forgetful_init(sup_plugin *p, const struct sup_api *api, const sup_config *cfg)
{
	(void)cfg;
	static const struct sup_method m[] = {{"forget", forgetful, "b:", "never answers"},
					      {"null", null_reply, "b:", "replies NULL"}};
	forgetful_api = api;
	return api->rpc_methods(p, m, 2, sizeof m[0], NULL);
}

static const struct sup_plugin_info *
forgetful_query(void)
{
	static const struct sup_plugin_info info = {SUP_PLUGIN_MAGIC, SUP_ABI_MAJOR, SUP_ABI_MINOR, sizeof info,
						    SUP_KIND_RPC, "forgetful", "1", forgetful_init, NULL};
	return &info;
}

static const struct sup_plugin_info *
no_init_query(void)
{
	static const struct sup_plugin_info info = {SUP_PLUGIN_MAGIC, SUP_ABI_MAJOR, SUP_ABI_MINOR, sizeof info,
						    SUP_KIND_RPC, "noinit", "1", NULL, NULL};
	return &info;
}

START_TEST(test_mock_refuses_a_plugin_without_init)
{
	ck_assert_ptr_null(mock_load(no_init_query, "f", NULL));
	ck_assert_str_eq(mock_load_error(), "refused: bad magic block");
	mock_reset();
}
END_TEST

START_TEST(test_mock_flags_a_handler_that_never_answers)
{
	sup_plugin *p = mock_load(forgetful_query, "f", NULL);
	ck_assert_ptr_nonnull(p);
	struct mock_call *c = mock_call("f.forget", NULL);
	assert_fault(c, SUP_FAULT_FAILED, "FAILED: plugin did not answer");
	ck_assert(c->misuse);
	ck_assert_int_eq(mock_log_find("ERRO API misuse: f.forget returned without a reply, a fault or defer()"), 1);
	mock_call_free(c);
	finish(p);
}
END_TEST

START_TEST(test_mock_flags_a_reply_without_value)
{
	sup_plugin *p = mock_load(forgetful_query, "f", NULL);
	struct mock_call *c = mock_call("f.null", NULL);
	assert_fault(c, SUP_FAULT_FAILED, "FAILED: plugin replied without a value");
	ck_assert(c->misuse);
	ck_assert_int_eq(mock_log_find("ERRO API misuse: reply without a value"), 1);
	mock_call_free(c);
	finish(p);
}
END_TEST

/* ---- ABI 1.1 on the mock: tests/plugins/{calls,fdwatch,initfail}.so ---- */

typedef const struct sup_plugin_info *query_fn(void);

static void *dl;

static query_fn *
query_of(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.so", TEST_PLUGINS, name);
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dl, "dlopen %s: %s", path, dlerror());
	query_fn *q = (query_fn *)dlsym(dl, SUP_ENTRY_SYMBOL);
	ck_assert_ptr_nonnull(q);
	return q;
}

static void
finish_dl(void)
{
	ck_assert_int_eq(mock_live_values(), 0);
	mock_reset();
	dlclose(dl);
}

static const char *
reply_string(struct mock_call *c)
{
	ck_assert_msg(c->state == MOCK_REPLIED, "expected a reply, got state %d", c->state);
	return mock_str(c->result);
}

START_TEST(test_mock_call_peer_is_what_the_test_sets)
{
	sup_plugin *p = mock_load(query_of("calls"), "c", NULL);
	ck_assert_msg(p, "refused: %s", mock_load_error());
	struct mock_call *c = mock_call("c.peer", NULL);
	ck_assert_str_eq(reply_string(c), "unix");
	mock_call_free(c);
	mock_set_peer("inet:192.0.2.7");
	c = mock_call("c.peer", NULL);
	ck_assert_str_eq(reply_string(c), "inet:192.0.2.7");
	mock_call_free(c);
	mock_unload(p);
	finish_dl();
}
END_TEST

START_TEST(test_mock_call_ud_gives_typed_functions_their_instance)
{
	query_fn *q = query_of("calls");
	sup_plugin *a = mock_load(q, "a", NULL), *b = mock_load(q, "b", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	struct mock_call *c = mock_call("b.whoami", NULL);
	ck_assert_str_eq(reply_string(c), "b");
	mock_call_free(c);
	const char *order[] = {"a.count", "a.count", "b.count"};
	const int64_t want[] = {1, 2, 1};
	for (int i = 0; i < 3; i++) {
		c = mock_call(order[i], NULL);
		ck_assert_int_eq(c->state, MOCK_REPLIED);
		ck_assert_int_eq(mock_int(c->result), want[i]);
		mock_call_free(c);
	}
	c = mock_call("a.udOf", NULL);
	ck_assert_str_eq(reply_string(c), "same");
	mock_call_free(c);
	mock_unload(a);
	mock_unload(b);
	finish_dl();
}
END_TEST

START_TEST(test_mock_fd_watch_accepts_and_echoes)
{
	char dir[] = "/tmp/csup-mock-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/e.sock", dir);
	sup_plugin *p = mock_load(query_of("fdwatch"), "e", (const char *[]){"socket", path, NULL});
	ck_assert_msg(p, "refused: %s", mock_load_error());
	ck_assert_int_eq(mock_fd_watches(), 1);
	int lfd = mock_fd_at(0);
	ck_assert_int_eq(mock_fd_events(lfd), SUP_FD_READ);

	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert(mock_fd_ready(lfd, SUP_FD_READ)); /* accept: the client is watched */
	ck_assert_int_eq(mock_fd_watches(), 2);
	int cfd = mock_fd_at(0) == lfd ? mock_fd_at(1) : mock_fd_at(0);
	ck_assert(!mock_fd_ready(cfd, SUP_FD_WRITE)); /* not watched for that */
	ck_assert_int_eq(write(s, "ping\n", 5), 5);
	ck_assert(mock_fd_ready(cfd, SUP_FD_READ));
	char buf[64] = "";
	ck_assert_int_eq(read(s, buf, sizeof buf - 1), 11);
	ck_assert_str_eq(buf, "echo: ping\n");
	close(s);
	ck_assert(mock_fd_ready(cfd, SUP_FD_READ | SUP_FD_ERROR)); /* eof: it unwatches */
	ck_assert_int_eq(mock_fd_watches(), 1);
	ck_assert_int_eq(mock_log_find("e: client gone (hang-up)"), 1);
	mock_unload(p); /* the listener's watch ends with it */
	ck_assert_int_eq(mock_fd_watches(), 0);
	unlink(path);
	rmdir(dir);
	finish_dl();
}
END_TEST

START_TEST(test_mock_failed_init_drops_watches_timers_and_subscriptions)
{
	ck_assert_ptr_null(mock_load(query_of("initfail"), "f", (const char *[]){"hooks", "yes", NULL}));
	ck_assert_str_eq(mock_load_error(), "init failed");
	ck_assert_int_eq(mock_log_find("f: subscribed, timer armed, fd "), 1);
	ck_assert_int_eq(mock_fd_watches(), 0);
	ck_assert_int_eq(mock_timers_pending(), 0);
	mock_event("PROCESS_STATE_RUNNING", "g", "p", "STARTING"); /* would abort() */
	finish_dl();
}
END_TEST

static Suite *
site_suite(void)
{
	Suite *s = suite_create("plugins on the mock host");
	TCase *tc = tcase_create("site");
	tcase_add_test(tc, test_registers_three_methods_and_logs_ready);
	tcase_add_test(tc, test_unknown_key_is_refused_and_nothing_stays_registered);
	tcase_add_test(tc, test_summary_counts_states_and_lists_the_others);
	tcase_add_test(tc, test_summary_takes_no_arguments);
	tcase_add_test(tc, test_restart_starts_fatal_and_unexpected_exits_and_waits);
	tcase_add_test(tc, test_restart_without_wait_passes_wait_false);
	tcase_add_test(tc, test_restart_leaves_excluded_processes_alone);
	tcase_add_test(tc, test_restart_group_wildcard_exclusion);
	tcase_add_test(tc, test_restart_cancelled_call_gets_no_answer_and_frees_everything);
	tcase_add_test(tc, test_restart_refused_while_stopping);
	tcase_add_test(tc, test_restart_checks_its_arguments);
	tcase_add_test(tc, test_uptime_of_a_running_process);
	tcase_add_test(tc, test_uptime_faults_for_unknown_and_stopped_processes);
	tcase_add_test(tc, test_mock_refuses_a_plugin_without_init);
	tcase_add_test(tc, test_mock_flags_a_handler_that_never_answers);
	tcase_add_test(tc, test_mock_flags_a_reply_without_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("abi 1.1");
	tcase_add_test(tc, test_mock_call_peer_is_what_the_test_sets);
	tcase_add_test(tc, test_mock_call_ud_gives_typed_functions_their_instance);
	tcase_add_test(tc, test_mock_fd_watch_accepts_and_echoes);
	tcase_add_test(tc, test_mock_failed_init_drops_watches_timers_and_subscriptions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(site_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
