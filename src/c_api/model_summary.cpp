// SPDX-License-Identifier: Apache-2.0
// src/c_api/model_summary.cpp — models fitted and scored straight on a summary table (the
// output of ltv_summarize_file, ltv_summary_result, ltv_transactions_summarize): the table's
// columns are handed to the model as views, without copies, and generically over the registry
// (the capability chooses the kernel).
#include <cmath>
#include <string>

#include "ltv/clv_options.hpp"
#include "ltv/rfm_data.hpp"
#include "model.hpp"
#include "summary_table.hpp"

using ltv::capability;
using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_capacity;

namespace {

const ltv::summary_table& require_table(const char* fn, const ltv_summary_table* t) {
    if (t == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'table' is a null pointer");
    return t->table;
}

/// The summary's RFM columns with its litt (the regularity models use it; others ignore it).
ltv::rfm_data rfm_of(const ltv::summary_table& t) {
    ltv::rfm_data d{t.frequency, t.recency, t.T, {}};
    d.litt = t.litt;
    return d;
}

ltv::spend_data spend_of(const ltv::summary_table& t) { return {t.frequency, t.monetary_value, {}}; }

}  // namespace

extern "C" {

LTV_API int ltv_model_fit_summary(ltv_model* model, const ltv_summary_table* table,
                                  const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_summary";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto& t = require_table(fn, table);
        const auto& ops = ltv::capi::ops_of(m);
        const auto opt = ltv::capi::to_fit_options(fn, options);
        if (ops.fit_rfm != nullptr)
            ops.fit_rfm(m.state, rfm_of(t), opt);
        else if (ops.fit_spend != nullptr)
            ops.fit_spend(m.state, spend_of(t), opt);
        else
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": the " + ops.title + " model is fitted on " +
                                 ltv::data_kind_name(ops.data) +
                                 " data, not on a summary table's columns");
        m.state.time_unit = ltv::time_unit_name(t.unit);
    });
}

LTV_API int ltv_model_score_summary(const ltv_model* model, const ltv_summary_table* table,
                                    int capability_value, double argument, double* out,
                                    size_t capacity) {
    constexpr const char* fn = "ltv_model_score_summary";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        const auto& t = require_table(fn, table);
        const std::size_t n = t.size();
        require_capacity(fn, out, capacity, n);
        const char* name = ltv::capability_name(capability_value);
        const auto c = static_cast<capability>(capability_value);
        const bool per_row = c == capability::log_likelihood || c == capability::p_alive ||
                             c == capability::conditional_purchases || c == capability::dert ||
                             c == capability::spend || c == capability::p_alive_ahead;
        if (name == nullptr || !per_row)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'capability' = " +
                                 std::to_string(capability_value) +
                                 " is not a per-customer prediction (LTV_CAP_LOG_LIKELIHOOD, "
                                 "_P_ALIVE, _CONDITIONAL_PURCHASES, _DERT, _SPEND or "
                                 "_P_ALIVE_AHEAD)");
        const auto& ops = ltv::capi::require_ready(fn, m, c, name);
        ltv::capi::batch_output(fn, "out", out, n, [&](double* v) {
            switch (c) {
                case capability::log_likelihood:
                    ops.log_likelihood(m.state, rfm_of(t), v, m.threads);
                    break;
                case capability::p_alive:
                    ops.p_alive(m.state, rfm_of(t), v, m.threads);
                    break;
                case capability::conditional_purchases:
                    ops.conditional_purchases(m.state, argument, rfm_of(t), v, m.threads);
                    break;
                case capability::dert:
                    ops.dert(m.state, argument, rfm_of(t), v, m.threads);
                    break;
                case capability::p_alive_ahead:
                    ops.p_alive_ahead(m.state, argument, rfm_of(t), v, m.threads);
                    break;
                default:  // capability::spend
                    ops.expected_spend(m.state, spend_of(t), v, m.threads);
                    break;
            }
        });
    });
}

LTV_API int ltv_customer_lifetime_value_summary(const ltv_model* transaction_model,
                                                const ltv_model* spend_model,
                                                const ltv_summary_table* table,
                                                const ltv_clv_options* options, double* out,
                                                size_t capacity) {
    constexpr const char* fn = "ltv_customer_lifetime_value_summary";
    return guard(fn, [&] {
        const auto& t = require_table(fn, table);
        require_capacity(fn, out, capacity, t.size());
        const int rc = ltv_customer_lifetime_value(transaction_model, spend_model,
                                                   t.frequency.data(), t.recency.data(),
                                                   t.T.data(), t.monetary_value.data(), t.size(),
                                                   options, out);
        if (rc != LTV_OK) {  // the message is already set; name this entry point
            throw ltv::error(static_cast<ltv::status>(rc),
                             std::string(fn) + ": " + ltv_last_error());
        }
    });
}

}  // extern "C"
