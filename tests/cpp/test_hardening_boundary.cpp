// SPDX-License-Identifier: Apache-2.0
// Regression tests of issue 8 for the calculators, model files, CLV, cohorts and the day-number
// checks of journey / RFM / cohorts (defects D7, D8, D10, D11, D14). The C boundary's share
// (outputs untouched on error, the calculator sweep) is in tests/c/test_boundary.c.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ltv/average_clv.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/cohorts.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/journey.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/model_state.hpp"
#include "ltv/retention.hpp"
#include "ltv/rfm.hpp"
#include "ltv/simple_ltv.hpp"

namespace {

using ltv_test::error_message;
using ltv_test::error_status;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

ltv::purchase_history hist(const char* text) {
    return ltv::build_history(ltv::load_transactions_text(text));
}

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

const char* model_prefix =
    R"({"format": "ltv-model", "format_version": 1, "model": "bgnbd",)"
    R"( "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})";

std::string with_fit(const std::string& fields) {
    return std::string(model_prefix) + R"(, "fit": {"log_likelihood": -9582.4)" + fields + "}}";
}

}  // namespace

// ---- D7: messages format subnormals without throwing ------------------------------------------

TEST_CASE("hardening D7: subnormal arguments are named in invalid_argument messages") {
    // D7: ltv_churn_rate(100, -4.9e-324) gave INTERNAL (std::stod threw out_of_range while
    // formatting the message). "5e-324" is the shortest text that reads back to 2^-1074.
    CHECK(ltv::detail::format_value(-4.9e-324) == "-5e-324");
    CHECK(ltv::detail::format_value(-1e-310) == "-1e-310");
    CHECK(ltv::detail::format_value(std::numeric_limits<double>::max()) ==
          "1.7976931348623157e+308");
    CHECK(error_status([] { ltv::churn_rate(100, -4.9e-324); }) == ltv::status::invalid_argument);
    CHECK(error_message([] { ltv::churn_rate(100, -4.9e-324); }) ==
          "churn_rate: argument 'lost' = -5e-324 must not be negative");
    // D7: a model file with alpha = -1e-320 is a parse error, not an internal one.
    const std::string json = R"({"format": "ltv-model", "format_version": 1, "model": "bgnbd",)"
                             R"( "params": {"r": 1, "alpha": -1e-320, "a": 1, "b": 1}})";
    CHECK(error_status([&] { ltv::model_from_json(json); }) == ltv::status::parse_error);
    CHECK(contains(error_message([&] { ltv::model_from_json(json); }),
                   "'alpha' = -1e-320 must be a finite number > 0"));
}

// ---- D8: model files are type-checked field by field ------------------------------------------

