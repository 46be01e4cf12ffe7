// SPDX-License-Identifier: Apache-2.0
// tests/cpp/support/references.hpp — the published reference values of tests/data/references/
// <model>.json (layout: tests/data/references/README.md) for the C++ tests.
//
//   const auto& ref = ltv_test::reference("bgnbd");
//   CHECK_REF(fit.params.r, ref["fits"]["cdnow"]["params"]["r"]);   // value ± its tolerance
//   const auto p = ltv_test::param_struct<ltv::bgnbd_params>(ref, "published");
//
// A reference value is a JSON object {value, tolerance | abs_tolerance, source, why}:
// `tolerance` is relative (|got − value| ≤ tolerance·|value|), `abs_tolerance` absolute.
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "ltv/model_ops.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/registry.hpp"
#include "model_data.hpp"

namespace ltv_test {

using json = nlohmann::json;

inline std::string reference_path(const std::string& name) {
    return std::string(LTV_TEST_DATA_DIR) + "/references/" + name + ".json";
}

inline bool has_reference(const std::string& name) {
    return std::ifstream(reference_path(name)).good();
}

/// tests/data/references/<name>.json, parsed once per name; std::runtime_error naming the file
/// when it is missing or malformed.
inline const json& reference(const std::string& name) {
    static std::map<std::string, json> cache;  // the doctest runner is single-threaded
    const auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    std::ifstream in(reference_path(name));
    if (!in)
        throw std::runtime_error("no reference file " + reference_path(name) +
                                 " (every registered model needs one: tests/data/references/"
                                 "README.md)");
    try {
        return cache.emplace(name, json::parse(in)).first->second;
    } catch (const json::exception& e) {
        throw std::runtime_error(reference_path(name) + ": " + e.what());
    }
}

/// A number, or the "value" of a reference value.
inline double number(const json& j) {
    if (j.is_number()) return j.get<double>();
    if (j.is_object() && j.contains("value") && j["value"].is_number())
        return j["value"].get<double>();
    throw std::runtime_error("not a number or reference value: " + j.dump());
}

/// The number at j[key] (a reference prediction's input, e.g. arg(prediction, "t")).
inline double arg(const json& j, const char* key) { return number(j.at(key)); }

inline std::vector<double> numbers(const json& j) {
    std::vector<double> v;
    for (const auto& e : j) v.push_back(number(e));
    return v;
}

/// A reference value with its tolerance.
struct ref_value {
    double value = 0;
    double rel = -1;  ///< relative tolerance, or −1
    double abs = -1;  ///< absolute tolerance, or −1

