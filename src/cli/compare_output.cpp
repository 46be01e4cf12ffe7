// SPDX-License-Identifier: Apache-2.0
// src/cli/compare_output.cpp — see compare_output.hpp.
#include "compare_output.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <vector>

#include "ltv/error.hpp"

namespace ltv::cli {
namespace {

/// A metric value as the table shows it: 4 significant digits for small numbers, whole numbers
/// for large ones, "-" when not defined.
std::string cell(double v, const char* name) {
    if (!std::isfinite(v)) return "-";
    std::ostringstream o;
    const std::string n = name;
    if (n == "parameters") {
        o << static_cast<long long>(v);
    } else if (n == "fit_seconds") {
        o << std::fixed << std::setprecision(v < 0.1 ? 4 : 2) << v;
    } else if (std::fabs(v) >= 1000) {
        o << std::fixed << std::setprecision(1) << v;
    } else {
        o << std::setprecision(4) << v;
    }
    return o.str();
}

void print_block(std::ostream& out, const evaluation& ev, const char* heading,
                 const std::vector<const char*>& names) {
    // Columns with at least one value
    std::vector<std::size_t> cols;
    for (const char* name : names)
        for (std::size_t k = 0; k < evaluation_metric_count; ++k)
            if (std::string(evaluation_metric_info(k)->name) == name) {
                bool any = false;
                for (const auto& m : ev.models) any = any || std::isfinite(m.metrics[k]);
                if (any) cols.push_back(k);
            }
    if (cols.empty()) return;
    std::vector<std::vector<std::string>> grid;
    std::vector<std::string> header{"model"};
    for (std::size_t k : cols) header.push_back(evaluation_metric_info(k)->label);
    grid.push_back(header);
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& m = ev.models[i];
        bool any = false;
        for (std::size_t k : cols) any = any || std::isfinite(m.metrics[k]);
        if (!any && m.fitted) continue;  // e.g. the spend model in the purchase blocks
        std::vector<std::string> row{m.title + (m.fitted && !m.converged ? " (not converged)" : "") +
                                     (!m.fitted ? " (failed)" : "")};
        for (std::size_t k : cols) {
            const auto best = best_in_metric(ev, k);
            row.push_back(cell(m.metrics[k], evaluation_metric_info(k)->name) +
                          (best && *best == i ? "*" : ""));
        }
        grid.push_back(row);
    }
    if (grid.size() == 1) return;
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& r : grid)
        for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    out << heading << "\n";
    for (const auto& r : grid) {
        out << "  " << std::left << std::setw(static_cast<int>(width[0])) << r[0];
        for (std::size_t c = 1; c < r.size(); ++c)
            out << "  " << std::right << std::setw(static_cast<int>(width[c])) << r[c];
        out << "\n";
    }
    out << "\n";
}

}  // namespace

void print_comparison(std::ostream& out, const evaluation& ev) {
    out << "Model comparison: " << ev.customers << " customers, calibration to "
        << format_date(ev.calibration_end) << ", holdout to " << format_date(ev.observation_end)
        << " (" << cell(ev.duration_holdout, "") << " " << time_unit_name(time_unit{ev.unit_days})
        << "s), " << cell(ev.holdout_purchases, "") << " purchases in the holdout\n\n";
    print_block(out, ev, "Fit on the calibration period",
                {"log_likelihood", "parameters", "aic", "bic", "fit_seconds"});
    print_block(out, ev, "Holdout purchases per customer",
                {"holdout_predicted", "holdout_error_percent", "tracking_error_percent", "mae",
                 "rmse", "msle", "bias", "correlation"});
    print_block(out, ev, ev.amounts ? "Ranking by holdout value" : "Ranking by holdout purchases",
                {"spearman", "gini", "lift_top10", "lift_top20"});
    print_block(out, ev, "Spend per transaction (customers who bought in the holdout)",
                {"spend_mae", "spend_rmse", "spend_bias", "spend_correlation"});
    out << "  * best in the column (converged models); - not defined\n";
    for (const auto& m : ev.models)
        if (!m.fitted || !m.converged) out << "  " << m.title << ": " << m.message << "\n";
    out << "\n";

    // Conditional expectations by calibration frequency (Fader, Hardie & Lee 2005, Figure 5)
    out << "Mean holdout purchases by calibration frequency\n  x      customers  actual";
    std::vector<const model_evaluation*> rows;
    for (const auto& m : ev.models)
        if (!m.by_frequency.empty()) {
            rows.push_back(&m);
            out << "  " << std::setw(10) << m.name;
        }
    out << "\n";
    const std::size_t G = ev.frequency_group.size();
    for (std::size_t g = 0; g < G; ++g) {
        std::string label = cell(ev.frequency_group[g], "parameters") + (g + 1 == G ? "+" : "");
        out << "  " << std::left << std::setw(5) << label << std::right << std::setw(11)
            << cell(ev.group_customers[g], "parameters") << std::setw(8)
            << cell(ev.group_actual[g], "");
        for (const auto* m : rows) out << "  " << std::setw(10) << cell(m->by_frequency[g], "");
        out << "\n";
    }
    if (!ev.notes.empty()) {
        out << "\nNotes\n";
        for (const auto& n : ev.notes) out << "  - " << n << "\n";
    }
}

void write_comparison_csv(const std::string& path, const summary_table& s, const evaluation& ev) {
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) throw ltv::error(status::io_error, "compare: cannot write the CSV to '" + path + "'");
        out = &file;
    }
    struct column {
        std::string name;
        const std::vector<double>* values;
    };
    std::vector<column> cols{{"frequency", &s.frequency},
                             {"recency", &s.recency},
                             {"T", &s.T},
                             {"frequency_holdout", &s.frequency_holdout}};
    if (ev.amounts) {
        cols.push_back({"monetary_value", &s.monetary_value});
        cols.push_back({"monetary_value_holdout", &s.monetary_value_holdout});
    }
    for (const auto& m : ev.models) {
        if (m.predicted.empty()) continue;
        if (m.kind == model_evaluation::role::spend) {
            cols.push_back({m.name + "_expected_spend", &m.predicted});
            continue;
        }
        cols.push_back({m.name + "_holdout_purchases", &m.predicted});
        if (!m.p_alive.empty()) cols.push_back({m.name + "_p_alive", &m.p_alive});
    }
    std::string line = "customer_id";
    for (const auto& c : cols) line += "," + c.name;
    line += "\n";
    *out << line;
    char buf[32];
    for (std::size_t i = 0; i < s.size(); ++i) {
        line.clear();
        // Ids are written as given; one with a comma, quote or line break is quoted (RFC 4180).
        const std::string& id = s.customer[i];
        if (id.find_first_of(",\"\r\n") != std::string::npos) {
            line += '"';
            for (char ch : id) line += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            line += '"';
        } else {
            line += id;
        }
        for (const auto& c : cols) {
            line += ',';
            const auto r = std::to_chars(buf, buf + sizeof buf, (*c.values)[i]);
            line.append(buf, r.ptr);
        }
        line += '\n';
        *out << line;
    }
    out->flush();
    if (!*out) throw ltv::error(status::io_error, "compare: writing the CSV to '" + path + "' failed");
}

}  // namespace ltv::cli
