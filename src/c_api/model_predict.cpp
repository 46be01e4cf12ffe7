// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_predict.cpp — predictions of a model handle, generic over the registry
// (ltv/registry.hpp): each entry point checks that the handle's model has the capability and
// parameters, then runs the model's batch kernel (ltv/model_ops.hpp) into a scratch buffer that
// is copied to the caller's `out` only when every value is finite (boundary.hpp).
#include <string>

#include "ltv/clv_options.hpp"
#include "ltv/rfm_data.hpp"
#include "model.hpp"

using ltv::capability;
using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_out;
using ltv::capi::require_ready;
using ltv::capi::rfm;

extern "C" {

LTV_API int ltv_model_log_likelihood(const ltv_model* model, const double* frequency,
                                     const double* recency, const double* T, size_t n,
                                     double* out) {
    constexpr const char* fn = "ltv_model_log_likelihood";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::log_likelihood,
                                        "the log-likelihood of (frequency, recency, T)");
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.log_likelihood(m.state, rfm(frequency, recency, T, n), v, m.threads);
        });
    });
}

LTV_API int ltv_model_p_alive(const ltv_model* model, const double* frequency,
                              const double* recency, const double* T, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_p_alive";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::p_alive, "P(alive)");
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.p_alive(m.state, rfm(frequency, recency, T, n), v, m.threads);
        });
    });
}

LTV_API int ltv_model_expected_purchases(const ltv_model* model, double t, const double* frequency,
                                         const double* recency, const double* T, size_t n,
                                         double* out) {
    constexpr const char* fn = "ltv_model_expected_purchases";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::conditional_purchases,
                                        "the conditional expected purchases");
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.conditional_purchases(m.state, t, rfm(frequency, recency, T, n), v, m.threads);
        });
    });
}

LTV_API int ltv_model_expected_purchases_new_customer(const ltv_model* model, const double* t,
                                                      size_t n, double* out) {
    constexpr const char* fn = "ltv_model_expected_purchases_new_customer";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::new_customer_purchases,
                                        "the expected purchases of a new customer");
        ltv::detail::require_array(fn, "t", t, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.new_customer_purchases(m.state, {t, n}, v, m.threads);
        });
    });
}

LTV_API int ltv_model_probability_of_purchases(const ltv_model* model, double t,
                                               const double* counts, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_probability_of_purchases";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::purchase_pmf, "P(X(t) = n)");
        ltv::detail::require_array(fn, "counts", counts, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.purchase_pmf(m.state, t, {counts, n}, v, m.threads);
        });
    });
}

LTV_API int ltv_model_dert(const ltv_model* model, double discount_rate, const double* frequency,
                           const double* recency, const double* T, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_dert";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::dert, "DERT");
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.dert(m.state, discount_rate, rfm(frequency, recency, T, n), v, m.threads);
        });
    });
}

LTV_API int ltv_model_expected_spend(const ltv_model* model, const double* frequency,
                                     const double* monetary, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_expected_spend";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::spend, "the expected spend");
        const ltv::spend_data data{{frequency, n}, {monetary, n}, {}};
        ltv::capi::batch_output(fn, "out", out, n,
                                [&](double* v) { ops.expected_spend(m.state, data, v, m.threads); });
    });
}

LTV_API int ltv_model_spend_log_likelihood(const ltv_model* model, const double* frequency,
                                           const double* monetary, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_spend_log_likelihood";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops =
            require_ready(fn, m, capability::spend, "the log-likelihood of (frequency, monetary)");
        ltv::detail::require_array(fn, "frequency", frequency, n);
        ltv::detail::require_array(fn, "monetary", monetary, n);
        const ltv::spend_data data{{frequency, n}, {monetary, n}, {}};
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.spend_log_likelihood(m.state, data, v, m.threads);
        });
    });
}

LTV_API int ltv_model_survival(const ltv_model* model, const double* t, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_survival";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::survival, "the survival curve");
        ltv::detail::require_array(fn, "t", t, n);
        ltv::capi::batch_output(fn, "out", out, n,
                                [&](double* v) { ops.survival(m.state, {t, n}, v); });
    });
}

LTV_API int ltv_model_retention_rate(const ltv_model* model, const double* t, size_t n,
                                     double* out) {
    constexpr const char* fn = "ltv_model_retention_rate";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::survival, "the retention rate");
        ltv::detail::require_array(fn, "t", t, n);
        ltv::capi::batch_output(fn, "out", out, n,
                                [&](double* v) { ops.retention_rate(m.state, {t, n}, v); });
    });
}

LTV_API int ltv_model_discounted_expected_lifetime(const ltv_model* model, double discount_rate,
                                                   double* out) {
    constexpr const char* fn = "ltv_model_discounted_expected_lifetime";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::survival, "DEL");
        require_out(fn, "out", out);
        ltv::capi::finite_output(fn, "out", out,
                                 ops.discounted_expected_lifetime(m.state, discount_rate));
    });
}

LTV_API int ltv_model_discounted_expected_residual_lifetime(const ltv_model* model,
                                                            double discount_rate,
                                                            const double* renewals, size_t n,
                                                            double* out) {
    constexpr const char* fn = "ltv_model_discounted_expected_residual_lifetime";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& ops = require_ready(fn, m, capability::survival, "DERL");
        ltv::detail::require_array(fn, "renewals", renewals, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.discounted_expected_residual_lifetime(m.state, discount_rate, {renewals, n}, v);
        });
    });
}

LTV_API int ltv_clv_options_init(ltv_clv_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_clv_options_init";
    return guard(fn, [&] {
        ltv_clv_options full{};
        const ltv::clv_options d;
        full.periods = d.periods;
        full.period_length = d.period_length;
        full.discount_rate = d.discount_rate;
        ltv::capi::init_struct(fn, options, struct_size, full, sizeof(ltv_clv_options));
    });
}

LTV_API int ltv_customer_lifetime_value(const ltv_model* transaction_model,
                                        const ltv_model* spend_model, const double* frequency,
                                        const double* recency, const double* T,
                                        const double* monetary, size_t n,
                                        const ltv_clv_options* options, double* out) {
    constexpr const char* fn = "ltv_customer_lifetime_value";
    return guard(fn, [&] {
        if (transaction_model == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'transaction_model' is a null pointer");
        if (spend_model == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'spend_model' is a null pointer");
        const ltv::clv_options o = ltv::capi::to_clv_options(fn, options);
        const auto& ops = require_ready(fn, *transaction_model, capability::clv,
                                        "CLV with this transaction model");
        require_ready(fn, *spend_model, capability::spend, "spend_model: the expected spend");
        ltv::detail::require_array(fn, "monetary", monetary, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            ops.clv(transaction_model->state, spend_model->state, rfm(frequency, recency, T, n),
                    {monetary, n}, o, v, transaction_model->threads);
        });
    });
}

}  // extern "C"
