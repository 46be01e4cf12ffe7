/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_boundary.c — the C boundary's promises on hostile input (issue 8).
 *
 *  - D7: subnormal arguments give INVALID_ARGUMENT / PARSE with the value in the message, never
 *    INTERNAL (messages are formatted without throwing).
 *  - D8: wrongly typed or out-of-range model-file fields are PARSE errors naming the field.
 *  - D13: batch functions leave the caller's buffer untouched when a later element fails.
 *  - D14: a sweep of every calculator over extreme finite values: each call returns LTV_OK with
 *    finite outputs, or an error status with a non-empty message — never OK with inf or NaN.
 *  - D11: a cohort table over 0001-01 … 9999-12 is refused with a message naming the span.
 *  - D10: day numbers INT32_MIN, INT32_MAX and 0 for as_of / until / start / end.
 * Ends with "c99 boundary: N checks passed". */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltv/ltv.h"

#include "support/check.h"

static const double sentinel = -12345.0;

static void fill(double* out, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) out[i] = sentinel;
}

static int intact(const double* out, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i)
        if (out[i] != sentinel) return 0;
    return 1;
}

static ltv_model* model_with(int kind, const double* params, size_t count) {
    ltv_model* m = NULL;
    if (ltv_model_create(kind, &m) != LTV_OK) return NULL;
    if (ltv_model_set_params(m, params, count) != LTV_OK) {
        ltv_model_free(m);
        return NULL;
    }
    return m;
}

/* ---- D7: subnormals ------------------------------------------------------------------------ */

static void test_subnormal_messages(void) {
    double out = sentinel;
    ltv_model* m = NULL;
    const double subnormal_params[4] = {1, -1e-310, 1, 1};
    /* D7: ltv_churn_rate(100, −4.9e-324) gave LTV_ERR_INTERNAL (std::stod on "4.9e-324"). The
     * shortest text that reads back to the smallest subnormal is "5e-324". */
    CHECK(ltv_churn_rate(100, -4.9e-324, &out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'lost' = -5e-324 must not be negative"));
    CHECK(out == sentinel);
    /* D7: ltv_model_set_params with −1e-310. */
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_set_params(m, subnormal_params, 4) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "params[1]' (alpha) = -1e-310 must be a finite number > 0"));
    ltv_model_free(m);
    /* D7: a model file with alpha = −1e-320. */
    {
        const char* json =
            "{\"format\": \"ltv-model\", \"format_version\": 1, \"model\": \"bgnbd\","
            " \"params\": {\"r\": 1, \"alpha\": -1e-320, \"a\": 1, \"b\": 1}}";
        m = NULL;
        CHECK(ltv_model_from_json(json, strlen(json), &m) == LTV_ERR_PARSE);
        CHECK(contains(ltv_last_error(), "'alpha' = -1e-320 must be a finite number > 0"));
        CHECK(m == NULL);
    }
}

/* ---- D8: model files ----------------------------------------------------------------------- */

static int parse_fails(const char* fit_fields, const char* expected_message) {
    char json[1024];
    ltv_model* m = NULL;
    int status;
    snprintf(json, sizeof json,
             "{\"format\": \"ltv-model\", \"format_version\": 1, \"model\": \"sbg\","
             " \"params\": {\"alpha\": 1, \"beta\": 2}, \"fit\": {\"log_likelihood\": -1%s}}",
             fit_fields);
    status = ltv_model_from_json(json, strlen(json), &m);
    ltv_model_free(m);
    if (status != LTV_ERR_PARSE || m != NULL) {
        fprintf(stderr, "fit {%s}: status %d (%s)\n", fit_fields, status, ltv_last_error());
        return 0;
    }
    if (!contains(ltv_last_error(), expected_message)) {
        fprintf(stderr, "fit {%s}: message \"%s\"\n", fit_fields, ltv_last_error());
        return 0;
    }
    return 1;
}

