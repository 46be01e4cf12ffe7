// SPDX-License-Identifier: Apache-2.0
// The process-wide thread pool and thread setting (ltv/threads.hpp, ltv/detail/parallel.hpp);
// issue 8, "Threads": one lazily created pool sized from the CPUs the process may use, no
// thread creation per call, bit-identical results across thread counts.
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/threads.hpp"
#include "support/errors.hpp"
#include "support/model_data.hpp"

namespace {

/// The thread ids of this process now: the entries of /proc/self/task.
std::set<long> task_ids() {
    DIR* d = opendir("/proc/self/task");
    REQUIRE(d != nullptr);
    std::set<long> ids;
    while (const dirent* e = readdir(d))
        if (e->d_name[0] != '.') ids.insert(std::stol(e->d_name));
    closedir(d);
    return ids;
}

/// Restores the process default (automatic) when a test that changes it ends.
struct default_threads_guard {
    ~default_threads_guard() { ltv::set_default_threads(0); }
};

/// A batch body writing out[i] = f(i) and counting its calls.
std::vector<double> squares(std::size_t n, int threads) {
    std::vector<double> out(n);
    ltv::detail::parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) out[i] = std::sqrt(static_cast<double>(i)) * 1.5;
    });
    return out;
}

}  // namespace

TEST_CASE("threads: cgroup CPU limits are ⌈quota / period⌉, and 'max' or -1 mean no limit") {
    using ltv::detail::cgroup_v1_cpu_limit;
    using ltv::detail::cgroup_v2_cpu_limit;
    // cgroup v2 cpu.max is "$MAX $PERIOD" (kernel Documentation/admin-guide/cgroup-v2.rst).
    CHECK(cgroup_v2_cpu_limit("max 100000\n") == 0);
    CHECK(cgroup_v2_cpu_limit("100000 100000\n") == 1);
    CHECK(cgroup_v2_cpu_limit("150000 100000\n") == 2);  // 1.5 CPUs: 2 threads, not 1
    CHECK(cgroup_v2_cpu_limit("50000 100000") == 1);     // half a CPU still gets one thread
    CHECK(cgroup_v2_cpu_limit("400000 100000\n") == 4);
    CHECK(cgroup_v2_cpu_limit("") == 0);
    CHECK(cgroup_v2_cpu_limit("garbage") == 0);
    CHECK(cgroup_v2_cpu_limit("12x 100000") == 0);
    CHECK(cgroup_v2_cpu_limit("100000 0") == 0);
    // cgroup v1: cpu.cfs_quota_us is -1 without a limit (Documentation/scheduler/sched-bwc.rst).
    CHECK(cgroup_v1_cpu_limit("-1\n", "100000\n") == 0);
    CHECK(cgroup_v1_cpu_limit("250000\n", "100000\n") == 3);
    CHECK(cgroup_v1_cpu_limit("200000", "100000") == 2);
}

TEST_CASE("threads: the automatic default follows the affinity mask (taskset -c 0 → 1)") {
    default_threads_guard restore;
    cpu_set_t saved;
    REQUIRE(sched_getaffinity(0, sizeof saved, &saved) == 0);
    ltv::set_default_threads(0);
    const int all = ltv::default_threads();
    CHECK(all >= 1);
    CHECK(all <= CPU_COUNT(&saved));  // never more than the mask allows
    CHECK(ltv::available_cpus() == all);

    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &saved)) {
            CPU_SET(c, &one);
            break;
        }
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    ltv::set_default_threads(0);  // 0 re-reads the CPUs
    const int pinned = ltv::default_threads();
    REQUIRE(sched_setaffinity(0, sizeof saved, &saved) == 0);
    CHECK(pinned == 1);
    ltv::set_default_threads(0);
    CHECK(ltv::default_threads() == all);
}

