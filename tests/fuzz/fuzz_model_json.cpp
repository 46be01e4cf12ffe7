// SPDX-License-Identifier: Apache-2.0
// fuzz_model_json — the model file format (ltv/model_state.hpp) on arbitrary text.
//
// model_from_json either returns a model or throws ltv::error; on success:
//   - the parameters are finite and > 0, one per parameter of the kind;
//   - model_to_json and model_from_json again give the same kind, time unit and parameters bit
//     for bit, the same fit report (NaN where the file had null), and serialise to the same text;
//   - the optional "fit" fields the issue names (issue 8, D8) had the documented types and
//     ranges in the input: "format" a string, "converged" and "standard_errors_available"
//     booleans, "message" a string, "iterations" and "function_evaluations" integers in
//     0..INT_MAX, "rows_used" and "rows_excluded" integers >= 0, "penalizer" and
//     "total_weight" numbers >= 0 — checked with nlohmann::json on the input independently of ltv.
#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_common.hpp"
#include "ltv/model_state.hpp"

namespace {

using ltv_fuzz::same_bits;

bool same_double(double a, double b) { return same_bits(a, b) || (a != a && b != b); }

void require_same(const ltv::model_state& a, const ltv::model_state& b) {
    LTV_FUZZ_CHECK(a.kind == b.kind, "kind changed in the round trip");
    LTV_FUZZ_CHECK(a.time_unit == b.time_unit, "time_unit changed in the round trip");
    LTV_FUZZ_CHECK(a.params.size() == b.params.size(), "parameter count changed");
    for (std::size_t i = 0; i < a.params.size(); ++i)
        LTV_FUZZ_CHECK(same_bits(a.params[i], b.params[i]),
                       "parameter " + std::to_string(i) +
                           " changed: " + ltv::detail::format_value(a.params[i]) + " -> " +
                           ltv::detail::format_value(b.params[i]));
    LTV_FUZZ_CHECK(a.fitted == b.fitted, "fitted changed");
    if (!a.fitted) return;
    const ltv::fit_report &r = a.report, &s = b.report;
    LTV_FUZZ_CHECK(r.convergence.converged == s.convergence.converged &&
                       r.convergence.iterations == s.convergence.iterations &&
                       r.convergence.function_evaluations == s.convergence.function_evaluations &&
                       same_double(r.convergence.gradient_norm, s.convergence.gradient_norm) &&
                       r.convergence.message == s.convergence.message,
                   "convergence record changed in the round trip");
    LTV_FUZZ_CHECK(same_double(r.log_likelihood, s.log_likelihood) &&
                       same_double(r.objective, s.objective) &&
                       same_double(r.penalizer, s.penalizer) &&
                       same_double(r.total_weight, s.total_weight) && r.rows_used == s.rows_used &&
                       r.rows_excluded == s.rows_excluded &&
                       r.standard_errors_available == s.standard_errors_available,
                   "fit report changed in the round trip");
    LTV_FUZZ_CHECK(r.parameters.size() == s.parameters.size(), "estimates changed");
    for (std::size_t i = 0; i < r.parameters.size(); ++i)
        LTV_FUZZ_CHECK(
            r.parameters[i].name == s.parameters[i].name &&
                same_bits(r.parameters[i].value, s.parameters[i].value) &&
                same_double(r.parameters[i].standard_error, s.parameters[i].standard_error),
            "estimate " + std::to_string(i) + " changed in the round trip");
    LTV_FUZZ_CHECK(r.covariance.size() == s.covariance.size(), "covariance size changed");
    for (std::size_t i = 0; i < r.covariance.size(); ++i)
        LTV_FUZZ_CHECK(same_double(r.covariance[i], s.covariance[i]),
                       "covariance " + std::to_string(i) + " changed in the round trip");
}

/// The D8 rules for an accepted file, checked on the input with nlohmann directly.
void check_accepted_input(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        ltv_fuzz::finding("model_from_json accepted text that is not valid JSON");
    }
    LTV_FUZZ_CHECK(j.is_object() && j.contains("format") && j["format"].is_string(),
                   "accepted a file whose \"format\" is not a string");
    if (!j.contains("fit") || !j["fit"].is_object()) return;
    const nlohmann::json& f = j["fit"];
    auto present = [&](const char* key) { return f.contains(key) && !f[key].is_null(); };
    for (const char* key : {"converged", "standard_errors_available"})
        if (present(key)) LTV_FUZZ_CHECK(f[key].is_boolean(), std::string(key) + " not a boolean");
    if (present("message")) LTV_FUZZ_CHECK(f["message"].is_string(), "message not a string");
    for (const char* key : {"iterations", "function_evaluations"}) {
        if (!present(key)) continue;
        const auto& v = f[key];
        const bool ok =
            (v.is_number_unsigned() && v.get<std::uint64_t>() <= std::numeric_limits<int>::max()) ||
            (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
             v.get<std::int64_t>() <= std::numeric_limits<int>::max()) ||
            (v.is_number_float() && v.get<double>() >= 0 &&
             v.get<double>() <= std::numeric_limits<int>::max() &&
             v.get<double>() == static_cast<double>(static_cast<long long>(v.get<double>())));
        LTV_FUZZ_CHECK(ok, std::string("accepted \"") + key + "\": " + v.dump());
    }
    for (const char* key : {"rows_used", "rows_excluded"}) {
        if (!present(key)) continue;
        const auto& v = f[key];
        const bool ok = v.is_number_unsigned() ||
                        (v.is_number_integer() && v.get<std::int64_t>() >= 0) ||
                        (v.is_number_float() && v.get<double>() >= 0 && v.get<double>() < 1.8e19 &&
                         v.get<double>() == std::floor(v.get<double>()));
        LTV_FUZZ_CHECK(ok, std::string("accepted \"") + key + "\": " + v.dump());
    }
    for (const char* key : {"penalizer", "total_weight"}) {
        if (!present(key)) continue;
        const auto& v = f[key];
        LTV_FUZZ_CHECK(v.is_number() && v.get<double>() >= 0 && std::isfinite(v.get<double>()),
                       std::string("accepted \"") + key + "\": " + v.dump());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    ltv::model_state m;
    if (!ltv_fuzz::run_guarded([&] { m = ltv::model_from_json(text); })) return 0;

    const auto& info = ltv::model_ops_for(m.kind);
    LTV_FUZZ_CHECK(m.params.size() == info.num_params, "wrong parameter count");
    for (double p : m.params)
        LTV_FUZZ_CHECK(std::isfinite(p) && p > 0,
                       "accepted parameter " + ltv::detail::format_value(p));
    check_accepted_input(text);

    std::string once, twice;
    ltv::model_state back;
    ltv::status code{};
    std::string message;
    ltv_fuzz::run_guarded([&] { once = ltv::model_to_json(m); });
    const bool ok =
        ltv_fuzz::run_guarded([&] { back = ltv::model_from_json(once); }, &code, &message);
    LTV_FUZZ_CHECK(ok, "model_to_json wrote a file model_from_json rejects: " + message);
    require_same(m, back);
    ltv_fuzz::run_guarded([&] { twice = ltv::model_to_json(back); });
    LTV_FUZZ_CHECK(once == twice, "model_to_json(model_from_json(model_to_json(m))) differs");
    return 0;
}
