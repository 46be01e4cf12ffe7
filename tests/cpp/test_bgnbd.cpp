// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/bgnbd.hpp (and the shared engine ltv/detail/bg_family.hpp).
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ltv/bgnbd.hpp"
#include "support/model_data.hpp"
#include "support/references.hpp"

namespace {
// Reference values: tests/data/references/bgnbd.json (each with its source and tolerance).
const ltv_test::json& ref() { return ltv_test::reference("bgnbd"); }
const ltv_test::json& prediction(const char* id) { return ref().at("predictions").at(id); }
// FHL 2005 section 5 as printed, and the CDNOW fit (lifetimes 0.11.3, 7-8 digits).
const ltv::bgnbd_params published = ltv_test::param_struct<ltv::bgnbd_params>(ref(), "published");
const ltv::bgnbd_params fitted = ltv_test::param_struct<ltv::bgnbd_params>(ref(), "fit:cdnow");

using ltv_test::arg;
using ltv_test::error_message;

}  // namespace

TEST_CASE("bgnbd: fit on CDNOW reproduces Fader, Hardie & Lee (2005)") {
    const auto d = ltv_test::rfm_dataset(ref(), "cdnow");
    const auto fit = ltv::fit_bgnbd(d.view());
    // Reference: lifetimes 0.11.3 BetaGeoFitter on the same file = FHL 2005 (bgnbd.json
    // fits.cdnow: source, tolerances and why).
    const auto& f = ref()["fits"]["cdnow"];
    ltv_test::check_published_fit<ltv::bgnbd_model>(fit, f);
    CHECK(fit.report.convergence.converged);
    CHECK(fit.report.convergence.gradient_norm <= 1e-8);
    CHECK(fit.report.total_weight == f["total_weight"].get<double>());
    // Standard errors: lifetimes' summary for this fit.
    REQUIRE(fit.report.standard_errors_available);
    for (const auto& e : fit.report.parameters) {
        CAPTURE(e.name);
        CHECK_REF(e.standard_error, f["standard_errors"].at(e.name));
    }
    CHECK(fit.report.find("alpha")->value == fit.params.alpha);
    // Covariance is symmetric and its diagonal gives the SEs.
    CHECK(fit.report.covariance[1] == fit.report.covariance[4]);
    CHECK(std::sqrt(fit.report.covariance[15]) == fit.report.parameters[3].standard_error);
}

TEST_CASE("bgnbd: predictions at the published parameters (FHL 2005 and Hardie's notes)") {
    // FHL 2005 section 5 / Hardie's BG/NBD spreadsheet (bgnbd.json predictions): customer 1 of
    // the CDNOW sample (x = 2, t_x = 30.43, T = 38.86): E[Y(39)], P(alive), LL; x = 7.
    for (const char* id : {"conditional_purchases_customer_1", "conditional_purchases_x7"}) {
        const auto& c = prediction(id);
        CHECK_REF(ltv::conditional_expected_purchases(published, arg(c, "t"), arg(c, "frequency"),
                                                      arg(c, "recency"), arg(c, "T")),
                  c);
    }
    for (const char* id : {"p_alive_customer_1", "p_alive_x7"}) {
        const auto& c = prediction(id);
        CHECK_REF(
            ltv::probability_alive(published, arg(c, "frequency"), arg(c, "recency"), arg(c, "T")),
            c);
    }
    const auto& ll = prediction("log_likelihood_customer_1");
    CHECK_REF(
        ltv::log_likelihood(published, arg(ll, "frequency"), arg(ll, "recency"), arg(ll, "T")), ll);
    // P(X(39) = 0) = (α/(α+39))^r (closed form, 7 digits).
    const auto& pmf = prediction("purchase_pmf_0_at_39");
    CHECK_REF(ltv::probability_of_purchases(published, arg(pmf, "t"), arg(pmf, "count")), pmf);
    // Unconditional E[X(t)] at the fitted parameters, t = 1, 3, 32, 78: lifetimes'
    // expected_number_of_purchases_up_to_time (Hardie's spreadsheet, its own optimum: 0.0532,
    // 0.1506, 1.0437, 1.8576).
    for (const char* id : {"new_customer_purchases_1", "new_customer_purchases_3",
                           "new_customer_purchases_32", "new_customer_purchases_78"}) {
        const auto& e = prediction(id);
        CHECK_REF(ltv::expected_purchases(fitted, arg(e, "t")), e);
    }
}

