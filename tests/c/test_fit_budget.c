/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_fit_budget.c — bounded fits through the C API (issue 8, defect D4): the cancel
 * callback (LTV_ERR_CANCELLED), the time limit, divergence detection, and the appended
 * ltv_fit_options fields honoured only when struct_size covers them.
 * Ends with "c99 fit_budget: N checks passed". */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ltv/ltv.h"

#include "support/check.h"

static double cpu_seconds(clock_t since) { return (double)(clock() - since) / CLOCKS_PER_SEC; }

/* ---- data: a deterministic generator (xorshift64*) ----------------------------------------- */
static unsigned long long rng_state = 88172645463325252ULL;
static double uniform01(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}
static double exponential(double rate) { return -log(uniform01()) / rate; }

typedef struct {
    double* x;
    double* tx;
    double* T;
    size_t n;
} rows;

/* Pareto/NBD process: lambda ~ Gamma(shape 2, rate 2) (sum of two exponentials), lifetime
 * exponential with rate mu (mu <= 0: nobody drops out); ages uniform in [t_min, t_max]. */
static rows simulate(size_t n, double mu, double t_min, double t_max) {
    rows d;
    size_t i;
    d.n = n;
    d.x = malloc(n * sizeof(double));
    d.tx = malloc(n * sizeof(double));
    d.T = malloc(n * sizeof(double));
    for (i = 0; i < n; ++i) {
        double lambda = exponential(2) + exponential(2);
        double T = t_min + (t_max - t_min) * uniform01();
        double end = mu > 0 ? exponential(mu) : T, t = 0, last = 0;
        int x = 0;
        if (end > T) end = T;
        for (;;) {
            t += exponential(lambda);
            if (t > end) break;
            ++x;
            last = t;
        }
        d.x[i] = x;
        d.tx[i] = last;
        d.T[i] = T;
    }
    return d;
}
static void free_rows(rows* d) {
    free(d->x);
    free(d->tx);
    free(d->T);
}

/* ---- cancel ---------------------------------------------------------------------------------- */
typedef struct {
    int calls;
    int cancel_at;
} poll_state;

static int cancel_at(void* user) {
    poll_state* s = (poll_state*)user;
    return ++s->calls >= s->cancel_at;
}

static void test_cancel(void) {
    static const double survivors[] = {1000, 631, 468, 382, 326, 289, 262, 241};
    static const size_t lengths[] = {8};
    static const double gx[] = {1, 2, 3, 4, 1, 6}, gz[] = {10, 20.5, 15, 31, 12, 18};
    static const int kinds[] = {LTV_MODEL_BGNBD, LTV_MODEL_MBGNBD, LTV_MODEL_PARETO_NBD,
                                LTV_MODEL_BGBB};
    rows d = simulate(500, 0.05, 20, 40);
    ltv_fit_options o;
    poll_state s;
    ltv_model* m = NULL;
    size_t k;
    clock_t t0 = clock();
    CHECK(LTV_ERR_CANCELLED == -10);
    CHECK(strcmp(ltv_status_name(LTV_ERR_CANCELLED), "cancelled") == 0);
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    CHECK(o.cancel == NULL && o.cancel_user == NULL && o.time_limit == 0);
    o.cancel = cancel_at;
    o.cancel_user = &s;
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
        int st;
        s.calls = 0;
        s.cancel_at = 3;
        CHECK(ltv_model_create(kinds[k], &m) == LTV_OK);
        if (kinds[k] == LTV_MODEL_BGBB) { /* whole numbers of opportunities */
            size_t i;
            for (i = 0; i < d.n; ++i) {
                d.T[i] = floor(d.T[i]);
                d.x[i] = d.x[i] > d.T[i] ? d.T[i] : d.x[i];
                d.tx[i] = d.x[i] > 0 ? d.T[i] : 0;
            }
        }
        st = ltv_model_fit_rfm(m, d.x, d.tx, d.T, NULL, d.n, &o);
        CHECK(st == LTV_ERR_CANCELLED);
        CHECK(s.calls == 3); /* polled before each evaluation: stopped at the 3rd */
        CHECK(contains(ltv_last_error(), "cancelled"));
        CHECK(contains(ltv_last_error(), "best point so far"));
        ltv_model_free(m);
    }
    /* allow_no_convergence does not turn a cancellation into success */
    o.allow_no_convergence = 1;
    s.calls = 0;
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &m) == LTV_OK);
    CHECK(ltv_model_fit_spend(m, gx, gz, NULL, 6, &o) == LTV_ERR_CANCELLED);
    CHECK(s.calls == 3);
    ltv_model_free(m);
    s.calls = 0;
    CHECK(ltv_model_create(LTV_MODEL_SBG, &m) == LTV_OK);
    CHECK(ltv_model_fit_survivors(m, survivors, lengths, 1, &o) == LTV_ERR_CANCELLED);
    CHECK(s.calls == 3);
    {
        int has = 1;
        CHECK(ltv_model_has_params(m, &has) == LTV_OK && has == 0); /* nothing stored */
    }
    ltv_model_free(m);
    CHECK(cpu_seconds(t0) < 2.0);
    free_rows(&d);
}

