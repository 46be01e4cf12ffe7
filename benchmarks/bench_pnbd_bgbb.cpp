// SPDX-License-Identifier: Apache-2.0
// Benchmarks of the Pareto/NBD (ltv/pareto_nbd.hpp) and BG/BB (ltv/bgbb.hpp) models.
// Targets (issue #5): Pareto/NBD fit on CDNOW <= 5 ms; fit on 1 M simulated customers <= 1 s
// single-threaded; scoring 1 M customers (P(alive), E[Y(52)], DERT) <= 0.2 s on 2 threads;
// BG/BB fit on the donations <= 1 ms.
#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/bgbb.hpp"
#include "ltv/pareto_nbd.hpp"

#ifndef LTV_TEST_DATA_DIR
#define LTV_TEST_DATA_DIR "tests/data"
#endif

namespace {

struct pnbd_columns {
    std::vector<double> x, tx, T, w;
    ltv::rfm_data view() const { return {x, tx, T, w}; }
};

std::vector<std::vector<double>> read_columns(const std::string& file, std::size_t ncols) {
    std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/" + file);
    std::string line;
    std::getline(in, line);
    std::vector<std::vector<double>> cols(ncols);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::stringstream s(line);
        std::string f;
        for (std::size_t i = 0; i < ncols; ++i) {
            std::getline(s, f, ',');
            cols[i].push_back(std::stod(f));
        }
    }
    return cols;
}

const pnbd_columns& cdnow() {
    static const pnbd_columns c = [] {
        auto cols = read_columns("cdnow_customers_summary.csv", 4);
        return pnbd_columns{cols[1], cols[2], cols[3], {}};
    }();
    return c;
}

const pnbd_columns& donations() {
    static const pnbd_columns c = [] {
        auto cols = read_columns("donations.csv", 4);
        return pnbd_columns{cols[0], cols[1], cols[2], cols[3]};
    }();
    return c;
}

/// 1 M customers from the Pareto/NBD process at the CDNOW estimates, exact continuous times,
/// ages uniform in [1, 78] weeks.
const pnbd_columns& simulated() {
    static const pnbd_columns c = [] {
        const double r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669;
        std::mt19937_64 rng(7);
        std::gamma_distribution<double> rate(r, 1 / alpha), death(s, 1 / beta);
        std::uniform_real_distribution<double> age(1, 78);
        pnbd_columns d;
        for (int i = 0; i < 1000000; ++i) {
            const double lambda = rate(rng), mu = death(rng), T = age(rng);
            const double life = std::exponential_distribution<double>(mu)(rng);
            const double end = life < T ? life : T;
            std::exponential_distribution<double> gap(lambda);
            double t = 0, last = 0;
            int x = 0;
            for (;;) {
                t += gap(rng);
                if (t > end) break;
                ++x;
                last = t;
            }
            d.x.push_back(x);
            d.tx.push_back(last);
            d.T.push_back(T);
        }
        return d;
    }();
    return c;
}

const ltv::pareto_nbd_params pnbd_fit{0.55328, 10.5776, 0.60621, 11.6679};

void BM_pnbd_fit_cdnow(benchmark::State& state) {
    const auto& d = cdnow();
    for (auto _ : state) benchmark::DoNotOptimize(ltv::fit_pareto_nbd(d.view()).params.r);
    state.SetLabel("target <= 5 ms");
}
BENCHMARK(BM_pnbd_fit_cdnow)->Unit(benchmark::kMillisecond);

void BM_pnbd_log_likelihood_cdnow(benchmark::State& state) {
    const auto& d = cdnow();
    double g[4];
    for (auto _ : state) benchmark::DoNotOptimize(ltv::total_log_likelihood(pnbd_fit, d.view(), g));
}
BENCHMARK(BM_pnbd_log_likelihood_cdnow)->Unit(benchmark::kMicrosecond);

void BM_pnbd_fit_1m_simulated(benchmark::State& state) {
    const auto& d = simulated();
    ltv::fit_options o;
    o.standard_errors = false;
    for (auto _ : state) benchmark::DoNotOptimize(ltv::fit_pareto_nbd(d.view(), o).params.r);
    state.SetLabel("target <= 1000 ms");
}
BENCHMARK(BM_pnbd_fit_1m_simulated)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_pnbd_score_1m(benchmark::State& state) {
    const auto& d = simulated();
    const std::size_t n = d.x.size();
    std::vector<double> pa(n), ey(n), dert(n);
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        ltv::probability_alive(pnbd_fit, d.view(), pa.data(), threads);
        ltv::conditional_expected_purchases(pnbd_fit, 52, d.view(), ey.data(), threads);
        ltv::discounted_expected_residual_transactions(pnbd_fit, 0.0027, d.view(), dert.data(),
                                                       threads);
        benchmark::DoNotOptimize(dert.data());
    }
    state.SetLabel("target <= 200 ms on 2 threads");
}
BENCHMARK(BM_pnbd_score_1m)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_bgbb_fit_donations(benchmark::State& state) {
    const auto& d = donations();
    for (auto _ : state) benchmark::DoNotOptimize(ltv::fit_bgbb(d.view()).params.alpha);
    state.SetLabel("target <= 1 ms");
}
BENCHMARK(BM_bgbb_fit_donations)->Unit(benchmark::kMicrosecond);

}  // namespace
