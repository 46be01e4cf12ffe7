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

/* ---- probabilistic models: the handle (docs/models.md) ------------------------------------- */

/* An opaque model: its kind, parameters and (after a fit) fit report. Create with
 * ltv_model_create, release with ltv_model_free (accepts NULL). Fitting and setting parameters
 * modify it; every other call only reads it and may run concurrently with other reads. */
typedef struct ltv_model ltv_model;

#define LTV_MODEL_BGNBD 1       /* BG/NBD: r, alpha, a, b */
#define LTV_MODEL_MBGNBD 2      /* MBG/NBD: r, alpha, a, b */
#define LTV_MODEL_GAMMA_GAMMA 3 /* Gamma-Gamma spend: p, q, gamma */
#define LTV_MODEL_PARETO_NBD 4  /* Pareto/NBD: r, alpha, s, beta */
#define LTV_MODEL_BGBB 5        /* BG/BB: alpha, beta, gamma, delta */
#define LTV_MODEL_SBG 6         /* shifted-beta-geometric: alpha, beta */

LTV_API int ltv_model_create(int kind, ltv_model** out_model);
LTV_API int ltv_model_free(ltv_model* model);
/* A copy with the same kind, parameters and fit report. */
LTV_API int ltv_model_clone(const ltv_model* model, ltv_model** out_model);
LTV_API int ltv_model_kind(const ltv_model* model, int* out_kind);
/* "bgnbd", "mbgnbd", "gg", "pnbd", "bgbb", "sbg" (static storage), and back. */
LTV_API int ltv_model_kind_name(int kind, const char** out_name);
LTV_API int ltv_model_kind_from_name(const char* name, int* out_kind);
LTV_API int ltv_model_num_params(const ltv_model* model, size_t* out_count);
/* Name of parameter `index` ("r", "alpha", ...); static storage. */
LTV_API int ltv_model_param_name(const ltv_model* model, size_t index, const char** out_name);
/* Copies the parameters into out_params[0..capacity); LTV_ERR_BUFFER_TOO_SMALL if capacity is
 * less than ltv_model_num_params. LTV_ERR_NOT_FITTED if the model has no parameters yet. */
LTV_API int ltv_model_params(const ltv_model* model, double* out_params, size_t capacity);
/* Sets all parameters (each finite and > 0); forgets any fit report. */
LTV_API int ltv_model_set_params(ltv_model* model, const double* params, size_t count);
/* 1 when the model has parameters (set or fitted), else 0. */
LTV_API int ltv_model_has_params(const ltv_model* model, int* out_flag);
/* Threads used by batch predictions: 0 = all cores (the default), 1 = the calling thread only.
 * Results do not depend on it. */
LTV_API int ltv_model_set_threads(ltv_model* model, int threads);

/* ---- fitting ------------------------------------------------------------------------------- */

typedef struct ltv_fit_options {
    size_t struct_size;        /* sizeof(ltv_fit_options); set by ltv_fit_options_init */
    double penalizer;          /* L2 coefficient λ ≥ 0 on the natural parameters; default 0 */
    int max_iterations;        /* default 500 */
    double gradient_tolerance; /* on the per-customer mean objective w.r.t. log-params; 1e-8 */
    int standard_errors;       /* non-zero: compute the Hessian and standard errors (default 1) */
    int allow_no_convergence;  /* non-zero: keep a non-converged fit instead of failing (0) */
    const double* initial;     /* optional start (natural parameters), NULL for automatic */
    size_t initial_count;      /* length of initial */
} ltv_fit_options;

LTV_API int ltv_fit_options_init(ltv_fit_options* options);

typedef struct ltv_fit_report {
    size_t struct_size;            /* set by the caller to sizeof(ltv_fit_report) */
    int converged;                 /* 1 only when a convergence test was met */
    int iterations;
    int function_evaluations;
    int standard_errors_available; /* 0 when the Hessian was not positive definite */
    double gradient_norm;
    double log_likelihood;         /* Σ wᵢ ℓᵢ at the estimate, without the penalty */
    double objective;              /* −LL/W + penalizer Σ φ² */
    double penalizer;
    double total_weight;           /* W: customers (or cohort members) in the fit */
    size_t rows_used;              /* distinct rows (patterns, cohorts) in the likelihood */
} ltv_fit_report;

/* LTV_ERR_NOT_FITTED when the model was not fitted (parameters set by hand or nothing yet). */
LTV_API int ltv_model_fit_report(const ltv_model* model, ltv_fit_report* out_report);
/* The optimiser's closing message; valid until the model is next modified or freed. */
LTV_API int ltv_model_fit_message(const ltv_model* model, const char** out_message);
/* Standard errors (count = number of parameters) and the row-major covariance (count²); NaN
 * where unavailable. */
LTV_API int ltv_model_standard_errors(const ltv_model* model, double* out, size_t capacity);
LTV_API int ltv_model_covariance(const ltv_model* model, double* out, size_t capacity);

/* sBG: fit to survivor curves. survivors holds the curves of n_cohorts cohorts one after the
 * other, cohort c having cohort_lengths[c] counts (customers active at the start of periods
 * 0, 1, …; at least 2 each, non-increasing, first > 0). options may be NULL (defaults). */
LTV_API int ltv_model_fit_survivors(ltv_model* model, const double* survivors,
                                    const size_t* cohort_lengths, size_t n_cohorts,
                                    const ltv_fit_options* options);

/* ---- sBG predictions (docs/sbg.md) --------------------------------------------------------- */

