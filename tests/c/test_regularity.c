/* SPDX-License-Identifier: Apache-2.0 */
/* BG/CNBD-k through the C API (docs/bgcnbd.md): the option k (set, searched with a summary's
 * LTV_SUMMARY_LITT, stored), the k = 1 identity with BG/NBD, errors naming 'k' and 'litt', and
 * ltv_regularity_wheat. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ltv/ltv.h>

#include "support/check.h"

static void test_wheat(void) {
    /* M = prev/(prev+last): 1/3, 1/2, 3/4 and their mirrors 2/3, 1/2, 1/4; Var M over the six
     * values (n − 1 = 5): Σ(M − 1/2)² = 2(1/36 + 0 + 1/16) = 13/72, / 5 = 13/360;
     * k̂ = (1 − 4 Var)/(8 Var) = (1 − 52/360)/(104/360) = 308/104. */
    const double prev[] = {1, 2, 3}, last[] = {2, 2, 1};
    double k = 0;
    CHECK(ltv_regularity_wheat(prev, last, 3, &k) == LTV_OK);
    CHECK(close_to(k, 308.0 / 104.0, 1e-14));
    const double bad[] = {1, -1, 1};
    CHECK(ltv_regularity_wheat(prev, bad, 3, &k) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ltv_last_error(), "'last_itt[1]'") != NULL);
    CHECK(ltv_regularity_wheat(prev, last, 0, &k) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_regularity_wheat(prev, last, 3, NULL) != LTV_OK);
}

static void test_option_k(void) {
    const double x[] = {0, 2, 1, 5, 3, 0}, tx[] = {0, 10, 3, 30, 20, 0},
                 T[] = {40, 40, 40, 40, 40, 40}, litt[] = {0, 1.5, 0, 10, 4, 0};
    ltv_model* m = NULL;
    CHECK(ltv_model_create(LTV_MODEL_BGCNBD, &m) == LTV_OK);
    /* k must be whole and in range */
    CHECK(ltv_model_set_option(m, "k", 2.5) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ltv_last_error(), "'k'") != NULL);
    /* a k search (k = 0, the default) without litt names 'litt' */
    CHECK(ltv_model_fit_rfm(m, x, tx, T, NULL, 6, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ltv_last_error(), "'litt'") != NULL);
    /* with litt: the search runs and stores its k */
    ltv_customers c;
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = 6;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    c.litt = litt;
    ltv_fit_options o;
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    o.allow_no_convergence = 1;
    CHECK(ltv_model_fit_customers(m, &c, &o) == LTV_OK);
    double k = 0;
    int is_set = 0;
    CHECK(ltv_model_option(m, "k", &k, &is_set) == LTV_OK && is_set && k >= 1);
    /* litt NaN: named with its row */
    const double nan_litt[] = {0, 1.5, NAN, 10, 4, 0};
    c.litt = nan_litt;
    CHECK(ltv_model_set_option(m, "k", 0) == LTV_OK);
    CHECK(ltv_model_fit_customers(m, &c, &o) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ltv_last_error(), "'litt[2]'") != NULL);
    ltv_model_free(m);
}

int main(void) {
    test_wheat();
    test_option_k();
    if (failed) {
        fprintf(stderr, "c99 regularity: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 regularity: %d checks passed\n", passed);
    return 0;
}
