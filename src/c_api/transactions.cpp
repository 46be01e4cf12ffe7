// SPDX-License-Identifier: Apache-2.0
// src/c_api/transactions.cpp — C entry points for transaction logs: reading, per-customer
// summaries (ltv/summary.hpp), journey statuses (ltv/journey.hpp), RFM (ltv/rfm.hpp) and cohorts
// (ltv/cohorts.hpp).
//
// Three opaque handles: ltv_summary (the incremental summary_state), ltv_summary_table (a computed
// summary_table) and ltv_transactions (a whole transaction_log in memory). Each handle that reads
// files keeps the last read's error messages so that ltv_read_report::errors can point at them.
//
// An ltv_transactions handle also caches the customer base of its log (ltv/customer_base.hpp):
// each customer's purchases sorted by date, which every summary, journey, RFM, cohort and
// period-retention call reads. It is built by the first such call and kept until rows are added
// (customer_base_cache below), so repeated calls — and the two calls of the size-query pattern —
// sort the log once.
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boundary.hpp"
#include "model.hpp"
#include "summary_table.hpp"
#include "ltv/cohorts.hpp"
#include "evaluation.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/journey.hpp"
#include "ltv/rfm.hpp"
#include "ltv/summary.hpp"
#include "ltv/transactions.hpp"

struct ltv_summary {
    ltv::summary_state state;
    std::string read_errors;
};


namespace ltv::capi {

/// The customer base of a handle's log, built at its first use and kept until the log changes.
/// Const calls on one handle may run on many threads at once (ltv.h): the first caller builds
/// the base under the mutex while the others wait for it, and from then on every call only
/// loads the pointer (acquire, pairing with the builder's release store). A build that throws
/// (out of memory) publishes nothing, so a later call tries again. reset() is called only by
/// calls that modify the log, which must not overlap any other call on the handle.
class customer_base_cache {
public:
    const customer_base& get(const transaction_log& log) const {
        if (const customer_base* b = ready_.load(std::memory_order_acquire)) return *b;
        std::lock_guard<std::mutex> lock(mutex_);
        if (!base_) base_ = std::make_unique<const customer_base>(log);
        ready_.store(base_.get(), std::memory_order_release);
        return *base_;
    }

    /// Drops the base (the log is about to change); the next get() builds a new one.
    void reset() noexcept {
        ready_.store(nullptr, std::memory_order_relaxed);
        base_.reset();
    }

private:
    mutable std::mutex mutex_;
    mutable std::unique_ptr<const customer_base> base_;
    mutable std::atomic<const customer_base*> ready_{nullptr};
};

}  // namespace ltv::capi

struct ltv_transactions {
    ltv::transaction_log log;
    std::string read_errors;
    ltv::capi::customer_base_cache base;  ///< of `log`; reset whenever rows are added
};

using ltv::capi::guard;
using ltv::capi::require_out;

