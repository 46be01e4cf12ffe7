// SPDX-License-Identifier: Apache-2.0
// Benchmarks of the model comparison (ltv/evaluation.hpp, ltv/evaluation_report.hpp; issue 11).
//
// Target: comparing 4 models (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma) on the 1 M-row log of
// the transactions benchmark (million_row_log.hpp, ~338,000 customers; calibration to
// 1997-09-30, holdout to 1998-06-30, weeks) in <= 2 s end to end on 2 cores, including the HTML
// report, whose size must stay <= 2 MB (counter report_bytes).
//   BM_compare_end_to_end   file → log → customer base → summary → evaluation → HTML file
//   BM_compare_evaluate     the evaluation alone (base and summary built once)
//   BM_compare_report       the HTML alone
//   BM_compare_cdnow        the same end to end on CDNOW_master.txt (69 659 rows)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "ltv/customer_base.hpp"
#include "ltv/evaluation.hpp"
#include "ltv/evaluation_report.hpp"
#include "ltv/summary.hpp"
#include "million_row_log.hpp"

namespace {

ltv::summary_options split() {
    ltv::summary_options o;
    o.calibration_end = ltv::make_day(1997, 9, 30);
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    return o;
}

ltv::evaluation_options four_models() {
    ltv::evaluation_options o;
    o.models = {"bgnbd", "mbgnbd", "pnbd", "gg"};
    return o;
}

std::size_t end_to_end(const std::string& path, const ltv::read_options& read,
                       const std::string& html) {
    const ltv::customer_base base(ltv::load_transactions(path, read), "bench");
    const ltv::summary_table s = ltv::summarize(base, split());
    const ltv::evaluation ev = ltv::evaluate_models(s, &base, four_models());
    ltv::write_evaluation_html(ev, html);
    return ev.customers;
}

std::string temp_html() {
    return (std::filesystem::temp_directory_path() /
            ("ltv_bench_compare_" + std::to_string(::getpid()) + ".html"))
        .string();
}

std::size_t file_size(const std::string& path) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::size_t>(n);
}

void BM_compare_end_to_end(benchmark::State& state) {
    const std::string& path = million_row_csv();
    const std::string html = temp_html();
    std::size_t customers = 0;
    for (auto _ : state) customers = end_to_end(path, {}, html);
    state.counters["customers"] = static_cast<double>(customers);
    state.counters["report_bytes"] = static_cast<double>(file_size(html));
    std::remove(html.c_str());
}

void BM_compare_evaluate(benchmark::State& state) {
    const ltv::customer_base base(ltv::load_transactions(million_row_csv(), {}), "bench");
    const ltv::summary_table s = ltv::summarize(base, split());
    for (auto _ : state) {
        const auto ev = ltv::evaluate_models(s, &base, four_models());
        benchmark::DoNotOptimize(ev.models.data());
    }
    state.counters["customers"] = static_cast<double>(s.size());
}

void BM_compare_report(benchmark::State& state) {
    const ltv::customer_base base(ltv::load_transactions(million_row_csv(), {}), "bench");
    const auto ev = ltv::evaluate_models(ltv::summarize(base, split()), &base, four_models());
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string html = ltv::evaluation_html(ev);
        bytes = html.size();
        benchmark::DoNotOptimize(html.data());
    }
    state.counters["report_bytes"] = static_cast<double>(bytes);
}

void BM_compare_cdnow(benchmark::State& state) {
    ltv::read_options read;
    read.amount = "dollar_value";
    const std::string path = std::string(LTV_EXAMPLES_DATA_DIR) + "/CDNOW_master.txt";
    const std::string html = temp_html();
    std::size_t customers = 0;
    for (auto _ : state) customers = end_to_end(path, read, html);
    state.counters["customers"] = static_cast<double>(customers);
    std::remove(html.c_str());
}

}  // namespace

BENCHMARK(BM_compare_end_to_end)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_compare_evaluate)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_compare_report)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_compare_cdnow)->Unit(benchmark::kMillisecond)->UseRealTime();
