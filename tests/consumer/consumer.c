/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal C consumer of the installed libltv: the retention worked example of issue #2. */
#include <math.h>
#include <stdio.h>

#include <ltv/ltv.h>

int main(void) {
    double rate = 0;
    if (ltv_retention_rate(1000, 1100, 200, &rate) != LTV_OK || fabs(rate - 0.9) > 1e-15) {
        fprintf(stderr, "consumer.c: unexpected result %g (%s)\n", rate, ltv_last_error());
        return 1;
    }
    if (ltv_version_number() != LTV_VERSION_NUMBER) {
        fprintf(stderr, "consumer.c: header %d and library %d versions differ\n",
                LTV_VERSION_NUMBER, ltv_version_number());
        return 1;
    }
    printf("consumer.c: libltv %s, retention %.2f\n", ltv_version_string(), rate);
    return 0;
}
