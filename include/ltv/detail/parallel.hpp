// SPDX-License-Identifier: Apache-2.0
// ltv/detail/parallel.hpp — deterministic parallel loops on one process-wide thread pool.
//
// parallel_for(n, threads, body) splits [0, n) into one contiguous block per thread and calls
// body(begin, end) on each. Every element is computed by the same code whatever the split, so
// results are bit-identical to a single-threaded run. If bodies throw, the exception of the
// lowest-indexed failing block is rethrown after all blocks have finished, so the error a caller
// sees does not depend on scheduling either. `threads` is read as in ltv/threads.hpp (≤ 0: the
// process default).
//
// The pool (thread_pool below) is created at the first parallel call and grows on demand to
// the largest number of threads asked for so far, minus one: the calling thread always works on
// its own call's blocks too. So
//  - no thread is created per call once the pool has grown;
//  - many user threads may call at once: each call is a job in the pool's queue with its own
//    completion count, and a caller whose job waits behind others' claims its blocks itself, so
//    every call finishes even when all workers are busy;
//  - a parallel call made from inside a block (nested) runs on the calling thread, without
//    waiting for the pool — no deadlock, no oversubscription.
// Exit: a static object created with the pool stops and joins the workers when static objects
// are destroyed (exit(), or dlclose of libltv.so). The pool object itself is never freed, so a
// call that arrives later (from another static destructor) still completes, on its own thread.
// Fork: the child of fork() has none of the parent's workers; a pthread_atfork handler makes it
// start a new pool at its first parallel call (the parent's pool object is abandoned, not
// touched: its mutex may have been held by a thread that does not exist in the child). Do not
// call fork() from inside a batch call (a progress callback, say).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "ltv/threads.hpp"

#if defined(__unix__)
#include <pthread.h>
#include <signal.h>
#endif

namespace ltv::detail {

/// Below this many elements a batch runs on the calling thread: handing blocks to workers costs
/// a few µs.
constexpr std::size_t parallel_threshold = 20000;

/// threads > 0: that many (at most max_threads); threads ≤ 0: the process default.
inline unsigned resolve_threads(int threads) {
    return static_cast<unsigned>(threads > 0 ? std::min(threads, max_threads)
                                             : ltv::default_threads());
}

/// True on a thread that is running a block of a parallel call (worker or caller).
inline thread_local bool in_parallel_block = false;

/// One parallel call: `blocks` calls of call(context, k), k = 0 … blocks − 1. Lives on the
/// caller's stack; the pool's mutex guards next and unfinished.
struct pool_job {
    std::size_t blocks = 0;
    std::size_t next = 0;        // the next block to hand out; the job is queued while < blocks
    std::size_t unfinished = 0;  // blocks handed out or not, not yet finished
    void (*call)(void* context, std::size_t block) = nullptr;  // must not throw
    void* context = nullptr;
    std::condition_variable done;  // notified when unfinished reaches 0
};

class thread_pool {
public:
    thread_pool() = default;
    ~thread_pool() { shut_down(); }
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    /// Runs every block of `job` (blocks ≥ 2) with up to blocks − 1 workers and the calling
    /// thread, and returns when all have finished.
    void run(pool_job& job) {
        std::unique_lock<std::mutex> lock(mutex_);
        job.next = 0;
        job.unfinished = job.blocks;
        grow(job.blocks - 1);
        queue_.push_back(&job);
        const std::size_t helpers = std::min(job.blocks - 1, workers_.size());
        for (std::size_t i = 0; i < helpers; ++i) work_.notify_one();
        while (job.next < job.blocks) {
            const std::size_t k = claim(job);
            lock.unlock();
            execute(job, k);
            lock.lock();
            finish(job);
        }
        job.done.wait(lock, [&] { return job.unfinished == 0; });
    }

    /// Stops the workers once the queue is empty and joins them; later calls run on their
    /// callers' threads.
    void shut_down() {
        std::vector<std::thread> workers;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            workers.swap(workers_);
        }
        work_.notify_all();
        for (auto& w : workers) {
            if (!w.joinable()) continue;
            if (w.get_id() != std::this_thread::get_id())
                w.join();
            else
                w.detach();  // exit() from a worker: it cannot join itself
        }
    }

    std::size_t size() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return workers_.size();
    }

private:
    /// Creates workers up to `wanted` (under the mutex). A thread that cannot be created is not
    /// an error: the caller runs the blocks nobody else takes.
    void grow(std::size_t wanted) {
        wanted = std::min<std::size_t>(wanted, max_threads - 1);
        if (stopping_ || workers_.size() >= wanted) return;
#if defined(__unix__)
        // Workers start with every signal blocked, so that the embedding program's signals
        // (SIGINT, SIGTERM, …) keep going to its own threads.
        sigset_t all, previous;
        sigfillset(&all);
        const bool masked = pthread_sigmask(SIG_SETMASK, &all, &previous) == 0;
#endif
        while (workers_.size() < wanted) {
            try {
                workers_.emplace_back([this] { work(); });
            } catch (...) {  // std::system_error (no more threads) or bad_alloc
                break;
            }
        }
#if defined(__unix__)
        if (masked) pthread_sigmask(SIG_SETMASK, &previous, nullptr);
#endif
    }

    /// Hands out the job's next block; a job with no blocks left leaves the queue.
    std::size_t claim(pool_job& job) {
        const std::size_t k = job.next++;
        if (job.next == job.blocks) {
            if (!queue_.empty() && queue_.front() == &job)
                queue_.pop_front();
            else
                queue_.erase(std::find(queue_.begin(), queue_.end(), &job));
        }
        return k;
    }

    static void execute(pool_job& job, std::size_t k) {
        in_parallel_block = true;
        job.call(job.context, k);
        in_parallel_block = false;
    }

    /// Under the mutex: the caller cannot see unfinished == 0, return and destroy the job before
    /// this notification is over, and nothing touches the job afterwards.
    static void finish(pool_job& job) {
        if (--job.unfinished == 0) job.done.notify_all();
    }

    void work() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to help with
            pool_job& job = *queue_.front();
            const std::size_t k = claim(job);
            lock.unlock();
            execute(job, k);
            lock.lock();
            finish(job);
        }
    }

    mutable std::mutex mutex_;
    std::condition_variable work_;  // workers wait here for queued jobs
    std::deque<pool_job*> queue_;   // jobs with blocks not yet handed out, oldest first
    std::vector<std::thread> workers_;
    bool stopping_ = false;
};

