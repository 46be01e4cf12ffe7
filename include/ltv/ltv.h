/* SPDX-License-Identifier: Apache-2.0 */
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
 *  - Option structs begin with their own size (struct_size) so they can grow at their end;
 *    initialise them with their *_init function, passing sizeof the struct:
 *        ltv_fit_options o; ltv_fit_options_init(&o, sizeof o);
 *    the library writes (and later reads) only the fields that size covers, so a program compiled
 *    against an older ltv.h keeps working with a newer libltv.so of the same SONAME.
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
#define LTV_VERSION_MINOR 2
#define LTV_VERSION_PATCH 6
#define LTV_VERSION_NUMBER (LTV_VERSION_MAJOR * 10000 + LTV_VERSION_MINOR * 100 + LTV_VERSION_PATCH)
#define LTV_VERSION_STRING "0.2.6"

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
#define LTV_ERR_CANCELLED (-10)       /* the caller's cancel callback stopped the work (fits) */

/* ---- library information ----------------------------------------------------------------- */

/* LTV_VERSION_NUMBER of the library actually loaded (major*10000 + minor*100 + patch). */
LTV_API int ltv_version_number(void);
/* LTV_VERSION_STRING of the library actually loaded, e.g. "0.2.0". Static storage. */
LTV_API const char* ltv_version_string(void);
/* The calling thread's message for its last failed ltv call; never NULL. Valid until the
 * thread's next ltv call. */
LTV_API const char* ltv_last_error(void);
/* Stable short name of a status ("ok", "invalid_argument", ...); "unknown" for other values. */
LTV_API const char* ltv_status_name(int status);

/* ---- threads (docs/architecture.md, "Threads") ------------------------------------------- */
/* Batch functions over ≥ 20 000 rows run on one process-wide pool of worker threads, created at
 * the first such call and grown on demand (no threads are started per call); the calling thread
 * works too. Results do not depend on the number of threads. After fork() the child starts its
 * own pool at its first batch call. */

/* Sets the process default, used by models whose ltv_model_set_threads is 0: 0 = automatic (the
 * default): the CPUs this process may use — min(its affinity mask (taskset, cpusets), the cgroup
 * CPU quota rounded up), at least 1, re-read at this call; 1 = the calling thread only; n = n
 * threads (at most 256). Any thread may call it at any time; calls already running keep their
 * count. LTV_ERR_INVALID_ARGUMENT for threads < 0. */
LTV_API int ltv_set_default_threads(int threads);
/* The number of threads the process default resolves to now (≥ 1). */
LTV_API int ltv_default_threads(int* out_threads);

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
LTV_API int ltv_average_clv_options_init(ltv_average_clv_options* options, size_t struct_size);
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
#define LTV_MODEL_BGCNBD 7      /* BG/CNBD-k: r, alpha, a, b (option "k") */
#define LTV_MODEL_MBGCNBD 8     /* MBG/CNBD-k: r, alpha, a, b (option "k") */
#define LTV_MODEL_GGOMNBD 9     /* GGom/NBD: r, alpha, b, s, beta */

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
/* Threads used by this model's batch predictions: 0 = the process default (the default; see
 * ltv_set_default_threads), 1 = the calling thread only, n = n threads (at most 256). Results do
 * not depend on it. */
LTV_API int ltv_model_set_threads(ltv_model* model, int threads);

/* The unit of the durations the model's data were in ("day", "week", "month" or "<n>d"), stored
 * in its model file; "" when unknown. ltv_model_fit_summary records the summary's unit; callers
 * fitting arrays set it (or leave it unknown). *out_unit stays valid until the next
 * ltv_model_set_time_unit or ltv_model_free of this model. */
LTV_API int ltv_model_time_unit(const ltv_model* model, const char** out_unit);
/* Sets it from a name ("day", "week", "month", "7", "2.5d", …; parsed like the summaries' time
 * units, stored in canonical form); NULL or "" makes it unknown. */
LTV_API int ltv_model_set_time_unit(ltv_model* model, const char* unit);

/* ---- the model registry (docs/models.md#the-registry) ------------------------------------- */
/* Which models this library has and what each can do, so that callers (the Python binding, the
 * CLI, an ERP's settings screen) need no list of their own. Kinds are enumerated by index
 * 0 … count − 1 in the registry's order. */
LTV_API int ltv_model_kind_count(size_t* out_count);
LTV_API int ltv_model_kind_at(size_t index, int* out_kind);
/* Text about a kind, static storage. Keys: "name" (short name, as ltv_model_kind_name),
 * "title" ("BG/NBD"), "class_name" (the Python class, "BetaGeo"), "citation" (the paper),
 * "data" (what it is fitted on: "rfm", "spend" or "survivors"), "age_name" (what the third
 * column of its (frequency, recency, T) data is called: "T", or "n_periods" for BG/BB), "docs"
 * (its page in the documentation, "bgnbd.md").
 * LTV_ERR_INVALID_ARGUMENT naming the key for any other. */
LTV_API int ltv_model_kind_info(int kind, const char* key, const char** out_value);

/* Capabilities (fixed values, part of the ABI; see ltv_model_supports). */
#define LTV_CAP_FIT_RFM 1                /* ltv_model_fit_rfm */
#define LTV_CAP_FIT_SPEND 2              /* ltv_model_fit_spend */
#define LTV_CAP_FIT_SURVIVORS 3          /* ltv_model_fit_survivors */
#define LTV_CAP_LOG_LIKELIHOOD 4         /* ltv_model_log_likelihood */
#define LTV_CAP_P_ALIVE 5                /* ltv_model_p_alive */
#define LTV_CAP_CONDITIONAL_PURCHASES 6  /* ltv_model_expected_purchases */
#define LTV_CAP_NEW_CUSTOMER_PURCHASES 7 /* ltv_model_expected_purchases_new_customer */
#define LTV_CAP_PURCHASE_PMF 8           /* ltv_model_probability_of_purchases */
#define LTV_CAP_DERT 9                   /* ltv_model_dert */
#define LTV_CAP_CLV 10                   /* transaction model of ltv_customer_lifetime_value */
#define LTV_CAP_SPEND 11  /* ltv_model_expected_spend, ltv_model_spend_log_likelihood, and the
                             spend model of ltv_customer_lifetime_value */
#define LTV_CAP_SURVIVAL 12 /* ltv_model_survival, _retention_rate, _discounted_expected_[residual_]lifetime */
#define LTV_CAP_CONDITIONAL_PURCHASE_PMF 13 /* ltv_model_conditional_purchase_pmf */
#define LTV_CAP_P_ALIVE_AHEAD 14            /* ltv_model_p_alive_ahead */
#define LTV_CAP_SIMULATE 15                 /* ltv_model_simulate */

/* *out_flag = 1 when the kind (or the handle's model) has the capability, else 0; a capability
 * value this library does not know gives 0 (a newer caller asking an older library). */
LTV_API int ltv_model_kind_supports(int kind, int capability, int* out_flag);
LTV_API int ltv_model_supports(const ltv_model* model, int capability, int* out_flag);
/* The capability's identifier ("p_alive"), static storage; LTV_ERR_INVALID_ARGUMENT for a value
 * this library does not know (enumerate 1, 2, … until then). */
LTV_API int ltv_capability_name(int capability, const char** out_name);
/* The open interval (lower, upper) of valid values of parameter `index` (upper = +inf: none). */
LTV_API int ltv_model_param_bounds(const ltv_model* model, size_t index, double* out_lower,
                                   double* out_upper);

