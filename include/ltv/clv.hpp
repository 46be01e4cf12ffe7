// SPDX-License-Identifier: Apache-2.0
// ltv/clv.hpp — customer lifetime value from a transaction model and the Gamma-Gamma spend model.
//
//   CLV = Σₖ₌₁..N  s · (E[Y(k·L)] − E[Y((k−1)·L)]) / (1 + d)ᵏ
// with s = E[Z | x, z̄] the Gamma-Gamma conditional expected spend per transaction
// (ltv/gamma_gamma.hpp), E[Y(t)] the model's conditional expected purchases in (T, T+t],
// L = period_length in the model's time unit, d the discount rate per period and N the number
// of periods: purchases of period k are valued at the end of that period (the convention of
// lifetimes' customer_lifetime_value, so results compare directly).
//
// Works with any transaction model whose parameter type has an ADL-visible
//   conditional_expected_purchases_curve(params, x, t_x, T, times, n, out)
// (BG/NBD and MBG/NBD provide one; Pareto/NBD will): one call per customer evaluates all N
// horizons, so model-specific work such as P(alive) is done once. A model may also provide the
// batch hook discounted_expected_purchases(params, data, N, L, d, out, threads) (BG/NBD and
// MBG/NBD do), which the batch clv() then uses for all customers at once.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ltv/array_view.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {


namespace detail {

inline void validate_clv_options(const char* fn, const clv_options& o) {
    if (o.periods < 0 || o.periods > 100000)
        fail_argument(fn, "periods", o.periods, "must lie in [0, 100000]");
    require_positive(fn, "period_length", o.period_length);
    require_rate(fn, "discount_rate", o.discount_rate);
}

/// A CLV handed back is finite: extreme spend or purchase predictions that overflow are a
/// domain_error naming the customer's index (`index` SIZE_MAX: the scalar call).
inline double finite_clv(const char* fn, double value, std::size_t index) {
    if (!std::isfinite(value))
        require_finite_result(
            fn, index == arg_name::scalar ? arg_name{"clv"} : arg_name{"out", index}, value);
    return value;
}

/// Σ discounted differences of the purchase curve; times/curve/discount hold N entries.
inline double clv_sum(double spend, const double* curve, const double* discount, int n) {
    double total = 0, previous = 0;
    for (int k = 0; k < n; ++k) {
        total += (curve[k] - previous) * discount[k];
        previous = curve[k];
    }
    return spend * total;
}

}  // namespace detail

/// CLV of one customer (x, t_x, T, mean repeat spend z̄ = monetary).
template <class Model>
double clv(const Model& model, const gamma_gamma_params& spend_model, double x, double t_x,
           double T, double monetary, const clv_options& options = {}) {
    constexpr const char* fn = "clv";
    detail::validate_clv_options(fn, options);
    const double spend = conditional_expected_average_spend(spend_model, x, monetary);
    const std::size_t n = static_cast<std::size_t>(options.periods);
    std::vector<double> times(n), curve(n), discount(n);
    for (std::size_t k = 0; k < n; ++k) {
        times[k] = static_cast<double>(k + 1) * options.period_length;
        discount[k] = std::pow(1 + options.discount_rate, -static_cast<double>(k + 1));
    }
    if (n == 0) return 0;
    conditional_expected_purchases_curve(model, x, t_x, T, times.data(), n, curve.data());
    return detail::finite_clv(
        fn, detail::clv_sum(spend, curve.data(), discount.data(), options.periods),
        detail::arg_name::scalar);
}

namespace detail {

/// True when Model has the batch hook
///   discounted_expected_purchases(model, data, periods, period_length, discount_rate, out,
///                                 threads)
/// (found by ADL; BG/NBD and MBG/NBD provide it): out[i] = Σₖ (1+d)^−k (E[Y(kL)] − E[Y((k−1)L)]).
template <class Model, class = void>
struct has_discounted_purchases : std::false_type {};
template <class Model>
struct has_discounted_purchases<
    Model, std::void_t<decltype(discounted_expected_purchases(
               std::declval<const Model&>(), std::declval<const rfm_data&>(), 0, 0.0, 0.0,
               static_cast<double*>(nullptr), 0))>> : std::true_type {};

}  // namespace detail

