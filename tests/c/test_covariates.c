/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_covariates.c — static covariates through the C API (docs/covariates.md): a
 * Pareto/NBD fit with two covariates by ltv_model_fit_customers, the coefficients as parameters
 * named "<parameter>:<covariate>" with standard errors and covariance, per-customer predictions
 * by ltv_model_predict, options, and errors naming the argument, row and column.
 * Ends with "c99 covariates: N checks passed". */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltv/ltv.h"

#include "support/check.h"

#define N 1200

static double x[N], tx[N], T[N], z[2 * N];

/* Pareto/NBD customers simulated by ltv_model_simulate per covariate group: "vip" (0, 1) and
 * "region" (0, 1, 2); a VIP has a lower alpha (alpha * exp(-0.4): more purchases), region shifts
 * beta by exp(-0.1 region) (values chosen for the test). */
static void make_data(void) {
    size_t g, i, k = 0;
    const size_t per = N / 6;
    for (g = 0; g < 6; ++g) {
        ltv_model* sim = NULL;
        const double vip = (double)(g % 2), region = (double)(g / 2);
        double p[4];
        double ages[N];
        p[0] = 0.9;
        p[1] = 6.0 * exp(-0.4 * vip);
        p[2] = 0.8;
        p[3] = 15.0 * exp(-0.1 * region);
        ltv_model_create(LTV_MODEL_PARETO_NBD, &sim);
        ltv_model_set_params(sim, p, 4);
        for (i = 0; i < per; ++i) ages[i] = 26 + (double)(i % 27);
        ltv_model_simulate(sim, 100 + g, ages, per, x + k, tx + k, NULL);
        for (i = 0; i < per; ++i, ++k) {
            T[k] = ages[i];
            z[2 * k] = vip;
            z[2 * k + 1] = region;
        }
        ltv_model_free(sim);
    }
}

int main(void) {
    ltv_model* m = NULL;
    ltv_customers c;
    size_t count = 0, i;
    const char* name = NULL;
    const char* names[2] = {"vip", "region"};
    double params[8], se[8], cov[64], out[N];
    make_data();

    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &m) == LTV_OK);
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = N;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    c.covariates = z;
    c.num_covariates = 2;
    c.covariate_names = names;
    CHECK(ltv_model_fit_customers(m, &c, NULL) == LTV_OK);
    CHECK(ltv_model_num_params(m, &count) == LTV_OK && count == 8);
    CHECK(ltv_model_param_name(m, 4, &name) == LTV_OK && strcmp(name, "alpha:vip") == 0);
    CHECK(ltv_model_param_name(m, 7, &name) == LTV_OK && strcmp(name, "beta:region") == 0);
    CHECK(ltv_model_param_name(m, 8, &name) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_model_params(m, params, 8) == LTV_OK);
    CHECK(ltv_model_standard_errors(m, se, 8) == LTV_OK);
    CHECK(ltv_model_covariance(m, cov, 64) == LTV_OK);
    for (i = 0; i < 8; ++i) CHECK(isfinite(params[i]) && se[i] > 0);
    /* the purchase-rate coefficient of "vip" (more purchases: alpha lower, sign −1) */
    CHECK(params[4] > 0);

    /* per-customer predictions use each customer's own parameters */
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, N) == LTV_OK);
    for (i = 0; i < N; ++i) CHECK(out[i] >= 0 && out[i] <= 1);
    CHECK(ltv_model_predict(m, LTV_CAP_CONDITIONAL_PURCHASES, 10, &c, NULL, out, NULL, NULL,
                            N) == LTV_OK);
    /* customers 0 and 1 differ only in their covariates when their histories match: compare a
     * pair with the same (x, t_x, T) through a two-row table */
    {
        double x2[2] = {2, 2}, tx2[2] = {10, 10}, T2[2] = {30, 30}, z2[4] = {1, 0, 0, 0}, o[2];
        ltv_customers two;
        ltv_customers_init(&two, sizeof two);
        two.n = 2;
        two.frequency = x2;
        two.recency = tx2;
        two.T = T2;
        two.covariates = z2;
        two.num_covariates = 2;
        two.covariate_names = names;
        CHECK(ltv_model_predict(m, LTV_CAP_CONDITIONAL_PURCHASES, 10, &two, NULL, o, NULL, NULL,
                                2) == LTV_OK);
        CHECK(o[0] != o[1]);
    }

    /* errors: no covariates for a model with coefficients; NaN named by row and column */
    c.covariates = NULL;
    c.num_covariates = 0;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, N) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "covariates"));
    c.covariates = z;
    c.num_covariates = 2;
    z[2 * 5 + 1] = NAN;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, N) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "row 5 column 1 ('region')"));
    z[2 * 5 + 1] = 2;

    /* options: a constraint and a fixed coefficient */
    CHECK(ltv_model_set_option(m, "constrain.region", 1) == LTV_OK);
    CHECK(ltv_model_set_option(m, "fix.alpha:vip", 0.5) == LTV_OK);
    CHECK(ltv_model_set_option(m, "covariates.lambda", -1) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_model_fit_customers(m, &c, NULL) == LTV_OK);
    CHECK(ltv_model_params(m, params, 8) == LTV_OK);
    CHECK(params[4] == 0.5);
    CHECK(params[5] == params[7]);

    /* a model without covariates refuses them */
    {
        ltv_model* bgbb = NULL;
        CHECK(ltv_model_create(LTV_MODEL_BGBB, &bgbb) == LTV_OK);
        CHECK(ltv_model_fit_customers(bgbb, &c, NULL) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "does not take covariates"));
        ltv_model_free(bgbb);
    }
    ltv_model_free(m);
    printf("c99 covariates: %d checks passed\n", passed);
    return failed == 0 ? 0 : 1;
}
