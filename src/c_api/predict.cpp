// SPDX-License-Identifier: Apache-2.0
// src/c_api/predict.cpp — ltv_model_predict: one call for a model's per-customer predictions on
// an ltv_customers table, with optional intervals (ltv_prediction_options). Generic over the
// registry: the capability picks the model_ops kernel.
#include <string>

#include "customers.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/intervals.hpp"
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
        // the defaults of ltv::interval_options (ltv/intervals.hpp), except the level: 0 here
        // means "no interval", so that point predictions stay the default
        const ltv::interval_options defaults;
        ltv_prediction_options full{};
        full.interval_level = 0;
        full.interval_method = static_cast<int>(defaults.method);
        full.replicates = defaults.replicates;
        full.seed = defaults.seed;
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
        if (o.interval_level == 0) {
            ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
                point_predictions(fn, m, capability, argument, c, o, v);
            });
            return;
        }
        ltv::interval_options io;
        io.level = o.interval_level;
        io.method = static_cast<ltv::interval_method>(o.interval_method);
        io.replicates = o.replicates;
        io.seed = o.seed;
        ltv::detail::check_interval_options(fn, io);
        if (out_lower == nullptr || out_upper == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument '" +
                                 (out_lower == nullptr ? "out_lower" : "out_upper") +
                                 "' is a null pointer, but options->interval_level = " +
                                 ltv::detail::format_value(o.interval_level) +
                                 " asks for an interval (capacity " + std::to_string(capacity) +
                                 " values each)");
        if (out_lower == out || out_upper == out || out_lower == out_upper)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) +
                                 ": out, out_lower and out_upper must be three different buffers");
        // nothing reaches the caller's buffers unless all three are complete and finite
        ltv::capi::batch_output(fn, "out_upper", out_upper, n, [&](double* up) {
            ltv::capi::batch_output(fn, "out_lower", out_lower, n, [&](double* low) {
                ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
                    // point predictions first: they check every row (errors name the row)
                    // and centre the intervals
                    point_predictions(fn, m, capability, argument, c, o, v);
                    const ltv::model_state* spend = nullptr;
                    ltv::clv_options clv;
                    if (capability == LTV_CAP_CLV) {
                        spend = &o.spend_model->state;
                        clv = ltv::capi::to_clv_options(fn, o.clv);
                    }
                    const ltv::prediction_request request = ltv::make_prediction_request(
                        m.state, static_cast<ltv::capability>(capability), argument, c.rfm,
                        c.spend, spend, clv);
                    ltv::prediction_intervals(request, v, io, low, up, m.threads);
                });
            });
        });
    });
}

}  // extern "C"
