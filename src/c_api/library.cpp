// src/c_api/library.cpp — version, status names and the thread-local last error.
#include <string>

#include "boundary.hpp"
#include "ltv/version.hpp"

namespace ltv::capi {
namespace {
thread_local std::string last_error;  // "" until the thread's first failure
}

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

}  // extern "C"
