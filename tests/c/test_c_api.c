/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_c_api.c — the C API from a strict C99 translation unit.
 *
 * Checks the worked examples of issue #2 through the C boundary, every error path's status and
 * ltv_last_error() message, the option-struct protocol and the version functions.
 * Ends with the plain summary line "N passed, N failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltv/ltv.h"

#include "support/cdnow.h"
#include "support/check.h"
#include "support/references.h"

static void test_version(void) {
    CHECK(ltv_version_number() == LTV_VERSION_NUMBER);
    CHECK(strcmp(ltv_version_string(), LTV_VERSION_STRING) == 0);
    CHECK(ltv_last_error() != NULL); /* never NULL, even before any failure */
    CHECK(strcmp(ltv_status_name(LTV_OK), "ok") == 0);
    CHECK(strcmp(ltv_status_name(LTV_ERR_INVALID_ARGUMENT), "invalid_argument") == 0);
    CHECK(strcmp(ltv_status_name(12345), "unknown") == 0);
}

static void test_retention(void) {
    double rate = -1, end = -1, churn = -1;
    /* Issue #2: 1000 at start, 200 new, 1100 at end → 90 %. */
    CHECK(ltv_retention_rate(1000, 1100, 200, &rate) == LTV_OK);
    CHECK(close_to(rate, 0.9, 1e-15));
    /* Issue #2: (485 − 32) / 550 = 82.36 %. */
    CHECK(ltv_retention_rate(550, 485, 32, &rate) == LTV_OK);
    CHECK(close_to(rate, 453.0 / 550.0, 1e-15));
    CHECK(close_to(rate, 0.8236, 1e-4));
    /* Flows: 550 start, 65 lost, 32 new → 517 at end, 485/550 retained. */
    CHECK(ltv_retention_from_flows(550, 65, 32, &end, &rate, &churn) == LTV_OK);
    CHECK(end == 517.0);
    CHECK(close_to(rate, 485.0 / 550.0, 1e-15));
    CHECK(close_to(churn, 65.0 / 550.0, 1e-15));
    CHECK(ltv_retention_from_flows(550, 65, 32, NULL, NULL, NULL) == LTV_OK);
    CHECK(ltv_churn_rate(550, 65, &churn) == LTV_OK);
    CHECK(close_to(churn, 65.0 / 550.0, 1e-15));
}

