// SPDX-License-Identifier: Apache-2.0
// ltv/detail/bg_family/fit.hpp — maximum-likelihood fit of BG/NBD and MBG/NBD through the
// common driver (ltv/detail/fit_driver.hpp), with the two-phase path for large data.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "ltv/detail/bg_family/likelihood.hpp"
#include "ltv/detail/bg_family/prepare.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/optimize.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv::detail {

/// Maximum-likelihood fit of the BG family through the common driver (detail/fit_driver.hpp:
/// objective, starts, fixed parameters, report, standard errors).
///
/// Large data (≥ fit_subsample_min_rows prepared rows) are fitted in two phases: the multistart
/// search runs on a stratified subsample of ~fit_subsample_rows rows (bg_subsample), whose
/// optimum is close to the full one (it differs by sampling noise, O(1/√rows)); BFGS on the
/// full data then starts there with the subsample's inverse-Hessian approximation
/// (minimize_warm), so that a few full passes reach the same convergence test as a direct fit.
/// Should that polish not converge, the direct multistart on the full data runs as before. The
/// estimate therefore satisfies the same gradient tolerance as the direct path and differs from
/// it only within that tolerance. The report's iterations and evaluations add up both phases.
/// `allow_subsample` = false forces the direct path (tests compare the two).
inline bg_shape bg_fit(const char* fn, const rfm_data& data, const fit_options& opt, int m,
                       fit_report& report, bool allow_subsample = true) {
    const rfm_fit_rows f = prepare_rfm_fit(fn, data);
    const bg_prepared& d = f.rows;
    fit_problem pr;
    pr.fn = fn;
    pr.total_weight = d.total_weight;
    pr.rows_used = d.tx.size();
    const double W = d.total_weight;
    // Starts: a data-driven one (r = 1 and α matching the mean purchase rate Σx/ΣT, a = 1,
    // b = 3: P(drop after a purchase) ≈ 0.25), lifetimes' all-ones, and a low-r guess.
    const double alpha0 = f.sx > 0 ? f.sT / f.sx : f.sT / W;
    pr.starts = {{1, alpha0, 1, 3}, {1, 1, 1, 1}, {0.3, alpha0, 0.5, 1.5}};
    // (α is a time scale: its divergence bound is relative to the mean age)
    pr.bounds = {{"r"}, scale_parameter("alpha", f.sT / W), {"a"}, {"b"}};
    // lifetimes' convention: α penalised in units where the largest T is 1.
    pr.lifetimes_penalty_scale = {1, 1 / f.max_T, 1, 1};
    auto ll_of = [m](const bg_prepared& rows) {
        return [&rows, m](const double* phi, double* grad) {
            return bg_total_log_likelihood(bg_shape{phi[0], phi[1], phi[2], phi[3], m}, rows,
                                           grad);
        };
    };
    fit_outcome out;
    if (allow_subsample && d.tx.size() >= fit_subsample_min_rows) {
        const bg_prepared sub = bg_subsample(d, d.tx.size() / fit_subsample_rows);
        out = run_fit(pr, opt, ll_of(d), fit_subsample<decltype(ll_of(sub))>{ll_of(sub),
                                                                               sub.total_weight});
    } else {
        out = run_fit(pr, opt, ll_of(d));
    }
    report = std::move(out.report);
    return {out.params[0], out.params[1], out.params[2], out.params[3], m};
}

}  // namespace ltv::detail
