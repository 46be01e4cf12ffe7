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

int main(void) {
    test_old_fit_options_size();
    test_full_and_bigger_sizes();
    test_refused_sizes();
    if (failed) {
        fprintf(stderr, "c99 struct_size: %d of %d checks failed\n", failed, passed + failed);
        return 1;
    }
    printf("c99 struct_size: %d checks passed\n", passed);
    return 0;
}