TEST_CASE("bgnbd: Hardie's #NUM! stress case stays finite and accurate") {
    // Hardie, "Implementing the BG/NBD model … avoiding #NUM! errors" at r = 0.25, α = 4,
    // a = 0.8, b = 2.5, T = 40. x = 0: log L = r·log(α/(α+T)) = 0.25·log(4/44) = −0.59947382
    // (exact closed form). x = 200, t_x = 38: 100.79569 (the positive value is right: L is a
    // density in the purchase times, and 200 purchases in 38 weeks make it large).
    const ltv::bgnbd_params h = ltv_test::param_struct<ltv::bgnbd_params>(ref(), "hardie_num");
    CHECK(ltv::log_likelihood(h, 0, 0, 40) ==
          doctest::Approx(h.r * std::log(h.alpha / (h.alpha + 40))).epsilon(1e-14));
    for (const char* id : {"log_likelihood_hardie_x0", "log_likelihood_hardie_x200"}) {
        const auto& c = prediction(id);
        CHECK_REF(ltv::log_likelihood(h, arg(c, "frequency"), arg(c, "recency"), arg(c, "T")), c);
    }
    // Up to x = 10 000, against a direct lgamma evaluation of the dominant term: with t_x = 1 ≪ T
    // the "dropped out after the last purchase" term exceeds the other by ((α+T)/(α+t_x))^(r+x)
    // = 8^1000 or more, so log L = log[B(a+1, b+x−1)/B(a,b) Γ(r+x)/Γ(r) α^r/(α+t_x)^(r+x)] to
    // double precision — where the product form of the paper overflows.
    auto lbeta = [](double u, double v) { return std::lgamma(u) + std::lgamma(v) - std::lgamma(u + v); };
    for (double x : {1000.0, 10000.0}) {
        const double T = 40, tx = 1;
        const double direct = std::lgamma(h.r + x) - std::lgamma(h.r) + h.r * std::log(h.alpha) -
                              (h.r + x) * std::log(h.alpha + tx) + lbeta(h.a + 1, h.b + x - 1) -
                              lbeta(h.a, h.b);
        const double ll = ltv::log_likelihood(h, x, tx, T);
        CHECK(std::isfinite(ll));
        CHECK(ll == doctest::Approx(direct).epsilon(1e-12));
        CHECK(std::isfinite(ltv::log_likelihood(h, x, T, T)));
    }
}

TEST_CASE("bgnbd: invariants on CDNOW") {
    const auto d = ltv_test::cdnow();
    const std::size_t n = d.x.size();
    std::vector<double> ll(n), alive(n), ey(n), ey2(n);
    ltv::log_likelihood(fitted, d.view(), ll.data());
    double sum = 0;
    for (double v : ll) sum += v;
    // Total = Σ per-customer: the grouped, compressed path vs the row-by-row one.
    CHECK(ltv::total_log_likelihood(fitted, d.view()) == doctest::Approx(sum).epsilon(1e-12));
    ltv::probability_alive(fitted, d.view(), alive.data());
    ltv::conditional_expected_purchases(fitted, 39, d.view(), ey.data());
    ltv::conditional_expected_purchases(fitted, 52, d.view(), ey2.data());
    for (std::size_t i = 0; i < n; ++i) {
        CHECK(alive[i] >= 0);
        CHECK(alive[i] <= 1);
        CHECK(ey2[i] > ey[i]);  // E[Y(t)] increases with t
        CHECK(ey[i] == ltv::conditional_expected_purchases(fitted, 39, d.x[i], d.tx[i], d.T[i]));
    }
}

