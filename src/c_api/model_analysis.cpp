// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_analysis.cpp — the model capabilities of issue 12 (conditional PMF, P(alive)
// ahead, simulation) and the curves over time of ltv/model_curves.hpp (alive path, expected
// cumulative transactions), generic over the registry like model_predict.cpp: each entry point
// checks the handle's capability and parameters, runs the kernel into scratch memory and copies
// to the caller's buffers only when everything succeeded.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ltv/model_curves.hpp"
#include "ltv/rfm_data.hpp"
#include "model.hpp"

using ltv::capability;
using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_ready;
using ltv::capi::rfm;

extern "C" {

LTV_API int ltv_model_conditional_purchase_pmf(const ltv_model* model, double n, double t,
                                               const double* frequency, const double* recency,
                                               const double* T, size_t count, double* out) {
    constexpr const char* fn = "ltv_model_conditional_purchase_pmf";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::conditional_purchase_pmf,
                                        "P(n purchases in (T, T + t] | x, t_x, T)");
        ltv::detail::require_pmf_arguments(fn, n, t);
        ltv::capi::batch_output(fn, "out", out, count, [&](double* v) {
            ops.conditional_purchase_pmf(m.state, n, t, rfm(frequency, recency, T, count), v,
                                         m.threads);
        });
    });
}

LTV_API int ltv_model_p_alive_ahead(const ltv_model* model, double periods_ahead,
                                    const double* frequency, const double* recency,
                                    const double* T, size_t count, double* out) {
    constexpr const char* fn = "ltv_model_p_alive_ahead";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::p_alive_ahead, "P(alive at T + m)");
        ltv::detail::require_nonnegative(fn, "periods_ahead", periods_ahead);
        ltv::capi::batch_output(fn, "out", out, count, [&](double* v) {
            ops.p_alive_ahead(m.state, periods_ahead, rfm(frequency, recency, T, count), v,
                              m.threads);
        });
    });
}

LTV_API int ltv_model_simulate(const ltv_model* model, uint64_t seed, const double* T,
                               size_t count, double* out_frequency, double* out_recency,
                               int* out_alive) {
    constexpr const char* fn = "ltv_model_simulate";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::simulate, "simulation");
        ltv::detail::require_array(fn, "T", T, count);
        ltv::detail::require_array(fn, "out_frequency", out_frequency, count);
        ltv::detail::require_array(fn, "out_recency", out_recency, count);
        for (size_t i = 0; i < count; ++i)
            ltv::detail::require_nonnegative(fn, ltv::detail::arg_name{"T", i}, T[i]);
        std::vector<double> frequency(count), recency(count);
        std::vector<int> alive(count);
        ops.simulate(m.state, seed, {T, count}, frequency.data(), recency.data(), alive.data(),
                     m.threads);
        std::copy(frequency.begin(), frequency.end(), out_frequency);
        std::copy(recency.begin(), recency.end(), out_recency);
        if (out_alive != nullptr) std::copy(alive.begin(), alive.end(), out_alive);
    });
}

LTV_API int ltv_model_alive_path(const ltv_model* model, const double* purchase_times,
                                 size_t n_purchases, const double* at, size_t n_at, double* out) {
    constexpr const char* fn = "ltv_model_alive_path";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::p_alive, "the alive path (P(alive))");
        ltv::capi::batch_output(fn, "out", out, n_at, [&](double* v) {
            ltv::alive_path(ops, m.state, {purchase_times, n_purchases}, {at, n_at}, v,
                            m.threads);
        });
    });
}

LTV_API int ltv_model_expected_cumulative_transactions(const ltv_model* model,
                                                       const double* first_purchase,
                                                       const double* weights,
                                                       size_t n_customers, const double* at,
                                                       size_t n_at, double* out) {
    constexpr const char* fn = "ltv_model_expected_cumulative_transactions";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops =
            require_ready(fn, m, capability::new_customer_purchases,
                          "the expected cumulative transactions (E[X(t)] of a new customer)");
        ltv::detail::require_array(fn, "first_purchase", first_purchase, n_customers);
        const ltv::array_view<double> w =
            weights == nullptr ? ltv::array_view<double>{} : ltv::array_view<double>{weights, n_customers};
        ltv::capi::batch_output(fn, "out", out, n_at, [&](double* v) {
            ltv::expected_cumulative_transactions(ops, m.state, {first_purchase, n_customers}, w,
                                                  {at, n_at}, v, m.threads);
        });
    });
}

}  // extern "C"
