/* SPDX-License-Identifier: Apache-2.0 */
/* The C99 tests' one way to read tests/data/CDNOW_sample.txt (tests/data/SOURCES.md):
 * whitespace-separated, no header; field 2 = customer id, 3 = date, 5 = amount; observed to
 * 1997-09-30 in weeks, as lifetimes' cdnow_customers_summary*.csv were made. */
#ifndef LTV_TESTS_C_CDNOW_H
#define LTV_TESTS_C_CDNOW_H

#include <stdlib.h>

#include "check.h"

#define CDNOW_SAMPLE_PATH LTV_TEST_DATA_DIR "/CDNOW_sample.txt"

/* Initialises *ro and *so (their own sizes) for CDNOW_sample; LTV_OK or the failing status. */
static inline int cdnow_sample_options(ltv_read_options* ro, ltv_summary_options* so) {
    int rc = ltv_read_options_init(ro, sizeof *ro);
    if (rc != LTV_OK) return rc;
    ro->delimiter = ' ';
    ro->header = 0;
    ro->customer_index = 1;
    ro->date_index = 2;
    ro->amount_index = 4;
    rc = ltv_summary_options_init(so, sizeof *so);
    if (rc != LTV_OK) return rc;
    rc = ltv_parse_date("1997-09-30", &so->observation_end);
    if (rc != LTV_OK) return rc;
    so->time_unit_days = 7;
    return LTV_OK;
}

/* The summary table of CDNOW_sample (the caller frees it with ltv_summary_table_free). */
static inline ltv_summary_table* cdnow_table(void) {
    ltv_read_options ro;
    ltv_summary_options so;
    ltv_summary_table* t = NULL;
    CHECK(cdnow_sample_options(&ro, &so) == LTV_OK);
    CHECK(ltv_summarize_file(CDNOW_SAMPLE_PATH, &ro, &so, &t, NULL) == LTV_OK);
    return t;
}

/* A malloc'ed copy of the table's column c (n rows; the caller frees it). */
static inline double* column(const ltv_summary_table* t, int c, size_t n) {
    double* v = malloc(n * sizeof *v);
    CHECK(v != NULL && ltv_summary_table_column(t, c, v, n) == LTV_OK);
    return v;
}

#endif
