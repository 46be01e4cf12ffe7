/* SPDX-License-Identifier: Apache-2.0 */
/* Option structs and their *_init(options, struct_size) (docs/abi.md): a caller compiled against
 * an older, smaller struct passes its own sizeof and the library writes exactly that many bytes,
 * never past the caller's struct; a size below the first released struct is refused. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ltv/ltv.h>

#include "support/check.h"

/* The fit options as released in 0.2.0 up to initial_count (the "old caller"): a struct of that
 * size inside a larger buffer whose tail must stay untouched. */
static void test_old_fit_options_size(void) {
    const size_t old_size = offsetof(ltv_fit_options, initial_count) + sizeof(size_t);
    union {
        ltv_fit_options o;
        unsigned char bytes[sizeof(ltv_fit_options) + 64];
    } buf;
    size_t i;
    int untouched = 1;
    memset(buf.bytes, 0xAB, sizeof buf.bytes);
    CHECK(ltv_fit_options_init(&buf.o, old_size) == LTV_OK);
    CHECK(buf.o.struct_size == old_size);
    CHECK(buf.o.max_iterations == 500);
    for (i = old_size; i < sizeof buf.bytes; ++i)
        if (buf.bytes[i] != 0xAB) untouched = 0;
    CHECK(untouched);
}

static void test_full_and_bigger_sizes(void) {
    ltv_read_options ro;
    union {
        ltv_summary_options o;
        unsigned char bytes[sizeof(ltv_summary_options) + 32];
    } big;
    CHECK(ltv_read_options_init(&ro, sizeof ro) == LTV_OK);
    CHECK(ro.struct_size == sizeof ro);
    CHECK(ro.max_record_bytes == 1048576u);
    /* A caller with a newer, bigger struct gets struct_size = what this library knows. */
    memset(big.bytes, 0xCD, sizeof big.bytes);
    CHECK(ltv_summary_options_init(&big.o, sizeof big.bytes) == LTV_OK);
    CHECK(big.o.struct_size == sizeof(ltv_summary_options));
    CHECK(big.bytes[sizeof(ltv_summary_options)] == 0xCD);
}

static void test_refused_sizes(void) {
    ltv_journey_options jo;
    ltv_clv_options co;
    memset(&jo, 0x11, sizeof jo);
    CHECK(ltv_journey_options_init(&jo, 4) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "struct_size"));
    CHECK(jo.struct_size != 4); /* nothing written on error */
    CHECK(ltv_clv_options_init(&co, 0) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_clv_options_init(NULL, sizeof co) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(ltv_average_clv_options_init(NULL, 0) == LTV_ERR_INVALID_ARGUMENT);
}


/* The fit options as a 0.2.0 caller compiled them: the fields up to initial_count and nothing
 * after (no cancel, cancel_user, time_limit). Readers take the caller's fields and the defaults
 * for the rest (docs/abi.md), so a fit with such a struct works and does not read past it. */
typedef struct {
    size_t struct_size;
    double penalizer;
    int max_iterations;
    double gradient_tolerance;
    int standard_errors;
    int allow_no_convergence;
    const double* initial;
    size_t initial_count;
} fit_options_v020;

static void test_old_struct_read_by_new_library(void) {
    /* The old struct sits at the end of a buffer whose following bytes are poison: a reader that
     * used the library's larger layout would take cancel = 0xABAB… and crash or misbehave. */
    union {
        struct {
            fit_options_v020 o;
            unsigned char poison[64];
        } s;
        ltv_fit_options aligned;
    } buf;
    /* six customers whose BG/NBD fit has a finite optimum (r ≈ 0.98, a ≈ 0.82) */
    const double x[] = {0, 1, 6, 0, 3, 2}, tx[] = {0, 2, 28, 0, 4, 22}, T[] = {30, 30, 30, 25, 25, 25};
    ltv_model* m = NULL;
    ltv_fit_report report;
    memset(&buf, 0xAB, sizeof buf);
    CHECK(ltv_fit_options_init((ltv_fit_options*)&buf.s.o, sizeof(fit_options_v020)) == LTV_OK);
    CHECK(buf.s.o.struct_size == sizeof(fit_options_v020));
    CHECK(buf.s.poison[0] == 0xAB); /* init wrote nothing past the old struct */
    buf.s.o.standard_errors = 0;
    buf.s.o.allow_no_convergence = 1;
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_fit_rfm(m, x, tx, T, NULL, 6, (const ltv_fit_options*)&buf.s.o) == LTV_OK);
    memset(&report, 0, sizeof report);
    report.struct_size = sizeof report;
    CHECK(ltv_model_fit_report(m, &report) == LTV_OK);
    CHECK(report.iterations > 0 && report.total_weight == 6);
    ltv_model_free(m);
}

