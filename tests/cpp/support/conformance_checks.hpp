// SPDX-License-Identifier: Apache-2.0
// tests/cpp/support/conformance_checks.hpp — the checks of tests/cpp/test_conformance.cpp, one
// function per check, each over one model's inputs (conformance.hpp): every capability the model
// declares is checked through its kernels, so a model gets every check by appearing in
// ltv/registry.hpp and adding its reference file. No model is named here.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "conformance.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/model_state.hpp"
#include "references.hpp"

namespace ltv_test::conformance {

namespace conf = ::ltv_test::conformance;

/// Fits of (a) and (f), made once per model: the reference fit's data with every third row
/// duplicated (`duplicated`) and the same rows once with weight 2 (`weighted`).
struct fits {
    conf::data_set duplicated, weighted;
    ltv::model_state a, b;
};

inline const fits& fits_of(const conf::model_inputs& in) {
    static std::map<int, fits> cache;
    const auto it = cache.find(in.ops->kind);
    if (it != cache.end()) return it->second;
    fits f;
    std::vector<std::size_t> dup;
    const std::size_t n = in.fit_data.cols.empty() ? 0 : in.fit_data.cols[0].size();
    for (std::size_t i = 0; i < n; i += 3) dup.push_back(i);
    std::tie(f.duplicated, f.weighted) = conf::duplicated_vs_weighted(in.fit_data, dup);
    f.a = conf::fit(*in.ops, f.duplicated);
    f.b = conf::fit(*in.ops, f.weighted);
    return cache.emplace(in.ops->kind, std::move(f)).first->second;
}

inline std::vector<double> run(const conf::kernel& k, const ltv::model_state& s,
                               const conf::columns& c, int threads = 1) {
    std::vector<double> out(c[0].size(), std::nan(""));
    k.run(s, conf::view_of(c), out.data(), threads);
    return out;
}

inline bool relative_close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(std::abs(a), std::abs(b));
}

/// The reference file has the inputs every declared capability needs, and its fits and
/// predictions are well formed.
inline void check_reference_inputs(const model_inputs& in) {
    const auto& o = *in.ops;
    using ltv::capability;
    // The inputs each declared capability needs are present.
    if (o.supports(capability::conditional_purchases)) CHECK(!in.horizons.empty());
    if (o.supports(capability::purchase_pmf)) CHECK(!in.counts.empty());
    if (o.supports(capability::survival)) {
        CHECK(!in.periods.empty());
        CHECK(!in.renewals.empty());
    }
    if (o.data == ltv::data_kind::survivors)
        CHECK(in.sample.cohorts.size() >= 2);
    else
        CHECK(in.sample.cols[0].size() >= 5);
    CHECK(in.state.params.size() == o.num_params);
    // Every fit of the file names a data set and values for every parameter.
    for (const auto& [name, f] : in.ref->at("fits").items()) {
        CAPTURE(name);
        CHECK(in.ref->at("datasets").contains(f.at("data").get<std::string>()));
        CHECK(ltv_test::params(*in.ref, "fit:" + name, o).size() == o.num_params);
        CHECK(f.contains("source"));
    }
    for (const auto& [name, p] : in.ref->at("predictions").items()) {
        CAPTURE(name);
        CHECK(p.contains("source"));
        CHECK_NOTHROW(ltv_test::ref(p));
    }
}

/// Every published fit and prediction of the reference file, computed through the registry's
/// kernels (fits through the model's fit kernel), within its tolerance.
inline void check_published_values(const model_inputs& in) {
    const json& ref = *in.ref;
    const auto& o = *in.ops;
    for (const auto& [name, f] : ref.at("fits").items()) {
        INFO("fit '" << name << "': " << f.at("source").get<std::string>());
        const ltv::model_state& s = conf::estimate(o, ref, name);
        REQUIRE(s.fitted);
        CHECK(s.report.convergence.converged);
        for (std::size_t k = 0; k < o.num_params; ++k) {
            const std::string parameter = o.params[k].name;
            CAPTURE(parameter);
            CHECK_REF(s.params[k], f.at("params").at(o.params[k].name));
        }
        CHECK_REF(s.report.log_likelihood, f.at("log_likelihood"));
        if (f.contains("total_weight"))
            CHECK(s.report.total_weight == f["total_weight"].get<double>());
        if (f.contains("rows_used")) CHECK(s.report.rows_used == f["rows_used"].get<std::size_t>());
        if (f.contains("standard_errors")) {
            REQUIRE(s.report.standard_errors_available);
            for (const auto& e : s.report.parameters) {
                CAPTURE(e.name);
                CHECK_REF(e.standard_error, f["standard_errors"].at(e.name));
            }
        }
    }
    for (const auto& [name, p] : ref.at("predictions").items()) {
        INFO("prediction '" << name << "': " << p.at("source").get<std::string>());
        CHECK_REF(conf::evaluate(o, ref, p), p);
    }
}

