// SPDX-License-Identifier: Apache-2.0
// src/c_api/boundary.hpp — what every extern "C" entry point uses to stay exception-free.
//
// `guard(fn, body)` runs body, maps any exception to a status, and stores the message in the
// calling thread's last-error slot. Entry points are then one line of argument plumbing around
// the C++ function they wrap.
//
// Two rules of ltv.h are enforced here rather than in each entry point:
//  - outputs are written only on success: batch results are computed into scratch memory and
//    copied to the caller's buffer after the last element succeeded (batch_output);
//  - a double returned with LTV_OK is finite: each element (finite_output for scalars) is checked
//    with detail::require_finite_result before it is copied, naming the element's index.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/ltv.h"

namespace ltv::capi {

/// Stores `message` as this thread's last error. Never throws: if the copy cannot be made the
/// slot keeps a fixed message instead.
void set_last_error(const char* message) noexcept;

inline void set_last_error(const std::string& message) noexcept { set_last_error(message.c_str()); }

/// Throws invalid_argument when an out-pointer is NULL.
template <class T>
inline void require_out(const char* fn, const char* name, T* pointer) {
    if (pointer == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": output argument '" + name + "' is a null pointer");
}

/// This thread's cached scratch vector (src/c_api/library.cpp): kept between calls so that a loop
/// of batch calls does not allocate every time.
std::vector<double>& scratch_cache() noexcept;

/// Scratch memory for n doubles, taken from the thread's cache and given back when done. A nested
/// use (the cache already taken) simply allocates its own. Buffers larger than keep_limit are
/// released instead of cached, so one huge batch does not pin its memory to the thread.
class scratch_buffer {
public:
    static constexpr std::size_t keep_limit = std::size_t{1} << 20;  // 8 MiB of doubles

    explicit scratch_buffer(std::size_t n) : values_(std::move(scratch_cache())) {
        values_.resize(n);
    }
    ~scratch_buffer() {
        std::vector<double>& cache = scratch_cache();
        if (values_.capacity() <= keep_limit && values_.capacity() > cache.capacity())
            cache = std::move(values_);  // noexcept
    }
    scratch_buffer(const scratch_buffer&) = delete;
    scratch_buffer& operator=(const scratch_buffer&) = delete;

    double* data() noexcept { return values_.data(); }

private:
    std::vector<double> values_;
};

/// Writes a batch result of n doubles to the caller's `out` only on success: compute(buffer)
/// fills n doubles of scratch memory (it may throw at any element), every value is checked
/// finite (domain_error naming "<name>[i]"), and only then is `out` written. NULL `out` with
/// n > 0 is invalid_argument.
template <class Compute>
void batch_output(const char* fn, const char* name, double* out, std::size_t n,
                  Compute&& compute) {
    detail::require_array(fn, name, out, n);
    scratch_buffer scratch(n);
    double* values = scratch.data();
    compute(values);
    for (std::size_t i = 0; i < n; ++i)  // no string unless a value fails
        if (!std::isfinite(values[i]))
            detail::require_finite_result(fn, detail::arg_name{name, i}, values[i]);
    std::copy(values, values + n, out);
}

/// A scalar result: checked finite (domain_error naming `name`) and then stored in *out.
inline void finite_output(const char* fn, const char* name, double* out, double value) {
    detail::require_finite_result(fn, name, value);
    *out = value;
}

/// The body of every *_init(options, struct_size): copies the first struct_size bytes of the
/// library's full default struct `full` to the caller's `out` and sets out->struct_size to the
/// bytes written. A caller compiled against an older, smaller struct passes its own sizeof and
/// gets exactly the fields it knows, never a write past its struct (docs/abi.md). struct_size
/// must cover at least the struct as first released (`first_size`).
template <class Struct>
inline void init_struct(const char* fn, Struct* out, std::size_t struct_size, const Struct& full,
                        std::size_t first_size) {
    require_out(fn, "options", out);
    if (struct_size < first_size)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'struct_size' = " + std::to_string(struct_size) +
                        " is smaller than the struct's first released size " +
                        std::to_string(first_size) + "; pass sizeof the struct");
    const std::size_t n = struct_size < sizeof(Struct) ? struct_size : sizeof(Struct);
    std::memcpy(static_cast<void*>(out), &full, n);
    out->struct_size = n;
}

