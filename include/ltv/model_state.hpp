// SPDX-License-Identifier: Apache-2.0
// ltv/model_state.hpp — a fitted model as data: its kind, parameters, fit report and units, and
// its JSON file format.
//
// The C API's model handle, the Python classes and the CLI's model files all hold a
// model_state; the model headers (bgnbd.hpp, sbg.hpp, …) do the mathematics on its parameters.
// The names of models and parameters come from the registry (ltv/registry.hpp), so reading and
// writing model files needs the compiled registry (CMake target ltv::models, part of libltv).
//
// JSON format (version 1):
//   { "format": "ltv-model", "format_version": 1, "ltv_version": "0.1.0",
//     "model": "bgnbd", "params": {"r": …, "alpha": …, "a": …, "b": …},
//     "time_unit": "week",                       // optional: the unit of the data's durations
//     "options": {"fix.b": 2.5},                 // optional: options set by name
//     "fit": { "log_likelihood": …, "converged": true, "iterations": …, "function_evaluations": …,
//              "gradient_norm": …, "message": "…", "penalizer": …, "objective": …,
//              "total_weight": …, "rows_used": …, "rows_excluded": …,
//              "standard_errors": {"r": …, …},
//              "covariance": [[…], …] } }       // "fit" only for fitted models
// ("rows_excluded", fit_report::rows_excluded, is optional: files written by ltv 0.2.1 and
// before lack it and read as 0)
// Unknown keys are ignored (newer files stay readable); missing required keys are an error that
// names the key. Every field has a type and a range, checked on reading (a parse_error naming
// the field, the expected type and the value): strings ("format", "model", "time_unit",
// "message"), booleans ("converged", "standard_errors_available"), whole numbers
// ("iterations", "function_evaluations" in 0 … INT_MAX, "rows_used", "rows_excluded" ≥ 0),
// numbers ≥ 0 ("penalizer", "total_weight", "gradient_norm", standard errors), parameters > 0
// and finite.
// null stands for NaN where a number may be unavailable and for "absent" otherwise.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/registry.hpp"
#include "ltv/version.hpp"

namespace ltv {

/// The kind named `name` (see model_ops_named: short names, aliases, titles, class names).
inline model_kind model_kind_from_name(const std::string& name) {
    return static_cast<model_kind>(model_ops_named(name).kind);
}

namespace detail {
/// Checks a parameter value against its registered bounds (an open interval; finite), failing
/// with `code` and a message naming `label` and the value.
inline void require_param_in_bounds(const char* fn, status code, const std::string& label,
                                    const param_info& p, double v) {
    if (v > p.lower && v < p.upper && std::isfinite(v)) return;
    const std::string range = std::isinf(p.upper)
                                  ? "a finite number > " + format_value(p.lower)
                                  : "a number in (" + format_value(p.lower) + ", " +
                                        format_value(p.upper) + ")";
    fail(code, fn, label + " = " + format_value(v) + " must be " + range);
}

}  // namespace detail

/// A model's parameters with what is known of their estimation.
struct model_state {
    model_kind kind = model_kind::bgnbd;
    std::vector<double> params;  ///< in the order of model_ops_for(kind).params
    bool fitted = false;         ///< params came from a fit, and `report` describes it
    fit_report report;
    std::string time_unit;  ///< unit of the durations the model was fitted on ("" unknown)
    /// Options set by name, in the order set (set_model_option): "fix.<parameter>" holds a
    /// parameter at the value in fits; structural options of the model (its option_info).
    std::vector<std::pair<std::string, double>> options;
    /// The static covariates the model was fitted with (ltv/covariates.hpp; empty: none): params
    /// then holds the model's own parameters followed by one coefficient per covariate link
    /// group and covariate ("<group>:<covariate>", group-major).
    std::vector<std::string> covariate_names;
};

/// The names of the state's parameters: the model's own, then "<group>:<covariate>" for its
/// covariate coefficients (ltv/covariates.hpp; groups in order of first appearance among the
/// model's covariate links).
inline std::vector<std::string> parameter_names(const model_ops& ops,
                                                const std::vector<std::string>& covariates) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ops.num_params; ++i) out.emplace_back(ops.params[i].name);
    std::vector<std::string> groups;
    for (std::size_t l = 0; l < ops.num_covariate_links; ++l) {
        const std::string g = ops.covariate_links[l].group;
        bool seen = false;
        for (const auto& h : groups) seen = seen || h == g;
        if (!seen) groups.push_back(g);
    }
    if (!covariates.empty())
        for (const auto& g : groups)
            for (const auto& c : covariates) out.push_back(g + ":" + c);
    return out;
}