namespace {

using ltv::error;
using ltv::status;

template <class T>
T& require_handle(const char* fn, const char* name, T* p) {
    if (p == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument '" + name + "' is a null pointer");
    return *p;
}

void require_path(const char* fn, const char* path) {
    if (path == nullptr)
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'path' is a null pointer");
}

void require_struct_size(const char* fn, const char* name, std::size_t given, std::size_t needed,
                         const char* init) {
    if (given < needed)
        throw error(status::invalid_argument,
                    std::string(fn) + ": " + name + "->struct_size = " + std::to_string(given) +
                        " is smaller than " + std::to_string(needed) + "; " + init);
}

ltv::date_spec to_date_spec(const char* fn, const char* format) {
    if (format == nullptr) return {};
    const std::string f = format;
    if (f.empty() || f == "auto" || f == "automatic") return {};
    if (f == "iso") return ltv::date_format::iso;
    if (f == "compact") return ltv::date_format::compact;
    if (f == "iso_datetime") return ltv::date_format::iso_datetime;
    if (f.find('%') != std::string::npos) return ltv::date_spec::custom(f);
    throw error(status::invalid_argument,
                std::string(fn) + ": options->date_format = '" + f +
                    "' is not auto, iso, compact, iso_datetime or a pattern with % directives");
}

/// Sets spec's zone from a C string (NULL or "" = none); invalid_argument naming the argument.
void set_zone(const char* fn, const char* arg, const char* zone, ltv::date_spec& spec) {
    if (zone == nullptr) return;
    try {
        spec.set_time_zone(zone);
    } catch (const error& e) {
        throw error(e.code(), std::string(fn) + ": " + arg + " = '" + zone + "': " + e.what());
    }
}

ltv::column_ref to_column(const char* fn, const char* role, const char* name, int index,
                          bool optional) {
    if (index >= 0) return ltv::column_ref::at(static_cast<std::size_t>(index));
    if (index != -1)
        throw error(status::invalid_argument, std::string(fn) + ": options->" + role +
                                                  "_index = " + std::to_string(index) +
                                                  " must be ≥ 0 (a position) or −1 (by name)");
    if (name == nullptr) return ltv::column_ref::none();
    if (*name == '\0')
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->" + role + "_column is an empty name");
    return optional ? ltv::column_ref::optional(name) : ltv::column_ref(name);
}

ltv::read_options to_read_options(const char* fn, const ltv_read_options* o) {
    ltv::read_options r;
    if (o == nullptr) return r;
    // Fields appended later (max_record_bytes) are read only when struct_size covers them: a
    // caller compiled against the older, shorter struct keeps working with their defaults.
    constexpr std::size_t v1_size = offsetof(ltv_read_options, max_record_bytes);
    require_struct_size(fn, "options", o->struct_size, v1_size,
                        "initialise the struct with ltv_read_options_init");
    const auto covers = [&](std::size_t offset, std::size_t size) {
        return o->struct_size >= offset + size;
    };
    if (o->delimiter < 0 || o->delimiter > 127 || o->delimiter == '\n' || o->delimiter == '\r' ||
        o->delimiter == '"')
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->delimiter = " + std::to_string(o->delimiter) +
                        " must be 0 (detect), ' ' (whitespace) or an ASCII delimiter");
    r.delimiter = static_cast<char>(o->delimiter);
    r.header = o->header != 0;
    r.customer = to_column(fn, "customer", o->customer_column, o->customer_index, false);
    r.date = to_column(fn, "date", o->date_column, o->date_index, false);
    r.amount = to_column(fn, "amount", o->amount_column, o->amount_index, o->amount_optional != 0);
    if (r.customer.empty() || r.date.empty())
        throw error(status::invalid_argument,
                    std::string(fn) +
                        ": the customer and date columns must be chosen (a name or "
                        "a position)");
    r.dates = to_date_spec(fn, o->date_format);
    r.lenient = o->lenient != 0;
    r.max_reported_errors = o->max_reported_errors;
    if (o->progress != nullptr) {
        auto* cb = o->progress;
        void* user = o->progress_user;
        r.progress = [cb, user](std::uint64_t done, std::uint64_t total) { cb(done, total, user); };
    }
    if (covers(offsetof(ltv_read_options, max_record_bytes), sizeof o->max_record_bytes))
        r.max_record_bytes = o->max_record_bytes;
    if (covers(offsetof(ltv_read_options, time_zone), sizeof o->time_zone))
        set_zone(fn, "options->time_zone", o->time_zone, r.dates);
    return r;
}

ltv::summary_options to_summary_options(const char* fn, const ltv_summary_options* o) {
    ltv::summary_options s;
    if (o == nullptr) return s;
    require_struct_size(fn, "options", o->struct_size, sizeof(ltv_summary_options),
                        "initialise the struct with ltv_summary_options_init");
    if (o->observation_end != LTV_NO_DATE) {
        ltv::detail::require_day(fn, "options->observation_end", o->observation_end);
        s.observation_end = o->observation_end;
    }
    if (o->calibration_end != LTV_NO_DATE) {
        ltv::detail::require_day(fn, "options->calibration_end", o->calibration_end);
        s.calibration_end = o->calibration_end;
    }
    if (o->merge < LTV_MERGE_NONE || o->merge > LTV_MERGE_MONTH)
        throw error(status::invalid_argument,
                    std::string(fn) + ": options->merge = " + std::to_string(o->merge) +
                        " is not one of LTV_MERGE_NONE (0), DAY (1), WEEK (2), MONTH (3)");
    s.merge = static_cast<ltv::merge_period>(o->merge);
    ltv::detail::require_time_unit(fn, "options->time_unit_days", o->time_unit_days);
    s.unit.days = o->time_unit_days;
    return s;
}

/// Stores the report's messages in `store` and fills out (if given).
void fill_report(const char* fn, const ltv::read_report& r, std::string& store,
                 ltv_read_report* out) {
    store.clear();
    for (const auto& e : r.errors) {
        store += e.message;
        store += '\n';
    }
    if (out == nullptr) return;
    require_struct_size(fn, "out_report", out->struct_size, sizeof(ltv_read_report),
                        "set it to sizeof(ltv_read_report) first");
    auto col = [](std::size_t c) { return c == ltv::column_ref::npos ? -1 : static_cast<int>(c); };
    out->rows = r.rows;
    out->skipped = r.skipped;
    out->blank_lines = r.blank_lines;
    out->lines = r.lines;
    out->bytes = r.bytes;
    out->delimiter = static_cast<unsigned char>(r.delimiter);
    out->customer_column = col(r.customer_column);
    out->date_column = col(r.date_column);
    out->amount_column = col(r.amount_column);
    out->errors_reported = r.errors.size();
    out->errors = store.c_str();
}

/// Checks the packed-id arrays and calls f(i, id, day, amount) for every row.
template <class F>
void for_each_packed(const char* fn, const char* id_chars, const std::size_t* id_offsets,
                     const std::int32_t* days, const double* amounts, std::size_t n, F&& f) {
    if (n == 0) return;
    ltv::detail::require_array(fn, "id_offsets", id_offsets, n + 1);
    ltv::detail::require_array(fn, "days", days, n);
    if (id_chars == nullptr && id_offsets[n] != id_offsets[0])
        throw error(status::invalid_argument,
                    std::string(fn) + ": argument 'id_chars' is a null pointer");
    for (std::size_t i = 0; i < n; ++i) {
        if (id_offsets[i + 1] < id_offsets[i])
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'id_offsets[" + std::to_string(i + 1) +
                            "]' = " + std::to_string(id_offsets[i + 1]) +
                            " is less than id_offsets[" + std::to_string(i) + "] = " +
                            std::to_string(id_offsets[i]) + " (offsets must not decrease)");
        if (id_offsets[i + 1] == id_offsets[i])
            throw error(status::invalid_argument,
                        std::string(fn) + ": customer id " + std::to_string(i) + " is empty");
        if (!ltv::is_supported_day(days[i]))
            ltv::detail::require_day(fn, ltv::detail::arg_name("days", i), days[i]);
        const double amount = amounts ? amounts[i] : 0.0;
        if (amounts) ltv::detail::require_finite(fn, ltv::detail::arg_name("amounts", i), amount);
        f(std::string_view(id_chars + id_offsets[i], id_offsets[i + 1] - id_offsets[i]), days[i],
          amount);
    }
}

/// Copies ids (count n, id(i) → string_view) out with the two-call pattern. Every argument is
/// checked before anything is written: on an error no output (not even *out_chars_size) changes.
/// The size query (chars NULL, chars_capacity 0) writes only *out_chars_size.
template <class IdAt>
void copy_ids(const char* fn, std::size_t n, IdAt&& id_at, char* chars, std::size_t chars_capacity,
              std::size_t* offsets, std::size_t offsets_capacity, std::size_t* out_chars_size) {
    require_out(fn, "out_chars_size", out_chars_size);
    const bool size_query = chars == nullptr && chars_capacity == 0;
    if (!size_query) {
        ltv::detail::require_array(fn, "chars", chars, chars_capacity);
        ltv::detail::require_array(fn, "offsets", offsets, offsets_capacity);
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += id_at(i).size();
    if (size_query) {
        *out_chars_size = total;
        return;
    }
    if (chars_capacity < total)
        throw error(status::buffer_too_small, std::string(fn) + ": the buffer 'chars' holds " +
                                                  std::to_string(chars_capacity) + " bytes but " +
                                                  std::to_string(total) + " are needed");
    if (offsets_capacity < n + 1)
        throw error(status::buffer_too_small, std::string(fn) + ": the buffer 'offsets' holds " +
                                                  std::to_string(offsets_capacity) +
                                                  " entries but " + std::to_string(n + 1) +
                                                  " are needed");
    *out_chars_size = total;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = id_at(i);
        offsets[i] = pos;
        if (!id.empty()) std::memcpy(chars + pos, id.data(), id.size());
        pos += id.size();
    }
    offsets[n] = pos;
}

