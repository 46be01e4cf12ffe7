/* SPDX-License-Identifier: Apache-2.0 */
/* Time zones through the C API (docs/summaries.md, "Dates, times and time zones"):
 * ltv_parse_date_in_zone, ltv_days_in_zone and ltv_read_options.time_zone, which a caller
 * compiled against the struct of 0.2.4 (without it) does not see. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ltv/ltv.h>

#include "support/check.h"

/* Day numbers: `date -u -d 2024-04-01 +%s` / 86400 = 19814; 2024-03-31 = 19813, 2024-03-30 =
 * 19812, 2023-12-31 = 19722, 2024-01-01 = 19723. */
#define D_2023_12_31 19722
#define D_2024_01_01 19723
#define D_2024_03_30 19812
#define D_2024_03_31 19813
#define D_2024_04_01 19814

static void test_parse_in_zone(void) {
    int32_t d = 0;
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30:00+02:00", "UTC", &d) == LTV_OK);
    CHECK(d == D_2023_12_31);
    CHECK(ltv_parse_date_in_zone("2023-12-31T23:30:00-02:00", "UTC", &d) == LTV_OK);
    CHECK(d == D_2024_01_01);
    /* No zone (NULL or ""): the date as written, as ltv_parse_date. */
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30:00+02:00", NULL, &d) == LTV_OK);
    CHECK(d == D_2024_01_01);
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30:00+02:00", "", &d) == LTV_OK);
    CHECK(d == D_2024_01_01);
    CHECK(ltv_parse_date("2024-01-01T00:30:00+02:00", &d) == LTV_OK && d == D_2024_01_01);
    /* The EU switch to summer time, 2024-03-31 01:00 UTC: 22:30Z is the next day in CEST. */
    CHECK(ltv_parse_date_in_zone("2024-03-30T22:30:00Z", "CET-1CEST,M3.5.0,M10.5.0/3", &d) ==
          LTV_OK);
    CHECK(d == D_2024_03_30);
    CHECK(ltv_parse_date_in_zone("2024-03-31T22:30:00Z", "CET-1CEST,M3.5.0,M10.5.0/3", &d) ==
          LTV_OK);
    CHECK(d == D_2024_04_01);
    /* A date alone is never converted. */
    CHECK(ltv_parse_date_in_zone("2024-03-31", "-08:00", &d) == LTV_OK && d == D_2024_03_31);
}

static void test_refused(void) {
    int32_t d = 12345;
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30Z", "Nowhere/Land", &d) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_parse_date_in_zone: argument 'zone' = 'Nowhere/Land'"));
    CHECK(d == 12345); /* nothing written on error */
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30Z", "+25:00", &d) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "'+25:00'"));
    CHECK(ltv_parse_date_in_zone("2024-01-01T00:30Z", "../../etc/passwd", &d) ==
          LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_parse_date_in_zone("2024-13-01T00:30Z", "UTC", &d) == LTV_ERR_PARSE);
    CHECK(contains(ltv_last_error(), "'2024-13-01T00:30Z'"));
    CHECK(ltv_parse_date_in_zone(NULL, "UTC", &d) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_parse_date_in_zone("2024-01-01", "UTC", NULL) == LTV_ERR_INVALID_ARGUMENT);
}

static void test_days_in_zone(void) {
    /* 2024-03-31T22:30:00Z = 1711924200 s (`date -u -d 2024-03-31T22:30:00Z +%s`). */
    const int64_t t[3] = {1711924200 - 86400, 1711924200, -1};
    int32_t out[3] = {0, 0, 0};
    CHECK(ltv_days_in_zone(t, 3, "CET-1CEST,M3.5.0,M10.5.0/3", out) == LTV_OK);
    CHECK(out[0] == D_2024_03_30 && out[1] == D_2024_04_01);
    CHECK(out[2] == 0); /* 1970-01-01T00:59:59 CET */
    CHECK(ltv_days_in_zone(t, 3, "-08:00", out) == LTV_OK);
    CHECK(out[1] == D_2024_03_31 && out[2] == -1);
    CHECK(ltv_days_in_zone(t, 3, NULL, out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'zone' is a null pointer"));
    CHECK(ltv_days_in_zone(t, 3, "", out) == LTV_ERR_INVALID_ARGUMENT);
    {
        const int64_t far[2] = {0, INT64_MAX};
        CHECK(ltv_days_in_zone(far, 2, "UTC", out) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(contains(ltv_last_error(), "'utc_seconds[1]' = 9223372036854775807"));
    }
    CHECK(ltv_days_in_zone(NULL, 2, "UTC", out) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_days_in_zone(NULL, 0, "UTC", NULL) == LTV_OK);
}

static const char* write_log(void) {
    static char path[512];
    FILE* f;
    snprintf(path, sizeof path, "%s/time_zone_log.csv", LTV_TEST_BINARY_DIR);
    f = fopen(path, "w");
    if (f == NULL) return NULL;
    fputs("customer_id,date,amount\n"
          "a,2024-03-31T22:30:00Z,1\n"
          "a,2024-03-30T22:30:00Z,2\n",
          f);
    fclose(f);
    return path;
}

static void test_read_options(void) {
    const char* path = write_log();
    ltv_read_options ro;
    ltv_summary_table* table = NULL;
    int32_t last[1] = {0};
    CHECK(path != NULL);
    if (path == NULL) return;
    CHECK(ltv_read_options_init(&ro, sizeof ro) == LTV_OK);
    CHECK(ro.time_zone == NULL);
    ro.time_zone = "CET-1CEST,M3.5.0,M10.5.0/3";
    CHECK(ltv_summarize_file(path, &ro, NULL, &table, NULL) == LTV_OK);
    CHECK(ltv_summary_table_days(table, LTV_SUMMARY_LAST_PURCHASE, last, 1) == LTV_OK);
    CHECK(last[0] == D_2024_04_01);
    ltv_summary_table_free(table);
    table = NULL;

    /* A 0.2.4 caller's struct ends before time_zone: whatever follows it is not read. */
    ro.struct_size = offsetof(ltv_read_options, time_zone);
    CHECK(ltv_summarize_file(path, &ro, NULL, &table, NULL) == LTV_OK);
    CHECK(ltv_summary_table_days(table, LTV_SUMMARY_LAST_PURCHASE, last, 1) == LTV_OK);
    CHECK(last[0] == D_2024_03_31);
    ltv_summary_table_free(table);
    table = NULL;

    ro.struct_size = sizeof ro;
    ro.time_zone = "Mars/Olympus_Mons";
    CHECK(ltv_summarize_file(path, &ro, NULL, &table, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "options->time_zone = 'Mars/Olympus_Mons'"));
    CHECK(table == NULL);
    remove(path);
}

int main(void) {
    test_parse_in_zone();
    test_refused();
    test_days_in_zone();
    test_read_options();
    if (failed) {
        fprintf(stderr, "c99 time_zone: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 time_zone: %d checks passed\n", passed);
    return 0;
}
