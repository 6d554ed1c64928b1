/* One Check suite per module of common/. */
#ifndef CSUP_TEST_SUITES_H
#define CSUP_TEST_SUITES_H
#include <check.h>
Suite *values_suite(void);
Suite *expand_suite(void);
Suite *envlist_suite(void);
Suite *ini_suite(void);
Suite *rpcvalue_suite(void);
Suite *xmlfast_suite(void);
#endif