/// (a) The reference fit's data with every third row duplicated equals the same rows once with
/// weight 2 (survivors: a cohort twice vs its counts doubled): total LL to 1e-12 relative,
/// fitted parameters to the optimiser's tolerance.
inline void check_weighted_duplicates(const model_inputs& in) {
    const auto& o = *in.ops;
    const fits& f = fits_of(in);
    // The same objective, summed in another order: equal to rounding (1e-12 relative).
    const double la = conf::total_log_likelihood(o, in.state, f.duplicated);
    const double lb = conf::total_log_likelihood(o, in.state, f.weighted);
    CAPTURE(la);
    CAPTURE(lb);
    CHECK(relative_close(la, lb, 1e-12));
    CHECK(f.a.report.convergence.converged);
    CHECK(f.b.report.convergence.converged);
    CHECK(f.a.report.total_weight == f.b.report.total_weight);
    CHECK(relative_close(f.a.report.log_likelihood, f.b.report.log_likelihood, 1e-12));
    // Fitted parameters: both fits stop where the max-norm of the gradient of the mean
    // objective (−LL/W) w.r.t. log-parameters is below fit_options::gradient_tolerance g, so
    // each estimate is within |Δθ_k| ≤ W·g·Σ_j |Cov_θ[k][j]| of the common optimum (Cov_θ the
    // covariance of the log-parameters, = the inverse Hessian of −LL). The two may differ by
    // twice that; a factor 5 more covers the quadratic approximation.
    const double g = ltv::fit_options{}.gradient_tolerance;
    const std::size_t n = o.num_params;
    const auto& r = f.a.report;
    double worst = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::string parameter = o.params[k].name;
        CAPTURE(parameter);
        double tol = 1e-6;  // without a covariance: the tolerance of the published checks
        if (r.standard_errors_available) {
            double row = 0;
            for (std::size_t j = 0; j < n; ++j)
                row += std::abs(r.covariance[k * n + j] / (f.a.params[k] * f.a.params[j]));
            tol = 10 * r.total_weight * g * row;
        }
        const double d = std::abs(std::log(f.a.params[k]) - std::log(f.b.params[k]));
        CAPTURE(d);
        CAPTURE(tol);
        CHECK(d <= tol);
        worst = std::max(worst, d / tol);
    }
    MESSAGE("model " << std::string(o.name) << ": LL " << la << " vs " << lb
                     << "; fitted parameters differ by at most " << worst << " of the tolerance");
}

/// (b) The analytic gradient of the total LL w.r.t. log-parameters equals central differences.
inline void check_gradient(const model_inputs& in) {
    const auto& o = *in.ops;
    if (o.data == ltv::data_kind::survivors) {
        // survivors_log_likelihood has no gradient output (the fit's gradient is internal).
        MESSAGE("model " << std::string(o.name)
                         << ": survivors data, no total-LL gradient kernel to check");
        return;
    }
    // At the published fit (gradient ≈ 0: the absolute term matters) and away from it
    // (parameters ×e^{±0.4}: gradients of order |LL|, the relative term matters).
    std::vector<ltv::model_state> states{in.state};
    ltv::model_state away = in.state;
    for (std::size_t k = 0; k < away.params.size(); ++k)
        away.params[k] *= std::exp(k % 2 ? -0.4 : 0.4);
    states.push_back(away);
    double worst = 0;
    for (const auto& s : states) {
        INFO("at " << conf::describe_params(o, s));
        const std::size_t n = o.num_params;
        std::vector<double> g(n);
        const double ll = conf::total_log_likelihood(o, s, in.fit_data, g.data());
        REQUIRE(std::isfinite(ll));
        // Step h = 1e-5 in log-parameters: the central difference errs by h²/6·|f'''|
        // (truncation, ~2e-11 relative for f''' of the order of f') plus ε·L/h from the
        // rounding of the two totals (L = |LL|, each evaluated to ~1e-14·L by sums of special
        // functions): h ≈ (3ε)^{1/3} ≈ 1e-5 balances the two. Tolerance: 1e-7 relative to
        // the gradient plus 10·1e-14·L/h absolute.
        const double h = 1e-5;
        for (std::size_t k = 0; k < n; ++k) {
            ltv::model_state up = s, dn = s;
            up.params[k] *= std::exp(h);
            dn.params[k] *= std::exp(-h);
            const double fd = (conf::total_log_likelihood(o, up, in.fit_data) -
                               conf::total_log_likelihood(o, dn, in.fit_data)) /
                              (2 * h);
            const double tol = 1e-7 * std::abs(g[k]) + 10 * 1e-14 * std::abs(ll) / h;
            const std::string parameter = o.params[k].name;
            CAPTURE(parameter);
            CAPTURE(g[k]);
            CAPTURE(fd);
            CAPTURE(tol);
            CHECK(std::abs(g[k] - fd) <= tol);
            worst = std::max(worst, std::abs(g[k] - fd) / tol);
        }
    }
    MESSAGE("model " << std::string(o.name) << ": |analytic − central difference| at most " << worst
                     << " of the tolerance");
}