template <class T>
void require_capacity(const char* fn, const char* name, const T* out, std::size_t capacity,
                      std::size_t needed) {
    if (out == nullptr) return;
    if (capacity < needed)
        throw error(status::buffer_too_small, std::string(fn) + ": the buffer '" + name +
                                                  "' holds " + std::to_string(capacity) +
                                                  " entries but " + std::to_string(needed) +
                                                  " are needed");
}

const ltv::summary_table& table_of(const char* fn, const ltv_summary_table* t) {
    return require_handle(fn, "table", t).table;
}

const std::vector<double>& summary_column(const char* fn, const ltv::summary_table& t, int column) {
    switch (column) {
        case LTV_SUMMARY_FREQUENCY:
            return t.frequency;
        case LTV_SUMMARY_RECENCY:
            return t.recency;
        case LTV_SUMMARY_T:
            return t.T;
        case LTV_SUMMARY_MONETARY_VALUE:
            return t.monetary_value;
        case LTV_SUMMARY_TOTAL_AMOUNT:
            return t.total_amount;
        case LTV_SUMMARY_LITT:
            return t.litt;
        case LTV_SUMMARY_FREQUENCY_HOLDOUT:
        case LTV_SUMMARY_MONETARY_VALUE_HOLDOUT:
            if (!t.calibration_end)
                throw error(status::invalid_argument,
                            std::string(fn) + ": column " + std::to_string(column) +
                                " is a holdout column but the summary has no calibration/holdout "
                                "split (calibration_end was not set)");
            return column == LTV_SUMMARY_FREQUENCY_HOLDOUT ? t.frequency_holdout
                                                           : t.monetary_value_holdout;
        default:
            break;
    }
    throw error(status::invalid_argument,
                std::string(fn) + ": argument 'column' = " + std::to_string(column) +
                    " is not a numeric summary column (LTV_SUMMARY_FREQUENCY 0 … "
                    "LTV_SUMMARY_MONETARY_VALUE_HOLDOUT 7, LTV_SUMMARY_LITT 10)");
}

const ltv::transaction_log& log_of(const char* fn, const ltv_transactions* t) {
    return require_handle(fn, "log", t).log;
}

/// The handle's customer base, built at the first call that needs it (see the top).
const ltv::customer_base& base_of(const char* fn, const ltv_transactions* t) {
    const auto& h = require_handle(fn, "log", t);
    return h.base.get(h.log);
}

ltv::journey_options to_journey_options(const char* fn, const ltv_journey_options* options) {
    ltv::journey_options j;
    if (options == nullptr) return j;
    // The first release's struct ended at n_contacts; the probabilistic criterion's fields came
    // after and take their defaults for an older caller (read_struct).
    const ltv_journey_options full = ltv::capi::read_struct(
        fn, "options", options, offsetof(ltv_journey_options, n_contacts) + sizeof(size_t),
        ltv_journey_options_init);
    const ltv_journey_options* o = &full;
    if (o->alive_model != nullptr) {
        const ltv_model& m = *o->alive_model;
        const auto& ops = ltv::capi::require_capability(fn, m, ltv::capability::p_alive,
                                                        "options->alive_model: P(alive)");
        ltv::capi::require_params(fn, m, "options->alive_model");
        ltv::detail::require_probability(fn, "options->alive_threshold", o->alive_threshold);
        ltv::detail::require_nonnegative(fn, "options->alive_unit_days", o->alive_unit_days);
        std::optional<ltv::time_unit> unit;  // (none: the model's own, else weeks)
        if (o->alive_unit_days > 0) unit = ltv::time_unit{o->alive_unit_days};
        j.p_alive = ltv::p_alive_criterion(ops, m.state, unit);
        j.alive_threshold = o->alive_threshold;
    }
    if (std::isnan(o->cycle_days))
        ltv::detail::require_finite(fn, "options->cycle_days", o->cycle_days);
    if (o->cycle_days >= 0) j.cycle_days = o->cycle_days;
    if (std::isnan(o->lost_days))
        ltv::detail::require_finite(fn, "options->lost_days", o->lost_days);
    if (o->lost_days >= 0) j.lost_days = o->lost_days;
    j.cycle_percentile = o->cycle_percentile;
    ltv::detail::require_positive(fn, "options->lost_multiple", o->lost_multiple);
    j.lost_multiple = o->lost_multiple;
    if (o->n_contacts > 0) {
        ltv::detail::require_array(fn, "options->contacts", o->contacts, o->n_contacts);
        for (std::size_t i = 0; i < o->n_contacts; ++i) {
            if (o->contacts[i] == nullptr)
                throw error(status::invalid_argument, std::string(fn) + ": options->contacts[" +
                                                          std::to_string(i) +
                                                          "] is a null pointer");
            j.contacts.emplace_back(o->contacts[i]);
        }
    }
    return j;
}

/// Customer c of the base has a purchase on or before `as_of`.
bool bought_by(const ltv::customer_base& b, std::uint32_t c, ltv::day_number as_of) {
    const auto d = b.days_of(c);
    return !d.empty() && d[0] <= as_of;
}

const std::vector<ltv::rfm_rule>& default_segments() {
    static const std::vector<ltv::rfm_rule> rules = ltv::rfm_default_segments();
    return rules;
}

}  // namespace

