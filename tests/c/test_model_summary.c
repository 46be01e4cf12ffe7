/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_model_summary.c — models on summary tables and the journey's P(alive) criterion
 * through the C API (issue 10): ltv_model_fit_summary / ltv_model_score_summary /
 * ltv_customer_lifetime_value_summary give exactly what the column entry points give on the
 * table's columns, and ltv_journey_options.alive_model turns unlikely-alive buyers into "lost". */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "support/cdnow.h"
#include "support/check.h"

static void test_fit_and_score_on_a_table(void) {
    ltv_summary_table* t = cdnow_table();
    ltv_summary_info info;
    ltv_model *a = NULL, *b = NULL, *g = NULL;
    size_t n, i;
    double pa[4], pb[4], *x, *tx, *T, *z, *out_a, *out_b;
    int same = 1;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    x = column(t, LTV_SUMMARY_FREQUENCY, n);
    tx = column(t, LTV_SUMMARY_RECENCY, n);
    T = column(t, LTV_SUMMARY_T, n);
    z = column(t, LTV_SUMMARY_MONETARY_VALUE, n);
    out_a = malloc(n * sizeof *out_a);
    out_b = malloc(n * sizeof *out_b);
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &a) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &b) == LTV_OK);
    CHECK(ltv_model_fit_summary(a, t, NULL) == LTV_OK);
    CHECK(ltv_model_fit_rfm(b, x, tx, T, NULL, n, NULL) == LTV_OK);
    CHECK(ltv_model_params(a, pa, 4) == LTV_OK && ltv_model_params(b, pb, 4) == LTV_OK);
    CHECK(memcmp(pa, pb, sizeof pa) == 0); /* the same data, the same fit, bit for bit */
    /* Scores: P(alive), E[Y(39)], log-likelihood, each equal to the column call. */
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_P_ALIVE, 0, out_a, n) == LTV_OK);
    CHECK(ltv_model_p_alive(b, x, tx, T, n, out_b) == LTV_OK);
    for (i = 0; i < n; ++i) same &= out_a[i] == out_b[i];
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_CONDITIONAL_PURCHASES, 39, out_a, n) == LTV_OK);
    CHECK(ltv_model_expected_purchases(b, 39, x, tx, T, n, out_b) == LTV_OK);
    for (i = 0; i < n; ++i) same &= out_a[i] == out_b[i];
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_LOG_LIKELIHOOD, 0, out_a, n) == LTV_OK);
    CHECK(ltv_model_log_likelihood(b, x, tx, T, n, out_b) == LTV_OK);
    for (i = 0; i < n; ++i) same &= out_a[i] == out_b[i];
    CHECK(same);
    /* A spend model on the same table, then CLV over the table. */
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &g) == LTV_OK);
    CHECK(ltv_model_fit_summary(g, t, NULL) == LTV_OK);
    CHECK(ltv_customer_lifetime_value_summary(a, g, t, NULL, out_a, n) == LTV_OK);
    CHECK(ltv_customer_lifetime_value(a, g, x, tx, T, z, n, NULL, out_b) == LTV_OK);
    same = 1;
    for (i = 0; i < n; ++i) same &= out_a[i] == out_b[i];
    CHECK(same);
    CHECK(ltv_model_score_summary(g, t, LTV_CAP_SPEND, 0, out_a, n) == LTV_OK);
    CHECK(ltv_model_expected_spend(g, x, z, n, out_b) == LTV_OK);
    CHECK(memcmp(out_a, out_b, n * sizeof *out_a) == 0);
    /* Errors: what is not per customer, what the model cannot do, a short buffer. */
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_SURVIVAL, 0, out_a, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "is not a per-customer prediction"));
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_DERT, 0.1, out_a, n) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "dert is not available for the BG/NBD model"));
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_P_ALIVE, 0, out_a, n - 1) ==
          LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(ltv_model_fit_summary(a, NULL, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'table' is a null pointer"));
    /* P(alive) ahead (issue 12): the argument is the periods ahead; BG/NBD does not have it */
    CHECK(ltv_model_score_summary(a, t, LTV_CAP_P_ALIVE_AHEAD, 4, out_a, n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "p_alive_ahead is not available for the BG/NBD model"));
    {
        ltv_model* p = NULL;
        CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &p) == LTV_OK);
        CHECK(ltv_model_fit_summary(p, t, NULL) == LTV_OK);
        CHECK(ltv_model_score_summary(p, t, LTV_CAP_P_ALIVE_AHEAD, 4, out_a, n) == LTV_OK);
        CHECK(ltv_model_p_alive_ahead(p, 4, x, tx, T, n, out_b) == LTV_OK);
        CHECK(memcmp(out_a, out_b, n * sizeof *out_a) == 0);
        ltv_model_free(p);
    }
    ltv_model_free(a);
    ltv_model_free(b);
    ltv_model_free(g);
    free(x);
    free(tx);
    free(T);
    free(z);
    free(out_a);
    free(out_b);
    ltv_summary_table_free(t);
}

