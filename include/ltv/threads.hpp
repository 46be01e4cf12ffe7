// SPDX-License-Identifier: Apache-2.0
// ltv/threads.hpp — how many threads ltv's batch functions use.
//
// Batch functions (P(alive), expected purchases, CLV, … over ≥ 20 000 customers) split their
// rows into contiguous blocks and run the blocks on one process-wide pool of worker threads
// (ltv/detail/parallel.hpp). Every function that takes `int threads` reads it as:
//   threads > 0   that many threads (at most max_threads), 1 = the calling thread only;
//   threads ≤ 0   the process default below.
// The process default is set_default_threads(n); 0 (the initial setting) means automatic: the
// CPUs this process may use, available_cpus(). Results never depend on the number of threads.
//
// available_cpus() = min(CPUs in the affinity mask (sched_getaffinity: taskset, cpusets),
//                        ⌈quota / period⌉ of the cgroup CPU limit (v2 cpu.max, v1 cfs quota)),
// at least 1. std::thread::hardware_concurrency() counts the machine's CPUs instead, which
// oversubscribes a process pinned with `taskset -c 0` or a container limited to 2 CPUs.
//
// Everything here is per copy of the library: libltv.so has its own setting and pool, and so has
// a program that uses the C++ headers directly.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "ltv/error.hpp"

#if defined(__linux__)
#include <sched.h>
#endif

namespace ltv {

/// The largest number of threads a batch uses; larger requests are capped to it.
constexpr int max_threads = 256;

namespace detail {

/// The process default: 0 = automatic (available_cpus()), else a thread count.
inline std::atomic<int> default_threads_setting{0};
/// available_cpus() once determined; 0 = not yet.
inline std::atomic<int> available_cpus_cache{0};

/// Parses a whole non-negative decimal integer (surrounding blanks allowed); −1 if it is not one.
inline long long parse_cgroup_integer(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    long long v = -1;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0) return -1;
    return v;
}

/// ⌈quota / period⌉ as a CPU count, or 0 for "no limit" (quota < 0, unreadable, period ≤ 0).
inline int cgroup_quota_cpus(long long quota, long long period) {
    if (quota <= 0 || period <= 0) return 0;
    const long long cpus = quota / period + (quota % period != 0 ? 1 : 0);
    return static_cast<int>(std::min<long long>(cpus, INT_MAX));
}

/// The CPU limit in the text of a cgroup v2 cpu.max file, "<quota> <period>" or "max <period>":
/// ⌈quota / period⌉, or 0 for no limit (also for text that does not parse).
inline int cgroup_v2_cpu_limit(std::string_view text) {
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos) return 0;
    return cgroup_quota_cpus(parse_cgroup_integer(text.substr(0, space)),
                             parse_cgroup_integer(text.substr(space + 1)));
}

/// The same from cgroup v1's cpu.cfs_quota_us ("-1" = no limit) and cpu.cfs_period_us.
inline int cgroup_v1_cpu_limit(std::string_view quota, std::string_view period) {
    return cgroup_quota_cpus(parse_cgroup_integer(quota), parse_cgroup_integer(period));
}

/// The first 4 KiB of a (pseudo-)file; false if it cannot be opened.
inline bool read_small_file(const std::string& path, std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return false;
    char buf[4096];
    const std::size_t got = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    text.assign(buf, got);
    return true;
}

