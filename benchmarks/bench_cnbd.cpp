// SPDX-License-Identifier: Apache-2.0
// Benchmarks of BG/CNBD-k and MBG/CNBD-k (ltv/bgcnbd.hpp). Target (issue 14): fitting k = 1 … 5
// on CDNOW (2357 customers, tests/data/cdnow_customers_summary.csv) under 50 ms.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/bgcnbd.hpp"

#ifndef LTV_TEST_DATA_DIR
#define LTV_TEST_DATA_DIR "tests/data"
#endif

namespace {

struct cdnow_columns {
    std::vector<double> x, tx, T;
    ltv::rfm_data view() const { return {x, tx, T, {}}; }
};

const cdnow_columns& cdnow_rfm() {
    static const cdnow_columns c = [] {
        cdnow_columns d;
        std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/cdnow_customers_summary.csv");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::stringstream s(line);
            std::string f[4];
            for (auto& v : f) std::getline(s, v, ',');
            d.x.push_back(std::stod(f[1]));
            d.tx.push_back(std::stod(f[2]));
            d.T.push_back(std::stod(f[3]));
        }
        return d;
    }();
    return c;
}

// Five fits, k = 1 … 5, as the k search makes them (without its early stop).
void BM_bgcnbd_fit_k1_to_5_cdnow(benchmark::State& state) {
    const auto d = cdnow_rfm().view();
    for (auto _ : state)
        for (int k = 1; k <= 5; ++k) benchmark::DoNotOptimize(ltv::fit_bgcnbd(d, {}, {k, 5}));
}
BENCHMARK(BM_bgcnbd_fit_k1_to_5_cdnow)->Unit(benchmark::kMillisecond);

void BM_mbgcnbd_fit_k1_to_5_cdnow(benchmark::State& state) {
    const auto d = cdnow_rfm().view();
    for (auto _ : state)
        for (int k = 1; k <= 5; ++k) benchmark::DoNotOptimize(ltv::fit_mbgcnbd(d, {}, {k, 5}));
}
BENCHMARK(BM_mbgcnbd_fit_k1_to_5_cdnow)->Unit(benchmark::kMillisecond);

// E[Y(39) | x, t_x, T] of every CDNOW customer at k = 3 (the exact phase-mixture series).
void BM_bgcnbd_conditional_expected_cdnow_k3(benchmark::State& state) {
    const auto d = cdnow_rfm().view();
    const ltv::bgcnbd_params p{0.22, 0.83, 1.03, 2.09, 3};
    std::vector<double> out(d.size());
    for (auto _ : state) {
        ltv::conditional_expected_purchases(p, 39.0, d, out.data(), 1);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_bgcnbd_conditional_expected_cdnow_k3)->Unit(benchmark::kMillisecond);

}  // namespace