/// The process-wide pool: its pointer, the mutex that creates it, and whether it was shut down.
/// All three are constant-initialised and trivially destructible, so they stay usable while
/// static objects are destroyed.
inline std::atomic<thread_pool*> shared_pool_instance{nullptr};
inline std::mutex shared_pool_mutex;
inline std::atomic<bool> shared_pool_stopped{false};

/// Joins the pool's workers when static objects are destroyed (it is created with the pool, so
/// it outlives every static object created after the pool's first use).
struct shared_pool_reaper {
    ~shared_pool_reaper() {
        shared_pool_stopped.store(true);
        if (thread_pool* p = shared_pool_instance.load()) p->shut_down();
    }
};

#if defined(__unix__)
inline void shared_pool_before_fork() { shared_pool_mutex.lock(); }
inline void shared_pool_after_fork_parent() { shared_pool_mutex.unlock(); }
inline void shared_pool_after_fork_child() {
    // The parent's pool is abandoned (leaked): its workers do not exist here.
    shared_pool_instance.store(nullptr);
    shared_pool_mutex.unlock();
}
#endif

/// The pool, created at the first call; nullptr after it was shut down at exit.
inline thread_pool* shared_pool() {
    thread_pool* p = shared_pool_instance.load(std::memory_order_acquire);
    if (p != nullptr) return p;
    if (shared_pool_stopped.load()) return nullptr;
    const std::lock_guard<std::mutex> lock(shared_pool_mutex);
    p = shared_pool_instance.load(std::memory_order_relaxed);
    if (p == nullptr) {
        static shared_pool_reaper reaper;  // registered with atexit before the pool exists
#if defined(__unix__)
        static const int registered = pthread_atfork(
            shared_pool_before_fork, shared_pool_after_fork_parent, shared_pool_after_fork_child);
        (void)registered;  // on failure the child cannot use its pool safely, as before
#endif
        p = new thread_pool;
        shared_pool_instance.store(p, std::memory_order_release);
    }
    return p;
}

/// Calls fn(k) for k = 0 … blocks − 1, concurrently on the pool, and returns when all have
/// finished; then rethrows the exception of the lowest k that threw, if any.
template <class Fn>
void run_blocks(std::size_t blocks, Fn&& fn) {
    std::vector<std::exception_ptr> errors(blocks);
    struct context_t {
        Fn& fn;
        std::vector<std::exception_ptr>& errors;
    } context{fn, errors};
    auto call = [](void* c, std::size_t k) {
        auto& ctx = *static_cast<context_t*>(c);
        try {
            ctx.fn(k);
        } catch (...) {
            ctx.errors[k] = std::current_exception();
        }
    };
    thread_pool* pool = blocks > 1 && !in_parallel_block ? shared_pool() : nullptr;
    if (pool == nullptr) {
        for (std::size_t k = 0; k < blocks; ++k) call(&context, k);
    } else {
        pool_job job;
        job.blocks = blocks;
        job.call = call;
        job.context = &context;
        pool->run(job);
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

template <class Body>
void parallel_for(std::size_t n, int threads, Body&& body) {
    const unsigned t = n < parallel_threshold || in_parallel_block
                           ? 1u
                           : std::min<unsigned>(resolve_threads(threads), static_cast<unsigned>(n));
    if (t <= 1) {
        body(std::size_t{0}, n);
        return;
    }
    const std::size_t block = (n + t - 1) / t;
    run_blocks(t, [&](std::size_t k) {
        const std::size_t begin = std::min(n, k * block), end = std::min(n, begin + block);
        body(begin, end);
    });
}

/// Runs task(0 … tasks − 1) on up to `threads` threads (task k in block k mod t). Each task
/// must write only its own outputs; the first exception by task order is rethrown after all
/// tasks have run.
template <class Task>
void parallel_tasks(std::size_t tasks, int threads, Task&& task) {
    const std::size_t t =
        in_parallel_block
            ? 1
            : std::min<std::size_t>(resolve_threads(threads), std::max<std::size_t>(tasks, 1));
    std::vector<std::exception_ptr> errors(tasks);
    run_blocks(t, [&](std::size_t j) {
        for (std::size_t k = j; k < tasks; k += t) try {
                task(k);
            } catch (...) {
                errors[k] = std::current_exception();
            }
    });
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace ltv::detail
