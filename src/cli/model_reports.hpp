// SPDX-License-Identifier: Apache-2.0
// src/cli/model_reports.hpp — the probabilistic models' results as CLI reports, shared by their
// commands and by `ltv demo`.
#pragma once

#include <string>
#include <vector>

#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "report.hpp"

namespace ltv::cli {

/// Parameters, standard errors, log-likelihood and convergence of a fitted model.
report fit_report_of(const model_state& m, const std::string& title = "");

/// The registry's model for survivor curves (the first registered with capability
/// fit_survivors: the sBG).
const model_ops& survivor_curve_model();

/// A survivor-curve model (`ops`: capabilities fit_survivors and survival) fitted to a
/// survivor curve: the fit, the projection to `project` periods (with the observed counts and
/// their errors where known), retention rates, DEL and DERL at d.
std::vector<report> survivor_curve_reports(const model_ops& ops,
                                           const std::vector<double>& survivors,
                                           const std::vector<double>& holdout, std::size_t project,
                                           double discount_rate, const std::string& name = "");

}  // namespace ltv::cli
