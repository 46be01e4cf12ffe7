// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/clv.hpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/mbgnbd.hpp"
#include "support/model_data.hpp"
#include "support/references.hpp"

namespace {
// The CDNOW fits of tests/data/references (bgnbd.json, gg.json, mbgnbd.json).
const ltv::bgnbd_params bg =
    ltv_test::param_struct<ltv::bgnbd_params>(ltv_test::reference("bgnbd"), "fit:cdnow");
const ltv::gamma_gamma_params gg =
    ltv_test::param_struct<ltv::gamma_gamma_params>(ltv_test::reference("gg"), "fit:cdnow_spend");
ltv::mbgnbd_params mbgnbd_fit() {
    return ltv_test::param_struct<ltv::mbgnbd_params>(ltv_test::reference("mbgnbd"), "fit:cdnow");
}
}  // namespace

TEST_CASE("clv: finite sum agrees with a brute-force evaluation") {
    ltv::clv_options o;
    o.periods = 12;
    o.period_length = 4.345;  // months in weeks
    o.discount_rate = 0.01;
    for (auto c : {std::array<double, 4>{2, 30.43, 38.86, 22.35}, std::array<double, 4>{0, 0, 38.86, 0},
                   std::array<double, 4>{7, 29.43, 38.86, 73.74}}) {
        double brute = 0;
        const double spend = ltv::conditional_expected_average_spend(gg, c[0], c[3]);
        for (int k = 1; k <= o.periods; ++k) {
            const double now = ltv::conditional_expected_purchases(bg, k * o.period_length, c[0], c[1], c[2]);
            const double before = k == 1 ? 0 : ltv::conditional_expected_purchases(bg, (k - 1) * o.period_length, c[0], c[1], c[2]);
            brute += spend * (now - before) / std::pow(1 + o.discount_rate, k);
        }
        // Same formula evaluated independently: agreement to rounding (1e-13).
        CHECK(ltv::clv(bg, gg, c[0], c[1], c[2], c[3], o) == doctest::Approx(brute).epsilon(1e-13));
    }
    // Undiscounted, the sum telescopes to spend · E[Y(N·L)].
    o.discount_rate = 0;
    CHECK(ltv::clv(bg, gg, 2, 30.43, 38.86, 22.35, o) ==
          doctest::Approx(ltv::conditional_expected_average_spend(gg, 2, 22.35) *
                          ltv::conditional_expected_purchases(bg, 12 * 4.345, 2, 30.43, 38.86)).epsilon(1e-13));
    o.periods = 0;
    CHECK(ltv::clv(bg, gg, 2, 30.43, 38.86, 22.35, o) == 0);
}

TEST_CASE("clv: batch equals scalar, works for MBG/NBD, validates") {
    const auto t = ltv_test::read_csv("cdnow_customers_summary_with_transactions.csv");
    const ltv::rfm_data d{t.column("x"), t.column("t_x"), t.column("T"), {}};
    ltv::clv_options o;
    o.discount_rate = 0.01;
    std::vector<double> out(t.rows());
    ltv::clv(bg, gg, d, t.column("zbar"), o, out.data());
    for (std::size_t i = 0; i < 50; ++i) {
        CHECK(out[i] == ltv::clv(bg, gg, d.frequency[i], d.recency[i], d.age[i], t.column("zbar")[i], o));
        CHECK(out[i] >= 0);
    }
    const ltv::mbgnbd_params mbg = mbgnbd_fit();
    const double v = ltv::clv(mbg, gg, 2, 30.43, 38.86, 22.35, o);
    CHECK(std::isfinite(v));
    CHECK(v > 0);
    o.period_length = -1;
    CHECK_THROWS_WITH_AS(ltv::clv(bg, gg, 2, 30.43, 38.86, 22.35, o),
                         "clv: argument 'period_length' = -1 must be greater than 0", ltv::error);
    o.period_length = 4;
    // q = 0.5: the population mean spend is infinite, so a customer with p·x + q <= 1 (x = 0)
    // has no CLV; one with x = 2 has a finite posterior mean spend (p·x + q = 2.5).
    CHECK_THROWS_AS(ltv::clv(bg, ltv::gamma_gamma_params{1, 0.5, 1}, 0, 0, 38.86, 0, o), ltv::error);
    CHECK(std::isfinite(ltv::clv(bg, ltv::gamma_gamma_params{1, 0.5, 1}, 2, 30.43, 38.86, 22.35, o)));
}