/* Options set by name (saved in model files): "fix.<parameter>" holds that parameter at `value`
 * in fits (its standard error is then 0), e.g. ltv_model_set_option(m, "fix.b", 2.5); and a
 * model's structural options, if it has any. LTV_ERR_INVALID_ARGUMENT names an unknown option or
 * a value out of range. ltv_model_option writes *out_is_set = 0 (and leaves *out_value) when the
 * option is not set; clearing an option that is not set is not an error. */
LTV_API int ltv_model_set_option(ltv_model* model, const char* name, double value);
LTV_API int ltv_model_option(const ltv_model* model, const char* name, double* out_value,
                             int* out_is_set);
LTV_API int ltv_model_clear_option(ltv_model* model, const char* name);

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
    /* Appended fields: honoured only when struct_size covers them (ltv_fit_options_init sets
     * them; a caller built against an older, smaller struct gets the defaults): */
    int (*cancel)(void* user); /* optional; called before every evaluation of the objective with
                                  cancel_user: non-zero stops the fit with LTV_ERR_CANCELLED (the
                                  message names the best point so far); NULL: never */
    void* cancel_user;         /* passed to cancel */
    double time_limit;         /* wall-clock budget of the whole fit in seconds, 0 = none: when it
                                  runs out the fit fails with LTV_ERR_NO_CONVERGENCE naming the
                                  best point, or keeps that point if allow_no_convergence */
    int strict_spend;          /* ltv_model_fit_spend: non-zero makes a row with frequency > 0
                                  and monetary <= 0 an error naming it; 0 (default): such rows
                                  are excluded and counted in ltv_fit_report.rows_excluded */
    int penalizer_convention;  /* the units the penalizer is taken in: LTV_PENALIZER_LTV
                                  (default) or LTV_PENALIZER_LIFETIMES (docs/models.md) */
} ltv_fit_options;

/* ltv_fit_options.penalizer_convention. LTV: λ Σ φ² on the parameters in the data's units, the
 * objective −LL/W. LIFETIMES: as Python lifetimes 0.11 — time scales (α; Pareto/NBD's α, β)
 * penalised in units where the largest T is 1, Pareto/NBD's −LL divided by the mean weight. */
#define LTV_PENALIZER_LTV 0
#define LTV_PENALIZER_LIFETIMES 1

/* Sets struct_size and the defaults. Every fit also stops when a parameter keeps growing past
 * 1e7 (LTV_ERR_NO_CONVERGENCE naming it: the data do not identify it; docs/models.md). */
LTV_API int ltv_fit_options_init(ltv_fit_options* options, size_t struct_size);

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
    /* Appended fields: written only when struct_size covers them. */
    size_t rows_excluded;          /* rows the fit left out by its data policy (spend fits:
                                      frequency > 0 with monetary <= 0; docs/gamma-gamma.md) */
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
 * last repeat purchase since the first), T (time since the first purchase, ≥ 0), all in one
 * time unit; t_x = 0 when x = 0, and x = 0 when T = 0 (a first purchase at the end of the period:
 * log-likelihood 0, the predictions of a new customer). For BG/BB, T is the number of purchase
 * opportunities n and all three are whole numbers. weights (may be NULL) counts identical rows
 * (BG/BB: donors per pattern). */

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

/* ---- conditional distributions, simulation and curves over time (docs/models.md#analyses) -- */

/* P(n purchases in (T, T + t] | x, t_x, T) per customer: n a whole number >= 0, t >= 0 (BG/BB:
 * both whole; t opportunities). Summed over n it is 1, its mean the conditional expected
 * purchases (ltv_model_expected_purchases). LTV_CAP_CONDITIONAL_PURCHASE_PMF: BG/NBD, MBG/NBD,
 * Pareto/NBD, BG/BB. */
LTV_API int ltv_model_conditional_purchase_pmf(const ltv_model* model, double n, double t,
                                               const double* frequency, const double* recency,
                                               const double* T, size_t count, double* out);
/* P(alive at T + periods_ahead | x, t_x, T), periods_ahead >= 0 in the data's time unit.
 * Pareto/NBD: periods_ahead = 0 is ltv_model_p_alive. BG/BB: whole opportunities, P(alive at
 * opportunity n + m) as lifetimes' conditional_probability_alive(m, ...): m = 1 is
 * ltv_model_p_alive (FHS eq. 11, alive at n + 1), m = 0 alive at n. LTV_CAP_P_ALIVE_AHEAD. */
LTV_API int ltv_model_p_alive_ahead(const ltv_model* model, double periods_ahead,
                                    const double* frequency, const double* recency,
                                    const double* T, size_t count, double* out);
/* Simulated customers from the model's parameters: customer i has age T[i] (>= 0; BG/BB whole
 * opportunities) and gets frequency, recency (0 when frequency = 0) and out_alive[i] = 1 when
 * still alive at T[i] (out_alive may be NULL). Customer i draws from its own generator seeded by
 * (seed, i), so the same seed gives the same customers on every platform and for any number of
 * threads (docs/models.md#simulation). LTV_CAP_SIMULATE: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB. */
LTV_API int ltv_model_simulate(const ltv_model* model, uint64_t seed, const double* T,
                               size_t count, double* out_frequency, double* out_recency,
                               int* out_alive);
/* P(alive) along one customer's history (any model with LTV_CAP_P_ALIVE): purchase_times are the
 * purchases as times since the first (purchase_times[0] = 0, nondecreasing; each later time > 0
 * is one repeat purchase), at[i] >= 0 the times to evaluate: out[i] = P(alive | x, t_x, at[i])
 * with x the purchases in (0, at[i]] after the first and t_x the last of them (0 if none).
 * Errors name the index of a bad time. */
LTV_API int ltv_model_alive_path(const ltv_model* model, const double* purchase_times,
                                 size_t n_purchases, const double* at, size_t n_at, double* out);
/* out[k] = sum over customers with first_purchase[i] < at[k] of weights[i] * E[X(at[k] -
 * first_purchase[i])], the expected cumulative repeat purchases of a growing customer base
 * (FHL 2005's tracking curve; any model with LTV_CAP_NEW_CUSTOMER_PURCHASES). Times finite, in
 * the model's time unit from any origin; weights NULL = 1 each (else finite, >= 0; e.g. the
 * customers of a first-purchase cohort). */
LTV_API int ltv_model_expected_cumulative_transactions(const ltv_model* model,
                                                       const double* first_purchase,
                                                       const double* weights,
                                                       size_t n_customers, const double* at,
                                                       size_t n_at, double* out);

/* ---- Gamma-Gamma spend (docs/gamma-gamma.md) ----------------------------------------------- */
/* frequency x and mean repeat-transaction value monetary (finite; ≥ 0 where x = 0). The fit uses
 * the rows with x > 0 and monetary > 0; rows with x > 0 and monetary ≤ 0 (free orders, refunds)
 * are excluded and counted: the fit message (ltv_model_fit_message) says how many and names the
 * first, and the model JSON's "rows_excluded" holds the count (docs/gamma-gamma.md). */
LTV_API int ltv_model_fit_spend(ltv_model* model, const double* frequency, const double* monetary,
                                const double* weights, size_t n, const ltv_fit_options* options);
/* E[spend per transaction | x, monetary]; the population mean pγ/(q − 1) where x = 0, and
 * pγ/(p·x + q − 1) for a mean of 0 (free orders). monetary < 0 is LTV_ERR_INVALID_ARGUMENT naming
 * the row; LTV_ERR_DOMAIN, naming the row, where p·x + q ≤ 1 (the expected spend is infinite:
 * x = 0 with q ≤ 1) or the result overflows. */
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

LTV_API int ltv_clv_options_init(ltv_clv_options* options, size_t struct_size);
/* CLV = Σₖ₌₁..N E[spend] · (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ per customer; options may be
 * NULL (the defaults of ltv_clv_options_init: 12 periods of length 1 time unit, d = 0). */
