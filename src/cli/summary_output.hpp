// SPDX-License-Identifier: Apache-2.0
// src/cli/summary_output.hpp — the CSV of `ltv summarize`, written straight from the summary
// table into a large buffer (no per-field std::string or std::function): the same bytes as the
// generic table writer, which serves --json and the other commands.
#pragma once

#include <string>

#include "ltv/summary.hpp"

namespace ltv::cli {

/// Writes customer_id, frequency, recency, T, monetary_value (then frequency_holdout,
/// monetary_value_holdout, duration_holdout with a calibration end; then first_purchase,
/// last_purchase, transactions, total_amount with `extra`) to `output`, or stdout if empty.
/// Numbers are the shortest text that reads back as the same double (std::to_chars), NaN empty;
/// ids are quoted (RFC 4180) when they hold a comma, quote or line break.
void write_summary_csv(const std::string& output, const summary_table& t, bool extra);

}  // namespace ltv::cli
