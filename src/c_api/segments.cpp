// SPDX-License-Identifier: Apache-2.0
// src/c_api/segments.cpp — the ltv_segments handle: one model per segment label, fitted and
// scored in one call (ltv/segments.hpp, docs/segments.md). Generic over the registry: the
// prototype model's kind chooses the columns read, the capability the kernel.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ltv/segments.hpp"
#include "model.hpp"
#include "summary_table.hpp"

using ltv::capi::guard;
using ltv::capi::require_out;

struct ltv_segments {
    ltv::segmented_model seg;
    std::vector<ltv_model> models;  // models[k] holds seg.segments[k].model (borrowed handles)
    std::optional<ltv_model> pooled;
    int threads = 0;  // scoring batches: 0 = the process default

    explicit ltv_segments(ltv::segmented_model s, int t = 0) : seg(std::move(s)), threads(t) {
        models.reserve(seg.segments.size());
        for (const auto& m : seg.segments) {
            ltv_model h;
            h.state = m.model;
            h.threads = t;
            models.push_back(std::move(h));
        }
        if (seg.pooled) {
            pooled.emplace();
            pooled->state = *seg.pooled;
            pooled->threads = t;
        }
    }
};

namespace {

const ltv_segments& require_segments(const char* fn, const ltv_segments* s) {
    if (s == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'segments' is a null pointer");
    return *s;
}

ltv_segments& require_segments(const char* fn, ltv_segments* s) {
    if (s == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'segments' is a null pointer");
    return *s;
}

const ltv::summary_table& require_table(const char* fn, const ltv_summary_table* t) {
    if (t == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'table' is a null pointer");
    return t->table;
}

std::size_t require_index(const char* fn, const ltv_segments& s, std::size_t index) {
    if (index >= s.seg.segments.size())
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'index' = " + std::to_string(index) +
                             " is out of range; there are " +
                             std::to_string(s.seg.segments.size()) + " segments");
    return index;
}

ltv::segment_labels labels_of(const char* chars, const size_t* offsets, std::size_t n) {
    return {chars, offsets, n};
}

ltv::array_view<double> column(const double* p, std::size_t n) {
    return {p, p != nullptr ? n : 0};
}

ltv::segment_options to_segment_options(const char* fn, const ltv_segments_options* options) {
    const ltv_segments_options o = ltv::capi::read_struct(
        fn, "options", options, sizeof(ltv_segments_options), ltv_segments_options_init);
    if (o.threads < 0)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": options->threads = " + std::to_string(o.threads) +
                             " must be ≥ 0 (0 = the process default)");
    if (o.pooled != 0 && o.pooled != 1)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": options->pooled = " + std::to_string(o.pooled) +
                             " must be 0 or 1");
    if (o.min_customers < 1)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": options->min_customers = 0 must be ≥ 1");
    ltv::segment_options s;
    s.min_customers = o.min_customers;
    s.pooled = o.pooled != 0;
    s.threads = o.threads;
    return s;
}

/// The C entry points' common fit: the prototype's kind, options and time unit (`unit`
/// overrides the time unit when not empty).
ltv_segments* fit(const char* fn, const ltv_model* prototype, const ltv::segment_columns& data,
                  const ltv::segment_labels& labels, const ltv_fit_options* fit_options,
                  const ltv_segments_options* options, const std::string& unit) {
    const auto& proto = ltv::capi::require_model(fn, prototype);
    const auto fo = ltv::capi::to_fit_options(fn, fit_options);
    const auto so = to_segment_options(fn, options);
    ltv::model_state state = proto.state;
    if (!unit.empty()) state.time_unit = unit;
    try {
        return new ltv_segments(ltv::fit_segments(state, data, labels, fo, so), so.threads);
    } catch (const ltv::error& e) {
        throw ltv::error(e.code(), std::string(fn) + ": " + e.what());
    }
}