LTV_API int ltv_customer_lifetime_value(const ltv_model* transaction_model,
                                        const ltv_model* spend_model, const double* frequency,
                                        const double* recency, const double* T,
                                        const double* monetary, size_t n,
                                        const ltv_clv_options* options, double* out);

/* ---- purchase regularity (docs/bgcnbd.md#regularity) ------------------------------------- */
/* The Wheat & Morrison (1990) estimate k̂ of the regularity of inter-purchase times (Erlang-k:
 * k = 1 exponential, larger k more regular; BTYDplus estimateRegularity(method = "wheat")):
 * prev_itt[i] and last_itt[i] are customer i's last two inter-purchase times (each finite and
 * > 0; customers with fewer than two are left out by the caller), n ≥ 1.
 * k̂ = (1 − 4 Var M)/(8 Var M), M = prev/(prev + last), both orders of every pair (deterministic). */
LTV_API int ltv_regularity_wheat(const double* prev_itt, const double* last_itt, size_t n,
                                 double* out_k);

/* ---- customers with extra columns; predictions with intervals (docs/models.md#customers-tables) */
/* One table of customers for the models: the (frequency, recency, T) columns of the functions
 * above plus the columns some models or features need — each NULL when not given:
 *   monetary    mean spend per transaction (spend models; CLV in ltv_model_predict)
 *   litt        sum of the logs of each customer's inter-purchase times (the regularity models
 *               BG/CNBD-k and MBG/CNBD-k; ltv_summary_table has it as LTV_SUMMARY_LITT)
 *   covariates  row-major n x num_covariates matrix of time-invariant customer attributes
 *               (models with covariates, docs/covariates.md); covariate_names (may be NULL:
 *               "z1", "z2", …) name its columns in parameter names and messages.
 * Callers set struct_size with ltv_customers_init, so later fields can be appended. */
typedef struct ltv_customers {
    size_t struct_size;
    size_t n;                /* rows (customers or weighted patterns) */
    const double* frequency; /* x */
    const double* recency;   /* t_x */
    const double* T;         /* T */
    const double* weights;   /* NULL: every row weight 1 (fits only) */
    const double* monetary;
    const double* litt;
    const double* covariates;
    size_t num_covariates;
    const char* const* covariate_names;
} ltv_customers;

/* Zeroes the struct and sets struct_size (sizeof(ltv_customers) of the caller). */
LTV_API int ltv_customers_init(ltv_customers* customers, size_t struct_size);

/* Fits the model on the customers: as ltv_model_fit_rfm (or ltv_model_fit_spend for spend
 * models), with the extra columns the model uses — litt for the regularity models, covariates
 * for a model with covariates (their coefficients become parameters named
 * "<parameter>:<covariate>"). options may be NULL. */
LTV_API int ltv_model_fit_customers(ltv_model* model, const ltv_customers* customers,
                                    const ltv_fit_options* options);

/* How ltv_model_predict computes its intervals. */
#define LTV_INTERVAL_DELTA 1     /* delta method from the parameters' covariance (default) */
#define LTV_INTERVAL_BOOTSTRAP 2 /* parameter draws from the estimate's sampling distribution */

typedef struct ltv_prediction_options {
    size_t struct_size;     /* set by ltv_prediction_options_init */
    double interval_level;  /* two-sided level in (0, 1), e.g. 0.9; 0 (default): no interval */
    int interval_method;    /* LTV_INTERVAL_DELTA (default) or LTV_INTERVAL_BOOTSTRAP */
    int replicates;         /* bootstrap draws (default 200; 2 ... 100000) */
    uint64_t seed;          /* bootstrap seed: the same seed gives the same intervals */
    const ltv_model* spend_model;  /* LTV_CAP_CLV: the spend model (monetary from customers) */
    const ltv_clv_options* clv;    /* LTV_CAP_CLV: NULL for the defaults */
} ltv_prediction_options;

LTV_API int ltv_prediction_options_init(ltv_prediction_options* options, size_t struct_size);

/* One prediction per customer into out[0..n) (capacity >= customers->n): capability is
 * LTV_CAP_P_ALIVE, LTV_CAP_CONDITIONAL_PURCHASES (argument = horizon t), LTV_CAP_DERT (argument
 * = discount rate), LTV_CAP_LOG_LIKELIHOOD, LTV_CAP_SPEND or LTV_CAP_CLV. With an interval
 * level, out_lower and out_upper (caller-owned, capacity each) receive the interval's bounds;
 * they may be NULL otherwise. options may be NULL (point predictions). The interval is for the
 * fitted parameters' uncertainty (the model needs a covariance from its fit); docs/intervals.md. */
LTV_API int ltv_model_predict(const ltv_model* model, int capability, double argument,
                              const ltv_customers* customers,
                              const ltv_prediction_options* options, double* out,
                              double* out_lower, double* out_upper, size_t capacity);

/* ---- model files (JSON) -------------------------------------------------------------------- */

/* Two-call pattern: with buffer == NULL (capacity 0) writes the size needed, terminating NUL
 * included, to *out_size and returns LTV_OK; with a buffer shorter than that returns
 * LTV_ERR_BUFFER_TOO_SMALL (and the size); otherwise writes the NUL-terminated JSON. */
LTV_API int ltv_model_to_json(const ltv_model* model, char* buffer, size_t capacity,
                              size_t* out_size);
LTV_API int ltv_model_from_json(const char* json, size_t length, ltv_model** out_model);
LTV_API int ltv_model_save(const ltv_model* model, const char* path);
LTV_API int ltv_model_load(const char* path, ltv_model** out_model);

/* ---- transaction logs: summaries, journey, RFM, cohorts ------------------------------------ */
/* docs/summaries.md, docs/journey.md, docs/rfm.md, docs/cohorts.md.
 *
 * Dates cross the ABI as int32 day numbers: days since 1970-01-01 in the proleptic Gregorian
 * calendar (1970-01-01 = 0, 1969-12-31 = −1). LTV_NO_DATE marks "not set" in option structs.
 * Customer ids are UTF-8 byte strings. In memory they are passed packed: customer i is
 * id_chars[id_offsets[i] .. id_offsets[i + 1]), so id_offsets has n + 1 non-decreasing entries
 * (numpy/Arrow-style; no NUL terminators). Messages about malformed input name file, line,
 * column and value: "orders.csv:17: column 2 ('date'): cannot parse '2023-13-01' as a date …". */

#define LTV_NO_DATE INT32_MIN

/* Parses a date written YYYY-MM-DD, YYYYMMDD or as an ISO 8601 date-time (the time is checked
 * and dropped; a UTC offset is not applied, see ltv_parse_date_in_zone) into a day number.
 * LTV_ERR_PARSE names the text. */
LTV_API int ltv_parse_date(const char* text, int32_t* out_day);

/* How transactions within one period merge into one purchase occasion. */
#define LTV_MERGE_NONE 0  /* every transaction is an occasion */
#define LTV_MERGE_DAY 1   /* the default */
#define LTV_MERGE_WEEK 2  /* ISO weeks, Monday to Sunday */
#define LTV_MERGE_MONTH 3 /* calendar months */

/* How a transaction log file is read. Columns: a position (0-based, ≥ 0) wins over a name; names
 * match header fields case-insensitively. */
