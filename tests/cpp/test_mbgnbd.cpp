// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/mbgnbd.hpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ltv/mbgnbd.hpp"
#include "support/model_data.hpp"
#include "support/references.hpp"

namespace {
// Reference values: tests/data/references/mbgnbd.json.
const ltv_test::json& ref() { return ltv_test::reference("mbgnbd"); }
}  // namespace

TEST_CASE("mbgnbd: fit on CDNOW") {
    const auto d = ltv_test::rfm_dataset(ref(), "cdnow");
    const auto fit = ltv::fit_mbgnbd(d.view());
    // Reference: lifetimes 0.11.3 ModifiedBetaGeoFitter on cdnow_customers_summary.csv
    // (mbgnbd.json fits.cdnow: 4-5 digits → 1e-4).
    const auto& f = ref()["fits"]["cdnow"];
    ltv_test::check_published_fit<ltv::mbgnbd_model>(fit, f);
    CHECK(fit.report.convergence.converged);
    CHECK(fit.report.standard_errors_available);
}

TEST_CASE("mbgnbd: closed forms and invariants") {
    const auto p = ltv_test::param_struct<ltv::mbgnbd_params>(ref(), "fit:cdnow");
    // x = 0: L = B(a,b+1)/B(a,b)·(α/(α+T))^r + a/(a+b) (dropout at time 0), so
    // log L = log(b/(a+b)·(α/(α+T))^r + a/(a+b)) — exact.
    const double T = 38.86;
    const double expect = std::log(p.b / (p.a + p.b) * std::pow(p.alpha / (p.alpha + T), p.r) + p.a / (p.a + p.b));
    CHECK(ltv::log_likelihood(p, 0, 0, T) == doctest::Approx(expect).epsilon(1e-14));
    // P(alive | x = 0) = 1/(1 + a/b ((α+T)/α)^r) < 1, unlike BG/NBD.
    CHECK(ltv::probability_alive(p, 0, 0, T) ==
          doctest::Approx(1 / (1 + p.a / p.b * std::pow((p.alpha + T) / p.alpha, p.r))).epsilon(1e-14));
    // pmf sums to 1 with mean E[X(t)] (the pmf is derived in bg_family.hpp; this checks it).
    double total = 0, mean = 0;
    for (int n = 0; n < 400; ++n) {
        const double pn = ltv::probability_of_purchases(p, 39, n);
        total += pn;
        mean += n * pn;
    }
    CHECK(total == doctest::Approx(1).epsilon(1e-10));
    CHECK(mean == doctest::Approx(ltv::expected_purchases(p, 39)).epsilon(1e-8));
    // E[X(t)] = b/(a−1)·[1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))] (lifetimes' formula).
    const double t = 39, z = t / (p.alpha + t);
    CHECK(ltv::expected_purchases(p, t) ==
          doctest::Approx(p.b / (p.a - 1) * (1 - std::pow(p.alpha / (p.alpha + t), p.r) *
                                                     ltv::hyp2f1(p.r, p.b + 1, p.a + p.b, z))).epsilon(1e-12));
    // E[Y(t)] against the textbook hypergeometric form.
    const double x = 2, tx = 30.43, s = p.alpha + T;
    const double zz = t / (s + t);
    const double direct = (p.a + p.b + x) / (p.a - 1) *
                          (1 - std::pow(s / (s + t), p.r + x) * ltv::hyp2f1(p.r + x, p.b + x + 1, p.a + p.b + x, zz)) *
                          ltv::probability_alive(p, x, tx, T);
    CHECK(ltv::conditional_expected_purchases(p, t, x, tx, T) == doctest::Approx(direct).epsilon(1e-11));
    // Total = Σ per-customer and gradient vs finite differences.
    const auto d = ltv_test::cdnow();
    std::vector<double> ll(d.x.size());
    ltv::log_likelihood(p, d.view(), ll.data());
    double sum = 0;
    for (double v : ll) sum += v;
    double g[4];
    CHECK(ltv::total_log_likelihood(p, d.view(), g) == doctest::Approx(sum).epsilon(1e-12));
    const double h = 1e-5;
    const double fd_a = (ltv::total_log_likelihood(ltv::mbgnbd_params{p.r, p.alpha, p.a * std::exp(h), p.b}, d.view()) -
                         ltv::total_log_likelihood(ltv::mbgnbd_params{p.r, p.alpha, p.a * std::exp(-h), p.b}, d.view())) / (2 * h);
    CHECK(g[2] == doctest::Approx(fd_a).epsilon(1e-5));
    const double fd_r = (ltv::total_log_likelihood(ltv::mbgnbd_params{p.r * std::exp(h), p.alpha, p.a, p.b}, d.view()) -
                         ltv::total_log_likelihood(ltv::mbgnbd_params{p.r * std::exp(-h), p.alpha, p.a, p.b}, d.view())) / (2 * h);
    CHECK(g[0] == doctest::Approx(fd_r).epsilon(1e-5));
}

