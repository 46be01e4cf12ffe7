/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_compare.c — the model comparison through the C API (issue 11): an ERP that links
 * only libltv.so gets the metrics table, the series behind the charts, the fitted models, JSON
 * and the HTML report; the table's numbers equal those recomputed here from the fitted models'
 * own predictions (ltv_model_expected_purchases); bad arguments are statuses with messages. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cdnow.h"
#include "support/check.h"


/* CDNOW_sample (tests/data/SOURCES.md) as a log; calibration to 1997-09-30, holdout to
 * 1998-06-30, weeks. */
static ltv_transactions* cdnow_log(ltv_summary_options* so) {
    ltv_read_options ro;
    ltv_transactions* log = NULL;
    CHECK(cdnow_sample_options(&ro, so) == LTV_OK);
    CHECK(ltv_parse_date("1997-09-30", &so->calibration_end) == LTV_OK);
    CHECK(ltv_parse_date("1998-06-30", &so->observation_end) == LTV_OK);
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    CHECK(ltv_transactions_add_file(log, CDNOW_SAMPLE_PATH, &ro, NULL) == LTV_OK);
    return log;
}

static size_t metric_index(const char* name) {
    size_t count = 0, k;
    CHECK(ltv_evaluation_metric_count(&count) == LTV_OK);
    for (k = 0; k < count; ++k) {
        const char *id, *label, *text;
        int goal;
        CHECK(ltv_evaluation_metric_info(k, &id, &label, &goal, &text) == LTV_OK);
        if (strcmp(id, name) == 0) return k;
    }
    return SIZE_MAX;
}

static size_t row_named(const ltv_evaluation* e, const char* name) {
    size_t rows, customers, best, r;
    CHECK(ltv_evaluation_counts(e, &rows, &customers, &best) == LTV_OK);
    for (r = 0; r < rows; ++r) {
        ltv_evaluation_row info;
        info.struct_size = sizeof info;
        CHECK(ltv_evaluation_row_info(e, r, &info) == LTV_OK);
        if (strcmp(info.name, name) == 0) return r;
    }
    return SIZE_MAX;
}

static void test_table_equals_the_models_own_predictions(void) {
    ltv_summary_options so;
    ltv_transactions* log = cdnow_log(&so);
    ltv_evaluation* e = NULL;
    ltv_summary_table* t = NULL;
    ltv_summary_info info;
    ltv_model* bg = NULL;
    ltv_evaluation_row row;
    size_t rows, customers, best, n, i, r, len = 0, count = 0;
    double *x, *tx, *T, *y, *pred, *series, values[64], abs_sum = 0, sum = 0;
    int defined[64];
    CHECK(ltv_compare_transactions(log, &so, NULL, &e) == LTV_OK);
    CHECK(ltv_evaluation_counts(e, &rows, &customers, &best) == LTV_OK);
    CHECK(customers == 2357); /* the 1/10 sample's customers, all acquired by 1997-03-31 */
    CHECK(rows == 8);         /* baseline, Gamma-Gamma, BG/NBD, MBG/NBD, Pareto/NBD, BG/CNBD-k,
                                 MBG/CNBD-k, GGom/NBD */
    CHECK(best < rows);
    r = row_named(e, "bgnbd");
    CHECK(r < rows);
    row.struct_size = sizeof row;
    CHECK(ltv_evaluation_row_info(e, r, &row) == LTV_OK);
    CHECK(row.role == LTV_ROLE_PURCHASES && row.fitted == 1 && row.converged == 1);
    CHECK(strcmp(row.title, "BG/NBD") == 0);

    /* The model's own predictions for the holdout, from the columns of the summary. */
    CHECK(ltv_evaluation_model(e, r, &bg) == LTV_OK);
    CHECK(ltv_evaluation_summary(e, &t) == LTV_OK);
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    CHECK(n == customers && info.duration_holdout == 39);
    x = malloc(n * sizeof *x);
    tx = malloc(n * sizeof *tx);
    T = malloc(n * sizeof *T);
    y = malloc(n * sizeof *y);
    pred = malloc(n * sizeof *pred);
    series = malloc(n * sizeof *series);
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY, x, n) == LTV_OK);
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_RECENCY, tx, n) == LTV_OK);
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_T, T, n) == LTV_OK);
    CHECK(ltv_summary_table_column(t, LTV_SUMMARY_FREQUENCY_HOLDOUT, y, n) == LTV_OK);
    CHECK(ltv_model_expected_purchases(bg, info.duration_holdout, x, tx, T, n, pred) == LTV_OK);
    for (i = 0; i < n; ++i) {
        abs_sum += fabs(pred[i] - y[i]);
        sum += pred[i];
    }
    CHECK(ltv_evaluation_metrics(e, r, values, defined, 64) == LTV_OK);
    /* Sums of 2357 terms in another order: 1e-12 relative. */
    CHECK(defined[metric_index("mae")] == 1);
    CHECK(fabs(values[metric_index("mae")] - abs_sum / (double)n) <= 1e-12 * abs_sum / (double)n);
    CHECK(fabs(values[metric_index("holdout_predicted")] - sum) <= 1e-12 * sum);
    CHECK(values[metric_index("parameters")] == 4);
    /* The per-customer series is the model's prediction, bit for bit. */
    CHECK(ltv_evaluation_series(e, LTV_SERIES_PREDICTIONS, r, NULL, 0, &len) == LTV_OK);
    CHECK(len == n);
    CHECK(ltv_evaluation_series(e, LTV_SERIES_PREDICTIONS, r, series, n, &len) == LTV_OK);
    CHECK(memcmp(series, pred, n * sizeof *pred) == 0);
    /* Tracking: 78 weeks from 1997-01-01; the actual curve ends at every repeat purchase. */
    CHECK(ltv_evaluation_series(e, LTV_SERIES_TRACKING_ACTUAL, 0, NULL, 0, &len) == LTV_OK);
    CHECK(len == 78);
    CHECK(ltv_evaluation_series(e, LTV_SERIES_TRACKING_ACTUAL, 0, series, n, &len) == LTV_OK);
    {
        double total = 0;
        for (i = 0; i < n; ++i) total += x[i] + y[i];
        CHECK(series[77] == total);
    }
    /* The baseline is not a model: no handle, a message naming the row. */
    CHECK(ltv_evaluation_model(e, row_named(e, "baseline"), &bg) == LTV_ERR_NOT_FITTED);
    CHECK(contains(ltv_last_error(), "Naive baseline"));
    (void)count;
    free(x);
    free(tx);
    free(T);
    free(y);
    free(pred);
    free(series);
    ltv_model_free(bg);
    ltv_summary_table_free(t);
    ltv_evaluation_free(e);
    ltv_transactions_free(log);
}