    double allowed() const { return rel >= 0 ? rel * std::abs(value) : abs; }
    bool accepts(double got) const { return std::abs(got - value) <= allowed(); }
    std::string describe(double got) const {
        std::ostringstream s;
        s.precision(17);
        s << "got " << got << ", reference " << value << " ± " << allowed()
          << (rel >= 0 ? " (relative " : " (absolute ") << (rel >= 0 ? rel : abs) << "), off by "
          << std::abs(got - value);
        return s.str();
    }
};

/// The reference value j ({value, tolerance | abs_tolerance}); exactly one tolerance is required.
inline ref_value ref(const json& j) {
    if (!j.is_object() || !j.contains("value"))
        throw std::runtime_error("not a reference value (no \"value\"): " + j.dump());
    ref_value r;
    r.value = j["value"].get<double>();
    const bool has_rel = j.contains("tolerance"), has_abs = j.contains("abs_tolerance");
    if (has_rel == has_abs)
        throw std::runtime_error(
            "a reference value needs exactly one of tolerance, abs_tolerance: " + j.dump());
    if (has_rel) r.rel = j["tolerance"].get<double>();
    if (has_abs) r.abs = j["abs_tolerance"].get<double>();
    return r;
}

/// The parameters named by `spec` in the registry's order of `ops`: "<set>" (parameter_sets)
/// or "fit:<name>" (the printed values of fits.<name>.params). "estimate:<name>" needs a fit
/// and is resolved by the caller.
inline std::vector<double> params(const json& ref, const std::string& spec,
                                  const ltv::model_ops& ops) {
    const json* set = nullptr;
    if (spec.rfind("fit:", 0) == 0)
        set = &ref.at("fits").at(spec.substr(4)).at("params");
    else
        set = &ref.at("parameter_sets").at(spec).at("params");
    std::vector<double> v;
    for (std::size_t i = 0; i < ops.num_params; ++i) {
        if (!set->contains(ops.params[i].name))
            throw std::runtime_error(std::string("parameter set '") + spec + "' of " + ops.name +
                                     " has no '" + ops.params[i].name + "'");
        v.push_back(number((*set)[ops.params[i].name]));
    }
    if (set->size() != ops.num_params)
        throw std::runtime_error("parameter set '" + spec + "' of " + ops.name +
                                 " names parameters the model does not have");
    return v;
}

inline std::vector<double> params(const json& ref, const std::string& spec) {
    return params(ref, spec, ltv::model_ops_named(ref.at("model").get<std::string>()));
}

namespace detail {
template <class P, std::size_t... I>
P make_params(const std::vector<double>& v, std::index_sequence<I...>) {
    return P{v[I]...};
}
}  // namespace detail

/// A model's parameter struct (an aggregate of doubles in registry order) from a parameter set.
template <class P>
P param_struct(const json& ref, const std::string& spec) {
    static_assert(std::is_aggregate_v<P> && sizeof(P) % sizeof(double) == 0,
                  "parameter structs are aggregates of doubles");
    constexpr std::size_t n = sizeof(P) / sizeof(double);
    const std::vector<double> v = params(ref, spec);
    if (v.size() != n) throw std::runtime_error("parameter count mismatch for " + spec);
    return detail::make_params<P>(v, std::make_index_sequence<n>{});
}

/// Owned spend data (frequency, mean spend, weights).
struct spend_columns {
    std::vector<double> x, z, w;
};

/// The rfm data set `name` of a reference file (datasets.<name>: a CSV file in tests/data and
/// its columns frequency, recency, T and optional weights).
inline rfm_columns rfm_dataset(const json& ref, const std::string& name) {
    const json& d = ref.at("datasets").at(name);
    const csv_table t = read_csv(d.at("file").get<std::string>());
    const json& c = d.at("columns");
    rfm_columns r{t.column(c.at("frequency")), t.column(c.at("recency")), t.column(c.at("T")), {}};
    if (c.contains("weights")) r.w = t.column(c.at("weights"));
    return r;
}

inline spend_columns spend_dataset(const json& ref, const std::string& name) {
    const json& d = ref.at("datasets").at(name);
    const csv_table t = read_csv(d.at("file").get<std::string>());
    const json& c = d.at("columns");
    spend_columns r{t.column(c.at("frequency")), t.column(c.at("monetary")), {}};
    if (c.contains("weights")) r.w = t.column(c.at("weights"));
    return r;
}

/// The survivor curves of data set `name` (datasets.<name>.cohorts).
inline std::vector<std::vector<double>> cohorts_dataset(const json& ref, const std::string& name) {
    std::vector<std::vector<double>> c;
    for (const auto& cohort : ref.at("datasets").at(name).at("cohorts"))
        c.push_back(numbers(cohort));
    return c;
}

}  // namespace ltv_test

/// CHECK that `got` is within the tolerance of reference value `j` (a JSON object of
/// tests/data/references), printing both and the tolerance when it is not.
#define CHECK_REF(got, j)                                                                        \
    do {                                                                                         \
        const ::ltv_test::ref_value ltv_ref_ = ::ltv_test::ref(j);                               \
        const double ltv_got_ = (got);                                                           \
        CHECK_MESSAGE(ltv_ref_.accepts(ltv_got_), ltv_ref_.describe(ltv_got_) << " [" #got "]"); \
    } while (0)

/// CHECK a fit result of model M (its traits: parameter names and order) against a published
/// fit `f` (fits.<name> of tests/data/references/<model>.json): every parameter by name and the
/// log-likelihood, each within its own tolerance.
namespace ltv_test {
template <class M, class Fit>
void check_published_fit(const Fit& fit, const json& f) {
    const auto flat = ltv::detail::flat_params<std::size(M::params)>(fit.params);
    for (std::size_t i = 0; i < flat.size(); ++i) {
        INFO("parameter " << M::params[i].name);
        CHECK_REF(flat[i], f["params"][M::params[i].name]);
    }
    CHECK_REF(fit.report.log_likelihood, f["log_likelihood"]);
}
}  // namespace ltv_test