inline std::vector<std::string> parameter_names(const model_state& s) {
    return parameter_names(model_ops_for(s.kind), s.covariate_names);
}

/// The option `name` of the state, or nullptr.
inline const double* find_model_option(const model_state& s, const std::string& name) {
    for (const auto& [n, v] : s.options)
        if (n == name) return &v;
    return nullptr;
}

/// Sets option `name` to `value` after checking both against the model (ops): "fix.<p>" for
/// each parameter p (value inside p's bounds), or one of the model's structural options (inside
/// its range, whole if it must be). invalid_argument names the option, the value and what is
/// allowed.
inline void set_model_option(model_state& s, const model_ops& ops, const std::string& name,
                             double value) {
    constexpr const char* fn = "set_model_option";
    bool known = false;
    if (name.rfind("fix.", 0) == 0) {
        for (std::size_t i = 0; i < ops.num_params; ++i)
            if (name.compare(4, std::string::npos, ops.params[i].name) == 0) {
                detail::require_param_in_bounds(fn, status::invalid_argument,
                                                "option '" + name + "'", ops.params[i], value);
                known = true;
            }
    }
    if (ops.num_covariate_links > 0 && !known) {  // ltv/covariates.hpp
        if (name == "covariates.lambda") {
            if (!(value >= 0 && std::isfinite(value)))
                detail::fail(status::invalid_argument, fn,
                             "option 'covariates.lambda' = " + detail::format_value(value) +
                                 " must be a finite number >= 0");
            known = true;
        } else if (name.rfind("constrain.", 0) == 0 && name.size() > 10) {
            if (value != 0 && value != 1)
                detail::fail(status::invalid_argument, fn,
                             "option '" + name + "' = " + detail::format_value(value) +
                                 " must be 0 or 1");
            known = true;
        } else if (name.rfind("fix.", 0) == 0) {
            for (std::size_t l = 0; l < ops.num_covariate_links && !known; ++l) {
                const std::string prefix = std::string("fix.") + ops.covariate_links[l].group + ":";
                if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size()) {
                    if (!std::isfinite(value))
                        detail::fail(status::invalid_argument, fn,
                                     "option '" + name + "' = " + detail::format_value(value) +
                                         " must be a finite number");
                    known = true;
                }
            }
        }
    }
    for (std::size_t i = 0; i < ops.num_options && !known; ++i) {
        const option_info& o = ops.options[i];
        if (name != o.name) continue;
        known = true;
        if (!(value >= o.lower && value <= o.upper) || (o.integer && value != std::floor(value)))
            detail::fail(status::invalid_argument, fn,
                         "option '" + name + "' = " + detail::format_value(value) + " must be " +
                             (o.integer ? "a whole number" : "a number") + " in [" +
                             detail::format_value(o.lower) + ", " +
                             detail::format_value(o.upper) + "]");
    }
    if (!known) {
        std::string allowed;
        for (std::size_t i = 0; i < ops.num_params; ++i)
            allowed += std::string(allowed.empty() ? "" : ", ") + "fix." + ops.params[i].name;
        for (std::size_t i = 0; i < ops.num_options; ++i)
            allowed += std::string(", ") + ops.options[i].name;
        detail::fail(status::invalid_argument, fn,
                     "the " + std::string(ops.title) + " model has no option '" + name +
                         "' (its options: " + allowed + ")");
    }
    for (auto& [n, v] : s.options)
        if (n == name) {
            v = value;
            return;
        }
    s.options.emplace_back(name, value);
}

