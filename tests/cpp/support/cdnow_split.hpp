// SPDX-License-Identifier: Apache-2.0
// The C++ tests' CDNOW calibration/holdout split (test_evaluation.cpp,
// test_evaluation_report.cpp): examples/data/CDNOW_master.txt in weeks, calibration to
// 1997-09-30, observation to 1998-06-30 — the split of ltv demo and docs/benchmarking.md.
#pragma once

#include <string>

#include "ltv/customer_base.hpp"
#include "ltv/summary.hpp"

namespace ltv_test {

struct cdnow_split {
    ltv::customer_base base;
    ltv::summary_table summary;
};

inline const std::string& cdnow_master_path() {
    static const std::string path =
        std::string(LTV_TEST_DATA_DIR) + "/../../examples/data/CDNOW_master.txt";
    return path;
}

/// The split, read once per process.
inline const cdnow_split& cdnow_master_split() {
    static const cdnow_split s = [] {
        ltv::read_options r;
        r.delimiter = ' ';
        r.customer = "customer_id";
        r.date = "date";
        r.amount = "dollar_value";
        cdnow_split out;
        out.base = ltv::customer_base(ltv::load_transactions(cdnow_master_path(), r), "test");
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(1997, 9, 30);
        o.observation_end = ltv::make_day(1998, 6, 30);
        o.unit = ltv::time_unit::week();
        out.summary = ltv::summarize(out.base, o);
        return out;
    }();
    return s;
}

}  // namespace ltv_test