void score(const char* fn, const ltv_segments& s, int capability_value, double argument,
           const ltv::segment_columns& data, const ltv::segment_labels& labels, double* out) {
    if (ltv::capability_name(capability_value) == nullptr ||
        !ltv::is_row_score(static_cast<ltv::capability>(capability_value)))
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'capability' = " +
                             std::to_string(capability_value) +
                             " is not a per-customer prediction (LTV_CAP_LOG_LIKELIHOOD, "
                             "_P_ALIVE, _CONDITIONAL_PURCHASES, _DERT, _SPEND or "
                             "_P_ALIVE_AHEAD)");
    ltv::capi::batch_output(fn, "out", out, labels.size(), [&](double* v) {
        try {
            ltv::score_segments(s.seg, static_cast<ltv::capability>(capability_value), argument,
                                data, labels, v, s.threads);
        } catch (const ltv::error& e) {
            throw ltv::error(e.code(), std::string(fn) + ": " + e.what());
        }
    });
}

/// The segmented CLV of the C entry points: exactly one of spend_segments / spend_model.
void segmented_clv(const char* fn, const ltv_segments* transaction,
                   const ltv_segments* spend_segments, const ltv_model* spend_model,
                   const ltv::segment_columns& data, const ltv::segment_labels& labels,
                   const ltv_clv_options* options, double* out) {
    if (transaction == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'transaction' is a null pointer");
    if ((spend_segments == nullptr) == (spend_model == nullptr))
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": give exactly one of 'spend_segments' and "
                                           "'spend_model' (the other NULL); both are " +
                             (spend_model == nullptr ? "NULL" : "set"));
    const ltv::clv_options o = ltv::capi::to_clv_options(fn, options);
    if (spend_model != nullptr)
        ltv::capi::require_ready(fn, *spend_model, ltv::capability::spend,
                                 "spend_model: the expected spend");
    ltv::capi::batch_output(fn, "out", out, labels.size(), [&](double* v) {
        try {
            if (spend_segments != nullptr)
                ltv::clv_segments(transaction->seg, spend_segments->seg, data, labels, o, v,
                                  transaction->threads);
            else
                ltv::clv_segments(transaction->seg, spend_model->state, data, labels, o, v,
                                  transaction->threads);
        } catch (const ltv::error& e) {
            throw ltv::error(e.code(), std::string(fn) + ": " + e.what());
        }
    });
}

}  // namespace

extern "C" {

LTV_API int ltv_segments_options_init(ltv_segments_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_segments_options_init";
    return guard(fn, [&] {
        ltv_segments_options full{};
        const ltv::segment_options d;
        full.min_customers = d.min_customers;
        full.pooled = d.pooled ? 1 : 0;
        full.threads = d.threads;
        ltv::capi::init_struct(fn, options, struct_size, full, sizeof(ltv_segments_options));
    });
}

LTV_API int ltv_segments_fit(const ltv_model* prototype, const double* frequency,
                             const double* recency, const double* T, const double* monetary,
                             const double* weights, const char* label_chars,
                             const size_t* label_offsets, size_t n,
                             const ltv_fit_options* fit_options,
                             const ltv_segments_options* options, ltv_segments** out_segments) {
    constexpr const char* fn = "ltv_segments_fit";
    return guard(fn, [&] {
        require_out(fn, "out_segments", out_segments);
        const ltv::segment_columns data{column(frequency, n), column(recency, n), column(T, n),
                                        column(monetary, n), column(weights, n)};
        *out_segments = fit(fn, prototype, data, labels_of(label_chars, label_offsets, n),
                            fit_options, options, "");
    });
}

LTV_API int ltv_segments_fit_summary(const ltv_model* prototype, const ltv_summary_table* table,
                                     const char* label_chars, const size_t* label_offsets,
                                     size_t n, const ltv_fit_options* fit_options,
                                     const ltv_segments_options* options,
                                     ltv_segments** out_segments) {
    constexpr const char* fn = "ltv_segments_fit_summary";
    return guard(fn, [&] {
        require_out(fn, "out_segments", out_segments);
        const auto& t = require_table(fn, table);
        if (n != t.size())
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'n' = " + std::to_string(n) +
                                 " segment labels given but the table has " +
                                 std::to_string(t.size()) + " customers");
        const ltv::segment_columns data{t.frequency, t.recency, t.T, t.monetary_value, {}};
        *out_segments = fit(fn, prototype, data, labels_of(label_chars, label_offsets, n),
                            fit_options, options, ltv::time_unit_name(t.unit));
    });
}