TEST_CASE("bgnbd: weighted fit on collapsed duplicates equals the unweighted fit") {
    const auto d = ltv_test::cdnow();
    // Collapse identical rows into one weighted row (quadratic, fine for 2357 rows).
    ltv_test::rfm_columns c;
    for (std::size_t i = 0; i < d.x.size(); ++i) {
        bool found = false;
        for (std::size_t j = 0; j < c.x.size() && !found; ++j)
            if (c.x[j] == d.x[i] && c.tx[j] == d.tx[i] && c.T[j] == d.T[i]) {
                c.w[j] += 1;
                found = true;
            }
        if (!found) {
            c.x.push_back(d.x[i]);
            c.tx.push_back(d.tx[i]);
            c.T.push_back(d.T[i]);
            c.w.push_back(1);
        }
    }
    REQUIRE(c.x.size() < d.x.size());
    const auto a = ltv::fit_bgnbd(d.view());
    const auto b = ltv::fit_bgnbd(c.view());
    // Same objective up to summation order: the optima agree to the optimiser's tolerance.
    CHECK(b.params.r == doctest::Approx(a.params.r).epsilon(1e-7));
    CHECK(b.params.alpha == doctest::Approx(a.params.alpha).epsilon(1e-7));
    CHECK(b.params.a == doctest::Approx(a.params.a).epsilon(1e-7));
    CHECK(b.params.b == doctest::Approx(a.params.b).epsilon(1e-7));
    CHECK(b.report.log_likelihood == doctest::Approx(a.report.log_likelihood).epsilon(1e-12));
    CHECK(ltv::total_log_likelihood(fitted, c.view()) ==
          doctest::Approx(ltv::total_log_likelihood(fitted, d.view())).epsilon(1e-12));
}

TEST_CASE("bgnbd: analytic gradient agrees with central finite differences") {
    const auto d = ltv_test::cdnow();
    for (const auto& p : {fitted, ltv::bgnbd_params{1.7, 0.3, 3.2, 0.4}, ltv::bgnbd_params{0.05, 40, 1.0, 9}}) {
        double g[4];
        ltv::total_log_likelihood(p, d.view(), g);
        const double theta[4] = {std::log(p.r), std::log(p.alpha), std::log(p.a), std::log(p.b)};
        for (int k = 0; k < 4; ++k) {
            const double h = 1e-5;
            double tp[4], tm[4];
            for (int j = 0; j < 4; ++j) tp[j] = tm[j] = theta[j];
            tp[k] += h;
            tm[k] -= h;
            auto at = [&](const double* t) {
                return ltv::total_log_likelihood(
                    ltv::bgnbd_params{std::exp(t[0]), std::exp(t[1]), std::exp(t[2]), std::exp(t[3])},
                    d.view());
            };
            const double fd = (at(tp) - at(tm)) / (2 * h);
            CAPTURE(k);
            // O(h²) truncation plus ~1e-12·|LL|/h rounding: ~1e-5 relative at most.
            CHECK(g[k] == doctest::Approx(fd).epsilon(1e-5));
        }
    }
}

TEST_CASE("bgnbd: the evaluation branches of E[Y(t)] agree") {
    using namespace ltv::detail;
    // tail(A, a, β, s) by series in s, series in z, connection formula and quadrature.
    struct k { double A, a, beta, s; };
    for (auto c : {k{2.243, 0.793, 4.426, 0.45}, k{published.r, published.a, published.b, 0.3},
                   k{7.2, 1.8, 9.4, 0.2}, k{3.5, 0.4, 0.9, 0.49}}) {
        bool ok1, ok2;
        const double v1 = bg_tail_series_s(c.A, c.a, c.beta, c.s, ok1);
        const double v2 = bg_tail_series_z(c.A, c.a, c.beta, c.s, ok2);
        REQUIRE(ok1);
        REQUIRE(ok2);
        CHECK(v1 == doctest::Approx(v2).epsilon(1e-13));
        bool ok4;
        CHECK(bg_tail_quadrature(c.A, c.a, c.beta, c.s, ok4) == doctest::Approx(v1).epsilon(1e-12));
        CHECK(ok4);
    }
    for (auto c : {k{2.243, 0.793, 4.426, 9.0}, k{published.r, published.a, published.b, 50.0},
                   k{3.5, 2.4, 0.9, 4.0}}) {
        CAPTURE(c.s);
        bool ok3, ok4;
        const double v3 = bg_tail_connection(c.A, c.a, c.beta, c.s, ok3);
        CHECK(ok3);
        CHECK(bg_tail_quadrature(c.A, c.a, c.beta, c.s, ok4) == doctest::Approx(v3).epsilon(1e-12));
        CHECK(ok4);
        CHECK(bg_tail(c.A, c.a, c.beta, c.s) == doctest::Approx(v3).epsilon(1e-12));
    }
}

