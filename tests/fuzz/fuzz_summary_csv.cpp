// SPDX-License-Identifier: Apache-2.0
// fuzz_summary_csv — the per-customer summary table reader (ltv/summary_csv.hpp).
//
// The first byte picks the requested columns — those of the CLI's fit/predict commands
// (src/cli/commands_models.cpp): BG/NBD-like frequency/recency/T, Gamma-Gamma frequency and
// monetary value, BG/BB frequency/recency/periods/weights — with or without the id column; the
// rest is the table. read_summary_csv_text either returns a table or throws ltv::error; on
// success every requested column is present (required ones) or empty (optional ones), has one
// finite value per row, the ids (when requested and found) one per row, and the lines are
// strictly increasing. And against the independent record splitter (reference_csv.hpp): every
// non-blank record after the header is a row (none lost), each value has the bits strtod gives
// for its field, each id is its field's bytes.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "ltv/summary_csv.hpp"
#include "reference_csv.hpp"

namespace {

const ltv::csv_column col_frequency{{"frequency", "x"}, true};
const ltv::csv_column col_recency{{"recency", "t_x"}, true};
const ltv::csv_column col_age{{"T", "age"}, true};
const ltv::csv_column col_periods{{"periods", "n_periods", "n", "T"}, true};
const ltv::csv_column col_monetary{{"monetary_value", "zbar", "monetary"}, true};
const ltv::csv_column col_weights{{"weights", "weight", "count"}, false};

const std::vector<std::vector<ltv::csv_column>>& requests() {
    static const std::vector<std::vector<ltv::csv_column>> r{
        {col_frequency, col_recency, col_age, col_weights},
        {col_frequency, col_monetary, col_weights},
        {col_frequency, col_recency, col_periods, col_weights},
        {col_frequency, col_recency, col_age, col_monetary},
    };
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto& wanted = requests()[data[0] & 3];
    const bool with_ids = (data[0] & 4) == 0;
    const std::vector<std::string> id_names =
        with_ids ? std::vector<std::string>{"customer_id", "id"} : std::vector<std::string>{};
    const std::string_view text = ltv_fuzz::as_text(data + 1, size - 1);

    ltv::summary_csv t;
    if (!ltv_fuzz::run_guarded(
            [&] { t = ltv::read_summary_csv_text(text, "<fuzz>", wanted, id_names); }))
        return 0;

    LTV_FUZZ_CHECK(t.columns.size() == wanted.size(), "column count");
    LTV_FUZZ_CHECK(t.lines.size() == t.rows, "one line number per row");
    for (std::size_t i = 1; i < t.lines.size(); ++i)
        LTV_FUZZ_CHECK(t.lines[i] > t.lines[i - 1], "line numbers not increasing");
    for (std::size_t k = 0; k < wanted.size(); ++k) {
        const auto& c = t.columns[k];
        LTV_FUZZ_CHECK(c.size() == t.rows || (!wanted[k].required && c.empty()),
                       "column " + std::to_string(k) + " has " + std::to_string(c.size()) +
                           " values for " + std::to_string(t.rows) + " rows");
        for (double v : c)
            LTV_FUZZ_CHECK(std::isfinite(v),
                           "column " + std::to_string(k) + ": a value is " + std::to_string(v));
    }
    LTV_FUZZ_CHECK(t.ids.empty() || t.ids.size() == t.rows,
                   std::to_string(t.ids.size()) + " ids for " + std::to_string(t.rows) + " rows");

    // Against the reference splitter, with the delimiter the reader detects (first line).
    std::string_view body = text;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    const char delimiter = ltv::detail::detect_delimiter(body.substr(0, body.find('\n')), '"');
    const ltv_fuzz::ref_split ref = ltv_fuzz::split_reference(text, delimiter, '"');
    if (!ref.well_formed || ref.records.empty()) return 0;
    const ltv_fuzz::ref_record& header = ref.records[0];
    LTV_FUZZ_CHECK(t.header.size() == header.fields.size(),
                   "header: " + std::to_string(t.header.size()) + " columns, reference " +
                       std::to_string(header.fields.size()));
    LTV_FUZZ_CHECK(t.rows == ref.records.size() - 1,
                   "rows lost: " + std::to_string(ref.records.size() - 1) + " records, " +
                       std::to_string(t.rows) + " rows");
    for (std::size_t i = 0; i < t.rows; ++i) {
        const ltv_fuzz::ref_record& rec = ref.records[i + 1];
        LTV_FUZZ_CHECK(rec.line == t.lines[i], "row " + std::to_string(i) + " at line " +
                                                   std::to_string(t.lines[i]) + ", reference " +
                                                   std::to_string(rec.line));
        for (std::size_t k = 0; k < wanted.size(); ++k) {
            if (t.columns[k].empty()) continue;
            // The column the reader chose: the first accepted name in the header.
            std::size_t c = static_cast<std::size_t>(-1);
            for (const auto& name : wanted[k].names) {
                for (std::size_t h = 0; h < t.header.size() && c == static_cast<std::size_t>(-1);
                     ++h)
                    if (t.header[h] == ltv::detail::lower_trim(name)) c = h;
                if (c != static_cast<std::size_t>(-1)) break;
            }
            LTV_FUZZ_CHECK(c < rec.fields.size(), "a value without a field");
            const auto want = ltv_fuzz::strtod_whole(rec.fields[c]);
            LTV_FUZZ_CHECK(want && ltv_fuzz::same_bits(*want, t.columns[k][i]),
                           "line " + std::to_string(rec.line) + ": '" +
                               ltv_fuzz::printable(rec.fields[c]) + "' read as " +
                               ltv::detail::format_value(t.columns[k][i]));
        }
        if (!t.ids.empty()) {
            std::size_t c = static_cast<std::size_t>(-1);
            for (const auto& name : id_names) {
                for (std::size_t h = 0; h < t.header.size() && c == static_cast<std::size_t>(-1);
                     ++h)
                    if (t.header[h] == name) c = h;
                if (c != static_cast<std::size_t>(-1)) break;
            }
            const std::string want = c < rec.fields.size() ? rec.fields[c] : std::string();
            LTV_FUZZ_CHECK(t.ids[i] == want, "line " + std::to_string(rec.line) + ": id '" +
                                                 ltv_fuzz::printable(t.ids[i]) + "', field '" +
                                                 ltv_fuzz::printable(want) + "'");
        }
    }
    return 0;
}
