// SPDX-License-Identifier: Apache-2.0
// src/c_api/model.hpp — the object behind the opaque ltv_model handle.
#pragma once

#include <cstddef>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"

struct ltv_model {
    ltv::model_state state;
    int threads = 0;  // batch predictions: 0 = the process default (ltv_set_default_threads)
    // The covariate coefficients' names and bounds as param_info (ltv/covariates.hpp), built by
    // param_at under the cache's mutex (const calls on one handle may run concurrently, ltv.h);
    // their text lives as long as the handle and its covariates. A copy starts empty.
    struct coefficient_cache {
        std::mutex mutex;
        std::vector<std::string> names;
        std::vector<ltv::param_info> info;
        coefficient_cache() = default;
        coefficient_cache(const coefficient_cache&) {}
        coefficient_cache& operator=(const coefficient_cache&) { return *this; }
    };
    mutable coefficient_cache coefficients;
};

namespace ltv::capi {

inline const ltv_model& require_model(const char* fn, const ltv_model* m) {
    if (m == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'model' is a null pointer");
    return *m;
}

inline ltv_model& require_model(const char* fn, ltv_model* m) {
    if (m == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'model' is a null pointer");
    return *m;
}

/// The model's parameters; not_fitted when it has none yet (`argument`: the argument that holds
/// the model, when it is not the function's own `model`).
inline const std::vector<double>& require_params(const char* fn, const ltv_model& m,
                                                 const char* argument = nullptr) {
    if (m.state.params.empty())
        throw error(status::not_fitted,
                    std::string(fn) + ": " + (argument ? std::string(argument) + ": " : "") +
                        "the " + model_ops_for(m.state.kind).title +
                        " model has no parameters yet; fit it or set them first");
    return m.state.params;
}

/// The registered model behind the handle.
inline const model_ops& ops_of(const ltv_model& m) { return model_ops_for(m.state.kind); }

/// The model's ops after checking that it has capability `c`: invalid_argument naming what is
/// missing and what the model can do instead.
inline const model_ops& require_capability(const char* fn, const ltv_model& m, capability c,
                                           const char* what) {
    const model_ops& ops = ops_of(m);
    if (ops.supports(c)) return ops;
    std::string can;
    for (const char* name : capability_names(ops.capabilities))
        can += std::string(can.empty() ? "" : ", ") + name;
    throw error(status::invalid_argument, std::string(fn) + ": " + what +
                                              " is not available for the " + ops.title +
                                              " model (it supports: " + can + ")");
}

/// require_capability, then require_params: the ops of a model that can compute `c` now.
inline const model_ops& require_ready(const char* fn, const ltv_model& m, capability c,
                                      const char* what) {
    const model_ops& ops = require_capability(fn, m, c, what);
    require_params(fn, m);
    return ops;
}

/// The table's rows fit the caller's buffer: out non-null and capacity ≥ n (buffer_too_small
/// naming both otherwise). Shared by the summary-table scoring calls of models and segments.
inline void require_capacity(const char* fn, const double* out, std::size_t capacity,
                             std::size_t n) {
    detail::require_array(fn, "out", out, capacity);
    if (capacity < n)
        throw error(status::buffer_too_small,
                    std::string(fn) + ": the buffer holds " + std::to_string(capacity) +
                        " values but the table has " + std::to_string(n) + " rows");
}

/// The C CLV options (NULL: ltv_clv_options_init's defaults) as the C++ clv_options.
inline clv_options to_clv_options(const char* fn, const ltv_clv_options* options) {
    const ltv_clv_options c =
        read_struct(fn, "options", options, sizeof(ltv_clv_options), ltv_clv_options_init);
    clv_options o;
    o.periods = c.periods;
    o.period_length = c.period_length;
    o.discount_rate = c.discount_rate;
    return o;
}

/// The (frequency, recency, T) columns of a batch call as an rfm_data view (no weights).
inline rfm_data rfm(const double* x, const double* t_x, const double* T, std::size_t n) {
    return {{x, n}, {t_x, n}, {T, n}, {}};
}

}  // namespace ltv::capi

namespace ltv::capi {

/// The C options (NULL: defaults) as the C++ fit_options. The first release's struct ended at
/// initial_count; fields appended since (cancel, cancel_user, time_limit) take their defaults
/// when the caller's struct_size does not cover them (read_struct).
inline fit_options to_fit_options(const char* fn, const ltv_fit_options* options) {
    constexpr std::size_t v1_size = offsetof(ltv_fit_options, initial_count) + sizeof(size_t);
    const ltv_fit_options o = read_struct(fn, "options", options, v1_size, ltv_fit_options_init);
    fit_options f;
    if (o.cancel != nullptr) {
        int (*cancel)(void*) = o.cancel;
        void* user = o.cancel_user;
        f.cancel = [cancel, user] { return cancel(user) != 0; };
    }
    if (!(o.time_limit >= 0))  // (NaN too; +inf is no limit, as 0)
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->time_limit = " +
                        detail::format_value(o.time_limit) +
                        " must be a number of seconds ≥ 0 (0 = no limit)");
    f.time_limit = o.time_limit;
    f.penalizer = o.penalizer;
    f.max_iterations = o.max_iterations;
    f.gradient_tolerance = o.gradient_tolerance;
    f.standard_errors = o.standard_errors != 0;
    f.allow_no_convergence = o.allow_no_convergence != 0;
    f.strict_spend = o.strict_spend != 0;
    if (o.penalizer_convention != LTV_PENALIZER_LTV &&
        o.penalizer_convention != LTV_PENALIZER_LIFETIMES)
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->penalizer_convention = " +
                        std::to_string(o.penalizer_convention) +
                        " is not LTV_PENALIZER_LTV (0) or LTV_PENALIZER_LIFETIMES (1)");
    f.convention = static_cast<penalizer_convention>(o.penalizer_convention);
    detail::require_array(fn, "options->initial", o.initial, o.initial_count);
    if (o.initial_count) f.initial.assign(o.initial, o.initial + o.initial_count);
    if (f.max_iterations <= 0)
        throw error(status::invalid_argument, std::string(fn) + ": options->max_iterations = " +
                                                  std::to_string(f.max_iterations) +
                                                  " must be > 0");
    detail::require_positive(fn, "options->gradient_tolerance", f.gradient_tolerance);
    return f;
}

/// Parameter `index` of the handle's model; invalid_argument naming the index and the count.
/// Parameters of the handle's model: its own plus its covariate coefficients.
inline std::size_t param_count(const ltv_model& m) {
    return parameter_names(ops_of(m), m.state.covariate_names).size();
}

inline const param_info& param_at(const char* fn, const ltv_model& m, std::size_t index) {
    const model_ops& ops = ops_of(m);
    const std::size_t count = param_count(m);
    if (index >= count)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'index' = " + std::to_string(index) +
                        " is out of range; the " + ops.title + " model has " +
                        std::to_string(count) + " parameters");
    if (index < ops.num_params) return ops.params[index];
    // a covariate coefficient γ: any real number
    std::vector<std::string> names = parameter_names(ops, m.state.covariate_names);
    auto& cache = m.coefficients;
    const std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.names != names) {  // rebuilt only when the covariates changed (a non-const call)
        cache.names = std::move(names);
        cache.info.clear();
        for (const auto& n : cache.names)
            cache.info.push_back({n.c_str(), -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::infinity(),
                                  "static covariate coefficient (ltv/covariates.hpp)"});
    }
    return cache.info[index];
}

}  // namespace ltv::capi
