// SPDX-License-Identifier: Apache-2.0
// ltv/model_traits.hpp — what a model says about itself: the vocabulary of the model registry.
//
// A model is one header, ltv/<model>.hpp, holding its mathematics (free functions over a
// parameter struct, as before) and one traits struct `<model>_model` that describes it:
//
//   struct bgnbd_model {
//       using params_type = bgnbd_params;                 // the maths' parameter struct
//       static constexpr const char* title = "BG/NBD";    // for people
//       static constexpr const char* class_name = "BetaGeo";   // the Python class
//       static constexpr const char* citation = "Fader, Hardie & Lee (2005) ...";
//       static constexpr data_kind data = data_kind::rfm;      // what it is fitted on
//       static constexpr const char* docs = "bgnbd.md";        // its page in docs/
//       static constexpr const char* age_name = "T";           // the third RFM column's name
//       static constexpr capability_set capabilities = ...;    // what it can predict
//       static constexpr param_info params[] = {{"r", 0, inf, "..."}, ...};
//       static fit_result fit(const rfm_data&, const fit_options&);  // returns {params, report}
//   };
//
// ltv/model_ops.hpp turns such a traits struct into a model_ops: the same description plus one
// function pointer per capability, all taking the parameters as a model_state. The registry
// (ltv/registry.hpp, one line per model) lists the models; the C API, the CLI, the Python
// binding (through the C API) and the documentation index are generic over that list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "ltv/array_view.hpp"

