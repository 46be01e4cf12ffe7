// SPDX-License-Identifier: Apache-2.0
// Prediction intervals (ltv/intervals.hpp, docs/intervals.md): every registered model with a fit
// gets delta-method and bootstrap intervals for each of its per-customer predictions (fitted on
// its reference file's conformance fit); a covariance scaled towards 0 shrinks the intervals to
// the point; the bootstrap's parameter draws have the fitted covariance; the bounds do not
// depend on the number of threads and do depend on the seed. Delta vs bootstrap on CDNOW is in
// tests/c/test_intervals.c and tests/python/test_intervals.py.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ltv/intervals.hpp"
#include "ltv/registry.hpp"
#include "support/conformance.hpp"
#include "support/references.hpp"

namespace {

namespace cf = ltv_test::conformance;

/// The registry's fitted state of model `ops` at its conformance fit (with covariance).
const ltv::model_state& fitted(const ltv::model_ops& ops) {
    const auto& ref = ltv_test::reference(ops.name);
    return cf::estimate(ops, ref, ref.at("conformance").at("fit").get<std::string>());
}

const ltv::model_ops& spend_ops() {
    for (const ltv::model_ops* m : ltv::registered_models())
        if (m->supports(ltv::capability::spend)) return *m;
    throw std::runtime_error("no spend model registered");
}

struct result {
    std::vector<double> point, lower, upper;
};

result run(const ltv::prediction_request& q, const ltv::interval_options& o, int threads = 0) {
    result r{std::vector<double>(q.n), std::vector<double>(q.n), std::vector<double>(q.n)};
    if (q.n) q.kernel(*q.model, q.spend, 0, q.n, r.point.data());
    ltv::prediction_intervals(q, r.point.data(), o, r.lower.data(), r.upper.data(), threads);
    return r;
}

void check_contains(const result& r, const std::string& what) {
    CAPTURE(what);
    for (std::size_t i = 0; i < r.point.size(); ++i) {
        CAPTURE(i);
        REQUIRE(std::isfinite(r.lower[i]));
        REQUIRE(std::isfinite(r.upper[i]));
        CHECK(r.lower[i] <= r.point[i]);
        CHECK(r.point[i] <= r.upper[i]);
    }
}

/// BG/NBD customers simulated at the CDNOW fit (ages 1 … 78 weeks): n rows.
struct simulated {
    std::vector<double> x, tx, T, money;
    explicit simulated(std::size_t n) : x(n), tx(n), T(n), money(n) {
        const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
        for (std::size_t i = 0; i < n; ++i) T[i] = 1 + static_cast<double>(i % 78);
        ops.simulate(fitted(ops), 11, {T.data(), n}, x.data(), tx.data(), nullptr, 0);
        for (std::size_t i = 0; i < n; ++i)
            money[i] = x[i] > 0 ? 15 + static_cast<double>(i % 40) : 0;
    }
    ltv::rfm_data rfm() const { return {x, tx, T, {}}; }
    ltv::spend_data spend() const { return {x, money, {}}; }
};

}  // namespace

TEST_CASE("intervals: every registered model with a fit, every per-customer prediction") {
    const ltv::capability caps[] = {ltv::capability::p_alive,
                                    ltv::capability::conditional_purchases,
                                    ltv::capability::dert,
                                    ltv::capability::log_likelihood,
                                    ltv::capability::spend,
                                    ltv::capability::clv};
    int checked = 0;
    for (const ltv::model_ops* ops : ltv::registered_models()) {
        CAPTURE(ops->name);
        // survivor-curve models (sBG) have no per-customer predictions: nothing to check
        if (!ops->supports(ltv::capability::fit_rfm) && !ops->supports(ltv::capability::fit_spend))
            continue;
        const cf::model_inputs in = cf::load_inputs(*ops);
        const ltv::model_state& s = fitted(*ops);
        REQUIRE(s.report.standard_errors_available);
        const cf::columns& c = in.sample.cols;
        const std::vector<double> money =
            ops->data == ltv::data_kind::spend ? c[1] : cf::monetary_for(c[0]);
        ltv::rfm_data rfm;
        if (ops->data == ltv::data_kind::rfm) rfm = {c[0], c[1], c[2], {}};
        const ltv::spend_data spend{c[0], money, {}};
        const ltv::model_state* spend_state =
            ops->supports(ltv::capability::clv) ? &fitted(spend_ops()) : nullptr;
        for (const ltv::capability cap : caps) {
            if (!ops->supports(cap)) continue;
            CAPTURE(ltv::capability_name(static_cast<int>(cap)));
            const double argument = cap == ltv::capability::dert ? in.discount_rate
                                    : in.horizons.size() > 1    ? in.horizons[1]
                                                                : 1;
            const auto q =
                ltv::make_prediction_request(s, cap, argument, rfm, spend, spend_state, in.clv);
            ltv::interval_options o;
            const result d = run(q, o);
            check_contains(d, "delta");
            o.method = ltv::interval_method::bootstrap;
            o.replicates = 100;
            const result b = run(q, o);
            check_contains(b, "bootstrap");
            // some customer's prediction is uncertain at all (intervals are not all points)
            bool wide = false;
            for (std::size_t i = 0; i < d.point.size(); ++i)
                wide |= d.upper[i] - d.lower[i] > 1e-9 * std::abs(d.point[i]);
            CHECK(wide);
            ++checked;
        }
    }
    CHECK(checked >= 10);
}