/* A caller compiled against a newer library whose structs grew: its bigger struct_size is
 * accepted by readers (the unknown tail ignored) and by the report writer, which writes only the
 * fields it knows and leaves struct_size and the caller's newer fields alone. */
static void test_new_struct_with_old_library(void) {
    union {
        ltv_fit_report r;
        unsigned char bytes[sizeof(ltv_fit_report) + 48];
    } big;
    union {
        ltv_clv_options o;
        unsigned char bytes[sizeof(ltv_clv_options) + 48];
    } clv;
    const double p[] = {0.2426, 4.4136, 0.7931, 2.4259}, g[] = {6.25, 3.74, 15.44};
    const double x = 2, tx = 30.43, T = 38.86, z = 22.35;
    double value = 0, reference = 0;
    ltv_model *m = NULL, *s = NULL;
    /* (a finite BG/NBD optimum: a, b of {0, 1, 2, 0, 3, 1} run off to infinity) */
    const double xs[] = {0, 1, 6, 0, 3, 2}, txs[] = {0, 2, 28, 0, 4, 22}, Ts[] = {30, 30, 30, 25, 25, 25};
    CHECK(ltv_model_create(LTV_MODEL_BGNBD, &m) == LTV_OK);
    CHECK(ltv_model_fit_rfm(m, xs, txs, Ts, NULL, 6, NULL) == LTV_OK);
    memset(big.bytes, 0xEE, sizeof big.bytes);
    big.r.struct_size = sizeof big.bytes;
    CHECK(ltv_model_fit_report(m, &big.r) == LTV_OK);
    CHECK(big.r.struct_size == sizeof big.bytes);           /* the caller's size is kept */
    CHECK(big.bytes[sizeof(ltv_fit_report)] == 0xEE);       /* nothing written past our fields */
    CHECK(big.r.total_weight == 6);
    /* A 0.2.0 caller's report ends at rows_used: rows_excluded (appended in 0.2.2) is not
     * written past it. */
    memset(big.bytes, 0xEE, sizeof big.bytes);
    big.r.struct_size = offsetof(ltv_fit_report, rows_excluded);
    CHECK(ltv_model_fit_report(m, &big.r) == LTV_OK);
    CHECK(big.r.total_weight == 6 && big.r.struct_size == offsetof(ltv_fit_report, rows_excluded));
    CHECK(big.bytes[offsetof(ltv_fit_report, rows_excluded)] == 0xEE);
    /* Too small: refused, naming the field. */
    big.r.struct_size = 8;
    CHECK(ltv_model_fit_report(m, &big.r) == LTV_ERR_INVALID_ARGUMENT);
    CHECK(contains(ltv_last_error(), "out_report->struct_size = 8"));

    CHECK(ltv_model_set_params(m, p, 4) == LTV_OK);
    CHECK(ltv_model_create(LTV_MODEL_GAMMA_GAMMA, &s) == LTV_OK);
    CHECK(ltv_model_set_params(s, g, 3) == LTV_OK);
    CHECK(ltv_customer_lifetime_value(m, s, &x, &tx, &T, &z, 1, NULL, &reference) == LTV_OK);
    memset(clv.bytes, 0x7F, sizeof clv.bytes); /* a "newer field" the library does not know */
    CHECK(ltv_clv_options_init(&clv.o, sizeof clv.bytes) == LTV_OK);
    clv.o.struct_size = sizeof clv.bytes;    /* as a newer caller's init would have set it */
    CHECK(ltv_customer_lifetime_value(m, s, &x, &tx, &T, &z, 1, &clv.o, &value) == LTV_OK);
    CHECK(value == reference);               /* defaults = NULL options; the tail is ignored */
    ltv_model_free(m);
    ltv_model_free(s);
}

int main(void) {
    test_old_fit_options_size();
    test_full_and_bigger_sizes();
    test_refused_sizes();
    test_old_struct_read_by_new_library();
    test_new_struct_with_old_library();
    if (failed) {
        fprintf(stderr, "c99 struct_size: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 struct_size: %d checks passed\n", passed);
    return 0;
}
