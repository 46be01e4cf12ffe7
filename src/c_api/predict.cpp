// SPDX-License-Identifier: Apache-2.0
// src/c_api/predict.cpp — ltv_model_predict: one call for a model's per-customer predictions on
// an ltv_customers table, with optional intervals (ltv_prediction_options). Generic over the
// registry: the capability picks the model_ops kernel.
#include <string>

#include "customers.hpp"
#include "ltv/clv_options.hpp"
#include "model.hpp"

using ltv::capability;
using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_ready;

namespace {

/// The point predictions of `cap` into out[0..n).
void point_predictions(const char* fn, const ltv_model& m, int cap, double argument,
                       const ltv::capi::customers_view& c,
                       const ltv_prediction_options& options, double* out) {
    const std::size_t n = c.rfm.size();
    switch (cap) {
        case LTV_CAP_P_ALIVE: {
            const auto& ops = require_ready(fn, m, capability::p_alive, "P(alive)");
            ops.p_alive(m.state, c.rfm, out, m.threads);
            return;
        }
        case LTV_CAP_CONDITIONAL_PURCHASES: {
            const auto& ops = require_ready(fn, m, capability::conditional_purchases,
                                            "the conditional expected purchases");
            ops.conditional_purchases(m.state, argument, c.rfm, out, m.threads);
            return;
        }
        case LTV_CAP_DERT: {
            const auto& ops = require_ready(fn, m, capability::dert, "DERT");
            ops.dert(m.state, argument, c.rfm, out, m.threads);
            return;
        }
        case LTV_CAP_LOG_LIKELIHOOD: {
            const auto& ops = require_ready(fn, m, capability::log_likelihood,
                                            "the log-likelihood of (frequency, recency, T)");
            ops.log_likelihood(m.state, c.rfm, out, m.threads);
            return;
        }
        case LTV_CAP_SPEND: {
            const auto& ops = require_ready(fn, m, capability::spend, "the expected spend");
            ltv::detail::require_array(fn, "monetary", c.monetary, n);
            ops.expected_spend(m.state, c.spend, out, m.threads);
            return;
        }
        case LTV_CAP_CLV: {
            const auto& ops = require_ready(fn, m, capability::clv, "CLV");
            if (options.spend_model == nullptr)
                throw ltv::error(ltv::status::invalid_argument,
                                 std::string(fn) +
                                     ": CLV needs options->spend_model (a fitted spend model)");
            require_ready(fn, *options.spend_model, capability::spend,
                          "spend_model: the expected spend");
            ltv::detail::require_array(fn, "monetary", c.monetary, n);
            ops.clv(m.state, options.spend_model->state, c.rfm, {c.monetary, n},
                    ltv::capi::to_clv_options(fn, options.clv), out, m.threads);
            return;
        }
        default:
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'capability' = " +
                                 std::to_string(cap) +
                                 " is not a per-customer prediction (LTV_CAP_P_ALIVE, "
                                 "LTV_CAP_CONDITIONAL_PURCHASES, LTV_CAP_DERT, "
                                 "LTV_CAP_LOG_LIKELIHOOD, LTV_CAP_SPEND or LTV_CAP_CLV)");
    }
}

}  // namespace

extern "C" {

LTV_API int ltv_prediction_options_init(ltv_prediction_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_prediction_options_init";
    return guard(fn, [&] {
        ltv_prediction_options full{};
        full.interval_level = 0;
        full.interval_method = LTV_INTERVAL_DELTA;
        full.replicates = 200;
        full.seed = 1;
        ltv::capi::init_struct(fn, options, struct_size, full, sizeof(ltv_prediction_options));
    });
}

LTV_API int ltv_model_predict(const ltv_model* model, int capability, double argument,
                              const ltv_customers* customers,
                              const ltv_prediction_options* options, double* out,
                              double* out_lower, double* out_upper, size_t capacity) {
    constexpr const char* fn = "ltv_model_predict";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto c = ltv::capi::read_customers(fn, customers);
        const ltv_prediction_options o =
            ltv::capi::read_struct(fn, "options", options, sizeof(ltv_prediction_options),
                                   ltv_prediction_options_init);
        const std::size_t n = c.rfm.size();
        ltv::capi::require_capacity(fn, out, capacity, n);
        if (o.interval_level != 0)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": intervals are not implemented yet");
        (void)out_lower;
        (void)out_upper;
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            point_predictions(fn, m, capability, argument, c, o, v);
        });
    });
}

}  // extern "C"
