/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_integer_ids.c — issue 13 through the C API from strict C99: 64-bit integer
 * customer ids (ltv_summary_add_int64, ltv_transactions_add_int64 and the *_ids_int64 readers:
 * the same customers and results as the ids' canonical text, refusals naming the customer and
 * the id, nothing written or added on error) and merged summary states (ltv_summary_merge:
 * customer partitions and time partitions equal one state, overlaps counted as unverified,
 * option mismatches and self-merges refused with `into` unchanged). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cdnow.h"
#include "support/check.h"

#define ROWS 3000

/* A deterministic log: ROWS rows over 400 customers (ids spread over the int64 range, negative
 * ones included), days in 2020–2021, whole amounts (sums exact in any order). */
static int64_t ids[ROWS];
static int32_t days[ROWS];
static double amounts[ROWS];

static void make_log(void) {
    uint64_t x = 88172645463325252ull;
    int i;
    int32_t start = 0;
    CHECK(ltv_parse_date("2020-01-01", &start) == LTV_OK);
    for (i = 0; i < ROWS; ++i) {
        int64_t c;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        c = (int64_t)(x % 400);
        ids[i] = c % 3 == 0 ? -c * 1000003 : c * 1000000007LL + (c == 1 ? INT64_MAX - 2000000014LL : 0);
        days[i] = start + (int32_t)((x >> 20) % 700);
        amounts[i] = (double)((x >> 40) % 200);
    }
}

/* ids[i] as canonical text packed (chars, offsets). */
static void pack(const int64_t* v, size_t n, char* chars, size_t* offsets) {
    size_t i, pos = 0;
    for (i = 0; i < n; ++i) {
        offsets[i] = pos;
        pos += (size_t)sprintf(chars + pos, "%lld", (long long)v[i]);
    }
    offsets[n] = pos;
}

static int64_t part_ids[ROWS];
static int32_t part_days[ROWS];
static double part_amounts[ROWS];

static ltv_summary* new_summary(const ltv_summary_options* o) {
    ltv_summary* s = NULL;
    CHECK(ltv_summary_create(o, &s) == LTV_OK);
    return s;
}

/* The columns of two summaries, customer by customer (b's row found by id); exact. */
static int same_summary(ltv_summary* a, ltv_summary* b) {
    ltv_summary_table *ta = NULL, *tb = NULL;
    ltv_summary_info ia, ib;
    int ok = 1, col;
    size_t i, j, n;
    int64_t *ida, *idb;
    double *ca, *cb;
    CHECK(ltv_summary_result(a, &ta) == LTV_OK);
    CHECK(ltv_summary_result(b, &tb) == LTV_OK);
    ia.struct_size = sizeof ia;
    ib.struct_size = sizeof ib;
    CHECK(ltv_summary_table_info(ta, &ia) == LTV_OK);
    CHECK(ltv_summary_table_info(tb, &ib) == LTV_OK);
    n = ia.customers;
    if (n != ib.customers) ok = 0;
    ida = malloc((n + 1) * sizeof *ida);
    idb = malloc((n + 1) * sizeof *idb);
    ca = malloc((n + 1) * sizeof *ca);
    cb = malloc((n + 1) * sizeof *cb);
    CHECK(ltv_summary_table_ids_int64(ta, ida, n) == LTV_OK);
    CHECK(ltv_summary_table_ids_int64(tb, idb, n) == LTV_OK);
    for (col = LTV_SUMMARY_FREQUENCY; ok && col <= LTV_SUMMARY_MONETARY_VALUE_HOLDOUT; ++col) {
        if (col >= LTV_SUMMARY_FREQUENCY_HOLDOUT && !ia.has_holdout) break;
        CHECK(ltv_summary_table_column(ta, col, ca, n) == LTV_OK);
        CHECK(ltv_summary_table_column(tb, col, cb, n) == LTV_OK);
        for (i = 0; ok && i < n; ++i) {
            for (j = 0; j < n && idb[j] != ida[i]; ++j) {
            }
            if (j == n || ca[i] != cb[j]) {
                fprintf(stderr, "customer %lld differs in column %d\n", (long long)ida[i], col);
                ok = 0;
            }
        }
    }
    free(ida), free(idb), free(ca), free(cb);
    ltv_summary_table_free(ta);
    ltv_summary_table_free(tb);
    return ok;
}

