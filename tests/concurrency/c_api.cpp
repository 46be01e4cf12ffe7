// SPDX-License-Identifier: Apache-2.0
// tests/concurrency/c_api.cpp — the C API under 8 concurrent threads (ctest concurrency.c_api).
//
// Uses only <ltv/ltv.h> (the C++ here is the test's own scaffolding: threads, vectors). Built in
// every configuration; scripts/tsan runs it under ThreadSanitizer, where a data race anywhere
// in libltv.so (the thread pool, the last-error slots, the models' special functions) is a
// report and a non-zero exit.
//
// A serial run first computes every result on the calling thread (ltv_set_default_threads(1)).
// Then 8 threads, for several rounds, each in its own order:
//  - fit distinct model handles (BG/NBD, MBG/NBD, Pareto/NBD on the CDNOW summary; BG/BB on the
//    donations; Gamma-Gamma on CDNOW's mean spends; sBG on survivor curves);
//  - score shared const handles (P(alive), expected purchases, log-likelihood, CLV, DERT) on
//    23 570 rows (CDNOW × 10: above the 20 000-row threshold, so every call uses the pool), with
//    per-model thread counts 0 (the process default), 1, 2, 3 and 8;
//  - read a shared summary table, incremental summary state and transaction log (summary, RFM,
//    journey, monthly journey, cohorts with the two-call pattern, period retention);
//  - before the rounds, all 8 at once make the first calls on a second transaction log that no
//    call has read yet, so that its lazily built customer base (src/c_api/transactions.cpp) is
//    built while the others wait for it; after the rounds, rows are added to it on the main
//    thread (which drops the base) and the 8 threads race to rebuild it;
//  - provoke a distinct error each (its own value; a batch with two bad rows, whose message must
//    name the lower one) and, after all threads have provoked theirs, check their own message;
// and one thread changes the process default meanwhile. Every result must equal the serial one
// bit for bit. Prints "concurrency c_api: N checks passed"; exits non-zero on any failure.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ltv/ltv.h"

