// SPDX-License-Identifier: Apache-2.0
// ltv/detail/transactions/chunked_array.hpp — a vector of plain records kept in fixed-size
// chunks (customer_ids' offsets, summary_state's records): growing never copies and leaves at
// most one chunk of spare capacity.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace ltv {
namespace detail {

/// A vector-like array of trivially copyable T stored in chunks of 2^Shift elements: growing it
/// never copies the elements already stored (except the first, still small chunk, which grows
/// geometrically up to a full chunk), and the spare capacity is at most one chunk instead of
/// up to the whole size. Elements are value-initialized when their chunk is allocated.
template <class T, unsigned Shift = 12>
class chunked_array {
    static_assert(std::is_trivially_copyable<T>::value, "chunked_array holds plain records");

public:
    static constexpr std::size_t chunk = std::size_t(1) << Shift;

    chunked_array() = default;
    chunked_array(chunked_array&& o) noexcept
        : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {
        o.chunks_.clear();
    }
    chunked_array& operator=(chunked_array&& o) noexcept {
        chunks_ = std::move(o.chunks_);
        o.chunks_.clear();
        size_ = std::exchange(o.size_, 0);
        capacity_ = std::exchange(o.capacity_, 0);
        return *this;
    }
    chunked_array(const chunked_array& o) { copy_from(o); }
    chunked_array& operator=(const chunked_array& o) {
        if (this != &o) {
            chunked_array t(o);
            *this = std::move(t);
        }
        return *this;
    }

    T& operator[](std::size_t i) noexcept { return chunks_[i >> Shift][i & (chunk - 1)]; }
    const T& operator[](std::size_t i) const noexcept { return chunks_[i >> Shift][i & (chunk - 1)]; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Bytes held: the element storage plus the chunk directory.
    std::size_t memory_bytes() const noexcept {
        return capacity_ * sizeof(T) + chunks_.capacity() * sizeof(std::unique_ptr<T[]>);
    }

    void reserve(std::size_t n) {
        if (n > capacity_) set_capacity(n);
    }
    /// Grows to n elements (new ones value-initialized); never shrinks.
    void grow_to(std::size_t n) {
        if (n > capacity_) set_capacity(grown(n));
        if (n > size_) size_ = n;
    }
    void push_back(const T& v) {
        if (size_ == capacity_) set_capacity(grown(size_ + 1));
        (*this)[size_++] = v;
    }
    T& back() noexcept { return (*this)[size_ - 1]; }
    const T& back() const noexcept { return (*this)[size_ - 1]; }

private:
    std::size_t grown(std::size_t n) const noexcept {
        if (n <= chunk) return std::max(n, std::min(chunk, std::max<std::size_t>(16, 2 * capacity_)));
        return (n + chunk - 1) & ~(chunk - 1);
    }
    static std::unique_ptr<T[]> make(std::size_t m) { return std::unique_ptr<T[]>(new T[m]()); }
    void set_capacity(std::size_t n) {
        // Only the last chunk may be partial: complete (or enlarge) it first.
        const std::size_t part = capacity_ & (chunk - 1);
        if (part != 0) {
            const std::size_t base = capacity_ - part;
            const std::size_t m = std::min(chunk, n - base);
            auto c = make(m);
            std::memcpy(static_cast<void*>(c.get()), chunks_.back().get(), part * sizeof(T));
            chunks_.back() = std::move(c);
            capacity_ = base + m;
        }
        while (capacity_ < n) {
            const std::size_t m = std::min(chunk, n - capacity_);
            chunks_.push_back(make(m));
            capacity_ += m;
        }
    }
    void copy_from(const chunked_array& o) {
        chunks_.reserve(o.chunks_.size());
        for (std::size_t k = 0; k < o.chunks_.size(); ++k) {
            const std::size_t m = std::min(chunk, o.capacity_ - (k << Shift));
            auto c = make(m);
            std::memcpy(static_cast<void*>(c.get()), o.chunks_[k].get(), m * sizeof(T));
            chunks_.push_back(std::move(c));
        }
        size_ = o.size_;
        capacity_ = o.capacity_;
    }

    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace detail
}  // namespace ltv
