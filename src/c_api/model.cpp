// SPDX-License-Identifier: Apache-2.0
// src/c_api/model.cpp — the model handle: lifetime, parameters, fit reports, JSON files.
// Model-specific fits and predictions live in model_<name>.cpp.
#include "model.hpp"

#include "ltv/date.hpp"

#include <cstddef>
#include <cstring>
#include <limits>

using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_out;

extern "C" {

LTV_API int ltv_model_create(int kind, ltv_model** out_model) {
    constexpr const char* fn = "ltv_model_create";
    return guard(fn, [&] {
        require_out(fn, "out_model", out_model);
        const auto& ops = ltv::model_ops_for(kind);  // throws for unknown kinds
        auto* m = new ltv_model;
        m->state.kind = static_cast<ltv::model_kind>(ops.kind);
        *out_model = m;
    });
}

LTV_API int ltv_model_free(ltv_model* model) {
    delete model;
    return LTV_OK;
}

LTV_API int ltv_model_clone(const ltv_model* model, ltv_model** out_model) {
    constexpr const char* fn = "ltv_model_clone";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_model", out_model);
        *out_model = new ltv_model(m);
    });
}

LTV_API int ltv_model_kind(const ltv_model* model, int* out_kind) {
    constexpr const char* fn = "ltv_model_kind";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_kind", out_kind);
        *out_kind = static_cast<int>(m.state.kind);
    });
}

LTV_API int ltv_model_kind_name(int kind, const char** out_name) {
    constexpr const char* fn = "ltv_model_kind_name";
    return guard(fn, [&] {
        require_out(fn, "out_name", out_name);
        *out_name = ltv::model_ops_for(kind).name;
    });
}

LTV_API int ltv_model_kind_from_name(const char* name, int* out_kind) {
    constexpr const char* fn = "ltv_model_kind_from_name";
    return guard(fn, [&] {
        require_out(fn, "out_kind", out_kind);
        if (name == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'name' is a null pointer");
        *out_kind = ltv::model_ops_named(name).kind;
    });
}

LTV_API int ltv_model_num_params(const ltv_model* model, size_t* out_count) {
    constexpr const char* fn = "ltv_model_num_params";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_count", out_count);
        *out_count = ltv::capi::param_count(m);
    });
}

LTV_API int ltv_model_param_name(const ltv_model* model, size_t index, const char** out_name) {
    constexpr const char* fn = "ltv_model_param_name";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_name", out_name);
        *out_name = ltv::capi::param_at(fn, m, index).name;
    });
}

namespace {
void copy_out(const char* fn, const std::vector<double>& values, double* out, size_t capacity) {
    ltv::detail::require_array(fn, "out", out, capacity);
    if (capacity < values.size())
        throw ltv::error(ltv::status::buffer_too_small,
                         std::string(fn) + ": the buffer holds " + std::to_string(capacity) +
                             " values but " + std::to_string(values.size()) + " are needed");
    std::copy(values.begin(), values.end(), out);
}
}  // namespace

LTV_API int ltv_model_params(const ltv_model* model, double* out_params, size_t capacity) {
    constexpr const char* fn = "ltv_model_params";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        copy_out(fn, ltv::capi::require_params(fn, m), out_params, capacity);
    });
}

LTV_API int ltv_model_set_params(ltv_model* model, const double* params, size_t count) {
    constexpr const char* fn = "ltv_model_set_params";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        const auto& ops = ltv::capi::ops_of(m);
        ltv::detail::require_array(fn, "params", params, count);
        const size_t total = ltv::capi::param_count(m);  // with covariate coefficients
        if (count != total)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": " + std::to_string(count) +
                                 " parameters given; the " + ops.title + " model has " +
                                 std::to_string(total));
        for (size_t i = ops.num_params; i < count; ++i)
            ltv::detail::require_finite(
                fn, std::string("argument 'params[") + std::to_string(i) + "]'", params[i]);
        for (size_t i = 0; i < ops.num_params; ++i)
            ltv::detail::require_param_in_bounds(
                fn, ltv::status::invalid_argument,
                std::string("argument 'params[") + std::to_string(i) + "]' (" +
                    ops.params[i].name + ")",
                ops.params[i], params[i]);
        m.state.params.assign(params, params + count);
        m.state.fitted = false;
        m.state.report = ltv::fit_report{};
    });
}

