// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_compare.cpp — `ltv compare`: every applicable model fitted on a calibration
// period of a transaction log and judged on the holdout (ltv/evaluation.hpp,
// docs/benchmarking.md), as tables, JSON, per-customer CSV and the HTML report.
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "compare_output.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/evaluation.hpp"
#include "ltv/evaluation_report.hpp"
#include "ltv/summary.hpp"
#include "transaction_reports.hpp"

namespace ltv::cli {
namespace {

struct compare_args {
    std::string path, calibration_end, observation_end, time_unit = ltv::time_unit_name(ltv::default_time_unit()), models;
    std::string csv, html, tracking_period, title;
    transaction_input in;
    bool json = false, no_baseline = false;
    double penalizer = 0;
    int threads = 0;
};

}  // namespace

void add_compare_command(CLI::App& app) {
    auto a = std::make_shared<compare_args>();
    auto* cmd = app.add_subcommand(
        "compare",
        "Fit every applicable model on a calibration period and compare them on the holdout "
        "(metrics, tracking, conditional expectations; an HTML report with charts)");
    cmd->add_option("transactions", a->path,
                    "transaction log (CSV, TSV or whitespace-separated), '-' for stdin")
        ->required();
    add_transaction_input_options(cmd, a->in);
    cmd->add_option("--calibration-end", a->calibration_end,
                    "last day of the calibration period (inclusive)")
        ->required();
    cmd->add_option("--observation-end", a->observation_end,
                    "last day of the holdout (default: the last transaction day)");
    cmd->add_option("--time-unit", a->time_unit, "day, week, month (30 days) or a number of days")
        ->capture_default_str();
    cmd->add_option("--models", a->models,
                    "models to compare, comma-separated (default: every applicable one; see "
                    "ltv models)");
    cmd->add_option("--tracking-period", a->tracking_period,
                    "period of the tracking curves: day, week, month or days (default: the time "
                    "unit)");
    cmd->add_option("--penalizer", a->penalizer, "L2 penalizer of every fit")->capture_default_str();
    cmd->add_flag("--no-baseline", a->no_baseline, "leave out the naive baseline row");
    cmd->add_option("--threads", a->threads, "threads for the predictions (0: default)");
    cmd->add_flag("--json", a->json, "print every metric and series as JSON");
    cmd->add_option("--csv", a->csv, "write per-customer predictions of every model to this CSV ('-': stdout)");
    cmd->add_option("--html", a->html, "write the self-contained HTML report to this file");
    cmd->add_option("--title", a->title, "title of the HTML report");
    cmd->footer(
        "Example (the bundled CDNOW log):\n"
        "  ltv compare examples/data/CDNOW_master.txt --amount dollar_value \\\n"
        "      --calibration-end 1997-09-30 --observation-end 1998-06-30 --html report.html");
    cmd->callback([a] {
        if (a->json && a->csv == "-")
            throw ltv::error(status::invalid_argument,
                             "--json and --csv - both write to stdout: give --csv a file");
        summary_options so;
        so.calibration_end = date_option("--calibration-end", a->calibration_end);
        if (!a->observation_end.empty())
            so.observation_end = date_option("--observation-end", a->observation_end);
        so.unit = parse_time_unit(a->time_unit);
        evaluation_options eo;
        eo.models = parse_model_list(a->models, "compare", "--models");
        eo.baseline = !a->no_baseline;
        eo.fit.penalizer = a->penalizer;
        eo.threads = a->threads;
        if (!a->tracking_period.empty()) {
            const double days = parse_time_unit(a->tracking_period).days;
            if (days != std::floor(days))
                throw ltv::error(status::invalid_argument,
                                 "--tracking-period " + a->tracking_period +
                                     ": must be a whole number of days");
            eo.tracking_period_days = days;
        }
        const transaction_log log = load_log(a->path, a->in);
        const customer_base base(log, "compare");
        const summary_table s = summarize(base, so);
        const evaluation ev = evaluate_models(s, &base, eo);
        if (!a->html.empty()) {
            evaluation_report_options ro;
            if (!a->title.empty()) ro.title = a->title;
            ro.source = a->path == "-" ? "<stdin>" : a->path;
            write_evaluation_html(ev, a->html, ro);
        }
        if (!a->csv.empty()) write_comparison_csv(a->csv, s, ev);
        if (a->json) {
            std::cout << to_json(ev).dump(2) << "\n";
        } else if (a->csv != "-") {
            print_comparison(std::cout, ev);
            if (!a->html.empty()) std::cout << "\nHTML report written to " << a->html << "\n";
            if (!a->csv.empty()) std::cout << "Per-customer predictions written to " << a->csv << "\n";
        }
    });
}

}  // namespace ltv::cli