extern "C" {

LTV_API int ltv_parse_date(const char* text, int32_t* out_day) {
    constexpr const char* fn = "ltv_parse_date";
    return guard(fn, [&] {
        require_out(fn, "out_day", out_day);
        if (text == nullptr)
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'text' is a null pointer");
        try {
            *out_day = ltv::parse_date(text);
        } catch (const error& e) {
            throw error(e.code(), std::string(fn) + ": " + e.what());
        }
    });
}

LTV_API int ltv_parse_date_in_zone(const char* text, const char* zone, int32_t* out_day) {
    constexpr const char* fn = "ltv_parse_date_in_zone";
    return guard(fn, [&] {
        require_out(fn, "out_day", out_day);
        if (text == nullptr)
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'text' is a null pointer");
        ltv::date_spec spec;
        set_zone(fn, "argument 'zone'", zone, spec);
        try {
            *out_day = ltv::parse_date(text, spec);
        } catch (const error& e) {
            throw error(e.code(), std::string(fn) + ": " + e.what());
        }
    });
}

LTV_API int ltv_days_in_zone(const int64_t* utc_seconds, size_t n, const char* zone,
                             int32_t* out_days) {
    constexpr const char* fn = "ltv_days_in_zone";
    return guard(fn, [&] {
        if (zone == nullptr || *zone == '\0')
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'zone' is " +
                            (zone == nullptr ? "a null pointer" : "empty") +
                            " (name a zone, such as UTC or Europe/Berlin)");
        ltv::date_spec spec;
        set_zone(fn, "argument 'zone'", zone, spec);
        if (n == 0) return;
        ltv::detail::require_array(fn, "utc_seconds", utc_seconds, n);
        ltv::detail::require_array(fn, "out_days", out_days, n);
        // Instants whose day is supported lie within ±2^38 s; checking that first keeps the
        // zone's arithmetic (offsets below 2^18 s) far from int64 overflow.
        constexpr std::int64_t lo = std::int64_t(ltv::min_supported_day - 2) * 86400;
        constexpr std::int64_t hi = std::int64_t(ltv::max_supported_day + 2) * 86400;
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t t = utc_seconds[i];
            const std::int64_t day = t < lo || t > hi ? std::int64_t(ltv::min_supported_day) - 1
                                                      : spec.zone->local_day(t);
            if (day < ltv::min_supported_day || day > ltv::max_supported_day)
                throw error(status::invalid_argument,
                            std::string(fn) + ": argument 'utc_seconds[" + std::to_string(i) +
                                "]' = " + std::to_string(t) +
                                " is not an instant of the years 1..9999 in zone '" + zone + "'");
            out_days[i] = static_cast<std::int32_t>(day);
        }
    });
}

LTV_API int ltv_read_options_init(ltv_read_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_read_options_init";
    return guard(fn, [&] {
        ltv_read_options full{};
                full.delimiter = 0;
        full.header = 1;
        full.customer_column = "customer_id";
        full.date_column = "date";
        full.amount_column = "amount";
        full.customer_index = -1;
        full.date_index = -1;
        full.amount_index = -1;
        full.amount_optional = 1;
        full.date_format = nullptr;
        full.lenient = 0;
        full.max_reported_errors = 20;
        full.progress = nullptr;
        full.progress_user = nullptr;
        full.max_record_bytes = ltv::read_options{}.max_record_bytes;
        full.time_zone = nullptr;
        // Released with fields up to progress_user; max_record_bytes came after.
        ltv::capi::init_struct(fn, options, struct_size, full,
                    offsetof(ltv_read_options, progress_user) + sizeof(void*));
    });
}

LTV_API int ltv_summary_options_init(ltv_summary_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_summary_options_init";
    return guard(fn, [&] {
        ltv_summary_options full{};
                full.observation_end = LTV_NO_DATE;
        full.calibration_end = LTV_NO_DATE;
        full.merge = LTV_MERGE_DAY;
        full.time_unit_days = ltv::default_time_unit().days;
        ltv::capi::init_struct(fn, options, struct_size, full, sizeof(ltv_summary_options));
    });
}

// ---- summary tables ---------------------------------------------------------------------------

LTV_API int ltv_summary_table_free(ltv_summary_table* table) {
    delete table;
    return LTV_OK;
}

LTV_API int ltv_summary_table_info(const ltv_summary_table* table, ltv_summary_info* out_info) {
    constexpr const char* fn = "ltv_summary_table_info";
    return guard(fn, [&] {
        const auto& t = table_of(fn, table);
        require_out(fn, "out_info", out_info);
        require_struct_size(fn, "out_info", out_info->struct_size, sizeof(ltv_summary_info),
                            "set it to sizeof(ltv_summary_info) first");
        out_info->customers = t.size();
        out_info->observation_end = t.observation_end;
        out_info->calibration_end = t.calibration_end ? *t.calibration_end : LTV_NO_DATE;
        out_info->has_holdout = t.calibration_end ? 1 : 0;
        out_info->merge = static_cast<int>(t.merge);
        out_info->time_unit_days = t.unit.days;
        out_info->duration_holdout = t.duration_holdout;
        out_info->transactions_after_end = t.transactions_after_end;
        out_info->customers_holdout_only = t.customers_holdout_only;
        out_info->unverified_transactions = t.unverified_transactions;
    });
}

LTV_API int ltv_summary_table_column(const ltv_summary_table* table, int column, double* out,
                                     size_t capacity) {
    constexpr const char* fn = "ltv_summary_table_column";
    return guard(fn, [&] {
        const auto& t = table_of(fn, table);
        const std::size_t n = t.size();
        if (column == LTV_SUMMARY_TRANSACTIONS) {
            ltv::detail::require_array(fn, "out", out, capacity);
            require_capacity(fn, "out", out, capacity, n);
            for (std::size_t i = 0; i < n; ++i) out[i] = t.transactions[i];
            return;
        }
        const auto& v = summary_column(fn, t, column);
        ltv::detail::require_array(fn, "out", out, capacity);
        require_capacity(fn, "out", out, capacity, n);
        std::copy(v.begin(), v.end(), out);
    });
}

LTV_API int ltv_summary_table_days(const ltv_summary_table* table, int column, int32_t* out,
                                   size_t capacity) {
    constexpr const char* fn = "ltv_summary_table_days";
    return guard(fn, [&] {
        const auto& t = table_of(fn, table);
        if (column != LTV_SUMMARY_FIRST_PURCHASE && column != LTV_SUMMARY_LAST_PURCHASE)
            throw error(
                status::invalid_argument,
                std::string(fn) + ": argument 'column' = " + std::to_string(column) +
                    " is not LTV_SUMMARY_FIRST_PURCHASE (8) or LTV_SUMMARY_LAST_PURCHASE (9)");
        ltv::detail::require_array(fn, "out", out, capacity);
        require_capacity(fn, "out", out, capacity, t.size());
        const auto& v = column == LTV_SUMMARY_FIRST_PURCHASE ? t.first_purchase : t.last_purchase;
        std::copy(v.begin(), v.end(), out);
    });
}

LTV_API int ltv_summary_table_ids(const ltv_summary_table* table, char* chars,
                                  size_t chars_capacity, size_t* offsets, size_t offsets_capacity,
                                  size_t* out_chars_size) {
    constexpr const char* fn = "ltv_summary_table_ids";
    return guard(fn, [&] {
        const auto& t = table_of(fn, table);
        copy_ids(
            fn, t.size(), [&](std::size_t i) { return std::string_view(t.customer[i]); }, chars,
            chars_capacity, offsets, offsets_capacity, out_chars_size);
    });
}

