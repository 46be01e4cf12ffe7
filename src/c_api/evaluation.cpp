// SPDX-License-Identifier: Apache-2.0
// src/c_api/evaluation.cpp — model comparison through the C API (ltv/evaluation.hpp): options,
// the table of metrics, the series behind the charts, JSON and the HTML report.
#include "evaluation.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "ltv/evaluation_report.hpp"
#include "model.hpp"
#include "summary_table.hpp"

using ltv::capi::guard;
using ltv::capi::require_out;

namespace {

const ltv_evaluation& require_evaluation(const char* fn, const ltv_evaluation* e) {
    if (e == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'evaluation' is a null pointer");
    return *e;
}

const ltv::model_evaluation& require_row(const char* fn, const ltv_evaluation& e, std::size_t row) {
    if (row >= e.result.models.size())
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'row' = " + std::to_string(row) +
                             " is out of range (the comparison has " +
                             std::to_string(e.result.models.size()) + " rows)");
    return e.result.models[row];
}

/// The struct as first released (0.2.3): fields appended later take their defaults for a
/// caller whose struct_size ends here (read_struct). Freeze this size when a field is added.
constexpr std::size_t compare_options_v1_size = sizeof(ltv_compare_options);
constexpr std::size_t evaluation_row_v1_size = sizeof(ltv_evaluation_row);

ltv::evaluation_options to_evaluation_options(const char* fn, const ltv_compare_options* o) {
    const ltv_compare_options c = ltv::capi::read_struct(
        fn, "options", o, compare_options_v1_size, ltv_compare_options_init);
    ltv::evaluation_options e;
    e.models = ltv::parse_model_list(c.models ? c.models : "", fn, "options->models");
    e.baseline = c.baseline != 0;
    if (c.tracking_period_days != 0) e.tracking_period_days = c.tracking_period_days;
    e.frequency_groups = c.frequency_groups;
    e.histogram_bins = c.histogram_bins;
    e.matrix_size = c.matrix_size;
    if (!(c.penalizer >= 0) || !std::isfinite(c.penalizer))
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": options->penalizer = " +
                             ltv::detail::format_value(c.penalizer) +
                             " must be a finite number >= 0");
    e.fit.penalizer = c.penalizer;
    if (c.threads < 0)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": options->threads = " + std::to_string(c.threads) +
                             " must be >= 0 (0: the library default)");
    e.threads = c.threads;
    return e;
}

/// A series of the evaluation (see LTV_SERIES_* in ltv.h); empty when the row lacks it.
std::vector<double> series_of(const char* fn, const ltv_evaluation& e, int series, std::size_t row) {
    const ltv::evaluation& ev = e.result;
    auto model = [&]() -> const ltv::model_evaluation& { return require_row(fn, e, row); };
    switch (series) {
        case LTV_SERIES_PERIOD_END:
            return std::vector<double>(ev.period_end.begin(), ev.period_end.end());
        case LTV_SERIES_TRACKING_ACTUAL:
            return ev.tracking_actual;
        case LTV_SERIES_TRACKING_EXPECTED:
            return model().tracking_cumulative;
        case LTV_SERIES_GROUP_CUSTOMERS:
            return ev.group_customers;
        case LTV_SERIES_GROUP_ACTUAL:
            return ev.group_actual;
        case LTV_SERIES_GROUP_PREDICTED:
            return model().by_frequency;
        case LTV_SERIES_HISTOGRAM_ACTUAL:
            return ev.histogram_actual;
        case LTV_SERIES_HISTOGRAM_EXPECTED:
            return model().histogram;
        case LTV_SERIES_MATRIX_FREQUENCY:
            return ev.matrix_frequency;
        case LTV_SERIES_MATRIX_RECENCY:
            return ev.matrix_recency;
        case LTV_SERIES_P_ALIVE_MATRIX:
            return model().p_alive_matrix;
        case LTV_SERIES_EXPECTED_MATRIX:
            return model().expected_matrix;
        case LTV_SERIES_PREDICTIONS:
            return model().predicted;
        case LTV_SERIES_P_ALIVE:
            return model().p_alive;
        default:
            break;
    }
    throw ltv::error(ltv::status::invalid_argument,
                     std::string(fn) + ": argument 'series' = " + std::to_string(series) +
                         " is not one of LTV_SERIES_PERIOD_END (0) … LTV_SERIES_P_ALIVE (13)");
}

}  // namespace

