// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/evaluation.hpp: the model comparison on a calibration/holdout split. Its
// numbers are recomputed here independently from each model's own per-customer predictions
// (the registry's kernels called directly, with loops written out), checked against lifetimes'
// published holdout total on CDNOW, against identities (the tracking curve ends at every repeat
// purchase of the log; the expected histogram sums to the customers), and for determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "ltv/evaluation.hpp"
#include "support/cdnow_split.hpp"
#include "support/errors.hpp"

namespace {

using ltv_test::cdnow_split;

/// CDNOW_master in weeks, calibration to 1997-09-30, observation to 1998-06-30 (the demo's
/// split; docs/benchmarking.md).
const cdnow_split& cdnow() { return ltv_test::cdnow_master_split(); }

const ltv::evaluation& cdnow_evaluation() {
    static const ltv::evaluation ev = ltv::evaluate_models(cdnow().summary, &cdnow().base);
    return ev;
}

double metric(const ltv::model_evaluation& m, ltv::evaluation_metric k) { return m.metric(k); }

}  // namespace

TEST_CASE("evaluation: CDNOW — the models, the baseline and the spend model are in the table") {
    const auto& ev = cdnow_evaluation();
    REQUIRE(ev.customers == 23570);
    // 19 684 purchases in the holdout: the demo's figure (ltv demo, docs/benchmarking.md).
    CHECK(ev.holdout_purchases == 19684);
    CHECK(ev.amounts);
    REQUIRE(ev.find("baseline") != nullptr);
    REQUIRE(ev.find("bgnbd") != nullptr);
    REQUIRE(ev.find("mbgnbd") != nullptr);
    REQUIRE(ev.find("pnbd") != nullptr);
    REQUIRE(ev.find("gg") != nullptr);
    CHECK(ev.find("bgbb") == nullptr);  // discrete time: skipped, with a note
    CHECK(ev.find("sbg") == nullptr);
    bool noted = false;
    for (const auto& n : ev.notes) noted = noted || n.find("BG/BB skipped") != std::string::npos;
    CHECK(noted);
    for (const auto& m : ev.models) {
        INFO(m.name << ": " << m.message);
        CHECK(m.fitted);
        CHECK(m.converged);
    }
    REQUIRE(ev.best.has_value());
}

TEST_CASE("evaluation: CDNOW — BG/NBD's holdout total matches lifetimes") {
    // lifetimes 0.11.3, BetaGeoFitter on calibration_and_holdout_data(CDNOW_master, 'W',
    // calibration_period_end='1997-09-30', observation_period_end='1998-06-30'):
    // Σ conditional_expected_number_of_purchases_up_to_time(39, …) = 16 873.7 (issue 11's
    // figure; ltv demo prints 16 873.73). Tolerance 1e-5 relative: the sums agree to the
    // printed digits, the fits to ~1e-7.
    const auto* bg = cdnow_evaluation().find("bgnbd");
    REQUIRE(bg != nullptr);
    CHECK(metric(*bg, ltv::evaluation_metric::holdout_predicted) ==
          doctest::Approx(16873.7).epsilon(1e-5));
    CHECK(metric(*bg, ltv::evaluation_metric::holdout_actual) == 19684);
    CHECK(metric(*bg, ltv::evaluation_metric::holdout_error_percent) ==
          doctest::Approx(100.0 * (16873.7 - 19684) / 19684).epsilon(1e-4));
    CHECK(metric(*bg, ltv::evaluation_metric::parameters) == 4);
}