LTV_API int ltv_summarize_file(const char* path, const ltv_read_options* read,
                               const ltv_summary_options* options, ltv_summary_table** out_table,
                               ltv_read_report* out_report) {
    constexpr const char* fn = "ltv_summarize_file";
    return guard(fn, [&] {
        require_out(fn, "out_table", out_table);
        require_path(fn, path);
        const auto ro = to_read_options(fn, read);
        const auto so = to_summary_options(fn, options);
        auto* t = new ltv_summary_table;
        try {
            ltv::read_report rep;
            t->table = ltv::summarize(std::string(path), ro, so, &rep);
            fill_report(fn, rep, t->read_errors, out_report);
        } catch (...) {
            delete t;
            throw;
        }
        *out_table = t;
    });
}

// ---- the incremental summary state -----------------------------------------------------------

LTV_API int ltv_summary_create(const ltv_summary_options* options, ltv_summary** out_summary) {
    constexpr const char* fn = "ltv_summary_create";
    return guard(fn, [&] {
        require_out(fn, "out_summary", out_summary);
        *out_summary = new ltv_summary{ltv::summary_state(to_summary_options(fn, options)), {}};
    });
}

LTV_API int ltv_summary_free(ltv_summary* summary) {
    delete summary;
    return LTV_OK;
}

LTV_API int ltv_summary_add(ltv_summary* summary, const char* id_chars, const size_t* id_offsets,
                            const int32_t* days, const double* amounts, size_t n) {
    constexpr const char* fn = "ltv_summary_add";
    return guard(fn, [&] {
        auto& s = require_handle(fn, "summary", summary);
        std::vector<ltv::transaction_row> rows;
        rows.reserve(n);
        for_each_packed(fn, id_chars, id_offsets, days, amounts, n,
                        [&](std::string_view id, std::int32_t day, double amount) {
                            ltv::transaction_row r;
                            r.customer = id;
                            r.day = day;
                            r.amount = amount;
                            rows.push_back(r);
                        });
        s.state.add_batch({rows.data(), rows.size()});
    });
}

LTV_API int ltv_summary_add_strings(ltv_summary* summary, const char* const* ids,
                                    const int32_t* days, const double* amounts, size_t n) {
    constexpr const char* fn = "ltv_summary_add_strings";
    return guard(fn, [&] {
        auto& s = require_handle(fn, "summary", summary);
        if (n == 0) return;
        ltv::detail::require_array(fn, "ids", ids, n);
        ltv::detail::require_array(fn, "days", days, n);
        std::vector<ltv::transaction_row> rows(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (ids[i] == nullptr || ids[i][0] == '\0')
                throw error(status::invalid_argument,
                            std::string(fn) + ": customer id " + std::to_string(i) +
                                (ids[i] == nullptr ? " is a null pointer" : " is empty"));
            if (!ltv::is_supported_day(days[i]))
                ltv::detail::require_day(fn, ltv::detail::arg_name("days", i), days[i]);
            if (amounts)
                ltv::detail::require_finite(fn, ltv::detail::arg_name("amounts", i), amounts[i]);
            rows[i].customer = ids[i];
            rows[i].day = days[i];
            rows[i].amount = amounts ? amounts[i] : 0.0;
        }
        s.state.add_batch({rows.data(), rows.size()});
    });
}

LTV_API int ltv_summary_add_file(ltv_summary* summary, const char* path,
                                 const ltv_read_options* read, ltv_read_report* out_report) {
    constexpr const char* fn = "ltv_summary_add_file";
    return guard(fn, [&] {
        auto& s = require_handle(fn, "summary", summary);
        require_path(fn, path);
        const auto ro = to_read_options(fn, read);
        const auto rep = s.state.add_file(path, ro);
        fill_report(fn, rep, s.read_errors, out_report);
    });
}

LTV_API int ltv_summary_counts(const ltv_summary* summary, size_t* out_customers,
                               uint64_t* out_transactions, uint64_t* out_unverified) {
    constexpr const char* fn = "ltv_summary_counts";
    return guard(fn, [&] {
        const auto& s = require_handle(fn, "summary", summary);
        if (out_customers) *out_customers = s.state.customers();
        if (out_transactions) *out_transactions = s.state.transactions();
        if (out_unverified) *out_unverified = s.state.unverified_transactions();
    });
}

LTV_API int ltv_summary_result(const ltv_summary* summary, ltv_summary_table** out_table) {
    constexpr const char* fn = "ltv_summary_result";
    return guard(fn, [&] {
        const auto& s = require_handle(fn, "summary", summary);
        require_out(fn, "out_table", out_table);
        *out_table = new ltv_summary_table{s.state.result(), {}};
    });
}

LTV_API int ltv_summary_save(const ltv_summary* summary, const char* path) {
    constexpr const char* fn = "ltv_summary_save";
    return guard(fn, [&] {
        const auto& s = require_handle(fn, "summary", summary);
        require_path(fn, path);
        s.state.save_file(path);
    });
}

LTV_API int ltv_summary_load(const char* path, ltv_summary** out_summary) {
    constexpr const char* fn = "ltv_summary_load";
    return guard(fn, [&] {
        require_out(fn, "out_summary", out_summary);
        require_path(fn, path);
        *out_summary = new ltv_summary{ltv::summary_state::restore_file(path), {}};
    });
}

// ---- transaction logs in memory ---------------------------------------------------------------

LTV_API int ltv_transactions_create(ltv_transactions** out_log) {
    constexpr const char* fn = "ltv_transactions_create";
    return guard(fn, [&] {
        require_out(fn, "out_log", out_log);
        *out_log = new ltv_transactions;
    });
}

LTV_API int ltv_transactions_free(ltv_transactions* log) {
    delete log;
    return LTV_OK;
}

LTV_API int ltv_transactions_add(ltv_transactions* log, const char* id_chars,
                                 const size_t* id_offsets, const int32_t* days,
                                 const double* amounts, size_t n) {
    constexpr const char* fn = "ltv_transactions_add";
    return guard(fn, [&] {
        auto& h = require_handle(fn, "log", log);
        auto& l = h.log;
        // Validate everything first so that a failed call leaves the log unchanged.
        for_each_packed(fn, id_chars, id_offsets, days, amounts, n,
                        [](std::string_view, std::int32_t, double) {});
        if (n > 0) h.base.reset();  // before the first change (which may throw half way)
        l.rows.reserve(l.rows.size() + n);
        for_each_packed(fn, id_chars, id_offsets, days, amounts, n,
                        [&](std::string_view id, std::int32_t day, double amount) {
                            l.rows.push_back({l.customers.intern(id), day, amount, 0});
                        });
    });
}