/// Removes option `name` (no error when it is not set).
inline void clear_model_option(model_state& s, const std::string& name) {
    for (auto it = s.options.begin(); it != s.options.end(); ++it)
        if (it->first == name) {
            s.options.erase(it);
            return;
        }
}

/// `opt` with the state's "fix.<parameter>" options added to opt.fixed (index, value).
inline fit_options with_state_options(const model_state& s, const model_ops& ops,
                                      fit_options opt) {
    for (const auto& [name, value] : s.options)
        if (name.rfind("fix.", 0) == 0)
            for (std::size_t i = 0; i < ops.num_params; ++i)
                if (name.compare(4, std::string::npos, ops.params[i].name) == 0)
                    opt.fixed.emplace_back(i, value);
    return opt;
}

namespace detail {

/// Typed access to the fields of a model file. Every field is checked for its JSON type (and
/// numbers for their range) before it is converted, and a mismatch is a parse_error naming the
/// field, the expected type and the value found: nlohmann's own conversions (which throw
/// type_error, or are undefined behaviour for 1e300 → int) are never reached with a wrong type.
/// A key with the value null counts as absent, except where null stands for NaN (numbers that
/// may be unavailable, written as null because JSON has no NaN).
class json_fields {
public:
    json_fields(const nlohmann::json& object, std::string where)
        : object_(object), where_(std::move(where)) {}

    bool has(const char* key) const { return object_.contains(key) && !object_[key].is_null(); }

    [[noreturn]] void wrong(const char* key, const char* expected) const {
        fail(status::parse_error, "model_from_json",
             where_ + "key '" + key + "' must be " + expected + ", not " + excerpt(object_[key]));
    }

    /// A required number; null reads as NaN.
    double number_or_nan(const char* key) const {
        if (!object_.contains(key))
            fail(status::parse_error, "model_from_json", where_ + "missing key '" + key + "'");
        return optional_number(key, std::numeric_limits<double>::quiet_NaN());
    }

    /// An optional finite number (absent or null: `absent`). Text such as 1e999 parses to inf,
    /// which a model file cannot hold (it would be written back as null).
    double optional_number(const char* key, double absent) const {
        if (!has(key)) return absent;
        const auto& v = object_[key];
        if (!v.is_number() || !std::isfinite(v.get<double>())) wrong(key, "a finite number");
        return v.get<double>();
    }

    /// An optional number that, when present, is finite and ≥ 0 (a penalty, a weight, a norm).
    double optional_nonnegative(const char* key, double absent) const {
        const double v = optional_number(key, absent);
        if (has(key) && !(v >= 0 && v <= std::numeric_limits<double>::max()))
            wrong(key, "a finite number >= 0");
        return v;
    }

    bool optional_bool(const char* key, bool absent) const {
        if (!has(key)) return absent;
        if (!object_[key].is_boolean()) wrong(key, "true or false");
        return object_[key].get<bool>();
    }

    std::string optional_string(const char* key) const {
        if (!has(key)) return {};
        if (!object_[key].is_string()) wrong(key, "a string");
        return object_[key].get<std::string>();
    }

