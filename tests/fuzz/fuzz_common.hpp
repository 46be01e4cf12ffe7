// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_common.hpp — what every ltv libFuzzer harness shares.
//
// The contract the harnesses check: ltv's entry points either succeed or throw ltv::error (the
// documented failure, with a status and a message). Any other exception that escapes —
// std::bad_alloc, std::out_of_range, a nlohmann::json exception, ... — is a finding, and so is a
// crash, a sanitizer report, a hang or a broken invariant: each ends in abort() after printing
// what happened, and libFuzzer saves the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "ltv/error.hpp"

namespace ltv_fuzz {

/// Prints `what` and aborts: the input that got here is a finding.
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "\n==== ltv fuzz finding: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

/// An invariant of the harness; on failure names the file, line and the condition.
#define LTV_FUZZ_CHECK(cond, msg)                                                        \
    do {                                                                                 \
        if (!(cond))                                                                     \
            ::ltv_fuzz::finding(std::string(__FILE__) + ":" + std::to_string(__LINE__) + \
                                ": check failed: " #cond " — " + std::string(msg));      \
    } while (0)

/// Runs f(); returns true if it completed, false if it threw ltv::error (the documented failure,
/// whose status and message are stored in *code / *message when given). Anything else aborts.
template <class F>
bool run_guarded(F&& f, ltv::status* code = nullptr, std::string* message = nullptr) {
    try {
        f();
        return true;
    } catch (const ltv::error& e) {
        if (code) *code = e.code();
        if (message) *message = e.what();
        return false;
    } catch (const std::exception& e) {
        finding(std::string("an exception other than ltv::error escaped: ") + typeid(e).name() +
                ": " + e.what());
    } catch (...) {
        finding("a non-std exception escaped");
    }
}

/// The input as text (the harnesses' inputs are bytes; the APIs take strings).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

/// Bit-identical doubles (NaN equal to NaN of the same payload; +0 differs from -0).
inline bool same_bits(double a, double b) {
    std::uint64_t x = 0, y = 0;
    static_assert(sizeof(double) == sizeof(std::uint64_t), "IEEE double");
    __builtin_memcpy(&x, &a, 8);
    __builtin_memcpy(&y, &b, 8);
    return x == y;
}

/// Printable excerpt of bytes for messages (non-printable bytes as \xNN, at most 200 shown).
inline std::string printable(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        }
    }
    if (s.size() > 200) out += "...";
    return out;
}

}  // namespace ltv_fuzz