static void test_retention_errors(void) {
    double rate = 42.0;
    CHECK(ltv_retention_rate(0, 10, 0, &rate) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(rate == 42.0); /* outputs untouched on error */
    CHECK(strcmp(ltv_last_error(), "retention_rate: argument 'start' = 0 must be greater than 0") ==
          0);
    CHECK(ltv_retention_rate(100, 10, 20, &rate) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'end' = 10 is smaller than 'new' = 20"));
    CHECK(ltv_retention_rate(100, NAN, 20, &rate) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'end' = nan is not a finite number"));
    CHECK(ltv_retention_rate(100, 90, 20, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "output argument 'out_rate' is a null pointer"));
    CHECK(ltv_churn_rate(10, 11, &rate) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'lost' = 11 exceeds 'start' = 10"));
}

static void test_retention_batch(void) {
    const double start[3] = {1000, 550, 10};
    const double end[3] = {1100, 485, 10};
    const double added[3] = {200, 32, 0};
    double out[3] = {0, 0, 0};
    CHECK(ltv_retention_rate_batch(start, end, added, 3, out) == LTV_OK);
    CHECK(close_to(out[0], 0.9, 1e-15));
    CHECK(close_to(out[1], 453.0 / 550.0, 1e-15));
    CHECK(out[2] == 1.0);
    {
        const double bad_end[3] = {1100, 485, -1};
        CHECK(ltv_retention_rate_batch(start, bad_end, added, 3, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "period 2: "));
        CHECK(contains(ltv_last_error(), "'end' = -1"));
    }
    CHECK(ltv_retention_rate_batch(NULL, end, added, 3, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'customers_start' is a null pointer but its length is 3"));
    CHECK(ltv_retention_rate_batch(NULL, NULL, NULL, 0, NULL) == LTV_OK); /* empty batch */
}

static void test_lost_profit_and_ltv(void) {
    double value = 0;
    const double margins[5] = {1000, 400, 500, 300, 300};
    const double probabilities[5] = {1, 0.5, 0.8, 0.6, 0.5};
    /* Issue #2: 65 customers × (5 − 1) × 30 000 = 7 800 000. */
    CHECK(ltv_lost_profit(65, 5, 1, 30000, &value) == LTV_OK);
    CHECK(close_to(value, 7800000, 1e-15));
    CHECK(ltv_lost_profit(1, 5, 1, 30000, &value) == LTV_OK);
    CHECK(close_to(value, 120000, 1e-15));
    CHECK(ltv_lost_profit(65, 5, 7, 30000, &value) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'purchases_made' = 7 exceeds 'expected_purchases' = 5"));

    CHECK(ltv_simple_ltv(30000, 5, &value) == LTV_OK);
    CHECK(close_to(value, 150000, 1e-15));
    CHECK(ltv_ltv_from_margins(margins, 3, 0.0, &value) == LTV_OK);
    CHECK(close_to(value, 1900, 1e-15));
    /* docs/calculators.md, the wedding photographer: 1508. */
    CHECK(ltv_purchase_chain_ltv(margins, probabilities, 5, 0.0, &value) == LTV_OK);
    CHECK(close_to(value, 1508, 1e-15));
    CHECK(ltv_purchase_chain_ltv(margins, NULL, 5, 0.0, &value) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'probabilities' is a null pointer"));
    {
        const double bad[2] = {1, -0.5};
        CHECK(ltv_purchase_chain_ltv(margins, bad, 2, 0.0, &value) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'probabilities[1]' = -0.5 must lie in [0, 1]"));
    }
}

static void test_average_clv(void) {
    ltv_average_clv_options options;
    double clv = 0;
    memset(&options, 0, sizeof options);
    /* An uninitialised struct (struct_size 0) is refused rather than read. */
    CHECK(ltv_average_clv(&options, &clv) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_average_clv_options_init"));
    CHECK(ltv_average_clv_options_init(&options, sizeof options) == LTV_OK);
    CHECK(options.struct_size == sizeof options);
    CHECK(options.margin == 1.0 && options.retention == 1.0 && options.discount_rate == 0.0);
    options.average_order_value = 50;
    options.margin = 0.3;
    options.purchases_per_period = 2;
    options.periods = 12;
    /* 50 × 0.3 × 2 × 12 = 360 */
    CHECK(ltv_average_clv(&options, &clv) == LTV_OK);
    CHECK(close_to(clv, 360, 1e-15));
    /* Infinite horizon, r = 0.8, d = 0.1: 30 × 1.1 / 0.3 = 110. */
    options.periods = INFINITY;
    options.retention = 0.8;
    options.discount_rate = 0.1;
    CHECK(ltv_average_clv(&options, &clv) == LTV_OK);
    CHECK(close_to(clv, 110, 1e-14));
    options.retention = 1.0;
    options.discount_rate = 0.0;
    CHECK(ltv_average_clv(&options, &clv) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(), "infinite horizon"));
    CHECK(ltv_average_clv(NULL, &clv) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_average_clv_options_init(NULL, 0) == LTV_ERR_INVALID_ARGUMENT);
}

/* The model handle, with the sBG model. Data and values (tests/data/references/sbg.json, copied
 * through REF*, support/references.h): Fader & Hardie (2007), "How to project customer
 * retention", Table 1 "regular" customers, fit and year-8 projection; DEL(0.1) and
 * DERL(0.1 | 4 renewals) of Fader & Hardie (2010) (issue #5). */
static void test_model_sbg(void) {
    const double survivors[8 + 4] = {
        REF_LIST("sbg", "datasets.regular.cohorts.0", 1000, 631, 468, 382, 326, 289, 262, 241),
        REF_LIST("sbg", "conformance.cohorts.1", 500, 330, 250, 205)};
    const size_t one[1] = {8}, two[2] = {8, 4};
    const double periods[3] = {0, 1, REF("sbg", "predictions.survivors_year_8_regular.t", 8)};
    ltv_model* m = NULL;
    ltv_model* copy = NULL;
    ltv_model* loaded = NULL;
    ltv_fit_options options;
    ltv_fit_report report;
    double params[2] = {0, 0}, se[2], cov[4], out[3], value = 0;
    const char* name = NULL;
    size_t count = 0, size = 0;
    int kind = 0, flag = -1;
    char small[8];
    char* json = NULL;

    CHECK(ltv_model_free(NULL) == LTV_OK); /* free accepts NULL */
    CHECK(ltv_model_create(99, &m) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'kind' = 99 is not a model kind"));
    CHECK(ltv_model_create(LTV_MODEL_SBG, &m) == LTV_OK && m != NULL);
    CHECK(ltv_model_kind(m, &kind) == LTV_OK && kind == LTV_MODEL_SBG);
    CHECK(ltv_model_kind_name(kind, &name) == LTV_OK && strcmp(name, "sbg") == 0);
    CHECK(ltv_model_kind_from_name("bgnbd", &kind) == LTV_OK && kind == LTV_MODEL_BGNBD);
    CHECK(ltv_model_kind_from_name("nope", &kind) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_model_num_params(m, &count) == LTV_OK && count == 2);
    CHECK(ltv_model_param_name(m, 1, &name) == LTV_OK && strcmp(name, "beta") == 0);
    CHECK(ltv_model_param_name(m, 2, &name) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_model_has_params(m, &flag) == LTV_OK && flag == 0);
    CHECK(ltv_model_params(m, params, 2) == LTV_ERR_NOT_FITTED);
    CHECK(contains(ltv_last_error(), "no parameters yet"));
    CHECK(ltv_model_survival(m, periods, 3, out) == LTV_ERR_NOT_FITTED);

    CHECK(ltv_fit_options_init(&options, sizeof options) == LTV_OK);
    CHECK(options.struct_size == sizeof options && options.max_iterations > 0);
    CHECK(ltv_model_fit_survivors(m, survivors, one, 1, &options) == LTV_OK);
    CHECK(ltv_model_params(m, params, 2) == LTV_OK);
    CHECK(close_to(params[0], REF_REL("sbg", "fits.regular.params.alpha", 0.7041, 2e-4)));
    CHECK(close_to(params[1], REF_REL("sbg", "fits.regular.params.beta", 1.1820, 2e-4)));
    CHECK(ltv_model_params(m, params, 1) == LTV_ERR_BUFFER_TOO_SMALL);
    memset(&report, 0, sizeof report);
    CHECK(ltv_model_fit_report(m, &report) == LTV_ERR_INVALID_ARGUMENT); /* struct_size unset */
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK);
    CHECK(report.converged == 1);
    CHECK(close_to(report.log_likelihood,
                   REF_REL("sbg", "fits.regular.log_likelihood", -1680.27, 1e-5)));
    CHECK(report.total_weight == REF("sbg", "fits.regular.total_weight", 1000.0));
    CHECK(ltv_model_fit_message(m, &name) == LTV_OK && contains(name, "converged"));
    CHECK(ltv_model_standard_errors(m, se, 2) == LTV_OK && se[0] > 0 && se[1] > 0);
    CHECK(ltv_model_covariance(m, cov, 4) == LTV_OK && close_to(cov[0], se[0] * se[0], 1e-12));

    CHECK(ltv_model_survival(m, periods, 3, out) == LTV_OK);
    /* (year 8 at ltv's estimate, which is within the fit's tolerance of the printed values) */
    CHECK(out[0] == 1.0 && out[1] < 1.0 &&
          close_to(out[2] * REF("sbg", "predictions.survivors_year_8_regular.size", 1000),
                   REF_REL("sbg", "predictions.survivors_year_8_regular", 220.1, 5e-4)));
    CHECK(ltv_model_discounted_expected_lifetime(
              m, REF("sbg", "predictions.del_regular.discount_rate", 0.1), &value) == LTV_OK);
    CHECK(close_to(value, REF_REL("sbg", "predictions.del_regular", 3.6949, 5e-5)));
    {
        const double renewals[1] = {REF("sbg", "predictions.derl_regular_4_renewals.renewals", 4)};
        CHECK(ltv_model_discounted_expected_residual_lifetime(
                  m, REF("sbg", "predictions.derl_regular_4_renewals.discount_rate", 0.1), renewals,
                  1, &value) == LTV_OK);
        CHECK(close_to(value, REF_REL("sbg", "predictions.derl_regular_4_renewals", 5.8941, 5e-5)));
    }
    CHECK(ltv_model_retention_rate(m, periods, 3, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'t' = 0 must be at least 1"));

    /* JSON: the two-call pattern, then a round trip. */
    CHECK(ltv_model_to_json(m, NULL, 0, &size) == LTV_OK && size > 10);
    CHECK(ltv_model_to_json(m, small, sizeof small, &size) == LTV_ERR_BUFFER_TOO_SMALL);
    json = (char*)malloc(size);
    CHECK(json != NULL && ltv_model_to_json(m, json, size, &size) == LTV_OK);
    CHECK(json != NULL && contains(json, "\"model\": \"sbg\""));
    CHECK(json != NULL && ltv_model_from_json(json, strlen(json), &loaded) == LTV_OK);
    CHECK(loaded != NULL && ltv_model_params(loaded, out, 2) == LTV_OK && out[0] == params[0]);
    free(json);
    CHECK(ltv_model_from_json("{", 1, &copy) == LTV_ERR_PARSE);
    CHECK(ltv_model_load("/nonexistent/model.json", &copy) == LTV_ERR_IO);
    CHECK(contains(ltv_last_error(), "/nonexistent/model.json"));

    /* Two cohorts; a clone keeps the fit; bad curves are refused with the index. */
    CHECK(ltv_model_clone(m, &copy) == LTV_OK);
    CHECK(ltv_model_fit_survivors(m, survivors, two, 2, NULL) == LTV_OK);
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK && report.total_weight == 1500.0);
    CHECK(ltv_model_fit_report(copy, &report) == LTV_OK && report.total_weight == 1000.0);
    {
        const double bad[3] = {1000, 631, 700};
        const size_t three[1] = {3};
        CHECK(ltv_model_fit_survivors(m, bad, three, 1, NULL) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'survivors[2]' = 700 exceeds the previous count 631"));
    }
    {
        const double p[2] = {1.0, -2.0};
        CHECK(ltv_model_set_params(copy, p, 2) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'params[1]' (beta) = -2"));
        CHECK(ltv_model_set_params(copy, p, 1) == LTV_ERR_INVALID_ARGUMENT);
    }
    CHECK(ltv_model_set_threads(m, -1) == LTV_ERR_INVALID_ARGUMENT);
    ltv_model_free(m);
    ltv_model_free(copy);
    ltv_model_free(loaded);
}

/* Reads tests/data/cdnow_customers_summary.csv (ID,frequency,recency,T; 2357 rows). */
static size_t read_cdnow(double* x, double* tx, double* T, size_t capacity) {
    char line[256];
    size_t n = 0;
    FILE* f = fopen(LTV_TEST_DATA_DIR "/cdnow_customers_summary.csv", "r");
    if (f == NULL) return 0;
    if (fgets(line, sizeof line, f) == NULL) { /* header */
        fclose(f);
        return 0;
    }
    while (n < capacity && fgets(line, sizeof line, f) != NULL) {
        double id;
        if (sscanf(line, "%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &T[n]) == 4) ++n;
    }
    fclose(f);
    return n;
}

/* BG/NBD and Gamma-Gamma through the handle. Values (tests/data/references/bgnbd.json and
 * gg.json, copied through REF*, support/references.h): Fader, Hardie & Lee (2005) (fit on CDNOW)
 * and their published parameters' predictions for customer 1 (x = 2, t_x = 30.43, T = 38.86),
 * issue #4. */
static void test_model_bgnbd(void) {
    static double x[2400], tx[2400], T[2400], out[2400];
    const double published[4] = {REF("bgnbd", "parameter_sets.published.params.r", 0.243),
                                 REF("bgnbd", "parameter_sets.published.params.alpha", 4.414),
                                 REF("bgnbd", "parameter_sets.published.params.a", 0.793),
                                 REF("bgnbd", "parameter_sets.published.params.b", 2.426)};
    const double one_x[1] = {REF("bgnbd", "predictions.p_alive_customer_1.frequency", 2)},
                 one_tx[1] = {REF("bgnbd", "predictions.p_alive_customer_1.recency", 30.43)},
                 one_T[1] = {REF("bgnbd", "predictions.p_alive_customer_1.T", 38.86)};
    const double times[2] = {REF("bgnbd", "predictions.new_customer_purchases_1.t", 1),
                             REF("bgnbd", "predictions.new_customer_purchases_78.t", 78)};
    ltv_model* m = NULL;
    ltv_model* gg = NULL;
    ltv_fit_report report;
    ltv_clv_options clv_options;
    double params[4], se[4], value = 0;
    size_t n = read_cdnow(x, tx, T, 2400);
    CHECK(n == 2357);
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_fit_rfm(m, x, tx, T, NULL, n, NULL) == LTV_OK);
    CHECK(ltv_model_params(m, params, 4) == LTV_OK);
    CHECK(close_to(params[0], REF_REL("bgnbd", "fits.cdnow.params.r", 0.2425929, 1e-6)) &&
          close_to(params[3], REF_REL("bgnbd", "fits.cdnow.params.b", 2.4257536, 1e-6)));
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK);
    CHECK(close_to(report.log_likelihood,
                   REF_REL("bgnbd", "fits.cdnow.log_likelihood", -9582.4256, 1e-8)));
    CHECK(ltv_model_standard_errors(m, se, 4) == LTV_OK &&
          close_to(se[0], REF_REL("bgnbd", "fits.cdnow.standard_errors.r", 0.01256, 5e-4)));
    CHECK(ltv_model_log_likelihood(m, x, tx, T, n, out) == LTV_OK);
    {
        double sum = 0;
        size_t i;
        for (i = 0; i < n; ++i) sum += out[i];
        CHECK(close_to(sum, report.log_likelihood, 1e-12)); /* total = Σ individual */
    }
    CHECK(ltv_model_expected_purchases_new_customer(m, times, 2, out) == LTV_OK);
    CHECK(close_to(out[0],
                   REF_REL("bgnbd", "predictions.new_customer_purchases_1", 0.0531847, 2e-6)) &&
          close_to(out[1],
                   REF_REL("bgnbd", "predictions.new_customer_purchases_78", 1.8579717, 3e-7)));

    CHECK(ltv_model_set_params(m, published, 4) == LTV_OK);
    CHECK(ltv_model_fit_report(m, &report) == LTV_ERR_NOT_FITTED); /* set by hand */
    CHECK(ltv_model_expected_purchases(
              m, REF("bgnbd", "predictions.conditional_purchases_customer_1.t", 39), one_x, one_tx,
              one_T, 1, &value) == LTV_OK);
    CHECK(within(value,
                 REF_ABS("bgnbd", "predictions.conditional_purchases_customer_1", 1.2260, 5e-5)));
    CHECK(ltv_model_p_alive(m, one_x, one_tx, one_T, 1, &value) == LTV_OK);
    CHECK(within(value, REF_ABS("bgnbd", "predictions.p_alive_customer_1", 0.7266, 5e-5)));
    {
        const double zero[1] = {REF("bgnbd", "predictions.purchase_pmf_0_at_39.count", 0)};
        CHECK(ltv_model_probability_of_purchases(
                  m, REF("bgnbd", "predictions.purchase_pmf_0_at_39.t", 39), zero, 1, &value) ==
              LTV_OK);
        CHECK(
            close_to(value, REF_REL("bgnbd", "predictions.purchase_pmf_0_at_39", 0.5737864, 5e-7)));
    }
    {
        const double bad_x[2] = {1, -3};
        CHECK(ltv_model_p_alive(m, bad_x, tx, T, 2, out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'frequency[1]' = -3"));
    }
    CHECK(ltv_model_fit_survivors(m, x, &n, 1, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "not available for the BG/NBD model"));

    /* Gamma-Gamma and CLV. */
    {
        const double fx[3] = {2, 1, 0}, z[3] = {20, 30, 0};
        /* lifetimes' Gamma-Gamma fit as printed */
        const double g[3] = {REF("gg", "parameter_sets.lifetimes.params.p", 6.2488),
                             REF("gg", "parameter_sets.lifetimes.params.q", 3.7446),
                             REF("gg", "parameter_sets.lifetimes.params.gamma", 15.4477)};
        double clv[3];
        CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &gg) == LTV_OK);
        CHECK(ltv_model_set_params(gg, g, 3) == LTV_OK);
        CHECK(ltv_model_expected_spend(gg, fx, z, 3, out) == LTV_OK);
        CHECK(close_to(out[2], g[0] * g[2] / (g[1] - 1), 1e-14)); /* x = 0: population mean */
        CHECK(ltv_clv_options_init(&clv_options, sizeof clv_options) == LTV_OK && clv_options.periods == 12);
        clv_options.period_length = 4.345;
        CHECK(ltv_customer_lifetime_value(m, gg, fx, fx, T, z, 3, &clv_options, clv) == LTV_OK);
        CHECK(clv[0] > 0 && clv[1] > 0 && clv[2] > 0);
        CHECK(ltv_customer_lifetime_value(gg, m, fx, fx, T, z, 3, NULL, clv) ==
              LTV_ERR_INVALID_ARGUMENT);
        {
            const double g_infinite_mean[3] = {1, 0.5, 1};
            CHECK(ltv_model_set_params(gg, g_infinite_mean, 3) == LTV_OK);
            CHECK(ltv_model_expected_spend(gg, fx, z, 3, out) == LTV_ERR_DOMAIN);
        }
    }
    ltv_model_free(m);
    ltv_model_free(gg);
}

/* BG/BB on the donations patterns (Fader, Hardie & Shang 2010; issue #5; bgbb.json), and DERT of
 * Pareto/NBD and BG/BB; values copied through REF* (support/references.h). */
static void test_model_bgbb_pnbd(void) {
    double x[32], tx[32], n[32], w[32], params[4], value = 0;
    size_t rows = 0;
    char line[256];
    ltv_model* m = NULL;
    ltv_fit_report report;
    FILE* f = fopen(LTV_TEST_DATA_DIR "/donations.csv", "r");
    CHECK(f != NULL);
    if (f == NULL) return;
    if (fgets(line, sizeof line, f) != NULL) /* header: frequency,recency,periods,weights */
        while (rows < 32 && fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "%lf,%lf,%lf,%lf", &x[rows], &tx[rows], &n[rows], &w[rows]) == 4)
                ++rows;
    fclose(f);
    CHECK(rows == 22);
    CHECK(ltv_model_create(LTV_MODEL_BGBB, &m) == LTV_OK);
    CHECK(ltv_model_fit_rfm(m, x, tx, n, w, rows, NULL) == LTV_OK);
    CHECK(ltv_model_params(m, params, 4) == LTV_OK);
    CHECK(close_to(params[0], REF_REL("bgbb", "fits.donations.params.alpha", 1.20352, 1e-5)) &&
          close_to(params[3], REF_REL("bgbb", "fits.donations.params.delta", 2.78344, 1e-5)));
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK);
    CHECK(close_to(report.log_likelihood,
                   REF_REL("bgbb", "fits.donations.log_likelihood", -33225.581, 1e-8)));
    CHECK(report.total_weight == REF("bgbb", "fits.donations.total_weight", 11104.0));
    {
        const double px[1] = {REF("bgbb", "predictions.p_alive_6_6_6.frequency", 6)},
                     ptx[1] = {REF("bgbb", "predictions.p_alive_6_6_6.recency", 6)},
                     pn[1] = {REF("bgbb", "predictions.p_alive_6_6_6.T", 6)};
        CHECK(ltv_model_p_alive(m, px, ptx, pn, 1, &value) == LTV_OK);
        CHECK(within(value, REF_ABS("bgbb", "predictions.p_alive_6_6_6", 0.93, 5e-3)));
        CHECK(ltv_model_dert(m, 0.1, px, ptx, pn, 1, &value) == LTV_OK && value > 0);
    }
    {
        const double bad_x[1] = {5}, bad_tx[1] = {4}, bad_n[1] = {6};
        CHECK(ltv_model_p_alive(m, bad_x, bad_tx, bad_n, 1, &value) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "must not exceed"));
    }
    ltv_model_free(m);

    /* Pareto/NBD at the published CDNOW parameters: P(alive) and E[Y(52)] for x = 26,
     * t_x = 30.86, T = 31 (Fader, Hardie & Lee 2005, via issue #5; pnbd.json). */
    CHECK(ltv_model_create(LTV_MODEL_PARETO_NBD, &m) == LTV_OK);
    {
        const double p[4] = {REF("pnbd", "fits.cdnow.params.r.value", 0.55328),
                             REF("pnbd", "fits.cdnow.params.alpha.value", 10.5776),
                             REF("pnbd", "fits.cdnow.params.s.value", 0.60621),
                             REF("pnbd", "fits.cdnow.params.beta.value", 11.6679)};
        const double px[1] = {REF("pnbd", "predictions.p_alive_x26.frequency", 26)},
                     ptx[1] = {REF("pnbd", "predictions.p_alive_x26.recency", 30.86)},
                     pT[1] = {REF("pnbd", "predictions.p_alive_x26.T", 31)};
        CHECK(ltv_model_set_params(m, p, 4) == LTV_OK);
        CHECK(ltv_model_p_alive(m, px, ptx, pT, 1, &value) == LTV_OK);
        CHECK(within(value, REF_ABS("pnbd", "predictions.p_alive_x26", 0.9979, 1e-4)));
        CHECK(ltv_model_expected_purchases(
                  m, REF("pnbd", "predictions.conditional_purchases_x26.t", 52), px, ptx, pT, 1,
                  &value) == LTV_OK);
        CHECK(within(value, REF_ABS("pnbd", "predictions.conditional_purchases_x26", 25.46, 5e-3)));
        CHECK(ltv_model_dert(m, 0.001, px, ptx, pT, 1, &value) == LTV_OK && value > 0);
    }
    ltv_model_free(m);
}

/* Transaction logs (issue #3): summaries from a file and from memory, the incremental state
 * with save/load, journey statuses, RFM, cohorts and period retention, and malformed input. */
static void test_transactions(void) {
    ltv_read_options ro;
    ltv_summary_options so;
    ltv_read_report rep;
    ltv_summary_info info;
    ltv_summary_table* t = NULL;
    ltv_summary* st = NULL;
    ltv_summary* st2 = NULL;
    ltv_transactions* log = NULL;
    int32_t day = 0, end = 0;
    size_t n = 0, bytes = 0, i = 0, found = (size_t)-1;
    double* col = NULL;
    char* chars = NULL;
    size_t* offsets = NULL;

    /* Dates: 1970-01-01 = 0; 2014-01-05 = 16075 (date -d 2014-01-05 +%s / 86400). */
    CHECK(ltv_parse_date("1970-01-01", &day) == LTV_OK && day == 0);
    CHECK(ltv_parse_date("20140105", &day) == LTV_OK && day == 16075);
    CHECK(ltv_parse_date("2014-01-05T10:30:00Z", &day) == LTV_OK && day == 16075);
    CHECK(ltv_parse_date("2014-02-30", &day) == LTV_ERR_PARSE);
    CHECK(contains(ltv_last_error(), "cannot parse '2014-02-30' as a date"));

    /* CDNOW_sample: whitespace-separated, no header; field 2 = id, 3 = date, 5 = amount; observed
     * to 1997-09-30 in weeks. Reference: tests/data/cdnow_customers_summary_with_transactions.csv
     * (lifetimes), customer 1: x = 2, t_x = 30.43, T = 38.86, zbar = 22.35 (rounded to 2 d.p.,
     * hence tolerance 0.005 / 0.01). */
    CHECK(cdnow_sample_options(&ro, &so) == LTV_OK);
    rep.struct_size = sizeof rep;
    CHECK(ltv_summarize_file(CDNOW_SAMPLE_PATH, &ro, &so, &t, &rep) == LTV_OK);
    CHECK(rep.rows == 6919 && rep.skipped == 0 && rep.delimiter == ' ');
    CHECK(rep.customer_column == 1 && rep.date_column == 2 && rep.amount_column == 4);
    CHECK(rep.errors != NULL && rep.errors[0] == '\0');
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    CHECK(info.customers == 2357 && info.has_holdout == 0);
    CHECK(info.transactions_after_end == 1959); /* awk '$3 > 19970930' CDNOW_sample.txt | wc -l */
    n = info.customers;
    /* Two-call ids. */
    CHECK(ltv_summary_table_ids(t, NULL, 0, NULL, 0, &bytes) == LTV_OK && bytes == 4 * n);
    chars = (char*)malloc(bytes);
    offsets = (size_t*)malloc((n + 1) * sizeof *offsets);
    col = (double*)malloc(n * sizeof *col);
    CHECK(ltv_summary_table_ids(t, chars, bytes, offsets, n, &bytes) == LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(contains(ltv_last_error(), "'offsets' holds"));
    CHECK(ltv_summary_table_ids(t, chars, bytes, offsets, n + 1, &bytes) == LTV_OK);
    for (i = 0; i < n; ++i)
        if (offsets[i + 1] - offsets[i] == 4 && memcmp(chars + offsets[i], "0001", 4) == 0) found = i;
    CHECK(found != (size_t)-1);
    if (found != (size_t)-1) {
        CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY, col, n) == LTV_OK);
        CHECK(col[found] == 2.0);
        CHECK(ltv_summary_table_column(t, LTV_SUMMARY_RECENCY, col, n) == LTV_OK);
        CHECK(fabs(col[found] - 30.43) <= 0.005);
        CHECK(ltv_summary_table_column(t, LTV_SUMMARY_T, col, n) == LTV_OK);
        CHECK(fabs(col[found] - 38.86) <= 0.005);
        CHECK(ltv_summary_table_column(t, LTV_SUMMARY_MONETARY_VALUE, col, n) == LTV_OK);
        CHECK(fabs(col[found] - 22.35) <= 0.01);
    }
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY, col, n - 1) == LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY_HOLDOUT, col, n) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "no calibration/holdout split"));
    CHECK(ltv_summary_table_column(t, 42, col, n) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'column' = 42"));
    ltv_summary_table_free(t);
    t = NULL;
    free(chars);
    free(offsets);
    free(col);

    /* The incremental state from memory, packed and C-string ids; save/load round trip. The
     * small log below is checked by hand: a buys 2014-01-05 (10), 01-20 (20), 03-02 (30) → as of
     * 03-05 frequency 2, recency 56 days, T 59 days, monetary (20 + 30) / 2 = 25. */
    {
        const char* ids[9] = {"a", "a", "a", "b", "c", "c", "d", "e", "f"};
        const char* dates[9] = {"2014-01-05", "2014-01-20", "2014-03-02", "2014-01-31", "2014-02-20",
                                "2014-02-28", "2014-02-25", "2014-02-10", "2014-04-01"};
        const double amounts[9] = {10, 20, 30, 5, 7, 8, 1, 2, 3};
        const char packed[] = "aaabccdef";
        const size_t packed_offsets[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        const size_t bad_offsets[10] = {0, 1, 2, 3, 3, 5, 6, 7, 8, 9};
        const char* contacts[2] = {"f", "zz"};
        int32_t days[9], status[6], r[6], f[6], m[6], seg[6];
        double silence[6], value[6], active[9];
        int32_t cohort_start[3];
        size_t cohort_size[3], months = 0, cohorts = 0;
        size_t customers = 0;
        uint64_t transactions = 0, unverified = 0;
        ltv_journey_options jo;
        ltv_journey_summary js;
        ltv_period_retention pr;
        const char* name = NULL;
        for (i = 0; i < 9; ++i) CHECK(ltv_parse_date(dates[i], &days[i]) == LTV_OK);
        CHECK(ltv_parse_date("2014-03-05", &end) == LTV_OK);
        CHECK(ltv_summary_options_init(&so, sizeof so) == LTV_OK);
        so.observation_end = end;
        CHECK(ltv_summary_create(&so, &st) == LTV_OK);
        CHECK(ltv_summary_add(st, packed, bad_offsets, days, amounts, 9) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "customer id 3 is empty"));
        CHECK(ltv_summary_add(st, packed, packed_offsets, days, amounts, 4) == LTV_OK);
        CHECK(ltv_summary_add_strings(st, ids + 4, days + 4, amounts + 4, 5) == LTV_OK);
        CHECK(ltv_summary_counts(st, &customers, &transactions, &unverified) == LTV_OK);
        CHECK(customers == 6 && transactions == 9 && unverified == 0);
        CHECK(ltv_summary_save(st, "ltv_c_api_test_state.bin") == LTV_OK);
        CHECK(ltv_summary_load("ltv_c_api_test_state.bin", &st2) == LTV_OK);
        CHECK(ltv_summary_load("no/such/state.bin", &st2) == LTV_ERR_IO);
        CHECK(contains(ltv_last_error(), "no/such/state.bin"));
        CHECK(ltv_summary_result(st2, &t) == LTV_OK);
        info.struct_size = sizeof info;
        CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
        CHECK(info.customers == 5 && info.transactions_after_end == 1); /* f: after the end */
        {
            double v[5];
            CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY, v, 5) == LTV_OK && v[0] == 2);
            CHECK(ltv_summary_table_column(t, LTV_SUMMARY_RECENCY, v, 5) == LTV_OK && v[0] == 56);
            CHECK(ltv_summary_table_column(t, LTV_SUMMARY_T, v, 5) == LTV_OK && v[0] == 59);
            CHECK(ltv_summary_table_column(t, LTV_SUMMARY_MONETARY_VALUE, v, 5) == LTV_OK &&
                  close_to(v[0], 25, 1e-15));
        }
        ltv_summary_table_free(t);
        ltv_summary_free(st);
        ltv_summary_free(st2);
        ltv_summary_free(NULL);
        ltv_summary_table_free(NULL);
        remove("ltv_c_api_test_state.bin");

        /* Journey as of 2014-03-05 with cycle 10 days (lost after 30): a returned (silence 3,
         * gap 41 before), b lost (33), c fan (5, gap 8), d newbie (8), e sleeping (23), f no
         * purchase yet but a contact → lead; contact "zz" outside the log is a lead too. */
        CHECK(ltv_transactions_create(&log) == LTV_OK);
        CHECK(ltv_transactions_add(log, packed, packed_offsets, days, amounts, 9) == LTV_OK);
        CHECK(ltv_transactions_counts(log, &customers, &n) == LTV_OK && customers == 6 && n == 9);
        CHECK(ltv_journey_options_init(&jo, sizeof jo) == LTV_OK);
        jo.cycle_days = 10;
        jo.contacts = contacts;
        jo.n_contacts = 2;
        js.struct_size = sizeof js;
        CHECK(ltv_transactions_journey(log, end, &jo, status, silence, 6, &js) == LTV_OK);
        CHECK(status[0] == LTV_JOURNEY_RETURNED && status[1] == LTV_JOURNEY_LOST);
        CHECK(status[2] == LTV_JOURNEY_FAN && status[3] == LTV_JOURNEY_NEWBIE);
        CHECK(status[4] == LTV_JOURNEY_SLEEPING && status[5] == LTV_JOURNEY_LEAD);
        CHECK(silence[0] == 3 && silence[1] == 33 && isnan(silence[5]));
        CHECK(js.cycle_days == 10 && js.lost_days == 30 && js.counts[LTV_JOURNEY_LEAD] == 2);
        CHECK(ltv_journey_status_name(LTV_JOURNEY_SLEEPING, &name) == LTV_OK &&
              strcmp(name, "sleeping") == 0);
        CHECK(ltv_transactions_journey(log, end, &jo, status, silence, 5, &js) ==
              LTV_ERR_BUFFER_TOO_SMALL);
        CHECK(ltv_transactions_monthly_journey(log, &jo, LTV_NO_DATE, NULL, NULL, 0, &months, NULL,
                                               NULL) == LTV_OK);
        CHECK(months == 4); /* 2014-01 … 2014-04 */

        /* RFM as of 03-05: recency a 3, b 33, c 5, d 8, e 23 days; purchase days a 3, c 2, others
         * 1. Scores 1 + floor(5 × worse / 5): R a5 b1 c4 d3 e2, F a5 c4 others 1 → Champions,
         * Lost, Loyal Customers, About To Sleep, Hibernating; f has none (segment −1). */
        CHECK(ltv_transactions_rfm(log, end, value, NULL, NULL, r, f, m, seg, 6) == LTV_OK);
        CHECK(r[0] == 5 && r[1] == 1 && r[2] == 4 && r[3] == 3 && r[4] == 2 && r[5] == 0);
        CHECK(f[0] == 5 && f[1] == 1 && f[2] == 4 && f[3] == 1 && f[4] == 1);
        CHECK(seg[0] == 0 && seg[1] == 9 && seg[2] == 1 && seg[3] == 6 && seg[4] == 10 && seg[5] == -1);
        CHECK(value[1] == 33 && isnan(value[5]));
        CHECK(ltv_rfm_segment_name(seg[2], &name) == LTV_OK && strcmp(name, "Loyal Customers") == 0);
        CHECK(ltv_rfm_segment_name(11, &name) == LTV_ERR_INVALID_ARGUMENT);

        /* Cohorts to 2014-03-31: Jan (a, b), Feb (c, d, e), Mar (nobody). a bought in March. */
        CHECK(ltv_parse_date("2014-03-31", &day) == LTV_OK);
        CHECK(ltv_transactions_cohorts(log, day, NULL, NULL, NULL, NULL, 0, &cohorts) == LTV_OK);
        CHECK(cohorts == 3);
        CHECK(ltv_transactions_cohorts(log, day, cohort_start, cohort_size, active, NULL, 3,
                                       &cohorts) == LTV_OK);
        CHECK(cohort_size[0] == 2 && cohort_size[1] == 3 && cohort_size[2] == 0);
        CHECK(active[0] == 1 && active[1] == 0 && active[2] == 0.5);
        CHECK(active[3] == 1 && active[4] == 0 && isnan(active[5]) && isnan(active[6]));
        CHECK(ltv_parse_date("2014-01-01", &day) == LTV_OK && cohort_start[0] == day);

        /* Period (01-31, 03-05], window 30 days: active at start a, b; at end a, c, d, e; new c,
         * d, e → (4 − 3) / 2 = 0.5. */
        CHECK(ltv_parse_date("2014-01-31", &day) == LTV_OK);
        pr.struct_size = sizeof pr;
        CHECK(ltv_transactions_period_retention(log, day, end, 30, &pr) == LTV_OK);
        CHECK(pr.customers_start == 2 && pr.customers_end == 4 && pr.new_customers == 3);
        CHECK(pr.retained == 1 && close_to(pr.retention_rate, 0.5, 1e-15));
        CHECK(ltv_transactions_period_retention(log, end, day, 30, &pr) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "must be after start"));

        /* The handle keeps each customer's sorted purchases between calls; rows added later are
         * seen by the next call. g's first purchase on 03-10 makes a March cohort of one, and a
         * failed addition (an empty id) changes nothing. */
        {
            const char more[] = "ga";
            const size_t more_offsets[] = {0, 1, 2};
            const size_t empty_id[] = {0, 0};
            int32_t more_days[2] = {0, 0}, status7[7];
            const double more_amounts[] = {4, 6};
            double silence7[7];
            CHECK(ltv_parse_date("2014-03-10", &more_days[0]) == LTV_OK);
            more_days[1] = more_days[0];
            CHECK(ltv_transactions_add(log, more, more_offsets, more_days, more_amounts, 2) ==
                  LTV_OK);
            CHECK(ltv_transactions_add(log, more, empty_id, more_days, more_amounts, 1) ==
                  LTV_ERR_INVALID_ARGUMENT);
            CHECK(ltv_parse_date("2014-03-31", &day) == LTV_OK);
            CHECK(ltv_transactions_cohorts(log, day, NULL, NULL, NULL, NULL, 0, &cohorts) ==
                  LTV_OK && cohorts == 3);
            CHECK(ltv_transactions_cohorts(log, day, cohort_start, cohort_size, active, NULL, 3,
                                           &cohorts) == LTV_OK);
            CHECK(cohort_size[0] == 2 && cohort_size[1] == 3 && cohort_size[2] == 1);
            CHECK(active[6] == 1); /* the March cohort (g) was empty (NaN) before */
            CHECK(ltv_transactions_counts(log, &customers, &n) == LTV_OK && customers == 7 &&
                  n == 11);
            CHECK(ltv_transactions_journey(log, more_days[0], &jo, status7, silence7, 7, &js) ==
                  LTV_OK);
            CHECK(status7[0] == LTV_JOURNEY_FAN && silence7[0] == 0); /* a: 03-02, then 03-10 */
            CHECK(status7[6] == LTV_JOURNEY_NEWBIE && silence7[6] == 0);
        }
        ltv_transactions_free(log);
        ltv_transactions_free(NULL);
    }

    /* Malformed input: the message names file, line, column and value; lenient mode skips. */
    {
        FILE* bad = fopen("ltv_c_api_test_bad.csv", "w");
        CHECK(bad != NULL);
        if (bad != NULL) {
            fputs("customer_id,date,amount\na,2014-01-05,10\nb,2014-13-01,5\nc,2014-01-07,x\n", bad);
            fclose(bad);
        }
        CHECK(ltv_read_options_init(&ro, sizeof ro) == LTV_OK);
        CHECK(ltv_summarize_file("ltv_c_api_test_bad.csv", &ro, NULL, &t, NULL) == LTV_ERR_PARSE);
        CHECK(contains(ltv_last_error(),
                       "ltv_c_api_test_bad.csv:3: column 2 ('date'): cannot parse '2014-13-01'"));
        ro.lenient = 1;
        rep.struct_size = sizeof rep;
        CHECK(ltv_summarize_file("ltv_c_api_test_bad.csv", &ro, NULL, &t, &rep) == LTV_OK);
        CHECK(rep.rows == 1 && rep.skipped == 2 && rep.errors_reported == 2);
        CHECK(contains(rep.errors, ":4: column 3 ('amount'): cannot parse 'x' as a number"));
        ltv_summary_table_free(t);
        ro.lenient = 0;
        ro.customer_column = "client";
        CHECK(ltv_summarize_file("ltv_c_api_test_bad.csv", &ro, NULL, &t, NULL) == LTV_ERR_PARSE);
        CHECK(contains(ltv_last_error(), "no customer column named 'client'"));
        ro.customer_column = "customer_id";
        ro.date_format = "dd/mm";
        CHECK(ltv_summarize_file("ltv_c_api_test_bad.csv", &ro, NULL, &t, NULL) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "date_format = 'dd/mm'"));
        remove("ltv_c_api_test_bad.csv");
        CHECK(ltv_summarize_file("no/such/file.csv", NULL, NULL, &t, NULL) == LTV_ERR_IO);
        CHECK(contains(ltv_last_error(), "cannot open 'no/such/file.csv'"));
        so.struct_size = 3;
        CHECK(ltv_summary_create(&so, &st) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "ltv_summary_options_init"));
    }
}

int main(void) {
    test_version();
    test_retention();
    test_retention_errors();
    test_retention_batch();
    test_lost_profit_and_ltv();
    test_average_clv();
    test_model_sbg();
    test_model_bgnbd();
    test_model_bgbb_pnbd();
    test_transactions();
    printf("c99 api: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