TEST_CASE("bgnbd: a = 1 (the 0/0 point of FHL eqs. 9-10) is continuous") {
    for (double t : {5.0, 39.0, 400.0}) {
        const ltv::bgnbd_params at{0.5, 4, 1.0, 2.5}, lo{0.5, 4, 1 - 1e-7, 2.5}, hi{0.5, 4, 1 + 1e-7, 2.5};
        const double v = ltv::conditional_expected_purchases(at, t, 3, 20, 38);
        CAPTURE(t);
        CHECK(std::isfinite(v));
        // The function is smooth in a: neighbours 1e-7 away differ by O(1e-7).
        CHECK(v == doctest::Approx(ltv::conditional_expected_purchases(lo, t, 3, 20, 38)).epsilon(1e-6));
        CHECK(v == doctest::Approx(ltv::conditional_expected_purchases(hi, t, 3, 20, 38)).epsilon(1e-6));
        CHECK(ltv::expected_purchases(at, t) == doctest::Approx(ltv::expected_purchases(hi, t)).epsilon(1e-6));
    }
    // Closed form at a = 1, b = 1, r = 1 for a new customer: E[X(t)] = E_p[(1 − 1/(1+pt/α))/p]
    // with p ~ U(0,1) = ∫₀¹ s/(1+ps) dp = log(1 + s), s = t/α.
    CHECK(ltv::expected_purchases(ltv::bgnbd_params{1, 2, 1, 1}, 6) == doctest::Approx(std::log(4.0)).epsilon(1e-13));
}

TEST_CASE("bgnbd: P(X(t) = n) sums to 1 and has mean E[X(t)]") {
    for (const auto& p : {fitted, ltv::bgnbd_params{2.0, 3.0, 1.5, 4.0}}) {
        double total = 0, mean = 0;
        for (int n = 0; n < 400; ++n) {
            const double pn = ltv::probability_of_purchases(p, 39, n);
            CHECK(pn >= 0);
            total += pn;
            mean += n * pn;
        }
        // Truncation at n = 400 leaves a tail far below 1e-10 for these parameters.
        CHECK(total == doctest::Approx(1).epsilon(1e-10));
        CHECK(mean == doctest::Approx(ltv::expected_purchases(p, 39)).epsilon(1e-8));
    }
}

TEST_CASE("bgnbd: robustness sweep — finite values and 0 ≤ P(alive) ≤ 1") {
    const double grid[] = {1e-3, 0.1, 10, 1e3};
    int evaluated = 0;
    for (double r : grid)
        for (double alpha : grid)
            for (double a : grid)
                for (double b : grid) {
                    const ltv::bgnbd_params p{r, alpha, a, b};
                    for (double T : {0.01, 40.0, 1e4})
                        for (double x : {0.0, 1.0, 30.0, 10000.0})
                            for (double frac : {0.0, 0.5, 1.0}) {
                                const double tx = x == 0 ? 0 : frac * T;
                                const double ll = ltv::log_likelihood(p, x, tx, T);
                                const double pa = ltv::probability_alive(p, x, tx, T);
                                const double ey = ltv::conditional_expected_purchases(p, 39, x, tx, T);
                                const bool ok = std::isfinite(ll) && pa >= 0 && pa <= 1 &&
                                                std::isfinite(ey) && ey >= 0;
                                if (!ok) {
                                    CAPTURE(r); CAPTURE(alpha); CAPTURE(a); CAPTURE(b);
                                    CAPTURE(x); CAPTURE(tx); CAPTURE(T);
                                    CHECK(ok);
                                }
                                ++evaluated;
                            }
                    CHECK(std::isfinite(ltv::expected_purchases(p, 39)));
                }
    CHECK(evaluated == 256 * 36);
}

