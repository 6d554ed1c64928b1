/* Runs every unit suite; prints Check's summary line, which tests/run-all.sh
 * counts, and exits non-zero when anything failed. */
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr = srunner_create(values_suite());
	srunner_add_suite(sr, expand_suite());
	srunner_add_suite(sr, envlist_suite());
	srunner_add_suite(sr, ini_suite());
	srunner_add_suite(sr, rpcvalue_suite());
	srunner_add_suite(sr, xmlfast_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