namespace ltv::capi {

ltv_evaluation* make_evaluation(const char* fn, summary_table summary, const customer_base* base,
                                const ltv_compare_options* options) {
    const auto eo = to_evaluation_options(fn, options);
    auto e = std::make_unique<ltv_evaluation>();
    e->summary = std::move(summary);
    e->result = evaluate_models(e->summary, base, eo);
    return e.release();
}

}  // namespace ltv::capi

extern "C" {

LTV_API int ltv_compare_options_init(ltv_compare_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_compare_options_init";
    return guard(fn, [&] {
        const ltv::evaluation_options d;
        ltv_compare_options full{};
        full.struct_size = sizeof(full);
        full.models = nullptr;
        full.baseline = d.baseline ? 1 : 0;
        full.tracking_period_days = 0;
        full.frequency_groups = d.frequency_groups;
        full.histogram_bins = d.histogram_bins;
        full.matrix_size = d.matrix_size;
        full.penalizer = d.fit.penalizer;
        full.threads = d.threads;
        ltv::capi::init_struct(fn, options, struct_size, full, compare_options_v1_size);
    });
}

LTV_API int ltv_compare_summary(const ltv_summary_table* table, const ltv_compare_options* options,
                                ltv_evaluation** out_evaluation) {
    constexpr const char* fn = "ltv_compare_summary";
    return guard(fn, [&] {
        if (table == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'table' is a null pointer");
        require_out(fn, "out_evaluation", out_evaluation);
        *out_evaluation = ltv::capi::make_evaluation(fn, table->table, nullptr, options);
    });
}

LTV_API int ltv_evaluation_free(ltv_evaluation* evaluation) {
    delete evaluation;
    return LTV_OK;
}

LTV_API int ltv_evaluation_metric_count(size_t* out_count) {
    constexpr const char* fn = "ltv_evaluation_metric_count";
    return guard(fn, [&] {
        require_out(fn, "out_count", out_count);
        *out_count = ltv::evaluation_metric_count;
    });
}

LTV_API int ltv_evaluation_metric_info(size_t index, const char** out_name, const char** out_label,
                                       int* out_goal, const char** out_description) {
    constexpr const char* fn = "ltv_evaluation_metric_info";
    return guard(fn, [&] {
        require_out(fn, "out_name", out_name);
        require_out(fn, "out_label", out_label);
        require_out(fn, "out_goal", out_goal);
        require_out(fn, "out_description", out_description);
        const ltv::metric_info* m = ltv::evaluation_metric_info(index);
        if (m == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'index' = " + std::to_string(index) +
                                 " is out of range (there are " +
                                 std::to_string(ltv::evaluation_metric_count) + " metrics)");
        *out_name = m->name;
        *out_label = m->label;
        *out_goal = static_cast<int>(m->goal);
        *out_description = m->description;
    });
}

LTV_API int ltv_evaluation_counts(const ltv_evaluation* evaluation, size_t* out_rows,
                                  size_t* out_customers, size_t* out_best_row) {
    constexpr const char* fn = "ltv_evaluation_counts";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        require_out(fn, "out_rows", out_rows);
        require_out(fn, "out_customers", out_customers);
        require_out(fn, "out_best_row", out_best_row);
        *out_rows = e.result.models.size();
        *out_customers = e.result.customers;
        *out_best_row = e.result.best ? *e.result.best : SIZE_MAX;
    });
}

LTV_API int ltv_evaluation_row_info(const ltv_evaluation* evaluation, size_t row,
                                    ltv_evaluation_row* out_row) {
    constexpr const char* fn = "ltv_evaluation_row_info";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        const auto& m = require_row(fn, e, row);
        ltv_evaluation_row r{};
        r.struct_size = sizeof r;
        r.name = m.name.c_str();
        r.title = m.title.c_str();
        r.role = static_cast<int>(m.kind);
        r.fitted = m.fitted ? 1 : 0;
        r.converged = m.converged ? 1 : 0;
        r.message = m.message.c_str();
        ltv::capi::write_struct(fn, "out_row", out_row, r, evaluation_row_v1_size);
    });
}

