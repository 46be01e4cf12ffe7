// SPDX-License-Identifier: Apache-2.0
// ltv/version.hpp — the library version, shared with the C API (LTV_VERSION_* in ltv/ltv.h).
#pragma once

#include "ltv/ltv.h"

namespace ltv {

constexpr int version_major = LTV_VERSION_MAJOR;
constexpr int version_minor = LTV_VERSION_MINOR;
constexpr int version_patch = LTV_VERSION_PATCH;
/// major × 10000 + minor × 100 + patch, as ltv_version_number() returns.
constexpr int version_number = LTV_VERSION_NUMBER;
constexpr const char* version_string = LTV_VERSION_STRING;

}  // namespace ltv
