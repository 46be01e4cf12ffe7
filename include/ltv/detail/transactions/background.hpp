// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/background.hpp — read_options::threads: the input is read, split and
// decoded on a second thread while the caller's visitor runs on the calling thread. Internal
// part of ltv/transactions.hpp, included after its option and report types.
//
// The reading thread runs the ordinary read loop (read_loop.hpp) with a visitor that copies
// each row into a batch (the customer id into the batch's own characters: the loop's buffer is
// reused for the next block); full batches go to the calling thread through a queue of a few
// batches, which bounds the memory. The calling thread hands the rows to the visitor in file
// order, then returns the loop's report or rethrows its exception after the rows before it, so
// rows, report, errors and messages are those of the single-threaded reader. Progress calls
// are recorded with their position among the rows and made on the calling thread, in order.
// If the visitor throws, the reading thread is stopped at its next batch or block and joined.
// A thread that cannot be started (std::system_error) means reading on the calling thread.
#pragma once

#ifndef LTV_TRANSACTIONS_TYPES_DEFINED
#error "internal part of ltv/transactions.hpp: include that header instead"
#endif

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ltv/threads.hpp"

namespace ltv {
namespace detail {

/// Inputs known to be smaller than this are read on the calling thread when the thread count is
/// automatic (threads <= 0): starting and waking a second thread (~1-2 ms on a virtual machine)
/// would cost more than the overlap saves (about a third of the summary's ~3 ms per MiB).
constexpr std::uint64_t background_min_bytes = std::uint64_t(4) << 20;

/// Whether options ask for the background reader: threads > 1, or threads <= 0 with a process
/// default of more than one thread and an input of at least background_min_bytes (size: 0 if
/// unknown, as for a stream).
inline bool read_in_background(const read_options& options, std::uint64_t size) {
    if (options.threads > 1) return true;
    return options.threads <= 0 && (size == 0 || size >= background_min_bytes) &&
           default_threads() > 1;
}

/// A block of decoded rows in transit from the reading thread.
struct row_batch {
    struct row {
        std::uint32_t id_offset, id_size;  // into ids
        day_number day;
        double amount, quantity;
        std::uint64_t line;
    };
    struct progress_call {
        std::size_t before_row;  // made before rows[before_row] (or after the last row)
        std::uint64_t bytes, total;
    };
    std::vector<row> rows;
    std::string ids;
    std::vector<progress_call> progress;

    void clear() noexcept {
        rows.clear();
        ids.clear();
        progress.clear();
    }
};

/// Thrown inside the reading thread to unwind its read loop once the caller has stopped.
struct background_read_stopped {};

/// The queue between the reading thread (producer) and the calling thread (consumer).
class batch_channel {
public:
    static constexpr std::size_t batches = 4;
    static constexpr std::size_t batch_rows = 4096;

    batch_channel() {
        for (auto& b : pool_) {
            b.rows.reserve(batch_rows);
            free_.push_back(&b);
        }
    }

    /// Producer: an empty batch to fill; throws background_read_stopped once the consumer quit.
    row_batch* take_free() {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [&] { return stopped_ || !free_.empty(); });
        if (stopped_) throw background_read_stopped{};
        row_batch* b = free_.back();
        free_.pop_back();
        return b;
    }
    /// Producer: a filled batch for the consumer.
    void put_filled(row_batch* b) {
        {
            std::lock_guard<std::mutex> lock(m_);
            filled_.push_back(b);
        }
        cv_.notify_all();
    }
    /// Producer: no more batches (after the last put_filled).
    void finish() {
        {
            std::lock_guard<std::mutex> lock(m_);
            finished_ = true;
        }
        cv_.notify_all();
    }
    bool stopped() {
        std::lock_guard<std::mutex> lock(m_);
        return stopped_;
    }

