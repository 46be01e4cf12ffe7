// ltv/model_state.hpp — a fitted model as data: its kind, parameters, fit report and units, and
// its JSON file format.
//
// The C API's model handle, the Python classes and the CLI's model files all hold a
// model_state; the model headers (bgnbd.hpp, sbg.hpp, …) do the mathematics on its parameters.
//
// JSON format (version 1):
//   { "format": "ltv-model", "format_version": 1, "ltv_version": "0.1.0",
//     "model": "bgnbd", "params": {"r": …, "alpha": …, "a": …, "b": …},
//     "time_unit": "week",                       // optional: the unit of the data's durations
//     "fit": { "log_likelihood": …, "converged": true, "iterations": …, "function_evaluations": …,
//              "gradient_norm": …, "message": "…", "penalizer": …, "objective": …,
//              "total_weight": …, "rows_used": …, "standard_errors": {"r": …, …},
//              "covariance": [[…], …] } }       // "fit" only for fitted models
// Unknown keys are ignored (newer files stay readable); missing required keys are an error that
// names the key.
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/version.hpp"

namespace ltv {

/// The models ltv knows; the values are part of the C ABI (LTV_MODEL_* in ltv/ltv.h).
enum class model_kind : int {
    bgnbd = 1,        ///< BG/NBD (Fader, Hardie & Lee 2005)
    mbgnbd = 2,       ///< MBG/NBD (Batislam, Denizel & Filiztekin 2007)
    gamma_gamma = 3,  ///< Gamma-Gamma spend (Fader, Hardie & Lee 2005; Fader & Hardie 2013)
    pareto_nbd = 4,   ///< Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
    bgbb = 5,         ///< BG/BB (Fader, Hardie & Shang 2010)
    sbg = 6,          ///< shifted-beta-geometric (Fader & Hardie 2007)
};

struct model_kind_info {
    model_kind kind;
    const char* name;   ///< short name used in files and on the command line ("bgnbd")
    const char* title;  ///< for people ("BG/NBD")
    std::vector<const char*> params;
};

inline const std::vector<model_kind_info>& model_kinds() {
    static const std::vector<model_kind_info> kinds{
        {model_kind::bgnbd, "bgnbd", "BG/NBD", {"r", "alpha", "a", "b"}},
        {model_kind::mbgnbd, "mbgnbd", "MBG/NBD", {"r", "alpha", "a", "b"}},
        {model_kind::gamma_gamma, "gg", "Gamma-Gamma", {"p", "q", "gamma"}},
        {model_kind::pareto_nbd, "pnbd", "Pareto/NBD", {"r", "alpha", "s", "beta"}},
        {model_kind::bgbb, "bgbb", "BG/BB", {"alpha", "beta", "gamma", "delta"}},
        {model_kind::sbg, "sbg", "sBG", {"alpha", "beta"}},
    };
    return kinds;
}

/// The description of a kind; throws invalid_argument for an unknown value.
inline const model_kind_info& model_info(int kind) {
    for (const auto& k : model_kinds())
        if (static_cast<int>(k.kind) == kind) return k;
    detail::fail(status::invalid_argument, "model_info",
                 "argument 'kind' = " + std::to_string(kind) + " is not a model kind (1–6)");
}

inline const model_kind_info& model_info(model_kind kind) {
    return model_info(static_cast<int>(kind));
}

/// The kind named `name` ("bgnbd", "mbgnbd", "gg", "pnbd", "bgbb", "sbg"; also the aliases
/// "gamma_gamma", "pareto_nbd").
inline model_kind model_kind_from_name(const std::string& name) {
    for (const auto& k : model_kinds())
        if (name == k.name) return k.kind;
    if (name == "gamma_gamma" || name == "gamma-gamma") return model_kind::gamma_gamma;
    if (name == "pareto_nbd" || name == "paretonbd") return model_kind::pareto_nbd;
    std::string known;
    for (const auto& k : model_kinds()) known += std::string(known.empty() ? "" : ", ") + k.name;
    detail::fail(status::invalid_argument, "model_kind_from_name",
                 "unknown model '" + name + "' (known: " + known + ")");
}

/// A model's parameters with what is known of their estimation.
struct model_state {
    model_kind kind = model_kind::bgnbd;
    std::vector<double> params;  ///< in the order of model_info(kind).params
    bool fitted = false;         ///< params came from a fit, and `report` describes it
    fit_report report;
    std::string time_unit;  ///< unit of the durations the model was fitted on ("" unknown)
};

namespace detail {

inline double json_number(const nlohmann::json& object, const std::string& key,
                          const std::string& where) {
    if (!object.contains(key))
        fail(status::parse_error, "model_from_json", where + ": missing key '" + key + "'");
    const auto& v = object.at(key);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();  // NaN is stored as null
    if (!v.is_number())
        fail(status::parse_error, "model_from_json",
             where + ": key '" + key + "' must be a number, not " + v.dump());
    return v.get<double>();
}

// JSON has no NaN: standard errors that are not available are written as null.
inline nlohmann::ordered_json json_value(double v) {
    if (std::isfinite(v)) return v;
    return nullptr;
}

}  // namespace detail

/// The model as JSON text (see the header comment for the format).
inline std::string model_to_json(const model_state& m, int indent = 2) {
    const auto& info = model_info(m.kind);
    nlohmann::ordered_json j;
    j["format"] = "ltv-model";
    j["format_version"] = 1;
    j["ltv_version"] = version_string;
    j["model"] = info.name;
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < info.params.size() && i < m.params.size(); ++i)
        params[info.params[i]] = detail::json_value(m.params[i]);
    j["params"] = params;
    if (!m.time_unit.empty()) j["time_unit"] = m.time_unit;
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

/// Reads a model written by model_to_json(); errors name the missing or malformed key.
inline model_state model_from_json(const std::string& text) {
    constexpr const char* fn = "model_from_json";
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        detail::fail(status::parse_error, fn, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || j.value("format", "") != "ltv-model")
        detail::fail(status::parse_error, fn,
                     "not an ltv model file (no \"format\": \"ltv-model\")");
    if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
        j["format_version"].get<int>() > 1)
        detail::fail(status::parse_error, fn,
                     "unsupported format_version " +
                         j.value("format_version", nlohmann::json()).dump() +
                         " (this ltv reads version 1)");
    if (!j.contains("model") || !j["model"].is_string())
        detail::fail(status::parse_error, fn, "missing key 'model'");
    model_state m;
    try {
        m.kind = model_kind_from_name(j["model"].get<std::string>());
    } catch (const error& e) {
        detail::fail(status::parse_error, fn, e.what());
    }
    const auto& info = model_info(m.kind);
    if (!j.contains("params") || !j["params"].is_object())
        detail::fail(status::parse_error, fn, "missing object 'params'");
    for (const char* name : info.params) {
        const double v = detail::json_number(j["params"], name, "params");
        if (!(v > 0) || !std::isfinite(v))
            detail::fail(status::parse_error, fn,
                         std::string("params: '") + name + "' = " + detail::format_value(v) +
                             " must be a finite number > 0");
        m.params.push_back(v);
    }
    if (j.contains("time_unit") && j["time_unit"].is_string()) m.time_unit = j["time_unit"];
    if (j.contains("fit") && j["fit"].is_object()) {
        const auto& f = j["fit"];
        m.fitted = true;
        fit_report& r = m.report;
        r.log_likelihood = detail::json_number(f, "log_likelihood", "fit");
        r.convergence.converged = f.value("converged", false);
        r.convergence.iterations = f.value("iterations", 0);
        r.convergence.function_evaluations = f.value("function_evaluations", 0);
        r.convergence.gradient_norm = f.contains("gradient_norm") && f["gradient_norm"].is_number()
                                          ? f["gradient_norm"].get<double>()
                                          : std::numeric_limits<double>::quiet_NaN();
        r.convergence.message = f.value("message", "");
        r.penalizer = f.value("penalizer", 0.0);
        r.objective = f.contains("objective") && f["objective"].is_number()
                          ? f["objective"].get<double>()
                          : std::numeric_limits<double>::quiet_NaN();
        r.total_weight = f.value("total_weight", 0.0);
        r.rows_used = f.value("rows_used", std::size_t{0});
        r.standard_errors_available = f.value("standard_errors_available", false);
        const std::size_t k = info.params.size();
        for (std::size_t i = 0; i < k; ++i) {
            double se = std::numeric_limits<double>::quiet_NaN();
            if (f.contains("standard_errors") && f["standard_errors"].is_object() &&
                f["standard_errors"].contains(info.params[i]) &&
                f["standard_errors"][info.params[i]].is_number())
                se = f["standard_errors"][info.params[i]].get<double>();
            r.parameters.push_back({info.params[i], m.params[i], se});
        }
        r.covariance.assign(k * k, std::numeric_limits<double>::quiet_NaN());
        if (f.contains("covariance") && f["covariance"].is_array() && f["covariance"].size() == k)
            for (std::size_t a = 0; a < k; ++a)
                for (std::size_t b = 0; b < k && b < f["covariance"][a].size(); ++b)
                    if (f["covariance"][a][b].is_number())
                        r.covariance[a * k + b] = f["covariance"][a][b].get<double>();
    }
    return m;
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
