/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_segments.c — one model per segment through the C API (issue 13): the CDNOW sample
 * split into two segments by row parity; every segment's model equals a fit of its rows alone,
 * scores equal the segment model's own, the JSON round trip keeps everything, and bad input is
 * an error naming the row, label or segment. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "support/cdnow.h"
#include "support/check.h"

/* Labels "even" / "odd" by row, packed. */
static void parity_labels(size_t n, char** chars, size_t** offsets) {
    size_t i, at = 0;
    *chars = malloc(4 * n + 1);
    *offsets = malloc((n + 1) * sizeof **offsets);
    (*offsets)[0] = 0;
    for (i = 0; i < n; ++i) {
        const char* l = i % 2 ? "odd" : "even";
        memcpy(*chars + at, l, strlen(l));
        at += strlen(l);
        (*offsets)[i + 1] = at;
    }
}

static void test_fit_score_round_trip(void) {
    ltv_summary_table* t = cdnow_table();
    ltv_summary_info info;
    ltv_model* proto = NULL;
    ltv_segments *seg = NULL, *back = NULL;
    const ltv_model* m = NULL;
    const char* label = NULL;
    size_t n, i, count = 0, len = 0, customers = 0, size = 0, index = 0, half[2] = {0, 0};
    double *x, *tx, *T, *sub[2][3], *out, *out2, *expect, p_seg[4], p_alone[4];
    char* chars;
    char* json;
    size_t* offsets;
    int k, kind = 0, found = 0, same = 1;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    x = column(t, LTV_SUMMARY_FREQUENCY, n);
    tx = column(t, LTV_SUMMARY_RECENCY, n);
    T = column(t, LTV_SUMMARY_T, n);
    parity_labels(n, &chars, &offsets);
    for (k = 0; k < 2; ++k) {
        int c;
        for (c = 0; c < 3; ++c) sub[k][c] = malloc(n * sizeof(double));
    }
    for (i = 0; i < n; ++i) { /* k = 0: "even", 1: "odd" — also the label order */
        k = (int)(i % 2);
        sub[k][0][half[k]] = x[i];
        sub[k][1][half[k]] = tx[i];
        sub[k][2][half[k]] = T[i];
        ++half[k];
    }
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &proto) == LTV_OK);
    CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, NULL, &seg) == LTV_OK);
    CHECK(ltv_segments_count(seg, &count) == LTV_OK && count == 2);
    CHECK(ltv_segments_kind(seg, &kind) == LTV_OK && kind == LTV_MODEL_BGNBD);
    CHECK(ltv_segments_label(seg, 1, &label, &len) == LTV_OK && strcmp(label, "odd") == 0);
    CHECK(len == 3);
    CHECK(ltv_segments_customers(seg, 0, &customers) == LTV_OK && customers == half[0]);
    CHECK(ltv_segments_find(seg, "odd", 3, &index, &found) == LTV_OK && found && index == 1);
    CHECK(ltv_segments_find(seg, "od", 2, &index, &found) == LTV_OK && !found);
    CHECK(ltv_segments_pooled(seg, &m, NULL) == LTV_OK && m == NULL);
    /* Each segment's model: the subset fitted alone, bit for bit; the table's unit recorded. */
    for (k = 0; k < 2; ++k) {
        ltv_model* alone = NULL;
        const char* unit = NULL;
        CHECK(ltv_model_create(LTV_MODEL_BGNBD, &alone) == LTV_OK);
        CHECK(ltv_model_fit_rfm(alone, sub[k][0], sub[k][1], sub[k][2], NULL, half[k], NULL) ==
              LTV_OK);
        CHECK(ltv_segments_model(seg, (size_t)k, &m) == LTV_OK);
        CHECK(ltv_model_params(m, p_seg, 4) == LTV_OK);
        CHECK(ltv_model_params(alone, p_alone, 4) == LTV_OK);
        CHECK(memcmp(p_seg, p_alone, sizeof p_seg) == 0);
        CHECK(ltv_model_time_unit(m, &unit) == LTV_OK && strcmp(unit, "week") == 0);
        ltv_model_free(alone);
    }
    /* Scores: row i by its segment's model, as that model scores the subset. */
    out = malloc(n * sizeof *out);
    out2 = malloc(n * sizeof *out2);
    expect = malloc(n * sizeof *expect);
    CHECK(ltv_segments_score_summary(seg, t, chars, offsets, n, LTV_CAP_CONDITIONAL_PURCHASES, 39,
                                     out, n) == LTV_OK);
    CHECK(ltv_segments_score(seg, LTV_CAP_CONDITIONAL_PURCHASES, 39, x, tx, T, NULL, chars,
                             offsets, n, out2) == LTV_OK);
    for (k = 0; k < 2; ++k) {
        size_t j = 0;
        CHECK(ltv_segments_model(seg, (size_t)k, &m) == LTV_OK);
        CHECK(ltv_model_expected_purchases(m, 39, sub[k][0], sub[k][1], sub[k][2], half[k],
                                           expect) == LTV_OK);
        for (i = (size_t)k; i < n; i += 2, ++j) same &= out[i] == expect[j] && out2[i] == out[i];
    }
    CHECK(same);
    /* JSON round trip: the same scores. */
    CHECK(ltv_segments_to_json(seg, NULL, 0, &size) == LTV_OK && size > 100);
    json = malloc(size);
    CHECK(ltv_segments_to_json(seg, json, size, &size) == LTV_OK);
    CHECK(contains(json, "\"format\": \"ltv-segments\""));
    CHECK(ltv_segments_from_json(json, size - 1, &back) == LTV_OK);
    CHECK(ltv_segments_score(back, LTV_CAP_CONDITIONAL_PURCHASES, 39, x, tx, T, NULL, chars,
                             offsets, n, out2) == LTV_OK);
    CHECK(memcmp(out, out2, n * sizeof *out) == 0);
    CHECK(ltv_segments_save(back, "test_segments_c.json") == LTV_OK);
    ltv_segments_free(back);
    back = NULL;
    CHECK(ltv_segments_load("test_segments_c.json", &back) == LTV_OK);
    CHECK(ltv_segments_count(back, &count) == LTV_OK && count == 2);
    remove("test_segments_c.json");

    /* Errors. A label the fit did not see: the row and the label, and out untouched. */
    memcpy(chars + offsets[2], "evem", 4);
    out2[2] = -7;
    CHECK(ltv_segments_score(seg, LTV_CAP_P_ALIVE, 0, x, tx, T, NULL, chars, offsets, n, out2) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "customer row 2 has segment 'evem', which has no model"));
    CHECK(out2[2] == -7);
    memcpy(chars + offsets[2], "even", 4);
    /* A bad history names the input row (not the segment's) and the segment. */
    tx[5] = T[5] + 1;
    CHECK(ltv_segments_score(seg, LTV_CAP_P_ALIVE, 0, x, tx, T, NULL, chars, offsets, n, out2) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "segment 'odd'"));
    CHECK(contains(ltv_last_error(), "recency[5]"));
    tx[5] = T[5];
    /* A missing column, a capability the kind lacks, not a per-customer capability. */
    CHECK(ltv_segments_score(seg, LTV_CAP_P_ALIVE, 0, x, NULL, T, NULL, chars, offsets, n, out2) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "column 'recency' is missing"));
    CHECK(ltv_segments_score(seg, LTV_CAP_SPEND, 0, x, tx, T, NULL, chars, offsets, n, out2) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "spend is not available for the BG/NBD model"));
    CHECK(ltv_segments_score(seg, LTV_CAP_SIMULATE, 0, x, tx, T, NULL, chars, offsets, n, out2) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'capability'"));
    CHECK(ltv_segments_model(seg, 2, &m) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'index' = 2 is out of range; there are 2 segments"));
    CHECK(ltv_segments_count(NULL, &count) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_segments_free(NULL) == LTV_OK);
    /* A segment too small: named with its size. */
    {
        ltv_segments_options o;
        ltv_segments* bad = NULL;
        size_t small_offsets[4] = {0, 1, 2, 3};
        CHECK(ltv_segments_options_init(&o, sizeof o) == LTV_OK);
        CHECK(o.min_customers == 1 && o.pooled == 0 && o.threads == 0);
        o.min_customers = 2000;
        CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, &o, &bad) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "segment 'even' has 1179 customers, fewer than "
                                         "min_customers = 2000"));
        CHECK(bad == NULL);
        /* With a pooled model the small segments are scored by it. */
        o.pooled = 1;
        CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, &o, &bad) == LTV_OK);
        CHECK(ltv_segments_count(bad, &count) == LTV_OK && count == 0);
        CHECK(ltv_segments_pooled(bad, &m, &customers) == LTV_OK && m != NULL && customers == n);
        CHECK(ltv_segments_score(bad, LTV_CAP_P_ALIVE, 0, x, tx, T, NULL, chars, offsets, n,
                                 out2) == LTV_OK);
        CHECK(ltv_model_p_alive(m, x, tx, T, n, expect) == LTV_OK);
        CHECK(memcmp(out2, expect, n * sizeof *out2) == 0);
        ltv_segments_free(bad);
        /* A segment whose fit fails: three customers, one each. */
        CHECK(ltv_segments_fit(proto, x, tx, T, NULL, NULL, "abc", small_offsets, 3, NULL, NULL,
                               &bad) != LTV_OK);
        CHECK(contains(ltv_last_error(), "segment 'a' (1 customer)"));
        /* A sbg prototype: not per customer. */
        {
            ltv_model* sbg = NULL;
            CHECK(ltv_model_create(LTV_MODEL_SBG, &sbg) == LTV_OK);
            CHECK(ltv_segments_fit(sbg, x, tx, T, NULL, NULL, chars, offsets, n, NULL, NULL,
                                   &bad) == LTV_ERR_INVALID_ARGUMENT);
            CHECK(contains(ltv_last_error(), "cannot be fitted per segment"));
            ltv_model_free(sbg);
        }
    }
    /* Bad labels: decreasing offsets, an empty label. */
    offsets[3] = offsets[2] - 1;
    CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, NULL, &back) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "label_offsets[3]"));
    offsets[3] = offsets[2];
    CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, NULL, &back) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "the segment label of customer row 2 is empty"));
    CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n - 1, NULL, NULL, &back) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "the table has 2357 customers"));
    CHECK(ltv_segments_from_json("{}", 2, &back) == LTV_ERR_PARSE);
    CHECK(contains(ltv_last_error(), "not an ltv segments file"));

    ltv_segments_free(back);
    ltv_segments_free(seg);
    ltv_model_free(proto);
    for (k = 0; k < 2; ++k) {
        int c;
        for (c = 0; c < 3; ++c) free(sub[k][c]);
    }
    free(json);
    free(out);
    free(out2);
    free(expect);
    free(chars);
    free(offsets);
    free(x);
    free(tx);
    free(T);
    ltv_summary_table_free(t);
}

