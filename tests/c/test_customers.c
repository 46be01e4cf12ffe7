/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_customers.c — the customers table (ltv_customers) and the one prediction call
 * (ltv_model_predict) through the C API (issue 14): a fit on the table is bit for bit the fit on
 * the same columns, each prediction equals its own entry point, and malformed tables or
 * arguments are errors naming them. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "support/cdnow.h"
#include "support/check.h"

static int same_values(const double* a, const double* b, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        if (a[i] != b[i]) return 0;
    return 1;
}

static void test_fit_and_predict_equal_the_column_calls(void) {
    ltv_summary_table* t = cdnow_table();
    ltv_summary_info info;
    ltv_customers c;
    ltv_prediction_options po;
    ltv_clv_options clv;
    ltv_model *a = NULL, *b = NULL, *ga = NULL, *gb = NULL, *p = NULL;
    double pa[4], pb[4], *x, *tx, *T, *z, *out_a, *out_b;
    size_t n;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    x = column(t, LTV_SUMMARY_FREQUENCY, n);
    tx = column(t, LTV_SUMMARY_RECENCY, n);
    T = column(t, LTV_SUMMARY_T, n);
    z = column(t, LTV_SUMMARY_MONETARY_VALUE, n);
    out_a = malloc(n * sizeof *out_a);
    out_b = malloc(n * sizeof *out_b);

    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    CHECK(c.struct_size == sizeof c && c.frequency == NULL && c.num_covariates == 0);
    c.n = n;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    c.monetary = z;

    /* Fits: BG/NBD on (x, t_x, T), Gamma-Gamma on (x, monetary), each the column call's fit. */
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &a) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &b) == LTV_OK);
    CHECK(ltv_model_fit_customers(a, &c, NULL) == LTV_OK);
    CHECK(ltv_model_fit_rfm(b, x, tx, T, NULL, n, NULL) == LTV_OK);
    CHECK(ltv_model_params(a, pa, 4) == LTV_OK && ltv_model_params(b, pb, 4) == LTV_OK);
    CHECK(memcmp(pa, pb, sizeof pa) == 0);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &ga) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &gb) == LTV_OK);
    CHECK(ltv_model_fit_customers(ga, &c, NULL) == LTV_OK);
    CHECK(ltv_model_fit_spend(gb, x, z, NULL, n, NULL) == LTV_OK);
    CHECK(ltv_model_params(ga, pa, 3) == LTV_OK && ltv_model_params(gb, pb, 3) == LTV_OK);
    CHECK(memcmp(pa, pb, 3 * sizeof pa[0]) == 0);

    /* Point predictions (options NULL) equal the entry point of each quantity, bit for bit. */
    CHECK(ltv_model_predict(a, LTV_CAP_P_ALIVE, 0, &c, NULL, out_a, NULL, NULL, n) == LTV_OK);
    CHECK(ltv_model_p_alive(b, x, tx, T, n, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    CHECK(ltv_model_predict(a, LTV_CAP_CONDITIONAL_PURCHASES, 39, &c, NULL, out_a, NULL, NULL,
                            n) == LTV_OK);
    CHECK(ltv_model_expected_purchases(b, 39, x, tx, T, n, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    CHECK(ltv_model_predict(a, LTV_CAP_LOG_LIKELIHOOD, 0, &c, NULL, out_a, NULL, NULL, n) ==
          LTV_OK);
    CHECK(ltv_model_log_likelihood(b, x, tx, T, n, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    CHECK(ltv_model_predict(ga, LTV_CAP_SPEND, 0, &c, NULL, out_a, NULL, NULL, n) == LTV_OK);
    CHECK(ltv_model_expected_spend(gb, x, z, n, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    CHECK(ltv_prediction_options_init(&po, sizeof po) == LTV_OK);
    CHECK(po.interval_level == 0 && po.interval_method == LTV_INTERVAL_DELTA);
    CHECK(ltv_clv_options_init(&clv, sizeof clv) == LTV_OK);
    clv.periods = 24;
    po.spend_model = ga;
    po.clv = &clv;
    CHECK(ltv_model_predict(a, LTV_CAP_CLV, 0, &c, &po, out_a, NULL, NULL, n) == LTV_OK);
    CHECK(ltv_customer_lifetime_value(b, gb, x, tx, T, z, n, &clv, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    /* DERT of Pareto/NBD (a capability BG/NBD lacks: an error naming it). */
    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &p) == LTV_OK);
    CHECK(ltv_model_fit_customers(p, &c, NULL) == LTV_OK);
    CHECK(ltv_model_predict(p, LTV_CAP_DERT, 0.01, &c, NULL, out_a, NULL, NULL, n) == LTV_OK);
    CHECK(ltv_model_dert(p, 0.01, x, tx, T, n, out_b) == LTV_OK);
    CHECK(same_values(out_a, out_b, n));
    CHECK(ltv_model_predict(a, LTV_CAP_DERT, 0.01, &c, NULL, out_a, NULL, NULL, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "DERT is not available for the BG/NBD model"));

    ltv_model_free(a);
    ltv_model_free(b);
    ltv_model_free(ga);
    ltv_model_free(gb);
    ltv_model_free(p);
    free(x);
    free(tx);
    free(T);
    free(z);
    free(out_a);
    free(out_b);
    ltv_summary_table_free(t);
}

static void test_bad_tables_and_arguments(void) {
    const double x[3] = {0, 2, 1}, tx[3] = {0, 5, 3}, T[3] = {10, 10, 4};
    const double bad_T[3] = {10, 4, 4}; /* row 1: recency 5 > T 4 */
    double out[3] = {-1, -1, -1};
    const double params[4] = {0.25, 4.4, 0.8, 2.4};
    ltv_customers c;
    ltv_prediction_options po;
    ltv_model* m = NULL;
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_set_params(m, params, 4) == LTV_OK);
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = 3;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, NULL, NULL, out, NULL, NULL, 3) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'customers' is a null pointer"));
    CHECK(ltv_model_fit_customers(m, NULL, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_customers_init(&c, 4) == LTV_ERR_INVALID_ARGUMENT); /* below its first size */
    CHECK(contains(ltv_last_error(), "struct_size"));
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = 3;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    /* The output buffer: too small, then missing. Nothing is written either way. */
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, 2) ==
          LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(out[0] == -1);
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, NULL, NULL, NULL, 3) ==
          LTV_ERR_INVALID_ARGUMENT);
    /* A capability that is not a per-customer prediction. */
    CHECK(ltv_model_predict(m, LTV_CAP_SIMULATE, 0, &c, NULL, out, NULL, NULL, 3) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'capability' = 15"));
    /* A bad row is named as in the column calls. */
    c.T = bad_T;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, 3) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "recency[1]"));
    CHECK(out[1] == -1);
    c.T = T;
    /* A covariates matrix without its column count is refused, never read as "no covariates". */
    c.covariates = x;
    CHECK(ltv_model_fit_customers(m, &c, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "num_covariates = 0"));
    c.covariates = NULL;
    /* CLV without a spend model; spend without monetary. */
    CHECK(ltv_prediction_options_init(&po, sizeof po) == LTV_OK);
    CHECK(ltv_model_predict(m, LTV_CAP_CLV, 0, &c, &po, out, NULL, NULL, 3) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "spend_model"));
    ltv_model_free(m);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &m) == LTV_OK);
    CHECK(ltv_model_fit_customers(m, &c, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'monetary'"));
    ltv_model_free(m);
}

/* A model with covariates (issue 14 review): a missing column is an error, never a read through
 * NULL; columns named out of the fitted order are refused, not silently misaligned; intervals
 * carry the coefficients' names into every perturbed model. CDNOW with two covariates of the
 * row number. */
static void test_covariates_in_the_customers_table(void) {
    ltv_summary_table* t = cdnow_table();
    ltv_summary_info info;
    ltv_customers c;
    ltv_prediction_options po;
    ltv_model* m = NULL;
    const char* names[2] = {"parity", "third"};
    const char* swapped[2] = {"third", "parity"};
    double *x, *tx, *T, *z, *out, *lo, *hi;
    size_t n, i;
    int inside = 1;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    x = column(t, LTV_SUMMARY_FREQUENCY, n);
    tx = column(t, LTV_SUMMARY_RECENCY, n);
    T = column(t, LTV_SUMMARY_T, n);
    z = malloc(2 * n * sizeof *z);
    out = malloc(n * sizeof *out);
    lo = malloc(n * sizeof *lo);
    hi = malloc(n * sizeof *hi);
    for (i = 0; i < n; ++i) {
        z[2 * i] = (double)(i % 2);
        z[2 * i + 1] = (double)((i / 2) % 3);
    }
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = n;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    c.covariates = z;
    c.num_covariates = 2;
    c.covariate_names = names;
    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &m) == LTV_OK);
    CHECK(ltv_model_fit_customers(m, &c, NULL) == LTV_OK);
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, n) == LTV_OK);
    c.recency = NULL;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'recency'"));
    c.recency = tx;
    c.covariate_names = swapped;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, NULL, out, NULL, NULL, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "column 0 is named 'third'"));
    c.covariate_names = NULL; /* unnamed columns: taken in the fitted order */
    CHECK(ltv_prediction_options_init(&po, sizeof po) == LTV_OK);
    po.interval_level = 0.9;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &po, out, lo, hi, n) == LTV_OK);
    for (i = 0; i < n; ++i) inside &= lo[i] <= out[i] && out[i] <= hi[i];
    CHECK(inside);
    ltv_model_free(m);
    free(x);
    free(tx);
    free(T);
    free(z);
    free(out);
    free(lo);
    free(hi);
    ltv_summary_table_free(t);
}

int main(void) {
    test_fit_and_predict_equal_the_column_calls();
    test_bad_tables_and_arguments();
    test_covariates_in_the_customers_table();
    printf("test_customers: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