TEST_CASE("hardening D8: wrongly typed model-file fields are parse errors naming the field") {
    struct bad_field {
        std::string json;
        std::string message;
    };
    const std::vector<bad_field> cases = {
        // D8: these three gave INTERNAL (nlohmann::json::type_error escaped).
        {with_fit(R"(, "converged": "yes")"),
         "fit: key 'converged' must be true or false, not \"yes\""},
        {with_fit(R"(, "message": 42)"), "fit: key 'message' must be a string, not 42"},
        {R"({"format": 7, "format_version": 1, "model": "sbg", "params": {"alpha": 1, "beta": 1}})",
         "key 'format' must be the string \"ltv-model\", not 7"},
        // D8: 1e300 → int was undefined behaviour.
        {with_fit(R"(, "iterations": 1e300)"),
         "fit: key 'iterations' must be a whole number in 0 … 2147483647, not 1e+300"},
        {with_fit(R"(, "function_evaluations": 2147483648)"), "'function_evaluations' must be"},
        // D8: negative counts and penalizer were accepted.
        {with_fit(R"(, "rows_used": -1)"), "fit: key 'rows_used' must be a whole number"},
        {with_fit(R"(, "penalizer": -7)"), "fit: key 'penalizer' must be a finite number >= 0"},
        {with_fit(R"(, "total_weight": -1)"), "key 'total_weight' must be a finite number >= 0"},
        {with_fit(R"(, "gradient_norm": "small")"), "key 'gradient_norm' must be a finite number"},
        {with_fit(R"(, "objective": [1])"), "key 'objective' must be a finite number, not [1]"},
        {with_fit(R"(, "standard_errors": {"r": -0.1})"),
         "standard_errors: key 'r' must be a finite number >= 0"},
        {with_fit(R"(, "covariance": [1, 2, 3, 4])"), "key 'covariance' must be an empty array or"},
        {std::string(model_prefix) + R"(, "fit": "yes"})", "key 'fit' must be an object"},
        {std::string(model_prefix) + R"(, "time_unit": 7})", "key 'time_unit' must be a string"},
        {R"({"format": "ltv-model", "format_version": 1, "model": 4, "params": {}})",
         "key 'model' must be a string"},
        {R"({"format": "ltv-model", "format_version": 1, "model": "sbg", "params": [1, 2]})",
         "key 'params' must be an object"},
        {R"({"format": "ltv-model", "format_version": 1.5, "model": "sbg"})",
         "unsupported format_version 1.5"},
        {R"({"format": "ltv-model", "format_version": 0, "model": "sbg"})",
         "unsupported format_version 0"},
        {R"([1, 2])", "not a JSON object"},
        // A value of inf (1e999 overflows) cannot be written back: refused.
        {with_fit(R"(, "objective": -1e999)"), "number overflow"},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        CHECK(error_status([&] { ltv::model_from_json(c.json); }) == ltv::status::parse_error);
        CHECK(contains(error_message([&] { ltv::model_from_json(c.json); }), c.message));
    }
    // A long value is cut in the message.
    const std::string long_value(10000, 'x');
    const std::string long_json = with_fit(R"(, "converged": ")" + long_value + "\"");
    const auto message = error_message([&] { ltv::model_from_json(long_json); });
    CHECK(message.size() < 200);
}

TEST_CASE("hardening D8: accepted fields read back, and null counts as absent") {
    const auto m = ltv::model_from_json(with_fit(
        R"(, "converged": true, "iterations": 12, "function_evaluations": 4e1, "message": null,)"
        R"( "penalizer": 0.25, "rows_used": 18446744073709551615, "gradient_norm": null,)"
        R"( "standard_errors": {"r": 0.01, "alpha": null}, "covariance": [])"));
    CHECK(m.fitted);
    CHECK(m.report.convergence.converged);
    CHECK(m.report.convergence.iterations == 12);
    CHECK(m.report.convergence.function_evaluations == 40);
    CHECK(m.report.convergence.message.empty());
    CHECK(m.report.penalizer == 0.25);
    CHECK(m.report.rows_used == std::numeric_limits<std::size_t>::max());
    CHECK(std::isnan(m.report.convergence.gradient_norm));
    REQUIRE(m.report.parameters.size() == 4);
    CHECK(m.report.parameters[0].standard_error == 0.01);
    CHECK(std::isnan(m.report.parameters[1].standard_error));
    CHECK(m.report.covariance.size() == 16);
    // Round trip: what model_to_json writes, model_from_json reads back unchanged.
    const auto back = ltv::model_from_json(ltv::model_to_json(m));
    CHECK(back.report.rows_used == m.report.rows_used);
    CHECK(back.report.convergence.iterations == 12);
    CHECK(ltv::model_to_json(back) == ltv::model_to_json(m));
}

// ---- D14: calculators never return inf or NaN ---------------------------------------------------