/* A struct from a caller built before the appended fields: they are not read (a cancel callback
 * that would stop at once is ignored; the fit converges). */
static void test_old_struct_size(void) {
    static const double survivors[] = {1000, 631, 468, 382, 326, 289, 262, 241};
    static const size_t lengths[] = {8};
    ltv_fit_options o;
    poll_state s = {0, 1};
    ltv_model* m = NULL;
    ltv_fit_report report;
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    o.cancel = cancel_at;
    o.cancel_user = &s;
    o.time_limit = -5; /* invalid, but not covered by struct_size: not read */
    o.struct_size = offsetof(ltv_fit_options, cancel);
    CHECK(ltv_model_create(LTV_MODEL_SBG, &m) == LTV_OK);
    CHECK(ltv_model_fit_survivors(m, survivors, lengths, 1, &o) == LTV_OK);
    CHECK(s.calls == 0);
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK && report.converged == 1);
    /* smaller than the first version of the struct: refused */
    o.struct_size = offsetof(ltv_fit_options, initial_count);
    CHECK(ltv_model_fit_survivors(m, survivors, lengths, 1, &o) == LTV_ERR_INVALID_ARGUMENT);
    /* covered and invalid: refused, naming the field */
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    o.time_limit = -5;
    CHECK(ltv_model_fit_survivors(m, survivors, lengths, 1, &o) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "time_limit"));
    ltv_model_free(m);
}

static void test_time_limit(void) {
    rows d = simulate(200000, 0.05, 30, 40);
    ltv_fit_options o;
    ltv_model* m = NULL;
    ltv_fit_report report;
    const char* message = NULL;
    double params[4];
    clock_t t0;
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    o.time_limit = 0.001;
    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &m) == LTV_OK);
    t0 = clock();
    CHECK(ltv_model_fit_rfm(m, d.x, d.tx, d.T, NULL, d.n, &o) == LTV_ERR_NO_CONVERGENCE);
    CHECK(cpu_seconds(t0) < 1.0);
    CHECK(contains(ltv_last_error(), "time limit"));
    CHECK(contains(ltv_last_error(), "best point so far: r = "));
    /* allow_no_convergence: the model keeps the best point, the report says why */
    o.allow_no_convergence = 1;
    t0 = clock();
    CHECK(ltv_model_fit_rfm(m, d.x, d.tx, d.T, NULL, d.n, &o) == LTV_OK);
    CHECK(cpu_seconds(t0) < 1.0);
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK && report.converged == 0);
    CHECK(ltv_model_fit_message(m, &message) == LTV_OK && contains(message, "time limit"));
    CHECK(ltv_model_params(m, params, 4) == LTV_OK && params[0] > 0 && isfinite(params[3]));
    ltv_model_free(m);
    free_rows(&d);
}

static void test_divergence(void) {
    rows d = simulate(2000, 0, 50, 100); /* nobody drops out */
    ltv_fit_options o;
    ltv_model* m = NULL;
    clock_t t0;
    CHECK(ltv_fit_options_init(&o, sizeof o) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &m) == LTV_OK);
    t0 = clock();
    CHECK(ltv_model_fit_rfm(m, d.x, d.tx, d.T, NULL, d.n, &o) == LTV_ERR_NO_CONVERGENCE);
    CHECK(cpu_seconds(t0) < 1.0);
    CHECK(contains(ltv_last_error(), "'beta'"));
    CHECK(contains(ltv_last_error(), "do not identify"));
    ltv_model_free(m);
    free_rows(&d);
}

int main(void) {
    test_cancel();
    test_old_struct_size();
    test_time_limit();
    test_divergence();
    if (failed != 0) {
        printf("c99 fit_budget: %d checks passed, %d failed\n", passed, failed);
        return 1;
    }
    printf("c99 fit_budget: %d checks passed\n", passed);
    return 0;
}