/// (c) Every per-row kernel on n rows equals the same kernel on each row alone, bit for bit.
inline void check_batch_equals_scalar(const model_inputs& in) {
    for (const conf::kernel& k : conf::kernels(in)) {
        INFO("kernel " << k.name);
        conf::columns c = conf::sample_input(in, k.shape);
        // RFM and spend kernels: the sample plus the reference fit's data (fewer rows than
        // detail::parallel_threshold and the batch tables' threshold, so the batch must be the
        // scalar computation itself).
        if (k.shape == conf::family::rfm || k.shape == conf::family::spend ||
            k.shape == conf::family::rfm_money || k.shape == conf::family::spend_ll) {
            conf::columns big = conf::large_input(in, k.shape, 1);
            for (std::size_t j = 0; j < c.size(); ++j)
                c[j].insert(c[j].end(), big[j].begin(), big[j].end());
            REQUIRE(c[0].size() < ltv::detail::parallel_threshold);
        }
        const std::vector<double> batch = run(k, in.state, c);
        std::size_t mismatches = 0, first = 0;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            double one = std::nan("");
            k.run(in.state, conf::row_of(c, i), &one, 1);
            if (!conf::same_bits({batch[i]}, {one})) {
                if (mismatches++ == 0) first = i;
            }
        }
        if (mismatches) {
            double one = std::nan("");
            k.run(in.state, conf::row_of(c, first), &one, 1);
            MESSAGE("first mismatch at " << conf::describe_row(k.shape, c, first) << ": batch "
                                         << batch[first] << ", alone " << one);
        }
        CHECK(mismatches == 0);
    }
}

/// (d) Every threaded kernel gives the same bits on 1, 2 and 4 threads (≥ parallel_threshold rows).
inline void check_thread_counts(const model_inputs& in) {
    for (const conf::kernel& k : conf::kernels(in)) {
        if (!k.threaded) continue;
        INFO("kernel " << k.name);
        const conf::columns c =
            conf::large_input(in, k.shape, ltv::detail::parallel_threshold + 4000);
        const std::vector<double> one = run(k, in.state, c, 1);
        for (int threads : {2, 4}) {
            CAPTURE(threads);
            CHECK(conf::same_bits(run(k, in.state, c, threads), one));
        }
    }
}

/// (f) model_to_json / model_from_json keep parameters, fit report and every prediction bit for
/// bit.
inline void check_save_load(const model_inputs& in) {
    const auto& o = *in.ops;
    const ltv::model_state& fitted = fits_of(in).b;
    for (const ltv::model_state* s : {&fitted, &in.state}) {
        INFO((s->fitted ? "fitted state" : "parameters set by hand"));
        const std::string text = ltv::model_to_json(*s);
        const ltv::model_state back = ltv::model_from_json(text);
        CHECK(static_cast<int>(back.kind) == o.kind);
        CHECK(conf::same_bits(back.params, s->params));
        CHECK(back.fitted == s->fitted);
        CHECK(ltv::model_to_json(back) == text);
        if (s->fitted) {
            CHECK(back.report.log_likelihood == s->report.log_likelihood);
            CHECK(back.report.total_weight == s->report.total_weight);
            CHECK(back.report.rows_used == s->report.rows_used);
            CHECK(conf::same_bits(back.report.covariance, s->report.covariance));
            REQUIRE(back.report.parameters.size() == s->report.parameters.size());
            for (std::size_t k = 0; k < s->report.parameters.size(); ++k)
                CHECK(conf::same_bits({back.report.parameters[k].standard_error},
                                      {s->report.parameters[k].standard_error}));
        }
        for (const conf::kernel& k : conf::kernels(in)) {
            INFO("kernel " << k.name);
            const conf::columns c = conf::sample_input(in, k.shape);
            CHECK(conf::same_bits(run(k, back, c), run(k, *s, c)));
        }
        for (const auto& q : conf::scalar_quantities(in)) {
            INFO(q.name);
            CHECK(conf::same_bits({q.run(back)}, {q.run(*s)}));
        }
        if (o.data != ltv::data_kind::survivors)
            CHECK(conf::total_log_likelihood(o, back, in.sample) ==
                  conf::total_log_likelihood(o, *s, in.sample));
    }
}

