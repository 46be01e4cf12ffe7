// SPDX-License-Identifier: Apache-2.0
// src/c_api/customers.hpp — an ltv_customers table as the C++ data views the models take.
#pragma once

#include <string>
#include <vector>

#include "ltv/ltv.h"
#include "ltv/rfm_data.hpp"

namespace ltv::capi {

/// The caller's columns as rfm_data and spend_data (no copies of the columns; `names` owns the
/// covariate names the views point at, so the view must outlive neither).
struct customers_view {
    rfm_data rfm;
    spend_data spend;
    const double* monetary = nullptr;
    std::vector<std::string> names;
    customers_view() = default;
    customers_view(const customers_view&) = delete;
    customers_view& operator=(const customers_view&) = delete;
    customers_view(customers_view&& o) noexcept
        : rfm(o.rfm), spend(o.spend), monetary(o.monetary), names(std::move(o.names)) {
        rebind();
    }
    /// Points the views' covariate names at this object's `names`.
    void rebind() {
        rfm.covariate_names = {names.data(), names.size()};
        spend.covariate_names = {names.data(), names.size()};
    }
};

/// Reads the caller's struct (read_struct: fields past its struct_size are defaults), checks the
/// covariates' shape and names the columns; null `customers` is an invalid_argument.
customers_view read_customers(const char* fn, const ltv_customers* customers);

}  // namespace ltv::capi
