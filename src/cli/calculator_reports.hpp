// SPDX-License-Identifier: Apache-2.0
// src/cli/calculator_reports.hpp — the calculators' results as CLI reports, shared by their
// commands and by `ltv demo`.
#pragma once

#include <string>
#include <vector>

#include "ltv/average_clv.hpp"
#include "report.hpp"

namespace ltv::cli {

report retention_report(double start, double end, double added, const std::string& title = "");
report retention_flows_report(double start, double lost, double added,
                              const std::string& title = "");
report churn_report(double start, double lost);
report lost_profit_report(double lost_customers, double expected_purchases, double purchases_made,
                          double margin, const std::string& title = "");
report simple_ltv_report(double margin, double purchases);
report purchase_chain_report(const std::vector<double>& margins,
                             const std::vector<double>& probabilities, double discount_rate,
                             const std::string& title = "");
report average_clv_report(const average_clv_inputs& in, const std::string& title = "");

}  // namespace ltv::cli
