// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_fit.cpp — fitting a model handle: on (frequency, recency, T) summaries, on
// (frequency, monetary) spend summaries, on cohort survivor curves. Each entry point checks
// that the handle's model is fitted on that kind of data (its registered capabilities,
// ltv/registry.hpp) and calls the model's fit through the registry.
#include <cstdint>
#include <string>
#include <vector>

#include "ltv/rfm_data.hpp"
#include "model.hpp"

using ltv::capi::guard;
using ltv::capi::require_model;

extern "C" {

LTV_API int ltv_model_fit_rfm(ltv_model* model, const double* frequency, const double* recency,
                              const double* T, const double* weights, size_t n,
                              const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_rfm";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto& ops = ltv::capi::require_capability(
            fn, m, ltv::capability::fit_rfm, "fitting on (frequency, recency, T)");
        const ltv::rfm_data data{{frequency, n}, {recency, n}, {T, n}, {weights, weights ? n : 0}};
        ops.fit_rfm(m.state, data, ltv::capi::to_fit_options(fn, options));
    });
}

LTV_API int ltv_model_fit_spend(ltv_model* model, const double* frequency, const double* monetary,
                                const double* weights, size_t n, const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_spend";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto& ops = ltv::capi::require_capability(
            fn, m, ltv::capability::fit_spend, "fitting on (frequency, monetary value)");
        const ltv::spend_data data{{frequency, n}, {monetary, n}, {weights, weights ? n : 0}};
        ops.fit_spend(m.state, data, ltv::capi::to_fit_options(fn, options));
    });
}

LTV_API int ltv_model_fit_survivors(ltv_model* model, const double* survivors,
                                    const size_t* cohort_lengths, size_t n_cohorts,
                                    const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_survivors";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto& ops = ltv::capi::require_capability(fn, m, ltv::capability::fit_survivors,
                                                        "fitting survivor curves");
        ltv::detail::require_array(fn, "cohort_lengths", cohort_lengths, n_cohorts);
        size_t total = 0;
        for (size_t c = 0; c < n_cohorts; ++c) {
            // The lengths come from the caller: a sum that wraps around would make `survivors`
            // look shorter than the views below read.
            if (cohort_lengths[c] > SIZE_MAX - total)
                throw ltv::error(ltv::status::invalid_argument,
                                 std::string(fn) + ": argument 'cohort_lengths[" +
                                     std::to_string(c) + "]' = " +
                                     std::to_string(cohort_lengths[c]) +
                                     " makes the total number of survivor counts overflow");
            total += cohort_lengths[c];
        }
        ltv::detail::require_array(fn, "survivors", survivors, total);
        std::vector<ltv::array_view<double>> cohorts;
        size_t offset = 0;
        for (size_t c = 0; c < n_cohorts; ++c) {
            cohorts.emplace_back(survivors + offset, cohort_lengths[c]);
            offset += cohort_lengths[c];
        }
        ops.fit_survivors(m.state, cohorts, ltv::capi::to_fit_options(fn, options));
    });
}

}  // extern "C"