namespace {
/// A model without the batch hook: clv() takes the generic per-customer path for it.
struct curve_only_model {
    ltv::bgnbd_params inner;
};
void conditional_expected_purchases_curve(const curve_only_model& m, double x, double t_x,
                                          double T, const double* times, std::size_t n,
                                          double* out) {
    ltv::conditional_expected_purchases_curve(m.inner, x, t_x, T, times, n, out);
}
}  // namespace

TEST_CASE("clv: large batches — threads change no bit; tables agree with scalar clv") {
    // 60 000 customers: the hook (discounted_expected_purchases) tabulates the discounted
    // curve of the frequent x values.
    const auto d = ltv_test::simulate_bg(bg.r, bg.alpha, bg.a, bg.b, 0, 60000, 1, 78, 23);
    const std::size_t n = d.x.size();
    std::vector<double> monetary(n);
    for (std::size_t i = 0; i < n; ++i) monetary[i] = d.x[i] > 0 ? 20 + std::fmod(7.3 * static_cast<double>(i), 30) : 0;
    ltv::clv_options o;
    o.periods = 12;
    o.period_length = 4;
    o.discount_rate = 0.01;
    std::vector<double> c1(n), c2(n), c0(n), generic1(n), generic2(n);
    ltv::clv(bg, gg, d.view(), monetary, o, c1.data(), 1);
    ltv::clv(bg, gg, d.view(), monetary, o, c2.data(), 2);
    ltv::clv(bg, gg, d.view(), monetary, o, c0.data());
    CHECK(c1 == c2);
    CHECK(c1 == c0);
    double worst = 0, worst_generic = 0;
    const curve_only_model generic{bg};
    ltv::clv(generic, gg, d.view(), monetary, o, generic1.data(), 1);
    ltv::clv(generic, gg, d.view(), monetary, o, generic2.data(), 2);
    CHECK(generic1 == generic2);
    for (std::size_t i = 0; i < n; i += 5) {
        const double s = ltv::clv(bg, gg, d.x[i], d.tx[i], d.T[i], monetary[i], o);
        worst = std::max(worst, std::abs(c1[i] - s) / s);
        // The generic path is the scalar computation itself.
        worst_generic = std::max(worst_generic, std::abs(generic1[i] - s));
    }
    CHECK(worst <= 1e-13);
    CHECK(worst_generic == 0);
    // Other options: undiscounted, a negative rate, many periods, and no period at all.
    for (auto [periods, rate] : {std::pair<int, double>{12, 0.0}, {6, -0.02}, {60, 0.05}, {0, 0.01}}) {
        CAPTURE(periods);
        o.periods = periods;
        o.discount_rate = rate;
        ltv::clv(bg, gg, d.view(), monetary, o, c1.data(), 2);
        double w = 0;
        for (std::size_t i = 0; i < n; i += 11) {
            const double s = ltv::clv(bg, gg, d.x[i], d.tx[i], d.T[i], monetary[i], o);
            w = std::max(w, s != 0 ? std::abs(c1[i] - s) / s : std::abs(c1[i]));
        }
        CHECK(w <= 1e-13);
    }
}

TEST_CASE("clv: the discounted-purchases hook validates and works for MBG/NBD") {
    const ltv::mbgnbd_params mbg = mbgnbd_fit();
    const auto d = ltv_test::simulate_bg(mbg.r, mbg.alpha, mbg.a, mbg.b, 1, 30000, 1, 78, 29);
    const std::size_t n = d.x.size();
    std::vector<double> out(n), one(12);
    ltv::discounted_expected_purchases(mbg, d.view(), 12, 4, 0.01, out.data(), 2);
    const double times[12] = {4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48};
    double worst = 0;
    for (std::size_t i = 0; i < n; i += 7) {
        ltv::conditional_expected_purchases_curve(mbg, d.x[i], d.tx[i], d.T[i], times, 12, one.data());
        double expect = 0, previous = 0;
        for (int k = 0; k < 12; ++k) {
            expect += (one[k] - previous) / std::pow(1.01, k + 1);
            previous = one[k];
        }
        worst = std::max(worst, std::abs(out[i] - expect) / expect);
    }
    CHECK(worst <= 1e-13);
    CHECK_THROWS_WITH_AS(ltv::discounted_expected_purchases(mbg, d.view(), -1, 4, 0.01, out.data()),
                         "mbgnbd_discounted_expected_purchases: argument 'periods' = -1 must not be negative",
                         ltv::error);
    CHECK_THROWS_AS(ltv::discounted_expected_purchases(bg, d.view(), 12, 0, 0.01, out.data()), ltv::error);
}