TEST_CASE("intervals: a covariance scaled towards 0 shrinks the interval to the point") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    const cf::model_inputs in = cf::load_inputs(ops);
    const cf::columns& c = in.sample.cols;
    const ltv::rfm_data rfm{c[0], c[1], c[2], {}};
    ltv::model_state s = fitted(ops);
    const auto q0 = ltv::make_prediction_request(s, ltv::capability::conditional_purchases, 39,
                                                 rfm, {});
    ltv::interval_options o;
    const result wide = run(q0, o);
    for (const double scale : {1e-2, 1e-6}) {
        CAPTURE(scale);
        ltv::model_state t = s;
        for (double& v : t.report.covariance) v *= scale;
        const auto q = ltv::make_prediction_request(t, ltv::capability::conditional_purchases, 39,
                                                    rfm, {});
        for (const auto method : {ltv::interval_method::delta, ltv::interval_method::bootstrap}) {
            o.method = method;
            const result r = run(q, o);
            for (std::size_t i = 0; i < r.point.size(); ++i) {
                CAPTURE(i);
                const double w0 = wide.upper[i] - wide.lower[i], w = r.upper[i] - r.lower[i];
                CHECK(r.lower[i] <= r.point[i]);
                CHECK(r.upper[i] >= r.point[i]);
                // widths scale as the standard deviation, sqrt(scale): ×0.1 and ×0.001 (the
                // bootstrap's percentiles up to its Monte-Carlo error, hence 0.5 … 2)
                if (w0 > 1e-12 && method == ltv::interval_method::delta)
                    CHECK(w / w0 == doctest::Approx(std::sqrt(scale)).epsilon(0.02));
                if (w0 > 1e-12 && method == ltv::interval_method::bootstrap) {
                    CHECK(w <= 2 * std::sqrt(scale) * w0);
                    CHECK(w >= 0.5 * std::sqrt(scale) * w0 * 0.5);
                }
            }
        }
    }
}

TEST_CASE("intervals: the bootstrap's parameter draws have the fitted covariance") {
    // 40000 draws: the sampling error of a covariance entry is ≈ sqrt(2/N) ≈ 0.7 % of
    // sqrt(Σ_ii Σ_jj); 4 % is > 5 such errors.
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    const ltv::model_state& s = fitted(ops);
    const std::size_t k = s.params.size(), N = 40000;
    const std::vector<double> draws = ltv::bootstrap_parameter_draws(s, static_cast<int>(N), 5);
    // on the log scale the draws are exactly normal with covariance J Σ J, J = diag(1/φ)
    std::vector<double> mean(k, 0.0);
    for (std::size_t r = 0; r < N; ++r)
        for (std::size_t i = 0; i < k; ++i) mean[i] += std::log(draws[r * k + i]) / N;
    for (std::size_t i = 0; i < k; ++i) {
        const double sd_i = std::sqrt(s.report.covariance[i * k + i]) / s.params[i];
        CHECK(std::abs(mean[i] - std::log(s.params[i])) < 0.03 * sd_i);
        for (std::size_t j = 0; j < k; ++j) {
            CAPTURE(i);
            CAPTURE(j);
            double cov = 0;
            for (std::size_t r = 0; r < N; ++r)
                cov += (std::log(draws[r * k + i]) - mean[i]) *
                       (std::log(draws[r * k + j]) - mean[j]);
            cov /= static_cast<double>(N - 1);
            const double want =
                s.report.covariance[i * k + j] / (s.params[i] * s.params[j]);
            const double sd_j = std::sqrt(s.report.covariance[j * k + j]) / s.params[j];
            CHECK(std::abs(cov - want) < 0.04 * sd_i * sd_j);
        }
    }
    // and on the natural scale the covariance is the fitted one to first order (CDNOW's relative
    // SEs are ≤ ~15 %: the lognormal's extra variance is O(σ²) ≈ 2 %, so within 6 %)
    for (std::size_t i = 0; i < k; ++i) {
        double m = 0, v = 0;
        for (std::size_t r = 0; r < N; ++r) m += draws[r * k + i] / N;
        for (std::size_t r = 0; r < N; ++r) v += std::pow(draws[r * k + i] - m, 2) / (N - 1);
        CHECK(v == doctest::Approx(s.report.covariance[i * k + i]).epsilon(0.06));
    }
}