    /// Consumer: the next filled batch in order, or nullptr after the last.
    row_batch* take_filled() {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [&] { return !filled_.empty() || finished_; });
        if (filled_.empty()) return nullptr;
        row_batch* b = filled_.front();
        filled_.erase(filled_.begin());
        return b;
    }
    /// Consumer: a batch whose rows were all visited.
    void put_free(row_batch* b) {
        b->clear();
        {
            std::lock_guard<std::mutex> lock(m_);
            free_.push_back(b);
        }
        cv_.notify_all();
    }
    /// Consumer: stop the producer (the visitor threw).
    void stop() {
        {
            std::lock_guard<std::mutex> lock(m_);
            stopped_ = true;
        }
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    row_batch pool_[batches];
    std::vector<row_batch*> free_, filled_;  // filled_ in file order (at most `batches`)
    bool finished_ = false, stopped_ = false;
};

/// Runs read(options', batching visitor) on a second thread and visit(row) for each row here.
/// `read` must be callable as read(const read_options&, Visitor&) -> read_report.
template <class ReadFn, class Visitor>
read_report read_with_background_thread(ReadFn&& read, const read_options& options, Visitor& visit) {
    batch_channel channel;
    read_report report;
    std::exception_ptr failure;

    auto produce = [&] {
        row_batch* cur = nullptr;
        try {
            cur = channel.take_free();
            read_options o = options;
            o.threads = 1;
            if (options.progress)
                o.progress = [&](std::uint64_t bytes, std::uint64_t total) {
                    if (channel.stopped()) throw background_read_stopped{};
                    cur->progress.push_back({cur->rows.size(), bytes, total});
                };
            auto add = [&](const transaction_row& r) {
                if (cur->rows.size() == batch_channel::batch_rows) {
                    channel.put_filled(cur);
                    cur = nullptr;
                    cur = channel.take_free();
                }
                if (cur->ids.size() + r.customer.size() > 0xFFFFFFFFu)  // one id of 4 GiB
                    throw error(status::out_of_memory, "read_transactions: customer id too long");
                cur->rows.push_back({static_cast<std::uint32_t>(cur->ids.size()),
                                     static_cast<std::uint32_t>(r.customer.size()), r.day,
                                     r.amount, r.quantity, r.line});
                cur->ids.append(r.customer.data(), r.customer.size());
            };
            report = read(static_cast<const read_options&>(o), add);
        } catch (const background_read_stopped&) {
            // The consumer has quit: nothing to report.
        } catch (...) {
            failure = std::current_exception();
        }
        if (cur != nullptr) channel.put_filled(cur);  // the rows before an error, too
        channel.finish();
    };

    std::thread reader;
    try {
        reader = std::thread(produce);
    } catch (const std::system_error&) {
        read_options o = options;
        o.threads = 1;
        return read(static_cast<const read_options&>(o), visit);
    }
    // Stops and joins the reading thread on every way out of this function.
    struct joiner {
        batch_channel& channel;
        std::thread& t;
        ~joiner() {
            if (t.joinable()) {
                channel.stop();
                t.join();
            }
        }
    } join_at_exit{channel, reader};

    transaction_row row;
    while (row_batch* b = channel.take_filled()) {
        const row_batch::row* rows = b->rows.data();
        const char* ids = b->ids.data();
        auto deliver = [&](std::size_t from, std::size_t to) {
            for (std::size_t i = from; i < to; ++i) {
                row.customer = std::string_view(ids + rows[i].id_offset, rows[i].id_size);
                row.day = rows[i].day;
                row.amount = rows[i].amount;
                row.quantity = rows[i].quantity;
                row.line = rows[i].line;
                visit(static_cast<const transaction_row&>(row));
            }
        };
        std::size_t done = 0;
        for (const auto& call : b->progress) {  // in order, at their places among the rows
            deliver(done, call.before_row);
            done = call.before_row;
            options.progress(call.bytes, call.total);
        }
        deliver(done, b->rows.size());
        channel.put_free(b);
    }
    reader.join();
    if (failure) std::rethrow_exception(failure);
    return report;
}

}  // namespace detail
}  // namespace ltv
