// SPDX-License-Identifier: Apache-2.0
// Benchmarks of issue 12's model capabilities on 1 M customers: seeded simulation (BG/NBD,
// Pareto/NBD), the Pareto/NBD conditional PMF, P(alive) ahead, and the expected cumulative
// transactions of a growing base (CDNOW's shape: 23 570 customers acquired over 12 weeks,
// 78 weekly points). The issue sets no speed targets; the figures are in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "ltv/bgnbd.hpp"
#include "ltv/model_curves.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/registry.hpp"

namespace {

constexpr std::size_t million = 1000000;

// CDNOW estimates (FHL 2005 BG/NBD; lifetimes' Pareto/NBD), weeks.
const ltv::bgnbd_params bgnbd{0.243, 4.414, 0.793, 2.426};
const ltv::pareto_nbd_params pnbd{0.553, 10.578, 0.606, 11.668};

ltv::model_state state_of(ltv::model_kind kind, std::vector<double> params) {
    ltv::model_state s;
    s.kind = kind;
    s.params = std::move(params);
    s.fitted = true;
    return s;
}

/// 1 M simulated Pareto/NBD customers aged 1..78 weeks (their own simulation, seed 7).
struct population {
    std::vector<double> x, tx, T;
    ltv::rfm_data view() const { return {x, tx, T, {}}; }
};

const population& simulated() {
    static const population p = [] {
        population d;
        d.T.resize(million);
        for (std::size_t i = 0; i < million; ++i) d.T[i] = 1 + static_cast<double>(i % 78);
        d.x.resize(million);
        d.tx.resize(million);
        const auto s = state_of(ltv::model_kind::pareto_nbd, {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta});
        ltv::model_ops_for(ltv::model_kind::pareto_nbd)
            .simulate(s, 7, d.T, d.x.data(), d.tx.data(), nullptr, 1);
        return d;
    }();
    return p;
}

void simulate(benchmark::State& st, ltv::model_kind kind, std::vector<double> params) {
    const auto s = state_of(kind, std::move(params));
    const auto& ops = ltv::model_ops_for(kind);
    std::vector<double> T(million, 39.0), x(million), tx(million);
    const int threads = static_cast<int>(st.range(0));
    for (auto _ : st) {
        ops.simulate(s, 42, T, x.data(), tx.data(), nullptr, threads);
        benchmark::DoNotOptimize(x.data());
    }
    st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(million));
}

void BM_simulate_bgnbd_1M(benchmark::State& st) {
    simulate(st, ltv::model_kind::bgnbd, {bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b});
}
void BM_simulate_pnbd_1M(benchmark::State& st) {
    simulate(st, ltv::model_kind::pareto_nbd, {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta});
}

void BM_conditional_pmf_pnbd_1M(benchmark::State& st) {
    const auto& d = simulated();
    std::vector<double> out(million);
    const int threads = static_cast<int>(st.range(0));
    for (auto _ : st) {
        ltv::conditional_probability_of_purchases(pnbd, 2, 39, d.view(), out.data(), threads);
        benchmark::DoNotOptimize(out.data());
    }
    st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(million));
}

void BM_p_alive_ahead_pnbd_1M(benchmark::State& st) {
    const auto& d = simulated();
    const auto s = state_of(ltv::model_kind::pareto_nbd, {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta});
    const auto& ops = ltv::model_ops_for(ltv::model_kind::pareto_nbd);
    std::vector<double> out(million);
    const int threads = static_cast<int>(st.range(0));
    for (auto _ : st) {
        ops.p_alive_ahead(s, 52, d.view(), out.data(), threads);
        benchmark::DoNotOptimize(out.data());
    }
    st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(million));
}

void BM_expected_cumulative_transactions_cdnow(benchmark::State& st) {
    // 23 570 customers with first purchases on the 84 days of 1997-Q1 (in weeks), 78 weeks.
    std::vector<double> first(23570), at(78);
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = static_cast<double>(i % 84) / 7;
    for (std::size_t k = 0; k < at.size(); ++k) at[k] = static_cast<double>(k + 1);
    const auto s = state_of(ltv::model_kind::bgnbd, {bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b});
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    std::vector<double> out(at.size());
    for (auto _ : st) {
        ltv::expected_cumulative_transactions(ops, s, first, {}, at, out.data(), 1);
        benchmark::DoNotOptimize(out.data());
    }
}

// One customer per call through the batch entries, as a database function or an ERP's per-record
// hook calls them (issue 13): the per-batch tables must not cost more than the row.
void one_row(benchmark::State& st, ltv::model_kind kind, std::vector<double> params, bool ll) {
    const auto s = state_of(kind, std::move(params));
    const auto& ops = ltv::model_ops_for(kind);
    std::vector<double> x{3}, tx{20}, T{38}, out(1);
    const ltv::rfm_data d{x, tx, T, {}};
    for (auto _ : st) {
        if (ll)
            ops.log_likelihood(s, d, out.data(), 1);
        else
            ops.p_alive(s, d, out.data(), 1);
        benchmark::DoNotOptimize(out.data());
    }
}
void BM_one_row_p_alive_bgnbd(benchmark::State& st) {
    one_row(st, ltv::model_kind::bgnbd, {bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b}, false);
}
void BM_one_row_log_likelihood_bgnbd(benchmark::State& st) {
    one_row(st, ltv::model_kind::bgnbd, {bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b}, true);
}
void BM_one_row_p_alive_pnbd(benchmark::State& st) {
    one_row(st, ltv::model_kind::pareto_nbd, {pnbd.r, pnbd.alpha, pnbd.s, pnbd.beta}, false);
}

}  // namespace

BENCHMARK(BM_simulate_bgnbd_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_simulate_pnbd_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_conditional_pmf_pnbd_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_p_alive_ahead_pnbd_1M)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_expected_cumulative_transactions_cdnow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_one_row_p_alive_bgnbd)->Unit(benchmark::kNanosecond);
BENCHMARK(BM_one_row_log_likelihood_bgnbd)->Unit(benchmark::kNanosecond);
BENCHMARK(BM_one_row_p_alive_pnbd)->Unit(benchmark::kNanosecond);
