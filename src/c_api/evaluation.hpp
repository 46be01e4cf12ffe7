// SPDX-License-Identifier: Apache-2.0
// src/c_api/evaluation.hpp — the object behind the opaque ltv_evaluation handle (model
// comparison, ltv/evaluation.hpp), shared by evaluation.cpp and transactions.cpp (which owns
// the customer base that ltv_compare_transactions reads).
#pragma once

#include "ltv/customer_base.hpp"
#include "ltv/evaluation.hpp"
#include "ltv/ltv.h"
#include "ltv/summary.hpp"

struct ltv_evaluation {
    ltv::summary_table summary;  ///< what the models were compared on
    ltv::evaluation result;
};

namespace ltv::capi {

/// Compares the models on `summary` (and `base`, may be null) with the C options (NULL:
/// defaults); the new handle owns the summary.
ltv_evaluation* make_evaluation(const char* fn, summary_table summary, const customer_base* base,
                                const ltv_compare_options* options);

}  // namespace ltv::capi