/// The cgroup CPU limit of this process (0 = none found). The limit of a cgroup is the smallest
/// of its own and its ancestors', so every directory from the process's cgroup up to the mount
/// root is read; directories that do not exist are skipped (inside a container the root of the
/// mount is the container's cgroup, whatever path /proc/self/cgroup shows).
inline int cgroup_cpu_limit() {
    std::string lines;
    if (!read_small_file("/proc/self/cgroup", lines)) return 0;
    int limit = 0;
    auto take = [&](int cpus) {
        if (cpus > 0) limit = limit == 0 ? cpus : std::min(limit, cpus);
    };
    std::string_view rest = lines;
    while (!rest.empty()) {
        const std::size_t eol = rest.find('\n');
        const std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
        // "hierarchy-id:controllers:path"; v2 is "0::path", v1 lists controllers ("cpu,cpuacct").
        const std::size_t c1 = line.find(':'), c2 = line.find(':', c1 + 1);
        if (c1 == std::string_view::npos || c2 == std::string_view::npos) continue;
        const std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
        std::string path(line.substr(c2 + 1));
        bool v1_cpu = false;
        for (std::size_t b = 0; b <= controllers.size();) {
            std::size_t e = controllers.find(',', b);
            if (e == std::string_view::npos) e = controllers.size();
            if (controllers.substr(b, e - b) == "cpu") v1_cpu = true;
            b = e + 1;
        }
        const bool v2 = line.substr(0, c1) == "0" && controllers.empty();
        if (!v1_cpu && !v2) continue;
        static constexpr const char* v2_roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        static constexpr const char* v1_roots[] = {
            "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuacct,cpu"};
        for (;;) {
            std::string a, b;
            if (v2)
                for (const char* root : v2_roots) {
                    if (read_small_file(root + path + "/cpu.max", a)) take(cgroup_v2_cpu_limit(a));
                }
            else
                for (const char* root : v1_roots) {
                    const std::string dir = root + path;
                    if (read_small_file(dir + "/cpu.cfs_quota_us", a) &&
                        read_small_file(dir + "/cpu.cfs_period_us", b))
                        take(cgroup_v1_cpu_limit(a, b));
                }
            if (path.empty() || path == "/") break;
            const std::size_t slash = path.rfind('/');
            path.resize(slash == std::string::npos ? 0 : slash);
        }
    }
    return limit;
}

/// CPUs in the calling thread's affinity mask (0 if unknown). The set is allocated for 1024
/// CPUs and doubled while the kernel reports it too small (EINVAL), so large machines count.
inline int affinity_cpus() {
#if defined(__linux__) && defined(CPU_ALLOC) && defined(CPU_COUNT_S)
    for (int ncpu = 1024; ncpu <= (1 << 22); ncpu *= 2) {
        cpu_set_t* set = CPU_ALLOC(ncpu);
        if (set == nullptr) return 0;
        const std::size_t size = CPU_ALLOC_SIZE(ncpu);
        if (sched_getaffinity(0, size, set) == 0) {
            const int count = CPU_COUNT_S(size, set);
            CPU_FREE(set);
            return count;
        }
        const int err = errno;
        CPU_FREE(set);
        if (err != EINVAL) return 0;
    }
#endif
    return 0;
}

/// The rule of available_cpus(), evaluated now.
inline int detect_available_cpus() {
    int cpus = affinity_cpus();
    if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
    const int quota = cgroup_cpu_limit();
    if (quota > 0) cpus = cpus > 0 ? std::min(cpus, quota) : quota;
    return std::max(cpus, 1);
}

}  // namespace detail

/// The CPUs this process may use: min(affinity mask, ⌈cgroup quota / period⌉), at least 1.
/// Determined at the first call and cached; set_default_threads(0) determines it again (after
/// the process's affinity or cgroup changed).
inline int available_cpus() {
    int cpus = detail::available_cpus_cache.load(std::memory_order_relaxed);
    if (cpus > 0) return cpus;
    cpus = detail::detect_available_cpus();
    detail::available_cpus_cache.store(cpus, std::memory_order_relaxed);
    return cpus;
}

/// Sets the process default for batch functions called with threads ≤ 0: 0 = automatic
/// (available_cpus(), re-read now), 1 = the calling thread only, n = n threads (at most
/// max_threads are used). Safe to call at any time from any thread; calls already running keep
/// the count they started with. Throws invalid_argument for threads < 0.
inline void set_default_threads(int threads) {
    if (threads < 0)
        throw error(status::invalid_argument,
                    "set_default_threads: argument 'threads' = " + std::to_string(threads) +
                        " must be ≥ 0 (0 = automatic: the CPUs this process may use)");
    if (threads == 0)
        detail::available_cpus_cache.store(detail::detect_available_cpus(),
                                           std::memory_order_relaxed);
    detail::default_threads_setting.store(threads, std::memory_order_relaxed);
}

/// The threads a batch called with threads ≤ 0 uses now: the setting, or available_cpus() when
/// automatic; between 1 and max_threads.
inline int default_threads() {
    const int setting = detail::default_threads_setting.load(std::memory_order_relaxed);
    return std::min(setting > 0 ? setting : available_cpus(), max_threads);
}

}  // namespace ltv