typedef struct ltv_read_options {
    size_t struct_size;          /* sizeof(ltv_read_options); set by ltv_read_options_init */
    int delimiter;               /* 0 = detect (default); ' ' = whitespace-separated; else the byte */
    int header;                  /* 1 (default): the first non-blank line names the columns */
    const char* customer_column; /* header name, default "customer_id" */
    const char* date_column;     /* header name, default "date" */
    const char* amount_column;   /* header name, default "amount"; NULL with amount_index −1:
                                    no amounts (all 0) */
    int customer_index;          /* 0-based position, −1 (default) = by name */
    int date_index;
    int amount_index;
    int amount_optional;         /* 1 (default): an amount column chosen by name that the header
                                    lacks means amounts of 0; 0: it is an error */
    const char* date_format;     /* NULL or "auto" (YYYY-MM-DD, YYYYMMDD, ISO date-time), "iso",
                                    "compact", "iso_datetime", or a pattern such as "%d/%m/%Y" */
    int lenient;                 /* 0 (default): the first malformed row fails with LTV_ERR_PARSE;
                                    1: malformed rows are skipped and counted */
    size_t max_reported_errors;  /* lenient: messages kept for the report, default 20 */
    /* Optional progress callback after every block read: bytes read so far, total bytes (0 if
     * unknown). It must not call back into ltv on the same handle. */
    void (*progress)(uint64_t bytes_read, uint64_t total_bytes, void* user);
    void* progress_user;
    /* Longest record (a line, with the line breaks inside quoted fields) in bytes, line end
     * included; a longer one fails with LTV_ERR_PARSE naming its line. 0 = no limit; default
     * 1048576 (1 MiB: far above any real transaction row, it stops an unterminated quote or a
     * binary file early). Honoured when struct_size covers it (added in 0.2.0). */
    size_t max_record_bytes;
    /* The zone into which date-times written with a UTC offset (Z, +02:00, +0200, +02) are
     * converted before their date is taken: "UTC", a fixed offset "+05:30", a POSIX TZ string
     * "CET-1CEST,M3.5.0,M10.5.0/3" or an IANA name "Europe/Berlin" (its current rules, from
     * $TZDIR or /usr/share/zoneinfo). NULL or "" (default): every date as written. Dates alone
     * and date-times without an offset are never converted (docs/summaries.md). Honoured when
     * struct_size covers it (added in 0.2.5). */
    const char* time_zone;
} ltv_read_options;

LTV_API int ltv_read_options_init(ltv_read_options* options, size_t struct_size);

/* Parses a date or date-time like ltv_parse_date, converting a date-time with a UTC offset to
 * `zone` (as ltv_read_options.time_zone; NULL or "" = the date as written) before taking its
 * date: "2024-03-31T22:30:00Z" in "Europe/Berlin" is 2024-04-01. LTV_ERR_INVALID_ARGUMENT names
 * a zone that is none, LTV_ERR_PARSE the text. (Added in 0.2.5.) */
LTV_API int ltv_parse_date_in_zone(const char* text, const char* zone, int32_t* out_day);
/* The local day numbers in `zone` (as above; NULL or "" is refused here) of n instants given as
 * seconds since 1970-01-01T00:00:00Z (Unix time, what a tz-aware pandas column holds divided by
 * 10⁹). LTV_ERR_INVALID_ARGUMENT names the zone, or the first instant whose day lies outside
 * the years 1..9999. (Added in 0.2.5.) */
LTV_API int ltv_days_in_zone(const int64_t* utc_seconds, size_t n, const char* zone,
                             int32_t* out_days);

/* What a read did. The caller sets struct_size; any report pointer may be NULL. */
typedef struct ltv_read_report {
    size_t struct_size;     /* set by the caller to sizeof(ltv_read_report) */
    uint64_t rows;          /* transactions read */
    uint64_t skipped;       /* malformed rows skipped (lenient mode) */
    uint64_t blank_lines;
    uint64_t lines;         /* physical lines */
    uint64_t bytes;
    int delimiter;          /* the delimiter used; ' ' = whitespace-separated */
    int customer_column;    /* resolved 0-based positions; −1 = none */
    int date_column;
    int amount_column;
    size_t errors_reported; /* messages in `errors` (at most max_reported_errors) */
    const char* errors;     /* the first skipped rows' messages, one per line ("" if none); owned
                               by the handle read into, valid until it is next modified or freed */
} ltv_read_report;

/* Per-customer summaries (frequency, recency, T, monetary_value; lifetimes' definitions). */
typedef struct ltv_summary_options {
    size_t struct_size;     /* sizeof(ltv_summary_options); set by ltv_summary_options_init */
    int32_t observation_end; /* inclusive; LTV_NO_DATE (default) = the last transaction day */
    int32_t calibration_end; /* inclusive end of calibration; LTV_NO_DATE (default) = no holdout */
    int merge;               /* LTV_MERGE_*, default LTV_MERGE_DAY */
    double time_unit_days;   /* durations in units of this many days: 1 (default), 7 = weeks,
                                30 = Fader–Hardie months; 1e-6 … 1e7 (else INVALID_ARGUMENT) */
} ltv_summary_options;

LTV_API int ltv_summary_options_init(ltv_summary_options* options, size_t struct_size);

/* A computed summary table: one row per customer in first-seen order. */
typedef struct ltv_summary_table ltv_summary_table;

