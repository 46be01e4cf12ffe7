// SPDX-License-Identifier: Apache-2.0
// fuzz_summary_state — restoring a saved summary_state (ltv/summary.hpp) from arbitrary bytes.
//
// Each input is restored twice: as it is (which mostly exercises the structural checks and the
// checksum), and with its checksum recomputed — FNV-1a-64 over all but the last 8 bytes, written
// little-endian over those 8 bytes — so that the fuzzer reaches the record validation behind
// the checksum. On success:
//   - save() and restore again: the second save is byte-identical to the first (round trip);
//   - result(): every value finite, frequency >= 0, recency >= 0, T >= recency, first purchase
//     <= last purchase, at least one transaction per listed customer, holdout values finite and
//     >= 0 (issue 8, D9: a restored state is validated record by record); result() may refuse
//     with ltv::error instead (a calibration end after the last day when no observation end is
//     set, a monetary value that overflows);
//   - a new transaction for an existing and for a new customer can still be added, and the
//     result keeps those properties.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "ltv/summary.hpp"

namespace {

void check_result(const ltv::summary_table& t, const char* when) {
    const std::string ctx = std::string(when) + ": ";
    const std::size_t n = t.size();
    LTV_FUZZ_CHECK(t.frequency.size() == n && t.recency.size() == n && t.T.size() == n &&
                       t.monetary_value.size() == n && t.first_purchase.size() == n &&
                       t.last_purchase.size() == n && t.transactions.size() == n &&
                       t.total_amount.size() == n,
                   ctx + "column sizes differ");
    const bool holdout = t.calibration_end.has_value();
    if (holdout)
        LTV_FUZZ_CHECK(t.frequency_holdout.size() == n && t.monetary_value_holdout.size() == n,
                       ctx + "holdout column sizes differ");
    LTV_FUZZ_CHECK(std::isfinite(t.duration_holdout) && t.duration_holdout >= 0,
                   ctx + "duration_holdout " + std::to_string(t.duration_holdout));
    for (std::size_t i = 0; i < n; ++i) {
        const std::string who = ctx + "customer " + std::to_string(i) + " ('" +
                                ltv_fuzz::printable(t.customer[i]) + "'): ";
        const double f = t.frequency[i], r = t.recency[i], T = t.T[i];
        LTV_FUZZ_CHECK(std::isfinite(f) && std::isfinite(r) && std::isfinite(T) &&
                           std::isfinite(t.monetary_value[i]) && std::isfinite(t.total_amount[i]),
                       who + "a value is not finite (frequency " + std::to_string(f) +
                           ", recency " + std::to_string(r) + ", T " + std::to_string(T) +
                           ", monetary " + std::to_string(t.monetary_value[i]) + ", total " +
                           std::to_string(t.total_amount[i]) + ")");
        LTV_FUZZ_CHECK(f >= 0, who + "frequency " + std::to_string(f) + " < 0");
        LTV_FUZZ_CHECK(r >= 0, who + "recency " + std::to_string(r) + " < 0");
        LTV_FUZZ_CHECK(T >= r, who + "T " + std::to_string(T) + " < recency " + std::to_string(r));
        LTV_FUZZ_CHECK(t.first_purchase[i] <= t.last_purchase[i],
                       who + "first purchase after the last");
        LTV_FUZZ_CHECK(t.transactions[i] >= 1 && t.transactions[i] >= f + 1,
                       who + std::to_string(t.transactions[i]) + " transactions for frequency " +
                           std::to_string(f));
        if (holdout) {
            LTV_FUZZ_CHECK(std::isfinite(t.frequency_holdout[i]) && t.frequency_holdout[i] >= 0 &&
                               std::isfinite(t.monetary_value_holdout[i]),
                           who + "holdout frequency " + std::to_string(t.frequency_holdout[i]) +
                               ", monetary " + std::to_string(t.monetary_value_holdout[i]));
        }
    }
}

std::string save(const ltv::summary_state& st) {
    std::ostringstream out;
    st.save(out);
    return out.str();
}

void exercise(const std::string& bytes) {
    std::optional<ltv::summary_state> st;
    if (!ltv_fuzz::run_guarded([&] { st.emplace(ltv::summary_state::restore_bytes(bytes)); }))
        return;
    // Round trip: what is saved restores to a state that saves to the same bytes.
    std::string first;
    ltv_fuzz::run_guarded([&] { first = save(*st); });
    std::optional<ltv::summary_state> again;
    ltv::status code{};
    std::string message;
    const bool ok = ltv_fuzz::run_guarded(
        [&] { again.emplace(ltv::summary_state::restore_bytes(first)); }, &code, &message);
    LTV_FUZZ_CHECK(ok, "a saved state does not restore: " + message);
    std::string second;
    ltv_fuzz::run_guarded([&] { second = save(*again); });
    LTV_FUZZ_CHECK(first == second, "save -> restore -> save changes the bytes");

    ltv_fuzz::run_guarded([&] { check_result(st->result(), "restored"); });

    // The restored state keeps working: one transaction for its first customer and one for a
    // new one, on its observation end (2020-01-01 for an empty state; the calibration end when
    // result() refuses a last day before it, which the new transactions then repair).
    ltv::day_number day = ltv::make_day(2020, 1, 1);
    if (st->customers() > 0 && !ltv_fuzz::run_guarded([&] { day = st->result().observation_end; }))
        day = st->options().calibration_end.value_or(day);
    ltv_fuzz::run_guarded([&] {
        if (st->customers() > 0) st->add(std::string(st->ids()[0]), day, 1.0);
        st->add("ltv-fuzz-new-customer", day, 2.0);
    });
    ltv_fuzz::run_guarded([&] { check_result(st->result(), "after adding"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    exercise(bytes);
    if (bytes.size() >= 16) {
        const std::size_t body = bytes.size() - 8;
        const std::uint64_t h = ltv::detail::fnv1a64(bytes.data(), body);
        for (int i = 0; i < 8; ++i) bytes[body + i] = static_cast<char>((h >> (8 * i)) & 0xFF);
        exercise(bytes);
    }
    return 0;
}
