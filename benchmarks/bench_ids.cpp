// SPDX-License-Identifier: Apache-2.0
// Benchmarks of issue 13's integer customer ids: 10 M transactions of 1 M customers (ids are
// 9- or 10-digit integers, as ERP keys; rows in random order, days over two years) added to a
// summary state in ten batches of 1 M rows, through the C API as int64 arrays
// (ltv_summary_add_int64) and as the same ids' canonical text packed (ltv_summary_add), through
// C++ (summary_state::add_batch with int64 ids / with transaction_rows), and the readers
// (ltv_summary_table_ids_int64 vs ltv_summary_table_ids). The packing of the text itself is not
// timed: it is what a caller with integer keys saves. Merging: four customer partitions of the
// same rows merged into one state (summary_state::merge). Figures: docs/benchmarks.md.
// Run: ltv_benchmarks --benchmark_filter=ids --benchmark_repetitions=5
//      --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ltv/summary.hpp"

#if defined(LTV_BENCH_C_API)
#include "ltv/ltv.h"
#endif

namespace {

constexpr std::size_t id_rows = 10000000;
constexpr std::size_t id_batch = 1000000;
constexpr std::size_t id_customers = 1000000;

struct id_log {
    std::vector<std::int64_t> ids;
    std::vector<std::int32_t> days;
    std::vector<double> amounts;
    std::string chars;               // the ids' canonical text, packed
    std::vector<std::size_t> offsets;
};

const id_log& ten_million_rows() {
    static const id_log log = [] {
        id_log l;
        std::mt19937_64 rng(13);
        std::vector<std::int64_t> keys(id_customers);
        for (auto& k : keys) k = 100000000 + static_cast<std::int64_t>(rng() % 4000000000ull);
        l.ids.resize(id_rows);
        l.days.resize(id_rows);
        l.amounts.resize(id_rows);
        l.offsets.resize(id_rows + 1);
        const std::int32_t start = ltv::make_day(2022, 1, 1);
        for (std::size_t i = 0; i < id_rows; ++i) {
            l.ids[i] = keys[rng() % id_customers];
            l.days[i] = start + static_cast<std::int32_t>(rng() % 730);
            l.amounts[i] = static_cast<double>(rng() % 20000) / 100.0;
            l.offsets[i] = l.chars.size();
            l.chars += ltv::int64_id_string(l.ids[i]);
        }
        l.offsets[id_rows] = l.chars.size();
        return l;
    }();
    return log;
}

void BM_ids_cpp_add_batch_int64(benchmark::State& state) {
    const auto& l = ten_million_rows();
    for (auto _ : state) {
        ltv::summary_state st;
        for (std::size_t b = 0; b < id_rows; b += id_batch)
            st.add_batch({l.ids.data() + b, id_batch}, {l.days.data() + b, id_batch},
                         {l.amounts.data() + b, id_batch});
        benchmark::DoNotOptimize(st.customers());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * id_rows));
}

void BM_ids_cpp_add_batch_text(benchmark::State& state) {
    const auto& l = ten_million_rows();
    std::vector<ltv::transaction_row> rows(id_batch);
    for (auto _ : state) {
        ltv::summary_state st;
        for (std::size_t b = 0; b < id_rows; b += id_batch) {
            for (std::size_t i = 0; i < id_batch; ++i)
                rows[i] = {std::string_view(l.chars.data() + l.offsets[b + i],
                                            l.offsets[b + i + 1] - l.offsets[b + i]),
                           l.days[b + i], l.amounts[b + i], 0, 0};
            st.add_batch(rows);
        }
        benchmark::DoNotOptimize(st.customers());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * id_rows));
}

