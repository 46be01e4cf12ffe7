// SPDX-License-Identifier: Apache-2.0
// src/c_api/summary_table.hpp — the object behind the opaque ltv_summary_table handle, shared by
// the summaries (transactions.cpp) and the models fitted and scored on them (model_summary.cpp).
#pragma once

#include <string>

#include "ltv/summary.hpp"

struct ltv_summary_table {
    ltv::summary_table table;
    std::string read_errors;
};
