// SPDX-License-Identifier: Apache-2.0
// src/c_api/calculators.cpp — C entry points of the deterministic calculators
// (ltv/retention.hpp, ltv/lost_profit.hpp, ltv/simple_ltv.hpp, ltv/average_clv.hpp).
#include <string>

#include "boundary.hpp"
#include "ltv/average_clv.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/retention.hpp"
#include "ltv/simple_ltv.hpp"

using ltv::capi::guard;
using ltv::capi::require_out;

extern "C" {

LTV_API int ltv_retention_rate(double customers_start, double customers_end, double new_customers,
                               double* out_rate) {
    return guard("ltv_retention_rate", [&] {
        require_out("ltv_retention_rate", "out_rate", out_rate);
        *out_rate = ltv::retention_rate(customers_start, customers_end, new_customers);
    });
}

LTV_API int ltv_retention_rate_batch(const double* customers_start, const double* customers_end,
                                     const double* new_customers, size_t n, double* out_rates) {
    constexpr const char* fn = "ltv_retention_rate_batch";
    return guard(fn, [&] {
        ltv::detail::require_array(fn, "customers_start", customers_start, n);
        ltv::detail::require_array(fn, "customers_end", customers_end, n);
        ltv::detail::require_array(fn, "new_customers", new_customers, n);
        ltv::capi::batch_output(fn, "out_rates", out_rates, n, [&](double* rates) {
            for (size_t i = 0; i < n; ++i) {
                try {
                    rates[i] = ltv::retention_rate(customers_start[i], customers_end[i],
                                                   new_customers[i]);
                } catch (const ltv::error& e) {
                    throw ltv::error(e.code(), "period " + std::to_string(i) + ": " + e.what());
                }
            }
        });
    });
}

LTV_API int ltv_churn_rate(double customers_start, double customers_lost, double* out_rate) {
    return guard("ltv_churn_rate", [&] {
        require_out("ltv_churn_rate", "out_rate", out_rate);
        *out_rate = ltv::churn_rate(customers_start, customers_lost);
    });
}

LTV_API int ltv_retention_from_flows(double customers_start, double customers_lost,
                                     double new_customers, double* out_customers_end,
                                     double* out_retention_rate, double* out_churn_rate) {
    return guard("ltv_retention_from_flows", [&] {
        const auto flows =
            ltv::retention_from_flows(customers_start, customers_lost, new_customers);
        if (out_customers_end) *out_customers_end = flows.customers_end;
        if (out_retention_rate) *out_retention_rate = flows.retention_rate;
        if (out_churn_rate) *out_churn_rate = flows.churn_rate;
    });
}

LTV_API int ltv_lost_profit(double lost_customers, double expected_purchases, double purchases_made,
                            double margin_per_purchase, double* out_profit) {
    return guard("ltv_lost_profit", [&] {
        require_out("ltv_lost_profit", "out_profit", out_profit);
        *out_profit = ltv::lost_profit(lost_customers, expected_purchases, purchases_made,
                                       margin_per_purchase);
    });
}

LTV_API int ltv_simple_ltv(double margin_per_purchase, double expected_purchases, double* out_ltv) {
    return guard("ltv_simple_ltv", [&] {
        require_out("ltv_simple_ltv", "out_ltv", out_ltv);
        *out_ltv = ltv::simple_ltv(margin_per_purchase, expected_purchases);
    });
}

LTV_API int ltv_ltv_from_margins(const double* margins, size_t n, double discount_rate,
                                 double* out_ltv) {
    return guard("ltv_ltv_from_margins", [&] {
        require_out("ltv_ltv_from_margins", "out_ltv", out_ltv);
        *out_ltv = ltv::ltv_from_margins({margins, n}, discount_rate);
    });
}

LTV_API int ltv_purchase_chain_ltv(const double* margins, const double* probabilities, size_t n,
                                   double discount_rate, double* out_ltv) {
    return guard("ltv_purchase_chain_ltv", [&] {
        require_out("ltv_purchase_chain_ltv", "out_ltv", out_ltv);
        ltv::detail::require_array("ltv_purchase_chain_ltv", "probabilities", probabilities, n);
        *out_ltv = ltv::purchase_chain_ltv({margins, n}, {probabilities, n}, discount_rate);
    });
}

LTV_API int ltv_average_clv_options_init(ltv_average_clv_options* options, size_t struct_size) {
    return guard("ltv_average_clv_options_init", [&] {
        ltv_average_clv_options full{};
        const ltv::average_clv_inputs defaults;
        full = ltv_average_clv_options{sizeof(ltv_average_clv_options),
                                           defaults.average_order_value,
                                           defaults.margin,
                                           defaults.purchases_per_period,
                                           defaults.periods,
                                           defaults.retention,
                                           defaults.discount_rate};
        ltv::capi::init_struct("ltv_average_clv_options_init", options, struct_size, full,
                               sizeof(ltv_average_clv_options));
    });
}

LTV_API int ltv_average_clv(const ltv_average_clv_options* options, double* out_clv) {
    constexpr const char* fn = "ltv_average_clv";
    return guard(fn, [&] {
        require_out(fn, "out_clv", out_clv);
        if (options == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'options' is a null pointer");
        // Every field so far belongs to version 1 of the struct; a smaller struct_size means the
        // caller did not initialise it.
        if (options->struct_size < sizeof(ltv_average_clv_options))
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": options->struct_size = " +
                                 std::to_string(options->struct_size) + " is smaller than " +
                                 std::to_string(sizeof(ltv_average_clv_options)) +
                                 "; initialise the struct with ltv_average_clv_options_init");
        ltv::average_clv_inputs in;
        in.average_order_value = options->average_order_value;
        in.margin = options->margin;
        in.purchases_per_period = options->purchases_per_period;
        in.periods = options->periods;
        in.retention = options->retention;
        in.discount_rate = options->discount_rate;
        *out_clv = ltv::average_clv(in);
    });
}

}  // extern "C"
