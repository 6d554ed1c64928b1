#include "suites.h"
Suite *
ini_suite(void)
{
	return suite_create("ini");
}