LTV_API int ltv_transactions_add_file(ltv_transactions* log, const char* path,
                                      const ltv_read_options* read, ltv_read_report* out_report) {
    constexpr const char* fn = "ltv_transactions_add_file";
    return guard(fn, [&] {
        auto& h = require_handle(fn, "log", log);
        require_path(fn, path);
        const auto ro = to_read_options(fn, read);
        // Read into a copy-free staging log, then append: a failed read leaves the log unchanged.
        ltv::transaction_log staged;
        const auto rep = ltv::read_transactions(path, ro, [&](const ltv::transaction_row& r) {
            staged.rows.push_back(
                {staged.customers.intern(r.customer), r.day, r.amount, r.quantity});
        });
        h.base.reset();  // the read succeeded: the log changes now
        if (h.log.rows.empty() && h.log.customers.size() == 0) {
            h.log.customers = std::move(staged.customers);
            h.log.rows = std::move(staged.rows);
        } else {
            h.log.rows.reserve(h.log.rows.size() + staged.rows.size());
            for (const auto& t : staged.rows)
                h.log.rows.push_back({h.log.customers.intern(staged.customers[t.customer]), t.day,
                                      t.amount, t.quantity});
        }
        h.log.report = rep;
        fill_report(fn, rep, h.read_errors, out_report);
    });
}

LTV_API int ltv_transactions_counts(const ltv_transactions* log, size_t* out_customers,
                                    size_t* out_rows) {
    constexpr const char* fn = "ltv_transactions_counts";
    return guard(fn, [&] {
        const auto& l = log_of(fn, log);
        if (out_customers) *out_customers = l.customers.size();
        if (out_rows) *out_rows = l.rows.size();
    });
}

LTV_API int ltv_transactions_ids(const ltv_transactions* log, char* chars, size_t chars_capacity,
                                 size_t* offsets, size_t offsets_capacity, size_t* out_chars_size) {
    constexpr const char* fn = "ltv_transactions_ids";
    return guard(fn, [&] {
        const auto& l = log_of(fn, log);
        copy_ids(
            fn, l.customers.size(),
            [&](std::size_t i) { return l.customers[static_cast<std::uint32_t>(i)]; }, chars,
            chars_capacity, offsets, offsets_capacity, out_chars_size);
    });
}

LTV_API int ltv_compare_transactions(const ltv_transactions* log,
                                     const ltv_summary_options* summary,
                                     const ltv_compare_options* options,
                                     ltv_evaluation** out_evaluation) {
    constexpr const char* fn = "ltv_compare_transactions";
    return guard(fn, [&] {
        require_handle(fn, "log", log);
        require_out(fn, "out_evaluation", out_evaluation);
        if (summary == nullptr || summary->calibration_end == LTV_NO_DATE)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'summary' must set calibration_end "
                                               "(the end of the calibration period)");
        const auto so = to_summary_options(fn, summary);
        const ltv::customer_base& base = base_of(fn, log);
        *out_evaluation = ltv::capi::make_evaluation(fn, ltv::summarize(base, so), &base, options);
    });
}

LTV_API int ltv_transactions_summarize(const ltv_transactions* log,
                                       const ltv_summary_options* options,
                                       ltv_summary_table** out_table) {
    constexpr const char* fn = "ltv_transactions_summarize";
    return guard(fn, [&] {
        require_handle(fn, "log", log);
        require_out(fn, "out_table", out_table);
        const auto so = to_summary_options(fn, options);
        *out_table = new ltv_summary_table{ltv::summarize(base_of(fn, log), so), {}};
    });
}

// ---- journey ----------------------------------------------------------------------------------

LTV_API int ltv_journey_options_init(ltv_journey_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_journey_options_init";
    return guard(fn, [&] {
        ltv_journey_options full{};
        const ltv::journey_options d;
                full.cycle_days = -1;
        full.cycle_percentile = d.cycle_percentile;
        full.lost_multiple = d.lost_multiple;
        full.lost_days = -1;
        full.contacts = nullptr;
        full.n_contacts = 0;
        full.alive_model = nullptr;
        full.alive_threshold = d.alive_threshold;
        full.alive_unit_days = 0;
        ltv::capi::init_struct(fn, options, struct_size, full,
                               offsetof(ltv_journey_options, n_contacts) + sizeof(size_t));
    });
}

LTV_API int ltv_journey_status_name(int status_code, const char** out_name) {
    constexpr const char* fn = "ltv_journey_status_name";
    return guard(fn, [&] {
        require_out(fn, "out_name", out_name);
        if (status_code == LTV_JOURNEY_NONE) {
            *out_name = "none";
            return;
        }
        if (status_code < 0 || status_code >= LTV_JOURNEY_STATUSES)
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'status' = " + std::to_string(status_code) +
                            " is not a journey status (−1 … 5)");
        *out_name = ltv::to_string(static_cast<ltv::journey_status>(status_code));
    });
}

LTV_API int ltv_transactions_journey(const ltv_transactions* log, int32_t as_of,
                                     const ltv_journey_options* options, int32_t* out_status,
                                     double* out_days_since_last, size_t capacity,
                                     ltv_journey_summary* out_summary) {
    constexpr const char* fn = "ltv_transactions_journey";
    return guard(fn, [&] {
        const std::size_t n = log_of(fn, log).customers.size();
        const auto jo = to_journey_options(fn, options);
        if (out_status || out_days_since_last) {
            require_capacity(fn, "out_status", out_status, capacity, n);
            require_capacity(fn, "out_days_since_last", out_days_since_last, capacity, n);
        }
        if (out_summary)
            require_struct_size(fn, "out_summary", out_summary->struct_size,
                                sizeof(ltv_journey_summary),
                                "set it to sizeof(ltv_journey_summary) first");
        const auto& b = base_of(fn, log);
        const auto r = ltv::journey(b, as_of, jo);
        // journey() lists customers with a purchase by as_of in index order, then the leads.
        std::size_t row = 0;
        std::vector<std::int32_t> st(n, LTV_JOURNEY_NONE);
        std::vector<double> silence(n, std::nan(""));
        for (std::uint32_t c = 0; c < n; ++c) {
            if (!bought_by(b, c, as_of)) continue;
            st[c] = static_cast<std::int32_t>(r.status[row]);
            silence[c] = r.days_since_last[row];
            ++row;
        }
        for (; row < r.customer.size(); ++row) {  // leads that are customers of the log
            const auto c = b.customers().find(r.customer[row]);
            if (c != ltv::customer_ids::npos) st[c] = LTV_JOURNEY_LEAD;
        }
        if (out_status) std::copy(st.begin(), st.end(), out_status);
        if (out_days_since_last) std::copy(silence.begin(), silence.end(), out_days_since_last);
        if (out_summary) {
            out_summary->cycle_days = r.cycle_days;
            out_summary->lost_days = r.lost_days;
            for (int k = 0; k < LTV_JOURNEY_STATUSES; ++k) out_summary->counts[k] = r.counts[k];
        }
    });
}