    /// An optional whole number in [0, max]; JSON integers and integral floats (1e3) are
    /// accepted, the range is checked before any conversion.
    std::uint64_t optional_count(const char* key, std::uint64_t max) const {
        if (!has(key)) return 0;
        const auto& v = object_[key];
        const std::string expected = "a whole number in 0 … " + std::to_string(max);
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (u <= max) return u;
        } else if (v.is_number_integer()) {
            // signed and negative (nlohmann stores non-negative integers as unsigned)
        } else if (v.is_number_float()) {
            const double d = v.get<double>();
            // 2^64 is exact in double; d < 2^64 makes the conversion below defined.
            if (d >= 0 && d < 18446744073709551616.0 && d == std::floor(d) &&
                static_cast<std::uint64_t>(d) <= max)
                return static_cast<std::uint64_t>(d);
        }
        wrong(key, expected.c_str());
    }

    const nlohmann::json& at(const char* key) const { return object_[key]; }

    /// The value as JSON text for a message, at most ~60 characters.
    static std::string excerpt(const nlohmann::json& v) {
        std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (text.size() > 60) text = text.substr(0, 57) + "...";
        return text;
    }

private:
    const nlohmann::json& object_;
    std::string where_;  // "fit: " etc., or "" at the top level
};

// JSON has no NaN: standard errors that are not available are written as null.
inline nlohmann::ordered_json json_value(double v) {
    if (std::isfinite(v)) return v;
    return nullptr;
}

}  // namespace detail

/// The model as JSON text (see the header comment for the format).
inline std::string model_to_json(const model_state& m, int indent = 2) {
    const model_ops& info = model_ops_for(m.kind);
    nlohmann::ordered_json j;
    j["format"] = "ltv-model";
    j["format_version"] = 1;
    j["ltv_version"] = version_string;
    j["model"] = info.name;
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    const std::vector<std::string> names = parameter_names(info, m.covariate_names);
    for (std::size_t i = 0; i < names.size() && i < m.params.size(); ++i)
        params[names[i]] = detail::json_value(m.params[i]);
    j["params"] = params;
    // (ltv 0.2.6: the static covariates' names; older readers ignore the key and the extra
    // "<group>:<covariate>" parameters)
    if (!m.covariate_names.empty()) j["covariates"] = m.covariate_names;
    if (!m.time_unit.empty()) j["time_unit"] = m.time_unit;
    if (!m.options.empty()) {
        nlohmann::ordered_json options = nlohmann::ordered_json::object();
        for (const auto& [name, value] : m.options) options[name] = value;
        j["options"] = options;
    }
    if (m.fitted) {
        const fit_report& r = m.report;
        nlohmann::ordered_json fit;
        fit["log_likelihood"] = detail::json_value(r.log_likelihood);
        fit["converged"] = r.convergence.converged;
        fit["iterations"] = r.convergence.iterations;
        fit["function_evaluations"] = r.convergence.function_evaluations;
        fit["gradient_norm"] = detail::json_value(r.convergence.gradient_norm);
        fit["message"] = r.convergence.message;
        fit["penalizer"] = r.penalizer;
        fit["objective"] = detail::json_value(r.objective);
        fit["total_weight"] = r.total_weight;
        fit["rows_used"] = r.rows_used;
        fit["rows_excluded"] = r.rows_excluded;
        fit["standard_errors_available"] = r.standard_errors_available;
        nlohmann::ordered_json se = nlohmann::ordered_json::object();
        for (const auto& p : r.parameters) se[p.name] = detail::json_value(p.standard_error);
        fit["standard_errors"] = se;
        const std::size_t k = r.parameters.size();
        nlohmann::ordered_json cov = nlohmann::ordered_json::array();
        for (std::size_t a = 0; a < k && r.covariance.size() == k * k; ++a) {
            nlohmann::ordered_json row = nlohmann::ordered_json::array();
            for (std::size_t b = 0; b < k; ++b)
                row.push_back(detail::json_value(r.covariance[a * k + b]));
            cov.push_back(row);
        }
        fit["covariance"] = cov;
        j["fit"] = fit;
    }
    return j.dump(indent);
}