TEST_CASE("threads: the process default — set, read, capped, refused when negative") {
    default_threads_guard restore;
    ltv::set_default_threads(3);
    CHECK(ltv::default_threads() == 3);
    CHECK(ltv::detail::resolve_threads(0) == 3u);  // threads ≤ 0 read the default
    CHECK(ltv::detail::resolve_threads(-5) == 3u);
    CHECK(ltv::detail::resolve_threads(2) == 2u);  // an explicit count wins
    ltv::set_default_threads(100000);
    CHECK(ltv::default_threads() == ltv::max_threads);
    CHECK(ltv::detail::resolve_threads(100000) == static_cast<unsigned>(ltv::max_threads));
    ltv::set_default_threads(1);
    CHECK(ltv::default_threads() == 1);
    CHECK(ltv_test::error_message([] { ltv::set_default_threads(-1); }) ==
          "set_default_threads: argument 'threads' = -1 must be ≥ 0 (0 = automatic: the CPUs "
          "this process may use)");
    CHECK(ltv::default_threads() == 1);  // unchanged by the refused call
}

TEST_CASE("threads: the pool is created once — no thread starts per batch call") {
    const std::vector<double> reference = squares(50000, 1);
    CHECK(squares(50000, 4) == reference);  // creates the pool (3 workers) if not there yet
    const std::set<long> before = task_ids();
    const std::size_t workers = ltv::detail::shared_pool()->size();
    CHECK(workers >= 3);
    CHECK(before.size() >= workers + 1);  // the workers outlive the call
    // The threads that run the blocks of 100 calls: with a thread started per call (the old
    // parallel_for) they would have ids the process did not have before.
    std::mutex m;
    std::set<long> ran;
    for (int k = 0; k < 100; ++k) {
        const int threads = 1 + k % 4;  // 1 … 4 threads: the pool never grows
        ltv::detail::parallel_for(50000, threads, [&](std::size_t, std::size_t) {
            // Long enough for the workers to wake and take blocks (else the caller takes all).
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            const long id = static_cast<long>(syscall(SYS_gettid));
            const std::lock_guard<std::mutex> lock(m);
            ran.insert(id);
        });
        if (k % 10 == 0) CHECK(squares(50000, threads) == reference);
    }
    CHECK(ran.size() >= 2);
    CHECK(std::includes(before.begin(), before.end(), ran.begin(), ran.end()));
    CHECK(task_ids() == before);
    CHECK(ltv::detail::shared_pool()->size() == workers);
}

TEST_CASE("threads: model batches are bit-identical for 1, 2, 3 and 8 threads") {
    const auto c = ltv_test::cdnow();
    ltv_test::rfm_columns big;
    for (int k = 0; k < 10; ++k) {  // 23 570 rows: above parallel_threshold
        big.x.insert(big.x.end(), c.x.begin(), c.x.end());
        big.tx.insert(big.tx.end(), c.tx.begin(), c.tx.end());
        big.T.insert(big.T.end(), c.T.begin(), c.T.end());
    }
    REQUIRE(big.x.size() > ltv::detail::parallel_threshold);
    const ltv::bgnbd_params bg{0.243, 4.414, 0.793, 2.426};         // FHL 2005, section 5
    const ltv::pareto_nbd_params pn{0.553, 10.578, 0.606, 11.669};  // FHL 2005, Pareto/NBD
    const ltv::gamma_gamma_params gg{6.25, 3.74, 15.44};            // Fader & Hardie 2013
    std::vector<double> spend(big.x.size());
    for (std::size_t i = 0; i < spend.size(); ++i)
        spend[i] = big.x[i] > 0 ? 20 + static_cast<double>(i % 17) : 0;
    const std::size_t n = big.x.size();
    auto run = [&](int threads) {
        std::vector<double> all, out(n);
        auto keep = [&] { all.insert(all.end(), out.begin(), out.end()); };
        ltv::probability_alive(bg, big.view(), out.data(), threads);
        keep();
        ltv::conditional_expected_purchases(bg, 10, big.view(), out.data(), threads);
        keep();
        ltv::log_likelihood(bg, big.view(), out.data(), threads);
        keep();
        ltv::probability_alive(pn, big.view(), out.data(), threads);
        keep();
        ltv::clv(bg, gg, big.view(), spend, ltv::clv_options{6, 4.345, 0.01}, out.data(), threads);
        keep();
        return all;
    };
    const std::vector<double> one = run(1);
    for (int threads : {2, 3, 8}) {
        CAPTURE(threads);
        CHECK(run(threads) == one);  // bit for bit
    }
    default_threads_guard restore;
    ltv::set_default_threads(5);
    CHECK(run(0) == one);
}