/* Two customers who bought on the same two days, one of them long ago: the recent one stays a
 * fan, the other one is "lost" under the day thresholds; with a P(alive) criterion whose
 * threshold is above every P(alive), both are lost. */
static void test_journey_alive_model(void) {
    int32_t days[4], as_of, status[2];
    double silence[2];
    const double params[] = {0.2426, 4.4136, 0.7931, 2.4259};
    ltv_transactions* log = NULL;
    ltv_model* m = NULL;
    ltv_journey_options o;
    ltv_journey_summary s;
    CHECK(ltv_parse_date("2020-01-01", &days[0]) == LTV_OK);
    CHECK(ltv_parse_date("2020-01-15", &days[1]) == LTV_OK);
    CHECK(ltv_parse_date("2020-06-01", &days[2]) == LTV_OK);
    CHECK(ltv_parse_date("2020-06-15", &days[3]) == LTV_OK);
    CHECK(ltv_parse_date("2020-06-20", &as_of) == LTV_OK);
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    {
        const size_t idx_offsets[] = {0, 3, 6, 12, 18};
        const char chars[] = "oldoldrecentrecent";
        CHECK(ltv_transactions_add(log, chars, idx_offsets, days, NULL, 4) == LTV_OK);
    }
    CHECK(ltv_journey_options_init(&o, sizeof o) == LTV_OK);
    CHECK(o.alive_model == NULL && o.alive_threshold == 0.2 && o.alive_unit_days == 0);
    o.cycle_days = 14;
    s.struct_size = sizeof s;
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) == LTV_OK);
    CHECK(status[1] == LTV_JOURNEY_FAN);
    /* With the model: P(alive) of "recent" (x = 1, t_x = 2 weeks, T ≈ 2.7 weeks) is high, but a
     * threshold of 0.999 is above it. */
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    o.alive_model = m;
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) == LTV_ERR_NOT_FITTED);
    CHECK(contains(ltv_last_error(), "options->alive_model"));
    CHECK(ltv_model_set_params(m, params, 4) == LTV_OK);
    o.alive_threshold = 0.999;
    /* A model of unknown time unit is refused (since 0.2.4: weeks were assumed) … */
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "time unit of the BG/NBD model is unknown"));
    {
        const char* unit = NULL;
        CHECK(ltv_model_time_unit(m, &unit) == LTV_OK && unit != NULL && unit[0] == '\0');
        CHECK(ltv_model_set_time_unit(m, "fortnight") == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "argument 'unit'"));
        CHECK(ltv_model_set_time_unit(m, "7") == LTV_OK); /* … FHL's parameters are in weeks */
        CHECK(ltv_model_time_unit(m, &unit) == LTV_OK && strcmp(unit, "week") == 0);
        CHECK(ltv_model_time_unit(NULL, &unit) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(ltv_model_time_unit(m, NULL) == LTV_ERR_INVALID_ARGUMENT);
    }
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) == LTV_OK);
    CHECK(status[0] == LTV_JOURNEY_LOST && status[1] == LTV_JOURNEY_LOST);
    o.alive_threshold = 1e-9; /* below every P(alive): the day thresholds decide again */
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) == LTV_OK);
    CHECK(status[1] == LTV_JOURNEY_FAN);
    o.alive_threshold = 1.5;
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "options->alive_threshold"));
    /* A caller built against the struct without the criterion's fields: no criterion. */
    o.alive_threshold = 0.999;
    o.struct_size = offsetof(ltv_journey_options, alive_model);
    CHECK(ltv_transactions_journey(log, as_of, &o, status, silence, 2, &s) == LTV_OK);
    CHECK(status[1] == LTV_JOURNEY_FAN);
    ltv_model_free(m);
    ltv_transactions_free(log);
}

int main(void) {
    test_fit_and_score_on_a_table();
    test_journey_alive_model();
    if (failed) {
        fprintf(stderr, "c99 model_summary: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 model_summary: %d checks passed\n", passed);
    return 0;
}