LTV_API int ltv_segments_free(ltv_segments* segments) {
    delete segments;
    return LTV_OK;
}

LTV_API int ltv_segments_set_threads(ltv_segments* segments, int threads) {
    constexpr const char* fn = "ltv_segments_set_threads";
    return guard(fn, [&] {
        auto& s = require_segments(fn, segments);
        if (threads < 0)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'threads' = " + std::to_string(threads) +
                                 " must be ≥ 0 (0 = the process default)");
        s.threads = threads;
        for (auto& m : s.models) m.threads = threads;
        if (s.pooled) s.pooled->threads = threads;
    });
}

LTV_API int ltv_segments_kind(const ltv_segments* segments, int* out_kind) {
    constexpr const char* fn = "ltv_segments_kind";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_kind", out_kind);
        *out_kind = static_cast<int>(s.seg.kind);
    });
}

LTV_API int ltv_segments_count(const ltv_segments* segments, size_t* out_count) {
    constexpr const char* fn = "ltv_segments_count";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_count", out_count);
        *out_count = s.seg.segments.size();
    });
}

LTV_API int ltv_segments_label(const ltv_segments* segments, size_t index, const char** out_label,
                               size_t* out_length) {
    constexpr const char* fn = "ltv_segments_label";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_label", out_label);
        const auto& seg = s.seg.segments[require_index(fn, s, index)];
        *out_label = seg.label.c_str();
        if (out_length != nullptr) *out_length = seg.label.size();
    });
}

LTV_API int ltv_segments_customers(const ltv_segments* segments, size_t index,
                                   size_t* out_customers) {
    constexpr const char* fn = "ltv_segments_customers";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_customers", out_customers);
        *out_customers = s.seg.segments[require_index(fn, s, index)].customers;
    });
}

LTV_API int ltv_segments_model(const ltv_segments* segments, size_t index,
                               const ltv_model** out_model) {
    constexpr const char* fn = "ltv_segments_model";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_model", out_model);
        *out_model = &s.models[require_index(fn, s, index)];
    });
}

LTV_API int ltv_segments_pooled(const ltv_segments* segments, const ltv_model** out_model,
                                size_t* out_customers) {
    constexpr const char* fn = "ltv_segments_pooled";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_model", out_model);
        *out_model = s.pooled ? &*s.pooled : nullptr;
        if (out_customers != nullptr) *out_customers = s.pooled ? s.seg.pooled_customers : 0;
    });
}

LTV_API int ltv_segments_find(const ltv_segments* segments, const char* label, size_t length,
                              size_t* out_index, int* out_found) {
    constexpr const char* fn = "ltv_segments_find";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_index", out_index);
        require_out(fn, "out_found", out_found);
        ltv::detail::require_array(fn, "label", label, length);
        const ltv::segment_model* m =
            s.seg.find(std::string_view(label != nullptr ? label : "", length));
        *out_found = m != nullptr ? 1 : 0;
        if (m != nullptr) *out_index = static_cast<std::size_t>(m - s.seg.segments.data());
    });
}

LTV_API int ltv_segments_score(const ltv_segments* segments, int capability, double argument,
                               const double* frequency, const double* recency, const double* T,
                               const double* monetary, const char* label_chars,
                               const size_t* label_offsets, size_t n, double* out) {
    constexpr const char* fn = "ltv_segments_score";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        const ltv::segment_columns data{column(frequency, n), column(recency, n), column(T, n),
                                        column(monetary, n), {}};
        score(fn, s, capability, argument, data, labels_of(label_chars, label_offsets, n), out);
    });
}