static void test_model_json_fields(void) {
    ltv_model* m = NULL;
    /* D8: wrongly typed optional fields gave INTERNAL (nlohmann type_error). */
    CHECK(parse_fails(", \"converged\": \"yes\"",
                      "key 'converged' must be true or false, not \"yes\""));
    CHECK(parse_fails(", \"message\": 42", "key 'message' must be a string, not 42"));
    /* D8: "iterations": 1e300 was converted double → int (undefined behaviour). */
    CHECK(parse_fails(", \"iterations\": 1e300", "key 'iterations' must be a whole number in 0"));
    CHECK(parse_fails(", \"function_evaluations\": -3", "'function_evaluations' must be a whole"));
    CHECK(parse_fails(", \"iterations\": 2.5", "key 'iterations' must be a whole number"));
    /* D8: negative counts and penalizer were accepted. */
    CHECK(parse_fails(", \"rows_used\": -1", "key 'rows_used' must be a whole number"));
    CHECK(parse_fails(", \"penalizer\": -7",
                      "key 'penalizer' must be a finite number >= 0, not -7"));
    CHECK(parse_fails(", \"total_weight\": \"10\"", "key 'total_weight' must be a finite number"));
    CHECK(parse_fails(", \"standard_errors\": [1, 2]", "key 'standard_errors' must be an object"));
    CHECK(parse_fails(", \"covariance\": [[1, 2]]",
                      "key 'covariance' must be an empty array or 2"));
    CHECK(parse_fails(", \"standard_errors_available\": 1", "must be true or false, not 1"));
    {
        /* D8: "format": 7 */
        const char* json = "{\"format\": 7, \"format_version\": 1, \"model\": \"sbg\","
                           " \"params\": {\"alpha\": 1, \"beta\": 2}}";
        CHECK(ltv_model_from_json(json, strlen(json), &m) == LTV_ERR_PARSE);
        CHECK(contains(ltv_last_error(), "key 'format' must be the string \"ltv-model\", not 7"));
    }
    {
        /* The fields of a well-formed report are read back; null counts as absent. */
        const char* json =
            "{\"format\": \"ltv-model\", \"format_version\": 1, \"model\": \"sbg\","
            " \"params\": {\"alpha\": 1, \"beta\": 2}, \"fit\": {\"log_likelihood\": -5,"
            " \"converged\": true, \"iterations\": 12, \"function_evaluations\": 3e1,"
            " \"message\": null, \"penalizer\": 0.5, \"rows_used\": 40, \"covariance\": []}}";
        ltv_fit_report report;
        CHECK(ltv_model_from_json(json, strlen(json), &m) == LTV_OK);
        report.struct_size = sizeof report;
        CHECK(ltv_model_fit_report(m, &report) == LTV_OK);
        CHECK(report.converged == 1 && report.iterations == 12);
        CHECK(report.function_evaluations == 30 && report.penalizer == 0.5);
        CHECK(report.rows_used == 40 && report.log_likelihood == -5);
        ltv_model_free(m);
        m = NULL;
    }
}

/* ---- D13: outputs untouched on error --------------------------------------------------------- */

