// SPDX-License-Identifier: Apache-2.0
// Benchmarks of the deterministic calculators (ltv/retention.hpp, simple_ltv.hpp, average_clv.hpp).
// They are cheap; the point is to show that validation does not dominate and to catch regressions.
#include <benchmark/benchmark.h>

#include <vector>

#include "ltv/average_clv.hpp"
#include "ltv/retention.hpp"
#include "ltv/simple_ltv.hpp"

static void BM_retention_rate(benchmark::State& state) {
    double end = 1100;
    for (auto _ : state) {
        benchmark::DoNotOptimize(end);
        benchmark::DoNotOptimize(ltv::retention_rate(1000, end, 200));
    }
}
BENCHMARK(BM_retention_rate);

static void BM_purchase_chain_ltv(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<double> margins(n, 150.0), probabilities(n, 0.6);
    for (auto _ : state)
        benchmark::DoNotOptimize(ltv::purchase_chain_ltv(margins, probabilities, 0.05));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_purchase_chain_ltv)->Arg(8)->Arg(1 << 20);

static void BM_average_clv(benchmark::State& state) {
    ltv::average_clv_inputs in;
    in.average_order_value = 50;
    in.margin = 0.3;
    in.purchases_per_period = 2;
    in.periods = 36;
    in.retention = 0.8;
    in.discount_rate = 0.01;
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        benchmark::DoNotOptimize(ltv::average_clv(in));
    }
}
BENCHMARK(BM_average_clv);
