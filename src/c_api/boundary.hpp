// src/c_api/boundary.hpp — what every extern "C" entry point uses to stay exception-free.
//
// `guard(fn, body)` runs body, maps any exception to a status, and stores the message in the
// calling thread's last-error slot. Entry points are then one line of argument plumbing around
// the C++ function they wrap.
#pragma once

#include <cstring>
#include <exception>
#include <new>
#include <string>

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
