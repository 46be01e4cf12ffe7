// SPDX-License-Identifier: Apache-2.0
// Benchmarks of prediction intervals (ltv/intervals.hpp, docs/intervals.md).
// Target (issue 14): the bootstrap of 200 replicates for 1 M customers' CLV (BG/NBD +
// Gamma-Gamma, 12 periods) under 10 s on 2 cores; the delta method on 1 M customers alongside.
// The models are fitted on CDNOW (so they carry a covariance); the 1 M customers are simulated
// from the fitted BG/NBD (its simulate capability), with ages 1 … 78 weeks.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/intervals.hpp"
#include "ltv/registry.hpp"

#ifndef LTV_TEST_DATA_DIR
#define LTV_TEST_DATA_DIR "tests/data"
#endif

namespace {

struct setup {
    ltv::model_state bg, gg;
    std::vector<double> x, tx, T, money;

    setup() {
        // CDNOW with mean repeat spend (ID, x, t_x, T, zbar)
        std::ifstream in(std::string(LTV_TEST_DATA_DIR) +
                         "/cdnow_customers_summary_with_transactions.csv");
        std::string line;
        std::getline(in, line);
        std::vector<double> cx, ctx, cT, cz, sx, sz;
        while (std::getline(in, line)) {
            std::stringstream s(line);
            std::string f[5];
            for (auto& v : f) std::getline(s, v, ',');
            cx.push_back(std::stod(f[1]));
            ctx.push_back(std::stod(f[2]));
            cT.push_back(std::stod(f[3]));
            if (cx.back() > 0) {
                sx.push_back(cx.back());
                sz.push_back(std::stod(f[4]));
            }
        }
        bg.kind = ltv::model_kind::bgnbd;
        gg.kind = ltv::model_kind::gamma_gamma;
        ltv::model_ops_for(bg.kind).fit_rfm(bg, {cx, ctx, cT, {}}, {});
        ltv::model_ops_for(gg.kind).fit_spend(gg, {sx, sz, {}}, {});
        const std::size_t n = 1000000;
        x.resize(n), tx.resize(n), T.resize(n), money.resize(n);
        for (std::size_t i = 0; i < n; ++i) T[i] = 1 + static_cast<double>(i % 7800) / 100;
        ltv::model_ops_for(bg.kind).simulate(bg, 42, {T.data(), n}, x.data(), tx.data(), nullptr,
                                             0);
        for (std::size_t i = 0; i < n; ++i)
            money[i] = x[i] > 0 ? 10 + static_cast<double>(i % 61) : 0;
    }
    ltv::rfm_data rfm() const { return {x, tx, T, {}}; }
    ltv::spend_data spend() const { return {x, money, {}}; }
};

const setup& data() {
    static const setup s;
    return s;
}

void run(benchmark::State& state, ltv::capability cap, ltv::interval_method method) {
    const setup& d = data();
    const std::size_t n = d.x.size();
    ltv::clv_options clv;  // 12 periods of 1 week, undiscounted (the library's defaults)
    const auto q = ltv::make_prediction_request(d.bg, cap, 39, d.rfm(), d.spend(), &d.gg, clv);
    std::vector<double> point(n), lower(n), upper(n);
    q.kernel(d.bg, &d.gg, 0, n, point.data());
    ltv::interval_options o;
    o.method = method;
    o.replicates = static_cast<int>(state.range(0));
    for (auto _ : state) {
        ltv::prediction_intervals(q, point.data(), o, lower.data(), upper.data(), 2);
        benchmark::DoNotOptimize(lower.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

void BM_intervals_bootstrap_clv_1M(benchmark::State& state) {
    run(state, ltv::capability::clv, ltv::interval_method::bootstrap);
}
void BM_intervals_delta_clv_1M(benchmark::State& state) {
    run(state, ltv::capability::clv, ltv::interval_method::delta);
}
void BM_intervals_bootstrap_p_alive_1M(benchmark::State& state) {
    run(state, ltv::capability::p_alive, ltv::interval_method::bootstrap);
}
void BM_intervals_delta_expected_purchases_1M(benchmark::State& state) {
    run(state, ltv::capability::conditional_purchases, ltv::interval_method::delta);
}

}  // namespace

BENCHMARK(BM_intervals_bootstrap_clv_1M)->Arg(200)->Iterations(1)->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK(BM_intervals_delta_clv_1M)->Arg(200)->Iterations(1)->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_intervals_bootstrap_p_alive_1M)->Arg(200)->Iterations(1)
    ->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_intervals_delta_expected_purchases_1M)->Arg(200)->Iterations(1)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
