// SPDX-License-Identifier: Apache-2.0
// tests/cpp/support/errors.hpp — the message and status of the ltv::error a call throws, for
// tests that check that errors name the argument, index and value.
#pragma once

#include <string>

#include "ltv/error.hpp"

namespace ltv_test {

/// e.what() of the ltv::error thrown by f(), or "<no error>" when it returns normally.
template <class F>
std::string error_message(F&& f) {
    try {
        f();
    } catch (const ltv::error& e) {
        return e.what();
    }
    return "<no error>";
}

/// The status of the ltv::error thrown by f(), or status::ok when it returns normally.
template <class F>
ltv::status error_status(F&& f) {
    try {
        f();
    } catch (const ltv::error& e) {
        return e.code();
    }
    return ltv::status::ok;
}

}  // namespace ltv_test