namespace ltv {

/// What a model can compute. The values are part of the C ABI (LTV_CAP_* in ltv/ltv.h; a
/// static_assert in src/c_api ties each to its macro) and never change; new capabilities get
/// new numbers. X(identifier, C macro suffix, value, description).
#define LTV_CAPABILITY_LIST(X)                                                                  \
    X(fit_rfm, FIT_RFM, 1, "fit on (frequency, recency, T) summaries")                          \
    X(fit_spend, FIT_SPEND, 2, "fit on (frequency, mean spend) summaries")                      \
    X(fit_survivors, FIT_SURVIVORS, 3, "fit on cohort survivor curves")                         \
    X(log_likelihood, LOG_LIKELIHOOD, 4, "per-customer log-likelihood of (x, t_x, T)")          \
    X(p_alive, P_ALIVE, 5, "P(alive | x, t_x, T)")                                              \
    X(conditional_purchases, CONDITIONAL_PURCHASES, 6, "E[purchases in (T, T + t] | x, t_x, T]") \
    X(new_customer_purchases, NEW_CUSTOMER_PURCHASES, 7, "E[X(t)] of a new customer")           \
    X(purchase_pmf, PURCHASE_PMF, 8, "P(X(t) = n) of a new customer")                           \
    X(dert, DERT, 9, "discounted expected residual transactions")                               \
    X(clv, CLV, 10, "customer lifetime value with a spend model")                               \
    X(spend, SPEND, 11, "expected spend per transaction and its log-likelihood")                \
    X(survival, SURVIVAL, 12, "cohort survival, retention rate, DEL and DERL")                 \
    X(conditional_purchase_pmf, CONDITIONAL_PURCHASE_PMF, 13,                                   \
      "P(n purchases in (T, T + t] | x, t_x, T)")                                               \
    X(p_alive_ahead, P_ALIVE_AHEAD, 14, "P(alive at T + m | x, t_x, T)")                        \
    X(simulate, SIMULATE, 15, "simulated customers (frequency, recency, alive) of given ages")

enum class capability : int {
#define LTV_CAPABILITY_ENUM(id, macro, value, text) id = value,
    LTV_CAPABILITY_LIST(LTV_CAPABILITY_ENUM)
#undef LTV_CAPABILITY_ENUM
};

/// The highest capability value (the list's values are 1 … capability_max without gaps).
constexpr int capability_max = 0
#define LTV_CAPABILITY_COUNT(id, macro, value, text) +1
    LTV_CAPABILITY_LIST(LTV_CAPABILITY_COUNT)
#undef LTV_CAPABILITY_COUNT
    ;

/// A set of capabilities as bits (1 << value).
using capability_set = std::uint32_t;

constexpr capability_set capability_bit(capability c) noexcept {
    return capability_set{1} << static_cast<int>(c);
}

/// The set holding every capability given.
template <class... C>
constexpr capability_set capabilities_of(C... c) noexcept {
    return (capability_set{0} | ... | capability_bit(c));
}

constexpr bool has_capability(capability_set set, capability c) noexcept {
    return (set & capability_bit(c)) != 0;
}

/// Identifier ("p_alive") and description of a capability; nullptr for an unknown value.
inline const char* capability_name(int value) noexcept {
    switch (value) {
#define LTV_CAPABILITY_NAME(id, macro, v, text) \
    case v:                                     \
        return #id;
        LTV_CAPABILITY_LIST(LTV_CAPABILITY_NAME)
#undef LTV_CAPABILITY_NAME
    }
    return nullptr;
}

/// The names of the capabilities in `set`, in value order (messages, `ltv models`).
inline std::vector<const char*> capability_names(capability_set set) {
    std::vector<const char*> names;
    for (int v = 1; v <= capability_max; ++v)
        if (has_capability(set, static_cast<capability>(v))) names.push_back(capability_name(v));
    return names;
}

inline const char* capability_description(int value) noexcept {
    switch (value) {
#define LTV_CAPABILITY_TEXT(id, macro, v, text) \
    case v:                                     \
        return text;
        LTV_CAPABILITY_LIST(LTV_CAPABILITY_TEXT)
#undef LTV_CAPABILITY_TEXT
    }
    return nullptr;
}

/// What a model is fitted on (values are part of the C ABI: LTV_DATA_* in ltv/ltv.h).
enum class data_kind : int {
    rfm = 1,        ///< per-customer (frequency x, recency t_x, T) with optional weights
    spend = 2,      ///< per-customer (frequency x, mean spend z̄) with optional weights
    survivors = 3,  ///< cohorts' counts of active customers per period
};

inline const char* data_kind_name(data_kind d) noexcept {
    switch (d) {
        case data_kind::rfm:
            return "rfm";
        case data_kind::spend:
            return "spend";
        case data_kind::survivors:
            return "survivors";
    }
    return "unknown";
}

/// One parameter: name as in the paper, the open interval (lower, upper) of valid values, and
/// what it means.
struct param_info {
    const char* name;
    double lower;  ///< exclusive bound
    double upper;  ///< exclusive bound (+inf: none)
    const char* meaning;
};

/// A structural option of a model, set by name (ltv_model_set_option): e.g. BG/CNBD-k's k. Every
/// model also has the options "fix.<parameter>" (hold that parameter at the value in fits).
struct option_info {
    const char* name;
    double lower;         ///< inclusive
    double upper;         ///< inclusive
    bool integer;         ///< whole numbers only
    double default_value;
    const char* meaning;
};

/// A parameter that takes static covariates (ltv/covariates.hpp): customer i's value is
/// θ · exp(sign · γ_group'zᵢ); links of one group share the coefficients γ_group, named
/// "<group>:<covariate>". A traits struct opts in with
///   static constexpr covariate_link covariate_links[] = {{"alpha", -1, "alpha"}, …};
struct covariate_link {
    const char* param;  ///< the parameter's name (one of the traits' params)
    int sign;           ///< +1 or −1
    const char* group;  ///< the coefficient vector it uses
};

/// The bounds of every parameter of ltv's models: positive reals.
constexpr double param_lower_positive = 0.0;
constexpr double param_upper_none = std::numeric_limits<double>::infinity();

namespace detail {
/// The Gamma heterogeneity of purchase rates λ ~ Gamma(r, α) that BG/NBD, MBG/NBD and
/// Pareto/NBD share (their NBD purchase process), described once.
constexpr param_info purchase_rate_shape{"r", param_lower_positive, param_upper_none,
                                         "shape of the Gamma heterogeneity of purchase rates"};
constexpr param_info purchase_rate_scale{
    "alpha", param_lower_positive, param_upper_none,
    "scale of the Gamma heterogeneity of purchase rates, in time units"};
}  // namespace detail

struct model_state;
struct fit_options;
struct fit_report;
struct rfm_data;
struct spend_data;
struct clv_options;

/// A model's description and kernels behind function pointers (ltv/model_ops.hpp builds one
/// from a traits struct; ltv/registry.hpp finds them). A pointer is null exactly when the
/// model lacks the capability. The parameters come in as a model_state (its `params` in the
/// order of `params` below); every kernel validates them and its data and throws ltv::error.
struct model_ops {
    int kind = 0;                      ///< model_kind value (LTV_MODEL_* in ltv/ltv.h)
    const char* name = "";             ///< short name: files, CLI --model, C/Python kind name
    const char* title = "";            ///< for people ("BG/NBD")
    const char* class_name = "";       ///< the Python class ("BetaGeo")
    const char* citation = "";         ///< the paper
    const char* age_name = "T";        ///< what the user layers call the RFM data's third column
    const char* docs = "";             ///< its page in docs/ ("bgnbd.md#mbgnbd")
    const char* header = "";           ///< the registry identifier: ltv/<header>.hpp
    data_kind data = data_kind::rfm;
    capability_set capabilities = 0;
    const param_info* params = nullptr;
    std::size_t num_params = 0;
    const option_info* options = nullptr;  ///< structural options (besides "fix.<parameter>")
    std::size_t num_options = 0;
    /// Parameters that take static covariates (ltv/covariates.hpp); none: no covariates.
    const covariate_link* covariate_links = nullptr;
    std::size_t num_covariate_links = 0;

