#include "suites.h"
Suite *
envlist_suite(void)
{
	return suite_create("envlist");
}