static void test_options_json_html_and_errors(void) {
    ltv_summary_options so;
    ltv_transactions* log = cdnow_log(&so);
    ltv_compare_options o;
    ltv_evaluation* e = NULL;
    size_t rows, customers, best, size = 0, len;
    char small[8];
    char* json;
    double v[2];
    int d[2];
    FILE* f;
    CHECK(ltv_compare_options_init(&o, sizeof o) == LTV_OK);
    CHECK(o.baseline == 1 && o.frequency_groups == 7 && o.models == NULL);
    o.models = "bgnbd, pnbd";
    o.baseline = 0;
    CHECK(ltv_compare_transactions(log, &so, &o, &e) == LTV_OK);
    CHECK(ltv_evaluation_counts(e, &rows, &customers, &best) == LTV_OK);
    CHECK(rows == 2);
    /* JSON, two-call pattern */
    CHECK(ltv_evaluation_to_json(e, NULL, 0, &size) == LTV_OK);
    CHECK(size > 100);
    CHECK(ltv_evaluation_to_json(e, small, sizeof small, &size) == LTV_ERR_BUFFER_TOO_SMALL);
    json = malloc(size);
    CHECK(ltv_evaluation_to_json(e, json, size, &size) == LTV_OK);
    CHECK(contains(json, "\"format\":\"ltv-evaluation\"") && contains(json, "\"pnbd\""));
    free(json);
    /* HTML */
    CHECK(ltv_evaluation_write_html(e, LTV_TEST_BINARY_DIR "/compare_c99.html", "C99", NULL) ==
          LTV_OK);
    f = fopen(LTV_TEST_BINARY_DIR "/compare_c99.html", "rb");
    CHECK(f != NULL);
    if (f) {
        char head[16] = {0};
        CHECK(fread(head, 1, 15, f) == 15);
        CHECK(strncmp(head, "<!DOCTYPE html>", 15) == 0);
        fclose(f);
    }
    CHECK(ltv_evaluation_write_html(e, "/nonexistent-dir/x/report.html", NULL, NULL) == LTV_ERR_IO);
    CHECK(contains(ltv_last_error(), "/nonexistent-dir/x/report.html"));
    /* Bad arguments */
    CHECK(ltv_evaluation_metrics(e, 0, v, d, 2) == LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(ltv_evaluation_metrics(e, 9, v, d, 2) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'row' = 9"));
    CHECK(ltv_evaluation_series(e, 99, 0, NULL, 0, &len) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'series' = 99"));
    CHECK(ltv_evaluation_series(e, LTV_SERIES_PREDICTIONS, 0, v, 2, &len) ==
          LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(ltv_evaluation_counts(NULL, &rows, &customers, &best) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'evaluation'"));
    CHECK(ltv_evaluation_free(NULL) == LTV_OK);
    ltv_evaluation_free(e);
    e = NULL;
    o.models = "bgnbd,,pnbd";
    CHECK(ltv_compare_transactions(log, &so, &o, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "empty name"));
    o.models = "bgbb";
    CHECK(ltv_compare_transactions(log, &so, &o, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "discrete-time"));
    o.models = NULL;
    o.penalizer = -1;
    CHECK(ltv_compare_transactions(log, &so, &o, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "options->penalizer"));
    o.penalizer = 0;
    o.struct_size = 4;
    CHECK(ltv_compare_transactions(log, &so, &o, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "struct_size"));
    /* No calibration end; a calibration end after the observation end */
    so.calibration_end = LTV_NO_DATE;
    CHECK(ltv_compare_transactions(log, &so, NULL, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "calibration_end"));
    CHECK(ltv_parse_date("1998-07-01", &so.calibration_end) == LTV_OK);
    CHECK(ltv_compare_transactions(log, &so, NULL, &e) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "1998-07-01"));
    CHECK(e == NULL);
    ltv_transactions_free(log);
}

int main(void) {
    test_table_equals_the_models_own_predictions();
    test_options_json_html_and_errors();
    if (failed) {
        fprintf(stderr, "c99 compare: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 compare: %d checks passed\n", passed);
    return 0;
}