static void test_int64_add_and_read(void) {
    ltv_summary_options o;
    ltv_summary *by_int, *by_text;
    ltv_summary_table* t = NULL;
    ltv_transactions* log = NULL;
    static char chars[ROWS * 21];
    static size_t offsets[ROWS + 1];
    int64_t out[4] = {-1, -1, -1, -1};
    size_t customers = 0, customers_text = 0, rows = 0;
    uint64_t transactions = 0;
    CHECK(ltv_summary_options_init(&o, sizeof o) == LTV_OK);
    CHECK(ltv_parse_date("2021-03-31", &o.calibration_end) == LTV_OK);
    by_int = new_summary(&o);
    by_text = new_summary(&o);
    pack(ids, ROWS, chars, offsets);
    /* two batches each */
    CHECK(ltv_summary_add_int64(by_int, ids, days, amounts, ROWS / 2) == LTV_OK);
    CHECK(ltv_summary_add_int64(by_int, ids + ROWS / 2, days + ROWS / 2, amounts + ROWS / 2,
                                ROWS - ROWS / 2) == LTV_OK);
    CHECK(ltv_summary_add(by_text, chars, offsets, days, amounts, ROWS / 2) == LTV_OK);
    CHECK(ltv_summary_add(by_text, chars, offsets + ROWS / 2, days + ROWS / 2, amounts + ROWS / 2,
                          ROWS - ROWS / 2) == LTV_OK);
    CHECK(ltv_summary_counts(by_int, &customers, &transactions, NULL) == LTV_OK);
    CHECK(ltv_summary_counts(by_text, &customers_text, NULL, NULL) == LTV_OK);
    CHECK(customers == 400 && customers_text == 400 && transactions == ROWS);
    CHECK(same_summary(by_int, by_text));
    /* the text "…" of an integer id is that customer: one more row of ids[0] as text */
    {
        size_t one[2] = {0, 0};
        char text[24];
        one[1] = (size_t)sprintf(text, "%lld", (long long)ids[0]);
        CHECK(ltv_summary_add(by_int, text, one, days, amounts, 1) == LTV_OK);
        CHECK(ltv_summary_counts(by_int, &customers, NULL, NULL) == LTV_OK);
        CHECK(customers == 400);
    }
    /* the readers: first-seen order, first id is ids[0] */
    CHECK(ltv_summary_result(by_int, &t) == LTV_OK);
    {
        int64_t* all = malloc(400 * sizeof *all);
        CHECK(ltv_summary_table_ids_int64(t, all, 400) == LTV_OK);
        CHECK(all[0] == ids[0]);
        CHECK(ltv_summary_table_ids_int64(t, out, 4) == LTV_ERR_BUFFER_TOO_SMALL);
        /* 396: customers whose first purchase is in the holdout are not in the table */
        CHECK(contains(ltv_last_error(), "holds 4 entries but 396 are needed"));
        CHECK(out[0] == -1);
        CHECK(ltv_summary_table_ids_int64(t, NULL, 400) == LTV_ERR_INVALID_ARGUMENT);
        free(all);
    }
    ltv_summary_table_free(t);

    /* bad rows: named, nothing added */
    {
        const int64_t two[2] = {5, 6};
        const int32_t bad_days[2] = {0, 99999999};
        const double bad_amounts[2] = {1, NAN};
        CHECK(ltv_summary_add_int64(by_int, two, days, bad_amounts, 2) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "ltv_summary_add_int64: argument 'amounts[1]' = nan"));
        CHECK(ltv_summary_add_int64(by_int, two, bad_days, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "argument 'days[1]' = 99999999 is not a supported day"));
        CHECK(ltv_summary_add_int64(by_int, NULL, days, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "argument 'ids' is a null pointer"));
        CHECK(ltv_summary_add_int64(NULL, two, days, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(ltv_summary_counts(by_int, &customers, &transactions, NULL) == LTV_OK);
        CHECK(customers == 400 && transactions == ROWS + 1);
        CHECK(ltv_summary_add_int64(by_int, NULL, NULL, NULL, 0) == LTV_OK);
    }
    ltv_summary_free(by_int);
    ltv_summary_free(by_text);

    /* ids that are not canonical int64 text: CDNOW_sample writes them "0001" */
    {
        ltv_read_options ro;
        ltv_summary_options so;
        CHECK(cdnow_sample_options(&ro, &so) == LTV_OK);
        CHECK(ltv_summarize_file(CDNOW_SAMPLE_PATH, &ro, &so, &t, NULL) == LTV_OK);
        out[0] = -1;
        CHECK(ltv_summary_table_ids_int64(t, out, 4) == LTV_ERR_BUFFER_TOO_SMALL);
        {
            int64_t* all = malloc(3000 * sizeof *all);
            all[0] = -1;
            CHECK(ltv_summary_table_ids_int64(t, all, 3000) == LTV_ERR_INVALID_ARGUMENT);
            CHECK(contains(ltv_last_error(), "ltv_summary_table_ids_int64: customer 0 has the id "
                                             "'0001', which has a leading zero"));
            CHECK(all[0] == -1); /* nothing written */
            free(all);
        }
        ltv_summary_table_free(t);
    }

    /* transaction logs: integer and text ids mixed, read back as int64 */
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    CHECK(ltv_transactions_add_int64(log, ids, days, amounts, ROWS) == LTV_OK);
    {
        const char* text = "-77";
        const size_t off[2] = {0, 3};
        int64_t* all = malloc(403 * sizeof *all);
        int64_t last = 0;
        CHECK(ltv_transactions_add(log, text, off, days, NULL, 1) == LTV_OK);
        CHECK(ltv_transactions_add_int64(log, &last, days, NULL, 1) == LTV_OK);
        CHECK(ltv_transactions_counts(log, &customers, &rows) == LTV_OK);
        CHECK(customers == 401 && rows == ROWS + 2); /* 0 was one of ids[] */
        CHECK(ltv_transactions_ids_int64(log, all, 401) == LTV_OK);
        CHECK(all[0] == ids[0] && all[400] == -77);
        /* a text id that is no integer: refused, naming it */
        {
            const char* abc = "abc";
            const size_t off3[2] = {0, 3};
            CHECK(ltv_transactions_add(log, abc, off3, days, NULL, 1) == LTV_OK);
            all[0] = 12345;
            CHECK(ltv_transactions_ids_int64(log, all, 402) == LTV_ERR_INVALID_ARGUMENT);
            CHECK(contains(ltv_last_error(), "customer 401 has the id 'abc', which is not a "
                                             "decimal integer"));
            CHECK(all[0] == 12345);
        }
        {
            const int32_t bad_day = INT32_MIN;
            CHECK(ltv_transactions_add_int64(log, &last, &bad_day, NULL, 1) ==
                  LTV_ERR_INVALID_ARGUMENT);
            CHECK(ltv_transactions_counts(log, NULL, &rows) == LTV_OK);
            CHECK(rows == ROWS + 3);
        }
        free(all);
    }
    ltv_transactions_free(log);
}

static void test_merge(void) {
    ltv_summary_options o;
    ltv_summary *all, *parts[3], *early, *late, *other;
    int k, i;
    int32_t cut = 0;
    uint64_t unverified = 1, transactions = 0;
    size_t customers = 0;
    CHECK(ltv_summary_options_init(&o, sizeof o) == LTV_OK);
    CHECK(ltv_parse_date("2021-06-30", &o.observation_end) == LTV_OK);
    CHECK(ltv_parse_date("2021-03-31", &o.calibration_end) == LTV_OK);
    o.merge = LTV_MERGE_WEEK;
    all = new_summary(&o);
    CHECK(ltv_summary_add_int64(all, ids, days, amounts, ROWS) == LTV_OK);

    /* customer partitions (by id mod 3), merged: equal to one state, nothing unverified */
    for (k = 0; k < 3; ++k) {
        size_t m = 0;
        parts[k] = new_summary(&o);
        for (i = 0; i < ROWS; ++i)
            if ((ids[i] % 3 + 3) % 3 == k) part_ids[m] = ids[i], part_days[m] = days[i],
                                           part_amounts[m++] = amounts[i];
        CHECK(ltv_summary_add_int64(parts[k], part_ids, part_days, part_amounts, m) == LTV_OK);
    }
    CHECK(ltv_summary_merge(parts[0], parts[1]) == LTV_OK);
    CHECK(ltv_summary_merge(parts[0], parts[2]) == LTV_OK);
    CHECK(ltv_summary_counts(parts[0], &customers, &transactions, &unverified) == LTV_OK);
    CHECK(customers == 400 && transactions == ROWS && unverified == 0);
    CHECK(same_summary(parts[0], all));

    /* time partitions, merged either way round: exact (whole amounts: sums exact too) */
    CHECK(ltv_parse_date("2020-09-16", &cut) == LTV_OK); /* a Wednesday: its week straddles it */
    for (k = 0; k < 2; ++k) {
        size_t m = 0, l = ROWS;
        early = new_summary(&o);
        late = new_summary(&o);
        for (i = 0; i < ROWS; ++i) { /* early rows from the front, late ones from the back */
            const size_t at = days[i] <= cut + 3 * k ? m++ : --l;
            part_ids[at] = ids[i], part_days[at] = days[i], part_amounts[at] = amounts[i];
        }
        CHECK(ltv_summary_add_int64(early, part_ids, part_days, part_amounts, m) == LTV_OK);
        CHECK(ltv_summary_add_int64(late, part_ids + m, part_days + m, part_amounts + m, ROWS - m) ==
              LTV_OK);
        CHECK(ltv_summary_merge(k == 0 ? early : late, k == 0 ? late : early) == LTV_OK);
        CHECK(ltv_summary_counts(k == 0 ? early : late, NULL, &transactions, &unverified) == LTV_OK);
        CHECK(transactions == ROWS && unverified == 0);
        CHECK(same_summary(k == 0 ? early : late, all));
        ltv_summary_free(early);
        ltv_summary_free(late);
    }

    /* overlapping: a purchase between into's first and last weeks is unverified */
    {
        const int64_t c = 42;
        int32_t d[3];
        const double a[3] = {1, 1, 1};
        ltv_summary *x = new_summary(&o), *y = new_summary(&o);
        CHECK(ltv_parse_date("2020-01-06", &d[0]) == LTV_OK);
        d[1] = d[0] + 14;
        d[2] = d[0] + 28;
        CHECK(ltv_summary_add_int64(x, &c, d, a, 1) == LTV_OK);
        CHECK(ltv_summary_add_int64(x, &c, d + 2, a, 1) == LTV_OK);
        CHECK(ltv_summary_add_int64(y, &c, d + 1, a, 1) == LTV_OK);
        CHECK(ltv_summary_merge(x, y) == LTV_OK);
        CHECK(ltv_summary_counts(x, &customers, &transactions, &unverified) == LTV_OK);
        CHECK(customers == 1 && transactions == 3 && unverified == 1);
        ltv_summary_free(x);
        ltv_summary_free(y);
    }

    /* refusals: other options, itself, NULL; `into` unchanged */
    o.time_unit_days = 7;
    other = new_summary(&o);
    CHECK(ltv_summary_add_int64(other, ids, days, amounts, 10) == LTV_OK);
    CHECK(ltv_summary_merge(all, other) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "summary_state::merge: the states' options differ: "
                                     "unit.days is 1 in this state but 7 in the state merged"));
    CHECK(ltv_summary_merge(all, all) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "cannot be merged into itself"));
    CHECK(ltv_summary_merge(all, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_summary_merge: argument 'from' is a null pointer"));
    CHECK(ltv_summary_merge(NULL, all) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_summary_counts(all, &customers, &transactions, &unverified) == LTV_OK);
    CHECK(customers == 400 && transactions == ROWS && unverified == 0);
    CHECK(same_summary(parts[0], all));

    ltv_summary_free(other);
    for (k = 0; k < 3; ++k) ltv_summary_free(parts[k]);
    ltv_summary_free(all);
}

int main(void) {
    make_log();
    test_int64_add_and_read();
    test_merge();
    if (failed) {
        fprintf(stderr, "c99 integer_ids: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 integer_ids: %d checks passed\n", passed);
    return 0;
}