void BM_ids_cpp_merge_four_partitions(benchmark::State& state) {
    const auto& l = ten_million_rows();
    std::vector<ltv::summary_state> parts(4);
    {
        std::vector<std::vector<std::int64_t>> ids(4);
        std::vector<std::vector<std::int32_t>> days(4);
        std::vector<std::vector<double>> amounts(4);
        for (std::size_t i = 0; i < id_rows; ++i) {
            const auto k = static_cast<std::size_t>(ltv::int64_id_table::mix(l.ids[i]) % 4);
            ids[k].push_back(l.ids[i]);
            days[k].push_back(l.days[i]);
            amounts[k].push_back(l.amounts[i]);
        }
        for (std::size_t k = 0; k < 4; ++k) parts[k].add_batch(ids[k], days[k], amounts[k]);
    }
    for (auto _ : state) {
        ltv::summary_state merged = parts[0];
        for (std::size_t k = 1; k < 4; ++k) merged.merge(parts[k]);
        benchmark::DoNotOptimize(merged.customers());
    }
    state.counters["customers"] = static_cast<double>(id_customers);
}

#if defined(LTV_BENCH_C_API)

void check_c(int status, benchmark::State& state) {
    if (status != LTV_OK) state.SkipWithError(ltv_last_error());
}

void BM_ids_capi_add_int64(benchmark::State& state) {
    const auto& l = ten_million_rows();
    for (auto _ : state) {
        ltv_summary* s = nullptr;
        check_c(ltv_summary_create(nullptr, &s), state);
        for (std::size_t b = 0; b < id_rows; b += id_batch)
            check_c(ltv_summary_add_int64(s, l.ids.data() + b, l.days.data() + b,
                                          l.amounts.data() + b, id_batch),
                    state);
        ltv_summary_free(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * id_rows));
}

void BM_ids_capi_add_packed(benchmark::State& state) {
    const auto& l = ten_million_rows();
    for (auto _ : state) {
        ltv_summary* s = nullptr;
        check_c(ltv_summary_create(nullptr, &s), state);
        for (std::size_t b = 0; b < id_rows; b += id_batch)
            check_c(ltv_summary_add(s, l.chars.data(), l.offsets.data() + b, l.days.data() + b,
                                    l.amounts.data() + b, id_batch),
                    state);
        ltv_summary_free(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * id_rows));
}

/// The result table of the 10 M rows, made once: the readers' benchmarks time the reading only.
ltv_summary_table* ten_million_table() {
    static ltv_summary_table* table = [] {
        const auto& l = ten_million_rows();
        ltv_summary* s = nullptr;
        ltv_summary_table* t = nullptr;
        ltv_summary_create(nullptr, &s);
        ltv_summary_add_int64(s, l.ids.data(), l.days.data(), l.amounts.data(), id_rows);
        ltv_summary_result(s, &t);
        ltv_summary_free(s);
        return t;
    }();
    return table;
}

void BM_ids_capi_read_int64(benchmark::State& state) {
    ltv_summary_table* t = ten_million_table();
    std::vector<std::int64_t> out(id_customers);
    for (auto _ : state) {
        check_c(ltv_summary_table_ids_int64(t, out.data(), out.size()), state);
        benchmark::DoNotOptimize(out.data());
    }
}

void BM_ids_capi_read_packed(benchmark::State& state) {
    ltv_summary_table* t = ten_million_table();
    std::size_t size = 0;
    check_c(ltv_summary_table_ids(t, nullptr, 0, nullptr, 0, &size), state);
    std::vector<char> chars(size);
    std::vector<std::size_t> offsets(id_customers + 1);
    for (auto _ : state) {
        check_c(ltv_summary_table_ids(t, chars.data(), chars.size(), offsets.data(),
                                      offsets.size(), &size),
                state);
        benchmark::DoNotOptimize(chars.data());
    }
}

#endif  // LTV_BENCH_C_API

}  // namespace

BENCHMARK(BM_ids_cpp_add_batch_int64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ids_cpp_add_batch_text)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ids_cpp_merge_four_partitions)->Unit(benchmark::kMillisecond);
#if defined(LTV_BENCH_C_API)
BENCHMARK(BM_ids_capi_add_int64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ids_capi_add_packed)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ids_capi_read_int64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ids_capi_read_packed)->Unit(benchmark::kMillisecond);
#endif