TEST_CASE("bgnbd: simulated data recover the true parameters within 3 standard errors") {
    // Exact simulator (tests/cpp/support/model_data.hpp): 20 000 customers, continuous times.
    const ltv::bgnbd_params truth{0.6, 5.0, 0.9, 3.0};
    const auto d = ltv_test::simulate_bg(truth.r, truth.alpha, truth.a, truth.b, 0, 20000, 20, 60, 20240601);
    const auto fit = ltv::fit_bgnbd(d.view());
    const double t[4] = {truth.r, truth.alpha, truth.a, truth.b};
    for (int k = 0; k < 4; ++k) {
        const auto& e = fit.report.parameters[static_cast<std::size_t>(k)];
        CAPTURE(e.name);
        CHECK(std::abs(e.value - t[k]) <= 3 * e.standard_error);
        CHECK(e.standard_error < 0.2 * t[k]);  // and the data are informative
    }
}

TEST_CASE("bgnbd: input validation names the argument, index and value") {
    const auto d = ltv_test::cdnow();
    auto bad = d;
    bad.x[17] = -1;
    CHECK(error_message([&] { ltv::fit_bgnbd(bad.view()); }) ==
          "bgnbd_fit: argument 'frequency[17]' = -1 must not be negative");
    bad = d;
    bad.x[3] = 1.5;
    CHECK(error_message([&] { ltv::fit_bgnbd(bad.view()); }) ==
          "bgnbd_fit: argument 'frequency[3]' = 1.5 must be an integer");
    CHECK(error_message([&] { ltv::probability_alive(fitted, 2, 41, 40); }) ==
          "bgnbd_probability_alive: argument 'recency' = 41 must not exceed 'T' = 40");
    CHECK(error_message([&] { ltv::probability_alive(fitted, 0, 3, 40); }) ==
          "bgnbd_probability_alive: argument 'recency' = 3 must be 0 when 'frequency' = 0 (no repeat purchase)");
    CHECK(error_message([&] { ltv::expected_purchases(ltv::bgnbd_params{0.2, -1, 1, 1}, 3); }) ==
          "bgnbd_expected_purchases: argument 'alpha' = -1 must be greater than 0");
    CHECK_THROWS_AS(ltv::probability_alive(fitted, 2, 1, 0), ltv::error);  // T = 0
    std::vector<double> w(d.x.size(), 1.0);
    w[5] = std::nan("");
    ltv_test::rfm_columns dw = d;
    dw.w = w;
    CHECK(error_message([&] { ltv::fit_bgnbd(dw.view()); }) ==
          "bgnbd_fit: argument 'weights[5]' = nan is not a finite number");
    // An iteration limit too small to converge is reported, never hidden.
    ltv::fit_options o;
    o.max_iterations = 2;
    try {
        ltv::fit_bgnbd(d.view(), o);
        CHECK(false);
    } catch (const ltv::error& e) {
        CHECK(e.code() == ltv::status::no_convergence);
    }
    o.allow_no_convergence = true;
    CHECK_FALSE(ltv::fit_bgnbd(d.view(), o).report.convergence.converged);
}

// ---- large batches and large fits (the performance paths of issue #4) -------------------------

namespace {
/// Largest |a − b| / |b| over rows i = 0, step, 2·step, … (0 when b is 0 and a equals it).
template <class F>
double max_relative_difference(const std::vector<double>& batch, std::size_t step, F&& scalar) {
    double worst = 0;
    for (std::size_t i = 0; i < batch.size(); i += step) {
        const double s = scalar(i);
        const double d = std::abs(batch[i] - s);
        worst = std::max(worst, s != 0 ? d / std::abs(s) : d);
    }
    return worst;
}
}  // namespace

