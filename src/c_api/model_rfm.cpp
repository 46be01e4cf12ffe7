// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_rfm.cpp — C entry points of the transaction models fitted on (x, t_x, T)
// summaries (BG/NBD, MBG/NBD; ltv/bgnbd.hpp, ltv/mbgnbd.hpp) and of the Gamma-Gamma spend model
// (ltv/gamma_gamma.hpp), plus CLV (ltv/clv.hpp).
//
// with_rfm_model() turns the handle into the model's parameter struct and calls a generic
// lambda with it, so each entry point is written once for every model.
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/bgbb.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/pareto_nbd.hpp"
#include "model.hpp"

using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_out;

namespace {

template <class F>
auto with_rfm_model(const char* fn, const ltv_model& m, F&& f) {
    const auto& p = ltv::capi::require_params(fn, m);
    switch (m.state.kind) {
        case ltv::model_kind::bgnbd:
            return f(ltv::bgnbd_params{p[0], p[1], p[2], p[3]});
        case ltv::model_kind::mbgnbd:
            return f(ltv::mbgnbd_params{p[0], p[1], p[2], p[3]});
        case ltv::model_kind::pareto_nbd:
            return f(ltv::pareto_nbd_params{p[0], p[1], p[2], p[3]});
        case ltv::model_kind::bgbb:
            return f(ltv::bgbb_params{p[0], p[1], p[2], p[3]});
        default:
            break;
    }
    throw ltv::error(ltv::status::invalid_argument,
                     std::string(fn) + ": the " + ltv::model_info(m.state.kind).title +
                         " model is not a transaction model on (frequency, recency, T)");
}

ltv::gamma_gamma_params spend_params(const char* fn, const ltv_model& m) {
    ltv::capi::require_kind(fn, m, {ltv::model_kind::gamma_gamma}, "this spend call");
    const auto& p = ltv::capi::require_params(fn, m);
    return {p[0], p[1], p[2]};
}

ltv::rfm_data rfm(const double* x, const double* t_x, const double* T, const double* w, size_t n) {
    return {{x, n}, {t_x, n}, {T, n}, {w, w ? n : 0}};
}

}  // namespace

extern "C" {

LTV_API int ltv_model_fit_rfm(ltv_model* model, const double* frequency, const double* recency,
                              const double* T, const double* weights, size_t n,
                              const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_rfm";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto data = rfm(frequency, recency, T, weights, n);
        const auto opt = ltv::capi::to_fit_options(fn, options);
        switch (m.state.kind) {
            case ltv::model_kind::bgnbd: {
                auto r = ltv::fit_bgnbd(data, opt);
                ltv::capi::store_fit(m, {r.params.r, r.params.alpha, r.params.a, r.params.b},
                                     std::move(r.report));
                return;
            }
            case ltv::model_kind::mbgnbd: {
                auto r = ltv::fit_mbgnbd(data, opt);
                ltv::capi::store_fit(m, {r.params.r, r.params.alpha, r.params.a, r.params.b},
                                     std::move(r.report));
                return;
            }
            case ltv::model_kind::pareto_nbd: {
                auto r = ltv::fit_pareto_nbd(data, opt);
                ltv::capi::store_fit(m, {r.params.r, r.params.alpha, r.params.s, r.params.beta},
                                     std::move(r.report));
                return;
            }
            case ltv::model_kind::bgbb: {
                auto r = ltv::fit_bgbb(data, opt);
                ltv::capi::store_fit(
                    m, {r.params.alpha, r.params.beta, r.params.gamma, r.params.delta},
                    std::move(r.report));
                return;
            }
            default:
                throw ltv::error(ltv::status::invalid_argument,
                                 std::string(fn) + ": the " + ltv::model_info(m.state.kind).title +
                                     " model is not fitted on (frequency, recency, T)");
        }
    });
}

LTV_API int ltv_model_dert(const ltv_model* model, double discount_rate, const double* frequency,
                           const double* recency, const double* T, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_dert";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        ltv::capi::require_kind(fn, m, {ltv::model_kind::pareto_nbd, ltv::model_kind::bgbb},
                                "DERT");
        const auto data = rfm(frequency, recency, T, nullptr, n);
        const auto& p = ltv::capi::require_params(fn, m);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            if (m.state.kind == ltv::model_kind::pareto_nbd) {
                ltv::discounted_expected_residual_transactions(
                    ltv::pareto_nbd_params{p[0], p[1], p[2], p[3]}, discount_rate, data, values,
                    m.threads);
                return;
            }
            ltv::detail::validate_rfm(fn, data);
            const ltv::bgbb_params b{p[0], p[1], p[2], p[3]};
            for (size_t i = 0; i < n; ++i) {
                try {
                    values[i] = ltv::discounted_expected_residual_transactions(
                        b, discount_rate, frequency[i], recency[i], T[i]);
                } catch (const ltv::error& e) {
                    throw ltv::error(e.code(), std::string(e.what()) + " (at row " +
                                                   std::to_string(i) + ")");
                }
            }
        });
    });
}

