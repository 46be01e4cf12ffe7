// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_demo.cpp — `ltv demo`: the main job on the bundled example data.
//
// The example data are looked up in --data DIR, then $LTV_EXAMPLES_DIR, then the source tree's
// examples/data (for a build tree), then the installed share/ltv/examples.
//
// The models are fitted and evaluated through the registry (ltv/registry.hpp: model_ops, built
// once per model in ltv::models), like the models commands: this file includes no model header
// and compiles none of the models' mathematics.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>

#include "calculator_reports.hpp"
#include "commands.hpp"
#include "compare_output.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/error.hpp"
#include "ltv/evaluation.hpp"
#include "ltv/evaluation_report.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/summary.hpp"
#include "model_reports.hpp"
#include "transaction_reports.hpp"

namespace ltv::cli {
namespace {

struct demo_args {
    std::string data_dir;
    std::string report_path = "ltv-demo-report.html";
    bool no_report = false;
    bool json = false;
};

bool is_readable(const std::string& path) { return std::ifstream(path).good(); }

std::string find_examples(const std::string& explicit_dir, const std::string& file) {
    std::vector<std::string> tried;
    std::vector<std::string> candidates;
    if (!explicit_dir.empty()) {
        candidates.push_back(explicit_dir);
    } else {
        if (const char* env = std::getenv("LTV_EXAMPLES_DIR")) candidates.emplace_back(env);
        candidates.emplace_back(LTV_EXAMPLES_DIR);
        candidates.emplace_back(LTV_INSTALLED_EXAMPLES_DIR);
    }
    for (const auto& dir : candidates) {
        const std::string path = dir + "/" + file;
        if (is_readable(path)) return path;
        tried.push_back(path);
    }
    std::string message = "demo: cannot find the example data file '" + file + "'; tried:";
    for (const auto& t : tried) message += " " + t;
    throw ltv::error(status::io_error, message + " (use --data DIR)");
}

// Reads a number from the example file, naming the field when it is missing or not a number.
double number(const nlohmann::json& object, const char* key, const std::string& where) {
    if (!object.contains(key) || !object.at(key).is_number())
        throw ltv::error(status::parse_error,
                         where + ": field '" + key + "' is missing or not a number");
    return object.at(key).get<double>();
}

std::vector<report> calculator_reports(const std::string& path) {
    std::ifstream file(path);
    nlohmann::json data;
    try {
        data = nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& e) {
        throw ltv::error(status::parse_error, path + ": " + e.what());
    }
    std::vector<report> reports;
    int index = 0;
    for (const auto& p : data.value("retention_periods", nlohmann::json::array())) {
        const std::string where = path + ": retention_periods[" + std::to_string(index++) + "]";
        reports.push_back(retention_report(number(p, "start", where), number(p, "end", where),
                                           number(p, "new", where),
                                           p.value("name", "Retention rate")));
        reports.back().set_key("retention_" + std::to_string(index));
    }
    index = 0;
    for (const auto& p : data.value("retention_flows", nlohmann::json::array())) {
        const std::string where = path + ": retention_flows[" + std::to_string(index++) + "]";
        reports.push_back(retention_flows_report(number(p, "start", where),
                                                 number(p, "lost", where), number(p, "new", where),
                                                 p.value("name", "Retention rate")));
        reports.back().set_key("retention_flows_" + std::to_string(index));
    }
    if (data.contains("lost_profit")) {
        const auto& p = data["lost_profit"];
        const std::string where = path + ": lost_profit";
        reports.push_back(lost_profit_report(
            number(p, "lost_customers", where), number(p, "expected_purchases", where),
            number(p, "purchases_made", where), number(p, "margin_per_purchase", where),
            p.value("name", "")));
    }
    if (data.contains("purchase_chain")) {
        const auto& p = data["purchase_chain"];
        std::vector<double> margins, probabilities;
        index = 0;
        for (const auto& step : p.value("steps", nlohmann::json::array())) {
            const std::string where =
                path + ": purchase_chain.steps[" + std::to_string(index++) + "]";
            margins.push_back(number(step, "margin", where));
            probabilities.push_back(number(step, "probability", where));
        }
        reports.push_back(purchase_chain_report(
            margins, probabilities, p.value("discount_rate", 0.0), p.value("name", "")));
    }
    if (data.contains("average_clv")) {
        const auto& p = data["average_clv"];
        const std::string where = path + ": average_clv";
        average_clv_inputs in;
        in.average_order_value = number(p, "average_order_value", where);
        in.margin = number(p, "margin", where);
        in.purchases_per_period = number(p, "purchases_per_period", where);
        in.periods = number(p, "periods", where);
        in.retention = number(p, "retention", where);
        in.discount_rate = number(p, "discount_rate", where);
        reports.push_back(average_clv_report(in, p.value("name", "")));
    }
    return reports;
}

/// The registered model `name` fitted with the default options (a model_state, in weeks).
template <class Data>
model_state fitted(const char* name, const Data& data) {
    const model_ops& ops = model_ops_named(name);
    model_state m;
    m.kind = static_cast<model_kind>(ops.kind);
    m.time_unit = "week";
    if constexpr (std::is_same_v<Data, rfm_data>)
        ops.fit_rfm(m, data, fit_options{});
    else
        ops.fit_spend(m, data, fit_options{});
    return m;
}

/// BG/NBD, MBG/NBD and Pareto/NBD fitted side by side on CDNOW's first 39 weeks, checked on the
/// next 39, with Gamma-Gamma and the top customers by CLV.
std::vector<report> cdnow_model_reports(const std::string& path) {
    read_options read;
    read.delimiter = ' ';
    read.customer = "customer_id";
    read.date = "date";
    read.amount = "dollar_value";
    summary_options opt;
    opt.calibration_end = make_day(1997, 9, 30);
    opt.observation_end = make_day(1998, 6, 30);
    opt.unit = time_unit::week();
    const summary_table s = summarize(path, read, opt);
    const rfm_data d{s.frequency, s.recency, s.T, {}};
    const double holdout_weeks = s.duration_holdout;
    const double actual =
        std::accumulate(s.frequency_holdout.begin(), s.frequency_holdout.end(), 0.0);

    std::vector<report> out;
    report cmp("model_comparison",
               "Models on CDNOW: calibration 1997-01-01..1997-09-30, holdout to 1998-06-30");
    cmp.add("customers", "customers", static_cast<double>(s.size()), kind::count)
        .add("holdout_weeks", "holdout length (weeks)", holdout_weeks, kind::number)
        .add("holdout_purchases", "repeat purchases in the holdout", actual, kind::count);
    std::vector<double> expected(s.size());
    auto compare = [&](const char* key, const char* label, const model_state& m) {
        model_ops_for(m.kind).conditional_purchases(m, holdout_weeks, d, expected.data(), 0);
        const double predicted = std::accumulate(expected.begin(), expected.end(), 0.0);
        cmp.add(std::string(key) + "_log_likelihood", std::string(label) + " log-likelihood",
                m.report.log_likelihood, kind::number)
            .add(std::string(key) + "_holdout_predicted",
                 std::string(label) + " predicted holdout purchases", predicted, kind::money);
    };
    const model_state bg = fitted("bgnbd", d);
    const model_state mbg = fitted("mbgnbd", d);
    const model_state pnbd = fitted("pnbd", d);
    compare("bgnbd", "BG/NBD", bg);
    compare("mbgnbd", "MBG/NBD", mbg);
    compare("pnbd", "Pareto/NBD", pnbd);
    out.push_back(fit_report_of(bg, "BG/NBD on CDNOW (weeks)"));
    out.back().set_key("bgnbd");
    out.push_back(fit_report_of(pnbd, "Pareto/NBD on CDNOW (weeks)"));
    out.back().set_key("pnbd");
    out.push_back(cmp);

    // Gamma-Gamma on every customer: the fit uses the repeat buyers with a positive mean spend
    // and counts those whose repeat purchases average $0 or less (CDNOW has a few), which the
    // fit report shows as rows_excluded (docs/gamma-gamma.md).
    const model_state gg = fitted("gg", spend_data{s.frequency, s.monetary_value, {}});
    out.push_back(fit_report_of(gg, "Gamma-Gamma spend on CDNOW's repeat buyers"));
    out.back().set_key("gamma_gamma");

    clv_options co;
    co.periods = 12;
    co.period_length = 4.345;  // weeks per month
    co.discount_rate = 0.01;   // per month
    std::vector<double> clv_value(s.size()), alive(s.size()), next_year(s.size());
    const model_ops& bg_ops = model_ops_for(bg.kind);
    bg_ops.clv(bg, gg, d, s.monetary_value, co, clv_value.data(), 0);
    bg_ops.p_alive(bg, d, alive.data(), 0);
    bg_ops.conditional_purchases(bg, 52, d, next_year.data(), 0);
    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const std::size_t top = std::min<std::size_t>(10, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](std::size_t a, std::size_t b) { return clv_value[a] > clv_value[b]; });
    std::vector<std::vector<double>> rows;
    for (std::size_t k = 0; k < top; ++k) {
        const std::size_t i = order[k];
        // The ids of CDNOW_master.txt are numbers; another file given by --data may hold any
        // text (no std::stod, which throws on it): such an id shows as missing (NaN).
        const double id = ltv::detail::parse_number(s.customer[i]).value_or(std::nan(""));
        rows.push_back({id, s.frequency[i], s.recency[i], s.T[i],
                        s.monetary_value[i], alive[i], next_year[i], clv_value[i]});
    }
    report best("top_clv", "Top customers by 12-month CLV (BG/NBD + Gamma-Gamma, 1 % a month)");
    best.add_table("customers", "customers",
                   {"customer", "x", "t_x", "T", "zbar", "P(alive)", "E[52 weeks]", "CLV"}, rows,
                   {kind::number, kind::count, kind::number, kind::number, kind::money, kind::rate,
                    kind::number, kind::money});
    out.push_back(best);
    return out;
}

/// sBG fitted to the published retention curves, with the held-out years.
std::vector<report> retention_model_reports(const std::string& path) {
    std::ifstream file(path);
    nlohmann::json data;
    try {
        data = nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& e) {
        throw ltv::error(status::parse_error, path + ": " + e.what());
    }
    std::vector<report> out;
    const double d = data.value("discount_rate", 0.1);
    for (const auto& c : data.value("cohorts", nlohmann::json::array())) {
        const std::string name = c.value("name", "cohort");
        auto reports = survivor_curve_reports(survivor_curve_model(), c.at("survivors").get<std::vector<double>>(),
                                         c.value("holdout", std::vector<double>{}), 12, d, name);
        for (auto& r : reports) {
            std::string key = r.key() + "_" + name;
            std::replace(key.begin(), key.end(), ' ', '_');
            r.set_key(key);
            out.push_back(std::move(r));
        }
    }
    return out;
}


/// Every applicable model compared on CDNOW's holdout (ltv compare on the demo's split).
evaluation cdnow_benchmark(const std::string& path) {
    read_options read;
    read.delimiter = ' ';
    read.customer = "customer_id";
    read.date = "date";
    read.amount = "dollar_value";
    const customer_base base(load_transactions(path, read), "demo");
    summary_options opt;
    opt.calibration_end = make_day(1997, 9, 30);
    opt.observation_end = make_day(1998, 6, 30);
    opt.unit = time_unit::week();
    return evaluate_models(summarize(base, opt), &base);
}

/// The benchmark's headline numbers as a report (the --json form of the demo).
report benchmark_report(const evaluation& ev, const std::string& html) {
    report r("benchmark", "Every model on CDNOW's holdout (ltv compare; docs/benchmarking.md)");
    r.add("best", "best model (lowest MAE)", ev.best ? ev.models[*ev.best].name : std::string("none"));
    for (const auto& m : ev.models) {
        if (m.kind == model_evaluation::role::spend) continue;
        r.add(m.name + "_mae", m.title + " MAE per customer", m.metric(evaluation_metric::mae),
              kind::number)
            .add(m.name + "_error_percent", m.title + " holdout total error %",
                 m.metric(evaluation_metric::holdout_error_percent), kind::number);
    }
    r.add("report", "HTML report", html.empty() ? std::string("not written") : html);
    return r;
}

}  // namespace