/// (g) Over the stress grid every value is finite and in range, or an ltv::error with status
/// domain_error or no_convergence.
inline void check_stress(const model_inputs& in) {
    const auto& o = *in.ops;
    std::size_t evaluated = 0, errors = 0;
    std::vector<std::string> failures;
    auto judge = [&](const std::string& what, const conf::range& bounds, const auto& f) {
        double value = std::nan("");
        ++evaluated;
        const auto [code, message] = conf::outcome([&] { value = f(); });
        bool ok;
        if (code == ltv::status::ok)
            ok = std::isfinite(value) && value >= bounds.lower && value <= bounds.upper;
        else {
            ok = code == ltv::status::domain_error || code == ltv::status::no_convergence;
            ++errors;
        }
        if (!ok) {
            std::ostringstream s;
            s.precision(17);
            s << what << ": ";
            if (code == ltv::status::ok)
                s << "value " << value;
            else
                s << ltv::status_name(code) << " \"" << message << "\"";
            failures.push_back(s.str());
        }
    };
    const auto stress_kernels = conf::kernels(in, true);
    for (const ltv::model_state& s : conf::stress_states(in)) {
        const std::string at = conf::describe_params(o, s);
        for (const conf::kernel& k : stress_kernels) {
            const conf::columns c = conf::stress_input(in, k.shape);
            for (std::size_t i = 0; i < c[0].size(); ++i)
                judge(k.name + " at " + at + ", " + conf::describe_row(k.shape, c, i), k.bounds,
                      [&] {
                          double v = std::nan("");
                          k.run(s, conf::row_of(c, i), &v, 1);
                          return v;
                      });
        }
        for (const auto& q : conf::scalar_quantities(in, true))
            judge(q.name + " at " + at, q.bounds, [&] { return q.run(s); });
        // The total LL and its gradient of each stress row alone.
        if (o.data != ltv::data_kind::survivors) {
            const conf::family shape =
                o.data == ltv::data_kind::rfm ? conf::family::rfm : conf::family::spend_ll;
            const conf::columns c = conf::stress_input(in, shape);
            for (std::size_t i = 0; i < c[0].size(); ++i) {
                conf::data_set one;
                for (const auto& col : c) one.cols.push_back({col[i]});
                std::vector<double> g(o.num_params, std::nan(""));
                judge("total log-likelihood at " + at + ", " + conf::describe_row(shape, c, i),
                      {-std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::infinity()},
                      [&] {
                          const double ll = conf::total_log_likelihood(o, s, one, g.data());
                          for (double v : g)
                              if (!std::isfinite(v)) return v;  // a non-finite gradient fails
                          return ll;
                      });
            }
        }
    }
    MESSAGE("model " << std::string(o.name) << ": " << evaluated << " stress evaluations, "
                     << errors << " reported errors, " << failures.size() << " failures");
    for (std::size_t i = 0; i < failures.size() && i < 25; ++i) MESSAGE(failures[i]);
    CHECK(failures.empty());
}

