// SPDX-License-Identifier: Apache-2.0
// src/c_api/regularity.cpp — the Wheat & Morrison (1990) estimate of purchase regularity
// (ltv::regularity_wheat, ltv/bgcnbd.hpp) behind the C API.
#include <cstddef>

#include "boundary.hpp"
#include "ltv/bgcnbd.hpp"

using ltv::capi::guard;
using ltv::capi::require_out;

extern "C" {

LTV_API int ltv_regularity_wheat(const double* prev_itt, const double* last_itt, size_t n,
                                 double* out_k) {
    constexpr const char* fn = "ltv_regularity_wheat";
    return guard(fn, [&] {
        require_out(fn, "out_k", out_k);
        ltv::detail::require_array(fn, "prev_itt", prev_itt, n);
        ltv::detail::require_array(fn, "last_itt", last_itt, n);
        *out_k = ltv::regularity_wheat(ltv::array_view<double>(prev_itt, n),
                                       ltv::array_view<double>(last_itt, n));
    });
}

}  // extern "C"
