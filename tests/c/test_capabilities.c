/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_capabilities.c — the model capabilities and curves of issue 12 through the C API
 * from strict C99: ltv_model_conditional_purchase_pmf, ltv_model_p_alive_ahead,
 * ltv_model_simulate, ltv_model_alive_path, ltv_model_expected_cumulative_transactions; their
 * values against the oracle values of tests/cpp/test_conditional_purchase_pmf.cpp (mpmath, 40
 * digits: Fader & Hardie 2006's eq. 16 for Pareto/NBD, FHS 2010 for BG/BB), identities with the
 * existing entry points, and the status and message of bad input (NULL, NaN, negative,
 * fractional, unfitted model, model without the capability). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support/check.h"

/* lifetimes' CDNOW Pareto/NBD fit as the issue states it; FHS 2010's BG/BB donations fit as
 * printed in the paper (inputs, not compared with a published value). */
static const double pnbd_params[4] = {0.5533, 10.578, 0.6062, 11.667};
static const double bgbb_params[4] = {1.204, 0.750, 0.657, 2.783};
static const double bg_params[4] = {0.242594, 4.41359, 0.792919, 2.425895};

static ltv_model* model(int kind, const double* params) {
    ltv_model* m = NULL;
    CHECK(ltv_model_create(kind, &m) == LTV_OK);
    if (params != NULL) CHECK(ltv_model_set_params(m, params, 4) == LTV_OK);
    return m;
}

static void test_conditional_pmf(void) {
    ltv_model* p = model(LTV_MODEL_PARETO_NBD, pnbd_params);
    ltv_model* b = model(LTV_MODEL_BGBB, bgbb_params);
    const double x[3] = {2, 0, 7}, tx[3] = {30.43, 0, 29.43}, T[3] = {38.86, 38.86, 38.86};
    double out[3], e[3], total[3] = {0, 0, 0}, mean[3] = {0, 0, 0};
    int flag = 0, n;
    CHECK(ltv_model_supports(p, LTV_CAP_CONDITIONAL_PURCHASE_PMF, &flag) == LTV_OK && flag == 1);
    /* mpmath (eq. 16): P(1 in 39 | 2, 30.43, 38.86), P(0 in 39 | 0, 0, 38.86) */
    CHECK(ltv_model_conditional_purchase_pmf(p, 1, 39, x, tx, T, 3, out) == LTV_OK);
    CHECK(close_to(out[0], 0.21926647276870116322, 1e-10));
    CHECK(ltv_model_conditional_purchase_pmf(p, 0, 39, x, tx, T, 3, out) == LTV_OK);
    CHECK(close_to(out[1], 0.93073334735249970938, 1e-10));
    CHECK(ltv_model_conditional_purchase_pmf(p, 3, 10, x, tx, T, 3, out) == LTV_OK);
    CHECK(close_to(out[2], 0.085186788660700833492, 1e-10));
    /* Σₙ P = 1 and Σₙ n P = the conditional expectation (t = 39) */
    for (n = 0; n < 300; ++n) {
        CHECK(ltv_model_conditional_purchase_pmf(p, n, 39, x, tx, T, 3, out) == LTV_OK);
        total[0] += out[0], total[1] += out[1], total[2] += out[2];
        mean[0] += n * out[0], mean[1] += n * out[1], mean[2] += n * out[2];
    }
    CHECK(ltv_model_expected_purchases(p, 39, x, tx, T, 3, e) == LTV_OK);
    for (n = 0; n < 3; ++n) {
        CHECK(close_to(total[n], 1, 1e-10));
        CHECK(close_to(mean[n], e[n], 1e-9));
    }
    /* t = 0: nothing happens */
    CHECK(ltv_model_conditional_purchase_pmf(p, 0, 0, x, tx, T, 3, out) == LTV_OK);
    CHECK(out[0] == 1 && out[1] == 1 && out[2] == 1);
    /* BG/BB in whole periods: the (p, θ) double integral for (2, 4, 6), k = 1 in 5 */
    {
        const double bx[1] = {2}, btx[1] = {4}, bn[1] = {6};
        CHECK(ltv_model_conditional_purchase_pmf(b, 1, 5, bx, btx, bn, 1, out) == LTV_OK);
        CHECK(close_to(out[0], 0.161683881772622, 1e-8));
        CHECK(ltv_model_conditional_purchase_pmf(b, 1, 2.5, bx, btx, bn, 1, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'t' = 2.5 must be a whole number of periods"));
    }
    /* bad input: n not whole / negative / NaN, t negative, NULL arrays, bad rows */
    out[0] = -7;
    CHECK(ltv_model_conditional_purchase_pmf(p, 1.5, 39, x, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_model_conditional_purchase_pmf: argument 'n' = 1.5 "
                                     "must be a whole number"));
    CHECK(out[0] == -7); /* nothing written on failure */
    CHECK(ltv_model_conditional_purchase_pmf(p, -1, 39, x, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'n' = -1 must not be negative"));
    CHECK(ltv_model_conditional_purchase_pmf(p, NAN, 39, x, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'n' = nan is not a finite number"));
    CHECK(ltv_model_conditional_purchase_pmf(p, 1, -3, x, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'t' = -3 must not be negative"));
    CHECK(ltv_model_conditional_purchase_pmf(p, 1, 39, NULL, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'frequency' is a null pointer"));
    CHECK(ltv_model_conditional_purchase_pmf(p, 1, 39, x, tx, T, 3, NULL) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'out' is a null pointer"));
    CHECK(ltv_model_conditional_purchase_pmf(NULL, 1, 39, x, tx, T, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'model' is a null pointer"));
    {
        const double badT[3] = {38.86, -1, 38.86};
        CHECK(ltv_model_conditional_purchase_pmf(p, 1, 39, x, tx, badT, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "T[1]"));
    }
    ltv_model_free(p);
    ltv_model_free(b);
}

static void test_p_alive_ahead(void) {
    ltv_model* p = model(LTV_MODEL_PARETO_NBD, pnbd_params);
    ltv_model* b = model(LTV_MODEL_BGBB, bgbb_params);
    ltv_model* g = model(LTV_MODEL_BGNBD, bg_params);
    const double x[2] = {2, 26}, tx[2] = {30.43, 30.86}, T[2] = {38.86, 31};
    const double bx[3] = {0, 2, 6}, btx[3] = {0, 4, 6}, bn[3] = {6, 6, 6};
    double out[3], alive[3];
    /* mpmath: P(alive at T + u) of Pareto/NBD; u = 0 is ltv_model_p_alive bit for bit */
    CHECK(ltv_model_p_alive_ahead(p, 52, x, tx, T, 2, out) == LTV_OK);
    CHECK(close_to(out[0], 0.56595909109523157045, 1e-12));
    CHECK(ltv_model_p_alive_ahead(p, 104, x, tx, T, 2, out) == LTV_OK);
    CHECK(close_to(out[1], 0.47209126238709596631, 1e-12));
    CHECK(ltv_model_p_alive_ahead(p, 0, x, tx, T, 2, out) == LTV_OK);
    CHECK(ltv_model_p_alive(p, x, tx, T, 2, alive) == LTV_OK);
    CHECK(out[0] == alive[0] && out[1] == alive[1]);
    /* BG/BB: lifetimes' m; m = 1 is ltv_model_p_alive (FHS eq. 11), m = 0 alive at n */
    CHECK(ltv_model_p_alive_ahead(b, 1, bx, btx, bn, 3, out) == LTV_OK);
    CHECK(ltv_model_p_alive(b, bx, btx, bn, 3, alive) == LTV_OK);
    CHECK(memcmp(out, alive, sizeof out) == 0);
    CHECK(close_to(out[1], 0.58951411643369789278, 1e-12));
    CHECK(ltv_model_p_alive_ahead(b, 0, bx, btx, bn, 3, out) == LTV_OK);
    CHECK(close_to(out[0], 0.11609661329298467523, 1e-12));
    CHECK(out[0] > alive[0]);
    /* errors: negative, NaN, fractional periods, a model without the capability, unfitted */
    CHECK(ltv_model_p_alive_ahead(p, -1, x, tx, T, 2, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_model_p_alive_ahead: argument 'periods_ahead' = -1"));
    CHECK(ltv_model_p_alive_ahead(p, NAN, x, tx, T, 2, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'periods_ahead' = nan"));
    CHECK(ltv_model_p_alive_ahead(b, 0.5, bx, btx, bn, 3, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'periods_ahead' = 0.5 must be a whole number of periods"));
    CHECK(ltv_model_p_alive_ahead(g, 1, x, tx, T, 2, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "is not available for the BG/NBD model"));
    {
        ltv_model* empty = model(LTV_MODEL_PARETO_NBD, NULL);
        CHECK(ltv_model_p_alive_ahead(empty, 1, x, tx, T, 2, out) == LTV_ERR_NOT_FITTED);
        CHECK(contains(ltv_last_error(), "has no parameters yet"));
        ltv_model_free(empty);
    }
    ltv_model_free(p);
    ltv_model_free(b);
    ltv_model_free(g);
}

static void test_simulate(void) {
    enum { N = 40000 };
    ltv_model* p = model(LTV_MODEL_PARETO_NBD, pnbd_params);
    ltv_model* gg = NULL;
    double* T = malloc(N * sizeof *T);
    double *f1 = malloc(N * sizeof *f1), *r1 = malloc(N * sizeof *r1);
    double *f2 = malloc(N * sizeof *f2), *r2 = malloc(N * sizeof *r2);
    int *a1 = malloc(N * sizeof *a1), *a2 = malloc(N * sizeof *a2);
    double sum = 0, sq = 0, mean, sd, ex, t39 = 38.86;
    size_t i;
    int same = 1;
    CHECK(T && f1 && r1 && f2 && r2 && a1 && a2);
    for (i = 0; i < N; ++i) T[i] = 38.86;
    CHECK(ltv_model_simulate(p, 2024, T, N, f1, r1, a1) == LTV_OK);
    for (i = 0; i < N; ++i) {
        sum += f1[i];
        sq += f1[i] * f1[i];
        same &= f1[i] >= 0 && r1[i] >= 0 && r1[i] <= 38.86 && (a1[i] == 0 || a1[i] == 1);
    }
    CHECK(same);
    mean = sum / N;
    sd = sqrt((sq - N * mean * mean) / (N - 1));
    CHECK(ltv_model_expected_purchases_new_customer(p, &t39, 1, &ex) == LTV_OK);
    CHECK(fabs(mean - ex) <= 4 * sd / sqrt((double)N)); /* within 4 standard errors */
    /* reproducible: the same seed on 1 and 2 threads; out_alive may be NULL; another seed differs */
    CHECK(ltv_model_set_threads(p, 1) == LTV_OK);
    CHECK(ltv_model_simulate(p, 2024, T, N, f2, r2, a2) == LTV_OK);
    CHECK(memcmp(f1, f2, N * sizeof *f1) == 0 && memcmp(r1, r2, N * sizeof *r1) == 0 &&
          memcmp(a1, a2, N * sizeof *a1) == 0);
    CHECK(ltv_model_set_threads(p, 2) == LTV_OK);
    CHECK(ltv_model_simulate(p, 2024, T, N, f2, r2, NULL) == LTV_OK);
    CHECK(memcmp(r1, r2, N * sizeof *r1) == 0);
    CHECK(ltv_model_simulate(p, 2025, T, N, f2, r2, NULL) == LTV_OK);
    CHECK(memcmp(r1, r2, N * sizeof *r1) != 0);
    /* errors: a negative or NaN age names its index; NULL outputs; no capability; unfitted */
    T[7] = -1;
    f2[0] = -5;
    CHECK(ltv_model_simulate(p, 1, T, N, f2, r2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_model_simulate: argument 'T[7]' = -1 must not be negative"));
    CHECK(f2[0] == -5);
    T[7] = NAN;
    CHECK(ltv_model_simulate(p, 1, T, N, f2, r2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'T[7]' = nan"));
    T[7] = 1;
    CHECK(ltv_model_simulate(p, 1, T, N, NULL, r2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'out_frequency' is a null pointer"));
    CHECK(ltv_model_simulate(p, 1, NULL, N, f2, r2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_model_simulate(p, 1, NULL, 0, NULL, NULL, NULL) == LTV_OK); /* nothing to do */
    gg = model(LTV_MODEL_GAMMA_GAMMA, NULL);
    CHECK(ltv_model_simulate(gg, 1, T, N, f2, r2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "simulation is not available for the Gamma-Gamma model"));
    ltv_model_free(gg);
    {
        ltv_model* empty = model(LTV_MODEL_BGNBD, NULL);
        CHECK(ltv_model_simulate(empty, 1, T, N, f2, r2, NULL) == LTV_ERR_NOT_FITTED);
        ltv_model_free(empty);
    }
    ltv_model_free(p);
    free(T), free(f1), free(r1), free(f2), free(r2), free(a1), free(a2);
}

static void test_curves(void) {
    ltv_model* g = model(LTV_MODEL_BGNBD, bg_params);
    ltv_model* s = NULL;
    const double times[3] = {0, 3, 10.5}, at[4] = {0, 2, 5, 20};
    const double fx[4] = {0, 0, 1, 2}, ftx[4] = {0, 0, 3, 10.5};
    const double first[4] = {0, 2.5, 0, 7}, w[4] = {1, 2, 3, 0.5}, when[3] = {1, 5, 52};
    double out[4], direct[4], e;
    size_t k, i;
    /* the alive path = P(alive) of the (x, t_x, τ) it forms */
    CHECK(ltv_model_alive_path(g, times, 3, at, 4, out) == LTV_OK);
    CHECK(ltv_model_p_alive(g, fx, ftx, at, 4, direct) == LTV_OK);
    CHECK(memcmp(out, direct, sizeof out) == 0);
    {
        const double bad[3] = {0, 5, 4}, neg[2] = {1, -1};
        CHECK(ltv_model_alive_path(g, bad, 3, at, 4, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'purchase_times[2]' = 4 is before 'purchase_times[1]'"));
        CHECK(ltv_model_alive_path(g, times, 3, neg, 2, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'at[1]' = -1 must not be negative"));
        CHECK(ltv_model_alive_path(g, NULL, 3, at, 4, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(ltv_model_alive_path(g, times, 3, at, 4, NULL) == LTV_ERR_INVALID_ARGUMENT);
    }
    /* expected cumulative transactions = the direct sum of E[X(τ − bᵢ)] */
    CHECK(ltv_model_expected_cumulative_transactions(g, first, w, 4, when, 3, out) == LTV_OK);
    for (k = 0; k < 3; ++k) {
        direct[k] = 0;
        for (i = 0; i < 4; ++i)
            if (first[i] < when[k]) {
                const double t = when[k] - first[i];
                CHECK(ltv_model_expected_purchases_new_customer(g, &t, 1, &e) == LTV_OK);
                direct[k] += w[i] * e;
            }
        CHECK(close_to(out[k], direct[k], 1e-14));
    }
    CHECK(ltv_model_expected_cumulative_transactions(g, first, NULL, 4, when, 3, out) == LTV_OK);
    {
        const double badw[4] = {1, -2, 1, 1};
        CHECK(ltv_model_expected_cumulative_transactions(g, first, badw, 4, when, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'weights[1]' = -2 must not be negative"));
        CHECK(ltv_model_expected_cumulative_transactions(g, NULL, NULL, 4, when, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'first_purchase' is a null pointer"));
    }
    s = model(LTV_MODEL_SBG, NULL);
    {
        const double sp[2] = {0.7, 1.2};
        CHECK(ltv_model_set_params(s, sp, 2) == LTV_OK);
    }
    CHECK(ltv_model_expected_cumulative_transactions(s, first, NULL, 4, when, 3, out) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "is not available for the sBG model"));
    CHECK(ltv_model_alive_path(s, times, 3, at, 4, out) == LTV_ERR_INVALID_ARGUMENT);
    ltv_model_free(s);
    ltv_model_free(g);
}

int main(void) {
    test_conditional_pmf();
    test_p_alive_ahead();
    test_simulate();
    test_curves();
    if (failed) {
        fprintf(stderr, "c99 capabilities: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 capabilities: %d checks passed\n", passed);
    return 0;
}
