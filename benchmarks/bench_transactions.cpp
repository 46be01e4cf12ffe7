// SPDX-License-Identifier: Apache-2.0
// Benchmarks of reading and summarizing transaction logs (ltv/transactions.hpp, ltv/summary.hpp).
//
// Input: a 1,000,000-row CSV "customer_id,date,amount" (ISO dates) written to a temp file from
// CDNOW_master.txt replicated with distinct customer ids (replica r turns id 00001 into
// 00001-r), so it has ~338,000 customers; once in CDNOW order (grouped by customer), once
// sorted by date (customers interleaved, every row a hash lookup). Target: summarize (parsing included) in <= 0.1 s.
// Counters: rows/s, and the summary state's bytes per customer (records; id storage separately).
//
// The CDNOW benchmarks (issue 10) run on examples/data/CDNOW_master.txt itself (69 659 rows,
// 23 570 customers, 1997-01 … 1998-06): the customer base (ltv/customer_base.hpp) built from the
// log, and the ltv_transactions_* C calls on one handle, as an application calls them again and
// again: the cohort table in one call and with the two-call pattern (size query, then fill),
// journey statuses, RFM, monthly journey counts (two calls) and the summary. The *_cold variants
// make a fresh handle per iteration (untimed) so that the timed call includes building the base.
// benchmarks/cli_end_to_end.py writes the same log and times `ltv summarize` on it end to end.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "ltv/cohorts.hpp"
#include "million_row_log.hpp"
#include "ltv/summary.hpp"
#if __has_include("ltv/customer_base.hpp")
#include "ltv/customer_base.hpp"
#define LTV_BENCH_CUSTOMER_BASE 1
#endif
#if defined(LTV_BENCH_C_API)
#include "ltv/ltv.h"
#endif

