/* SPDX-License-Identifier: Apache-2.0 */
/* The C99 tests' copies of the published reference values of tests/data/references/<model>.json.
 *
 * C has no JSON reader here, so the C tests keep the numbers as literals — but every such
 * literal is written through one of these macros, which name the file and the place in it, and
 * tests/python/test_reference_literals.py parses the .c files and checks each copy against the
 * JSON (value and tolerance), so the copies cannot drift:
 *
 *   REF("bgnbd", "parameter_sets.published.params.r", 0.243)      a number of the file
 *   close_to(x, REF_REL("bgnbd", "fits.cdnow.params.r", 0.2425929, 1e-6))
 *                                a reference value {value, tolerance}: expands to "value, tol"
 *   within(x, REF_ABS("pnbd", "predictions.p_alive_x26", 0.9979, 1e-4))
 *                                a reference value {value, abs_tolerance}
 *   REF_LIST("sbg", "datasets.regular.cohorts.0", 1000, 631, ...)   an array of the file
 *
 * The path is the JSON path with dots (array indices as numbers). */
#ifndef LTV_TESTS_C_REFERENCES_H
#define LTV_TESTS_C_REFERENCES_H

#include <math.h>

#define REF(model, path, literal) (literal)
#define REF_REL(model, path, value, tolerance) (value), (tolerance)
#define REF_ABS(model, path, value, abs_tolerance) (value), (abs_tolerance)
#define REF_LIST(model, path, ...) __VA_ARGS__

/* |actual − expected| ≤ tolerance (the absolute tolerances of REF_ABS). */
static inline int within(double actual, double expected, double tolerance) {
    return fabs(actual - expected) <= tolerance;
}

#endif