TEST_CASE("evaluation: every metric equals the one recomputed from the model's own predictions") {
    const auto& s = cdnow().summary;
    const auto& ev = cdnow_evaluation();
    const ltv::rfm_data d{s.frequency, s.recency, s.T, {}};
    const std::size_t n = s.size();
    const double nd = static_cast<double>(n);
    const auto* gg = ev.find("gg");
    REQUIRE(gg != nullptr);
    for (const char* name : {"bgnbd", "mbgnbd", "pnbd"}) {
        INFO(name);
        const auto* m = ev.find(name);
        REQUIRE(m != nullptr);
        const ltv::model_ops& ops = ltv::model_ops_named(name);
        std::vector<double> pred(n);
        ops.conditional_purchases(m->state, s.duration_holdout, d, pred.data(), 1);
        double abs = 0, sq = 0, lsq = 0, err = 0, sp = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double y = s.frequency_holdout[i];
            abs += std::fabs(pred[i] - y);
            sq += (pred[i] - y) * (pred[i] - y);
            const double l = std::log(1 + pred[i]) - std::log(1 + y);
            lsq += l * l;
            err += pred[i] - y;
            sp += pred[i];
            // the stored per-customer predictions are the kernel's, bit for bit
            REQUIRE(m->predicted[i] == pred[i]);
        }
        // Tolerances: sums of 23 570 terms in another order; 1e-12 relative.
        CHECK(metric(*m, ltv::evaluation_metric::holdout_predicted) == doctest::Approx(sp).epsilon(1e-12));
        CHECK(metric(*m, ltv::evaluation_metric::mae) == doctest::Approx(abs / nd).epsilon(1e-12));
        CHECK(metric(*m, ltv::evaluation_metric::rmse) == doctest::Approx(std::sqrt(sq / nd)).epsilon(1e-12));
        CHECK(metric(*m, ltv::evaluation_metric::msle) == doctest::Approx(lsq / nd).epsilon(1e-12));
        CHECK(metric(*m, ltv::evaluation_metric::bias) == doctest::Approx(err / nd).epsilon(1e-9));
        // AIC/BIC from the fit's log-likelihood
        const double ll = m->state.report.log_likelihood;
        CHECK(metric(*m, ltv::evaluation_metric::aic) == doctest::Approx(2 * 4 - 2 * ll).epsilon(1e-14));
        CHECK(metric(*m, ltv::evaluation_metric::bic) ==
              doctest::Approx(4 * std::log(double(n)) - 2 * ll).epsilon(1e-14));
        // By frequency: group 3 (x = 3) by hand
        double g3 = 0, c3 = 0, a3 = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (s.frequency[i] == 3) {
                g3 += pred[i];
                a3 += s.frequency_holdout[i];
                c3 += 1;
            }
        CHECK(m->by_frequency[3] == doctest::Approx(g3 / c3).epsilon(1e-12));
        CHECK(ev.group_actual[3] == doctest::Approx(a3 / c3).epsilon(1e-12));
        CHECK(ev.group_customers[3] == c3);
        // Top-decile lift by hand: predicted value = purchases × Gamma-Gamma's expected spend;
        // CDNOW's predictions have ties only among identical (x, t_x, T, z̄) customers, whose
        // realised values the metric averages — checked against a plain sort within 1e-9.
        std::vector<double> value(n), real(n);
        for (std::size_t i = 0; i < n; ++i) {
            value[i] = pred[i] * gg->predicted[i];
            real[i] = s.frequency_holdout[i] * s.monetary_value_holdout[i];
        }
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return value[a] > value[b]; });
        const double total = std::accumulate(real.begin(), real.end(), 0.0);
        double top = 0;
        const std::size_t cut = n / 10;  // 2357 customers exactly
        for (std::size_t k = 0; k < cut; ++k) top += real[order[k]];
        // Ties at the cut change the share by at most one customer's value: 1 % of the lift.
        CHECK(metric(*m, ltv::evaluation_metric::lift_top10) ==
              doctest::Approx(top / total / 0.1).epsilon(1e-2));
        CHECK(metric(*m, ltv::evaluation_metric::lift_top10) > 3.0);  // far better than random
        CHECK(metric(*m, ltv::evaluation_metric::gini) > 0.5);
        CHECK(metric(*m, ltv::evaluation_metric::gini) <= 1.0);
    }
}

