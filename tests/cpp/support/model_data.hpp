// SPDX-License-Identifier: Apache-2.0
// Test-only helpers for the model tests: a small CSV reader for the CDNOW summary files and an
// exact simulator of the BG/NBD and MBG/NBD processes.
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ltv/rfm_data.hpp"

namespace ltv_test {

/// Columns of a numeric CSV with a header line; all fields parsed as doubles.
struct csv_table {
    std::vector<std::string> names;
    std::vector<std::vector<double>> columns;

    const std::vector<double>& column(const std::string& name) const {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return columns[i];
        throw std::runtime_error("no column " + name);
    }
    std::size_t rows() const { return columns.empty() ? 0 : columns[0].size(); }
};

inline csv_table read_csv(const std::string& file) {
    std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/" + file);
    if (!in) throw std::runtime_error("cannot open " + file);
    csv_table t;
    std::string line, field;
    std::getline(in, line);
    std::stringstream header(line);
    while (std::getline(header, field, ',')) {
        if (!field.empty() && field.back() == '\r') field.pop_back();
        t.names.push_back(field);
    }
    t.columns.resize(t.names.size());
    while (std::getline(in, line)) {
        if (line.empty() || line == "\r") continue;
        std::stringstream row(line);
        for (std::size_t i = 0; i < t.names.size(); ++i) {
            if (!std::getline(row, field, ',')) throw std::runtime_error("short row: " + line);
            t.columns[i].push_back(std::stod(field));
        }
    }
    return t;
}

/// (x, t_x, T) arrays that own their storage; view() gives the ltv::rfm_data.
struct rfm_columns {
    std::vector<double> x, tx, T, w;
    ltv::rfm_data view() const { return {x, tx, T, w}; }
};

/// tests/data/cdnow_customers_summary.csv (FHL 2005's CDNOW calibration data, weeks).
inline rfm_columns cdnow() {
    const csv_table t = read_csv("cdnow_customers_summary.csv");
    return {t.column("frequency"), t.column("recency"), t.column("T"), {}};
}

/// Exact simulation of the BG/NBD (m = 0) or MBG/NBD (m = 1) process: every customer draws
/// λ ~ Gamma(r, rate α) and p ~ Beta(a, b); exponential inter-purchase times are accumulated
/// without rounding; after each repeat purchase (and, for m = 1, at time 0) the customer
/// drops out with probability p. T is drawn uniformly from [T_min, T_max] so that ages differ.
inline rfm_columns simulate_bg(double r, double alpha, double a, double b, int m, std::size_t n,
                               double T_min, double T_max, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> rate(r, 1 / alpha);
    std::gamma_distribution<double> ga(a, 1), gb(b, 1);
    std::uniform_real_distribution<double> age(T_min, T_max), u01(0, 1);
    rfm_columns d;
    d.x.reserve(n);
    d.tx.reserve(n);
    d.T.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double lambda = rate(rng);
        const double g1 = ga(rng), g2 = gb(rng);
        const double p = g1 / (g1 + g2);  // Beta(a, b) from two gammas
        const double T = age(rng);
        std::exponential_distribution<double> gap(lambda);
        double t = 0, last = 0;
        int x = 0;
        bool alive = !(m == 1 && u01(rng) < p);
        while (alive) {
            t += gap(rng);
            if (t > T) break;
            ++x;
            last = t;
            if (u01(rng) < p) alive = false;
        }
        d.x.push_back(x);
        d.tx.push_back(last);
        d.T.push_back(T);
    }
    return d;
}

}  // namespace ltv_test
