// Tests of ltv/clv.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/mbgnbd.hpp"
#include "support/model_data.hpp"

namespace {
const ltv::bgnbd_params bg{0.2425929, 4.4135317, 0.7928862, 2.4257536};   // CDNOW fit
const ltv::gamma_gamma_params gg{6.24880, 3.74459, 15.4477};              // CDNOW fit
}

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
    const ltv::mbgnbd_params mbg{0.5248, 6.1830, 0.8914, 1.6140};
    const double v = ltv::clv(mbg, gg, 2, 30.43, 38.86, 22.35, o);
    CHECK(std::isfinite(v));
    CHECK(v > 0);
    o.period_length = -1;
    CHECK_THROWS_WITH_AS(ltv::clv(bg, gg, 2, 30.43, 38.86, 22.35, o),
                         "clv: argument 'period_length' = -1 must be greater than 0", ltv::error);
    o.period_length = 4;
    CHECK_THROWS_AS(ltv::clv(bg, ltv::gamma_gamma_params{1, 0.5, 1}, 2, 30.43, 38.86, 22.35, o), ltv::error);
}
