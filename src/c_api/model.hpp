// SPDX-License-Identifier: Apache-2.0
// src/c_api/model.hpp — the object behind the opaque ltv_model handle.
#pragma once

#include <cstddef>
#include <string>

#include "boundary.hpp"
#include "ltv/model_state.hpp"

struct ltv_model {
    ltv::model_state state;
    int threads = 0;  // batch predictions: 0 = the process default (ltv_set_default_threads)
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

/// The model's parameters; not_fitted when it has none yet.
inline const std::vector<double>& require_params(const char* fn, const ltv_model& m) {
    if (m.state.params.empty())
        throw error(status::not_fitted,
                    std::string(fn) + ": the " + model_info(m.state.kind).title +
                        " model has no parameters yet; fit it or set them first");
    return m.state.params;
}

/// Refuses a model of another kind, naming both.
inline void require_kind(const char* fn, const ltv_model& m, std::initializer_list<model_kind> ok,
                         const char* what) {
    for (model_kind k : ok)
        if (m.state.kind == k) return;
    throw error(status::invalid_argument, std::string(fn) + ": " + what +
                                              " is not available for the " +
                                              model_info(m.state.kind).title + " model");
}

}  // namespace ltv::capi

namespace ltv::capi {

/// The C options (NULL: defaults) as the C++ fit_options.
inline fit_options to_fit_options(const char* fn, const ltv_fit_options* o) {
    fit_options f;
    if (o == nullptr) return f;
    // The first release's struct ended at initial_count; fields appended since (cancel,
    // cancel_user, time_limit) are read only when struct_size covers them.
    constexpr std::size_t v1_size = offsetof(ltv_fit_options, initial_count) + sizeof(size_t);
    if (o->struct_size < v1_size)
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->struct_size = " + std::to_string(o->struct_size) +
                        " is smaller than " + std::to_string(v1_size) +
                        "; initialise the struct with ltv_fit_options_init");
    auto covers = [&](std::size_t offset, std::size_t size) {
        return o->struct_size >= offset + size;
    };
    if (covers(offsetof(ltv_fit_options, cancel_user), sizeof(void*)) && o->cancel != nullptr) {
        int (*cancel)(void*) = o->cancel;
        void* user = o->cancel_user;
        f.cancel = [cancel, user] { return cancel(user) != 0; };
    }
    if (covers(offsetof(ltv_fit_options, time_limit), sizeof(double))) {
        if (!(o->time_limit >= 0))  // (NaN too; +inf is no limit, as 0)
            throw error(status::invalid_argument,
                        std::string(fn) + ": options->time_limit = " +
                            detail::format_value(o->time_limit) +
                            " must be a number of seconds ≥ 0 (0 = no limit)");
        f.time_limit = o->time_limit;
    }
    f.penalizer = o->penalizer;
    f.max_iterations = o->max_iterations;
    f.gradient_tolerance = o->gradient_tolerance;
    f.standard_errors = o->standard_errors != 0;
    f.allow_no_convergence = o->allow_no_convergence != 0;
    detail::require_array(fn, "options->initial", o->initial, o->initial_count);
    if (o->initial_count) f.initial.assign(o->initial, o->initial + o->initial_count);
    if (f.max_iterations <= 0)
        throw error(status::invalid_argument, std::string(fn) + ": options->max_iterations = " +
                                                  std::to_string(f.max_iterations) +
                                                  " must be > 0");
    detail::require_positive(fn, "options->gradient_tolerance", f.gradient_tolerance);
    return f;
}

/// Stores a fit's parameters and report in the handle.
inline void store_fit(ltv_model& m, std::vector<double> params, fit_report report) {
    m.state.params = std::move(params);
    m.state.report = std::move(report);
    m.state.fitted = true;
}

}  // namespace ltv::capi
