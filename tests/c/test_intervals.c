/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_intervals.c — prediction intervals through ltv_model_predict from strict C99
 * (docs/intervals.md): BG/NBD fitted on the CDNOW summary (tests/data/cdnow_customers_summary.csv,
 * 2357 customers), delta-method and bootstrap intervals for P(alive) and 39-week expected
 * purchases; lower <= point <= upper; the same seed gives the same bounds on 1, 2 and 4 threads
 * and another seed other bounds; the errors of bad options and buffers name the argument. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/check.h"

#define MAX_ROWS 3000

static double x[MAX_ROWS], tx[MAX_ROWS], T[MAX_ROWS];
static size_t n = 0;

static void read_cdnow(void) {
    FILE* f = fopen(LTV_TEST_DATA_DIR "/cdnow_customers_summary.csv", "r");
    char line[256];
    CHECK(f != NULL);
    if (f == NULL) return;
    if (fgets(line, sizeof line, f) == NULL) return; /* header ID,frequency,recency,T */
    while (n < MAX_ROWS && fgets(line, sizeof line, f) != NULL) {
        long id;
        if (sscanf(line, "%ld,%lf,%lf,%lf", &id, &x[n], &tx[n], &T[n]) == 4) ++n;
    }
    fclose(f);
    CHECK(n == 2357);
}

static ltv_customers table(void) {
    ltv_customers c;
    CHECK(ltv_customers_init(&c, sizeof c) == LTV_OK);
    c.n = n;
    c.frequency = x;
    c.recency = tx;
    c.T = T;
    return c;
}

static double point[MAX_ROWS], lo[MAX_ROWS], hi[MAX_ROWS], lo2[MAX_ROWS], hi2[MAX_ROWS];
static double blo[MAX_ROWS], bhi[MAX_ROWS];

static int compare(const void* a, const void* b) {
    const double u = *(const double*)a, v = *(const double*)b;
    return (u > v) - (u < v);
}

/* The median over customers of (bootstrap width / delta width), over customers whose delta
 * width is > 1e-6 (x = 0 customers of BG/NBD have P(alive) = 1 exactly: width 0 both ways). */
static double median_width_ratio(const double* dl, const double* dh, const double* bl,
                                 const double* bh) {
    static double r[MAX_ROWS];
    size_t i, k = 0;
    for (i = 0; i < n; ++i)
        if (dh[i] - dl[i] > 1e-6) r[k++] = (bh[i] - bl[i]) / (dh[i] - dl[i]);
    if (k == 0) return 0;
    qsort(r, k, sizeof r[0], compare);
    return r[k / 2];
}

static void test_intervals(ltv_model* m) {
    const ltv_customers c = table();
    ltv_prediction_options o;
    size_t i;
    int caps[2] = {LTV_CAP_P_ALIVE, LTV_CAP_CONDITIONAL_PURCHASES}, k, ok;
    for (k = 0; k < 2; ++k) {
        CHECK(ltv_prediction_options_init(&o, sizeof o) == LTV_OK);
        o.interval_level = 0.9;
        CHECK(ltv_model_predict(m, caps[k], 39, &c, &o, point, lo, hi, n) == LTV_OK);
        ok = 1;
        for (i = 0; i < n; ++i) ok &= lo[i] <= point[i] && point[i] <= hi[i] && lo[i] >= 0;
        CHECK(ok);
        o.interval_method = LTV_INTERVAL_BOOTSTRAP;
        o.replicates = 2000;
        CHECK(ltv_model_predict(m, caps[k], 39, &c, &o, point, blo, bhi, n) == LTV_OK);
        ok = 1;
        for (i = 0; i < n; ++i) ok &= blo[i] <= point[i] && point[i] <= bhi[i];
        CHECK(ok);
        /* Delta and bootstrap agree: with R = 2000 the Monte-Carlo error of a 5 % / 95 %
         * percentile is sqrt(.05 · .95 / 2000) / φ(1.645) ≈ 0.05 standard deviations, ~3 % of
         * the width; the rest is the curvature of the prediction in the log-parameters over
         * ±1.6 SE, small at CDNOW's SEs (≈ 10-20 % of each parameter). 15 % on the median ratio
         * covers both; a bug (wrong scale, variance, level) moves it by far more. */
        CHECK(fabs(median_width_ratio(lo, hi, blo, bhi) - 1) < 0.15);
        if (fabs(median_width_ratio(lo, hi, blo, bhi) - 1) >= 0.15)
            fprintf(stderr, "capability %d: median width ratio %g\n", caps[k],
                    median_width_ratio(lo, hi, blo, bhi));
        /* a wider level gives wider intervals */
        o.interval_method = LTV_INTERVAL_DELTA;
        o.interval_level = 0.99;
        CHECK(ltv_model_predict(m, caps[k], 39, &c, &o, point, lo2, hi2, n) == LTV_OK);
        ok = 1;
        for (i = 0; i < n; ++i) ok &= lo2[i] <= lo[i] && hi2[i] >= hi[i];
        CHECK(ok);
    }
}