TEST_CASE("hardening D14: calculator results that overflow are domain errors") {
    // D14: ltv_lost_profit(0, 1e12, 0, 1e308) was NaN (0 × inf): no lost customers lose exactly 0.
    CHECK(ltv::lost_profit(0, 1e12, 0, 1e308) == 0.0);
    CHECK(error_status([] { ltv::lost_profit(1, 1e12, 0, 1e308); }) == ltv::status::domain_error);
    CHECK(error_message([] { ltv::lost_profit(1, 1e12, 0, 1e308); }) ==
          "lost_profit: result 'lost_per_customer' = inf is not a finite number (the arguments "
          "overflow double precision)");
    CHECK(error_status([] { ltv::lost_profit(1e300, 1e10, 0, 1e10); }) == ltv::status::domain_error);
    CHECK(error_status([] { ltv::lost_profit_per_customer(1e308, 0, -10); }) ==
          ltv::status::domain_error);
    // Inputs are still checked when nothing is lost.
    CHECK(error_status([] { ltv::lost_profit(0, 1, 2, 1); }) == ltv::status::invalid_argument);
    // D14: ltv_ltv_from_margins({1e308, 1e308}) was inf.
    const std::vector<double> huge{1e308, 1e308};
    CHECK(contains(error_message([&] { ltv::ltv_from_margins(huge); }),
                   "result 'ltv' = inf is not a finite number"));
    CHECK(error_status([] { ltv::simple_ltv(-1e308, 2); }) == ltv::status::domain_error);
    CHECK(error_status([] { ltv::retention_from_flows(1e308, 0, 1e308); }) ==
          ltv::status::domain_error);
    // A discount factor that overflows (d = −0.5: 1/(1 + d)ⁱ = 2ⁱ is inf from i = 1024) only
    // matters where a term is reached: a chain that ends (p = 0) after step 9 is
    // Σ_{i<10} 2ⁱ = 1023, exact in double; without the end the sum overflows.
    std::vector<double> margins(2000, 1.0), p(2000, 0.0);
    for (std::size_t i = 0; i < 10; ++i) p[i] = 1.0;
    CHECK(ltv::purchase_chain_ltv(margins, p, -0.5) == 1023.0);
    CHECK(error_status([&] { ltv::ltv_from_margins(margins, -0.5); }) == ltv::status::domain_error);
    // average_clv: the per-period margin and the sum are checked; zero periods give exactly 0.
    ltv::average_clv_inputs in;
    in.average_order_value = 1e308;
    in.purchases_per_period = 10;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }),
                   "result 'margin_per_period' = inf"));
    in.average_order_value = 1e300;
    in.purchases_per_period = 1;
    in.periods = 1e10;
    CHECK(contains(error_message([&] { ltv::average_clv(in); }), "result 'clv' = inf"));
    in.periods = 0;
    CHECK(ltv::average_clv(in) == 0.0);
    in.periods = 1e300;  // q = 10: the sum overflows, but there is no margin: exactly 0
    in.discount_rate = -0.9;
    in.average_order_value = 0;
    CHECK(ltv::average_clv(in) == 0.0);
    // The bounded results cannot overflow (documented): rates of subnormal counts are ≤ 1.
    CHECK(ltv::retention_rate(4.9e-324, 4.9e-324, 0) == 1.0);
    CHECK(ltv::churn_rate(4.9e-324, 4.9e-324) == 1.0);
}

TEST_CASE("hardening D14: a CLV that overflows is a domain error naming the customer") {
    // BG/NBD at Fader, Hardie & Lee's (2005) CDNOW estimates, Gamma-Gamma at FHL (2005b).
    const ltv::bgnbd_params bg{0.243, 4.414, 0.793, 2.426};
    const ltv::gamma_gamma_params gg{6.25, 3.74, 15.44};
    // 100 repeat purchases in 38 weeks at a mean spend of 1e307: ~1e2 future purchases of
    // ~1e307 overflow.
    // (the expected spend per transaction, p(γ + x z̄)/(px + q − 1), already overflows)
    const std::string scalar = error_message([&] { ltv::clv(bg, gg, 100, 38, 38.86, 1e307); });
    CHECK(contains(scalar, "the expected spend inf is not a finite number"));
    CHECK(contains(scalar, "frequency = 100, monetary = 1e+307"));
    CHECK(ltv_test::error_status([&] { ltv::clv(bg, gg, 100, 38, 38.86, 1e307); }) ==
          ltv::status::domain_error);
    const std::vector<double> x{2, 100}, tx{30.43, 38}, T{38.86, 38.86}, z{35, 1e307};
    const ltv::rfm_data data{x, tx, T, {}};
    std::vector<double> out(2);
    CHECK(contains(error_message([&] { ltv::clv(bg, gg, data, z, {}, out.data(), 1); }),
                   "clv: result 'out[1]' = inf"));
    // An ordinary customer still works.
    CHECK(std::isfinite(ltv::clv(bg, gg, 2, 30.43, 38.86, 35)));
}