static void test_outputs_untouched(void) {
    const double bgnbd[4] = {0.243, 4.414, 0.793, 2.426}; /* Fader, Hardie & Lee (2005) */
    const double gg_params[3] = {6.25, 3.74, 15.44};      /* Fader, Hardie & Lee (2005b) */
    const double sbg_params[2] = {0.704, 1.182};          /* Fader & Hardie (2007) */
    ltv_model* bg = model_with(LTV_MODEL_BGNBD, bgnbd, 4);
    ltv_model* gg = model_with(LTV_MODEL_GAMMA_GAMMA, gg_params, 3);
    ltv_model* sbg = model_with(LTV_MODEL_SBG, sbg_params, 2);
    double out[3];
    CHECK(bg != NULL && gg != NULL && sbg != NULL);

    /* D13: each of the seven wrote out[0] and out[1] before failing at element 2. */
    {
        const double t[3] = {1, 2, -1};
        fill(out, 3);
        CHECK(ltv_model_expected_purchases_new_customer(bg, t, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "t[2]"));
        CHECK(intact(out, 3));
    }
    {
        const double counts[3] = {0, 1, -1};
        fill(out, 3);
        CHECK(ltv_model_probability_of_purchases(bg, 10, counts, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "counts[2]"));
        CHECK(intact(out, 3));
    }
    {
        const double t[3] = {1, 2, 2.5};
        fill(out, 3);
        CHECK(ltv_model_survival(sbg, t, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "2.5 must be a whole number"));
        CHECK(intact(out, 3));
    }
    {
        const double t[3] = {1, 2, 0};
        fill(out, 3);
        CHECK(ltv_model_retention_rate(sbg, t, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'t' = 0 must be at least 1"));
        CHECK(intact(out, 3));
    }
    {
        const double renewals[3] = {0, 4, -1};
        fill(out, 3);
        CHECK(ltv_model_discounted_expected_residual_lifetime(sbg, 0.1, renewals, 3, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'renewals' = -1"));
        CHECK(intact(out, 3));
    }
    {
        const double x[3] = {1, 2, 3}, z[3] = {10, 20, -5};
        fill(out, 3);
        CHECK(ltv_model_spend_log_likelihood(gg, x, z, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "row 2"));
        CHECK(intact(out, 3));
    }
    {
        const double start[3] = {100, 100, 100}, end[3] = {90, 95, 300}, added[3] = {0, 5, 0};
        fill(out, 3);
        CHECK(ltv_retention_rate_batch(start, end, added, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "period 2"));
        CHECK(intact(out, 3));
        CHECK(ltv_retention_rate_batch(start, end, added, 2, out) == LTV_OK);
        CHECK(out[0] == 0.9 && out[1] == 0.9 && out[2] == sentinel);
    }
    /* The other batch entry points go through the same scratch buffer: a failure at the last
     * row leaves the buffer as it was. */
    {
        const double x[3] = {1, 2, 3}, tx[3] = {5, 6, 7}, T[3] = {10, 10, 5};
        const double z[3] = {10, 20, 30};
        fill(out, 3);
        CHECK(ltv_model_p_alive(bg, x, tx, T, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(intact(out, 3));
        CHECK(ltv_model_expected_purchases(bg, 10, x, tx, T, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(intact(out, 3));
        CHECK(ltv_model_log_likelihood(bg, x, tx, T, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(intact(out, 3));
        CHECK(ltv_customer_lifetime_value(bg, gg, x, tx, T, z, 3, NULL, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(intact(out, 3));
        CHECK(ltv_model_p_alive(bg, x, tx, T, 2, out) == LTV_OK);
        CHECK(out[0] > 0 && out[0] <= 1 && out[2] == sentinel);
    }
    ltv_model_free(bg);
    ltv_model_free(gg);
    ltv_model_free(sbg);
}

/* Sizes from the caller are checked before they are used: cohort lengths whose sum wraps
 * around made `survivors` look shorter than what was read; a NULL buffer with a capacity is
 * refused before the size is reported. */
static void test_sizes_from_the_caller(void) {
    const double sbg_params[2] = {0.704, 1.182};
    const double survivors[2] = {1000, 631};
    const size_t lengths[2] = {(size_t)-1, 3}; /* sum wraps to 2 */
    ltv_model* m = model_with(LTV_MODEL_SBG, sbg_params, 2);
    size_t size = 777;
    CHECK(m != NULL);
    CHECK(ltv_model_fit_survivors(m, survivors, lengths, 2, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'cohort_lengths[1]' = 3 makes the total number"));
    CHECK(ltv_model_to_json(m, NULL, 5, &size) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(size == 777);
    CHECK(ltv_model_to_json(m, NULL, 0, &size) == LTV_OK && size > 10);
    ltv_model_free(m);
}

/* ---- D14: every calculator over extreme finite values ---------------------------------------- */

static const double extremes[] = {0.0,     -0.0,     1.0,       -1.0,       0.5,
                                  2.0,     1e-308,   -1e-308,   4.9e-324,   -4.9e-324,
                                  1e308,   -1e308,   DBL_MAX,   -DBL_MAX,   9007199254740992.0,
                                  1e15,    1e12,     -0.999999999999};
#define N_EXTREMES (sizeof extremes / sizeof extremes[0])

static long sweep_calls = 0, sweep_ok = 0, sweep_violations = 0;

/* A call's verdict: OK with finite outputs, or an error status with a message. */
static void verdict(const char* call, int status, const double* outputs, size_t n) {
    size_t i;
    int bad = 0;
    ++sweep_calls;
    if (status == LTV_OK) {
        ++sweep_ok;
        for (i = 0; i < n; ++i)
            if (!isfinite(outputs[i])) bad = 1;
    } else if (status > 0 || ltv_last_error()[0] == '\0' || status == LTV_ERR_INTERNAL) {
        bad = 1;
    }
    if (bad) {
        if (sweep_violations < 10)
            fprintf(stderr, "sweep: %s -> status %d, outputs[0] = %g (%s)\n", call, status,
                    n ? outputs[0] : 0.0, status == LTV_OK ? "" : ltv_last_error());
        ++sweep_violations;
    }
}

static void sweep_calculators(void) {
    size_t a, b, c, d;
    char call[256];
    double out[3];
    const size_t n = N_EXTREMES;
    for (a = 0; a < n; ++a)
        for (b = 0; b < n; ++b) {
            const double x = extremes[a], y = extremes[b];
            snprintf(call, sizeof call, "(%g, %g)", x, y);
            verdict(call, ltv_churn_rate(x, y, out), out, 1);
            verdict(call, ltv_simple_ltv(x, y, out), out, 1);
            for (c = 0; c < n; ++c) {
                const double z = extremes[c];
                const double xs[2] = {x, y};
                snprintf(call, sizeof call, "(%g, %g, %g)", x, y, z);
                verdict(call, ltv_retention_rate(x, y, z, out), out, 1);
                verdict(call, ltv_retention_rate_batch(&x, &y, &z, 1, out), out, 1);
                verdict(call, ltv_retention_from_flows(x, y, z, &out[0], &out[1], &out[2]), out,
                        3);
                verdict(call, ltv_ltv_from_margins(xs, 2, z, out), out, 1);
                for (d = 0; d < n; ++d) {
                    const double w = extremes[d];
                    const double ms[3] = {x, y, z};
                    snprintf(call, sizeof call, "(%g, %g, %g, %g)", x, y, z, w);
                    verdict(call, ltv_lost_profit(x, y, z, w, out), out, 1);
                    verdict(call, ltv_ltv_from_margins(ms, 3, w, out), out, 1);
                }
            }
        }
    /* Purchase chains: two margins and two probabilities from the extremes, each rate. */
    for (a = 0; a < n; ++a)
        for (b = 0; b < n; ++b)
            for (c = 0; c < n; c += 2)
                for (d = 0; d < n; d += 3) {
                    size_t r;
                    const double ms[2] = {extremes[a], extremes[b]};
                    const double ps[2] = {fabs(extremes[c]) <= 1 ? fabs(extremes[c]) : 1,
                                          extremes[d]};
                    for (r = 0; r < n; ++r) {
                        snprintf(call, sizeof call, "chain(%g, %g | %g, %g | d = %g)", ms[0],
                                 ms[1], ps[0], ps[1], extremes[r]);
                        verdict(call, ltv_purchase_chain_ltv(ms, ps, 2, extremes[r], out), out,
                                1);
                    }
                }
    /* Long chains whose discount factor overflows (d close to −1) or underflows. */
    {
        static double margins[2000], probabilities[2000];
        size_t i;
        for (i = 0; i < 2000; ++i) {
            margins[i] = i % 2 ? 0.0 : 1.0;
            probabilities[i] = i < 10 ? 0.5 : 0.0;
        }
        verdict("2000 margins, d = -0.9", ltv_ltv_from_margins(margins, 2000, -0.9, out), out, 1);
        verdict("2000 margins, d = 1e308", ltv_ltv_from_margins(margins, 2000, 1e308, out), out,
                1);
        verdict("chain ending at 10, d = -0.9",
                ltv_purchase_chain_ltv(margins, probabilities, 2000, -0.9, out), out, 1);
        CHECK(ltv_purchase_chain_ltv(margins, probabilities, 2000, -0.9, out) == LTV_OK);
    }
    /* CLV from averages: six fields over a smaller grid (with an infinite horizon). */
    {
        static const double values[] = {0, 1, 0.5, 1e-308, 4.9e-324, 1e308, DBL_MAX, 1e15,
                                        -0.999999999999, INFINITY};
        const size_t m = sizeof values / sizeof values[0];
        size_t e, f;
        ltv_average_clv_options o;
        CHECK(ltv_average_clv_options_init(&o, sizeof o) == LTV_OK);
        for (a = 0; a < m; ++a)
            for (b = 0; b < m; ++b)
                for (c = 0; c < m; ++c)
                    for (d = 0; d < m; ++d)
                        for (e = 0; e < m; ++e)
                            for (f = 0; f < m; ++f) {
                                o.average_order_value = values[a];
                                o.margin = values[b];
                                o.purchases_per_period = values[c];
                                o.periods = values[d];
                                o.retention = values[e];
                                o.discount_rate = values[f];
                                snprintf(call, sizeof call, "average_clv(%g, %g, %g, %g, %g, %g)",
                                         values[a], values[b], values[c], values[d], values[e],
                                         values[f]);
                                verdict(call, ltv_average_clv(&o, out), out, 1);
                            }
    }
    CHECK(sweep_violations == 0);
    CHECK(sweep_calls > 1000000 && sweep_ok > 1000);
    printf("c99 boundary: calculator sweep: %ld calls, %ld OK, %ld errors, %ld violations\n",
           sweep_calls, sweep_ok, sweep_calls - sweep_ok, sweep_violations);
}

static void test_overflow_reproducers(void) {
    double out = sentinel, end = sentinel, rate = sentinel, churn = sentinel;
    const double margins[2] = {1e308, 1e308};
    /* D14: ltv_lost_profit(0, 1e12, 0, 1e308) was NaN (0 × inf) with OK: no customers lost
     * lose exactly nothing. */
    CHECK(ltv_lost_profit(0, 1e12, 0, 1e308, &out) == LTV_OK && out == 0.0);
    out = sentinel;
    CHECK(ltv_lost_profit(1, 1e12, 0, 1e308, &out) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(), "result 'lost_per_customer' = inf"));
    CHECK(out == sentinel);
    /* D14: ltv_ltv_from_margins({1e308, 1e308}) was inf with OK. */
    CHECK(ltv_ltv_from_margins(margins, 2, 0, &out) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(), "result 'ltv' = inf is not a finite number"));
    CHECK(out == sentinel);
    CHECK(ltv_simple_ltv(1e308, 10, &out) == LTV_ERR_DOMAIN && out == sentinel);
    CHECK(ltv_retention_from_flows(1e308, 0, 1e308, &end, &rate, &churn) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(), "result 'customers_end' = inf"));
    CHECK(end == sentinel && rate == sentinel && churn == sentinel);
    {
        ltv_average_clv_options o;
        CHECK(ltv_average_clv_options_init(&o, sizeof o) == LTV_OK);
        o.average_order_value = 1e308;
        o.purchases_per_period = 10;
        CHECK(ltv_average_clv(&o, &out) == LTV_ERR_DOMAIN && out == sentinel);
        CHECK(contains(ltv_last_error(), "result 'margin_per_period' = inf"));
        o.average_order_value = 1e300;
        o.purchases_per_period = 1;
        o.periods = 1e10;
        CHECK(ltv_average_clv(&o, &out) == LTV_ERR_DOMAIN && out == sentinel);
        CHECK(contains(ltv_last_error(), "result 'clv' = inf"));
        o.periods = 0; /* no periods: exactly 0 */
        CHECK(ltv_average_clv(&o, &out) == LTV_OK && out == 0.0);
    }
}

/* ---- D11 and D10: transaction logs ---------------------------------------------------------- */

static ltv_transactions* log_of(const int32_t* days, size_t n) {
    static const char ids[] = "abcdefgh";
    size_t offsets[9], i;
    ltv_transactions* log = NULL;
    for (i = 0; i <= n && i < 9; ++i) offsets[i] = i;
    if (ltv_transactions_create(&log) != LTV_OK) return NULL;
    if (ltv_transactions_add(log, ids, offsets, days, NULL, n) != LTV_OK) {
        ltv_transactions_free(log);
        return NULL;
    }
    return log;
}

static void test_cohort_span(void) {
    /* D11: two valid rows dated 0001-01-01 (day −719162) and 9999-12-31 (day 2932896) asked for
     * a 119 988-month triangle (~170 GB). */
    const int32_t days[2] = {-719162, 2932896};
    ltv_transactions* log = log_of(days, 2);
    size_t n = 12345;
    CHECK(log != NULL);
    CHECK(ltv_transactions_cohorts(log, LTV_NO_DATE, NULL, NULL, NULL, NULL, 0, &n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "119988 months (0001-01 to 9999-12)"));
    CHECK(contains(ltv_last_error(), "max_report_months = 1200"));
    CHECK(n == 12345);
    /* Up to 100 years after the first purchase it works: 1200 monthly cohorts. */
    CHECK(ltv_transactions_cohorts(log, -719162 + 36500, NULL, NULL, NULL, NULL, 0, &n) ==
          LTV_OK);
    CHECK(n == 1200);
    {
        size_t months = 0;
        ltv_journey_options jo;
        CHECK(ltv_journey_options_init(&jo, sizeof jo) == LTV_OK);
        jo.cycle_days = 30;
        CHECK(ltv_transactions_monthly_journey(log, &jo, LTV_NO_DATE, NULL, NULL, 0, &months,
                                               NULL, NULL) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "119988 months"));
    }
    ltv_transactions_free(log);
}

static void test_day_ranges(void) {
    /* a buys on 1969-12-27 (day −5) and 1970-01-04 (3); b on 1970-01-06 (5). */
    const int32_t days[3] = {-5, 3, 5};
    static const char ids[] = "aab";
    const size_t offsets[4] = {0, 1, 2, 3};
    ltv_transactions* log = NULL;
    ltv_journey_options jo;
    ltv_period_retention pr;
    int32_t status[2];
    double silence[2], recency[2];
    size_t n = 0, months = 0;
    const int32_t hostile[2] = {INT32_MIN, INT32_MAX};
    int i;
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    CHECK(ltv_transactions_add(log, ids, offsets, days, NULL, 3) == LTV_OK);
    CHECK(ltv_journey_options_init(&jo, sizeof jo) == LTV_OK);
    jo.cycle_days = 10;
    pr.struct_size = sizeof pr;
    for (i = 0; i < 2; ++i) {
        const int32_t day = hostile[i];
        /* D10: as_of − last purchase day overflowed (UBSan, journey.hpp:230) and INT32_MIN gave
         * silence −2.1e9 with OK. */
        CHECK(ltv_transactions_journey(log, day, &jo, status, silence, 2, NULL) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'as_of'") &&
              contains(ltv_last_error(), "is not a supported day number"));
        CHECK(ltv_transactions_rfm(log, day, recency, NULL, NULL, NULL, NULL, NULL, NULL, 2) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'as_of'"));
        CHECK(ltv_transactions_period_retention(log, day, 5, 30, &pr) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'start'"));
        CHECK(ltv_transactions_period_retention(log, 0, day, 30, &pr) ==
              LTV_ERR_INVALID_ARGUMENT);
    }
    /* until: INT32_MIN is LTV_NO_DATE ("the last purchase"); INT32_MAX is out of range. */
    CHECK(ltv_transactions_cohorts(log, INT32_MAX, NULL, NULL, NULL, NULL, 0, &n) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'until' = 2147483647 is not a supported day number"));
    CHECK(ltv_transactions_monthly_journey(log, &jo, INT32_MAX, NULL, NULL, 0, &months, NULL,
                                           NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_transactions_cohorts(log, LTV_NO_DATE, NULL, NULL, NULL, NULL, 0, &n) == LTV_OK);
    CHECK(n == 2); /* 1969-12 and 1970-01 */
    /* Day 0 (1970-01-01) is an ordinary day. */
    CHECK(ltv_transactions_journey(log, 0, &jo, status, silence, 2, NULL) == LTV_OK);
    CHECK(status[0] == LTV_JOURNEY_NEWBIE && silence[0] == 5 && status[1] == LTV_JOURNEY_NONE);
    CHECK(ltv_transactions_rfm(log, 0, recency, NULL, NULL, NULL, NULL, NULL, NULL, 2) == LTV_OK);
    CHECK(recency[0] == 5 && isnan(recency[1]));
    CHECK(ltv_transactions_cohorts(log, 0, NULL, NULL, NULL, NULL, 0, &n) == LTV_OK && n == 2);
    CHECK(ltv_transactions_monthly_journey(log, &jo, 0, NULL, NULL, 0, &months, NULL, NULL) ==
          LTV_OK);
    CHECK(months == 2);
    /* The last month of the calendar is reachable (no "month after 9999-12"). */
    CHECK(ltv_transactions_cohorts(log, 2932896, NULL, NULL, NULL, NULL, 0, &n) ==
          LTV_ERR_INVALID_ARGUMENT); /* 1969-12 … 9999-12 is beyond the cap */
    CHECK(ltv_transactions_period_retention(log, 0, 5, 30, &pr) == LTV_OK);
    CHECK(pr.customers_start == 1 && pr.new_customers == 1 && pr.customers_end == 2);
    /* A window of INT_MAX days reaches before every day (start − window overflowed int32). */
    CHECK(ltv_transactions_period_retention(log, 0, 5, 2147483647, &pr) == LTV_OK);
    CHECK(pr.customers_start == 1 && pr.customers_end == 2 && pr.retained == 1);
    ltv_transactions_free(log);
}

static void test_last_month_of_the_calendar(void) {
    /* Monthly series that end in 9999-12 stop there: the month after it was formed as
     * "10000-01-01" and refused. */
    const int32_t days[2] = {2932896 - 400, 2932896};
    ltv_transactions* log = log_of(days, 2);
    ltv_journey_options jo;
    size_t months = 0, n = 0;
    CHECK(log != NULL);
    CHECK(ltv_journey_options_init(&jo, sizeof jo) == LTV_OK);
    jo.cycle_days = 30;
    CHECK(ltv_transactions_monthly_journey(log, &jo, LTV_NO_DATE, NULL, NULL, 0, &months, NULL,
                                           NULL) == LTV_OK);
    CHECK(months == 14); /* 9998-11 … 9999-12 */
    CHECK(ltv_transactions_cohorts(log, 2932896, NULL, NULL, NULL, NULL, 0, &n) == LTV_OK);
    CHECK(n == 14);
    ltv_transactions_free(log);
}

int main(void) {
    test_subnormal_messages();
    test_model_json_fields();
    test_outputs_untouched();
    test_sizes_from_the_caller();
    test_overflow_reproducers();
    sweep_calculators();
    test_cohort_span();
    test_day_ranges();
    test_last_month_of_the_calendar();
    if (failed != 0) {
        printf("c99 boundary: %d checks passed, %d failed\n", passed, failed);
        return 1;
    }
    printf("c99 boundary: %d checks passed\n", passed);
    return 0;
}