LTV_API int ltv_model_has_params(const ltv_model* model, int* out_flag) {
    constexpr const char* fn = "ltv_model_has_params";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_flag", out_flag);
        *out_flag = m.state.params.empty() ? 0 : 1;
    });
}

LTV_API int ltv_model_set_threads(ltv_model* model, int threads) {
    constexpr const char* fn = "ltv_model_set_threads";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        if (threads < 0)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'threads' = " + std::to_string(threads) +
                                 " must be ≥ 0 (0 = the process default)");
        m.threads = threads;
    });
}

LTV_API int ltv_model_time_unit(const ltv_model* model, const char** out_unit) {
    constexpr const char* fn = "ltv_model_time_unit";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_unit", out_unit);
        *out_unit = m.state.time_unit.c_str();
    });
}

LTV_API int ltv_model_set_time_unit(ltv_model* model, const char* unit) {
    constexpr const char* fn = "ltv_model_set_time_unit";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        if (unit == nullptr || *unit == '\0') {
            m.state.time_unit.clear();
            return;
        }
        try {
            m.state.time_unit = ltv::time_unit_name(ltv::parse_time_unit(unit));
        } catch (const ltv::error& e) {
            throw ltv::error(e.code(), std::string(fn) + ": argument 'unit': " + e.what());
        }
    });
}

namespace {
const char* require_name(const char* fn, const char* name) {
    if (name == nullptr)
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'name' is a null pointer");
    return name;
}
}  // namespace

LTV_API int ltv_model_set_option(ltv_model* model, const char* name, double value) {
    constexpr const char* fn = "ltv_model_set_option";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        try {
            ltv::set_model_option(m.state, ltv::capi::ops_of(m), require_name(fn, name), value);
        } catch (const ltv::error& e) {
            throw ltv::error(e.code(), std::string(fn) + ": " + e.what());
        }
    });
}

LTV_API int ltv_model_option(const ltv_model* model, const char* name, double* out_value,
                             int* out_is_set) {
    constexpr const char* fn = "ltv_model_option";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_value", out_value);
        require_out(fn, "out_is_set", out_is_set);
        const double* v = ltv::find_model_option(m.state, require_name(fn, name));
        *out_is_set = v != nullptr ? 1 : 0;
        if (v != nullptr) *out_value = *v;
    });
}

LTV_API int ltv_model_clear_option(ltv_model* model, const char* name) {
    constexpr const char* fn = "ltv_model_clear_option";
    return guard(fn, [&] {
        auto& m = require_model(fn, model);
        ltv::clear_model_option(m.state, require_name(fn, name));
    });
}

LTV_API int ltv_fit_options_init(ltv_fit_options* options, size_t struct_size) {
    constexpr const char* fn = "ltv_fit_options_init";
    return guard(fn, [&] {
        ltv_fit_options full{};
        const ltv::fit_options d;
                full.penalizer = d.penalizer;
        full.max_iterations = d.max_iterations;
        full.gradient_tolerance = d.gradient_tolerance;
        full.standard_errors = d.standard_errors ? 1 : 0;
        full.allow_no_convergence = d.allow_no_convergence ? 1 : 0;
        full.cancel = nullptr;
        full.cancel_user = nullptr;
        full.time_limit = d.time_limit;
        full.strict_spend = d.strict_spend ? 1 : 0;
        full.penalizer_convention = static_cast<int>(d.convention);
        // 0.2.0 released the struct with fields up to initial_count; cancel, time_limit came after.
        ltv::capi::init_struct(fn, options, struct_size, full,
                    offsetof(ltv_fit_options, initial_count) + sizeof(size_t));
    });
}

