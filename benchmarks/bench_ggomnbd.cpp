// SPDX-License-Identifier: Apache-2.0
// GGom/NBD (ltv/ggomnbd.hpp, issue 14): the fit on CDNOW (no target in the issue; aim ≤ ~1 s),
// its total log-likelihood with gradient, and P(alive) and E[Y(52)] on 1 M simulated customers.
// Run: build/bin/ltv_benchmarks --benchmark_filter=ggomnbd --benchmark_repetitions=5
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/ggomnbd.hpp"

#ifndef LTV_TEST_DATA_DIR
#define LTV_TEST_DATA_DIR "tests/data"
#endif

namespace {

struct ggom_columns {
    std::vector<double> x, tx, T, w;
    ltv::rfm_data view() const { return {x, tx, T, w}; }
};

const ggom_columns& ggom_cdnow() {
    static const ggom_columns c = [] {
        std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/cdnow_customers_summary.csv");
        std::string line;
        std::getline(in, line);
        ggom_columns d;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            std::stringstream s(line);
            std::string f;
            std::getline(s, f, ',');  // id
            std::getline(s, f, ',');
            d.x.push_back(std::stod(f));
            std::getline(s, f, ',');
            d.tx.push_back(std::stod(f));
            std::getline(s, f, ',');
            d.T.push_back(std::stod(f));
        }
        return d;
    }();
    return c;
}

/// Parameters of tests/data/references/ggomnbd.json's set oracle_a (an interior point).
const ltv::ggomnbd_params ggom_params{0.55, 10.5, 0.05, 0.6, 2.0};

/// 1 M customers simulated from the model at ggom_params, ages uniform in [1, 78] weeks,
/// continuous times (no two rows alike: every row is its own quadrature).
const ggom_columns& ggom_simulated() {
    static const ggom_columns c = [] {
        ggom_columns d;
        const std::size_t n = 1000000;
        d.x.resize(n);
        d.tx.resize(n);
        d.T.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            ltv::detail::random_engine g(14, i);
            d.T[i] = 1 + 77 * g.uniform();
            const auto cu = ltv::simulate_customer(ggom_params, d.T[i], g);
            d.x[i] = cu.frequency;
            d.tx[i] = cu.recency;
        }
        return d;
    }();
    return c;
}

void BM_ggomnbd_fit_cdnow(benchmark::State& state) {
    const auto& d = ggom_cdnow();
    for (auto _ : state) benchmark::DoNotOptimize(ltv::fit_ggomnbd(d.view()).params.r);
    state.SetLabel("aim <= ~1000 ms (issue 14: no target)");
}
BENCHMARK(BM_ggomnbd_fit_cdnow)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_ggomnbd_log_likelihood_cdnow(benchmark::State& state) {
    const auto& d = ggom_cdnow();
    double g[5];
    for (auto _ : state)
        benchmark::DoNotOptimize(ltv::total_log_likelihood(ggom_params, d.view(), g));
}
BENCHMARK(BM_ggomnbd_log_likelihood_cdnow)->Unit(benchmark::kMillisecond);

void BM_ggomnbd_p_alive_1m(benchmark::State& state) {
    const auto& d = ggom_simulated();
    std::vector<double> out(d.x.size());
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        ltv::probability_alive(ggom_params, d.view(), out.data(), threads);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_ggomnbd_p_alive_1m)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_ggomnbd_cet_1m(benchmark::State& state) {
    const auto& d = ggom_simulated();
    std::vector<double> out(d.x.size());
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        ltv::conditional_expected_purchases(ggom_params, 52, d.view(), out.data(), threads);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_ggomnbd_cet_1m)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