LTV_API int ltv_transactions_monthly_journey(const ltv_transactions* log,
                                             const ltv_journey_options* options, int32_t until,
                                             int32_t* out_month_end, size_t* out_counts,
                                             size_t capacity, size_t* out_months,
                                             double* out_cycle_days, double* out_lost_days) {
    constexpr const char* fn = "ltv_transactions_monthly_journey";
    return guard(fn, [&] {
        require_handle(fn, "log", log);
        require_out(fn, "out_months", out_months);
        const auto jo = to_journey_options(fn, options);
        if (jo.p_alive)
            throw error(status::invalid_argument,
                        std::string(fn) + ": options->alive_model applies to one date "
                                          "(ltv_transactions_journey), not to month ends");
        const auto& b = base_of(fn, log);
        const auto last =
            until == LTV_NO_DATE ? std::nullopt : std::optional<ltv::day_number>(until);
        if (out_month_end == nullptr && out_counts == nullptr && capacity == 0) {
            // The size query: the months and thresholds, with monthly_journey's checks, without
            // counting statuses month by month.
            const auto f = ltv::detail::monthly_journey_frame(b.history(), jo, last);
            *out_months = f.months;
            if (out_cycle_days) *out_cycle_days = f.cycle_days;
            if (out_lost_days) *out_lost_days = f.lost_days;
            return;
        }
        const auto m = ltv::monthly_journey(b, jo, last);
        const std::size_t months = m.month_end.size();
        require_capacity(fn, "out_month_end", out_month_end, capacity, months);
        require_capacity(fn, "out_counts", out_counts, capacity, months);
        *out_months = months;
        for (std::size_t i = 0; i < months; ++i) {
            if (out_month_end) out_month_end[i] = m.month_end[i];
            if (out_counts)
                for (int k = 0; k < LTV_JOURNEY_STATUSES; ++k)
                    out_counts[i * LTV_JOURNEY_STATUSES + static_cast<std::size_t>(k)] =
                        m.counts[i][static_cast<std::size_t>(k)];
        }
        if (out_cycle_days) *out_cycle_days = m.cycle_days;
        if (out_lost_days) *out_lost_days = m.lost_days;
    });
}

// ---- RFM --------------------------------------------------------------------------------------

LTV_API int ltv_rfm_segment_name(int segment, const char** out_name) {
    constexpr const char* fn = "ltv_rfm_segment_name";
    return guard(fn, [&] {
        require_out(fn, "out_name", out_name);
        const auto& rules = default_segments();
        if (segment < 0 || static_cast<std::size_t>(segment) >= rules.size())
            throw error(status::invalid_argument,
                        std::string(fn) + ": argument 'segment' = " + std::to_string(segment) +
                            " is out of range (0 … " + std::to_string(rules.size() - 1) + ")");
        *out_name = rules[static_cast<std::size_t>(segment)].segment.c_str();
    });
}

LTV_API int ltv_transactions_rfm(const ltv_transactions* log, int32_t as_of,
                                 double* out_recency_days, double* out_frequency,
                                 double* out_monetary, int32_t* out_r, int32_t* out_f,
                                 int32_t* out_m, int32_t* out_segment, size_t capacity) {
    constexpr const char* fn = "ltv_transactions_rfm";
    return guard(fn, [&] {
        const std::size_t n = log_of(fn, log).customers.size();
        require_capacity(fn, "out_recency_days", out_recency_days, capacity, n);
        require_capacity(fn, "out_frequency", out_frequency, capacity, n);
        require_capacity(fn, "out_monetary", out_monetary, capacity, n);
        require_capacity(fn, "out_r", out_r, capacity, n);
        require_capacity(fn, "out_f", out_f, capacity, n);
        require_capacity(fn, "out_m", out_m, capacity, n);
        require_capacity(fn, "out_segment", out_segment, capacity, n);
        const auto& b = base_of(fn, log);
        const auto& rules = default_segments();
        const auto t = ltv::rfm(b, as_of, rules);
        std::size_t row = 0;
        const double nan = std::nan("");
        for (std::uint32_t c = 0; c < n; ++c) {
            const bool has = bought_by(b, c, as_of);
            int seg = -1;
            if (has)
                for (std::size_t k = 0; k < rules.size(); ++k)
                    if (rules[k].matches(t.r[row], t.f[row], t.m[row])) {
                        seg = static_cast<int>(k);
                        break;
                    }
            if (out_recency_days) out_recency_days[c] = has ? t.recency_days[row] : nan;
            if (out_frequency) out_frequency[c] = has ? t.frequency[row] : nan;
            if (out_monetary) out_monetary[c] = has ? t.monetary[row] : nan;
            if (out_r) out_r[c] = has ? t.r[row] : 0;
            if (out_f) out_f[c] = has ? t.f[row] : 0;
            if (out_m) out_m[c] = has ? t.m[row] : 0;
            if (out_segment) out_segment[c] = seg;
            if (has) ++row;
        }
    });
}

// ---- cohorts and period retention ------------------------------------------------------------

