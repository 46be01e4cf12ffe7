// SPDX-License-Identifier: Apache-2.0
// src/c_api/library.cpp — version, status names, the thread-local last error and the
// process-wide thread setting.
#include <string>
#include <vector>

#include "boundary.hpp"
#include "ltv/threads.hpp"
#include "ltv/version.hpp"

namespace ltv::capi {
namespace {
thread_local std::string last_error;  // "" until the thread's first failure
thread_local std::vector<double> scratch;  // batch results before they are copied out
}  // namespace

std::vector<double>& scratch_cache() noexcept { return scratch; }

void set_last_error(const char* message) noexcept {
    try {
        last_error = message;
    } catch (...) {
        // Assigning can only fail for lack of memory; keep a message that needs none.
        last_error.clear();
        last_error.shrink_to_fit();
    }
}

}  // namespace ltv::capi

extern "C" {

LTV_API int ltv_version_number(void) { return ltv::version_number; }

LTV_API const char* ltv_version_string(void) { return ltv::version_string; }

LTV_API const char* ltv_last_error(void) {
    const std::string& message = ltv::capi::last_error;
    return message.empty() ? "" : message.c_str();
}

LTV_API const char* ltv_status_name(int status) {
    return ltv::status_name(static_cast<ltv::status>(status));
}

LTV_API int ltv_set_default_threads(int threads) {
    constexpr const char* fn = "ltv_set_default_threads";
    return ltv::capi::guard(fn, [&] {
        if (threads < 0)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'threads' = " + std::to_string(threads) +
                                 " must be ≥ 0 (0 = automatic: the CPUs this process may use)");
        ltv::set_default_threads(threads);
    });
}

LTV_API int ltv_default_threads(int* out_threads) {
    constexpr const char* fn = "ltv_default_threads";
    return ltv::capi::guard(fn, [&] {
        ltv::capi::require_out(fn, "out_threads", out_threads);
        *out_threads = ltv::default_threads();
    });
}

}  // extern "C"