void add_demo_command(CLI::App& app) {
    auto a = std::make_shared<demo_args>();
    auto* cmd = app.add_subcommand("demo", "Run ltv on the bundled example data");
    cmd->add_option("--data", a->data_dir, "directory with the example data");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--report", a->report_path,
                    "where to write the HTML report of the model comparison")
        ->capture_default_str();
    cmd->add_flag("--no-report", a->no_report, "do not write the HTML report");
    cmd->callback([a] {
        const std::string calculators = find_examples(a->data_dir, "calculators.json");
        const std::string cdnow = find_examples(a->data_dir, "CDNOW_master.txt");
        const std::string cohorts = find_examples(a->data_dir, "retention_cohorts.json");
        std::vector<report> reports = calculator_reports(calculators);
        for (auto& r : transaction_demo_reports(cdnow)) reports.push_back(std::move(r));
        for (auto& r : cdnow_model_reports(cdnow)) reports.push_back(std::move(r));
        for (auto& r : retention_model_reports(cohorts)) reports.push_back(std::move(r));
        // The comparison of every model ends the demo; its report goes to --report (a path
        // relative to the current directory unless absolute), and the demo says where.
        std::string html = a->no_report ? std::string() : a->report_path;
        if (!html.empty()) {
            std::error_code ec;
            const auto full = std::filesystem::absolute(html, ec);
            if (!ec) html = full.string();
        }
        const evaluation ev = cdnow_benchmark(cdnow);
        if (!html.empty()) {
            evaluation_report_options ro;
            ro.title = "ltv demo: models compared on CDNOW";
            ro.source = cdnow;
            try {
                write_evaluation_html(ev, html, ro);
            } catch (const ltv::error& e) {
                // A report that cannot be written (a read-only directory) does not stop the demo.
                if (e.code() != status::io_error) throw;
                std::cerr << "ltv demo: the HTML report was not written: " << e.what() << "\n";
                html.clear();
            }
        }
        if (a->json) {
            reports.push_back(benchmark_report(ev, html));
            print_reports(std::cout, reports, true);
            return;
        }
        std::cout << "ltv demo — the bundled examples in "
                  << calculators.substr(0, calculators.rfind('/')) << "\n\n";
        print_reports(std::cout, reports, false);
        std::cout << "\n";
        print_comparison(std::cout, ev);
        if (!html.empty()) std::cout << "\nHTML report of the comparison: " << html << "\n";
    });
}

}  // namespace ltv::cli