TEST_CASE("threads: the lowest failing block's exception is rethrown, whatever the timing") {
    for (int threads : {2, 4, 8}) {
        CAPTURE(threads);
        const std::size_t n = 80000, block = (n + threads - 1) / threads;
        std::atomic<int> blocks_run{0};
        std::string message;
        try {
            ltv::detail::parallel_for(n, threads, [&](std::size_t lo, std::size_t) {
                ++blocks_run;
                if (lo == 0) return;
                // The lowest failing block (block 1) fails last.
                if (lo == block) std::this_thread::sleep_for(std::chrono::milliseconds(20));
                throw std::runtime_error("block at " + std::to_string(lo));
            });
        } catch (const std::runtime_error& e) {
            message = e.what();
        }
        CHECK(message == "block at " + std::to_string(block));
        CHECK(blocks_run.load() == threads);  // every block ran before the rethrow
    }
}

TEST_CASE("threads: nested parallel calls run inline and do not deadlock") {
    const std::vector<double> reference = squares(30000, 1);
    std::vector<char> ok(40000, 0);
    ltv::detail::parallel_for(ok.size(), 4, [&](std::size_t lo, std::size_t hi) {
        CHECK(ltv::detail::in_parallel_block);
        const auto inner = squares(30000, 4);  // nested: on this thread
        for (std::size_t i = lo; i < hi; ++i) ok[i] = inner == reference;
    });
    CHECK(std::all_of(ok.begin(), ok.end(), [](char c) { return c == 1; }));
    CHECK_FALSE(ltv::detail::in_parallel_block);
    std::vector<int> tasks(100, 0);  // parallel_tasks, the table builders' loop, nests too
    ltv::detail::parallel_tasks(
        tasks.size(), 3, [&](std::size_t k) { tasks[k] = squares(30000, 2) == reference ? 1 : 0; });
    CHECK(std::accumulate(tasks.begin(), tasks.end(), 0) == 100);
}

TEST_CASE("threads: many user threads may run batches at once") {
    const std::vector<double> reference = squares(60000, 1);
    std::atomic<int> good{0};
    std::vector<std::thread> users;
    for (int u = 0; u < 8; ++u)
        users.emplace_back([&, u] {
            for (int k = 0; k < 20; ++k)
                if (squares(60000, 1 + (u + k) % 6) == reference) ++good;
        });
    for (auto& t : users) t.join();
    CHECK(good.load() == 8 * 20);
}

TEST_CASE("threads: a pool that was shut down (at exit) still completes calls on the caller") {
    ltv::detail::thread_pool pool;
    std::vector<int> hits(6, 0);
    auto run = [&] {
        auto fn = [&](std::size_t k) { ++hits[k]; };
        using fn_t = decltype(fn);
        ltv::detail::pool_job job;
        job.blocks = hits.size();
        job.context = &fn;
        job.call = [](void* c, std::size_t k) { (*static_cast<fn_t*>(c))(k); };
        pool.run(job);
    };
    run();
    CHECK(pool.size() == hits.size() - 1);
    pool.shut_down();
    CHECK(pool.size() == 0);
    run();  // no workers left: every block on this thread
    CHECK(hits == std::vector<int>(6, 2));
}

#if defined(__SANITIZE_THREAD__)
#define LTV_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LTV_TEST_TSAN 1
#endif
#endif

TEST_CASE("threads: a forked child gets its own pool (the parent's workers do not exist there)") {
#if defined(LTV_TEST_TSAN)
    return;  // TSan refuses to start threads after a multi-threaded fork (die_after_fork)
#endif
    const std::vector<double> reference = squares(50000, 1);
    REQUIRE(squares(50000, 4) == reference);  // the parent's pool exists
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // With the parent's pool this would wait forever for workers that were not copied.
        const bool ok = squares(50000, 4) == reference && squares(50000, 3) == reference;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    pid_t done = 0;
    for (int waited = 0; waited < 600 && done == 0; ++waited) {  // up to 60 s
        done = waitpid(child, &status, WNOHANG);
        if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (done == 0) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    CHECK(done == child);  // did not hang
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