    // -- fits: store params and report in the state ------------------------------------------
    void (*fit_rfm)(model_state&, const rfm_data&, const fit_options&) = nullptr;
    void (*fit_spend)(model_state&, const spend_data&, const fit_options&) = nullptr;
    void (*fit_survivors)(model_state&, const std::vector<array_view<double>>&,
                          const fit_options&) = nullptr;
    /// Σ wᵢ log Lᵢ of fitted data (any data kind), for comparisons and the conformance tests;
    /// `gradient` (may be null) receives d/d log φ.
    double (*total_log_likelihood_rfm)(const model_state&, const rfm_data&, double* gradient) =
        nullptr;
    double (*total_log_likelihood_spend)(const model_state&, const spend_data&,
                                         double* gradient) = nullptr;

    // -- per-customer batches over rfm_data: out[0..data.size()) -----------------------------
    void (*log_likelihood)(const model_state&, const rfm_data&, double* out, int threads) =
        nullptr;
    void (*p_alive)(const model_state&, const rfm_data&, double* out, int threads) = nullptr;
    /// P(alive) of one customer (the journey's criterion calls it per customer and date).
    double (*p_alive_one)(const model_state&, double x, double t_x, double T) = nullptr;
    void (*conditional_purchases)(const model_state&, double t, const rfm_data&, double* out,
                                  int threads) = nullptr;
    void (*dert)(const model_state&, double discount_rate, const rfm_data&, double* out,
                 int threads) = nullptr;
    /// CLV with a Gamma-Gamma model (`spend` holds its state), monetary[i] per customer.
    void (*clv)(const model_state& transactions, const model_state& spend, const rfm_data&,
                array_view<double> monetary, const clv_options&, double* out,
                int threads) = nullptr;

    /// P(n purchases in (T, T + t] | x, t_x, T) for one whole n ≥ 0 and one t ≥ 0.
    void (*conditional_purchase_pmf)(const model_state&, double n, double t, const rfm_data&,
                                     double* out, int threads) = nullptr;
    /// P(alive at T + ahead | x, t_x, T): ahead in the data's time unit (BG/BB: whole periods;
    /// its P(alive at n + 1) is ahead = 1, see ltv/bgbb.hpp).
    void (*p_alive_ahead)(const model_state&, double ahead, const rfm_data&, double* out,
                          int threads) = nullptr;

    // -- new customers: one value per t[i] / counts[i] ----------------------------------------
    void (*new_customer_purchases)(const model_state&, array_view<double> t, double* out,
                                   int threads) = nullptr;
    void (*purchase_pmf)(const model_state&, double t, array_view<double> counts, double* out,
                         int threads) = nullptr;

    /// Simulated customers of ages T[i] (BG/BB: whole periods): frequency[i], recency[i] and
    /// alive[i] (1 when alive at T[i]; `alive` may be null). Customer i draws from its own
    /// generator seeded by (seed, i) (detail/random.hpp): the same seed gives the same
    /// customers whatever the number of threads.
    void (*simulate)(const model_state&, std::uint64_t seed, array_view<double> T,
                     double* frequency, double* recency, int* alive, int threads) = nullptr;

    // -- spend ------------------------------------------------------------------------------
    void (*expected_spend)(const model_state&, const spend_data&, double* out,
                           int threads) = nullptr;
    void (*spend_log_likelihood)(const model_state&, const spend_data&, double* out,
                                 int threads) = nullptr;

    // -- survival (contractual) ---------------------------------------------------------------
    void (*survival)(const model_state&, array_view<double> t, double* out) = nullptr;
    void (*retention_rate)(const model_state&, array_view<double> t, double* out) = nullptr;
    double (*discounted_expected_lifetime)(const model_state&, double discount_rate) = nullptr;
    void (*discounted_expected_residual_lifetime)(const model_state&, double discount_rate,
                                                  array_view<double> renewals,
                                                  double* out) = nullptr;
    double (*survivors_log_likelihood)(const model_state&,
                                       const std::vector<array_view<double>>&) = nullptr;

    bool supports(capability c) const noexcept { return has_capability(capabilities, c); }
    /// The same for a capability value from outside C++ (LTV_CAP_*): false for unknown values.
    bool supports(int c) const noexcept {
        return c >= 1 && c <= capability_max && supports(static_cast<capability>(c));
    }
};

}  // namespace ltv
