// SPDX-License-Identifier: Apache-2.0
// ltv/error.hpp — the one exception type of the C++ API and its status codes.
//
// Every failure in ltv is an ltv::error carrying a status (the same numbers the C API returns)
// and a message that names the problem: the argument, the index or row, and the offending value.
// The C boundary (src/c_api) turns it into a status plus ltv_last_error(); the CLI prints it.
#pragma once

#include <stdexcept>
#include <string>

namespace ltv {

/// Status codes; the values are part of the stable C ABI (LTV_ERR_* in ltv/ltv.h).
enum class status : int {
    ok = 0,
    invalid_argument = -1,  ///< an argument is outside its documented range or malformed
    domain_error = -2,      ///< arguments are valid alone but the quantity is undefined for them
    no_convergence = -3,    ///< an iterative method stopped before meeting its tolerance
    out_of_memory = -4,
    buffer_too_small = -5,  ///< a caller-owned output buffer is shorter than the result
    not_fitted = -6,        ///< a model was asked for predictions before it had parameters
    internal = -7,          ///< a bug in ltv: please report it
    io_error = -8,          ///< a file could not be opened, read or written
    parse_error = -9,       ///< input text is malformed (the message names line, column, value)
    cancelled = -10,        ///< the caller's cancel callback stopped the work (fit_options::cancel)
};

/// Short, stable name of a status ("invalid_argument"), used in messages and bindings.
constexpr const char* status_name(status s) noexcept {
    switch (s) {
        case status::ok:
            return "ok";
        case status::invalid_argument:
            return "invalid_argument";
        case status::domain_error:
            return "domain_error";
        case status::no_convergence:
            return "no_convergence";
        case status::out_of_memory:
            return "out_of_memory";
        case status::buffer_too_small:
            return "buffer_too_small";
        case status::not_fitted:
            return "not_fitted";
        case status::internal:
            return "internal";
        case status::io_error:
            return "io_error";
        case status::parse_error:
            return "parse_error";
        case status::cancelled:
            return "cancelled";
    }
    return "unknown";
}

/// The exception thrown by every ltv function on bad input or failure.
class error : public std::runtime_error {
public:
    error(status code, const std::string& message) : std::runtime_error(message), code_(code) {}
    status code() const noexcept { return code_; }

private:
    status code_;
};

}  // namespace ltv