LTV_API int ltv_transactions_cohorts(const ltv_transactions* log, int32_t until,
                                     int32_t* out_cohort_start, size_t* out_size,
                                     double* out_active, double* out_active_or_later,
                                     size_t capacity, size_t* out_cohorts) {
    constexpr const char* fn = "ltv_transactions_cohorts";
    return guard(fn, [&] {
        require_handle(fn, "log", log);
        require_out(fn, "out_cohorts", out_cohorts);
        const auto& b = base_of(fn, log);
        const auto last =
            until == LTV_NO_DATE ? std::nullopt : std::optional<ltv::day_number>(until);
        if (!out_cohort_start && !out_size && !out_active && !out_active_or_later &&
            capacity == 0) {
            // The size query: the number of months, with cohort_retention's checks, no table.
            *out_cohorts = ltv::detail::cohort_span(b, last).months;
            return;
        }
        const auto t = ltv::cohort_retention(b, last);
        const std::size_t n = t.cohort.size();
        require_capacity(fn, "out_cohort_start", out_cohort_start, capacity, n);
        require_capacity(fn, "out_size", out_size, capacity, n);
        require_capacity(fn, "out_active", out_active, capacity, n);
        require_capacity(fn, "out_active_or_later", out_active_or_later, capacity, n);
        *out_cohorts = n;
        const double nan = std::nan("");
        for (std::size_t c = 0; c < n; ++c) {
            if (out_cohort_start) out_cohort_start[c] = t.cohort[c];
            if (out_size) out_size[c] = t.size[c];
            for (std::size_t k = 0; k < n; ++k) {
                const bool in = k < t.active[c].size();
                if (out_active) out_active[c * n + k] = in ? t.active[c][k] : nan;
                if (out_active_or_later)
                    out_active_or_later[c * n + k] = in ? t.active_or_later[c][k] : nan;
            }
        }
    });
}

LTV_API int ltv_transactions_period_retention(const ltv_transactions* log, int32_t start,
                                              int32_t end, int window_days,
                                              ltv_period_retention* out) {
    constexpr const char* fn = "ltv_transactions_period_retention";
    return guard(fn, [&] {
        require_handle(fn, "log", log);
        require_out(fn, "out", out);
        require_struct_size(fn, "out", out->struct_size, sizeof(ltv_period_retention),
                            "set it to sizeof(ltv_period_retention) first");
        const auto r = ltv::period_retention(base_of(fn, log), start, end, window_days);
        out->customers_start = r.customers_start;
        out->new_customers = r.new_customers;
        out->customers_end = r.customers_end;
        out->retained = r.retained;
        out->reactivated = r.reactivated;
        out->retention_rate = r.retention_rate;
        out->retained_share = r.retained_share;
    });
}

}  // extern "C"

// ---- integer customer ids and merged summary states (issue 13) --------------------------------
// Integer ids are their canonical decimal text inside ltv (ltv/integer_ids.hpp); the add calls
// intern them as integers (no text per row), the readers parse the text back, all or nothing.

namespace {

/// The int64 columns of an add call: the arrays and every day and amount, checked before
/// anything changes (messages name the argument and row, as for_each_packed's).
void check_int64_rows(const char* fn, const std::int64_t* ids, const std::int32_t* days,
                      const double* amounts, std::size_t n) {
    ltv::detail::require_array(fn, "ids", ids, n);
    ltv::detail::require_array(fn, "days", days, n);
    for (std::size_t i = 0; i < n; ++i) {
        if (!ltv::is_supported_day(days[i]))
            ltv::detail::require_day(fn, ltv::detail::arg_name("days", i), days[i]);
        if (amounts && !std::isfinite(amounts[i]))
            ltv::detail::require_finite(fn, ltv::detail::arg_name("amounts", i), amounts[i]);
    }
}

/// Parses ids 0 … n−1 as int64 (all or nothing) and copies them to out[0..n).
template <class IdAt>
void copy_int64_ids(const char* fn, std::size_t n, IdAt&& id_at, std::int64_t* out,
                    std::size_t capacity) {
    ltv::detail::require_array(fn, "out", out, capacity);
    if (capacity < n)
        throw error(status::buffer_too_small, std::string(fn) + ": the buffer 'out' holds " +
                                                  std::to_string(capacity) + " entries but " +
                                                  std::to_string(n) + " are needed");
    const std::vector<std::int64_t> values = ltv::int64_ids(fn, n, id_at);
    std::copy(values.begin(), values.end(), out);
}

}  // namespace

extern "C" {

LTV_API int ltv_summary_add_int64(ltv_summary* summary, const int64_t* ids, const int32_t* days,
                                  const double* amounts, size_t n) {
    constexpr const char* fn = "ltv_summary_add_int64";
    return guard(fn, [&] {
        auto& s = require_handle(fn, "summary", summary);
        if (n == 0) return;
        check_int64_rows(fn, ids, days, amounts, n);
        s.state.add_batch(ltv::array_view<std::int64_t>(ids, n),
                          ltv::array_view<ltv::day_number>(days, n),
                          amounts ? ltv::array_view<double>(amounts, n) : ltv::array_view<double>());
    });
}

LTV_API int ltv_summary_merge(ltv_summary* into, const ltv_summary* from) {
    constexpr const char* fn = "ltv_summary_merge";
    return guard(fn, [&] {
        auto& a = require_handle(fn, "into", into);
        const auto& b = require_handle(fn, "from", from);
        a.state.merge(b.state);  // messages name summary_state::merge, as add's name add_batch
    });
}

LTV_API int ltv_summary_table_ids_int64(const ltv_summary_table* table, int64_t* out,
                                        size_t capacity) {
    constexpr const char* fn = "ltv_summary_table_ids_int64";
    return guard(fn, [&] {
        const auto& t = table_of(fn, table);
        copy_int64_ids(
            fn, t.size(), [&](std::size_t i) { return std::string_view(t.customer[i]); }, out,
            capacity);
    });
}

LTV_API int ltv_transactions_add_int64(ltv_transactions* log, const int64_t* ids,
                                       const int32_t* days, const double* amounts, size_t n) {
    constexpr const char* fn = "ltv_transactions_add_int64";
    return guard(fn, [&] {
        auto& h = require_handle(fn, "log", log);
        if (n == 0) return;
        check_int64_rows(fn, ids, days, amounts, n);  // a failed call leaves the log unchanged
        h.base.reset();  // before the first change (which may throw half way: out of memory)
        auto& l = h.log;
        l.rows.reserve(l.rows.size() + n);
        ltv::int64_id_interner interner(l.customers);
        interner.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            l.rows.push_back({interner.intern(ids[i]), days[i], amounts ? amounts[i] : 0.0, 0});
    });
}

LTV_API int ltv_transactions_ids_int64(const ltv_transactions* log, int64_t* out,
                                       size_t capacity) {
    constexpr const char* fn = "ltv_transactions_ids_int64";
    return guard(fn, [&] {
        const auto& l = log_of(fn, log);
        copy_int64_ids(
            fn, l.customers.size(),
            [&](std::size_t i) { return l.customers[static_cast<std::uint32_t>(i)]; }, out,
            capacity);
    });
}

}  // extern "C"