LTV_API int ltv_model_fit_spend(ltv_model* model, const double* frequency, const double* monetary,
                                const double* weights, size_t n, const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_spend";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        ltv::capi::require_kind(fn, m, {ltv::model_kind::gamma_gamma},
                                "fitting on (frequency, monetary value)");
        const ltv::spend_data data{{frequency, n}, {monetary, n}, {weights, weights ? n : 0}};
        auto r = ltv::fit_gamma_gamma(data, ltv::capi::to_fit_options(fn, options));
        ltv::capi::store_fit(m, {r.params.p, r.params.q, r.params.gamma}, std::move(r.report));
    });
}

LTV_API int ltv_model_log_likelihood(const ltv_model* model, const double* frequency,
                                     const double* recency, const double* T, size_t n,
                                     double* out) {
    constexpr const char* fn = "ltv_model_log_likelihood";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto data = rfm(frequency, recency, T, nullptr, n);
        with_rfm_model(fn, m, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n,
                                    [&](double* values) { ltv::log_likelihood(p, data, values); });
        });
    });
}

LTV_API int ltv_model_p_alive(const ltv_model* model, const double* frequency,
                              const double* recency, const double* T, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_p_alive";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto data = rfm(frequency, recency, T, nullptr, n);
        with_rfm_model(fn, m, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
                ltv::probability_alive(p, data, values, m.threads);
            });
        });
    });
}

LTV_API int ltv_model_expected_purchases(const ltv_model* model, double t, const double* frequency,
                                         const double* recency, const double* T, size_t n,
                                         double* out) {
    constexpr const char* fn = "ltv_model_expected_purchases";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto data = rfm(frequency, recency, T, nullptr, n);
        with_rfm_model(fn, m, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
                ltv::conditional_expected_purchases(p, t, data, values, m.threads);
            });
        });
    });
}

LTV_API int ltv_model_expected_purchases_new_customer(const ltv_model* model, const double* t,
                                                      size_t n, double* out) {
    constexpr const char* fn = "ltv_model_expected_purchases_new_customer";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        ltv::detail::require_array(fn, "t", t, n);
        with_rfm_model(fn, m, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
                for (size_t i = 0; i < n; ++i) {
                    try {
                        values[i] = ltv::expected_purchases(p, t[i]);
                    } catch (const ltv::error& e) {
                        throw ltv::error(e.code(), std::string(e.what()) + " (at t[" +
                                                       std::to_string(i) + "])");
                    }
                }
            });
        });
    });
}

LTV_API int ltv_model_probability_of_purchases(const ltv_model* model, double t,
                                               const double* counts, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_probability_of_purchases";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        ltv::detail::require_array(fn, "counts", counts, n);
        with_rfm_model(fn, m, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
                for (size_t i = 0; i < n; ++i) {
                    try {
                        values[i] = ltv::probability_of_purchases(p, t, counts[i]);
                    } catch (const ltv::error& e) {
                        throw ltv::error(e.code(), std::string(e.what()) + " (at counts[" +
                                                       std::to_string(i) + "])");
                    }
                }
            });
        });
    });
}

LTV_API int ltv_model_expected_spend(const ltv_model* model, const double* frequency,
                                     const double* monetary, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_expected_spend";
    return guard(fn, [&] {
        const auto g = spend_params(fn, require_model(fn, model));
        const ltv::spend_data data{{frequency, n}, {monetary, n}, {}};
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            ltv::conditional_expected_average_spend(g, data, values);
        });
    });
}

LTV_API int ltv_model_spend_log_likelihood(const ltv_model* model, const double* frequency,
                                           const double* monetary, size_t n, double* out) {
    constexpr const char* fn = "ltv_model_spend_log_likelihood";
    return guard(fn, [&] {
        const auto g = spend_params(fn, require_model(fn, model));
        ltv::detail::require_array(fn, "frequency", frequency, n);
        ltv::detail::require_array(fn, "monetary", monetary, n);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
            for (size_t i = 0; i < n; ++i) {
                try {
                    values[i] = ltv::log_likelihood(g, frequency[i], monetary[i]);
                } catch (const ltv::error& e) {
                    throw ltv::error(e.code(), std::string(e.what()) + " (at row " +
                                                   std::to_string(i) + ")");
                }
            }
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
        ltv::clv_options o;
        if (options != nullptr) {
            if (options->struct_size < sizeof(ltv_clv_options))
                throw ltv::error(ltv::status::invalid_argument,
                                 std::string(fn) + ": options->struct_size = " +
                                     std::to_string(options->struct_size) +
                                     " is smaller than sizeof(ltv_clv_options); initialise the "
                                     "struct with ltv_clv_options_init");
            o.periods = options->periods;
            o.period_length = options->period_length;
            o.discount_rate = options->discount_rate;
        }
        const auto g = spend_params(fn, *spend_model);
        const auto data = rfm(frequency, recency, T, nullptr, n);
        with_rfm_model(fn, *transaction_model, [&](const auto& p) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* values) {
                ltv::clv(p, g, data, {monetary, n}, o, values, transaction_model->threads);
            });
        });
    });
}

}  // extern "C"