TEST_CASE("mbgnbd: robustness sweep and simulated recovery") {
    for (double r : {1e-3, 1.0, 1e3})
        for (double alpha : {1e-3, 1.0, 1e3})
            for (double a : {1e-3, 1.0, 1e3})
                for (double b : {1e-3, 1.0, 1e3}) {
                    const ltv::mbgnbd_params p{r, alpha, a, b};
                    for (double x : {0.0, 5.0, 10000.0}) {
                        const double T = 40, tx = x == 0 ? 0 : 20;
                        const double pa = ltv::probability_alive(p, x, tx, T);
                        const bool ok = std::isfinite(ltv::log_likelihood(p, x, tx, T)) && pa >= 0 &&
                                        pa <= 1 && std::isfinite(ltv::conditional_expected_purchases(p, 39, x, tx, T));
                        if (!ok) { CAPTURE(r); CAPTURE(alpha); CAPTURE(a); CAPTURE(b); CAPTURE(x); CHECK(ok); }
                    }
                }
    // Exact simulator with dropout at time 0 (m = 1), 20 000 customers.
    const ltv::mbgnbd_params truth{0.8, 4.0, 1.2, 4.0};
    const auto d = ltv_test::simulate_bg(truth.r, truth.alpha, truth.a, truth.b, 1, 20000, 20, 60, 77);
    const auto fit = ltv::fit_mbgnbd(d.view());
    const double t[4] = {truth.r, truth.alpha, truth.a, truth.b};
    for (std::size_t k = 0; k < 4; ++k) {
        CAPTURE(fit.report.parameters[k].name);
        CHECK(std::abs(fit.report.parameters[k].value - t[k]) <= 3 * fit.report.parameters[k].standard_error);
    }
}

TEST_CASE("mbgnbd: large batches — threads change no bit; tables agree with scalar") {
    const auto p = ltv_test::param_struct<ltv::mbgnbd_params>(ref(), "fit:cdnow");
    const auto d = ltv_test::simulate_bg(p.r, p.alpha, p.a, p.b, 1, 40000, 1, 78, 17);
    const std::size_t n = d.x.size();
    std::vector<double> ey1(n), pa1(n), ey2(n), pa2(n);
    ltv::conditional_expected_purchases(p, 39, d.view(), ey1.data(), 1);
    ltv::conditional_expected_purchases(p, 39, d.view(), ey2.data(), 2);
    ltv::probability_alive(p, d.view(), pa1.data(), 1);
    ltv::probability_alive(p, d.view(), pa2.data(), 2);
    CHECK(ey1 == ey2);
    CHECK(pa1 == pa2);
    double worst = 0;
    std::size_t alive_mismatch = 0;
    for (std::size_t i = 0; i < n; i += 3) {
        const double e = ltv::conditional_expected_purchases(p, 39, d.x[i], d.tx[i], d.T[i]);
        worst = std::max(worst, std::abs(ey1[i] - e) / e);
        alive_mismatch += pa1[i] != ltv::probability_alive(p, d.x[i], d.tx[i], d.T[i]);
    }
    CHECK(worst <= 1e-13);
    CHECK(alive_mismatch == 0);
}