/* CLV per segment: each row's value is, bit for bit, ltv_customer_lifetime_value of its segment's
 * rows with its segment's models (a segmented Gamma-Gamma, or one Gamma-Gamma for all). */
static void test_clv(void) {
    ltv_summary_table* t = cdnow_table();
    ltv_summary_info info;
    ltv_model *proto = NULL, *gg_proto = NULL, *gg_all = NULL;
    ltv_segments *seg = NULL, *gg = NULL;
    const ltv_model *tm = NULL, *sm = NULL;
    ltv_clv_options o;
    size_t n, i, m = 0, at = 0, half[2] = {0, 0};
    double *x, *tx, *T, *z, *fx, *fz, *out, *out_one, *out_sum, *sub[2][4], *expect;
    char *chars, *fchars;
    size_t *offsets, *foffsets;
    int k, same = 1, same_one = 1, differs = 0;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    n = info.customers;
    x = column(t, LTV_SUMMARY_FREQUENCY, n);
    tx = column(t, LTV_SUMMARY_RECENCY, n);
    T = column(t, LTV_SUMMARY_T, n);
    z = column(t, LTV_SUMMARY_MONETARY_VALUE, n);
    parity_labels(n, &chars, &offsets);
    /* the repeat buyers and their labels, for the spend models */
    fx = malloc(n * sizeof *fx);
    fz = malloc(n * sizeof *fz);
    fchars = malloc(4 * n + 1);
    foffsets = malloc((n + 1) * sizeof *foffsets);
    foffsets[0] = 0;
    for (i = 0; i < n; ++i) {
        const char* l = i % 2 ? "odd" : "even";
        if (x[i] == 0) continue;
        fx[m] = x[i];
        fz[m] = z[i];
        memcpy(fchars + at, l, strlen(l));
        at += strlen(l);
        foffsets[++m] = at;
    }
    for (k = 0; k < 2; ++k) {
        int c;
        for (c = 0; c < 4; ++c) sub[k][c] = malloc(n * sizeof(double));
    }
    for (i = 0; i < n; ++i) {
        k = (int)(i % 2);
        sub[k][0][half[k]] = x[i];
        sub[k][1][half[k]] = tx[i];
        sub[k][2][half[k]] = T[i];
        sub[k][3][half[k]] = z[i];
        ++half[k];
    }
    out = malloc(n * sizeof *out);
    out_one = malloc(n * sizeof *out_one);
    out_sum = malloc(n * sizeof *out_sum);
    expect = malloc(n * sizeof *expect);
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &proto) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &gg_proto) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &gg_all) == LTV_OK);
    CHECK(ltv_segments_fit_summary(proto, t, chars, offsets, n, NULL, NULL, &seg) == LTV_OK);
    CHECK(ltv_segments_fit(gg_proto, fx, NULL, NULL, fz, NULL, fchars, foffsets, m, NULL, NULL,
                           &gg) == LTV_OK);
    CHECK(ltv_model_fit_spend(gg_all, fx, fz, NULL, m, NULL) == LTV_OK);
    CHECK(ltv_clv_options_init(&o, sizeof o) == LTV_OK);
    o.periods = 6;
    o.period_length = 4.345;
    o.discount_rate = 0.01;
    CHECK(ltv_segments_customer_lifetime_value(seg, gg, NULL, x, tx, T, z, chars, offsets, n, &o,
                                               out) == LTV_OK);
    CHECK(ltv_segments_customer_lifetime_value(seg, NULL, gg_all, x, tx, T, z, chars, offsets, n,
                                               &o, out_one) == LTV_OK);
    CHECK(ltv_segments_customer_lifetime_value_summary(seg, gg, NULL, t, chars, offsets, n, &o,
                                                       out_sum, n) == LTV_OK);
    CHECK(memcmp(out, out_sum, n * sizeof *out) == 0);
    for (k = 0; k < 2; ++k) { /* segment k: "even" (k = 0) or "odd" */
        size_t j;
        CHECK(ltv_segments_model(seg, (size_t)k, &tm) == LTV_OK);
        CHECK(ltv_segments_model(gg, (size_t)k, &sm) == LTV_OK);
        CHECK(ltv_customer_lifetime_value(tm, sm, sub[k][0], sub[k][1], sub[k][2], sub[k][3],
                                          half[k], &o, expect) == LTV_OK);
        for (j = 0; j < half[k]; ++j) same &= out[2 * j + (size_t)k] == expect[j];
        CHECK(ltv_customer_lifetime_value(tm, gg_all, sub[k][0], sub[k][1], sub[k][2], sub[k][3],
                                          half[k], &o, expect) == LTV_OK);
        for (j = 0; j < half[k]; ++j) {
            same_one &= out_one[2 * j + (size_t)k] == expect[j];
            differs |= out[2 * j + (size_t)k] != expect[j];
        }
    }
    CHECK(same);
    CHECK(same_one);
    CHECK(differs); /* the segments' own spend models were used */
    /* NULL options: the defaults; exactly one spend model; a label without a spend model. */
    CHECK(ltv_segments_customer_lifetime_value(seg, gg, NULL, x, tx, T, z, chars, offsets, n, NULL,
                                               out) == LTV_OK);
    CHECK(ltv_segments_customer_lifetime_value(seg, gg, gg_all, x, tx, T, z, chars, offsets, n,
                                               &o, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "give exactly one of 'spend_segments' and 'spend_model'"));
    CHECK(ltv_segments_customer_lifetime_value(seg, NULL, NULL, x, tx, T, z, chars, offsets, n,
                                               &o, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_segments_customer_lifetime_value(NULL, gg, NULL, x, tx, T, z, chars, offsets, n, &o,
                                               out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'transaction' is a null pointer"));
    CHECK(ltv_segments_customer_lifetime_value(seg, NULL, proto, x, tx, T, z, chars, offsets, n,
                                               &o, out) != LTV_OK);
    CHECK(ltv_segments_customer_lifetime_value(seg, gg, NULL, x, tx, T, NULL, chars, offsets, n,
                                               &o, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "monetary_value"));
    {
        size_t three[4] = {0, 4, 7, 11};
        double keep = out[0];
        CHECK(ltv_segments_customer_lifetime_value(seg, gg, NULL, x, tx, T, z, "evenoddwest",
                                                   three, 3, &o, out) ==
              LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "customer row 2 has segment 'west', which has no model"));
        CHECK(out[0] == keep); /* written only on success */
    }
    o.period_length = -1;
    CHECK(ltv_segments_customer_lifetime_value(seg, gg, NULL, x, tx, T, z, chars, offsets, n, &o,
                                               out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "period_length"));
    CHECK(ltv_segments_customer_lifetime_value_summary(seg, gg, NULL, t, chars, offsets, n, NULL,
                                                       out_sum, n - 1) == LTV_ERR_BUFFER_TOO_SMALL);

    ltv_segments_free(seg);
    ltv_segments_free(gg);
    ltv_model_free(proto);
    ltv_model_free(gg_proto);
    ltv_model_free(gg_all);
    for (k = 0; k < 2; ++k) {
        int c;
        for (c = 0; c < 4; ++c) free(sub[k][c]);
    }
    free(x);
    free(tx);
    free(T);
    free(z);
    free(fx);
    free(fz);
    free(fchars);
    free(foffsets);
    free(chars);
    free(offsets);
    free(out);
    free(out_one);
    free(out_sum);
    free(expect);
    ltv_summary_table_free(t);
}

int main(void) {
    test_fit_score_round_trip();
    test_clv();
    if (failed) {
        fprintf(stderr, "c99 segments: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 segments: %d checks passed\n", passed);
    return 0;
}
