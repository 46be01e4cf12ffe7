/* SPDX-License-Identifier: Apache-2.0 */
/* The C99 tests' shared checks: CHECK(cond) counts a pass or prints the failing condition with its
 * file, line and the library's last error; each test's main reports `passed` and `failed`. */
#ifndef LTV_TESTS_C_CHECK_H
#define LTV_TESTS_C_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ltv/ltv.h"

static int passed = 0, failed = 0;

static inline void check(int ok, const char* what, const char* file, int line) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        fprintf(stderr, "%s:%d: FAILED: %s (last error: \"%s\")\n", file, line, what,
                ltv_last_error());
    }
}
#define CHECK(cond) check((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0). */
static inline int close_to(double actual, double expected, double rel) {
    double scale = fabs(expected) > 0 ? fabs(expected) : 1.0;
    return fabs(actual - expected) <= rel * scale;
}

static inline int contains(const char* haystack, const char* needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

#endif
