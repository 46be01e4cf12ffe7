// SPDX-License-Identifier: Apache-2.0
// src/cli/report.hpp — one result block of the CLI, printed as aligned text or as JSON.
//
// Every command builds reports and hands them to print_reports(), so `--json` works the same way
// everywhere: one report prints as a JSON object, several as an object keyed by report key.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ltv::cli {

enum class kind { count, money, rate, number, text };

struct field {
    std::string key;    // JSON key
    std::string label;  // text label
    nlohmann::ordered_json value;
    kind how;
    std::string text = "";  // text-mode rendering of a JSON value ("" = compact JSON)
};

class report {
public:
    report(std::string key, std::string title) : key_(std::move(key)), title_(std::move(title)) {}

    report& add(std::string key, std::string label, double value, kind how);
    report& add(std::string key, std::string label, std::string value) {
        fields_.push_back({std::move(key), std::move(label), std::move(value), kind::text});
        return *this;
    }
    /// Raw JSON (arrays, nested objects); printed as compact JSON in text mode.
    report& add_json(std::string key, std::string label, nlohmann::ordered_json value,
                     std::string text = "") {
        fields_.push_back(
            {std::move(key), std::move(label), std::move(value), kind::text, std::move(text)});
        return *this;
    }

    /// A table: printed aligned in text mode, as an array of row objects in JSON.
    report& add_table(std::string key, std::string label, std::vector<std::string> columns,
                      std::vector<std::vector<double>> rows, std::vector<kind> kinds);

    const std::string& key() const { return key_; }
    /// Renames the report (its key in a multi-report JSON object).
    report& set_key(std::string key) {
        key_ = std::move(key);
        return *this;
    }
    nlohmann::ordered_json to_json() const;
    void print_text(std::ostream& out) const;

private:
    struct table {
        std::string key, label;
        std::vector<std::string> columns;
        std::vector<std::vector<double>> rows;
        std::vector<kind> kinds;
    };
    std::string key_, title_;
    std::vector<field> fields_;
    std::vector<table> tables_;
};

/// Text for people: 1 234 567 for counts, 7 800 000.00 for money, 82.36 % for rates.
std::string format_text(double value, kind how);

/// Shortest decimal text that reads back as the same double ("" for NaN), for CSV output.
std::string number_text(double value);

/// A text field for CSV output, quoted (RFC 4180) when it holds a delimiter, quote or newline.
std::string csv_field(const std::string& text);

void print_reports(std::ostream& out, const std::vector<report>& reports, bool json);

}  // namespace ltv::cli