namespace {

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

// ---- CDNOW_master: the customer base and the ltv_transactions_* calls (issue 10) -------------

const std::string& cdnow_master_path() {
    static const std::string path = std::string(LTV_EXAMPLES_DATA_DIR) + "/CDNOW_master.txt";
    return path;
}

/// CDNOW_master read once (C++).
const ltv::transaction_log& cdnow_master_log() {
    static const ltv::transaction_log log = [] {
        ltv::read_options in;
        in.amount = "dollar_value";
        return ltv::load_transactions(cdnow_master_path(), in);
    }();
    return log;
}

/// The lifetimes-style summary options used for CDNOW throughout (weeks, to 1998-06-30).
ltv::summary_options cdnow_summary_options() {
    ltv::summary_options o;
    o.observation_end = ltv::make_day(1998, 6, 30);
    o.unit = ltv::time_unit::week();
    return o;
}

/// The sort by customer and date that every call on a log needed before the customer base.
void BM_cdnow_build_history(benchmark::State& state) {
    const auto& log = cdnow_master_log();
    for (auto _ : state) {
        const auto h = ltv::build_history(log);
        benchmark::DoNotOptimize(h.days.data());
    }
}

void BM_cdnow_summarize_log(benchmark::State& state) {
    const auto& log = cdnow_master_log();
    const auto o = cdnow_summary_options();
    for (auto _ : state) {
        const auto t = ltv::summarize(log, o);
        benchmark::DoNotOptimize(t.frequency.data());
    }
}

#if defined(LTV_BENCH_CUSTOMER_BASE)
void BM_cdnow_customer_base_build(benchmark::State& state) {
    const auto& log = cdnow_master_log();
    for (auto _ : state) {
        const ltv::customer_base b(log);
        benchmark::DoNotOptimize(b.transactions());
    }
    state.counters["rows/s"] = benchmark::Counter(
        static_cast<double>(log.rows.size()) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}

void BM_cdnow_cohorts_from_base(benchmark::State& state) {
    const ltv::customer_base b(cdnow_master_log());
    for (auto _ : state) {
        const auto t = ltv::cohort_retention(b);
        benchmark::DoNotOptimize(t.active.data());
    }
}

void BM_cdnow_summarize_base(benchmark::State& state) {
    const ltv::customer_base b(cdnow_master_log());
    const auto o = cdnow_summary_options();
    for (auto _ : state) {
        const auto t = ltv::summarize(b, o);
        benchmark::DoNotOptimize(t.frequency.data());
    }
}
#endif

#if defined(LTV_BENCH_C_API)

void check_c(int status, benchmark::State& state) {
    if (status != LTV_OK) state.SkipWithError(ltv_last_error());
}

/// A transactions handle holding CDNOW_master, read through the C API.
ltv_transactions* read_cdnow_handle() {
    ltv_read_options ro;
    ltv_read_options_init(&ro, sizeof ro);
    ro.delimiter = ' ';
    ro.amount_column = "dollar_value";
    ltv_transactions* h = nullptr;
    if (ltv_transactions_create(&h) != LTV_OK ||
        ltv_transactions_add_file(h, cdnow_master_path().c_str(), &ro, nullptr) != LTV_OK) {
        std::fprintf(stderr, "bench: cannot read %s: %s\n", cdnow_master_path().c_str(),
                     ltv_last_error());
        std::abort();
    }
    return h;
}

/// One handle for all warm benchmarks (freed at exit).
ltv_transactions* cdnow_handle() {
    static const std::unique_ptr<ltv_transactions, int (*)(ltv_transactions*)> h(
        read_cdnow_handle(), ltv_transactions_free);
    return h.get();
}

/// CDNOW_master as the packed arrays of ltv_transactions_add (for fresh handles).
struct packed_log {
    std::string chars;
    std::vector<std::size_t> offsets{0};
    std::vector<std::int32_t> days;
    std::vector<double> amounts;
};

const packed_log& cdnow_packed() {
    static const packed_log p = [] {
        packed_log q;
        const auto& log = cdnow_master_log();
        for (const auto& t : log.rows) {
            q.chars += log.customers[t.customer];
            q.offsets.push_back(q.chars.size());
            q.days.push_back(t.day);
            q.amounts.push_back(t.amount);
        }
        return q;
    }();
    return p;
}

/// The cohort table in one call, buffers sized for the 18 cohorts beforehand.
void BM_capi_cohorts_one_call(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    std::size_t n = 0;
    check_c(ltv_transactions_cohorts(h, LTV_NO_DATE, nullptr, nullptr, nullptr, nullptr, 0, &n),
            state);
    std::vector<std::int32_t> start(n);
    std::vector<std::size_t> size(n);
    std::vector<double> active(n * n), later(n * n);
    for (auto _ : state) {
        check_c(ltv_transactions_cohorts(h, LTV_NO_DATE, start.data(), size.data(), active.data(),
                                         later.data(), n, &n),
                state);
        benchmark::DoNotOptimize(active.data());
    }
    state.counters["cohorts"] = static_cast<double>(n);
}

/// The two-call pattern: ask for the number of cohorts, allocate, fill.
void BM_capi_cohorts_two_calls(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    for (auto _ : state) {
        std::size_t n = 0;
        check_c(ltv_transactions_cohorts(h, LTV_NO_DATE, nullptr, nullptr, nullptr, nullptr, 0, &n),
                state);
        std::vector<std::int32_t> start(n);
        std::vector<std::size_t> size(n);
        std::vector<double> active(n * n), later(n * n);
        check_c(ltv_transactions_cohorts(h, LTV_NO_DATE, start.data(), size.data(), active.data(),
                                         later.data(), n, &n),
                state);
        benchmark::DoNotOptimize(active.data());
    }
}

/// One cohort call on a fresh handle (filled untimed): building the customer base included.
void BM_capi_cohorts_cold(benchmark::State& state) {
    const packed_log& p = cdnow_packed();
    std::vector<std::int32_t> start(64);
    std::vector<std::size_t> size(64);
    std::vector<double> active(64 * 64), later(64 * 64);
    for (auto _ : state) {
        state.PauseTiming();
        ltv_transactions* h = nullptr;
        check_c(ltv_transactions_create(&h), state);
        check_c(ltv_transactions_add(h, p.chars.data(), p.offsets.data(), p.days.data(),
                                     p.amounts.data(), p.days.size()),
                state);
        state.ResumeTiming();
        std::size_t n = 0;
        check_c(ltv_transactions_cohorts(h, LTV_NO_DATE, start.data(), size.data(), active.data(),
                                         later.data(), 64, &n),
                state);
        benchmark::DoNotOptimize(active.data());
        state.PauseTiming();
        ltv_transactions_free(h);
        state.ResumeTiming();
    }
}

/// Journey status and days since the last purchase of every customer as of 1998-06-30.
void BM_capi_journey(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    std::size_t customers = 0;
    ltv_transactions_counts(h, &customers, nullptr);
    std::vector<std::int32_t> status(customers);
    std::vector<double> silence(customers);
    const std::int32_t as_of = ltv::make_day(1998, 6, 30);
    for (auto _ : state) {
        check_c(ltv_transactions_journey(h, as_of, nullptr, status.data(), silence.data(),
                                         customers, nullptr),
                state);
        benchmark::DoNotOptimize(status.data());
    }
}

/// Monthly status counts with the two-call pattern.
void BM_capi_monthly_journey_two_calls(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    for (auto _ : state) {
        std::size_t months = 0;
        check_c(ltv_transactions_monthly_journey(h, nullptr, LTV_NO_DATE, nullptr, nullptr, 0,
                                                 &months, nullptr, nullptr),
                state);
        std::vector<std::int32_t> end(months);
        std::vector<std::size_t> counts(months * LTV_JOURNEY_STATUSES);
        check_c(ltv_transactions_monthly_journey(h, nullptr, LTV_NO_DATE, end.data(), counts.data(),
                                                 months, &months, nullptr, nullptr),
                state);
        benchmark::DoNotOptimize(counts.data());
    }
}

void BM_capi_rfm(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    std::size_t customers = 0;
    ltv_transactions_counts(h, &customers, nullptr);
    std::vector<double> recency(customers), frequency(customers), monetary(customers);
    std::vector<std::int32_t> segment(customers);
    const std::int32_t as_of = ltv::make_day(1998, 6, 30);
    for (auto _ : state) {
        check_c(ltv_transactions_rfm(h, as_of, recency.data(), frequency.data(), monetary.data(),
                                     nullptr, nullptr, nullptr, segment.data(), customers),
                state);
        benchmark::DoNotOptimize(segment.data());
    }
}

/// The summary table (weeks, to 1998-06-30), created and freed.
void BM_capi_summarize(benchmark::State& state) {
    ltv_transactions* h = cdnow_handle();
    ltv_summary_options so;
    ltv_summary_options_init(&so, sizeof so);
    so.observation_end = ltv::make_day(1998, 6, 30);
    so.time_unit_days = 7;
    for (auto _ : state) {
        ltv_summary_table* t = nullptr;
        check_c(ltv_transactions_summarize(h, &so, &t), state);
        benchmark::DoNotOptimize(t);
        ltv_summary_table_free(t);
    }
}

#endif  // LTV_BENCH_C_API

}  // namespace

BENCHMARK(BM_read_only)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_summarize)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_summarize_two_threads)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_summarize_date_order)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_calibration_holdout)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_state_memory)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_cdnow_build_history)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cdnow_summarize_log)->Unit(benchmark::kMillisecond);
#if defined(LTV_BENCH_CUSTOMER_BASE)
BENCHMARK(BM_cdnow_customer_base_build)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cdnow_cohorts_from_base)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cdnow_summarize_base)->Unit(benchmark::kMillisecond);
#endif
#if defined(LTV_BENCH_C_API)
BENCHMARK(BM_capi_cohorts_one_call)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_cohorts_two_calls)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_cohorts_cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_journey)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_monthly_journey_two_calls)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_rfm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_capi_summarize)->Unit(benchmark::kMillisecond);
#endif
