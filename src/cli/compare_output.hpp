// SPDX-License-Identifier: Apache-2.0
// src/cli/compare_output.hpp — the outputs of a model comparison (ltv/evaluation.hpp) for
// `ltv compare` and `ltv demo`: the readable tables, the per-customer CSV.
#pragma once

#include <ostream>
#include <string>

#include "ltv/evaluation.hpp"

namespace ltv::cli {

/// The comparison as readable tables: fit, holdout purchases, ranking, spend (columns without
/// any value are left out), the best value of each column marked with '*', then the
/// conditional expectations by frequency and the notes.
void print_comparison(std::ostream& out, const evaluation& ev);

/// Per-customer predictions of every row: customer_id, the calibration summary, the holdout
/// actuals, then <model>_holdout_purchases and <model>_p_alive per purchase model and
/// <spend model>_expected_spend. `path` "-" is stdout.
void write_comparison_csv(const std::string& path, const summary_table& s, const evaluation& ev);

}  // namespace ltv::cli