LTV_API int ltv_evaluation_metrics(const ltv_evaluation* evaluation, size_t row, double* values,
                                   int* defined, size_t capacity) {
    constexpr const char* fn = "ltv_evaluation_metrics";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        const auto& m = require_row(fn, e, row);
        constexpr std::size_t n = ltv::evaluation_metric_count;
        ltv::detail::require_array(fn, "values", values, capacity);
        ltv::detail::require_array(fn, "defined", defined, capacity);
        if (capacity < n)
            throw ltv::error(ltv::status::buffer_too_small,
                             std::string(fn) + ": the buffers hold " + std::to_string(capacity) +
                                 " values but there are " + std::to_string(n) + " metrics");
        for (std::size_t k = 0; k < n; ++k) {
            const bool ok = std::isfinite(m.metrics[k]);
            values[k] = ok ? m.metrics[k] : 0.0;
            defined[k] = ok ? 1 : 0;
        }
    });
}

LTV_API int ltv_evaluation_model(const ltv_evaluation* evaluation, size_t row,
                                 ltv_model** out_model) {
    constexpr const char* fn = "ltv_evaluation_model";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        const auto& m = require_row(fn, e, row);
        require_out(fn, "out_model", out_model);
        if (m.kind == ltv::model_evaluation::role::baseline || m.state.params.empty())
            throw ltv::error(ltv::status::not_fitted,
                             std::string(fn) + ": row " + std::to_string(row) + " (" + m.title +
                                 ") has no fitted model" +
                                 (m.message.empty() ? "" : ": " + m.message));
        auto* h = new ltv_model;
        h->state = m.state;
        *out_model = h;
    });
}

LTV_API int ltv_evaluation_summary(const ltv_evaluation* evaluation,
                                   ltv_summary_table** out_table) {
    constexpr const char* fn = "ltv_evaluation_summary";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        require_out(fn, "out_table", out_table);
        *out_table = new ltv_summary_table{e.summary, {}};
    });
}

LTV_API int ltv_evaluation_series(const ltv_evaluation* evaluation, int series, size_t row,
                                  double* out, size_t capacity, size_t* out_length) {
    constexpr const char* fn = "ltv_evaluation_series";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        require_out(fn, "out_length", out_length);
        std::vector<double> v = series_of(fn, e, series, row);
        *out_length = v.size();
        if (out == nullptr && capacity == 0) return;
        ltv::detail::require_array(fn, "out", out, capacity);
        if (capacity < v.size())
            throw ltv::error(ltv::status::buffer_too_small,
                             std::string(fn) + ": the buffer holds " + std::to_string(capacity) +
                                 " values but the series has " + std::to_string(v.size()));
        // Means of empty groups are NaN in C++ and JSON (null); LTV_OK values are finite, so
        // they are 0 here, as ltv.h says (the group's customer count is 0).
        for (double& x : v)
            if (!std::isfinite(x)) x = 0;
        std::copy(v.begin(), v.end(), out);
    });
}

LTV_API int ltv_evaluation_to_json(const ltv_evaluation* evaluation, char* buffer, size_t capacity,
                                   size_t* out_size) {
    constexpr const char* fn = "ltv_evaluation_to_json";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        require_out(fn, "out_size", out_size);
        ltv::capi::text_output(fn, ltv::to_json(e.result).dump(), buffer, capacity, out_size);
    });
}

LTV_API int ltv_evaluation_write_html(const ltv_evaluation* evaluation, const char* path,
                                      const char* title, const char* source) {
    constexpr const char* fn = "ltv_evaluation_write_html";
    return guard(fn, [&] {
        const auto& e = require_evaluation(fn, evaluation);
        if (path == nullptr || *path == '\0')
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'path' is a null pointer or empty");
        ltv::evaluation_report_options o;
        if (title != nullptr) o.title = title;
        if (source != nullptr) o.source = source;
        ltv::write_evaluation_html(e.result, path, o);
    });
}

}  // extern "C"