namespace detail {

/// model_from_json without the safety net; see there.
inline model_state model_from_json_checked(const nlohmann::json& j) {
    constexpr const char* fn = "model_from_json";
    if (!j.is_object())
        fail(status::parse_error, fn, "not an ltv model file (the text is not a JSON object)");
    const json_fields top(j, "");
    if (!j.contains("format") || (j["format"].is_string() && j["format"] != "ltv-model"))
        fail(status::parse_error, fn, "not an ltv model file (no \"format\": \"ltv-model\")");
    if (!j["format"].is_string()) top.wrong("format", "the string \"ltv-model\"");
    if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
        j["format_version"] != 1)
        fail(status::parse_error, fn,
             "unsupported format_version " +
                 json_fields::excerpt(j.contains("format_version") ? j["format_version"]
                                                                   : nlohmann::json()) +
                 " (this ltv reads version 1)");
    if (!j.contains("model")) fail(status::parse_error, fn, "missing key 'model'");
    if (!j["model"].is_string()) top.wrong("model", "a string naming the model");
    model_state m;
    try {
        m.kind = model_kind_from_name(j["model"].get<std::string>());
    } catch (const error& e) {
        fail(status::parse_error, fn, e.what());
    }
    const model_ops& info = model_ops_for(m.kind);
    if (!j.contains("params")) fail(status::parse_error, fn, "missing object 'params'");
    if (!j["params"].is_object()) top.wrong("params", "an object");
    const json_fields params(j["params"], "params: ");
    for (std::size_t i = 0; i < info.num_params; ++i) {
        const char* name = info.params[i].name;
        const double v = params.number_or_nan(name);
        require_param_in_bounds(fn, status::parse_error, std::string("params: '") + name + "'",
                                info.params[i], v);
        m.params.push_back(v);
    }
    if (top.has("covariates")) {  // ltv/covariates.hpp; absent in files before 0.2.6
        const auto& c = j["covariates"];
        if (!c.is_array() || c.empty() || info.num_covariate_links == 0)
            top.wrong("covariates", info.num_covariate_links == 0
                                        ? "absent (this model takes no covariates)"
                                        : "a non-empty array of covariate names");
        for (const auto& n : c) {
            if (!n.is_string() || n.get<std::string>().empty())
                top.wrong("covariates", "a non-empty array of covariate names");
            for (const auto& seen : m.covariate_names)
                if (seen == n.get<std::string>()) top.wrong("covariates", "unique names");
            m.covariate_names.push_back(n.get<std::string>());
        }
        const std::vector<std::string> names = parameter_names(info, m.covariate_names);
        for (std::size_t i = info.num_params; i < names.size(); ++i) {
            const double v = params.number_or_nan(names[i].c_str());
            if (!std::isfinite(v))
                fail(status::parse_error, fn,
                     "params: '" + names[i] + "' = " + format_value(v) + " must be finite");
            m.params.push_back(v);
        }
    }
    m.time_unit = top.optional_string("time_unit");
    if (top.has("options")) {
        if (!j["options"].is_object()) top.wrong("options", "an object of numbers");
        const json_fields options(j["options"], "options: ");
        for (const auto& item : j["options"].items()) {
            const double v = options.optional_number(item.key().c_str(), 0);
            try {
                set_model_option(m, info, item.key(), v);
            } catch (const error& e) {
                fail(status::parse_error, fn, std::string("options: ") + e.what());
            }
        }
    }
    if (!top.has("fit")) return m;
    if (!j["fit"].is_object()) top.wrong("fit", "an object");
    const json_fields f(j["fit"], "fit: ");
    m.fitted = true;
    fit_report& r = m.report;
    constexpr auto int_max = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
    r.log_likelihood = f.number_or_nan("log_likelihood");
    r.convergence.converged = f.optional_bool("converged", false);
    r.convergence.iterations = static_cast<int>(f.optional_count("iterations", int_max));
    r.convergence.function_evaluations =
        static_cast<int>(f.optional_count("function_evaluations", int_max));
    r.convergence.gradient_norm =
        f.optional_nonnegative("gradient_norm", std::numeric_limits<double>::quiet_NaN());
    r.convergence.message = f.optional_string("message");
    r.penalizer = f.optional_nonnegative("penalizer", 0.0);
    r.objective = f.optional_number("objective", std::numeric_limits<double>::quiet_NaN());
    r.total_weight = f.optional_nonnegative("total_weight", 0.0);
    r.rows_used = static_cast<std::size_t>(
        f.optional_count("rows_used", std::numeric_limits<std::size_t>::max()));
    r.rows_excluded = static_cast<std::size_t>(
        f.optional_count("rows_excluded", std::numeric_limits<std::size_t>::max()));
    r.standard_errors_available = f.optional_bool("standard_errors_available", false);
    const std::size_t k = m.params.size();
    const std::vector<std::string> all_names = parameter_names(info, m.covariate_names);
    const bool has_se = f.has("standard_errors");
    if (has_se && !f.at("standard_errors").is_object())
        f.wrong("standard_errors", "an object of numbers");
    static const nlohmann::json no_standard_errors = nlohmann::json::object();
    const json_fields se(has_se ? f.at("standard_errors") : no_standard_errors,
                         "fit: standard_errors: ");
    for (std::size_t i = 0; i < k; ++i)
        r.parameters.push_back(
            {all_names[i], m.params[i],
             se.optional_nonnegative(all_names[i].c_str(),
                                     std::numeric_limits<double>::quiet_NaN())});
    r.covariance.assign(k * k, std::numeric_limits<double>::quiet_NaN());
    if (f.has("covariance")) {
        const auto& cov = f.at("covariance");
        const std::string shape = "an empty array or " + std::to_string(k) + " arrays of " +
                                  std::to_string(k) + " numbers (or null)";
        if (!cov.is_array() || (!cov.empty() && cov.size() != k))
            f.wrong("covariance", shape.c_str());
        for (std::size_t a = 0; a < cov.size(); ++a) {
            const auto& row = cov[a];
            if (!row.is_array() || row.size() != k) f.wrong("covariance", shape.c_str());
            for (std::size_t b = 0; b < k; ++b) {
                if (row[b].is_null()) continue;
                if (!row[b].is_number() || !std::isfinite(row[b].get<double>()))
                    f.wrong("covariance", shape.c_str());
                r.covariance[a * k + b] = row[b].get<double>();
            }
        }
    }
    return m;
}

}  // namespace detail

