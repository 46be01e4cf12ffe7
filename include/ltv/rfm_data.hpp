// ltv/rfm_data.hpp — customer summaries (x, t_x, T) as the transaction models consume them.
//
// x = number of repeat purchases ("frequency"), t_x = time of the last repeat purchase measured
// from the first purchase ("recency"), T = time from the first purchase to the end of the
// observation period ("age"), all in one time unit (e.g. weeks). Optional weights let identical
// rows be passed once: a row of weight w counts as w customers in a fit.
//
// Shared by BG/NBD, MBG/NBD and (later) Pareto/NBD. Conventions checked by validate_rfm():
//   x ≥ 0 and integer-valued; 0 ≤ t_x ≤ T; T > 0; t_x = 0 when x = 0 (a customer without repeat
//   purchases has no recency: a non-zero value there almost always means the columns were
//   computed differently, e.g. from the first purchase's calendar date, so it is rejected
//   rather than silently ignored); weights finite and ≥ 0.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "ltv/array_view.hpp"
#include "ltv/detail/validate.hpp"

namespace ltv {

struct rfm_data {
    array_view<double> frequency;  ///< x, repeat purchases
    array_view<double> recency;    ///< t_x
    array_view<double> age;        ///< T
    array_view<double> weights;    ///< empty: every row has weight 1
    std::size_t size() const noexcept { return frequency.size(); }
};

namespace detail {

/// Checks one customer; `row` is used in messages (SIZE_MAX: a scalar call).
inline void validate_customer(const char* fn, double x, double t_x, double T,
                              std::size_t row = static_cast<std::size_t>(-1)) {
    const bool scalar = row == static_cast<std::size_t>(-1);
    auto name = [&](const char* n) { return scalar ? std::string(n) : element_name(n, row); };
    require_nonnegative(fn, name("frequency"), x);
    if (x != std::floor(x)) fail_argument(fn, name("frequency"), x, "must be an integer");
    require_nonnegative(fn, name("recency"), t_x);
    require_positive(fn, name("age"), T);
    if (t_x > T)
        fail(status::invalid_argument, fn,
             "argument '" + name("recency") + "' = " + format_value(t_x) +
                 " must not exceed '" + name("age") + "' = " + format_value(T));
    if (x == 0 && t_x != 0)
        fail(status::invalid_argument, fn,
             "argument '" + name("recency") + "' = " + format_value(t_x) +
                 " must be 0 when '" + name("frequency") + "' = 0 (no repeat purchase)");
}

/// Checks the arrays of an rfm_data: equal lengths, non-null, every row valid.
inline void validate_rfm(const char* fn, const rfm_data& d) {
    require_array(fn, "frequency", d.frequency.data(), d.frequency.size());
    require_array(fn, "recency", d.recency.data(), d.recency.size());
    require_array(fn, "age", d.age.data(), d.age.size());
    require_array(fn, "weights", d.weights.data(), d.weights.size());
    const std::size_t n = d.size();
    auto same = [&](const char* name, std::size_t m) {
        if (m != n)
            fail(status::invalid_argument, fn,
                 std::string("argument '") + name + "' has " + std::to_string(m) +
                     " elements but 'frequency' has " + std::to_string(n));
    };
    same("recency", d.recency.size());
    same("age", d.age.size());
    if (!d.weights.empty()) same("weights", d.weights.size());
    for (std::size_t i = 0; i < n; ++i) {
        validate_customer(fn, d.frequency[i], d.recency[i], d.age[i], i);
        if (!d.weights.empty()) require_nonnegative(fn, element_name("weights", i), d.weights[i]);
    }
}

}  // namespace detail
}  // namespace ltv