TEST_CASE("bgnbd: large batches — thread count never changes a bit; tables agree with scalar") {
    // 60 000 customers (≥ detail::bg_table_min_rows): the frequent x values go through the
    // tabulated curve, the rare ones through the exact formulas.
    const auto d = ltv_test::simulate_bg(published.r, published.alpha, published.a, published.b, 0,
                                         60000, 1, 78, 7);
    const std::size_t n = d.x.size();
    std::vector<double> ey1(n), pa1(n), ll1(n), ey(n), pa(n), ll(n);
    ltv::conditional_expected_purchases(fitted, 39, d.view(), ey1.data(), 1);
    ltv::probability_alive(fitted, d.view(), pa1.data(), 1);
    ltv::log_likelihood(fitted, d.view(), ll1.data(), 1);
    for (int threads : {2, 3, 0}) {
        CAPTURE(threads);
        ltv::conditional_expected_purchases(fitted, 39, d.view(), ey.data(), threads);
        ltv::probability_alive(fitted, d.view(), pa.data(), threads);
        ltv::log_likelihood(fitted, d.view(), ll.data(), threads);
        CHECK(ey == ey1);  // bit for bit
        CHECK(pa == pa1);
        CHECK(ll == ll1);
    }
    // The overloads without `threads` (all cores) give the same bits too.
    ltv::conditional_expected_purchases(fitted, 39, d.view(), ey.data());
    CHECK(ey == ey1);
    // P(alive) and log L are evaluated exactly as the scalar functions do.
    std::size_t alive_mismatch = 0, ll_mismatch = 0;
    for (std::size_t i = 0; i < n; ++i) {
        alive_mismatch += pa1[i] != ltv::probability_alive(fitted, d.x[i], d.tx[i], d.T[i]);
        ll_mismatch += ll1[i] != ltv::log_likelihood(fitted, d.x[i], d.tx[i], d.T[i]);
    }
    CHECK(alive_mismatch == 0);
    CHECK(ll_mismatch == 0);
    // Tabulated E[Y]: agreement to rounding (observed ≈ 2e-14, the noise level of the exact
    // series themselves; 1e-13 checked). Also for a horizon far outside the data's s range.
    for (double t : {39.0, 1.0, 500.0}) {
        CAPTURE(t);
        ltv::conditional_expected_purchases(fitted, t, d.view(), ey.data(), 2);
        CHECK(max_relative_difference(ey, 3, [&](std::size_t i) {
                  return ltv::conditional_expected_purchases(fitted, t, d.x[i], d.tx[i], d.T[i]);
              }) <= 1e-13);
    }
    ltv::conditional_expected_purchases(fitted, 0, d.view(), ey.data(), 2);
    CHECK(std::all_of(ey.begin(), ey.end(), [](double v) { return v == 0; }));
}

TEST_CASE("bgnbd: the curve table passes its checks and matches bg_tail") {
    using namespace ltv::detail;
    for (double x : {0.0, 1.0, 7.0, 30.0}) {
        CAPTURE(x);
        const double A = fitted.r + x, beta = fitted.b + x, a = fitted.a;
        bg_curve_table tb;
        const bool ok = bg_build_curve_table_adaptive(tb, 1, 0.05, 9.0, [&](double s) {
            return bg_tail(A, a, beta, s) / s;
        });
        CHECK(ok);
        if (!ok) continue;
        for (double s = 0.05; s <= 9.0; s *= 1.0371) {
            const double exact = bg_tail(A, a, beta, s);
            CHECK(bg_tail_lookup(&tb, A, a, beta, s) == doctest::Approx(exact).epsilon(1e-13));
        }
        // Outside the table: the exact formula.
        CHECK(bg_tail_lookup(&tb, A, a, beta, 20.0) == bg_tail(A, a, beta, 20.0));
    }
    // A curve no degree-11 polynomial per interval can follow to rounding is rejected (the
    // batch then evaluates that x exactly): a function with a pole just beside the range.
    bg_curve_table bad;
    CHECK_FALSE(bg_build_curve_table_adaptive(bad, 1, 0.05, 9.0,
                                              [](double s) { return 1 / (s - 0.02); }));
}

