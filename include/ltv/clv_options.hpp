// SPDX-License-Identifier: Apache-2.0
// ltv/clv_options.hpp — the options of customer lifetime value (ltv/clv.hpp) and their defaults.
//
// The defaults are defined here once: the C API's ltv_clv_options_init, the CLI's `ltv predict`
// options and the Python binding (which asks ltv_clv_options_init) all take them from this
// struct, and tests/python/test_defaults.py checks that the four layers give one customer the
// same CLV.
#pragma once

namespace ltv {

struct clv_options {
    int periods = 12;           ///< N ≥ 0 periods
    double period_length = 1;   ///< L > 0, in the transaction model's time unit
    double discount_rate = 0;   ///< d > −1 per period
};

}  // namespace ltv