TEST_CASE("intervals: fixed parameters do not vary") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    ltv::model_state s = fitted(ops);
    const std::size_t k = s.params.size();
    for (std::size_t j = 0; j < k; ++j) {  // hold b (index 3) fixed: variance 0
        s.report.covariance[3 * k + j] = 0;
        s.report.covariance[j * k + 3] = 0;
    }
    const std::vector<double> draws = ltv::bootstrap_parameter_draws(s, 50, 3);
    for (std::size_t r = 0; r < 50; ++r) CHECK(draws[r * k + 3] == s.params[3]);
}

TEST_CASE("intervals: same seed, same bounds on 1, 2 and 4 threads; another seed, others") {
    const simulated d(60000);  // several blocks, each large enough for the BG curve tables
    const auto& bg = fitted(ltv::model_ops_for(ltv::model_kind::bgnbd));
    const auto& gg = fitted(spend_ops());
    const ltv::clv_options clv{};
    const auto q = ltv::make_prediction_request(bg, ltv::capability::clv, 0, d.rfm(), d.spend(),
                                                &gg, clv);
    ltv::interval_options o;
    o.method = ltv::interval_method::bootstrap;
    o.replicates = 20;
    o.seed = 42;
    const result one = run(q, o, 1);
    check_contains(one, "clv bootstrap");
    for (const int t : {2, 4}) {
        const result r = run(q, o, t);
        CHECK(cf::same_bits(one.lower, r.lower));
        CHECK(cf::same_bits(one.upper, r.upper));
    }
    o.seed = 43;
    const result other = run(q, o, 2);
    CHECK_FALSE(cf::same_bits(one.lower, other.lower));
    o.method = ltv::interval_method::delta;
    CHECK(cf::same_bits(run(q, o, 1).upper, run(q, o, 4).upper));
}

TEST_CASE("intervals: errors name the argument") {
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    ltv::model_state s = fitted(ops);
    const std::vector<double> x{1}, tx{2}, T{3};
    const ltv::rfm_data rfm{x, tx, T, {}};
    auto message = [&](const ltv::model_state& st, const ltv::interval_options& o) {
        const auto q = ltv::make_prediction_request(st, ltv::capability::p_alive, 0, rfm, {});
        double p = 0.5, lo, hi;
        try {
            ltv::prediction_intervals(q, &p, o, &lo, &hi, 1);
        } catch (const ltv::error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    ltv::interval_options o;
    o.level = 1;
    CHECK(message(s, o).find("interval_level") != std::string::npos);
    o.level = 0.9;
    o.method = ltv::interval_method::bootstrap;
    o.replicates = 1;
    CHECK(message(s, o).find("replicates") != std::string::npos);
    o.replicates = 200;
    ltv::model_state unfitted = s;
    unfitted.fitted = false;
    CHECK(message(unfitted, o).find("not fitted") != std::string::npos);
    ltv::model_state no_se = s;
    no_se.report.standard_errors_available = false;
    CHECK(message(no_se, o).find("standard errors") != std::string::npos);
    ltv::model_state longer = s;
    longer.params.push_back(0.5);  // a coefficient appended without its covariance
    CHECK(message(longer, o).find("covariance has") != std::string::npos);
}

TEST_CASE("intervals: normal quantile") {
    // Φ⁻¹ values from the definition (R: qnorm(c(0.95, 0.975, 0.995, 1e-10)))
    CHECK(ltv::detail::normal_quantile(0.95) == doctest::Approx(1.6448536269514722).epsilon(1e-13));
    CHECK(ltv::detail::normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-13));
    CHECK(ltv::detail::normal_quantile(0.995) == doctest::Approx(2.5758293035489004).epsilon(1e-13));
    CHECK(ltv::detail::normal_quantile(1e-10) == doctest::Approx(-6.361340902404056).epsilon(1e-11));
}