TEST_CASE("evaluation: identities of the tracking curve and the histogram") {
    const auto& s = cdnow().summary;
    const auto& ev = cdnow_evaluation();
    // Weeks from 1997-01-01: 78 periods, 39 of them in the calibration (273 days / 7).
    CHECK(ev.period_end.size() == 78);
    CHECK(ev.calibration_periods == doctest::Approx(39.0).epsilon(1e-15));
    // The actual curve ends at every repeat purchase of the period: calibration x plus holdout.
    const double all = ev.calibration_repeat_purchases + ev.holdout_purchases;
    CHECK(ev.tracking_actual.back() == all);
    CHECK(ev.tracking_actual[38] == ev.calibration_repeat_purchases);
    const auto* bg = ev.find("bgnbd");
    REQUIRE(bg != nullptr);
    // The expected curve at the calibration end (week 39) is Σᵢ E[X(Tᵢ)].
    const ltv::model_ops& ops = ltv::model_ops_named("bgnbd");
    std::vector<double> ex(s.size());
    ops.new_customer_purchases(bg->state, s.T, ex.data(), 1);
    CHECK(bg->tracking_cumulative[38] ==
          doctest::Approx(std::accumulate(ex.begin(), ex.end(), 0.0)).epsilon(1e-11));
    // The expected histogram counts every customer once.
    const double h = std::accumulate(bg->histogram.begin(), bg->histogram.end(), 0.0);
    CHECK(h == doctest::Approx(double(s.size())).epsilon(1e-10));
    CHECK(std::accumulate(ev.histogram_actual.begin(), ev.histogram_actual.end(), 0.0) == s.size());
    // The journey funnel counts every customer of the log; cohorts start in 1997-01.
    double customers = 0;
    for (const auto& [name, c] : ev.journey_counts) customers += c;
    CHECK(customers == 23570);
    REQUIRE(!ev.cohorts.cohort.empty());
    CHECK(ev.cohorts.cohort.front() == ltv::make_day(1997, 1, 1));
}

TEST_CASE("evaluation: deterministic — the same bits with 1 and 2 threads") {
    ltv::evaluation_options one, two;
    one.threads = 1;
    two.threads = 2;
    one.models = two.models = {"bgnbd", "pnbd"};
    auto a = ltv::to_json(ltv::evaluate_models(cdnow().summary, &cdnow().base, one));
    auto b = ltv::to_json(ltv::evaluate_models(cdnow().summary, &cdnow().base, two));
    for (auto* j : {&a, &b})
        for (auto& m : (*j)["models"]) m["metrics"]["fit_seconds"] = nullptr;
    CHECK(a.dump() == b.dump());
}

