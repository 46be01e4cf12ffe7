// SPDX-License-Identifier: Apache-2.0
// src/c_api/customers.cpp — the customers table (ltv_customers: RFM columns plus the columns some
// models need: monetary, litt, covariates), fits on it, and ltv_model_predict, the one
// prediction call with intervals. Generic over the registry like the other entry points.
#include <cstddef>
#include <string>
#include <vector>

#include "customers.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/rfm_data.hpp"
#include "model.hpp"

using ltv::capability;
using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_ready;

namespace ltv::capi {

customers_view read_customers(const char* fn, const ltv_customers* c) {
    if (c == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'customers' is a null pointer");
    const ltv_customers full = read_struct(fn, "customers", c,
                                           offsetof(ltv_customers, covariate_names) +
                                               sizeof(const char* const*),
                                           ltv_customers_init);
    customers_view v;
    const std::size_t n = full.n;
    v.rfm.frequency = {full.frequency, n};
    v.rfm.recency = {full.recency, n};
    v.rfm.age = {full.T, n};
    if (full.weights) v.rfm.weights = {full.weights, n};
    if (full.litt) v.rfm.litt = {full.litt, n};
    v.spend.frequency = {full.frequency, n};
    if (full.monetary) v.spend.monetary = {full.monetary, n};
    if (full.weights) v.spend.weights = {full.weights, n};
    v.monetary = full.monetary;
    if (full.num_covariates > 0) {
        detail::require_array(fn, "covariates", full.covariates, n * full.num_covariates);
        const matrix_view z{full.covariates, n, full.num_covariates};
        // Names only when the caller gives them (a fit names unnamed columns "z1", "z2", …;
        // a prediction checks given names against the fitted ones, unnamed columns by count).
        if (full.covariate_names != nullptr) {
            v.names.reserve(full.num_covariates);
            for (std::size_t j = 0; j < full.num_covariates; ++j) {
                const char* name = full.covariate_names[j];
                v.names.push_back(name && *name ? std::string(name)
                                                : "z" + std::to_string(j + 1));
            }
        }
        v.rfm.covariates = z;
        v.spend.covariates = z;
    } else if (full.covariates != nullptr) {
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'customers' has a covariates matrix but "
                                      "num_covariates = 0; set num_covariates to its columns");
    }
    v.rfm.covariate_names = {v.names.data(), v.names.size()};
    v.spend.covariate_names = {v.names.data(), v.names.size()};
    return v;
}

}  // namespace ltv::capi

extern "C" {

LTV_API int ltv_customers_init(ltv_customers* customers, size_t struct_size) {
    constexpr const char* fn = "ltv_customers_init";
    return guard(fn, [&] {
        const ltv_customers full{};
        ltv::capi::init_struct(fn, customers, struct_size, full,
                               offsetof(ltv_customers, covariate_names) +
                                   sizeof(const char* const*));
    });
}

LTV_API int ltv_model_fit_customers(ltv_model* model, const ltv_customers* customers,
                                    const ltv_fit_options* options) {
    constexpr const char* fn = "ltv_model_fit_customers";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto c = ltv::capi::read_customers(fn, customers);
        const auto& ops = ltv::capi::ops_of(m);
        const ltv::fit_options o = ltv::capi::to_fit_options(fn, options);
        if (ops.fit_rfm != nullptr) {
            ops.fit_rfm(m.state, c.rfm, o);
        } else if (ops.fit_spend != nullptr) {
            ltv::detail::require_array(fn, "monetary", c.monetary, c.spend.size());
            ops.fit_spend(m.state, c.spend, o);
        } else {
            ltv::capi::require_capability(fn, m, capability::fit_rfm,
                                          "fitting on a customers table");
        }
    });
}

}  // extern "C"