// ---- D11: cohort tables are bounded ------------------------------------------------------------

TEST_CASE("hardening D11: a cohort table over 0001-01 … 9999-12 is refused before allocating") {
    // D11: two valid rows asked for a 119 988-month triangle (~170 GB), then bad_alloc.
    const auto h = hist("customer_id,date\na,0001-01-01\nb,9999-12-31\n");
    CHECK(error_status([&] { ltv::cohort_retention(h); }) == ltv::status::invalid_argument);
    CHECK(error_message([&] { ltv::cohort_retention(h); }) ==
          "cohort_retention: the monthly table would span 119988 months (0001-01 to 9999-12), "
          "more than the supported max_report_months = 1200: check the earliest and latest "
          "dates, or pass an earlier end date");
    // Exactly 1200 months are fine; the table is the triangle.
    const auto t = ltv::cohort_retention(h, ltv::make_day(100, 12, 31));
    REQUIRE(t.cohort.size() == ltv::max_report_months);
    CHECK(t.size[0] == 1);
    CHECK(t.active[0].size() == 1200);
    CHECK(t.active[1199].size() == 1);
    CHECK(t.active_or_later[0][0] == 1.0);
    CHECK(t.active_or_later[0][1] == 0.0);
    CHECK(error_status([&] { ltv::cohort_retention(h, ltv::make_day(101, 1, 1)); }) ==
          ltv::status::invalid_argument);
    // Monthly status counts are bounded the same way.
    ltv::journey_options o;
    o.cycle_days = 30;
    CHECK(contains(error_message([&] { ltv::monthly_journey(h, o); }), "119988 months"));
}

TEST_CASE("hardening D11: active_or_later counts each customer's last month once") {
    // a: Jan, Jan, Mar, Mar; b: Jan, Feb. Jan cohort (2): active 1, 0.5, 0.5; or later 1, 1, 0.5.
    const auto h = hist(
        "customer_id,date\na,2020-01-02\na,2020-01-30\na,2020-03-01\na,2020-03-31\n"
        "b,2020-01-15\nb,2020-02-15\n");
    const auto t = ltv::cohort_retention(h);
    REQUIRE(t.cohort.size() == 3);
    CHECK(t.active[0] == std::vector<double>{1.0, 0.5, 0.5});
    CHECK(t.active_or_later[0] == std::vector<double>{1.0, 1.0, 0.5});
    // Cut at the end of February: a's March purchases do not count.
    const auto cut = ltv::cohort_retention(h, ltv::make_day(2020, 2, 29));
    CHECK(cut.active_or_later[0] == std::vector<double>{1.0, 0.5});
}

// ---- D10: day numbers from outside are range-checked -------------------------------------------

