// SPDX-License-Identifier: Apache-2.0
// src/cli/commands.hpp — each group of CLI subcommands registers itself on the app.
//
// A new command group: a commands_<topic>.cpp with an add_<topic>_commands() below, called
// from main.cpp. Commands report through report.hpp and signal failures by throwing ltv::error.
#pragma once

#include <CLI/CLI.hpp>

namespace ltv::cli {

/// retention, churn, lost-profit, simple-ltv, clv (ltv/retention.hpp … ltv/average_clv.hpp).
void add_calculator_commands(CLI::App& app);
/// fit, predict: the probabilistic models on summary files.
void add_model_commands(CLI::App& app);
/// demo: the main job on the bundled example data.
void add_demo_command(CLI::App& app);
/// summarize, status, rfm, cohorts: transaction logs (ltv/summary.hpp … ltv/cohorts.hpp).
void add_transaction_commands(CLI::App& app);
/// compare: models fitted on a calibration period and judged on the holdout (ltv/evaluation.hpp).
void add_compare_command(CLI::App& app);

}  // namespace ltv::cli
