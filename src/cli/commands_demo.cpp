// src/cli/commands_demo.cpp — `ltv demo`: the main job on the bundled example data.
//
// The example data are looked up in --data DIR, then $LTV_EXAMPLES_DIR, then the source tree's
// examples/data (for a build tree), then the installed share/ltv/examples.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calculator_reports.hpp"
#include "commands.hpp"
#include "ltv/error.hpp"

namespace ltv::cli {
namespace {

struct demo_args {
    std::string data_dir;
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

}  // namespace

void add_demo_command(CLI::App& app) {
    auto a = std::make_shared<demo_args>();
    auto* cmd = app.add_subcommand("demo", "Run ltv on the bundled example data");
    cmd->add_option("--data", a->data_dir, "directory with the example data");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->callback([a] {
        const std::string path = find_examples(a->data_dir, "calculators.json");
        if (!a->json) std::cout << "ltv demo — the seed calculators on " << path << "\n\n";
        print_reports(std::cout, calculator_reports(path), a->json);
    });
}

}  // namespace ltv::cli