LTV_API int ltv_segments_score_summary(const ltv_segments* segments,
                                       const ltv_summary_table* table, const char* label_chars,
                                       const size_t* label_offsets, size_t n, int capability,
                                       double argument, double* out, size_t capacity) {
    constexpr const char* fn = "ltv_segments_score_summary";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        const auto& t = require_table(fn, table);
        if (n != t.size())
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'n' = " + std::to_string(n) +
                                 " segment labels given but the table has " +
                                 std::to_string(t.size()) + " customers");
        ltv::capi::require_capacity(fn, out, capacity, n);
        const ltv::segment_columns data{t.frequency, t.recency, t.T, t.monetary_value, {}};
        score(fn, s, capability, argument, data, labels_of(label_chars, label_offsets, n), out);
    });
}

LTV_API int ltv_segments_customer_lifetime_value(const ltv_segments* transaction,
                                                 const ltv_segments* spend_segments,
                                                 const ltv_model* spend_model,
                                                 const double* frequency, const double* recency,
                                                 const double* T, const double* monetary,
                                                 const char* label_chars,
                                                 const size_t* label_offsets, size_t n,
                                                 const ltv_clv_options* options, double* out) {
    constexpr const char* fn = "ltv_segments_customer_lifetime_value";
    return guard(fn, [&] {
        const ltv::segment_columns data{column(frequency, n), column(recency, n), column(T, n),
                                        column(monetary, n), {}};
        segmented_clv(fn, transaction, spend_segments, spend_model, data,
                      labels_of(label_chars, label_offsets, n), options, out);
    });
}

LTV_API int ltv_segments_customer_lifetime_value_summary(
    const ltv_segments* transaction, const ltv_segments* spend_segments,
    const ltv_model* spend_model, const ltv_summary_table* table, const char* label_chars,
    const size_t* label_offsets, size_t n, const ltv_clv_options* options, double* out,
    size_t capacity) {
    constexpr const char* fn = "ltv_segments_customer_lifetime_value_summary";
    return guard(fn, [&] {
        const auto& t = require_table(fn, table);
        if (n != t.size())
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'n' = " + std::to_string(n) +
                                 " segment labels given but the table has " +
                                 std::to_string(t.size()) + " customers");
        ltv::capi::require_capacity(fn, out, capacity, n);
        const ltv::segment_columns data{t.frequency, t.recency, t.T, t.monetary_value, {}};
        segmented_clv(fn, transaction, spend_segments, spend_model, data,
                      labels_of(label_chars, label_offsets, n), options, out);
    });
}

LTV_API int ltv_segments_to_json(const ltv_segments* segments, char* buffer, size_t capacity,
                                 size_t* out_size) {
    constexpr const char* fn = "ltv_segments_to_json";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        require_out(fn, "out_size", out_size);
        ltv::capi::text_output(fn, ltv::segments_to_json(s.seg), buffer, capacity, out_size);
    });
}

LTV_API int ltv_segments_from_json(const char* json, size_t length, ltv_segments** out_segments) {
    constexpr const char* fn = "ltv_segments_from_json";
    return guard(fn, [&] {
        require_out(fn, "out_segments", out_segments);
        ltv::detail::require_array(fn, "json", json, length);
        *out_segments = new ltv_segments(ltv::segments_from_json(std::string(json, length)));
    });
}

LTV_API int ltv_segments_save(const ltv_segments* segments, const char* path) {
    constexpr const char* fn = "ltv_segments_save";
    return guard(fn, [&] {
        const auto& s = require_segments(fn, segments);
        if (path == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'path' is a null pointer");
        ltv::save_segments(s.seg, path);
    });
}

LTV_API int ltv_segments_load(const char* path, ltv_segments** out_segments) {
    constexpr const char* fn = "ltv_segments_load";
    return guard(fn, [&] {
        require_out(fn, "out_segments", out_segments);
        if (path == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'path' is a null pointer");
        *out_segments = new ltv_segments(ltv::load_segments(path));
    });
}

}  // extern "C"