TEST_CASE("bgnbd: batch errors name the lowest failing row and leave out untouched") {
    const auto d = ltv_test::simulate_bg(published.r, published.alpha, published.a, published.b, 0,
                                         50000, 1, 78, 11);
    auto bad = d;
    bad.x[40000] = -1;
    bad.tx[30000] = bad.T[30000] + 1;
    std::vector<double> out(d.x.size(), 42.0);
    for (int threads : {1, 2, 4}) {
        CAPTURE(threads);
        const std::string msg = error_message([&] {
            ltv::conditional_expected_purchases(fitted, 39, bad.view(), out.data(), threads);
        });
        CHECK(msg.find("argument 'recency[30000]'") != std::string::npos);
        CHECK(error_message([&] { ltv::probability_alive(fitted, bad.view(), out.data(), threads); })
                  .find("'recency[30000]'") != std::string::npos);
    }
    CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == 42.0; }));
}

TEST_CASE("bgnbd: merging identical rows — skipped for continuous times, kept for discrete") {
    using namespace ltv::detail;
    const auto d = ltv_test::simulate_bg(published.r, published.alpha, published.a, published.b, 0,
                                         100000, 1, 78, 5);
    const bg_shape p{fitted.r, fitted.alpha, fitted.a, fitted.b, 0};
    // Continuous times: no two rows are equal; the large groups skip the sort.
    const auto merged = bg_prepare(d.view(), true), plain = bg_prepare(d.view(), false);
    CHECK(merged.tx.size() == d.x.size());
    double g1[4], g2[4];
    CHECK(bg_total_log_likelihood(p, merged, g1) ==
          doctest::Approx(bg_total_log_likelihood(p, plain, g2)).epsilon(1e-12));
    // Whole weeks: many identical rows, which are merged (and change nothing but rounding).
    auto w = d;
    for (std::size_t i = 0; i < w.x.size(); ++i) {
        w.T[i] = std::ceil(w.T[i]);
        w.tx[i] = std::min(std::round(w.tx[i]), w.T[i]);
    }
    const auto wm = bg_prepare(w.view(), true), wp = bg_prepare(w.view(), false);
    CHECK(wm.tx.size() < w.x.size() / 4);
    CHECK(wm.total_weight == wp.total_weight);
    CHECK(bg_total_log_likelihood(p, wm, g1) ==
          doctest::Approx(bg_total_log_likelihood(p, wp, g2)).epsilon(1e-12));
    for (int k = 0; k < 4; ++k) CHECK(g1[k] == doctest::Approx(g2[k]).epsilon(1e-9));
}

TEST_CASE("bgnbd: subsample-then-polish fit agrees with the direct fit") {
    // 220 000 continuous rows (≥ detail::fit_subsample_min_rows): the default path fits a
    // 50 000-row subsample first; both paths must meet the same gradient test.
    const auto d = ltv_test::simulate_bg(0.5, 6.0, 0.8, 2.5, 0, 220000, 5, 60, 3);
    ltv::fit_options o;
    o.standard_errors = false;
    ltv::fit_report fast, direct;
    const auto a = ltv::detail::bg_fit("bgnbd_fit", d.view(), o, 0, fast, true);
    const auto b = ltv::detail::bg_fit("bgnbd_fit", d.view(), o, 0, direct, false);
    CHECK(fast.convergence.converged);
    CHECK(direct.convergence.converged);
    CHECK(fast.convergence.gradient_norm <= o.gradient_tolerance);
    // Both are the maximum to within the tolerance: parameters to ~1e-7, LL to ~1e-13.
    CHECK(a.r == doctest::Approx(b.r).epsilon(1e-6));
    CHECK(a.alpha == doctest::Approx(b.alpha).epsilon(1e-6));
    CHECK(a.a == doctest::Approx(b.a).epsilon(1e-6));
    CHECK(a.b == doctest::Approx(b.b).epsilon(1e-6));
    CHECK(fast.log_likelihood == doctest::Approx(direct.log_likelihood).epsilon(1e-11));
    // The reported LL is that of the returned parameters.
    CHECK(fast.log_likelihood ==
          doctest::Approx(ltv::total_log_likelihood(ltv::bgnbd_params{a.r, a.alpha, a.a, a.b},
                                                    d.view()))
              .epsilon(1e-12));
    CHECK(fast.rows_used == d.x.size());  // continuous: nothing to merge
    // The public entry point takes the fast path and agrees as well.
    const auto pub = ltv::fit_bgnbd(d.view(), o);
    CHECK(pub.params.r == a.r);
}
