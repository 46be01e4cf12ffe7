// SPDX-License-Identifier: Apache-2.0
// Benchmarks of reading and summarizing transaction logs (ltv/transactions.hpp, ltv/summary.hpp).
//
// Input: a 1,000,000-row CSV "customer_id,date,amount" (ISO dates) written to a temp file from
// CDNOW_master.txt replicated with distinct customer ids (replica r turns id 00001 into
// 00001-r), so it has ~338,000 customers; once in CDNOW order (grouped by customer), once
// sorted by date (customers interleaved, every row a hash lookup). Target: summarize (parsing included) in <= 0.1 s.
// Counters: rows/s, and the summary state's bytes per customer (records; id storage separately).
// benchmarks/cli_end_to_end.py writes the same log and times `ltv summarize` on it end to end.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "ltv/summary.hpp"

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

void BM_read_only(benchmark::State& state) {
    const std::string& path = million_row_csv();
    for (auto _ : state) {
        double sum = 0;
        const auto rep = ltv::read_transactions(path, {}, [&](const ltv::transaction_row& r) { sum += r.amount; });
        benchmark::DoNotOptimize(sum);
        benchmark::DoNotOptimize(rep.rows);
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(bench_rows) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

void BM_summarize(benchmark::State& state) {
    const std::string& path = million_row_csv();
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    std::size_t customers = 0;
    for (auto _ : state) {
        const auto t = ltv::summarize(path, {}, o);
        customers = t.size();
        benchmark::DoNotOptimize(t.frequency.data());
    }
    state.counters["customers"] = static_cast<double>(customers);
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(bench_rows) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

/// BM_summarize with read_options::threads = 2, as `ltv summarize` reads on two CPUs: the log is
/// split and decoded on a second thread while this one summarizes.
void BM_summarize_two_threads(benchmark::State& state) {
    const std::string& path = million_row_csv();
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    ltv::read_options in;
    in.threads = 2;
    for (auto _ : state) {
        const auto t = ltv::summarize(path, in, o);
        benchmark::DoNotOptimize(t.frequency.data());
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(bench_rows) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

/// The same rows in date order: customers interleaved, so every row is a hash lookup.
void BM_summarize_date_order(benchmark::State& state) {
    const std::string& path = million_row_csv(true);
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    for (auto _ : state) {
        const auto t = ltv::summarize(path, {}, o);
        if (t.unverified_transactions != 0) state.SkipWithError("date-ordered input needed a second pass");
        benchmark::DoNotOptimize(t.frequency.data());
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(bench_rows) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

void BM_calibration_holdout(benchmark::State& state) {
    const std::string& path = million_row_csv();
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.calibration_end = ltv::make_day(1997, 9, 30);
    o.unit = ltv::time_unit::week();
    for (auto _ : state) {
        const auto t = ltv::summarize(path, {}, o);
        benchmark::DoNotOptimize(t.frequency_holdout.data());
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(bench_rows) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

/// The incremental state alone (no result table), with its memory per customer.
void BM_state_memory(benchmark::State& state) {
    const std::string& path = million_row_csv();
    ltv::summary_options o;
    o.calibration_end = ltv::make_day(1997, 9, 30);
    ltv::summary_memory m;
    for (auto _ : state) {
        ltv::summary_state st(o);
        st.add_file(path, {});
        m = st.memory();
        benchmark::DoNotOptimize(m);
    }
    // Capacities of the vectors (doubling slack included): record bytes and id bytes.
    state.counters["customers"] = static_cast<double>(m.customers);
    state.counters["record_B/customer"] = m.record_bytes_per_customer();
    state.counters["id_B/customer"] = static_cast<double>(m.id_bytes) / static_cast<double>(m.customers);
}

}  // namespace

BENCHMARK(BM_read_only)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_summarize)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_summarize_two_threads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_summarize_date_order)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_calibration_holdout)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_state_memory)->Unit(benchmark::kMillisecond);