namespace {
const ltv::fit_report& require_report(const char* fn, const ltv_model& m) {
    if (!m.state.fitted)
        throw ltv::error(ltv::status::not_fitted,
                         std::string(fn) + ": the model was not fitted, so it has no fit report");
    return m.state.report;
}
}  // namespace

LTV_API int ltv_model_fit_report(const ltv_model* model, ltv_fit_report* out_report) {
    constexpr const char* fn = "ltv_model_fit_report";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_report", out_report);
        const auto& r = require_report(fn, m);
        ltv_fit_report full{};
        full.struct_size = sizeof full;
        full.converged = r.convergence.converged ? 1 : 0;
        full.iterations = r.convergence.iterations;
        full.function_evaluations = r.convergence.function_evaluations;
        full.standard_errors_available = r.standard_errors_available ? 1 : 0;
        full.gradient_norm = r.convergence.gradient_norm;
        full.log_likelihood = r.log_likelihood;
        full.objective = r.objective;
        full.penalizer = r.penalizer;
        full.total_weight = r.total_weight;
        full.rows_used = r.rows_used;
        full.rows_excluded = r.rows_excluded;
        // The struct as first released ends at rows_used; later fields (rows_excluded) go only
        // to callers whose struct_size covers them.
        ltv::capi::write_struct(fn, "out_report", out_report, full,
                                offsetof(ltv_fit_report, rows_used) + sizeof(size_t));
    });
}

LTV_API int ltv_model_fit_message(const ltv_model* model, const char** out_message) {
    constexpr const char* fn = "ltv_model_fit_message";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_message", out_message);
        *out_message = require_report(fn, m).convergence.message.c_str();
    });
}

LTV_API int ltv_model_standard_errors(const ltv_model* model, double* out, size_t capacity) {
    constexpr const char* fn = "ltv_model_standard_errors";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        std::vector<double> se;
        for (const auto& p : require_report(fn, m).parameters) se.push_back(p.standard_error);
        copy_out(fn, se, out, capacity);
    });
}

LTV_API int ltv_model_covariance(const ltv_model* model, double* out, size_t capacity) {
    constexpr const char* fn = "ltv_model_covariance";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        copy_out(fn, require_report(fn, m).covariance, out, capacity);
    });
}

LTV_API int ltv_model_to_json(const ltv_model* model, char* buffer, size_t capacity,
                              size_t* out_size) {
    constexpr const char* fn = "ltv_model_to_json";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_size", out_size);
        ltv::capi::require_params(fn, m);
        ltv::capi::text_output(fn, ltv::model_to_json(m.state), buffer, capacity, out_size);
    });
}

LTV_API int ltv_model_from_json(const char* json, size_t length, ltv_model** out_model) {
    constexpr const char* fn = "ltv_model_from_json";
    return guard(fn, [&] {
        require_out(fn, "out_model", out_model);
        ltv::detail::require_array(fn, "json", json, length);
        auto state = ltv::model_from_json(std::string(json, length));
        auto* m = new ltv_model;
        m->state = std::move(state);
        *out_model = m;
    });
}

LTV_API int ltv_model_save(const ltv_model* model, const char* path) {
    constexpr const char* fn = "ltv_model_save";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        if (path == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'path' is a null pointer");
        ltv::capi::require_params(fn, m);
        ltv::save_model(m.state, path);
    });
}

LTV_API int ltv_model_load(const char* path, ltv_model** out_model) {
    constexpr const char* fn = "ltv_model_load";
    return guard(fn, [&] {
        require_out(fn, "out_model", out_model);
        if (path == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'path' is a null pointer");
        auto state = ltv::load_model(path);
        auto* m = new ltv_model;
        m->state = std::move(state);
        *out_model = m;
    });
}

}  // extern "C"