/* S(t) for each whole t ≥ 0 in t[0..n): the share of a cohort still active after t periods. */
LTV_API int ltv_model_survival(const ltv_model* model, const double* t, size_t n, double* out);
/* rₜ = S(t)/S(t−1) for each whole t ≥ 1. */
LTV_API int ltv_model_retention_rate(const ltv_model* model, const double* t, size_t n,
                                     double* out);
/* DEL(d) = ₂F₁(1, β; α+β; 1/(1+d)), the payment at t = 0 included. */
LTV_API int ltv_model_discounted_expected_lifetime(const ltv_model* model, double discount_rate,
                                                   double* out);
/* DERL(d | renewals[i]) for each i: remaining discounted payments of a customer who has renewed
 * renewals[i] times (n − 1 in Fader & Hardie's notation). */
LTV_API int ltv_model_discounted_expected_residual_lifetime(const ltv_model* model,
                                                            double discount_rate,
                                                            const double* renewals, size_t n,
                                                            double* out);

/* ---- transaction models on (frequency, recency, T): BG/NBD, MBG/NBD, Pareto/NBD, BG/BB ------ */
/* Arrays of n customers: frequency x (repeat purchases, whole numbers), recency t_x (time of the
 * last repeat purchase since the first), T (time since the first purchase), all in one time
 * unit; t_x = 0 when x = 0. For BG/BB, T is the number of purchase opportunities n and all three
 * are whole numbers. weights (may be NULL) counts identical rows (BG/BB: donors per pattern). */

LTV_API int ltv_model_fit_rfm(ltv_model* model, const double* frequency, const double* recency,
                              const double* T, const double* weights, size_t n,
                              const ltv_fit_options* options);
/* Per-customer log-likelihood into out[0..n). */
LTV_API int ltv_model_log_likelihood(const ltv_model* model, const double* frequency,
                                     const double* recency, const double* T, size_t n,
                                     double* out);
/* P(alive | x, t_x, T). */
LTV_API int ltv_model_p_alive(const ltv_model* model, const double* frequency,
                              const double* recency, const double* T, size_t n, double* out);
/* E[purchases in (T, T + t] | x, t_x, T]. */
LTV_API int ltv_model_expected_purchases(const ltv_model* model, double t,
                                         const double* frequency, const double* recency,
                                         const double* T, size_t n, double* out);
/* E[X(t[i])]: expected repeat purchases in (0, t] of a new customer (unconditional). */
LTV_API int ltv_model_expected_purchases_new_customer(const ltv_model* model, const double* t,
                                                      size_t n, double* out);
/* P(X(t) = counts[i]) for a new customer. */
LTV_API int ltv_model_probability_of_purchases(const ltv_model* model, double t,
                                               const double* counts, size_t n, double* out);

/* DERT: discounted expected residual transactions. Pareto/NBD: continuous discount rate δ
 * (docs/pareto-nbd.md); BG/BB: discount rate d per period (docs/bgbb.md). */
LTV_API int ltv_model_dert(const ltv_model* model, double discount_rate, const double* frequency,
                           const double* recency, const double* T, size_t n, double* out);

/* ---- Gamma-Gamma spend (docs/gamma-gamma.md) ----------------------------------------------- */
/* frequency x and mean repeat-transaction value monetary (≥ 0); the fit uses rows with x > 0. */
LTV_API int ltv_model_fit_spend(ltv_model* model, const double* frequency, const double* monetary,
                                const double* weights, size_t n, const ltv_fit_options* options);
/* E[spend per transaction | x, monetary]; the population mean pγ/(q − 1) where x = 0.
 * LTV_ERR_DOMAIN when q ≤ 1 (the mean is undefined). */
LTV_API int ltv_model_expected_spend(const ltv_model* model, const double* frequency,
                                     const double* monetary, size_t n, double* out);
LTV_API int ltv_model_spend_log_likelihood(const ltv_model* model, const double* frequency,
                                           const double* monetary, size_t n, double* out);

/* ---- customer lifetime value (docs/clv.md) ------------------------------------------------- */

typedef struct ltv_clv_options {
    size_t struct_size;   /* sizeof(ltv_clv_options); set by ltv_clv_options_init */
    int periods;          /* N periods, default 12 */
    double period_length; /* L, in the transaction model's time unit (4.345 weeks = a month) */
    double discount_rate; /* d per period, default 0 */
} ltv_clv_options;

LTV_API int ltv_clv_options_init(ltv_clv_options* options);
/* CLV = Σₖ₌₁..N E[spend] · (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ per customer; options may be
 * NULL (12 periods of length 4, d = 0). */
LTV_API int ltv_customer_lifetime_value(const ltv_model* transaction_model,
                                        const ltv_model* spend_model, const double* frequency,
                                        const double* recency, const double* T,
                                        const double* monetary, size_t n,
                                        const ltv_clv_options* options, double* out);

/* ---- model files (JSON) -------------------------------------------------------------------- */

/* Two-call pattern: with buffer == NULL (capacity 0) writes the size needed, terminating NUL
 * included, to *out_size and returns LTV_OK; with a buffer shorter than that returns
 * LTV_ERR_BUFFER_TOO_SMALL (and the size); otherwise writes the NUL-terminated JSON. */
LTV_API int ltv_model_to_json(const ltv_model* model, char* buffer, size_t capacity,
                              size_t* out_size);
LTV_API int ltv_model_from_json(const char* json, size_t length, ltv_model** out_model);
LTV_API int ltv_model_save(const ltv_model* model, const char* path);
LTV_API int ltv_model_load(const char* path, ltv_model** out_model);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LTV_LTV_H */