#define LTV_SUMMARY_FREQUENCY 0              /* repeat occasions */
#define LTV_SUMMARY_RECENCY 1                /* last − first occasion, in the unit */
#define LTV_SUMMARY_T 2                      /* (calibration or observation) end − first occasion */
#define LTV_SUMMARY_MONETARY_VALUE 3         /* mean value of the repeat occasions; 0 if none */
#define LTV_SUMMARY_TRANSACTIONS 4           /* transactions up to the (calibration) end */
#define LTV_SUMMARY_TOTAL_AMOUNT 5           /* their summed amount */
#define LTV_SUMMARY_FREQUENCY_HOLDOUT 6      /* occasions in the holdout (split only) */
#define LTV_SUMMARY_MONETARY_VALUE_HOLDOUT 7 /* mean occasion value in the holdout (split only) */
#define LTV_SUMMARY_FIRST_PURCHASE 8         /* day numbers: ltv_summary_table_days only */
#define LTV_SUMMARY_LAST_PURCHASE 9
#define LTV_SUMMARY_LITT 10                  /* Σ log inter-purchase times (in the unit); 0 if no
                                                repeat occasion; NaN where not known exactly
                                                (docs/summaries.md#litt) */

typedef struct ltv_summary_info {
    size_t struct_size;              /* set by the caller to sizeof(ltv_summary_info) */
    size_t customers;                /* rows of the table */
    int32_t observation_end;
    int32_t calibration_end;         /* LTV_NO_DATE without a holdout */
    int has_holdout;
    int merge;                       /* LTV_MERGE_* */
    double time_unit_days;
    double duration_holdout;         /* observation − calibration end in the unit; 0 if no split */
    uint64_t transactions_after_end; /* ignored: dated after observation_end */
    uint64_t customers_holdout_only; /* excluded: first purchase in the holdout */
    uint64_t unverified_transactions; /* see docs/summaries.md (0 for exact results) */
} ltv_summary_info;

LTV_API int ltv_summary_table_free(ltv_summary_table* table);
LTV_API int ltv_summary_table_info(const ltv_summary_table* table, ltv_summary_info* out_info);
/* Copies column LTV_SUMMARY_FREQUENCY … LTV_SUMMARY_MONETARY_VALUE_HOLDOUT or LTV_SUMMARY_LITT
 * into out[0..customers);
 * LTV_ERR_BUFFER_TOO_SMALL when capacity < customers; holdout columns need a split. */
LTV_API int ltv_summary_table_column(const ltv_summary_table* table, int column, double* out,
                                     size_t capacity);
/* LTV_SUMMARY_FIRST_PURCHASE or LTV_SUMMARY_LAST_PURCHASE as day numbers. */
LTV_API int ltv_summary_table_days(const ltv_summary_table* table, int column, int32_t* out,
                                   size_t capacity);
/* The customer ids, packed. Two-call pattern: with chars == NULL (chars_capacity 0) writes the
 * byte count to *out_chars_size and returns LTV_OK; then fills chars (no NUL terminators) and
 * offsets[0..customers] (offsets_capacity ≥ customers + 1). */
LTV_API int ltv_summary_table_ids(const ltv_summary_table* table, char* chars,
                                  size_t chars_capacity, size_t* offsets, size_t offsets_capacity,
                                  size_t* out_chars_size);

/* Summarizes a file in one call; exact for any row order (rows out of date order for their
 * customer are re-read in a second pass; LTV_ERR_IO if the file changed in between). read,
 * options and out_report may be NULL. */
LTV_API int ltv_summarize_file(const char* path, const ltv_read_options* read,
                               const ltv_summary_options* options, ltv_summary_table** out_table,
                               ltv_read_report* out_report);

/* The incremental summary state: compact per-customer records updated batch by batch, saved to
 * and restored from a file between runs. Exact when the batches cover date ranges in order (e.g.
 * nightly files) or each customer's rows arrive in date order; rows within one batch of
 * ltv_summary_add may be in any order. ltv_summary_counts reports unverified transactions
 * otherwise (docs/summaries.md). options may be NULL (defaults). */
/* ---- models on summary tables (docs/models.md#summary-tables) ---------------------------- */
/* Fits the model on a summary table's columns, without copies: (frequency, recency, T) for the
 * models fitted on them, (frequency, monetary_value) for spend models; records the table's time
 * unit in the model (model files, the journey's alive_model). options may be NULL. */
LTV_API int ltv_model_fit_summary(ltv_model* model, const ltv_summary_table* table,
                                  const ltv_fit_options* options);
/* One value per row of the table into out[0..capacity) (capacity ≥ its customers): capability is
 * LTV_CAP_LOG_LIKELIHOOD, LTV_CAP_P_ALIVE, LTV_CAP_CONDITIONAL_PURCHASES (argument = the horizon
 * t), LTV_CAP_DERT (argument = the discount rate), LTV_CAP_SPEND (expected spend per
 * transaction) or LTV_CAP_P_ALIVE_AHEAD (argument = periods ahead); argument is ignored where
 * not named. */
LTV_API int ltv_model_score_summary(const ltv_model* model, const ltv_summary_table* table,
                                    int capability, double argument, double* out,
                                    size_t capacity);
/* ltv_customer_lifetime_value over the table's rows (frequency, recency, T, monetary_value). */
LTV_API int ltv_customer_lifetime_value_summary(const ltv_model* transaction_model,
                                                const ltv_model* spend_model,
                                                const ltv_summary_table* table,
                                                const ltv_clv_options* options, double* out,
                                                size_t capacity);

/* ---- one model per segment (docs/segments.md) -------------------------------------------- */
/* A segmented model: for every segment label (a store, a country …) a model of the prototype's
 * kind fitted on that segment's customers alone, with its options set by name and time unit —
 * bit for bit the model a fit of the subset alone gives; each customer is scored by its own
 * segment's model. Segment labels are UTF-8 byte strings, one per customer row, packed as
 * customer ids are (label i is label_chars[label_offsets[i] .. label_offsets[i + 1]), n + 1
 * offsets); an empty label or one that is not UTF-8 is LTV_ERR_INVALID_ARGUMENT naming its row.
 * Segments are ordered by label (byte order). Models fitted on survivor curves (sbg) cannot be
 * segmented by customer. */
typedef struct ltv_segments ltv_segments;

typedef struct ltv_segments_options {
    size_t struct_size;   /* sizeof(ltv_segments_options); set by ltv_segments_options_init */
    size_t min_customers; /* default 1: a segment with fewer rows is LTV_ERR_INVALID_ARGUMENT
                             naming it, its size and this minimum (with pooled: it gets no model
                             of its own and the pooled model scores it) */
    int pooled;           /* 0 (default) or 1: also fit one model on all rows, which scores the
                             customers of labels without a model (small or new segments) */
    int threads;          /* segments fitted at once, threads of scoring batches; 0 (default) =
                             the process default. Results never depend on it. */
} ltv_segments_options;

LTV_API int ltv_segments_options_init(ltv_segments_options* options, size_t struct_size);
/* Fits one model per label. prototype: a model handle giving the kind, the options set by name
 * (ltv_model_set_option) and the time unit; its parameters are not used (fit_options->initial
 * starts every fit). Columns as the kind reads them: frequency, recency, T for the rfm models,
 * frequency, monetary for spend models; the others may be NULL; weights may be NULL. A segment
 * whose fit fails returns the fit's status with a message naming the segment, its size and (for
 * a row's error) the input row; when several fail, the first in label order. fit_options and
 * options may be NULL (defaults). Free the result with ltv_segments_free. */
LTV_API int ltv_segments_fit(const ltv_model* prototype, const double* frequency,
                             const double* recency, const double* T, const double* monetary,
                             const double* weights, const char* label_chars,
                             const size_t* label_offsets, size_t n,
                             const ltv_fit_options* fit_options,
                             const ltv_segments_options* options, ltv_segments** out_segments);
/* The same on a summary table's columns (n = its customers); records the table's time unit in
 * every model, as ltv_model_fit_summary does. */
LTV_API int ltv_segments_fit_summary(const ltv_model* prototype, const ltv_summary_table* table,
                                     const char* label_chars, const size_t* label_offsets,
                                     size_t n, const ltv_fit_options* fit_options,
                                     const ltv_segments_options* options,
                                     ltv_segments** out_segments);
LTV_API int ltv_segments_free(ltv_segments* segments); /* NULL is fine */
/* Threads of scoring batches (0 = the process default); ltv_segments_from_json/load give 0. */
LTV_API int ltv_segments_set_threads(ltv_segments* segments, int threads);
LTV_API int ltv_segments_kind(const ltv_segments* segments, int* out_kind);
LTV_API int ltv_segments_count(const ltv_segments* segments, size_t* out_count);
/* Segment index (0 … count − 1, label order): its label (NUL-terminated; *out_length its bytes,
 * out_length may be NULL), its customer rows, and its model — borrowed: valid until
 * ltv_segments_free, do not free or modify it. */
LTV_API int ltv_segments_label(const ltv_segments* segments, size_t index, const char** out_label,
                               size_t* out_length);
LTV_API int ltv_segments_customers(const ltv_segments* segments, size_t index,
                                   size_t* out_customers);
LTV_API int ltv_segments_model(const ltv_segments* segments, size_t index,
                               const ltv_model** out_model);
/* The pooled model (borrowed) and its rows; *out_model = NULL without one. out_customers may be
 * NULL. */
LTV_API int ltv_segments_pooled(const ltv_segments* segments, const ltv_model** out_model,
                                size_t* out_customers);
/* The index of the segment with this label (length bytes); *out_found = 0 if there is none. */
LTV_API int ltv_segments_find(const ltv_segments* segments, const char* label, size_t length,
                              size_t* out_index, int* out_found);
/* One value per customer row into out[0..n): capability and argument as for
 * ltv_model_score_summary, each row by its segment's model (labels without a model: the pooled
 * model, else LTV_ERR_INVALID_ARGUMENT naming the row and the label). out is written only on
 * success. */
LTV_API int ltv_segments_score(const ltv_segments* segments, int capability, double argument,
                               const double* frequency, const double* recency, const double* T,
                               const double* monetary, const char* label_chars,
                               const size_t* label_offsets, size_t n, double* out);
/* The same over a summary table's rows (n = its customers; capacity ≥ n). */
LTV_API int ltv_segments_score_summary(const ltv_segments* segments,
                                       const ltv_summary_table* table, const char* label_chars,
                                       const size_t* label_offsets, size_t n, int capability,
                                       double argument, double* out, size_t capacity);
/* Customer lifetime value (as ltv_customer_lifetime_value) of each customer row into out[0..n):
 * the transaction model of its segment in `transaction` (labels without one: its pooled model,
 * else LTV_ERR_INVALID_ARGUMENT naming the row and the label) with a spend model — give exactly
 * one of: spend_segments, a segmented spend model (e.g. Gamma-Gamma) fitted on the same labels
 * (a label without a spend model of its own: its pooled spend model, else
 * LTV_ERR_INVALID_ARGUMENT naming the row and the label), or spend_model, one spend model for
 * all customers; the other NULL. Rows are grouped by their pair of models (input order kept)
 * and each group is one batch: bit for bit ltv_customer_lifetime_value of those rows. options
 * may be NULL (the defaults of ltv_clv_options_init); threads: the transaction segments'. out
 * is written only on success. */
LTV_API int ltv_segments_customer_lifetime_value(const ltv_segments* transaction,
                                                 const ltv_segments* spend_segments,
                                                 const ltv_model* spend_model,
                                                 const double* frequency, const double* recency,
                                                 const double* T, const double* monetary,
                                                 const char* label_chars,
                                                 const size_t* label_offsets, size_t n,
                                                 const ltv_clv_options* options, double* out);
/* The same over a summary table's rows (frequency, recency, T, monetary_value; n = its
 * customers; capacity ≥ n). */
LTV_API int ltv_segments_customer_lifetime_value_summary(
    const ltv_segments* transaction, const ltv_segments* spend_segments,
    const ltv_model* spend_model, const ltv_summary_table* table, const char* label_chars,
    const size_t* label_offsets, size_t n, const ltv_clv_options* options, double* out,
    size_t capacity);
/* The segments file (JSON, "format": "ltv-segments": each segment's label, customer count and
 * model document; docs/segments.md); two-call pattern as ltv_model_to_json. */
LTV_API int ltv_segments_to_json(const ltv_segments* segments, char* buffer, size_t capacity,
                                 size_t* out_size);
LTV_API int ltv_segments_from_json(const char* json, size_t length, ltv_segments** out_segments);
LTV_API int ltv_segments_save(const ltv_segments* segments, const char* path);
LTV_API int ltv_segments_load(const char* path, ltv_segments** out_segments);

typedef struct ltv_summary ltv_summary;

LTV_API int ltv_summary_create(const ltv_summary_options* options, ltv_summary** out_summary);
LTV_API int ltv_summary_free(ltv_summary* summary);
/* Adds n transactions from memory: packed ids (see above), day numbers, amounts (NULL = 0).
 * Days must be supported (0001-01-01 … 9999-12-31); a customer's sums must stay finite
 * (LTV_ERR_DOMAIN naming the customer and column); a rejected batch adds nothing. */
LTV_API int ltv_summary_add(ltv_summary* summary, const char* id_chars, const size_t* id_offsets,
                            const int32_t* days, const double* amounts, size_t n);
/* The same with NUL-terminated ids. */
LTV_API int ltv_summary_add_strings(ltv_summary* summary, const char* const* ids,
                                    const int32_t* days, const double* amounts, size_t n);
/* Adds every row of a file in file order, all or none: on any error the summary is unchanged.
 * read and out_report may be NULL. */
LTV_API int ltv_summary_add_file(ltv_summary* summary, const char* path,
                                 const ltv_read_options* read, ltv_read_report* out_report);
/* Customers, transactions added and transactions that could not be verified; any may be NULL. */
LTV_API int ltv_summary_counts(const ltv_summary* summary, size_t* out_customers,
                               uint64_t* out_transactions, uint64_t* out_unverified);
/* The summary as of now, as a new table (free it with ltv_summary_table_free). Every value is
 * finite: LTV_ERR_DOMAIN naming the customer if a monetary value overflows. With a calibration
 * end but no observation end, LTV_ERR_INVALID_ARGUMENT while the last transaction day (the
 * implied observation end) precedes the calibration end. */
LTV_API int ltv_summary_result(const ltv_summary* summary, ltv_summary_table** out_table);
/* Versioned binary state file (magic "LTVSUMST", checksummed). save replaces the file
 * atomically (temporary file, fsync, rename): on failure the previous file is intact. load
 * checks every record and reports damage as LTV_ERR_PARSE naming the file and customer. */
LTV_API int ltv_summary_save(const ltv_summary* summary, const char* path);
LTV_API int ltv_summary_load(const char* path, ltv_summary** out_summary);

/* A whole transaction log in memory, for journey statuses, RFM and cohorts. Per-customer outputs
 * below have one entry per customer of the log in first-seen order (ltv_transactions_ids).
 * The first call that reads the customers' purchases (summarize, journey, RFM, cohorts, period
 * retention) sorts them by customer and date once and keeps the result with the handle (at
 * most 24 bytes per row plus a copy of the ids) until rows are added, so later calls do not
 * sort again; const calls may run concurrently, the first ones included. */
typedef struct ltv_transactions ltv_transactions;

LTV_API int ltv_transactions_create(ltv_transactions** out_log);
LTV_API int ltv_transactions_free(ltv_transactions* log);
LTV_API int ltv_transactions_add(ltv_transactions* log, const char* id_chars,
                                 const size_t* id_offsets, const int32_t* days,
                                 const double* amounts, size_t n);
LTV_API int ltv_transactions_add_file(ltv_transactions* log, const char* path,
                                      const ltv_read_options* read, ltv_read_report* out_report);
/* Customers and rows; either may be NULL. */
LTV_API int ltv_transactions_counts(const ltv_transactions* log, size_t* out_customers,
                                    size_t* out_rows);
/* The customer ids, packed; the same two-call pattern as ltv_summary_table_ids. */
LTV_API int ltv_transactions_ids(const ltv_transactions* log, char* chars, size_t chars_capacity,
                                 size_t* offsets, size_t offsets_capacity, size_t* out_chars_size);
/* The summary of the log (exact for any row order). options may be NULL. */
LTV_API int ltv_transactions_summarize(const ltv_transactions* log,
                                       const ltv_summary_options* options,
                                       ltv_summary_table** out_table);

/* ---- 64-bit integer customer ids and merged summary states (0.2.5; docs/summaries.md) ------ */
/* Integer ids: an int64 customer id is the canonical decimal text of its value inside ltv (no
 * leading zeros, no '+', '-' only for negatives: 123 → "123", -5 → "-5"), so the integer 123 and
 * the id "123" read from a file or passed packed are the same customer, and integer and string
 * ids may be mixed in one summary, log, saved state or output. The add calls below take n rows
 * as parallel arrays (ids, day numbers, amounts; amounts NULL = 0) with the checks and the
 * all-or-none rule of ltv_summary_add / ltv_transactions_add (a rejected batch adds nothing); the
 * ids are deduplicated as integers, with no text made per row.
 * The *_ids_int64 readers write the customer ids as int64 to out[0..customers) (capacity ≥
 * customers, else LTV_ERR_BUFFER_TOO_SMALL; out may be NULL with capacity 0 when there are no
 * customers). When an id is not the canonical text of an int64 ("007", "+7", "abc", a value out
 * of range) they return LTV_ERR_INVALID_ARGUMENT naming the customer's position and its id, and
 * write nothing: read the ids packed (ltv_summary_table_ids, ltv_transactions_ids) instead. */
LTV_API int ltv_summary_add_int64(ltv_summary* summary, const int64_t* ids, const int32_t* days,
                                  const double* amounts, size_t n);
LTV_API int ltv_summary_table_ids_int64(const ltv_summary_table* table, int64_t* out,
                                        size_t capacity);
LTV_API int ltv_transactions_add_int64(ltv_transactions* log, const int64_t* ids,
                                       const int32_t* days, const double* amounts, size_t n);
LTV_API int ltv_transactions_ids_int64(const ltv_transactions* log, int64_t* out,
                                       size_t capacity);
/* Adds the summary state `from` (built over other transactions, e.g. a partition of the
 * customers summarised on another thread or machine) to `into`; `from` is not changed. The
 * options must be equal (observation_end, calibration_end, merge, time_unit_days), else
 * LTV_ERR_INVALID_ARGUMENT naming the option and both values; into == from is refused the same
 * way (every transaction would count twice). Customers only in `from` are appended in its
 * first-seen order; the counts (transactions, unverified) add up. A customer in both gets the
 * record that adding from's purchases after into's gives by the incremental rule: exact when, for
 * each such customer, the purchase periods in one state all come on or after the last period in
 * the other (partitions by time, in either order); otherwise an occasion that cannot be told apart
 * counts as new and as unverified (ltv_summary_counts), as with ltv_summary_add. Disjoint
 * customers are always exact. All or none: on any error (LTV_ERR_DOMAIN when a customer's sum
 * overflows) `into` is unchanged. */
LTV_API int ltv_summary_merge(ltv_summary* into, const ltv_summary* from);

/* Journey statuses (docs/journey.md). */
#define LTV_JOURNEY_NONE (-1) /* no purchase by the date and not a contact */
#define LTV_JOURNEY_LEAD 0
#define LTV_JOURNEY_NEWBIE 1
#define LTV_JOURNEY_FAN 2
#define LTV_JOURNEY_SLEEPING 3
#define LTV_JOURNEY_LOST 4
#define LTV_JOURNEY_RETURNED 5
#define LTV_JOURNEY_STATUSES 6

typedef struct ltv_journey_options {
    size_t struct_size;       /* sizeof(ltv_journey_options); set by ltv_journey_options_init */
    double cycle_days;        /* purchase cycle; < 0 (default −1): the business cycle of the log */
    double cycle_percentile;  /* percentile of all gaps for the business cycle, default 0.8 */
    double lost_multiple;     /* lost after lost_multiple × cycle days of silence, default 3 */
    double lost_days;         /* < 0 (default −1): lost_multiple × cycle */
    const char* const* contacts; /* known contacts (NUL-terminated ids): leads until they buy */
    size_t n_contacts;
    /* Appended fields (honoured when struct_size covers them; ltv_journey_options_init sets them):
     * the probabilistic criterion of docs/journey.md, for ltv_transactions_journey. */
    const ltv_model* alive_model; /* NULL (default): none; else a model with P(alive)
                                     (LTV_CAP_P_ALIVE): a buyer whose P(alive) as of the date is
                                     below alive_threshold is lost, however recent the purchase */
    double alive_threshold;       /* default 0.2 */
    double alive_unit_days;       /* the model's time unit in days; 0 (default): the unit the
                                     model records (its file's "time_unit",
                                     ltv_model_set_time_unit); LTV_INVALID_ARGUMENT when it
                                     records none (since 0.2.4; weeks were assumed before) */
} ltv_journey_options;

typedef struct ltv_journey_summary {
    size_t struct_size;  /* set by the caller to sizeof(ltv_journey_summary) */
    double cycle_days;
    double lost_days;
    size_t counts[LTV_JOURNEY_STATUSES]; /* customers by status, contacts outside the log included */
} ltv_journey_summary;

LTV_API int ltv_journey_options_init(ltv_journey_options* options, size_t struct_size);
/* "lead", "newbie", "fan", "sleeping", "lost", "returned", "none" (static storage). */
LTV_API int ltv_journey_status_name(int status, const char** out_name);
/* Status of every customer of the log as of the day as_of (purchases on or before it count):
 * out_status (LTV_JOURNEY_*) and out_days_since_last (NaN without a purchase) hold `capacity` ≥
 * customers entries, or are NULL. options and out_summary may be NULL. */
LTV_API int ltv_transactions_journey(const ltv_transactions* log, int32_t as_of,
                                     const ltv_journey_options* options, int32_t* out_status,
                                     double* out_days_since_last, size_t capacity,
                                     ltv_journey_summary* out_summary);
/* Status counts at every month end from the first purchase month to `until` (LTV_NO_DATE: the
 * last purchase), with one cycle for all months. Two-call pattern on the number of months:
 * *out_months is always written; with out_month_end and out_counts NULL (capacity 0) nothing
 * else is. out_counts is row-major, LTV_JOURNEY_STATUSES counts per month. out_cycle_days and
 * out_lost_days may be NULL. */
LTV_API int ltv_transactions_monthly_journey(const ltv_transactions* log,
                                             const ltv_journey_options* options, int32_t until,
                                             int32_t* out_month_end, size_t* out_counts,
                                             size_t capacity, size_t* out_months,
                                             double* out_cycle_days, double* out_lost_days);

/* RFM scores 1–5 and the default segments (docs/rfm.md). */
#define LTV_RFM_SEGMENTS 11

/* Name of default segment `segment` (0 = "Champions" … 10 = "Hibernating"); static storage. */
LTV_API int ltv_rfm_segment_name(int segment, const char** out_name);
/* Per customer of the log as of as_of: days since the last purchase, purchase days, total net
 * amount, the R, F, M scores and the segment index. Customers without a purchase by then get
 * NaN, scores 0 and segment −1. Every output may be NULL; the others hold capacity ≥ customers. */
LTV_API int ltv_transactions_rfm(const ltv_transactions* log, int32_t as_of,
                                 double* out_recency_days, double* out_frequency,
                                 double* out_monetary, int32_t* out_r, int32_t* out_f,
                                 int32_t* out_m, int32_t* out_segment, size_t capacity);

/* Cohort retention by acquisition month (docs/cohorts.md), up to `until` (LTV_NO_DATE: the last
 * purchase). n cohorts: out_cohort_start[n] (first day of each month), out_size[n] (customers
 * acquired), out_active and out_active_or_later n × n row-major (row c, column k = month c + k;
 * NaN beyond the last month and for empty cohorts). Two-call pattern: *out_cohorts is always
 * written; with every output NULL (capacity 0) nothing else is; capacity counts cohorts. */
LTV_API int ltv_transactions_cohorts(const ltv_transactions* log, int32_t until,
                                     int32_t* out_cohort_start, size_t* out_size,
                                     double* out_active, double* out_active_or_later,
                                     size_t capacity, size_t* out_cohorts);

typedef struct ltv_period_retention {
    size_t struct_size;     /* set by the caller to sizeof(ltv_period_retention) */
    size_t customers_start; /* active at start: a purchase in (start − window, start] */
    size_t new_customers;   /* first purchase in (start, end] */
    size_t customers_end;   /* active at end */
    size_t retained;        /* active at both */
    size_t reactivated;     /* active at end, neither new nor active at start */
    double retention_rate;  /* (customers_end − new) / customers_start */
    double retained_share;  /* retained / customers_start */
} ltv_period_retention;

/* Retention of the period (start, end] measured on the log, with an activity window of
 * window_days ≥ 1. LTV_ERR_DOMAIN when nobody was active at the start. */
LTV_API int ltv_transactions_period_retention(const ltv_transactions* log, int32_t start,
                                              int32_t end, int window_days,
                                              ltv_period_retention* out);

/* ---- model comparison on a calibration/holdout split (docs/benchmarking.md) ---------------- */

/* A comparison: every applicable model fitted on the calibration period and judged on the
 * holdout, with the naive baseline, the tracking curves and the diagnostics (ltv compare). */
typedef struct ltv_evaluation ltv_evaluation;

typedef struct ltv_compare_options {
    size_t struct_size;          /* sizeof(ltv_compare_options); set by ltv_compare_options_init */
    const char* models;          /* comma-separated model names ("bgnbd,pnbd,gg"); NULL or "" (the
                                    default) = every model that applies (BG/BB and sBG do not) */
    int baseline;                /* 1 (default): add the naive baseline row */
    double tracking_period_days; /* tracking period in whole days; 0 (default) = the time unit */
    int frequency_groups;        /* by-frequency groups x = 0 … G−1 and G+; default 7 */
    int histogram_bins;          /* histogram bins x = 0 … H−1 and H+; default 7 */
    int matrix_size;             /* frequencies and recencies of the matrices; default 25 */
    double penalizer;            /* L2 penalizer of every fit (ltv_fit_options); default 0 */
    int threads;                 /* 0 (default): the library default */
} ltv_compare_options;

LTV_API int ltv_compare_options_init(ltv_compare_options* options, size_t struct_size);

/* Summarizes the log with `summary` (calibration_end must be set; its time unit is the models'
 * unit) and compares the models. options may be NULL (defaults). A model that fails or does not
 * converge is a row marked as such (ltv_evaluation_row), not an error. */
LTV_API int ltv_compare_transactions(const ltv_transactions* log,
                                     const ltv_summary_options* summary,
                                     const ltv_compare_options* options,
                                     ltv_evaluation** out_evaluation);
/* The same from a summary table with a holdout split; without the log there are no tracking
 * curves, journey funnel or cohort table (the notes say so). */
LTV_API int ltv_compare_summary(const ltv_summary_table* table, const ltv_compare_options* options,
                                ltv_evaluation** out_evaluation);
LTV_API int ltv_evaluation_free(ltv_evaluation* evaluation);

/* The metrics (columns of the table), the same for every evaluation: index 0 … count−1. */
#define LTV_GOAL_NONE 0   /* no better direction (counts, sizes) */
#define LTV_GOAL_LOWER 1  /* lower is better (errors, AIC) */
#define LTV_GOAL_HIGHER 2 /* higher is better (likelihood, correlations, lift) */
#define LTV_GOAL_ZERO 3   /* closest to zero is better (bias, error %) */
LTV_API int ltv_evaluation_metric_count(size_t* out_count);
/* Identifier ("mae"), short label ("MAE"), LTV_GOAL_* and description; static strings. */
LTV_API int ltv_evaluation_metric_info(size_t index, const char** out_name, const char** out_label,
                                       int* out_goal, const char** out_description);

#define LTV_ROLE_PURCHASES 0 /* a purchase model (BG/NBD, Pareto/NBD, …) */
#define LTV_ROLE_SPEND 1     /* a spend model (Gamma-Gamma) */
#define LTV_ROLE_BASELINE 2  /* the naive baseline */
typedef struct ltv_evaluation_row {
    size_t struct_size;  /* set by the caller to sizeof(ltv_evaluation_row) */
    const char* name;    /* "bgnbd", "baseline"; owned by the evaluation */
    const char* title;   /* "BG/NBD", "Naive baseline" */
    int role;            /* LTV_ROLE_* */
    int fitted;          /* 1: parameters and predictions available */
    int converged;       /* 1: the fit met its convergence test */
    const char* message; /* the fit's message, or why it failed */
} ltv_evaluation_row;

/* Rows of the table (baseline first), the customers compared, and the row the report calls
 * best (the converged purchase model with the lowest MAE; SIZE_MAX when none). */
LTV_API int ltv_evaluation_counts(const ltv_evaluation* evaluation, size_t* out_rows,
                                  size_t* out_customers, size_t* out_best_row);
LTV_API int ltv_evaluation_row_info(const ltv_evaluation* evaluation, size_t row,
                                    ltv_evaluation_row* out_row);
/* Every metric of a row: values[0..metric_count) and defined[k] = 0 where the metric does not
 * apply or is not defined (then values[k] = 0); capacity ≥ ltv_evaluation_metric_count — size
 * the buffers from that call at run time (later releases append metrics), not from a constant. */
LTV_API int ltv_evaluation_metrics(const ltv_evaluation* evaluation, size_t row, double* values,
                                   int* defined, size_t capacity);
/* The row's fitted model as a new handle (LTV_ERR_NOT_FITTED for the baseline and failed fits). */
LTV_API int ltv_evaluation_model(const ltv_evaluation* evaluation, size_t row,
                                 ltv_model** out_model);
/* The calibration/holdout summary the models were compared on, as a new table handle. */
LTV_API int ltv_evaluation_summary(const ltv_evaluation* evaluation,
                                   ltv_summary_table** out_table);

/* Series (row is ignored for the series of the data). Two-call pattern: *out_length is always
 * written; with out NULL and capacity 0 nothing else is. Group means of empty groups are 0 (see
 * LTV_SERIES_GROUP_CUSTOMERS); a row without the series (not fitted, no such capability) has
 * length 0. */
#define LTV_SERIES_PERIOD_END 0          /* tracking: last day of each period (day numbers) */
#define LTV_SERIES_TRACKING_ACTUAL 1     /* actual cumulative repeat purchases per period */
#define LTV_SERIES_TRACKING_EXPECTED 2   /* the row's expected cumulative repeat purchases */
#define LTV_SERIES_GROUP_CUSTOMERS 3     /* customers per calibration frequency group */
#define LTV_SERIES_GROUP_ACTUAL 4        /* mean holdout purchases per group */
#define LTV_SERIES_GROUP_PREDICTED 5     /* the row's mean predicted holdout purchases per group */
#define LTV_SERIES_HISTOGRAM_ACTUAL 6    /* customers per calibration repeat-purchase bin */
#define LTV_SERIES_HISTOGRAM_EXPECTED 7  /* the row's expected customers per bin */
#define LTV_SERIES_MATRIX_FREQUENCY 8    /* the matrices' frequencies (rows) */
#define LTV_SERIES_MATRIX_RECENCY 9      /* the matrices' recencies (columns) */
#define LTV_SERIES_P_ALIVE_MATRIX 10     /* the row's P(alive), frequency-major */
#define LTV_SERIES_EXPECTED_MATRIX 11    /* the row's expected purchases in one unit, same grid */
#define LTV_SERIES_PREDICTIONS 12        /* per customer: predicted holdout purchases (spend row:
                                            expected spend per transaction) */
#define LTV_SERIES_P_ALIVE 13            /* per customer: P(alive) at the calibration end */
LTV_API int ltv_evaluation_series(const ltv_evaluation* evaluation, int series, size_t row,
                                  double* out, size_t capacity, size_t* out_length);

/* Everything as JSON (docs/benchmarking.md, "JSON"); two-call pattern as ltv_model_to_json:
 * *out_size (bytes with the NUL) is always written. */
LTV_API int ltv_evaluation_to_json(const ltv_evaluation* evaluation, char* buffer, size_t capacity,
                                   size_t* out_size);
/* Writes the self-contained HTML report (inline SVG, no scripts, no network) to path; title and
 * source (the data's name, shown in the header) may be NULL. */
LTV_API int ltv_evaluation_write_html(const ltv_evaluation* evaluation, const char* path,
                                      const char* title, const char* source);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LTV_LTV_H */