/// Reads a model written by model_to_json(). Malformed text, a missing key, or a field of the
/// wrong type or out of range is a parse_error naming the key, the expected type and the value;
/// unknown keys are ignored. A key whose value is null counts as absent (or as NaN for numbers
/// that may be unavailable).
inline model_state model_from_json(const std::string& text) {
    constexpr const char* fn = "model_from_json";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        detail::fail(status::parse_error, fn, std::string("not valid JSON: ") + e.what());
    }
    try {
        return detail::model_from_json_checked(j);
    } catch (const nlohmann::json::exception& e) {
        // Not expected (every access above is type-checked first), but a JSON library error
        // is still malformed input, not an internal error.
        detail::fail(status::parse_error, fn, std::string("malformed model file: ") + e.what());
    }
}

/// Writes model_to_json(m) to `path`; io_error names the path on failure.
inline void save_model(const model_state& m, const std::string& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        detail::fail(status::io_error, "save_model", "cannot open '" + path + "' for writing");
    out << model_to_json(m) << "\n";
    out.flush();
    if (!out) detail::fail(status::io_error, "save_model", "cannot write '" + path + "'");
}

/// Reads a model file; io_error names the path when it cannot be read.
inline model_state load_model(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::fail(status::io_error, "load_model", "cannot open '" + path + "' for reading");
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return model_from_json(text.str());
    } catch (const error& e) {
        throw error(e.code(), path + ": " + e.what());
    }
}

}  // namespace ltv