TEST_CASE("hardening D10: as_of, until, start and end must be supported days") {
    // a: 1969-12-27 (day −5) and 1970-01-04 (3); b: 1970-01-06 (5).
    const auto h = hist("customer_id,date\na,1969-12-27\na,1970-01-04\nb,1970-01-06\n");
    ltv::journey_options o;
    o.cycle_days = 10;
    for (const std::int32_t day : {int32_min, int32_max, ltv::min_supported_day - 1,
                                   ltv::max_supported_day + 1}) {
        INFO(day);
        // D10: journey.hpp:230 computed as_of − last purchase day in int32 (signed overflow).
        CHECK(error_status([&] { ltv::journey(h, day, o); }) == ltv::status::invalid_argument);
        CHECK(contains(error_message([&] { ltv::journey(h, day, o); }),
                       "journey: argument 'as_of' = " + std::to_string(day) +
                           " is not a supported day number"));
        CHECK(error_status([&] { ltv::rfm(h, day); }) == ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::cohort_retention(h, day); }) == ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::monthly_journey(h, o, day); }) ==
              ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::period_retention(h, day, 5, 30); }) ==
              ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::period_retention(h, 0, day, 30); }) ==
              ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::purchase_cycles(h, day); }) == ltv::status::invalid_argument);
        CHECK(error_status([&] { ltv::business_cycle(h, 0.8, day); }) ==
              ltv::status::invalid_argument);
        const auto criterion =
            ltv::p_alive_criterion(ltv::bgnbd_params{0.243, 4.414, 0.793, 2.426},
                                   ltv::time_unit::week());
        CHECK(error_status([&] { criterion(h.days_of(0), day); }) == ltv::status::invalid_argument);
    }
    // Day 0 (1970-01-01) and the ends of the range are ordinary days.
    const auto r = ltv::journey(h, 0, o);
    REQUIRE(r.customer.size() == 1);
    CHECK(r.days_since_last[0] == 5);
    CHECK(r.status[0] == ltv::journey_status::newbie);
    CHECK(ltv::rfm(h, 0).recency_days == std::vector<double>{5});
    CHECK(ltv::journey(h, ltv::max_supported_day, o).days_since_last[0] ==
          ltv::max_supported_day - 3);
    CHECK(ltv::cohort_retention(h, 0).cohort.size() == 2);
    CHECK(ltv::monthly_journey(h, o, 0).month_end.size() == 2);
    const auto p = ltv::period_retention(h, 0, 5, 30);
    CHECK(p.customers_start == 1);
    CHECK(p.customers_end == 2);
    // A window of INT_MAX days: at − window does not overflow any more.
    const auto wide = ltv::period_retention(h, 0, 5, std::numeric_limits<int>::max());
    CHECK(wide.customers_start == 1);
    CHECK(wide.retained == 1);
}

TEST_CASE("hardening D10: a history filled by hand with unsupported days is refused") {
    auto h = hist("customer_id,date\na,2020-01-01\na,2020-02-01\n");
    h.days[1] = int32_max;
    ltv::journey_options o;
    o.cycle_days = 10;
    CHECK(contains(error_message([&] { ltv::journey(h, 0, o); }),
                   "'history.days (latest)' = 2147483647 is not a supported day number"));
    CHECK(error_status([&] { ltv::rfm(h, 0); }) == ltv::status::invalid_argument);
    CHECK(error_status([&] { ltv::cohort_retention(h); }) == ltv::status::invalid_argument);
    h.days[0] = int32_min;
    h.days[1] = 0;
    CHECK(contains(error_message([&] { ltv::period_retention(h, 0, 1, 1); }),
                   "'history.days (earliest)' = -2147483648"));
}

TEST_CASE("hardening D10: monthly series reach 9999-12 without forming the month after it") {
    const auto h = hist("customer_id,date\na,9998-11-26\nb,9999-12-31\n");
    ltv::journey_options o;
    o.cycle_days = 30;
    const auto m = ltv::monthly_journey(h, o);
    REQUIRE(m.month_end.size() == 14);  // 9998-11 … 9999-12
    CHECK(m.month_end.back() == ltv::max_supported_day);
    CHECK(m.month_end.front() == ltv::make_day(9998, 11, 30));
    CHECK(ltv::cohort_retention(h, ltv::max_supported_day).cohort.size() == 14);
}
