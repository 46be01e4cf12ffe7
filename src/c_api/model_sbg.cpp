// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_sbg.cpp — C entry points of the sBG model (ltv/sbg.hpp).
#include <cstdint>
#include <string>

#include "ltv/sbg.hpp"

#include "model.hpp"

using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_out;

namespace {
ltv::sbg_params sbg_params_of(const char* fn, const ltv_model& m) {
    ltv::capi::require_kind(fn, m, {ltv::model_kind::sbg}, "this call");
    const auto& p = ltv::capi::require_params(fn, m);
    return {p[0], p[1]};
}
}  // namespace

extern "C" {

LTV_API int ltv_model_fit_survivors(ltv_model* model, const double* survivors,
                                    const size_t* cohort_lengths, size_t n_cohorts,
                                    const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_survivors";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        ltv::capi::require_kind(fn, m, {ltv::model_kind::sbg}, "fitting survivor curves");
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
        auto fit = ltv::fit_sbg(cohorts, ltv::capi::to_fit_options(fn, options));
        ltv::capi::store_fit(m, {fit.params.alpha, fit.params.beta}, std::move(fit.report));
    });
}

LTV_API int ltv_model_survival(const ltv_model* model, const double* t, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_survival";
    return guard(fn, [&] {
        const auto p = sbg_params_of(fn, require_model(fn, model));
        ltv::detail::require_array(fn, "t", t, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            for (size_t i = 0; i < n; ++i) values[i] = ltv::sbg_survival(p, t[i]);
        });
    });
}

LTV_API int ltv_model_retention_rate(const ltv_model* model, const double* t, size_t n,
                                     double* out) {
    constexpr const char* fn = "ltv_model_retention_rate";
    return guard(fn, [&] {
        const auto p = sbg_params_of(fn, require_model(fn, model));
        ltv::detail::require_array(fn, "t", t, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            for (size_t i = 0; i < n; ++i) values[i] = ltv::sbg_retention_rate(p, t[i]);
        });
    });
}

LTV_API int ltv_model_discounted_expected_lifetime(const ltv_model* model, double discount_rate,
                                                   double* out) {
    constexpr const char* fn = "ltv_model_discounted_expected_lifetime";
    return guard(fn, [&] {
        const auto p = sbg_params_of(fn, require_model(fn, model));
        require_out(fn, "out", out);
        ltv::capi::finite_output(fn, "out", out,
                                 ltv::sbg_discounted_expected_lifetime(p, discount_rate));
    });
}

LTV_API int ltv_model_discounted_expected_residual_lifetime(const ltv_model* model,
                                                            double discount_rate,
                                                            const double* renewals, size_t n,
                                                            double* out) {
    constexpr const char* fn = "ltv_model_discounted_expected_residual_lifetime";
    return guard(fn, [&] {
        const auto p = sbg_params_of(fn, require_model(fn, model));
        ltv::detail::require_array(fn, "renewals", renewals, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            for (size_t i = 0; i < n; ++i)
                values[i] =
                    ltv::sbg_discounted_expected_residual_lifetime(p, discount_rate, renewals[i]);
        });
    });
}

}  // extern "C"