static void test_reproducible(ltv_model* m) {
    const ltv_customers c = table();
    ltv_prediction_options o;
    int threads[3] = {1, 2, 4}, t, same = 1, differ = 0;
    size_t i;
    CHECK(ltv_prediction_options_init(&o, sizeof o) == LTV_OK);
    o.interval_level = 0.8;
    o.interval_method = LTV_INTERVAL_BOOTSTRAP;
    o.replicates = 50;
    o.seed = 7;
    for (t = 0; t < 3; ++t) {
        CHECK(ltv_model_set_threads(m, threads[t]) == LTV_OK);
        CHECK(ltv_model_predict(m, LTV_CAP_CONDITIONAL_PURCHASES, 10, &c, &o, point,
                                t == 0 ? lo : lo2, t == 0 ? hi : hi2, n) == LTV_OK);
        if (t > 0)
            for (i = 0; i < n; ++i) same &= lo[i] == lo2[i] && hi[i] == hi2[i];
    }
    CHECK(same);
    o.seed = 8;
    CHECK(ltv_model_predict(m, LTV_CAP_CONDITIONAL_PURCHASES, 10, &c, &o, point, lo2, hi2, n) ==
          LTV_OK);
    for (i = 0; i < n; ++i) differ |= lo[i] != lo2[i];
    CHECK(differ);
    CHECK(ltv_model_set_threads(m, 0) == LTV_OK);
}

static void test_errors(ltv_model* m) {
    const ltv_customers c = table();
    ltv_prediction_options o;
    ltv_model* unfitted = NULL;
    const double params[4] = {0.243, 4.41, 0.793, 2.43};
    CHECK(ltv_prediction_options_init(&o, sizeof o) == LTV_OK);
    CHECK(o.interval_level == 0 && o.interval_method == LTV_INTERVAL_DELTA);
    o.interval_level = 1.5;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "interval_level") && contains(ltv_last_error(), "1.5"));
    o.interval_level = 0.9;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, NULL, hi, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "out_lower"));
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, NULL, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "out_upper"));
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n - 1) ==
          LTV_ERR_BUFFER_TOO_SMALL);
    o.interval_method = LTV_INTERVAL_BOOTSTRAP;
    o.replicates = 1;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "replicates"));
    o.replicates = 1000000000;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "replicates"));
    o.interval_method = 9;
    CHECK(ltv_model_predict(m, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "interval_method"));
    /* parameters set by hand: no covariance, so no interval (point predictions still work) */
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &unfitted) == LTV_OK);
    CHECK(ltv_model_set_params(unfitted, params, 4) == LTV_OK);
    o.interval_method = LTV_INTERVAL_DELTA;
    CHECK(ltv_model_predict(unfitted, LTV_CAP_P_ALIVE, 0, &c, &o, point, lo, hi, n) ==
          LTV_ERR_NOT_FITTED);
    CHECK(contains(ltv_last_error(), "covariance"));
    CHECK(ltv_model_predict(unfitted, LTV_CAP_P_ALIVE, 0, &c, NULL, point, NULL, NULL, n) ==
          LTV_OK);
    ltv_model_free(unfitted);
}

int main(void) {
    ltv_model* m = NULL;
    read_cdnow();
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_fit_rfm(m, x, tx, T, NULL, n, NULL) == LTV_OK);
    test_intervals(m);
    test_reproducible(m);
    test_errors(m);
    ltv_model_free(m);
    if (failed) {
        fprintf(stderr, "c99 intervals: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 intervals: %d checks passed\n", passed);
    return 0;
}