TEST_CASE("evaluation: ranking metrics on a small example worked by hand") {
    // predicted 4, 3, 2, 1 for actual 0, 3, 1, 0: ordered actual = 0, 3, 1, 0; total 4.
    // cumulative shares 0, .75, 1, 1 → area 2.75; Gini = 2.75/4 − 5/8 = 0.0625.
    // perfect order 3, 1, 0, 0 → .75, 1, 1, 1 → 3.75/4 − 5/8 = 0.3125; normalised 0.2.
    double rho, gini, l10, l20;
    ltv::detail::ranking_metrics({4, 3, 2, 1}, {0, 3, 1, 0}, rho, gini, l10, l20);
    CHECK(gini == doctest::Approx(0.2).epsilon(1e-14));
    // top 10 % = 0.4 customer of the first (actual 0): share 0 → lift 0; top 20 % = 0.8 → 0.
    CHECK(l10 == 0);
    CHECK(l20 == 0);
    // ties: predicted all equal → every order equally likely → Gini 0, lift 1
    ltv::detail::ranking_metrics({1, 1, 1, 1}, {0, 3, 1, 0}, rho, gini, l10, l20);
    CHECK(gini == doctest::Approx(0.0).epsilon(1e-14));
    CHECK(l10 == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(std::isnan(rho));  // a constant prediction has no rank correlation
    // Spearman with ties: average ranks (scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9487)
    ltv::detail::ranking_metrics({1, 2, 2, 3}, {1, 3, 2, 4}, rho, gini, l10, l20);
    CHECK(rho == doctest::Approx(0.9486832980505138).epsilon(1e-12));
}

TEST_CASE("evaluation: bad input — clear messages, partial results") {
    const auto& s = cdnow().summary;
    SUBCASE("no holdout split") {
        ltv::summary_options o;
        o.unit = ltv::time_unit::week();
        const auto plain = ltv::summarize(cdnow().base, o);
        CHECK(ltv_test::error_message([&] { ltv::evaluate_models(plain, nullptr); })
                  .find("no calibration/holdout split") != std::string::npos);
    }
    SUBCASE("calibration end after the observation end") {
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(1998, 7, 1);
        o.observation_end = ltv::make_day(1998, 6, 30);
        CHECK(ltv_test::error_message([&] { ltv::summarize(cdnow().base, o); })
                  .find("calibration_end 1998-07-01") != std::string::npos);
    }
    SUBCASE("no customers in the calibration period") {
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(1996, 12, 31);
        o.observation_end = ltv::make_day(1998, 6, 30);
        const auto none = ltv::summarize(cdnow().base, o);
        CHECK(ltv_test::error_message([&] { ltv::evaluate_models(none, &cdnow().base); })
                  .find("no customers made their first purchase by the calibration end 1996-12-31") !=
              std::string::npos);
    }
    SUBCASE("an empty holdout: the fits are reported, the holdout metrics are not defined") {
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(1998, 6, 30);
        o.observation_end = ltv::make_day(1998, 6, 30);
        o.unit = ltv::time_unit::week();
        const auto flat = ltv::summarize(cdnow().base, o);
        ltv::evaluation_options eo;
        eo.models = {"bgnbd"};
        const auto ev = ltv::evaluate_models(flat, &cdnow().base, eo);
        const auto* bg = ev.find("bgnbd");
        REQUIRE(bg != nullptr);
        CHECK(bg->fitted);
        CHECK(std::isfinite(metric(*bg, ltv::evaluation_metric::log_likelihood)));
        CHECK(std::isnan(metric(*bg, ltv::evaluation_metric::mae)));
        CHECK(ev.notes.front().find("holdout period is empty") != std::string::npos);
    }
    SUBCASE("a model that cannot apply, and an unknown one") {
        ltv::evaluation_options eo;
        eo.models = {"bgbb"};
        CHECK(ltv_test::error_message([&] { ltv::evaluate_models(s, nullptr, eo); })
                  .find("discrete-time") != std::string::npos);
        eo.models = {"nosuch"};
        CHECK(ltv_test::error_status([&] { ltv::evaluate_models(s, nullptr, eo); }) ==
              ltv::status::invalid_argument);
    }
    SUBCASE("a model that does not converge stays in the table with its message") {
        ltv::evaluation_options eo;
        eo.models = {"bgnbd", "pnbd"};
        eo.fit.max_iterations = 1;
        const auto ev = ltv::evaluate_models(s, nullptr, eo);
        const auto* bg = ev.find("bgnbd");
        REQUIRE(bg != nullptr);
        CHECK_FALSE(bg->converged);
        CHECK(!bg->message.empty());
        CHECK_FALSE(ev.best.has_value());  // only converged models can be best
        // without a base: no tracking, and a note says why
        CHECK(ev.period_end.empty());
        CHECK(bg->tracking_cumulative.empty());
    }
    SUBCASE("tracking over a century in days is refused, naming the periods") {
        const auto log = ltv::load_transactions_text(
            "customer_id,date\na,1900-01-01\nb,1999-06-01\na,1950-01-01\nb,2020-01-01\n");
        const ltv::customer_base base(log, "test");
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(2000, 1, 1);
        const auto t = ltv::summarize(base, o);
        ltv::evaluation_options eo;
        eo.models = {"bgnbd"};
        const std::string m =
            ltv_test::error_message([&] { ltv::evaluate_models(t, &base, eo); });
        CHECK(m.find("periods of 1 days from 1900-01-01 to 2020-01-01") != std::string::npos);
        CHECK(m.find("choose a longer tracking period") != std::string::npos);
        eo.tracking_period_days = 365;  // yearly: fine
        const auto ev = ltv::evaluate_models(t, &base, eo);
        CHECK(ev.period_end.size() == 121);
        // 1441 months of cohorts exceed max_report_months: the table is left out, with a note
        CHECK(ev.cohorts.cohort.empty());
        bool noted = false;
        for (const auto& n : ev.notes)
            noted = noted || n.find("cohort table omitted: cohort_retention") != std::string::npos;
        CHECK(noted);
    }
    SUBCASE("a summary merged by week: no tracking curves, said so; the rest as usual") {
        ltv::summary_options o;
        o.calibration_end = ltv::make_day(1997, 9, 30);
        o.observation_end = ltv::make_day(1998, 6, 30);
        o.unit = ltv::time_unit::week();
        o.merge = ltv::merge_period::week;
        const auto weekly = ltv::summarize(cdnow().base, o);
        ltv::evaluation_options eo;
        eo.models = {"bgnbd"};
        const auto ev = ltv::evaluate_models(weekly, &cdnow().base, eo);
        CHECK(ev.period_end.empty());
        CHECK(ev.find("bgnbd")->tracking_cumulative.empty());
        CHECK(std::isfinite(ev.find("bgnbd")->metric(ltv::evaluation_metric::mae)));
        bool noted = false;
        for (const auto& n : ev.notes) noted = noted || n.find("merges purchases by week") != std::string::npos;
        CHECK(noted);
        CHECK(!ev.journey_counts.empty());  // the log's own views do not depend on the merge
    }
    SUBCASE("amounts but no spend model: the value ranking uses the calibration mean spend") {
        ltv::evaluation_options eo;
        eo.models = {"bgnbd"};
        const auto ev = ltv::evaluate_models(s, nullptr, eo);
        bool noted = false;
        for (const auto& n : ev.notes) noted = noted || n.find("no fitted spend model") != std::string::npos;
        CHECK(noted);
        // the baseline ranks with the same spend, so its lift is unchanged; the model has one
        CHECK(metric(*ev.find("baseline"), ltv::evaluation_metric::lift_top10) ==
              metric(*cdnow_evaluation().find("baseline"), ltv::evaluation_metric::lift_top10));
        CHECK(std::isfinite(metric(*ev.find("bgnbd"), ltv::evaluation_metric::lift_top10)));
    }
    SUBCASE("a negative penalizer is refused by name") {
        ltv::evaluation_options eo;
        eo.fit.penalizer = -0.5;
        CHECK(ltv_test::error_message([&] { ltv::evaluate_models(s, nullptr, eo); })
                  .find("penalizer = -0.5 must be a finite number >= 0") != std::string::npos);
    }
    SUBCASE("a log without amounts: spend omitted and said so") {
        ltv::summary_table t = s;
        std::fill(t.total_amount.begin(), t.total_amount.end(), 0.0);
        std::fill(t.monetary_value.begin(), t.monetary_value.end(), 0.0);
        std::fill(t.monetary_value_holdout.begin(), t.monetary_value_holdout.end(), 0.0);
        ltv::evaluation_options eo;
        eo.models = {"bgnbd", "gg"};
        const auto ev = ltv::evaluate_models(t, nullptr, eo);
        CHECK(ev.find("gg") == nullptr);
        CHECK_FALSE(ev.amounts);
        bool noted = false;
        for (const auto& n : ev.notes) noted = noted || n.find("no amounts") != std::string::npos;
        CHECK(noted);
        CHECK(std::isnan(metric(*ev.find("baseline"), ltv::evaluation_metric::spend_mae)));
    }
}
