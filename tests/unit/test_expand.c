#include "suites.h"
Suite *
expand_suite(void)
{
	return suite_create("expand");
}
