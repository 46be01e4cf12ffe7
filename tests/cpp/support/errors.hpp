// SPDX-License-Identifier: Apache-2.0
// tests/cpp/support/errors.hpp — the message of the ltv::error a call throws, for tests that
// check that errors name the argument, index and value.
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

}  // namespace ltv_test