/// CLV of every customer of `data` (monetary[i] = mean repeat spend) into out[0..n).
/// Allocation happens once per call (per thread block), not per customer. threads: worker
/// threads for large batches (≤ 0: the process default, ltv/threads.hpp); results do not
/// depend on it. Models with the discounted_expected_purchases hook (BG/NBD, MBG/NBD) compute
/// the discounted sum in one batch call — for large batches from verified tables of the
/// purchase curve (agreement with the scalar clv() to ~1e-15 relative; bit-identical below
/// detail::bg_table_min_rows rows); other models evaluate conditional_expected_purchases_curve
/// per customer.
template <class Model>
void clv(const Model& model, const gamma_gamma_params& spend_model, const rfm_data& data,
         array_view<double> monetary, const clv_options& options, double* out, int threads) {
    constexpr const char* fn = "clv";
    detail::validate_clv_options(fn, options);
    detail::validate_rfm_shape(fn, data);
    detail::parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
        detail::validate_rfm_rows(fn, data, lo, hi);
    });
    detail::require_array(fn, "monetary", monetary.data(), monetary.size());
    detail::require_array(fn, "out", out, data.size());
    if (monetary.size() != data.size())
        detail::fail(status::invalid_argument, fn,
                     "argument 'monetary' has " + std::to_string(monetary.size()) +
                         " elements but 'frequency' has " + std::to_string(data.size()));
    detail::validate_gg(fn, spend_model);
    for (std::size_t i = 0; i < monetary.size(); ++i) {  // no string unless a value fails
        if (!(monetary[i] >= 0 && monetary[i] <= std::numeric_limits<double>::max()))
            detail::require_nonnegative(fn, detail::arg_name{"monetary", i}, monetary[i]);
        // the expected spend is finite only where p·x + q > 1 (gamma_gamma.hpp)
        if (!(spend_model.p * data.frequency[i] + (spend_model.q - 1) > 0))
            detail::at_row(i, [&] {
                detail::gg_conditional_checked(fn, spend_model, data.frequency[i], monetary[i]);
            });
    }
    const std::size_t n = static_cast<std::size_t>(options.periods);
    if constexpr (detail::has_discounted_purchases<Model>::value) {
        // out[i] = Σₖ dₖ (E[Y(kL)] − E[Y((k−1)L)]), then × spend: for rows evaluated exactly
        // this is clv_sum's spend · total, bit for bit.
        discounted_expected_purchases(model, data, options.periods, options.period_length,
                                      options.discount_rate, out, threads);
        detail::parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
            for (std::size_t i = lo; i < hi; ++i) {
                const double spend =
                    detail::gg_conditional(spend_model, data.frequency[i], monetary[i]);
                out[i] = detail::finite_clv(fn, spend * out[i], i);
            }
        });
    } else {
        std::vector<double> times(n), discount(n);
        for (std::size_t k = 0; k < n; ++k) {
            times[k] = static_cast<double>(k + 1) * options.period_length;
            discount[k] = std::pow(1 + options.discount_rate, -static_cast<double>(k + 1));
        }
        detail::parallel_for(data.size(), threads, [&](std::size_t lo, std::size_t hi) {
            std::vector<double> curve(n);  // one buffer per block
            for (std::size_t i = lo; i < hi; ++i) {
                if (n == 0) {
                    out[i] = 0;
                    continue;
                }
                try {  // (a model's own checks, e.g. BG/BB's whole periods, name the row)
                    conditional_expected_purchases_curve(model, data.frequency[i],
                                                         data.recency[i], data.age[i],
                                                         times.data(), n, curve.data());
                } catch (const error& e) {
                    detail::rethrow_at_row(e, i);
                }
                const double spend =
                    detail::gg_conditional(spend_model, data.frequency[i], monetary[i]);
                const double value =
                    detail::clv_sum(spend, curve.data(), discount.data(), options.periods);
                out[i] = detail::finite_clv(fn, value, i);
            }
        });
    }
}

/// The same on the process default of threads (ltv/threads.hpp).
template <class Model>
void clv(const Model& model, const gamma_gamma_params& spend_model, const rfm_data& data,
         array_view<double> monetary, const clv_options& options, double* out) {
    clv(model, spend_model, data, monetary, options, out, 0);
}

}  // namespace ltv