/// Checks (e) for one model. Cases the reference file lists as known library defects
/// (conformance.known_defects) are skipped, or, with `known_defects_only`, the only ones checked.
inline void check_invalid_inputs(const conf::model_inputs& in, bool known_defects_only) {
    const double nan = std::nan("");
    const auto& o = *in.ops;
    const bool discrete = in.stress.value("discrete_time", false);
    auto expect_error = [](const auto& f, const std::string& names) {
        const auto result = conf::outcome(f);
        const std::string& message = result.second;
        CAPTURE(message);
        CHECK(result.first == ltv::status::invalid_argument);
        CHECK(conf::names_argument(message, names));
    };
    // Every per-row kernel: bad values in each column, and columns of different lengths.
    for (const conf::kernel& k : conf::kernels(in)) {
        const conf::columns valid = conf::sample_input(in, k.shape);
        REQUIRE(valid[0].size() >= 2);
        for (const auto& bad : conf::invalid_cases(k.shape, 1, discrete)) {
            if (conf::known_defect(in, "e", k.name, bad.what) != known_defects_only) {
                if (!known_defects_only)
                    MESSAGE("known defect (test case \"conformance (e): known defects\"): model "
                            << std::string(o.name) << ", kernel " << k.name << ", " << bad.what);
                continue;
            }
            INFO("kernel " << k.name << ", " << bad.what << ", expecting " << bad.names);
            conf::columns c = valid;
            bad.apply(c);
            std::vector<double> out(valid[0].size(), 42.0);
            expect_error([&] { k.run(in.state, conf::view_of(c), out.data(), 1); }, bad.names);
        }
    }
    if (known_defects_only) return;
    // A parameter ≤ 0 (or NaN, or inf) in the state: every kernel names the parameter.
    for (std::size_t p = 0; p < o.num_params; ++p)
        for (double v : {0.0, -1.0, nan, std::numeric_limits<double>::infinity()}) {
            ltv::model_state s = in.state;
            s.params[p] = v;
            const std::string names = std::string("'") + o.params[p].name + "'";
            for (const conf::kernel& k : conf::kernels(in)) {
                INFO("kernel " << k.name << " with " << names << " = " << v);
                const conf::columns c = conf::sample_input(in, k.shape);
                std::vector<double> out(c[0].size());
                expect_error([&] { k.run(s, conf::view_of(c), out.data(), 1); }, names);
            }
            for (const auto& q : conf::scalar_quantities(in)) {
                INFO(q.name << " with " << names << " = " << v);
                expect_error([&] { (void)q.run(s); }, names);
            }
            if (o.data != ltv::data_kind::survivors) {
                INFO("total log-likelihood with " << names << " = " << v);
                expect_error([&] { (void)conf::total_log_likelihood(o, s, in.sample); }, names);
            }
        }
    // Fits: invalid rows of the reference fit's data name the argument and the row.
    if (o.data == ltv::data_kind::survivors) {
        struct cohort_case {
            const char* what;
            std::vector<double> cohort;
            const char* names;
        };
        for (const auto& bad : {cohort_case{"increasing counts", {1000, 631, 700}, "survivors[2]"},
                                cohort_case{"NaN", {1000, nan, 500}, "survivors[1]"},
                                cohort_case{"negative", {1000, -1}, "survivors[1]"},
                                cohort_case{"zero first count", {0, 0}, "survivors[0]"},
                                cohort_case{"one period", {1000}, "survivors"}}) {
            INFO("fit with " << std::string(bad.what));
            conf::data_set d = in.fit_data;
            d.cohorts.push_back(bad.cohort);
            expect_error([&] { conf::fit(o, d); }, bad.names);
        }
    } else {
        const conf::family shape =
            o.data == ltv::data_kind::rfm ? conf::family::rfm : conf::family::spend;
        for (const auto& bad : conf::invalid_cases(shape, 1, discrete)) {
            // Gamma-Gamma's fit excludes and counts rows with frequency > 0 and monetary ≤ 0
            // (docs/gamma-gamma.md): a negative mean spend is an error only without purchases.
            conf::data_set d = in.fit_data;
            if (bad.what == "negative monetary") d.cols[0][1] = 0;
            INFO("fit with " << bad.what << ", expecting " << bad.names);
            bad.apply(d.cols);
            expect_error([&] { conf::fit(o, d); }, bad.names);
        }
        for (double w : {nan, -1.0, std::numeric_limits<double>::infinity()}) {
            INFO("fit with weight " << w);
            conf::data_set d = in.fit_data;
            if (d.weights.empty()) d.weights.assign(d.cols[0].size(), 1.0);
            d.weights[1] = w;
            expect_error([&] { conf::fit(o, d); }, "weights[1]");
        }
        {
            INFO("fit with 'weights' one element short");
            conf::data_set d = in.fit_data;
            d.weights.assign(d.cols[0].size() - 1, 1.0);
            expect_error([&] { conf::fit(o, d); }, "'weights'");
        }
    }
}

}  // namespace ltv_test::conformance
