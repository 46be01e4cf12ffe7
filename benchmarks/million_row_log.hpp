// SPDX-License-Identifier: Apache-2.0
// benchmarks/million_row_log.hpp — the 1,000,000-row transaction log the benchmarks share
// (bench_transactions.cpp, bench_compare.cpp): CDNOW_master.txt replicated with distinct customer
// ids (replica r turns id 00001 into 00001-r), ~338,000 customers, written once per process to a
// temp file "customer_id,date,amount" (ISO dates).
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "ltv/transactions.hpp"

#ifndef LTV_EXAMPLES_DATA_DIR
#define LTV_EXAMPLES_DATA_DIR "examples/data"
#endif

namespace {

constexpr std::size_t bench_rows = 1000000;

/// A temporary file removed at exit.
struct temp_file {
    std::string path;
    ~temp_file() {
        if (!path.empty()) std::remove(path.c_str());
    }
};

/// Writes the 1 M-row CSV once per process and returns its path. by_date: rows in date order
/// (customers interleaved) instead of CDNOW's order (grouped by customer, then date).
const std::string& million_row_csv(bool by_date = false) {
    static temp_file files[2];
    temp_file& tf = files[by_date ? 1 : 0];
    if (tf.path.empty()) tf.path = [by_date] {
        ltv::read_options in;
        in.amount = "dollar_value";
        const auto log = ltv::load_transactions(std::string(LTV_EXAMPLES_DATA_DIR) + "/CDNOW_master.txt", in);
        const auto file = std::filesystem::temp_directory_path() /
                          ("ltv_bench_transactions_" + std::to_string(::getpid()) +
                           (by_date ? "_by_date" : "") + ".csv");
        std::vector<std::pair<ltv::transaction, int>> rows;  // (row, replica)
        for (int replica = 0; rows.size() < bench_rows; ++replica)
            for (const auto& t : log.rows) {
                if (rows.size() == bench_rows) break;
                rows.emplace_back(t, replica);
            }
        if (by_date)
            std::stable_sort(rows.begin(), rows.end(),
                             [](const auto& a, const auto& b) { return a.first.day < b.first.day; });
        std::ofstream out(file, std::ios::binary);
        out << "customer_id,date,amount\n";
        char amount[32];
        for (const auto& [t, replica] : rows) {
            std::snprintf(amount, sizeof amount, "%.2f", t.amount);
            out << log.customers[t.customer] << '-' << replica << ',' << ltv::format_date(t.day) << ','
                << amount << '\n';
        }
        out.close();
        return file.string();
    }();
    return tf.path;
}

}  // namespace
