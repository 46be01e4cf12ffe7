// SPDX-License-Identifier: Apache-2.0
// src/cli/segment_input.hpp — the segment label of each customer for `--segment-column`
// (docs/segments.md): from a summary CSV's column, or from a transaction log's column, where it
// must be the same on all of a customer's rows.
#pragma once

#include <string>
#include <vector>

#include "transaction_reports.hpp"

namespace ltv::cli {

/// The whole text of `path`; "-" is stdin, read once per process and kept (so a summary read
/// from stdin can be read again for its segment column).
const std::string& input_text(const std::string& path);

/// Column `column` (by its header name, case-insensitive) of the summary CSV at `path` ("-":
/// stdin), one text per row; parse_error naming the file and the header's columns when absent.
std::vector<std::string> summary_segment_column(const std::string& path,
                                                const std::string& column);

/// The segment of each of `customers` from the transaction log's column `column`: it must be the
/// same on all of a customer's rows (else invalid_argument naming the customer, both values and
/// their lines). The log needs a header; "-" (stdin) is refused, as the log is read again.
std::vector<std::string> log_segment_column(const std::string& path, const transaction_input& in,
                                            const std::string& column,
                                            const std::vector<std::string>& customers);

}  // namespace ltv::cli
