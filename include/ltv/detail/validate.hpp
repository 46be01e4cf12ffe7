// ltv/detail/validate.hpp — argument checks shared by every public function.
//
// Each check throws ltv::error(status::invalid_argument) with a message of the form
//   "<function>: argument '<name>' = <value> <what is wrong>"
// and, for arrays, names the index too. Values are printed with full precision so that a user
// can find the offending record.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>

#include "ltv/error.hpp"

namespace ltv::detail {

/// Formats a double so that it round-trips (17 significant digits, trailing noise trimmed by
/// using the shortest of %.15g / %.17g that reads back exactly).
inline std::string format_value(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    for (int precision : {15, 17}) {
        std::ostringstream os;
        os.precision(precision);
        os << v;
        if (precision == 17 || std::stod(os.str()) == v) return os.str();
    }
    return std::to_string(v);  // unreachable
}

/// "name" or "name[i]" for messages about array elements.
inline std::string element_name(const char* name, std::size_t index) {
    return std::string(name) + "[" + std::to_string(index) + "]";
}

/// The name of a checked argument: "x", or "x[17]" for an array element. Cheap to build (no
/// allocation) so that per-element checks in hot loops cost a comparison; the text is only made
/// when a check fails.
struct arg_name {
    static constexpr std::size_t scalar = static_cast<std::size_t>(-1);
    const char* name;
    std::size_t index = scalar;
    const std::string* owned = nullptr;  // for names already built as strings

    arg_name(const char* n) noexcept : name(n) {}  // NOLINT: implicit by design
    arg_name(const char* n, std::size_t i) noexcept : name(n), index(i) {}
    arg_name(const std::string& n) noexcept : name(nullptr), owned(&n) {}  // NOLINT

    std::string str() const {
        if (owned) return *owned;
        return index == scalar ? std::string(name) : element_name(name, index);
    }
};

[[noreturn]] inline void fail(status code, const char* function, const std::string& what) {
    throw error(code, std::string(function) + ": " + what);
}

[[noreturn]] inline void fail_argument(const char* function, const arg_name& name, double value,
                                       const char* what) {
    fail(status::invalid_argument, function,
         "argument '" + name.str() + "' = " + format_value(value) + " " + what);
}

inline void require_finite(const char* function, const arg_name& name, double value) {
    if (!std::isfinite(value)) fail_argument(function, name, value, "is not a finite number");
}

inline void require_nonnegative(const char* function, const arg_name& name, double value) {
    require_finite(function, name, value);
    if (value < 0) fail_argument(function, name, value, "must not be negative");
}

inline void require_positive(const char* function, const arg_name& name, double value) {
    require_finite(function, name, value);
    if (!(value > 0)) fail_argument(function, name, value, "must be greater than 0");
}

inline void require_probability(const char* function, const arg_name& name, double value) {
    require_finite(function, name, value);
    if (value < 0 || value > 1) fail_argument(function, name, value, "must lie in [0, 1]");
}

/// A rate such as a discount rate: finite and > -1 so that 1 + rate is a positive factor.
inline void require_rate(const char* function, const arg_name& name, double value) {
    require_finite(function, name, value);
    if (!(value > -1)) fail_argument(function, name, value, "must be greater than -1");
}

/// Pointer + length pairs coming from C or Python: a null pointer is only fine when empty.
template <class T>
inline void require_array(const char* function, const char* name, const T* data, std::size_t n) {
    if (data == nullptr && n != 0)
        fail(status::invalid_argument, function,
             std::string("argument '") + name + "' is a null pointer but its length is " +
                 std::to_string(n));
}

}  // namespace ltv::detail