namespace {

std::atomic<long> checks{0}, failures{0};
std::mutex print_mutex;

void check(bool ok, const std::string& what) {
    ++checks;
    if (ok) return;
    ++failures;
    const std::lock_guard<std::mutex> lock(print_mutex);
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
}

void check_ok(int status, const char* call) {
    check(status == LTV_OK,
          std::string(call) + " returned " + std::to_string(status) + ": " + ltv_last_error());
}

/// The same doubles, bit for bit (NaN included).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

class barrier {
public:
    explicit barrier(int n) : n_(n) {}
    void arrive_and_wait() {
        std::unique_lock<std::mutex> lock(m_);
        const long generation = generation_;
        if (++waiting_ == n_) {
            waiting_ = 0;
            ++generation_;
            cv_.notify_all();
        } else {
            cv_.wait(lock, [&] { return generation_ != generation; });
        }
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int n_, waiting_ = 0;
    long generation_ = 0;
};

/// Columns of a numeric CSV file after its header line.
std::vector<std::vector<double>> read_csv(const char* name, int columns) {
    std::vector<std::vector<double>> out(columns);
    const std::string path = std::string(LTV_TEST_DATA_DIR) + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "r");
    check(f != nullptr, "cannot open " + path);
    if (f == nullptr) return out;
    char line[512];
    if (std::fgets(line, sizeof line, f) != nullptr)
        while (std::fgets(line, sizeof line, f) != nullptr) {
            double v[5];
            const int got =
                std::sscanf(line, "%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4]);
            if (got < columns) continue;
            for (int c = 0; c < columns; ++c) out[c].push_back(v[c]);
        }
    std::fclose(f);
    return out;
}

std::vector<double> repeat(const std::vector<double>& v, int times) {
    std::vector<double> out;
    for (int k = 0; k < times; ++k) out.insert(out.end(), v.begin(), v.end());
    return out;
}

struct rfm {
    std::vector<double> x, tx, T, w, monetary;
    std::size_t size() const { return x.size(); }
};

rfm cdnow, cdnow_big, donations, donations_big, cdnow_spend;
// Survivor curves: Fader & Hardie (2007), "regular" customers (8 periods), and a second cohort.
const std::vector<double> survivors = {1000, 631, 468, 382, 326, 289, 262, 241, 500, 330, 250, 205};
const std::vector<std::size_t> cohort_lengths = {8, 4};

const int thread_counts[] = {0, 1, 2, 3, 8};  // per-model settings of the shared handles
constexpr int n_counts = 5;

// Shared handles: read only by the worker threads.
ltv_model* bgnbd[n_counts];
ltv_model* pnbd[n_counts];
ltv_model* bgbb[n_counts];
ltv_model* gg = nullptr;
ltv_summary_table* table = nullptr;
ltv_summary* state = nullptr;
ltv_transactions* log_handle = nullptr;
ltv_transactions* cold_log = nullptr;  // the same rows; not read before the threads start

ltv_model* make_model(int kind, const std::vector<double>& params, int threads) {
    ltv_model* m = nullptr;
    check_ok(ltv_model_create(kind, &m), "ltv_model_create");
    check_ok(ltv_model_set_params(m, params.data(), params.size()), "ltv_model_set_params");
    check_ok(ltv_model_set_threads(m, threads), "ltv_model_set_threads");
    return m;
}

/// One unit of work: a name and a function returning its results as doubles.
struct task {
    std::string name;
    std::function<std::vector<double>(int variant)> run;
    int variants;  // run(v) for v = 0 … variants − 1 (e.g. one per shared handle)
};

std::vector<double> fitted(int kind, const std::function<int(ltv_model*)>& fit) {
    ltv_model* m = nullptr;
    check_ok(ltv_model_create(kind, &m), "ltv_model_create");
    check_ok(fit(m), "fit");
    std::size_t count = 0;
    check_ok(ltv_model_num_params(m, &count), "ltv_model_num_params");
    std::vector<double> out(count + 2);
    check_ok(ltv_model_params(m, out.data(), count), "ltv_model_params");
    ltv_fit_report report;
    report.struct_size = sizeof report;
    check_ok(ltv_model_fit_report(m, &report), "ltv_model_fit_report");
    out[count] = report.log_likelihood;
    out[count + 1] = report.iterations;
    ltv_model_free(m);
    return out;
}

std::vector<double> table_values(const ltv_summary_table* t) {
    ltv_summary_info info;
    info.struct_size = sizeof info;
    check_ok(ltv_summary_table_info(t, &info), "ltv_summary_table_info");
    std::vector<double> out;
    std::vector<double> column(info.customers);
    for (int c = LTV_SUMMARY_FREQUENCY; c <= LTV_SUMMARY_TOTAL_AMOUNT; ++c) {
        check_ok(ltv_summary_table_column(t, c, column.data(), column.size()),
                 "ltv_summary_table_column");
        out.insert(out.end(), column.begin(), column.end());
    }
    std::vector<int32_t> days(info.customers);
    check_ok(ltv_summary_table_days(t, LTV_SUMMARY_LAST_PURCHASE, days.data(), days.size()),
             "ltv_summary_table_days");
    for (int32_t d : days) out.push_back(d);
    std::size_t bytes = 0;
    check_ok(ltv_summary_table_ids(t, nullptr, 0, nullptr, 0, &bytes), "ltv_summary_table_ids");
    std::vector<char> chars(bytes);
    std::vector<std::size_t> offsets(info.customers + 1);
    check_ok(ltv_summary_table_ids(t, chars.data(), chars.size(), offsets.data(), offsets.size(),
                                   &bytes),
             "ltv_summary_table_ids");
    for (char ch : chars) out.push_back(ch);
    return out;
}

/// Every ltv_transactions_* result of a log handle as doubles: the summary, RFM and journey as of
/// 1997-12-31, the monthly journey counts and the cohort table (each with the two-call pattern)
/// and a period retention.
std::vector<double> log_values(ltv_transactions* h) {
    std::size_t customers = 0, rows = 0;
    check_ok(ltv_transactions_counts(h, &customers, &rows), "ltv_transactions_counts");
    ltv_summary_table* t = nullptr;
    check_ok(ltv_transactions_summarize(h, nullptr, &t), "ltv_transactions_summarize");
    std::vector<double> out = table_values(t);
    ltv_summary_table_free(t);
    int32_t as_of = 0;
    check_ok(ltv_parse_date("1997-12-31", &as_of), "ltv_parse_date");
    std::vector<double> recency(customers), frequency(customers), monetary(customers),
        since(customers);
    std::vector<int32_t> segment(customers), status(customers);
    check_ok(ltv_transactions_rfm(h, as_of, recency.data(), frequency.data(), monetary.data(),
                                  nullptr, nullptr, nullptr, segment.data(), customers),
             "ltv_transactions_rfm");
    check_ok(ltv_transactions_journey(h, as_of, nullptr, status.data(), since.data(), customers,
                                      nullptr),
             "ltv_transactions_journey");
    for (const auto* v : {&recency, &frequency, &monetary, &since})
        out.insert(out.end(), v->begin(), v->end());
    for (std::size_t i = 0; i < customers; ++i) {
        out.push_back(segment[i]);
        out.push_back(status[i]);
    }
    out.push_back(static_cast<double>(rows));

    std::size_t months = 0;
    double cycle = 0, lost = 0;
    check_ok(ltv_transactions_monthly_journey(h, nullptr, LTV_NO_DATE, nullptr, nullptr, 0, &months,
                                              &cycle, &lost),
             "ltv_transactions_monthly_journey");
    std::vector<int32_t> month_end(months);
    std::vector<std::size_t> counts(months * LTV_JOURNEY_STATUSES);
    check_ok(ltv_transactions_monthly_journey(h, nullptr, LTV_NO_DATE, month_end.data(),
                                              counts.data(), months, &months, nullptr, nullptr),
             "ltv_transactions_monthly_journey");
    out.push_back(static_cast<double>(months));
    out.push_back(cycle);
    out.push_back(lost);
    for (int32_t d : month_end) out.push_back(d);
    for (std::size_t k : counts) out.push_back(static_cast<double>(k));

    std::size_t cohorts = 0;
    check_ok(ltv_transactions_cohorts(h, LTV_NO_DATE, nullptr, nullptr, nullptr, nullptr, 0,
                                      &cohorts),
             "ltv_transactions_cohorts");
    std::vector<int32_t> start(cohorts);
    std::vector<std::size_t> size(cohorts);
    std::vector<double> active(cohorts * cohorts), later(cohorts * cohorts);
    check_ok(ltv_transactions_cohorts(h, LTV_NO_DATE, start.data(), size.data(), active.data(),
                                      later.data(), cohorts, &cohorts),
             "ltv_transactions_cohorts");
    out.push_back(static_cast<double>(cohorts));
    for (int32_t d : start) out.push_back(d);
    for (std::size_t k : size) out.push_back(static_cast<double>(k));
    out.insert(out.end(), active.begin(), active.end());
    out.insert(out.end(), later.begin(), later.end());

    int32_t from = 0, to = 0;
    check_ok(ltv_parse_date("1997-03-31", &from), "ltv_parse_date");
    check_ok(ltv_parse_date("1997-06-30", &to), "ltv_parse_date");
    ltv_period_retention p;
    p.struct_size = sizeof p;
    check_ok(ltv_transactions_period_retention(h, from, to, 90, &p),
             "ltv_transactions_period_retention");
    for (std::size_t k : {p.customers_start, p.new_customers, p.customers_end, p.retained,
                          p.reactivated})
        out.push_back(static_cast<double>(k));
    out.push_back(p.retention_rate);
    out.push_back(p.retained_share);
    return out;
}

std::vector<task> make_tasks() {
    std::vector<task> tasks;
    const ltv_fit_options* defaults = nullptr;
    tasks.push_back({"fit BG/NBD",
                     [=](int) {
                         return fitted(LTV_MODEL_BGNBD, [&](ltv_model* m) {
                             return ltv_model_fit_rfm(m, cdnow.x.data(), cdnow.tx.data(),
                                                      cdnow.T.data(), nullptr, cdnow.size(),
                                                      defaults);
                         });
                     },
                     1});
    tasks.push_back({"fit MBG/NBD",
                     [=](int) {
                         return fitted(LTV_MODEL_MBGNBD, [&](ltv_model* m) {
                             return ltv_model_fit_rfm(m, cdnow.x.data(), cdnow.tx.data(),
                                                      cdnow.T.data(), nullptr, cdnow.size(),
                                                      defaults);
                         });
                     },
                     1});
    tasks.push_back({"fit Pareto/NBD",
                     [=](int) {
                         return fitted(LTV_MODEL_PARETO_NBD, [&](ltv_model* m) {
                             return ltv_model_fit_rfm(m, cdnow.x.data(), cdnow.tx.data(),
                                                      cdnow.T.data(), nullptr, cdnow.size(),
                                                      defaults);
                         });
                     },
                     1});
    tasks.push_back({"fit BG/BB",
                     [=](int) {
                         return fitted(LTV_MODEL_BGBB, [&](ltv_model* m) {
                             return ltv_model_fit_rfm(m, donations.x.data(), donations.tx.data(),
                                                      donations.T.data(), donations.w.data(),
                                                      donations.size(), defaults);
                         });
                     },
                     1});
    tasks.push_back({"fit Gamma-Gamma",
                     [=](int) {
                         return fitted(LTV_MODEL_GAMMA_GAMMA, [&](ltv_model* m) {
                             return ltv_model_fit_spend(m, cdnow_spend.x.data(),
                                                        cdnow_spend.monetary.data(), nullptr,
                                                        cdnow_spend.size(), defaults);
                         });
                     },
                     1});
    tasks.push_back({"fit sBG",
                     [=](int) {
                         return fitted(LTV_MODEL_SBG, [&](ltv_model* m) {
                             return ltv_model_fit_survivors(m, survivors.data(),
                                                            cohort_lengths.data(),
                                                            cohort_lengths.size(), defaults);
                         });
                     },
                     1});
    tasks.push_back({"BG/NBD P(alive)",
                     [](int v) {
                         const rfm& b = cdnow_big;
                         std::vector<double> out(b.size());
                         check_ok(ltv_model_p_alive(bgnbd[v], b.x.data(), b.tx.data(), b.T.data(),
                                                    b.size(), out.data()),
                                  "ltv_model_p_alive");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"BG/NBD expected purchases",
                     [](int v) {
                         const rfm& b = cdnow_big;
                         std::vector<double> out(b.size());
                         check_ok(
                             ltv_model_expected_purchases(bgnbd[v], 10, b.x.data(), b.tx.data(),
                                                          b.T.data(), b.size(), out.data()),
                             "ltv_model_expected_purchases");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"BG/NBD log-likelihood",
                     [](int v) {
                         const rfm& b = cdnow_big;
                         std::vector<double> out(b.size());
                         check_ok(ltv_model_log_likelihood(bgnbd[v], b.x.data(), b.tx.data(),
                                                           b.T.data(), b.size(), out.data()),
                                  "ltv_model_log_likelihood");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"BG/NBD + Gamma-Gamma CLV",
                     [](int v) {
                         const rfm& b = cdnow_big;
                         ltv_clv_options o;
                         check_ok(ltv_clv_options_init(&o, sizeof o), "ltv_clv_options_init");
                         o.periods = 6;
                         o.discount_rate = 0.01;
                         std::vector<double> out(b.size());
                         check_ok(ltv_customer_lifetime_value(bgnbd[v], gg, b.x.data(), b.tx.data(),
                                                              b.T.data(), b.monetary.data(),
                                                              b.size(), &o, out.data()),
                                  "ltv_customer_lifetime_value");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"Pareto/NBD P(alive) and expected purchases",
                     [](int v) {
                         const rfm& b = cdnow_big;
                         std::vector<double> out(2 * b.size());
                         check_ok(ltv_model_p_alive(pnbd[v], b.x.data(), b.tx.data(), b.T.data(),
                                                    b.size(), out.data()),
                                  "ltv_model_p_alive");
                         check_ok(ltv_model_expected_purchases(pnbd[v], 10, b.x.data(), b.tx.data(),
                                                               b.T.data(), b.size(),
                                                               out.data() + b.size()),
                                  "ltv_model_expected_purchases");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"BG/BB P(alive) and DERT",
                     [](int v) {
                         const rfm& d = donations_big;
                         std::vector<double> out(2 * d.size());
                         check_ok(ltv_model_p_alive(bgbb[v], d.x.data(), d.tx.data(), d.T.data(),
                                                    d.size(), out.data()),
                                  "ltv_model_p_alive");
                         check_ok(ltv_model_dert(bgbb[v], 0.1, d.x.data(), d.tx.data(), d.T.data(),
                                                 d.size(), out.data() + d.size()),
                                  "ltv_model_dert");
                         return out;
                     },
                     n_counts});
    tasks.push_back({"summary table read", [](int) { return table_values(table); }, 1});
    tasks.push_back({"summary state read",
                     [](int) {
                         std::size_t customers = 0;
                         uint64_t transactions = 0, unverified = 0;
                         check_ok(ltv_summary_counts(state, &customers, &transactions, &unverified),
                                  "ltv_summary_counts");
                         ltv_summary_table* t = nullptr;
                         check_ok(ltv_summary_result(state, &t), "ltv_summary_result");
                         std::vector<double> out = table_values(t);
                         ltv_summary_table_free(t);
                         out.push_back(static_cast<double>(customers));
                         out.push_back(static_cast<double>(transactions));
                         out.push_back(static_cast<double>(unverified));
                         return out;
                     },
                     1});
    tasks.push_back({"transaction log read", [](int) { return log_values(log_handle); }, 1});
    return tasks;
}

/// Loads the data and creates the shared handles (on the main thread).
void set_up() {
    auto s = read_csv("cdnow_customers_summary.csv", 4);
    cdnow = {s[1], s[2], s[3], {}, {}};
    check(cdnow.size() == 2357, "CDNOW summary has 2357 rows");
    auto z = read_csv("cdnow_customers_summary_with_transactions.csv", 5);
    cdnow_spend = {z[1], {}, {}, {}, z[4]};
    check(cdnow_spend.size() == 2357, "CDNOW spends have 2357 rows");
    cdnow_big = {
        repeat(cdnow.x, 10), repeat(cdnow.tx, 10), repeat(cdnow.T, 10), {}, repeat(z[4], 10)};
    auto dn = read_csv("donations.csv", 4);
    donations = {dn[0], dn[1], dn[2], dn[3], {}};
    check(donations.size() == 22, "donations have 22 patterns");
    donations_big = {
        repeat(donations.x, 1000), repeat(donations.tx, 1000), repeat(donations.T, 1000), {}, {}};
    check(cdnow_big.size() > 20000 && donations_big.size() > 20000, "batches use the pool");

    // Published parameters: Fader, Hardie & Lee (2005) for BG/NBD and Pareto/NBD on CDNOW,
    // Fader, Hardie & Shang (2010) for BG/BB, Fader & Hardie (2013) for Gamma-Gamma.
    for (int k = 0; k < n_counts; ++k) {
        bgnbd[k] = make_model(LTV_MODEL_BGNBD, {0.243, 4.414, 0.793, 2.426}, thread_counts[k]);
        pnbd[k] =
            make_model(LTV_MODEL_PARETO_NBD, {0.553, 10.578, 0.606, 11.669}, thread_counts[k]);
        bgbb[k] = make_model(LTV_MODEL_BGBB, {1.204, 0.750, 0.657, 2.783}, thread_counts[k]);
    }
    gg = make_model(LTV_MODEL_GAMMA_GAMMA, {6.25, 3.74, 15.44}, 0);

    ltv_read_options ro;
    check_ok(ltv_read_options_init(&ro, sizeof ro), "ltv_read_options_init");
    ro.delimiter = ' ';
    ro.header = 0;
    ro.customer_index = 1;
    ro.date_index = 2;
    ro.amount_index = 4;
    ltv_summary_options so;
    check_ok(ltv_summary_options_init(&so, sizeof so), "ltv_summary_options_init");
    check_ok(ltv_parse_date("1997-09-30", &so.observation_end), "ltv_parse_date");
    so.time_unit_days = 7;
    const std::string sample = std::string(LTV_TEST_DATA_DIR) + "/CDNOW_sample.txt";
    check_ok(ltv_summarize_file(sample.c_str(), &ro, &so, &table, nullptr), "ltv_summarize_file");
    check_ok(ltv_summary_create(&so, &state), "ltv_summary_create");
    check_ok(ltv_summary_add_file(state, sample.c_str(), &ro, nullptr), "ltv_summary_add_file");
    check_ok(ltv_transactions_create(&log_handle), "ltv_transactions_create");
    check_ok(ltv_transactions_add_file(log_handle, sample.c_str(), &ro, nullptr),
             "ltv_transactions_add_file");
    check_ok(ltv_transactions_create(&cold_log), "ltv_transactions_create");
    check_ok(ltv_transactions_add_file(cold_log, sample.c_str(), &ro, nullptr),
             "ltv_transactions_add_file");
}

void tear_down() {
    for (int k = 0; k < n_counts; ++k) {
        ltv_model_free(bgnbd[k]);
        ltv_model_free(pnbd[k]);
        ltv_model_free(bgbb[k]);
    }
    ltv_model_free(gg);
    ltv_summary_table_free(table);
    ltv_summary_free(state);
    ltv_transactions_free(log_handle);
    ltv_transactions_free(cold_log);
}

/// All threads at once make the first calls on `cold_log`, whose customer base is not built yet:
/// one builds it, the others wait or read it; every result must equal the serial one.
void cold_start(int i, barrier& all, const std::vector<double>& expected, const char* what) {
    all.arrive_and_wait();
    check(same_bits(log_values(cold_log), expected),
          std::string("transaction log read on a fresh base (") + what + ") on thread " +
              std::to_string(i) + " equals the serial result");
}

/// Each thread's own errors: a value only it uses, and a batch (on the pool) with bad rows
/// 21 000 + i and 23 000 + i, of which the message must name the lower.
void provoke_errors(int i, barrier& all) {
    double rate = -1;
    const int status = ltv_churn_rate(100, 1000 + i, &rate);
    check(status == LTV_ERR_INVALID_ARGUMENT && rate == -1, "churn_rate error");
    all.arrive_and_wait();  // every thread has its own error now
    const std::string own = "'lost' = " + std::to_string(1000 + i) + " exceeds";
    check(std::strstr(ltv_last_error(), own.c_str()) != nullptr,
          "thread " + std::to_string(i) + " reads its own last error, got: " + ltv_last_error());

    rfm bad = cdnow_big;
    bad.x[21000 + i] = -1;
    bad.x[23000 + i] = -2;
    std::vector<double> out(bad.size(), 7.0);
    const int st = ltv_model_p_alive(bgnbd[i % n_counts], bad.x.data(), bad.tx.data(), bad.T.data(),
                                     bad.size(), out.data());
    all.arrive_and_wait();
    const std::string row = "frequency[" + std::to_string(21000 + i) + "]";
    check(st == LTV_ERR_INVALID_ARGUMENT, "p_alive with bad rows fails");
    check(std::strstr(ltv_last_error(), row.c_str()) != nullptr,
          "thread " + std::to_string(i) + " error names the lowest bad row " + row +
              ", got: " + ltv_last_error());
    check(out[0] == 7.0 && out[bad.size() - 1] == 7.0, "outputs untouched on error");
}

}  // namespace

int main() {
    constexpr int n_threads = 8, rounds = 2;
    set_up();
    const std::vector<task> tasks = make_tasks();

    int resolved = 0;
    check(ltv_set_default_threads(-1) == LTV_ERR_INVALID_ARGUMENT &&
              std::strstr(ltv_last_error(), "ltv_set_default_threads: argument 'threads' = -1") !=
                  nullptr,
          "ltv_set_default_threads(-1) is refused");
    check(ltv_default_threads(nullptr) == LTV_ERR_INVALID_ARGUMENT, "ltv_default_threads(NULL)");
    check_ok(ltv_set_default_threads(0), "ltv_set_default_threads");
    check_ok(ltv_default_threads(&resolved), "ltv_default_threads");
    check(resolved >= 1, "the automatic default is at least 1");

    // The serial reference: the process default 1, so threads-0 handles run inline too.
    check_ok(ltv_set_default_threads(1), "ltv_set_default_threads");
    check_ok(ltv_default_threads(&resolved), "ltv_default_threads");
    check(resolved == 1, "the default is 1 after ltv_set_default_threads(1)");
    std::vector<std::vector<std::vector<double>>> expected(tasks.size());
    for (std::size_t t = 0; t < tasks.size(); ++t) expected[t].push_back(tasks[t].run(0));
    for (std::size_t t = 0; t < tasks.size(); ++t)  // the thread counts do not change results
        for (int v = 1; v < tasks[t].variants; ++v)
            check(same_bits(tasks[t].run(v), expected[t][0]),
                  tasks[t].name + " serially with threads = " + std::to_string(thread_counts[v]));

    std::size_t log_task = 0;
    while (tasks[log_task].name != "transaction log read") ++log_task;
    const std::vector<double>& log_expected = expected[log_task][0];

    check_ok(ltv_set_default_threads(4), "ltv_set_default_threads");
    barrier all(n_threads);
    std::vector<std::thread> threads;
    for (int i = 0; i < n_threads; ++i)
        threads.emplace_back([&, i] {
            cold_start(i, all, log_expected, "first use");
            for (int r = 0; r < rounds; ++r) {
                // Thread i starts at task i + r and walks all tasks, so different calls overlap.
                for (std::size_t j = 0; j < tasks.size(); ++j) {
                    const std::size_t t = (i + r + j) % tasks.size();
                    const int v = static_cast<int>((i + j) % tasks[t].variants);
                    check(same_bits(tasks[t].run(v), expected[t][0]),
                          tasks[t].name + " on thread " + std::to_string(i) + " (variant " +
                              std::to_string(v) + ") equals the serial result");
                    if (i == 0) {  // the process default changes while others compute
                        check_ok(ltv_set_default_threads(static_cast<int>(j % 4)),
                                 "ltv_set_default_threads");
                        int now = 0;
                        check_ok(ltv_default_threads(&now), "ltv_default_threads");
                        check(now >= 1, "ltv_default_threads ≥ 1");
                    }
                }
                provoke_errors(i, all);
            }
        });
    for (auto& th : threads) th.join();

    // Adding rows drops the cached base: a customer added now changes the results, and 8
    // threads race to build the new base. The reference is a serial run on log_handle after the
    // same addition.
    const char id[] = "new-customer";
    const std::size_t offsets[] = {0, sizeof id - 1};
    int32_t day = 0;
    check_ok(ltv_parse_date("1997-02-15", &day), "ltv_parse_date");
    const double amount = 12.5;
    for (ltv_transactions* h : {log_handle, cold_log})
        check_ok(ltv_transactions_add(h, id, offsets, &day, &amount, 1), "ltv_transactions_add");
    const std::vector<double> grown = log_values(log_handle);
    check(!same_bits(grown, log_expected), "adding a customer changes the log's results");
    threads.clear();
    for (int i = 0; i < n_threads; ++i)
        threads.emplace_back([&, i] { cold_start(i, all, grown, "after ltv_transactions_add"); });
    for (auto& th : threads) th.join();
    tear_down();

    std::printf("concurrency c_api: %ld checks passed\n", checks.load() - failures.load());
    if (failures.load() != 0) {
        std::printf("concurrency c_api: %ld checks FAILED\n", failures.load());
        return 1;
    }
    return 0;
}
