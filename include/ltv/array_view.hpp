// SPDX-License-Identifier: Apache-2.0
// ltv/array_view.hpp — a read-only (pointer, length) view, the C++17 stand-in for std::span.
//
// Public functions that take sequences accept an array_view so that the same code serves
// std::vector callers, the C API's (pointer, length) pairs and numpy buffers without copies.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace ltv {

template <class T>
class array_view {
public:
    constexpr array_view() noexcept = default;
    constexpr array_view(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}
    array_view(const std::vector<T>& v) noexcept : data_(v.data()), size_(v.size()) {}  // NOLINT
    // Only for arguments of a call: the list lives until the end of the full expression, which
    // is as long as the view is used there; GCC warns about the general case, hence the pragma.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
    constexpr array_view(std::initializer_list<T> list) noexcept  // NOLINT
        : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

    constexpr const T* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr const T* begin() const noexcept { return data_; }
    constexpr const T* end() const noexcept { return data_ + size_; }

private:
    const T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// A read-only row-major matrix view (rows × cols): per-customer covariates. Empty: no matrix.
struct matrix_view {
    const double* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    constexpr bool empty() const noexcept { return cols == 0; }
    constexpr double operator()(std::size_t i, std::size_t j) const noexcept {
        return data[i * cols + j];
    }
    constexpr const double* row(std::size_t i) const noexcept { return data + i * cols; }
};

}  // namespace ltv
