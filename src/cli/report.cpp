// SPDX-License-Identifier: Apache-2.0
// src/cli/report.cpp — text and JSON rendering of CLI results.
#include "report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace ltv::cli {
namespace {

// Inserts a space every three digits of the integer part ("7800000.00" → "7 800 000.00").
std::string group_thousands(std::string digits) {
    const std::size_t start = (!digits.empty() && digits[0] == '-') ? 1 : 0;
    std::size_t end = digits.find('.');
    if (end == std::string::npos) end = digits.size();
    for (std::size_t i = end; i > start + 3; i -= 3) digits.insert(i - 3, " ");
    return digits;
}

std::string printf_string(const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

// Display width of UTF-8 text: one column per code point (labels hold no wide characters).
std::size_t display_width(const std::string& text) {
    std::size_t width = 0;
    for (unsigned char c : text) width += (c & 0xC0) != 0x80;
    return width;
}

}  // namespace

report& report::add(std::string key, std::string label, double value, kind how) {
    nlohmann::ordered_json json_value = value;
    // Whole counts print as JSON integers (550, not 550.0).
    if (how == kind::count && std::isfinite(value) && value == std::floor(value) &&
        std::fabs(value) < 9e15)
        json_value = static_cast<long long>(value);
    fields_.push_back({std::move(key), std::move(label), std::move(json_value), how});
    return *this;
}

std::string format_text(double value, kind how) {
    if (!std::isfinite(value)) return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    switch (how) {
        case kind::count:
            if (value == std::floor(value) && std::fabs(value) < 1e15)
                return group_thousands(printf_string("%.0f", value));
            return group_thousands(printf_string("%.4f", value));
        case kind::money:
            return group_thousands(printf_string("%.2f", value));
        case kind::rate:
            return printf_string("%.2f", value * 100) + " %";
        case kind::number:
        case kind::text:
            break;
    }
    return printf_string("%.6g", value);
}

report& report::add_table(std::string key, std::string label, std::vector<std::string> columns,
                          std::vector<std::vector<double>> rows, std::vector<kind> kinds) {
    kinds.resize(columns.size(), kind::number);
    tables_.push_back(
        {std::move(key), std::move(label), std::move(columns), std::move(rows), std::move(kinds)});
    return *this;
}

nlohmann::ordered_json report::to_json() const {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& f : fields_) object[f.key] = f.value;
    for (const auto& t : tables_) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& row : t.rows) {
            nlohmann::ordered_json r = nlohmann::ordered_json::object();
            for (std::size_t c = 0; c < t.columns.size() && c < row.size(); ++c) {
                const double v = row[c];
                if (t.kinds[c] == kind::count && v == std::floor(v) && std::fabs(v) < 9e15)
                    r[t.columns[c]] = static_cast<long long>(v);
                else if (std::isfinite(v))
                    r[t.columns[c]] = v;
                else
                    r[t.columns[c]] = nullptr;  // JSON has no NaN: missing values are null
            }
            rows.push_back(r);
        }
        object[t.key] = rows;
    }
    return object;
}

void report::print_text(std::ostream& out) const {
    std::size_t width = 0;
    for (const auto& f : fields_) width = std::max(width, display_width(f.label));
    // Fields without a label are JSON-only (e.g. standard errors already shown beside the
    // parameters).
    out << title_ << "\n";
    for (const auto& f : fields_) {
        if (f.label.empty()) continue;
        std::string text;
        if (!f.text.empty())
            text = f.text;
        else if (f.value.is_number())
            text = format_text(f.value.get<double>(), f.how);
        else if (f.value.is_string())
            text = f.value.get<std::string>();
        else
            text = f.value.dump();
        out << "  " << f.label << std::string(width - display_width(f.label) + 2, ' ') << text
            << "\n";
    }
    for (const auto& t : tables_) {
        out << "  " << t.label << "\n";
        std::vector<std::vector<std::string>> cells;
        std::vector<std::size_t> widths;
        for (const auto& c : t.columns) widths.push_back(display_width(c));
        for (const auto& row : t.rows) {
            std::vector<std::string> line;
            for (std::size_t c = 0; c < t.columns.size(); ++c) {
                line.push_back(
                    c < row.size() && !std::isnan(row[c]) ? format_text(row[c], t.kinds[c]) : "");
                widths[c] = std::max(widths[c], display_width(line.back()));
            }
            cells.push_back(std::move(line));
        }
        auto print_row = [&](const std::vector<std::string>& line) {
            out << "   ";
            for (std::size_t c = 0; c < line.size(); ++c)
                out << " " << std::string(widths[c] - display_width(line[c]), ' ') << line[c];
            out << "\n";
        };
        print_row(t.columns);
        for (const auto& line : cells) print_row(line);
    }
}

std::string number_text(double value) {
    if (std::isnan(value)) return "";
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, r.ptr);
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

void print_reports(std::ostream& out, const std::vector<report>& reports, bool json) {
    if (json) {
        if (reports.size() == 1) {
            out << reports.front().to_json().dump(2) << "\n";
        } else {
            nlohmann::ordered_json all = nlohmann::ordered_json::object();
            for (const auto& r : reports) all[r.key()] = r.to_json();
            out << all.dump(2) << "\n";
        }
        return;
    }
    for (std::size_t i = 0; i < reports.size(); ++i) {
        if (i) out << "\n";
        reports[i].print_text(out);
    }
}

}  // namespace ltv::cli
