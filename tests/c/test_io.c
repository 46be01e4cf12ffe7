/* SPDX-License-Identifier: Apache-2.0 */
/* tests/c/test_io.c — transaction files and summary state files through the C API (issue 8).
 *
 *  - D2: a failed ltv_summary_add_file leaves the summary unchanged (all rows or none).
 *  - D5: ltv_summary_save under a file size limit keeps the previous file intact and loadable.
 *  - D9: ltv_summary_load refuses a state file whose checksum is valid but whose values are not.
 *  - D10: day numbers of ltv_summary_add(_strings), ltv_transactions_add and the summary options
 *    are range-checked, the message naming the row.
 *  - D12: ltv_summarize_file fails with LTV_ERR_IO when the file changes between its passes.
 *  - D15: ltv_read_options.max_record_bytes (default 1 MiB; honoured only when struct_size
 *    covers it).
 *  - D14: summary sums that overflow are LTV_ERR_DOMAIN naming customer and column; the
 *    summary is unchanged; every value ltv_summary_table_column copies is finite.
 *  - time_unit_days outside [1e-6, 1e7] and a calibration end after the implied observation
 *    end are refused (fuzz findings); the id copiers write nothing on error.
 * Ends with "c99 io: N checks passed". */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ltv/ltv.h"

#include "support/check.h"

/* A path in the temporary directory, unique to this process. */
static void temp_path(char* out, size_t size, const char* name) {
    const char* dir = getenv("TMPDIR");
    snprintf(out, size, "%s/ltv_c_io_%ld_%s", dir != NULL && *dir != '\0' ? dir : "/tmp",
             (long)getpid(), name);
}

static int write_text(const char* path, const char* text, size_t n) {
    FILE* f = fopen(path, "wb");
    size_t written;
    if (f == NULL) return 0;
    written = fwrite(text, 1, n, f);
    return fclose(f) == 0 && written == n;
}