/// The two other directions of struct growth (docs/abi.md), for structs the caller passes in
/// and structs the library fills:
///
/// read_struct: the caller's struct `in` as this library's full struct — the fields its
/// struct_size covers are the caller's, every later field is the default that `init` (the
/// struct's own *_init) sets. A caller built against an older, smaller struct thus gets the
/// defaults for fields it does not know; one built against a newer, bigger struct has its
/// extra fields ignored. in == nullptr means all defaults. struct_size below the first
/// released size (`first_size`) is refused naming the argument.
template <class Struct>
inline Struct read_struct(const char* fn, const char* name, const Struct* in,
                          std::size_t first_size, int (*init)(Struct*, std::size_t)) {
    Struct full{};
    init(&full, sizeof(Struct));
    if (in == nullptr) return full;
    if (in->struct_size < first_size)
        throw error(status::invalid_argument,
                    std::string(fn) + ": " + name + "->struct_size = " +
                        std::to_string(in->struct_size) + " is smaller than the struct's first " +
                        "released size " + std::to_string(first_size) +
                        "; initialise the struct with its *_init function");
    const std::size_t n = in->struct_size < sizeof(Struct) ? in->struct_size : sizeof(Struct);
    std::memcpy(static_cast<void*>(&full), in, n);
    full.struct_size = sizeof(Struct);
    return full;
}

/// write_struct: stores the library's filled struct `full` in the caller's `out`, at most
/// out->struct_size bytes (never past an older caller's smaller struct); out->struct_size keeps
/// the caller's value. out->struct_size below the first released size is refused.
template <class Struct>
inline void write_struct(const char* fn, const char* name, Struct* out, const Struct& full,
                         std::size_t first_size) {
    require_out(fn, name, out);
    const std::size_t given = out->struct_size;
    if (given < first_size)
        throw error(status::invalid_argument,
                    std::string(fn) + ": " + name + "->struct_size = " + std::to_string(given) +
                        " is smaller than the struct's first released size " +
                        std::to_string(first_size) + "; set it to sizeof the struct first");
    const std::size_t n = given < sizeof(Struct) ? given : sizeof(Struct);
    std::memcpy(static_cast<void*>(out), &full, n);
    out->struct_size = given;
}

/// The two-call pattern for text (ltv_model_to_json, ltv_evaluation_to_json): *out_size gets
/// the bytes with the terminating NUL, always (also with BUFFER_TOO_SMALL); buffer == NULL with
/// capacity 0 asks for the size only; otherwise the text and its NUL are copied to buffer.
inline void text_output(const char* fn, const std::string& text, char* buffer,
                        std::size_t capacity, std::size_t* out_size) {
    require_out(fn, "out_size", out_size);
    if (buffer != nullptr || capacity != 0) detail::require_array(fn, "buffer", buffer, capacity);
    *out_size = text.size() + 1;
    if (buffer == nullptr && capacity == 0) return;
    if (capacity < text.size() + 1)
        throw error(status::buffer_too_small,
                    std::string(fn) + ": the buffer holds " + std::to_string(capacity) +
                        " bytes but " + std::to_string(text.size() + 1) + " are needed");
    std::memcpy(buffer, text.c_str(), text.size() + 1);
}

template <class Body>
inline int guard(const char* fn, Body&& body) noexcept {
    try {
        body();
        return LTV_OK;
    } catch (const error& e) {
        set_last_error(e.what());
        return static_cast<int>(e.code());
    } catch (const std::bad_alloc&) {
        set_last_error(std::string(fn) + ": out of memory");
        return LTV_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string(fn) + ": internal error: " + e.what());
        return LTV_ERR_INTERNAL;
    } catch (...) {
        set_last_error(std::string(fn) + ": internal error: unknown exception");
        return LTV_ERR_INTERNAL;
    }
}

}  // namespace ltv::capi
