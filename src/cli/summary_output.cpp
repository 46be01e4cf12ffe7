// SPDX-License-Identifier: Apache-2.0
// src/cli/summary_output.cpp — see summary_output.hpp.
//
// Speed: writing 337 947 summary rows with one std::to_chars call and one std::string per field
// took as long as summarizing the 1 M rows behind them. Here each row is formatted in place into
// blocks of 256 KiB handed to the stream in large writes, integers take the integer conversion and
// repeated values (recency and T are day counts divided by the unit) come from a cache of
// to_chars' own texts (ltv/detail/number_text.hpp), so the bytes are unchanged. With two CPUs
// the second half of the rows is formatted on a second thread meanwhile.
#include "summary_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ltv/detail/number_text.hpp"
#include "ltv/threads.hpp"

namespace ltv::cli {
namespace {

/// Bytes formatted in place into blocks of about `block` bytes (uninitialized: every byte is
/// written before it is used), each passed to a stream when full, or kept in memory without one.
class out_buffer {
public:
    static constexpr std::size_t block = std::size_t(256) << 10;

    explicit out_buffer(std::ostream* out) : out_(out) {}

    /// Room for n more bytes at the returned pointer; commit(end) after writing.
    char* room(std::size_t n) {
        if (capacity_ - used_ < n) {
            flush();
            if (capacity_ < n || !buf_) {
                buf_.reset(new char[std::max(n, block + 4096)]);
                capacity_ = std::max(n, block + 4096);
            }
        }
        return buf_.get() + used_;
    }
    void commit(char* end) {
        used_ = static_cast<std::size_t>(end - buf_.get());
        if (used_ >= block) flush();
    }
    /// Writes what is buffered, or without a stream keeps the block and starts a new one.
    void flush() {
        if (used_ == 0) return;
        if (out_ != nullptr) {
            out_->write(buf_.get(), static_cast<std::streamsize>(used_));
        } else {
            kept_.push_back({std::move(buf_), used_});
            capacity_ = 0;
        }
        used_ = 0;
    }
    /// Writes the blocks kept in memory (after flush()) to out.
    void write_kept(std::ostream& out) const {
        for (const auto& k : kept_) out.write(k.first.get(), static_cast<std::streamsize>(k.second));
    }

private:
    std::ostream* out_;
    std::unique_ptr<char[]> buf_;
    std::size_t capacity_ = 0, used_ = 0;
    std::vector<std::pair<std::unique_ptr<char[]>, std::size_t>> kept_;
};

/// csv_field (report.hpp) into p: the text, or quoted with "" for " when it holds , " CR LF.
char* put_text(char* p, const std::string& s) {
    bool plain = true;
    for (const char c : s)
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            plain = false;
            break;
        }
    if (plain) {
        std::memcpy(p, s.data(), s.size());
        return p + s.size();
    }
    *p++ = '"';
    for (const char c : s) {
        *p++ = c;
        if (c == '"') *p++ = '"';
    }
    *p++ = '"';
    return p;
}

/// Worst case of put_text's output for s.
std::size_t text_room(const std::string& s) { return 2 * s.size() + 2; }

/// Formats rows [from, to) of t into buf.
void format_rows(const summary_table& t, bool extra, std::size_t from, std::size_t to,
                 out_buffer& buf) {
    const bool holdout = t.calibration_end.has_value();
    detail::shortest_text_cache cache;
    auto number = [&cache](char* p, double v) {
        return std::isnan(v) ? p : cache.write(p, v);  // number_text: NaN is an empty field
    };
    char duration[detail::max_shortest_chars + 8];
    const std::size_t duration_len =
        static_cast<std::size_t>(number(duration, t.duration_holdout) - duration);
    // Per row at most: the id, 12 numbers or dates of 24 bytes, 13 separators.
    constexpr std::size_t numbers_room = 12 * detail::max_shortest_chars + 13;
    for (std::size_t i = from; i < to; ++i) {
        char* p = buf.room(text_room(t.customer[i]) + numbers_room);
        p = put_text(p, t.customer[i]);
        *p++ = ',';
        p = number(p, t.frequency[i]);
        *p++ = ',';
        p = number(p, t.recency[i]);
        *p++ = ',';
        p = number(p, t.T[i]);
        *p++ = ',';
        p = number(p, t.monetary_value[i]);
        if (holdout) {
            *p++ = ',';
            p = number(p, t.frequency_holdout[i]);
            *p++ = ',';
            p = number(p, t.monetary_value_holdout[i]);
            *p++ = ',';
            std::memcpy(p, duration, duration_len);
            p += duration_len;
        }
        if (extra) {
            *p++ = ',';
            const std::string first = format_date(t.first_purchase[i]);
            std::memcpy(p, first.data(), first.size());
            p += first.size();
            *p++ = ',';
            const std::string last = format_date(t.last_purchase[i]);
            std::memcpy(p, last.data(), last.size());
            p += last.size();
            *p++ = ',';
            p = number(p, static_cast<double>(t.transactions[i]));
            *p++ = ',';
            p = number(p, t.total_amount[i]);
        }
        *p++ = ',';
        p = number(p, t.litt[i]);  // NaN (not known exactly) is an empty field
        *p++ = '\n';
        buf.commit(p);
    }
}

}  // namespace

void write_summary_csv(const std::string& output, const summary_table& t, bool extra) {
    std::ofstream file;
    if (!output.empty()) {
        file.open(output, std::ios::binary | std::ios::trunc);
        if (!file)
            throw ltv::error(status::io_error,
                             "summarize: cannot open '" + output + "' for writing");
    }
    std::ostream& out = output.empty() ? std::cout : file;
    std::string header = "customer_id,frequency,recency,T,monetary_value";
    if (t.calibration_end) header += ",frequency_holdout,monetary_value_holdout,duration_holdout";
    if (extra) header += ",first_purchase,last_purchase,transactions,total_amount";
    header += ",litt\n";

    // With a second CPU, a second thread formats the later half of a large table into memory
    // while this one formats and writes the first half.
    const std::size_t n = t.size();
    std::size_t half = n;
    out_buffer later(nullptr);
    std::thread helper;
    std::exception_ptr helper_failed;
    if (n >= 50000 && default_threads() > 1) {
        try {
            helper = std::thread([&] {
                try {
                    format_rows(t, extra, n / 2, n, later);
                    later.flush();
                } catch (...) {
                    helper_failed = std::current_exception();
                }
            });
            half = n / 2;
        } catch (const std::system_error&) {
            // No thread: everything here.
        }
    }
    struct joiner {
        std::thread& t;
        ~joiner() {
            if (t.joinable()) t.join();
        }
    } join_at_exit{helper};

    out_buffer buf(&out);
    char* p = buf.room(header.size());
    std::memcpy(p, header.data(), header.size());
    buf.commit(p + header.size());
    format_rows(t, extra, 0, half, buf);
    buf.flush();
    if (helper.joinable()) {
        helper.join();
        if (helper_failed) std::rethrow_exception(helper_failed);
        later.write_kept(out);
    }
    out.flush();
    if (!out) throw ltv::error(status::io_error, "summarize: writing the output failed");
}

}  // namespace ltv::cli
