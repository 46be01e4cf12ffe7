// ltv/detail/parallel.hpp — a deterministic parallel loop for batch predictions.
//
// parallel_for(n, threads, body) splits [0, n) into one contiguous block per thread and calls
// body(begin, end) on each. Every element is computed by the same code whatever the split, so
// results are bit-identical to a single-threaded run. If bodies throw, the exception of the
// lowest-indexed failing block is rethrown after all threads have joined, so the error a caller
// sees does not depend on scheduling either.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace ltv::detail {

/// Below this many elements a batch runs on the calling thread: starting threads costs ~20 µs.
constexpr std::size_t parallel_threshold = 20000;

/// threads ≤ 0: all cores (std::thread::hardware_concurrency()).
inline unsigned resolve_threads(int threads) {
    if (threads > 0) return static_cast<unsigned>(threads);
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

template <class Body>
void parallel_for(std::size_t n, int threads, Body&& body) {
    const unsigned t = n < parallel_threshold
                           ? 1u
                           : std::min<unsigned>(resolve_threads(threads), static_cast<unsigned>(n));
    if (t <= 1) {
        body(std::size_t{0}, n);
        return;
    }
    std::vector<std::exception_ptr> errors(t);
    std::vector<std::thread> pool;
    pool.reserve(t - 1);
    const std::size_t block = (n + t - 1) / t;
    auto run = [&](unsigned k) {
        const std::size_t begin = std::min(n, k * block), end = std::min(n, begin + block);
        try {
            body(begin, end);
        } catch (...) {
            errors[k] = std::current_exception();
        }
    };
    for (unsigned k = 1; k < t; ++k) pool.emplace_back(run, k);
    run(0);
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace ltv::detail
