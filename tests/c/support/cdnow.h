/* SPDX-License-Identifier: Apache-2.0 */
/* The C99 tests' one way to read tests/data/CDNOW_sample.txt (tests/data/SOURCES.md):
 * whitespace-separated, no header; field 2 = customer id, 3 = date, 5 = amount; observed to
 * 1997-09-30 in weeks, as lifetimes' cdnow_customers_summary*.csv were made. */
#ifndef LTV_TESTS_C_CDNOW_H
#define LTV_TESTS_C_CDNOW_H

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

#endif