/* The whole file into a malloc'ed buffer (*size bytes); NULL if it cannot be read. */
static char* read_all(const char* path, size_t* size) {
    FILE* f = fopen(path, "rb");
    char* buf = NULL;
    size_t n = 0, cap = 0, got;
    if (f == NULL) return NULL;
    for (;;) {
        if (n == cap) {
            char* bigger = (char*)realloc(buf, cap ? 2 * cap : 4096);
            if (bigger == NULL) break;
            buf = bigger;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *size = n;
    return buf;
}

/* "customer_id,date,amount" and `rows` rows for customers c0..c4, dates from 2020-01-01; row
 * `bad_row` (0-based; −1 = none) has the impossible date 2020-02-30. Returns the length. */
static size_t numbered_log(char* out, size_t size, int rows, int bad_row) {
    size_t n = (size_t)snprintf(out, size, "customer_id,date,amount\n");
    int i;
    for (i = 0; i < rows && n < size; ++i) {
        if (i == bad_row)
            n += (size_t)snprintf(out + n, size - n, "c%d,2020-02-30,%d.25\n", i % 5, i + 1);
        else
            n += (size_t)snprintf(out + n, size - n, "c%d,2020-%02d-%02d,%d.25\n", i % 5,
                                  1 + i / 28, 1 + i % 28, i + 1);
    }
    return n;
}

/* D2: 40 good rows then a bad date gave PARSE with 24 rows already in the state; the retry with
 * the fixed file then counted 71 transactions instead of 47. */
static void test_add_file_all_or_nothing(void) {
    char bad[256], good[256], text[8192];
    size_t n, customers = 99;
    uint64_t transactions = 99;
    int prior;
    temp_path(bad, sizeof bad, "d2_bad.csv");
    temp_path(good, sizeof good, "d2_good.csv");
    n = numbered_log(text, sizeof text, 47, 40);
    CHECK(write_text(bad, text, n));
    n = numbered_log(text, sizeof text, 47, -1);
    CHECK(write_text(good, text, n));
    for (prior = 0; prior <= 1; ++prior) {
        ltv_summary* s = NULL;
        const char* old_id[1] = {"old"};
        const int32_t old_day[1] = {18000};
        CHECK(ltv_summary_create(NULL, &s) == LTV_OK);
        if (prior) CHECK(ltv_summary_add_strings(s, old_id, old_day, NULL, 1) == LTV_OK);
        CHECK(ltv_summary_add_file(s, bad, NULL, NULL) == LTV_ERR_PARSE);
        CHECK(contains(ltv_last_error(), ":42: column 2 ('date'): cannot parse '2020-02-30'"));
        CHECK(ltv_summary_counts(s, &customers, &transactions, NULL) == LTV_OK);
        CHECK(customers == (size_t)prior && transactions == (uint64_t)prior);
        CHECK(ltv_summary_add_file(s, good, NULL, NULL) == LTV_OK);
        CHECK(ltv_summary_counts(s, &customers, &transactions, NULL) == LTV_OK);
        CHECK(customers == (size_t)(5 + prior));
        CHECK(transactions == (uint64_t)(47 + prior));
        ltv_summary_free(s);
    }
    remove(bad);
    remove(good);
}

/* D5: a failed write (full disk) corrupted the previous state file. RLIMIT_FSIZE makes write()
 * fail with EFBIG after 4 KiB; the save runs in a child so that the limit stays there. */
static void test_save_is_atomic(void) {
    char path[256], id[32];
    char* before;
    char* after;
    size_t before_size = 0, after_size = 0, customers = 0;
    ltv_summary* small = NULL;
    ltv_summary* big = NULL;
    ltv_summary* back = NULL;
    const char* one[1] = {"a"};
    const int32_t day[1] = {18262};
    int i, added, status = -1;
    pid_t child;
    temp_path(path, sizeof path, "d5_state.bin");
    CHECK(ltv_summary_create(NULL, &small) == LTV_OK);
    CHECK(ltv_summary_add_strings(small, one, day, NULL, 1) == LTV_OK);
    CHECK(ltv_summary_save(small, path) == LTV_OK);
    before = read_all(path, &before_size);
    CHECK(before != NULL && before_size > 0 && before_size < 4096);
    CHECK(ltv_summary_create(NULL, &big) == LTV_OK);
    for (i = 0, added = 0; i < 2000; ++i) {
        const char* ids[1];
        int32_t d[1];
        snprintf(id, sizeof id, "customer-%d", i);
        ids[0] = id;
        d[0] = 18262 + i % 300;
        added += ltv_summary_add_strings(big, ids, d, NULL, 1) == LTV_OK;
    }
    CHECK(added == 2000); /* about 70 KB saved: far beyond the 4 KiB limit below */
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        struct rlimit lim;
        int rc;
        signal(SIGXFSZ, SIG_IGN);
        lim.rlim_cur = lim.rlim_max = 4096;
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(3);
        rc = ltv_summary_save(big, path);
        _exit(rc == LTV_ERR_IO && contains(ltv_last_error(), "File too large") ? 0 : 1);
    }
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    after = read_all(path, &after_size);
    CHECK(after != NULL && after_size == before_size && memcmp(after, before, before_size) == 0);
    CHECK(ltv_summary_load(path, &back) == LTV_OK);
    CHECK(ltv_summary_counts(back, &customers, NULL, NULL) == LTV_OK && customers == 1);
    /* Without the limit the save replaces it. */
    CHECK(ltv_summary_save(big, path) == LTV_OK);
    ltv_summary_free(back);
    back = NULL;
    CHECK(ltv_summary_load(path, &back) == LTV_OK);
    CHECK(ltv_summary_counts(back, &customers, NULL, NULL) == LTV_OK && customers == 2000);
    CHECK(ltv_summary_save(big, "/nonexistent-dir/state.bin") == LTV_ERR_IO);
    CHECK(contains(ltv_last_error(), "cannot write '/nonexistent-dir/state.bin'"));
    free(before);
    free(after);
    ltv_summary_free(small);
    ltv_summary_free(big);
    ltv_summary_free(back);
    remove(path);
}

static uint64_t fnv1a64(const unsigned char* p, size_t n) {
    uint64_t h = 14695981039346656037ULL;
    size_t i;
    for (i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* D9: a state file with a valid checksum and negative occasions loaded and gave frequency −6. */
static void test_load_validates_records(void) {
    char path[256];
    unsigned char* bytes;
    size_t size = 0;
    ltv_summary* s = NULL;
    ltv_summary* back = (ltv_summary*)&size; /* must stay untouched on error */
    ltv_summary* const sentinel = back;
    const char* ids[2] = {"a", "a"};
    const int32_t days[2] = {18262, 18270};
    const int32_t occasions = -6;
    const size_t at = 72 + 4 + 1 + 8; /* header, id "a", first/last day: the occasions */
    uint64_t sum;
    int k;
    temp_path(path, sizeof path, "d9_state.bin");
    CHECK(ltv_summary_create(NULL, &s) == LTV_OK);
    CHECK(ltv_summary_add_strings(s, ids, days, NULL, 2) == LTV_OK);
    CHECK(ltv_summary_save(s, path) == LTV_OK);
    bytes = (unsigned char*)read_all(path, &size);
    CHECK(bytes != NULL && size == 72 + 5 + 41 + 8);
    if (bytes != NULL && size == 72 + 5 + 41 + 8) {
        for (k = 0; k < 4; ++k)
            bytes[at + (size_t)k] = (unsigned char)(((uint32_t)occasions >> (8 * k)) & 0xFF);
        sum = fnv1a64(bytes, size - 8);
        for (k = 0; k < 8; ++k)
            bytes[size - 8 + (size_t)k] = (unsigned char)((sum >> (8 * k)) & 0xFF);
        CHECK(write_text(path, (const char*)bytes, size));
        CHECK(ltv_summary_load(path, &back) == LTV_ERR_PARSE);
        CHECK(
            contains(ltv_last_error(), "corrupted: customer 0 ('a'): occasions = -6 is negative"));
        CHECK(back == sentinel);
    }
    free(bytes);
    ltv_summary_free(s);
    remove(path);
}

/* D10: days INT32_MIN and 0 gave recency = T = −2.1e9 with OK. */
static void test_day_ranges(void) {
    const char chars[] = "ab";
    const size_t offsets[3] = {0, 1, 2};
    const int32_t days[2] = {INT32_MIN, 0};
    const int32_t late[2] = {0, INT32_MAX};
    const char* ids[2] = {"a", "b"};
    ltv_summary* s = NULL;
    ltv_summary* other = NULL;
    ltv_transactions* log = NULL;
    ltv_summary_options so;
    ltv_summary_table* t = NULL;
    size_t customers = 99, rows = 99;
    uint64_t transactions = 99;
    CHECK(ltv_summary_create(NULL, &s) == LTV_OK);
    CHECK(ltv_summary_add(s, chars, offsets, days, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(),
                   "ltv_summary_add: argument 'days[0]' = -2147483648 is not a "
                   "supported day number"));
    CHECK(ltv_summary_add_strings(s, ids, late, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'days[1]' = 2147483647"));
    CHECK(ltv_summary_counts(s, &customers, &transactions, NULL) == LTV_OK);
    CHECK(customers == 0 && transactions == 0);
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    CHECK(ltv_transactions_add(log, chars, offsets, late, NULL, 2) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "ltv_transactions_add: argument 'days[1]' = 2147483647"));
    CHECK(ltv_transactions_counts(log, &customers, &rows) == LTV_OK && customers == 0 && rows == 0);
    CHECK(ltv_summary_options_init(&so, sizeof so) == LTV_OK);
    so.observation_end = INT32_MIN + 1;
    CHECK(ltv_summary_create(&so, &other) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'options->observation_end' = -2147483647"));
    CHECK(other == NULL);
    so.observation_end = LTV_NO_DATE;
    so.calibration_end = 2932897; /* 10000-01-01 */
    CHECK(ltv_transactions_summarize(log, &so, &t) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'options->calibration_end' = 2932897"));
    CHECK(t == NULL);
    ltv_summary_free(s);
    ltv_transactions_free(log);
}

/* D15: max_record_bytes bounds the reader's buffer; older, shorter structs keep working. */
static void test_max_record_bytes(void) {
    char path[256], text[1024];
    size_t n;
    ltv_read_options ro;
    ltv_summary_table* t = NULL;
    temp_path(path, sizeof path, "d15.csv");
    n = (size_t)snprintf(text, sizeof text, "customer_id,date,note\na,2020-01-01,%0300d\n", 7);
    CHECK(write_text(path, text, n));
    CHECK(ltv_read_options_init(&ro, sizeof ro) == LTV_OK);
    CHECK(ro.max_record_bytes == 1048576);
    ro.max_record_bytes = 100;
    CHECK(ltv_summarize_file(path, &ro, NULL, &t, NULL) == LTV_ERR_PARSE);
    CHECK(contains(ltv_last_error(), ":2: the record starting here is longer than 100 bytes"));
    CHECK(t == NULL);
    ro.max_record_bytes = 0; /* no limit */
    CHECK(ltv_summarize_file(path, &ro, NULL, &t, NULL) == LTV_OK);
    ltv_summary_table_free(t);
    t = NULL;
    /* A caller built against the struct before max_record_bytes: the default limit applies. */
    ro.max_record_bytes = 100;
    ro.struct_size = offsetof(ltv_read_options, max_record_bytes);
    CHECK(ltv_summarize_file(path, &ro, NULL, &t, NULL) == LTV_OK);
    ltv_summary_table_free(t);
    t = NULL;
    ro.struct_size = offsetof(ltv_read_options, max_record_bytes) - 1;
    CHECK(ltv_summarize_file(path, &ro, NULL, &t, NULL) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "options->struct_size"));
    remove(path);
}

/* D12: a file truncated between summarize's two passes silently lost a customer. */
struct truncate_hook {
    const char* path;
    int calls;
    int truncated;
};

static void truncate_on_second_pass(uint64_t done, uint64_t total, void* user) {
    struct truncate_hook* h = (struct truncate_hook*)user;
    (void)done;
    (void)total;
    /* A small file is read in one block: calls 1 and 2 (the block, then the end) are the first
     * pass; call 3 is the second pass's first block. */
    if (++h->calls == 3 && truncate(h->path, 40) == 0) h->truncated = 1;
}

static void test_file_changed_between_passes(void) {
    char path[256];
    const char text[] =
        "customer_id,date,amount\n"
        "late,2020-01-01,1\n"
        "late,2020-01-21,2\n"
        "other,2020-01-05,3\n"
        "late,2020-01-11,4\n"; /* between late's first and last day: a second pass is needed */
    ltv_read_options ro;
    ltv_summary_table* t = NULL;
    ltv_summary_info info;
    struct truncate_hook hook;
    temp_path(path, sizeof path, "d12.csv");
    CHECK(write_text(path, text, sizeof text - 1));
    CHECK(ltv_summarize_file(path, NULL, NULL, &t, NULL) == LTV_OK);
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK && info.customers == 2);
    ltv_summary_table_free(t);
    t = NULL;
    hook.path = path;
    hook.calls = 0;
    hook.truncated = 0;
    CHECK(ltv_read_options_init(&ro, sizeof ro) == LTV_OK);
    ro.progress = truncate_on_second_pass;
    ro.progress_user = &hook;
    CHECK(ltv_summarize_file(path, &ro, NULL, &t, NULL) == LTV_ERR_IO);
    CHECK(hook.truncated == 1);
    CHECK(contains(ltv_last_error(), "the file changed while it was read (its size went from "));
    CHECK(contains(ltv_last_error(), " to 40 bytes between the two passes"));
    CHECK(t == NULL);
    remove(path);
}

/* Every value of every numeric column of a table is finite (ltv_summary_table_column copies the
 * table unchecked: the values are finite by construction). Returns the values checked. */
static size_t check_columns_finite(const ltv_summary_table* t, int holdout) {
    ltv_summary_info info;
    double* v;
    size_t i, checked = 0, not_finite = 0;
    int column, last = holdout ? LTV_SUMMARY_MONETARY_VALUE_HOLDOUT : LTV_SUMMARY_TOTAL_AMOUNT;
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    CHECK(isfinite(info.duration_holdout) && info.duration_holdout >= 0);
    v = (double*)malloc((info.customers + 1) * sizeof *v);
    if (v == NULL) return 0;
    for (column = LTV_SUMMARY_FREQUENCY; column <= last; ++column) {
        CHECK(ltv_summary_table_column(t, column, v, info.customers) == LTV_OK);
        for (i = 0; i < info.customers; ++i) {
            not_finite += !isfinite(v[i]);
            ++checked;
        }
    }
    CHECK(not_finite == 0);
    free(v);
    return checked;
}

/* D14: three amounts of 1e308 for one customer gave monetary_value = inf with OK. */
static void test_sums_that_overflow(void) {
    const char* ids[4] = {"z", "a", "a", "a"};
    const int32_t days[4] = {18262, 18262, 18263, 18264}; /* 2020-01-01 … 03 */
    const double big[4] = {1, 1e308, 1e308, 1e308};
    const double fine[4] = {1, 1e308, -1e308, 2.5};
    const char text[] =
        "customer_id,date,amount\nz,2020-01-01,1\na,2020-01-01,1e308\na,2020-01-02,1e308\n"
        "a,2020-01-03,1e308\n";
    char path[256];
    ltv_summary* s = NULL;
    ltv_summary_table* t = NULL;
    ltv_summary_options so;
    size_t customers = 99;
    uint64_t transactions = 99;
    CHECK(ltv_summary_create(NULL, &s) == LTV_OK);
    CHECK(ltv_summary_add_strings(s, ids, days, big, 4) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(),
                   "summary_state: customer 'a': total_amount (the sum of its amounts) overflows "
                   "double precision when the amount 1e+308 of 2020-01-02 is added"));
    CHECK(ltv_summary_counts(s, &customers, &transactions, NULL) == LTV_OK);
    CHECK(customers == 0 && transactions == 0); /* the whole batch was refused */
    CHECK(ltv_summary_add_strings(s, ids, days, fine, 4) == LTV_OK);
    CHECK(ltv_summary_result(s, &t) == LTV_OK);
    CHECK(check_columns_finite(t, 0) == 2 * 6); /* 2 customers, columns 0 … 5 */
    ltv_summary_table_free(t);
    t = NULL;
    /* The file: summarize refuses it and leaves *out_table alone. */
    temp_path(path, sizeof path, "d14.csv");
    CHECK(write_text(path, text, sizeof text - 1));
    CHECK(ltv_summarize_file(path, NULL, NULL, &t, NULL) == LTV_ERR_DOMAIN);
    CHECK(contains(ltv_last_error(), "customer 'a': total_amount"));
    CHECK(t == NULL);
    CHECK(ltv_summary_add_file(s, path, NULL, NULL) == LTV_ERR_DOMAIN);
    CHECK(ltv_summary_counts(s, &customers, &transactions, NULL) == LTV_OK);
    CHECK(customers == 2 && transactions == 4); /* as before the failed add_file */
    /* A holdout: its columns are finite too. */
    CHECK(ltv_summary_options_init(&so, sizeof so) == LTV_OK);
    so.calibration_end = 18263;
    ltv_summary_free(s);
    s = NULL;
    CHECK(ltv_summary_create(&so, &s) == LTV_OK);
    CHECK(ltv_summary_add_strings(s, ids, days, fine, 4) == LTV_OK);
    CHECK(ltv_summary_result(s, &t) == LTV_OK);
    CHECK(check_columns_finite(t, 1) == 2 * 8); /* and the two holdout columns */
    ltv_summary_table_free(t);
    ltv_summary_free(s);
    remove(path);
}

/* Fuzz finding: a time unit of 5e-324 days passed "> 0 and finite"; recency and T were inf. */
static void test_time_unit_range(void) {
    const double bad[5] = {5e-324, 9e-7, 0.0, 1.5e7, 1e300};
    const double good[2] = {1e-6, 1e7};
    ltv_summary_options so;
    ltv_summary* s = NULL;
    int i;
    CHECK(ltv_summary_options_init(&so, sizeof so) == LTV_OK);
    for (i = 0; i < 5; ++i) {
        so.time_unit_days = bad[i];
        CHECK(ltv_summary_create(&so, &s) == LTV_ERR_INVALID_ARGUMENT);
        CHECK(s == NULL);
        CHECK(contains(ltv_last_error(),
                       "ltv_summary_create: argument 'options->time_unit_days' = "));
        CHECK(contains(ltv_last_error(),
                       "is not a supported time unit: a length in days from 1e-06 to 1e+07"));
    }
    for (i = 0; i < 2; ++i) {
        so.time_unit_days = good[i];
        CHECK(ltv_summary_create(&so, &s) == LTV_OK);
        ltv_summary_free(s);
        s = NULL;
    }
}

/* Fuzz finding: calibration_end set, observation_end not, every transaction before it gave
 * duration_holdout < 0 (summarize: -150 days) with OK. */
static void test_calibration_after_last_day(void) {
    const char* ids[2] = {"a", "a"};
    const int32_t days[2] = {18262, 18272};     /* 2020-01-01, 2020-01-11 */
    const int32_t holdout_day[1] = {18422};     /* 2020-06-09 */
    ltv_summary_options so;
    ltv_summary* s = NULL;
    ltv_summary_table* t = NULL;
    ltv_summary_info info;
    CHECK(ltv_summary_options_init(&so, sizeof so) == LTV_OK);
    so.calibration_end = 18422;
    CHECK(ltv_summary_create(&so, &s) == LTV_OK);
    CHECK(ltv_summary_add_strings(s, ids, days, NULL, 2) == LTV_OK);
    CHECK(ltv_summary_result(s, &t) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(t == NULL);
    CHECK(contains(ltv_last_error(),
                   "calibration_end 2020-06-09 is after the observation end 2020-01-11, the last "
                   "transaction day"));
    CHECK(ltv_summary_add_strings(s, ids, holdout_day, NULL, 1) == LTV_OK);
    CHECK(ltv_summary_result(s, &t) == LTV_OK);
    info.struct_size = sizeof info;
    CHECK(ltv_summary_table_info(t, &info) == LTV_OK);
    CHECK(info.duration_holdout == 0.0); /* observation end = calibration end */
    ltv_summary_table_free(t);
    ltv_summary_free(s);
}

/* The id copiers wrote *out_chars_size before checking a NULL buffer with a capacity; now no
 * output is written on any error. */
static void test_ids_write_nothing_on_error(void) {
    const char* ids[3] = {"ab", "c", "ab"};
    const int32_t days[3] = {18262, 18262, 18263};
    const char chars[] = "abc";
    const size_t id_offsets[3] = {0, 2, 3};
    ltv_summary* s = NULL;
    ltv_summary_table* t = NULL;
    ltv_transactions* log = NULL;
    char buf[8] = "XXXXXXX";
    size_t offsets[4] = {77, 77, 77, 77};
    size_t size = 12345;
    CHECK(ltv_summary_create(NULL, &s) == LTV_OK);
    CHECK(ltv_summary_add_strings(s, ids, days, NULL, 3) == LTV_OK);
    CHECK(ltv_summary_result(s, &t) == LTV_OK);
    CHECK(ltv_summary_table_ids(t, NULL, 5, offsets, 3, &size) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "argument 'chars' is a null pointer but its length is 5"));
    CHECK(size == 12345);
    CHECK(ltv_summary_table_ids(t, buf, sizeof buf, NULL, 3, &size) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(size == 12345);
    CHECK(ltv_summary_table_ids(t, buf, 2, offsets, 3, &size) == LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(size == 12345 && buf[0] == 'X' && offsets[0] == 77);
    CHECK(ltv_summary_table_ids(t, buf, sizeof buf, offsets, 2, &size) ==
          LTV_ERR_BUFFER_TOO_SMALL);
    CHECK(size == 12345 && buf[0] == 'X' && offsets[0] == 77);
    CHECK(ltv_summary_table_ids(t, NULL, 0, NULL, 0, &size) == LTV_OK && size == 3);
    CHECK(ltv_summary_table_ids(t, buf, sizeof buf, offsets, 3, &size) == LTV_OK);
    CHECK(size == 3 && memcmp(buf, "abc", 3) == 0 && offsets[0] == 0 && offsets[1] == 2 &&
          offsets[2] == 3);
    CHECK(ltv_transactions_create(&log) == LTV_OK);
    CHECK(ltv_transactions_add(log, chars, id_offsets, days, NULL, 2) == LTV_OK);
    size = 12345;
    CHECK(ltv_transactions_ids(log, NULL, 1, offsets, 3, &size) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(size == 12345);
    CHECK(ltv_transactions_ids(log, NULL, 0, NULL, 0, &size) == LTV_OK && size == 3);
    ltv_transactions_free(log);
    ltv_summary_table_free(t);
    ltv_summary_free(s);
}

int main(void) {
    test_add_file_all_or_nothing();
    test_save_is_atomic();
    test_load_validates_records();
    test_day_ranges();
    test_max_record_bytes();
    test_file_changed_between_passes();
    test_sums_that_overflow();
    test_time_unit_range();
    test_calibration_after_last_day();
    test_ids_write_nothing_on_error();
    if (failed != 0) {
        printf("c99 io: %d checks passed, %d failed\n", passed, failed);
        return 1;
    }
    printf("c99 io: %d checks passed\n", passed);
    return 0;
}
