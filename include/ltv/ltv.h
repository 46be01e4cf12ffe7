/*
 * ltv/ltv.h — the stable C API of ltv (customer lifetime value and retention).
 *
 * C99; includes only <stddef.h> and <stdint.h>. Link with -lltv (pkg-config ltv, or
 * find_package(ltv) and the target ltv::ltv_c).
 *
 * Conventions (docs/c-api.md has the full list):
 *  - Every function returns an int status: LTV_OK (0) or a negative LTV_ERR_* code, and writes
 *    its results through out-pointers. Outputs are left untouched on error.
 *  - ltv_last_error() returns the calling thread's message for its last failed call: it names the
 *    argument, index and value at fault. It is never NULL ("" before any failure).
 *  - No C++ exception crosses this boundary.
 *  - Arrays are (pointer, length) pairs; outputs go to caller-owned buffers.
 *  - Option structs begin with their own size (struct_size) so they can grow; initialise them
 *    with their *_init function.
 *  - Opaque handles come in create/free pairs; free accepts NULL.
 *  - Functions are thread-safe: calls on distinct handles, and const calls on one handle, may run
 *    concurrently.
 *  - Exceptions to "returns a status": the version and error-message getters, which cannot fail.
 */
#ifndef LTV_LTV_H
#define LTV_LTV_H

#include <stddef.h>
#include <stdint.h>

/* ---- version ----------------------------------------------------------------------------- */
#define LTV_VERSION_MAJOR 0
#define LTV_VERSION_MINOR 1
#define LTV_VERSION_PATCH 0
#define LTV_VERSION_NUMBER (LTV_VERSION_MAJOR * 10000 + LTV_VERSION_MINOR * 100 + LTV_VERSION_PATCH)
#define LTV_VERSION_STRING "0.1.0"

/* ---- symbol visibility ------------------------------------------------------------------- */
#if defined(_WIN32)
#  if defined(LTV_BUILDING_LIBRARY)
#    define LTV_API __declspec(dllexport)
#  else
#    define LTV_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define LTV_API __attribute__((visibility("default")))
#else
#  define LTV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes (fixed values, part of the ABI) ---------------------------------------- */
#define LTV_OK 0
#define LTV_ERR_INVALID_ARGUMENT (-1) /* an argument is out of range, NULL, or malformed */
#define LTV_ERR_DOMAIN (-2)           /* valid arguments, but the quantity is undefined there */
#define LTV_ERR_NO_CONVERGENCE (-3)   /* an iterative method did not meet its tolerance */
#define LTV_ERR_OUT_OF_MEMORY (-4)
#define LTV_ERR_BUFFER_TOO_SMALL (-5) /* a caller-owned buffer is too short; see *_size outputs */
#define LTV_ERR_NOT_FITTED (-6)       /* a model has no parameters yet */
#define LTV_ERR_INTERNAL (-7)         /* a bug in ltv */
#define LTV_ERR_IO (-8)               /* a file could not be opened, read or written */
#define LTV_ERR_PARSE (-9)            /* malformed input text; the message names line and column */

/* ---- library information ----------------------------------------------------------------- */

/* LTV_VERSION_NUMBER of the library actually loaded (major*10000 + minor*100 + patch). */
LTV_API int ltv_version_number(void);
/* LTV_VERSION_STRING of the library actually loaded, e.g. "0.1.0". Static storage. */
LTV_API const char* ltv_version_string(void);
/* The calling thread's message for its last failed ltv call; never NULL. Valid until the
 * thread's next ltv call. */
LTV_API const char* ltv_last_error(void);
/* Stable short name of a status ("ok", "invalid_argument", ...); "unknown" for other values. */
LTV_API const char* ltv_status_name(int status);

/* ---- retention and churn (docs/calculators.md) ------------------------------------------- */

/* (end − new) / start. start > 0, end ≥ new ≥ 0, end − new ≤ start. */
LTV_API int ltv_retention_rate(double customers_start, double customers_end, double new_customers,
                               double* out_rate);
/* Element-wise retention rate over n periods; out_rates has room for n values. The error message
 * names the index of the first bad period. */
LTV_API int ltv_retention_rate_batch(const double* customers_start, const double* customers_end,
                                     const double* new_customers, size_t n, double* out_rates);
/* lost / start. start > 0, 0 ≤ lost ≤ start. */
LTV_API int ltv_churn_rate(double customers_start, double customers_lost, double* out_rate);
/* From (start, lost, new): customers at end = start − lost + new, and the retention rate
 * (end − new) / start. Any out-pointer may be NULL if that result is not wanted. */
LTV_API int ltv_retention_from_flows(double customers_start, double customers_lost,
                                     double new_customers, double* out_customers_end,
                                     double* out_retention_rate, double* out_churn_rate);

/* ---- lost profit (docs/calculators.md) --------------------------------------------------- */

/* lost_customers × (expected_purchases − purchases_made) × margin_per_purchase. */
LTV_API int ltv_lost_profit(double lost_customers, double expected_purchases,
                            double purchases_made, double margin_per_purchase, double* out_profit);

/* ---- simple lifetime value (docs/calculators.md) ----------------------------------------- */

/* margin_per_purchase × expected_purchases. */
LTV_API int ltv_simple_ltv(double margin_per_purchase, double expected_purchases, double* out_ltv);
/* Σᵢ margins[i] / (1 + discount_rate)^i over n purchases. */
LTV_API int ltv_ltv_from_margins(const double* margins, size_t n, double discount_rate,
                                 double* out_ltv);
/* Σᵢ margins[i] × Πⱼ≤ᵢ probabilities[j] / (1 + discount_rate)^i; probabilities[i] is the chance
 * of purchase i given purchase i − 1 (probabilities[0]: of the first purchase). */
LTV_API int ltv_purchase_chain_ltv(const double* margins, const double* probabilities, size_t n,
                                   double discount_rate, double* out_ltv);

/* ---- CLV from averages (docs/calculators.md) --------------------------------------------- */

typedef struct ltv_average_clv_options {
    size_t struct_size;          /* sizeof(ltv_average_clv_options); set by the init function */
    double average_order_value;  /* revenue per order, ≥ 0 */
    double margin;               /* margin as a fraction of revenue, in [0, 1]; default 1 */
    double purchases_per_period; /* orders per period, ≥ 0 */
    double periods;              /* number of periods ≥ 0; INFINITY allowed when retention/(1+d) < 1 */
    double retention;            /* per-period retention probability in [0, 1]; default 1 */
    double discount_rate;        /* per-period discount rate > −1; default 0 */
} ltv_average_clv_options;

/* Sets struct_size and the defaults (margin 1, periods 1, retention 1, all else 0). */
LTV_API int ltv_average_clv_options_init(ltv_average_clv_options* options);
/* Σₖ₌₁..N v·q^(k−1) with v = AOV × margin × purchases per period and q = retention/(1+d). */
LTV_API int ltv_average_clv(const ltv_average_clv_options* options, double* out_clv);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LTV_LTV_H */
