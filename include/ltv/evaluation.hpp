// SPDX-License-Identifier: Apache-2.0
// ltv/evaluation.hpp — benchmarking models: every applicable model of the registry fitted on a
// calibration period and judged on the holdout that follows it (`ltv compare`, ltv_compare_*,
// ltv.compare_models; docs/benchmarking.md).
//
// Input: a calibration/holdout summary (ltv/summary.hpp, summary_options::calibration_end set)
// and, optionally, the customer base it was computed from (ltv/customer_base.hpp), which adds
// what needs each customer's purchase days: the tracking curves, the journey funnel and the
// cohort table. Output: an `evaluation` — one row per model (plus the naive baseline) with the
// metrics of LTV_EVALUATION_METRIC_LIST, and the aggregate series the report draws.
//
// Definitions (n customers of the summary; xᵢ, t_xᵢ, Tᵢ calibration; yᵢ holdout purchases; ŷᵢ
// a model's E[purchases in (Tᵢ, Tᵢ + t*] | xᵢ, t_xᵢ, Tᵢ], t* = duration_holdout):
//   fit:       log-likelihood LL of the calibration data, k free parameters (fixed ones are not
//              counted), AIC = 2k − 2 LL, BIC = k ln n − 2 LL, convergence, fit time (the only
//              quantity that is not reproducible bit for bit; the JSON marks it).
//   accuracy:  MAE = mean |ŷ − y|, RMSE = √mean (ŷ − y)², MSLE = mean (ln(1+ŷ) − ln(1+y))²,
//              bias = mean (ŷ − y), Pearson correlation of ŷ and y; holdout error % =
//              100 (Σŷ − Σy) / Σy.
//   spend:     Gamma-Gamma's E[spend per transaction | x, z̄] against the holdout mean spend of
//              the customers who bought in the holdout (MAE, RMSE, bias, correlation).
//   ranking:   predicted value vᵢ = ŷᵢ · E[spend]ᵢ (purchases alone without amounts), realised
//              value = holdout amount (purchases without amounts): Spearman's ρ (average ranks
//              for ties), the normalised Gini (Gini of the realised values ordered by
//              prediction over that of the perfect order) and the top-decile and top-20 % lift
//              (share of the realised value in the top q by prediction, over q) — the ranking
//              metrics of Wang, Liu & Miao (2019), "A Deep Probabilistic Model for Customer
//              Lifetime Value Prediction", arXiv:1912.07753. Ties in the prediction are
//              resolved by their mean (as if ordered at random), so no metric depends on the
//              order of the rows.
//   baseline:  ŷᵢ = xᵢ / Tᵢ · t* (the customer's calibration rate kept; the pooled rate Σx/ΣT
//              for Tᵢ = 0); spend baseline z̄ᵢ (the pooled mean spend for xᵢ = 0).
//   tracking:  repeat purchases per period (length `tracking_period` days from the first
//              purchase day of the base), actual and expected: Σᵢ E[X(eₖ − bᵢ)] with bᵢ the
//              customer's first purchase day and eₖ the period's last day, as lifetimes'
//              expected_cumulative_transactions and CLVTools' tracking plot.
//   by frequency (Fader, Hardie & Lee 2005, Figure 5): mean y and mean ŷ of the customers with
//              x = 0, 1, …, G − 1 and x ≥ G.
//   histogram: customers with x = 0 … H − 1 and x ≥ H calibration repeat purchases, actual and
//              Σᵢ P(X(Tᵢ) = n) (lifetimes' plot_period_transactions, computed exactly rather
//              than by simulation).
//   matrices:  P(alive | x, t_x, T) and E[purchases in the next unit | x, t_x, T] on a grid of
//              frequency × recency with T = max T (lifetimes' plot_probability_alive_matrix and
//              plot_frequency_recency_matrix); for x = 0 the recency is 0 (a customer without
//              repeat purchases has t_x = 0, whatever the column).
//
// Which models: every registered model fitted on (x, t_x, T) that predicts conditional
// purchases in continuous time (BG/BB, a discrete-time model of n whole periods, and sBG, a
// cohort model, do not apply to a summary of dates and are listed as skipped), plus the spend
// models when the log has amounts (any non-zero amount). A model whose fit fails or does not
// converge stays in the table with its message; the others still run.
//
// Everything but fit_seconds is deterministic: the same input gives the same bits, whatever
// the number of threads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <new>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/clv_options.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/cohorts.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/journey.hpp"
#include "ltv/model_curves.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/summary.hpp"
#include "ltv/version.hpp"

namespace ltv {

/// Which way a metric is better: it decides the "best" mark of the report's table.
enum class metric_goal : int { none = 0, lower = 1, higher = 2, zero = 3 };

/// The metrics of a model's row: X(identifier, label, goal, description). The order is the
/// table's column order and, in the C API, a metric's index (append only).
#define LTV_EVALUATION_METRIC_LIST(X)                                                           \
    X(log_likelihood, "LL", higher, "log-likelihood of the calibration data")                  \
    X(parameters, "k", none, "free parameters")                                                \
    X(aic, "AIC", lower, "Akaike information criterion, 2k - 2 LL")                            \
    X(bic, "BIC", lower, "Bayesian information criterion, k ln n - 2 LL")                       \
    X(fit_seconds, "fit s", none, "wall-clock time of the fit in seconds (not reproducible)")  \
    X(holdout_predicted, "predicted", none, "predicted holdout purchases, all customers")      \
    X(holdout_actual, "actual", none, "actual holdout purchases, all customers")               \
    X(holdout_error_percent, "error %", zero, "100 (predicted - actual) / actual")             \
    X(mae, "MAE", lower, "mean absolute error of holdout purchases per customer")              \
    X(rmse, "RMSE", lower, "root mean squared error of holdout purchases per customer")        \
    X(msle, "MSLE", lower, "mean squared error of log(1 + purchases) per customer")            \
    X(bias, "bias", zero, "mean error (predicted - actual) of holdout purchases")              \
    X(correlation, "r", higher, "Pearson correlation of predicted and actual purchases")       \
    X(spearman, "rho", higher, "Spearman correlation of predicted and realised holdout value") \
    X(gini, "Gini", higher, "normalised Gini of realised value ordered by prediction")         \
    X(lift_top10, "lift 10%", higher, "top-decile lift of realised holdout value")             \
    X(lift_top20, "lift 20%", higher, "top-20% lift of realised holdout value")                \
    X(spend_mae, "spend MAE", lower, "mean absolute error of holdout spend per transaction")   \
    X(spend_rmse, "spend RMSE", lower, "root mean squared error of holdout spend")             \
    X(spend_bias, "spend bias", zero, "mean error of holdout spend per transaction")           \
    X(spend_correlation, "spend r", higher, "Pearson correlation of predicted and actual spend") \
    X(tracking_error_percent, "tracking %", zero,                                              \
      "100 (expected - actual) / actual repeat purchases of the holdout in the tracking curve")

enum class evaluation_metric : int {
#define LTV_EVALUATION_METRIC_ENUM(id, label, goal, text) id,
    LTV_EVALUATION_METRIC_LIST(LTV_EVALUATION_METRIC_ENUM)
#undef LTV_EVALUATION_METRIC_ENUM
};

constexpr std::size_t evaluation_metric_count = 0
#define LTV_EVALUATION_METRIC_COUNT(id, label, goal, text) +1
    LTV_EVALUATION_METRIC_LIST(LTV_EVALUATION_METRIC_COUNT)
#undef LTV_EVALUATION_METRIC_COUNT
    ;

/// A metric's identifier, short label, goal and description (index out of range: nullptr).
struct metric_info {
    const char* name;
    const char* label;
    metric_goal goal;
    const char* description;
};
inline const metric_info* evaluation_metric_info(std::size_t index) noexcept {
    static constexpr metric_info table[] = {
#define LTV_EVALUATION_METRIC_INFO(id, label, goal, text) {#id, label, metric_goal::goal, text},
        LTV_EVALUATION_METRIC_LIST(LTV_EVALUATION_METRIC_INFO)
#undef LTV_EVALUATION_METRIC_INFO
    };
    return index < evaluation_metric_count ? &table[index] : nullptr;
}

/// Options of evaluate_models.
struct evaluation_options {
    /// Models by name (model_ops_named: "bgnbd", "pnbd", …); empty: every applicable one.
    std::vector<std::string> models;
    /// Add the naive baseline row.
    bool baseline = true;
    /// Options of every fit (penalizer, iterations, tolerance, time limit); allow_no_convergence
    /// is forced on (a model that does not converge is reported, not thrown), and `initial` and
    /// `fixed`, which are per model, are ignored. The models are fitted concurrently: a `cancel`
    /// callback may be called from several threads at once, and cancelling marks the fits it
    /// stops as failed ("cancelled") while the comparison completes.
    fit_options fit;
    /// Length of a tracking period in days; default: the summary's time unit.
    std::optional<double> tracking_period_days;
    int frequency_groups = 7;  ///< by-frequency groups x = 0 … G − 1 and x ≥ G
    int histogram_bins = 7;    ///< histogram bins x = 0 … H − 1 and x ≥ H
    int matrix_size = 25;      ///< at most this many frequencies and recencies in the matrices
    int threads = 0;           ///< 0: the library default (ltv/threads.hpp)
};

/// One row of the comparison: a model fitted on the calibration period (or the baseline).
struct model_evaluation {
    std::string name;   ///< short name ("bgnbd"), "baseline" for the baseline
    std::string title;  ///< "BG/NBD", "Naive baseline"
    enum class role : int { purchases = 0, spend = 1, baseline = 2 } kind = role::purchases;
    bool fitted = false;     ///< parameters available (predictions computed)
    bool converged = false;  ///< the fit met its convergence test
    std::string message;     ///< the fit's message, or why it failed
    model_state state;       ///< parameters and fit report (kind purchases and spend)
    std::vector<double> metrics = std::vector<double>(evaluation_metric_count, nan());

    // Per customer (summary order); empty when not applicable or not fitted.
    std::vector<double> predicted;  ///< ŷ (purchases, baseline) or E[spend] (spend)
    std::vector<double> p_alive;    ///< P(alive) at the calibration end

    // Aggregates; empty when not applicable or not fitted.
    std::vector<double> tracking_cumulative;  ///< expected cumulative repeat purchases
    std::vector<double> by_frequency;         ///< mean ŷ per frequency group
    std::vector<double> histogram;            ///< expected customers per bin
    std::vector<double> p_alive_matrix;       ///< [frequency][recency], row-major
    std::vector<double> expected_matrix;      ///< [frequency][recency], next unit of time

    double metric(evaluation_metric m) const { return metrics[static_cast<std::size_t>(m)]; }
    static double nan() { return std::numeric_limits<double>::quiet_NaN(); }
};

/// Everything evaluate_models computes.
struct evaluation {
    // The data
    std::size_t customers = 0;
    double calibration_repeat_purchases = 0;
    double holdout_purchases = 0;
    double duration_holdout = 0;
    double unit_days = 1;
    day_number first_day = 0;          ///< first purchase day of the base (tracking start)
    day_number calibration_end = 0;
    day_number observation_end = 0;
    bool amounts = false;              ///< the log has amounts (spend metrics computed)
    std::vector<std::string> notes;    ///< what was omitted and why, skipped models
    std::vector<model_evaluation> models;  ///< baseline first, then the registry's order
    std::optional<std::size_t> best;   ///< the converged model with the lowest MAE

    // Tracking (empty without a customer base)
    double tracking_period_days = 0;
    std::vector<day_number> period_end;      ///< last day of each period
    std::vector<double> tracking_actual;     ///< actual cumulative repeat purchases
    double calibration_periods = 0;          ///< periods up to the calibration end (fractional)

    // Conditional expectations by calibration frequency
    std::vector<double> frequency_group;     ///< lower bound of each group (last: "G+")
    std::vector<double> group_customers;
    std::vector<double> group_actual;        ///< mean holdout purchases

    // Calibration histogram
    std::vector<double> histogram_actual;

    // Matrix axes
    std::vector<double> matrix_frequency;
    std::vector<double> matrix_recency;
    double matrix_T = 0;

    // From the base: journey funnel at the observation end and cohort retention
    std::vector<std::pair<std::string, double>> journey_counts;
    cohort_table cohorts;

    /// The row named `name`, or nullptr.
    const model_evaluation* find(const std::string& name) const {
        for (const auto& m : models)
            if (m.name == name) return &m;
        return nullptr;
    }
};

namespace detail {

/// Mean of a over i with mask (all when mask is empty).
struct moments {
    double n = 0, sum_abs = 0, sum_sq = 0, sum_log_sq = 0, sum_err = 0;
    double sp = 0, sa = 0, spp = 0, saa = 0, spa = 0;
    void add(double p, double a) {
        const double e = p - a;
        n += 1;
        sum_abs += std::fabs(e);
        sum_sq += e * e;
        const double l = std::log1p(std::max(p, 0.0)) - std::log1p(std::max(a, 0.0));
        sum_log_sq += l * l;
        sum_err += e;
        sp += p;
        sa += a;
        spp += p * p;
        saa += a * a;
        spa += p * a;
    }
    double correlation() const {
        const double cov = spa - sp * sa / n;
        const double vp = spp - sp * sp / n, va = saa - sa * sa / n;
        // A constant prediction or outcome has no correlation: NaN (shown as "–"), not 0.
        if (!(vp > 0) || !(va > 0)) return std::numeric_limits<double>::quiet_NaN();
        return cov / std::sqrt(vp * va);
    }
};

/// Ranks 1..n with ties given their average rank.
inline std::vector<double> average_ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
        for (std::size_t k = i; k <= j; ++k) r[order[k]] = rank;
        i = j + 1;
    }
    return r;
}

inline double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    moments m;
    for (std::size_t i = 0; i < a.size(); ++i) m.add(a[i], b[i]);
    return m.correlation();
}

/// Ranking of `actual` by `predicted` (descending): the area term Σ_k C_k / total of the Gini
/// (C_k the cumulative actual after k customers) and the realised share in the top fractions
/// `q`. Tied predictions form one group whose actual total is spread evenly over its members
/// (the expectation over random orders of the group), so the result is independent of the
/// row order.
struct ranking_curve {
    double area = 0;                 ///< Σ_k C_k / total
    std::vector<double> top_share;  ///< one per q
};
inline ranking_curve rank_curve(const std::vector<double>& predicted,
                                const std::vector<double>& actual,
                                const std::vector<double>& q) {
    const std::size_t n = predicted.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return predicted[a] > predicted[b]; });
    double total = 0;
    for (double a : actual) total += a;
    ranking_curve out;
    out.top_share.assign(q.size(), 0.0);
    std::vector<double> cut(q.size());
    for (std::size_t j = 0; j < q.size(); ++j) cut[j] = q[j] * static_cast<double>(n);
    double cum = 0;  // cumulative actual before the group
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        double group = actual[order[i]];
        while (j + 1 < n && predicted[order[j + 1]] == predicted[order[i]]) group += actual[order[++j]];
        const double g = static_cast<double>(j - i + 1);
        // Σ over the group of (cum + group · m / g), m = 1..g
        out.area += g * cum + group * (g + 1) / 2;
        const double start = static_cast<double>(i), end = static_cast<double>(j + 1);
        for (std::size_t k = 0; k < q.size(); ++k) {
            const double inside = std::clamp(cut[k] - start, 0.0, end - start);
            out.top_share[k] += group * inside / g;
        }
        cum += group;
        i = j + 1;
    }
    if (total > 0) {
        out.area /= total;
        for (double& s : out.top_share) s /= total;
    }
    return out;
}

/// What the ranking metrics of every model share: the realised values' average ranks and the
/// Gini of their perfect order (computed once per evaluation, not once per model).
struct ranking_reference {
    std::vector<double> actual_ranks;
    double total = 0;
    double perfect_gini = 0;
};
inline ranking_reference make_ranking_reference(const std::vector<double>& actual) {
    ranking_reference r;
    r.actual_ranks = average_ranks(actual);
    for (double a : actual) r.total += a;
    const double n = static_cast<double>(actual.size());
    if (r.total > 0 && n >= 2) r.perfect_gini = rank_curve(actual, actual, {}).area / n - (n + 1) / (2 * n);
    return r;
}

/// Spearman's ρ, the normalised Gini and the top-10 % / top-20 % lifts of `actual` ordered by
/// `predicted` (NaN where not defined: no realised value, fewer than 2 customers, constant
/// ranks).
inline void ranking_metrics(const std::vector<double>& predicted, const std::vector<double>& actual,
                            const ranking_reference& ref, double& spearman, double& gini,
                            double& lift10, double& lift20) {
    const double n = static_cast<double>(predicted.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    spearman = pearson(average_ranks(predicted), ref.actual_ranks);
    if (!(ref.total > 0) || n < 2) {
        gini = lift10 = lift20 = nan;
        return;
    }
    const auto model = rank_curve(predicted, actual, {0.1, 0.2});
    const double g_model = model.area / n - (n + 1) / (2 * n);
    gini = ref.perfect_gini > 0 ? g_model / ref.perfect_gini : nan;
    lift10 = model.top_share[0] / 0.1;
    lift20 = model.top_share[1] / 0.2;
}
inline void ranking_metrics(const std::vector<double>& predicted, const std::vector<double>& actual,
                            double& spearman, double& gini, double& lift10, double& lift20) {
    ranking_metrics(predicted, actual, make_ranking_reference(actual), spearman, gini, lift10,
                    lift20);
}

/// Is `ops` a purchase model that evaluate_models can fit and judge on a summary of dates?
inline const char* not_applicable_reason(const model_ops& ops) {
    if (ops.data == data_kind::spend) return nullptr;
    if (ops.data != data_kind::rfm || !ops.fit_rfm || !ops.conditional_purchases)
        return "it is fitted on cohort survivor curves, not on customers' purchases";
    if (std::string(ops.age_name) != "T")
        return "it is a discrete-time model of whole periods (x, t_x, n), not of dates";
    return nullptr;
}

/// Bounds of the tracking curves: periods, and (acquisition days × periods) expectations per
/// model — about 10 s of work at the slowest model's ~100 ns per expectation.
constexpr std::size_t max_tracking_periods = 20000;
constexpr double max_tracking_evaluations = 1e8;


}  // namespace detail

/// The model names of a comma-separated list ("bgnbd, pnbd,gg"; blanks around names ignored),
/// for evaluation_options::models; an empty text is the empty list (every applicable model).
/// An empty name is an invalid_argument naming `fn` and `argument`.
inline std::vector<std::string> parse_model_list(std::string_view text, const char* fn,
                                                 const char* argument) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view name = text.substr(start, end - start);
        const auto first = name.find_first_not_of(" \t");
        if (first == std::string_view::npos)
            detail::fail(status::invalid_argument, fn,
                         std::string(argument) + " = '" + std::string(text) +
                             "' has an empty name (expected names separated by commas, e.g. "
                             "'bgnbd,pnbd')");
        out.emplace_back(name.substr(first, name.find_last_not_of(" \t") - first + 1));
        start = end + 1;
    }
    return out;
}

/// Fits and judges the models on a calibration/holdout summary; `base` (may be null) is the
/// customer base the summary was computed from, for the tracking curves, the journey funnel
/// and the cohort table. Throws invalid_argument for a summary without a holdout split or
/// without customers, and for an unknown or inapplicable model named in the options.
inline evaluation evaluate_models(const summary_table& s, const customer_base* base,
                                  const evaluation_options& options = {}) {
    constexpr const char* fn = "evaluate_models";
    using detail::fail;
    if (!s.calibration_end)
        fail(status::invalid_argument, fn,
             "the summary has no calibration/holdout split: set a calibration end "
             "(summary_options::calibration_end, --calibration-end)");
    if (s.size() == 0)
        fail(status::invalid_argument, fn,
             "no customers made their first purchase by the calibration end " +
                 format_date(*s.calibration_end) + ": nothing to fit");
    if (options.frequency_groups < 1 || options.frequency_groups > 1000)
        fail(status::invalid_argument, fn,
             "frequency_groups = " + std::to_string(options.frequency_groups) +
                 " must be in 1 … 1000");
    if (options.histogram_bins < 1 || options.histogram_bins > 1000)
        fail(status::invalid_argument, fn,
             "histogram_bins = " + std::to_string(options.histogram_bins) + " must be in 1 … 1000");
    if (!(options.fit.penalizer >= 0) || !std::isfinite(options.fit.penalizer))
        fail(status::invalid_argument, fn,
             "penalizer = " + detail::format_value(options.fit.penalizer) +
                 " must be a finite number >= 0");
    if (options.matrix_size < 2 || options.matrix_size > 1000)
        fail(status::invalid_argument, fn,
             "matrix_size = " + std::to_string(options.matrix_size) + " must be in 2 … 1000");
    if (options.tracking_period_days && !(*options.tracking_period_days >= 1 &&
                                          *options.tracking_period_days <= 36500 &&
                                          std::floor(*options.tracking_period_days) ==
                                              *options.tracking_period_days))
        fail(status::invalid_argument, fn,
             "tracking period = " + detail::format_value(*options.tracking_period_days) +
                 " days must be a whole number of days in 1 … 36500");

    evaluation ev;
    const std::size_t n = s.size();
    ev.customers = n;
    ev.duration_holdout = s.duration_holdout;
    ev.unit_days = s.unit.days;
    ev.calibration_end = *s.calibration_end;
    ev.observation_end = s.observation_end;
    for (std::size_t i = 0; i < n; ++i) {
        ev.calibration_repeat_purchases += s.frequency[i];
        ev.holdout_purchases += s.frequency_holdout[i];
        if (s.total_amount[i] != 0) ev.amounts = true;
    }
    if (!(s.duration_holdout > 0))
        ev.notes.push_back("the holdout period is empty (observation end = calibration end): "
                           "holdout metrics are not defined");
    else if (ev.holdout_purchases == 0)
        ev.notes.push_back("no customer bought in the holdout: errors in % and the ranking "
                           "metrics are not defined");
    if (!ev.amounts)
        ev.notes.push_back("the log has no amounts: spend metrics and the spend model omitted; "
                           "the ranking uses purchases");

    // Which models
    std::vector<const model_ops*> chosen;
    if (options.models.empty()) {
        for (const model_ops* ops : registered_models()) {
            if (const char* why = detail::not_applicable_reason(*ops)) {
                ev.notes.push_back(std::string(ops->title) + " skipped: " + why);
                continue;
            }
            chosen.push_back(ops);
        }
    } else {
        for (const auto& name : options.models) {
            const model_ops& ops = model_ops_named(name);
            if (const char* why = detail::not_applicable_reason(ops))
                fail(status::invalid_argument, fn,
                     "model '" + name + "' (" + ops.title + ") cannot be evaluated here: " + why);
            if (std::find(chosen.begin(), chosen.end(), &ops) == chosen.end())
                chosen.push_back(&ops);
        }
    }
    // Spend models need amounts; with none they are dropped (and said so above).
    const model_ops* spend_ops = nullptr;
    {
        std::vector<const model_ops*> kept;
        for (const model_ops* ops : chosen) {
            if (ops->data == data_kind::spend) {
                if (ev.amounts && spend_ops == nullptr) spend_ops = ops;
                if (ev.amounts) kept.push_back(ops);
            } else {
                kept.push_back(ops);
            }
        }
        chosen = kept;
    }

    rfm_data d{s.frequency, s.recency, s.T, {}};
    d.litt = s.litt;  // the regularity models choose k with it; the others ignore it
    const spend_data sd{s.frequency, s.monetary_value, {}};
    const std::string unit = time_unit_name(s.unit);
    // The fit options apply to every model: per-model starts and fixed parameters do not.
    fit_options fo = options.fit;
    fo.allow_no_convergence = true;
    fo.initial.clear();
    fo.fixed.clear();

    // Realised holdout value and actual spend
    std::vector<double> realised(n);
    for (std::size_t i = 0; i < n; ++i)
        realised[i] = ev.amounts ? s.frequency_holdout[i] * s.monetary_value_holdout[i]
                                 : s.frequency_holdout[i];

    // Frequency groups and histogram bins (actual)
    const int G = options.frequency_groups, H = options.histogram_bins;
    auto group_of = [](double x, int groups) {
        return static_cast<std::size_t>(std::min<double>(std::floor(x), groups));
    };
    ev.frequency_group.resize(static_cast<std::size_t>(G) + 1);
    std::iota(ev.frequency_group.begin(), ev.frequency_group.end(), 0.0);
    ev.group_customers.assign(G + 1, 0.0);
    ev.group_actual.assign(G + 1, 0.0);
    ev.histogram_actual.assign(H + 1, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t g = group_of(s.frequency[i], G);
        ev.group_customers[g] += 1;
        ev.group_actual[g] += s.frequency_holdout[i];
        ev.histogram_actual[group_of(s.frequency[i], H)] += 1;
    }
    for (std::size_t g = 0; g <= static_cast<std::size_t>(G); ++g)
        ev.group_actual[g] = ev.group_customers[g] > 0 ? ev.group_actual[g] / ev.group_customers[g]
                                                       : model_evaluation::nan();

    // Distinct ages T with their counts (histogram expectations are per distinct T).
    std::map<double, double> ages;
    for (std::size_t i = 0; i < n; ++i) ages[s.T[i]] += 1;

    // Matrix axes: frequencies 0 … min(max x, M − 1) (spread evenly when there are more),
    // recencies spread over [0, max T], T = max T.
    double max_x = 0, max_T = 0;
    for (std::size_t i = 0; i < n; ++i) {
        max_x = std::max(max_x, s.frequency[i]);
        max_T = std::max(max_T, s.T[i]);
    }
    {
        const int M = options.matrix_size;
        const double fx = std::floor(max_x);
        if (fx + 1 <= M) {
            for (int f = 0; f <= static_cast<int>(fx); ++f) ev.matrix_frequency.push_back(f);
        } else {
            for (int k = 0; k < M; ++k)
                ev.matrix_frequency.push_back(std::round(fx * k / (M - 1)));
        }
        for (int k = 0; k < M; ++k) ev.matrix_recency.push_back(max_T * k / (M - 1));
        ev.matrix_T = max_T;
    }

    // Tracking set-up: customers of the summary by first purchase day.
    std::map<day_number, double> births;  // first day → customers
    // The actual curve counts purchase days; a summary merged by week or month counts periods
    // (and measures T from the period's start), so the two would not agree.
    const bool track = base != nullptr && s.merge == merge_period::day;
    if (base && !track)
        ev.notes.push_back("no tracking curves: they count purchase days, and the summary merges "
                           "purchases by " +
                           std::string(s.merge == merge_period::none ? "transaction" : to_string(s.merge)));
    if (track) {
        ev.tracking_period_days = options.tracking_period_days.value_or(std::max(1.0, std::round(s.unit.days)));
        ev.first_day = base->first_day();
        const auto& h = base->history();
        const day_number P = static_cast<day_number>(ev.tracking_period_days);
        const day_number span = ev.observation_end - ev.first_day + 1;
        const std::size_t periods = span > 0 ? static_cast<std::size_t>((span + P - 1) / P) : 0;
        if (periods > detail::max_tracking_periods)
            fail(status::invalid_argument, fn,
                 "the tracking curves would have " + std::to_string(periods) + " periods of " +
                     std::to_string(P) + " days from " + format_date(ev.first_day) + " to " +
                     format_date(ev.observation_end) + " (at most " +
                     std::to_string(detail::max_tracking_periods) +
                     "); choose a longer tracking period");
        for (std::size_t k = 0; k < periods; ++k)
            ev.period_end.push_back(std::min<day_number>(ev.first_day + static_cast<day_number>(k + 1) * P - 1,
                                                         ev.observation_end));
        ev.calibration_periods =
            static_cast<double>(ev.calibration_end - ev.first_day + 1) / static_cast<double>(P);
        std::vector<double> incremental(periods, 0.0);
        std::size_t row = 0;
        for (std::uint32_t c = 0; c < h.size(); ++c) {
            const auto days = h.days_of(c);
            if (days.size() == 0 || days[0] > ev.calibration_end) continue;
            if (row >= n || s.customer[row] != base->customers()[c])
                fail(status::invalid_argument, fn,
                     "the customer base is not the one the summary was computed from (customer '" +
                         std::string(base->customers()[c]) + "' is not row " +
                         std::to_string(row) + " of the summary)");
            ++row;
            births[days[0]] += 1;
            for (std::size_t j = 1; j < days.size(); ++j) {
                if (days[j] > ev.observation_end) break;
                incremental[static_cast<std::size_t>((days[j] - ev.first_day) / P)] += 1;
            }
        }
        if (row != n)
            fail(status::invalid_argument, fn,
                 "the customer base is not the one the summary was computed from (" +
                     std::to_string(row) + " of its customers were acquired by the calibration "
                     "end, the summary has " + std::to_string(n) + ")");
        // Each model evaluates E[X(t)] once per (first purchase day, period): bounded, so that
        // a log of many acquisition days with short periods cannot run for hours.
        if (static_cast<double>(births.size()) * static_cast<double>(periods) >
            detail::max_tracking_evaluations)
            fail(status::invalid_argument, fn,
                 "the tracking curves would evaluate " + std::to_string(births.size()) +
                     " acquisition days x " + std::to_string(periods) +
                     " periods of expectations per model (at most " +
                     detail::format_value(detail::max_tracking_evaluations) +
                     "); choose a longer tracking period");
        ev.tracking_actual.resize(periods);
        double cum = 0;
        for (std::size_t k = 0; k < periods; ++k) ev.tracking_actual[k] = cum += incremental[k];
    }
    if (base) {
        // The journey funnel and the cohort table at the observation end. They are context for the report, not part of the comparison: where the log does
        // not allow them (nobody bought twice, so there is no purchase cycle; more than
        // max_report_months of cohorts), a note says why and the comparison goes on.
        try {
            const journey_result j = journey(*base, ev.observation_end);
            for (int st = 0; st < journey_status_count; ++st)
                ev.journey_counts.emplace_back(to_string(static_cast<journey_status>(st)),
                                               static_cast<double>(j.counts[st]));
        } catch (const ltv::error& e) {
            ev.notes.push_back(std::string("journey funnel omitted: ") + e.what());
        }
        try {
            ev.cohorts = cohort_retention(*base, ev.observation_end);
        } catch (const ltv::error& e) {
            ev.notes.push_back(std::string("cohort table omitted: ") + e.what());
        }
    } else {
        ev.notes.push_back("no transaction log: the tracking curves, the journey funnel and the "
                           "cohort table need each customer's purchase days");
    }

    const bool holdout_defined = s.duration_holdout > 0;
    auto set = [](model_evaluation& m, evaluation_metric k, double v) {
        m.metrics[static_cast<std::size_t>(k)] = v;
    };
    // Accuracy metrics of purchases ŷ against y.
    auto accuracy = [&](model_evaluation& m) {
        if (!holdout_defined) return;
        detail::moments mo;
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            mo.add(m.predicted[i], s.frequency_holdout[i]);
            sum += m.predicted[i];
        }
        set(m, evaluation_metric::holdout_predicted, sum);
        set(m, evaluation_metric::holdout_actual, ev.holdout_purchases);
        if (ev.holdout_purchases > 0)
            set(m, evaluation_metric::holdout_error_percent,
                100 * (sum - ev.holdout_purchases) / ev.holdout_purchases);
        set(m, evaluation_metric::mae, mo.sum_abs / mo.n);
        set(m, evaluation_metric::rmse, std::sqrt(mo.sum_sq / mo.n));
        set(m, evaluation_metric::msle, mo.sum_log_sq / mo.n);
        set(m, evaluation_metric::bias, mo.sum_err / mo.n);
        set(m, evaluation_metric::correlation, mo.correlation());
        m.by_frequency.assign(G + 1, 0.0);
        for (std::size_t i = 0; i < n; ++i) m.by_frequency[group_of(s.frequency[i], G)] += m.predicted[i];
        for (std::size_t g = 0; g <= static_cast<std::size_t>(G); ++g)
            m.by_frequency[g] = ev.group_customers[g] > 0 ? m.by_frequency[g] / ev.group_customers[g]
                                                          : model_evaluation::nan();
    };
    auto spend_accuracy = [&](model_evaluation& m, const std::vector<double>& spend) {
        detail::moments mo;
        for (std::size_t i = 0; i < n; ++i)
            if (s.frequency_holdout[i] > 0) mo.add(spend[i], s.monetary_value_holdout[i]);
        if (mo.n == 0) return;
        set(m, evaluation_metric::spend_mae, mo.sum_abs / mo.n);
        set(m, evaluation_metric::spend_rmse, std::sqrt(mo.sum_sq / mo.n));
        set(m, evaluation_metric::spend_bias, mo.sum_err / mo.n);
        set(m, evaluation_metric::spend_correlation, mo.correlation());
    };
    const detail::ranking_reference ranking_ref =
        holdout_defined ? detail::make_ranking_reference(realised) : detail::ranking_reference{};
    // The value ranking of a row's purchases times `spend` (empty: purchases alone).
    auto ranking = [&](model_evaluation& m, const std::vector<double>& spend) {
        if (!holdout_defined) return;
        std::vector<double> value(n);
        for (std::size_t i = 0; i < n; ++i) {
            value[i] = m.predicted[i] * (spend.empty() ? 1.0 : spend[i]);
            if (!std::isfinite(value[i])) return;  // no order: the ranking metrics stay NaN
        }
        double rho, gini, l10, l20;
        detail::ranking_metrics(value, realised, ranking_ref, rho, gini, l10, l20);
        set(m, evaluation_metric::spearman, rho);
        set(m, evaluation_metric::gini, gini);
        set(m, evaluation_metric::lift_top10, l10);
        set(m, evaluation_metric::lift_top20, l20);
    };
    auto fit_metrics = [&](model_evaluation& m, double rows) {
        const fit_report& r = m.state.report;
        // k counts the estimated parameters: those held fixed ("fix.<name>") are not free.
        double free_k = 0;
        for (const auto& p : r.parameters)
            if (!find_model_option(m.state, "fix." + p.name)) free_k += 1;
        set(m, evaluation_metric::log_likelihood, r.log_likelihood);
        set(m, evaluation_metric::parameters, free_k);
        set(m, evaluation_metric::aic, 2 * free_k - 2 * r.log_likelihood);
        set(m, evaluation_metric::bic, free_k * std::log(rows) - 2 * r.log_likelihood);
    };

    // A row for `ops` fitted by fit(): its name, the fit's time, convergence and message; a fit
    // that throws leaves the row unfitted with the error as its message.
    auto fit_timed = [&](model_evaluation& m, const model_ops& ops, model_evaluation::role role,
                         auto&& fit) {
        m.name = ops.name;
        m.title = ops.title;
        m.kind = role;
        m.state.kind = static_cast<model_kind>(ops.kind);
        m.state.time_unit = unit;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            fit();
            m.fitted = true;
            m.converged = m.state.report.convergence.converged;
            m.message = m.state.report.convergence.message;
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {  // ltv::error, or a Boost.Math error of a kernel
            m.message = e.what();
        }
        set(m, evaluation_metric::fit_seconds,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    };

    // The spend model: its expectations enter the purchase models' value ranking.
    auto run_spend = [&](model_evaluation& m) {
        fit_timed(m, *spend_ops, model_evaluation::role::spend,
                  [&] { spend_ops->fit_spend(m.state, sd, fo); });
        if (m.fitted) {
            // Rows the spend fit used: repeat buyers with a positive mean spend.
            fit_metrics(m, std::max(1.0, m.state.report.total_weight));
            // Predictions for every customer: E[spend | x, z̄]; z̄ ≤ 0 with x > 0 (refunds)
            // would be refused, so those customers get the population mean (the x = 0 value).
            std::vector<double> z(s.monetary_value);
            for (std::size_t i = 0; i < n; ++i)
                if (s.frequency[i] > 0 && !(z[i] > 0)) z[i] = 0;
            std::vector<double> x0(s.frequency);
            for (std::size_t i = 0; i < n; ++i)
                if (!(z[i] > 0)) x0[i] = 0;
            m.predicted.resize(n);
            spend_ops->expected_spend(m.state, spend_data{x0, z, {}}, m.predicted.data(),
                                      options.threads);
            spend_accuracy(m, m.predicted);
        }
    };

    // A purchase model: fit, predictions, aggregates (the ranking comes after the spend model).
    auto run_purchases = [&](model_evaluation& m, const model_ops* ops) {
        fit_timed(m, *ops, model_evaluation::role::purchases,
                  [&] { ops->fit_rfm(m.state, d, fo); });
        if (m.fitted) {
            fit_metrics(m, static_cast<double>(n));
            try {
                m.predicted.resize(n);
                ops->conditional_purchases(m.state, s.duration_holdout, d, m.predicted.data(),
                                           options.threads);
                accuracy(m);
                if (ops->p_alive) {
                    m.p_alive.resize(n);
                    ops->p_alive(m.state, d, m.p_alive.data(), options.threads);
                }
                // Histogram: Σᵢ P(X(Tᵢ) = n), n < H, and the rest for x ≥ H.
                if (ops->purchase_pmf) {
                    m.histogram.assign(H + 1, 0.0);
                    std::vector<double> counts(H), pmf(H);
                    std::iota(counts.begin(), counts.end(), 0.0);
                    for (const auto& [age, c] : ages) {
                        ops->purchase_pmf(m.state, age, counts, pmf.data(), 1);
                        double below = 0;
                        for (int k = 0; k < H; ++k) {
                            m.histogram[k] += c * pmf[k];
                            below += pmf[k];
                        }
                        m.histogram[H] += c * std::max(0.0, 1.0 - below);
                    }
                }
                // Matrices on the grid.
                const std::size_t F = ev.matrix_frequency.size(), R = ev.matrix_recency.size();
                std::vector<double> gx(F * R), gr(F * R), gT(F * R, max_T);
                for (std::size_t f = 0; f < F; ++f)
                    for (std::size_t r = 0; r < R; ++r) {
                        gx[f * R + r] = ev.matrix_frequency[f];
                        gr[f * R + r] = ev.matrix_frequency[f] > 0 ? ev.matrix_recency[r] : 0.0;
                    }
                const rfm_data grid{gx, gr, gT, {}};
                if (ops->p_alive) {
                    m.p_alive_matrix.resize(F * R);
                    ops->p_alive(m.state, grid, m.p_alive_matrix.data(), options.threads);
                }
                m.expected_matrix.resize(F * R);
                ops->conditional_purchases(m.state, 1.0, grid, m.expected_matrix.data(),
                                           options.threads);
                // Tracking: Σ over first days b of count(b) · E[X((e_k − b) / unit)]
                // (ltv/model_curves.hpp), at the period ends and the two split days.
                if (base && ops->new_customer_purchases && !ev.period_end.empty()) {
                    const std::size_t K = ev.period_end.size();
                    std::vector<double> b, c, at;
                    for (const auto& [day, count] : births) {
                        b.push_back(static_cast<double>(day));
                        c.push_back(count);
                    }
                    for (const day_number e : ev.period_end) at.push_back(static_cast<double>(e));
                    at.push_back(static_cast<double>(ev.calibration_end));
                    at.push_back(static_cast<double>(ev.observation_end));
                    std::vector<double> cumulative(at.size());
                    expected_cumulative_transactions(*ops, m.state, b, c, at, cumulative.data(), 1,
                                                     s.unit.days);
                    m.tracking_cumulative.assign(cumulative.begin(), cumulative.begin() + K);
                    const double at_cal = cumulative[K], at_obs = cumulative[K + 1];
                    // Actual repeat purchases in the holdout = the summary's holdout purchases.
                    if (ev.holdout_purchases > 0)
                        set(m, evaluation_metric::tracking_error_percent,
                            100 * ((at_obs - at_cal) - ev.holdout_purchases) / ev.holdout_purchases);
                }
            } catch (const std::bad_alloc&) {
                throw;
            } catch (const std::exception& e) {
                m.fitted = false;
                m.message = std::string("predictions failed: ") + e.what();
                m.predicted.clear();
            }
        }
    };

    // The models are independent until the ranking: one task each on the thread pool (the
    // batch calls inside a task then run on its thread). The spend model is task 0.
    std::vector<const model_ops*> tasks;
    if (spend_ops) tasks.push_back(spend_ops);
    for (const model_ops* ops : chosen)
        if (ops->data != data_kind::spend) tasks.push_back(ops);
    std::vector<model_evaluation> fitted(tasks.size());
    detail::parallel_tasks(tasks.size(), options.threads, [&](std::size_t k) {
        if (tasks[k]->data == data_kind::spend)
            run_spend(fitted[k]);
        else
            run_purchases(fitted[k], tasks[k]);
    });
    // The calibration mean spend (the pooled mean for customers without a positive one): the
    // baseline's spend, and the models' too when there is no spend model to rank value with.
    std::vector<double> spend_base;
    if (ev.amounts) {
        double sz = 0, cz = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (s.frequency[i] > 0 && s.monetary_value[i] > 0) {
                sz += s.monetary_value[i];
                cz += 1;
            }
        const double pooled_z = cz > 0 ? sz / cz : 0.0;
        spend_base.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            spend_base[i] = s.frequency[i] > 0 && s.monetary_value[i] > 0 ? s.monetary_value[i]
                                                                          : pooled_z;
    }
    // The models' spend in the value ranking: the spend model's expectations, else (with
    // amounts) the calibration mean spend, else none.
    const std::vector<double>& model_spend =
        spend_ops && !fitted.front().predicted.empty() ? fitted.front().predicted : spend_base;
    if (ev.amounts && &model_spend == &spend_base) {
        ev.notes.push_back("no fitted spend model: the value ranking multiplies each model's "
                           "purchases by the customer's calibration mean spend, as the baseline");
    }
    detail::parallel_tasks(fitted.size(), options.threads, [&](std::size_t k) {
        if (fitted[k].kind == model_evaluation::role::purchases && !fitted[k].predicted.empty())
            ranking(fitted[k], model_spend);
    });

    std::vector<model_evaluation> rows;
    // Baseline
    if (options.baseline) {
        model_evaluation m;
        m.name = "baseline";
        m.title = "Naive baseline";
        m.kind = model_evaluation::role::baseline;
        m.fitted = m.converged = true;
        m.message = "calibration rate x / T kept through the holdout";
        double sx = 0, sT = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sx += s.frequency[i];
            sT += s.T[i];
        }
        const double pooled = sT > 0 ? sx / sT : 0.0;
        m.predicted.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            m.predicted[i] = (s.T[i] > 0 ? s.frequency[i] / s.T[i] : pooled) * s.duration_holdout;
        accuracy(m);
        if (ev.amounts) spend_accuracy(m, spend_base);
        ranking(m, spend_base);
        rows.push_back(std::move(m));
    }

    for (auto& m : fitted) rows.push_back(std::move(m));
    ev.models = std::move(rows);

    // The best model: converged, not the baseline, the lowest MAE.
    double best_mae = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& m = ev.models[i];
        const double mae = m.metric(evaluation_metric::mae);
        if (m.kind == model_evaluation::role::purchases && m.converged && mae < best_mae) {
            best_mae = mae;
            ev.best = i;
        }
    }
    return ev;
}

namespace detail {
inline nlohmann::json json_number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
inline nlohmann::json json_numbers(const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v) a.push_back(json_number(x));
    return a;
}
inline nlohmann::json json_incremental(const std::vector<double>& cumulative) {
    nlohmann::json a = nlohmann::json::array();
    double prev = 0;
    for (double x : cumulative) {
        a.push_back(json_number(x - prev));
        prev = x;
    }
    return a;
}
inline const char* role_name(model_evaluation::role r) {
    switch (r) {
        case model_evaluation::role::purchases:
            return "purchases";
        case model_evaluation::role::spend:
            return "spend";
        case model_evaluation::role::baseline:
            return "baseline";
    }
    return "unknown";
}
inline const char* goal_name(metric_goal g) {
    switch (g) {
        case metric_goal::lower:
            return "lower";
        case metric_goal::higher:
            return "higher";
        case metric_goal::zero:
            return "zero";
        case metric_goal::none:
            break;
    }
    return "none";
}
}  // namespace detail

/// The row that is best in metric `m` among the fitted, converged rows that have it (the
/// report's mark): spend metrics among the spend model and the baseline, every other metric
/// among the purchase models and the baseline; nullopt when no row has the metric or the
/// metric has no goal.
inline std::optional<std::size_t> best_in_metric(const evaluation& ev, std::size_t m) {
    const metric_info* info = evaluation_metric_info(m);
    if (!info || info->goal == metric_goal::none) return std::nullopt;
    std::optional<std::size_t> best;
    double best_score = 0;
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& row = ev.models[i];
        const double v = row.metrics[m];
        if (!row.converged || !std::isfinite(v)) continue;
        // Likelihoods of the spend model and of the purchase models are of different data:
        // spend metrics compare the spend model with the baseline, the others the purchase
        // models with the baseline.
        const bool spend_metric = std::string(info->name).rfind("spend_", 0) == 0;
        if (row.kind == model_evaluation::role::spend && !spend_metric) continue;
        if (row.kind == model_evaluation::role::purchases && spend_metric) continue;
        const double score = info->goal == metric_goal::lower    ? -v
                             : info->goal == metric_goal::higher ? v
                                                                  : -std::fabs(v);
        if (!best || score > best_score) {
            best = i;
            best_score = score;
        }
    }
    return best;
}

/// The evaluation as JSON (docs/benchmarking.md, "JSON"): every metric and series; NaN
/// (not defined, not applicable) is null. Per-customer predictions are not included (the
/// CLI's --csv and the C API's ltv_evaluation_predictions give them).
inline nlohmann::json to_json(const evaluation& ev) {
    using detail::json_number;
    using detail::json_numbers;
    nlohmann::json j;
    j["format"] = "ltv-evaluation";
    j["format_version"] = 1;
    j["ltv_version"] = version_string;
    j["data"] = {{"customers", ev.customers},
                 {"calibration_repeat_purchases", ev.calibration_repeat_purchases},
                 {"holdout_purchases", ev.holdout_purchases},
                 {"duration_holdout", ev.duration_holdout},
                 {"time_unit", time_unit_name(time_unit{ev.unit_days})},
                 {"calibration_end", format_date(ev.calibration_end)},
                 {"observation_end", format_date(ev.observation_end)},
                 {"amounts", ev.amounts}};
    j["notes"] = ev.notes;
    j["not_reproducible"] = {"models[].metrics.fit_seconds"};
    nlohmann::json metrics = nlohmann::json::array();
    for (std::size_t k = 0; k < evaluation_metric_count; ++k) {
        const metric_info* mi = evaluation_metric_info(k);
        const auto best = best_in_metric(ev, k);
        metrics.push_back({{"name", mi->name},
                           {"label", mi->label},
                           {"goal", detail::goal_name(mi->goal)},
                           {"description", mi->description},
                           {"best", best ? nlohmann::json(ev.models[*best].name) : nlohmann::json(nullptr)}});
    }
    j["metrics"] = metrics;
    nlohmann::json models = nlohmann::json::array();
    for (const auto& m : ev.models) {
        nlohmann::json row{{"name", m.name},
                           {"title", m.title},
                           {"role", detail::role_name(m.kind)},
                           {"fitted", m.fitted},
                           {"converged", m.converged},
                           {"message", m.message}};
        nlohmann::json values;
        for (std::size_t k = 0; k < evaluation_metric_count; ++k)
            values[evaluation_metric_info(k)->name] = json_number(m.metrics[k]);
        row["metrics"] = values;
        if (m.kind != model_evaluation::role::baseline && m.fitted) {
            nlohmann::json params, se;
            for (const auto& p : m.state.report.parameters) {
                params[p.name] = json_number(p.value);
                se[p.name] = json_number(p.standard_error);
            }
            row["params"] = params;
            row["standard_errors"] = se;
        }
        models.push_back(row);
    }
    j["models"] = models;
    j["best"] = ev.best ? nlohmann::json(ev.models[*ev.best].name) : nlohmann::json(nullptr);

    auto per_model = [&](auto member) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& m : ev.models)
            if (!(m.*member).empty()) o[m.name] = json_numbers(m.*member);
        return o;
    };
    nlohmann::json tracking;
    tracking["period_days"] = ev.tracking_period_days;
    tracking["calibration_periods"] = ev.calibration_periods;
    nlohmann::json ends = nlohmann::json::array();
    for (day_number d : ev.period_end) ends.push_back(format_date(d));
    tracking["period_end"] = ends;
    tracking["actual_cumulative"] = json_numbers(ev.tracking_actual);
    tracking["actual_incremental"] = detail::json_incremental(ev.tracking_actual);
    tracking["expected_cumulative"] = per_model(&model_evaluation::tracking_cumulative);
    nlohmann::json inc = nlohmann::json::object();
    for (const auto& m : ev.models)
        if (!m.tracking_cumulative.empty()) inc[m.name] = detail::json_incremental(m.tracking_cumulative);
    tracking["expected_incremental"] = inc;
    j["tracking"] = tracking;
    j["by_frequency"] = {{"group", json_numbers(ev.frequency_group)},
                         {"customers", json_numbers(ev.group_customers)},
                         {"actual", json_numbers(ev.group_actual)},
                         {"predicted", per_model(&model_evaluation::by_frequency)}};
    std::vector<double> bins(ev.histogram_actual.size());
    std::iota(bins.begin(), bins.end(), 0.0);
    j["histogram"] = {{"bin", json_numbers(bins)},
                      {"actual", json_numbers(ev.histogram_actual)},
                      {"expected", per_model(&model_evaluation::histogram)}};
    j["matrices"] = {{"frequency", json_numbers(ev.matrix_frequency)},
                     {"recency", json_numbers(ev.matrix_recency)},
                     {"T", ev.matrix_T},
                     {"p_alive", per_model(&model_evaluation::p_alive_matrix)},
                     {"expected_purchases", per_model(&model_evaluation::expected_matrix)}};
    nlohmann::json journey = nlohmann::json::object();
    for (const auto& [name, count] : ev.journey_counts) journey[name] = count;
    j["journey"] = journey;
    nlohmann::json cohorts;
    nlohmann::json starts = nlohmann::json::array();
    for (day_number d : ev.cohorts.cohort) starts.push_back(format_date(d));
    cohorts["cohort"] = starts;
    cohorts["size"] = ev.cohorts.size;
    nlohmann::json active = nlohmann::json::array();
    for (const auto& row : ev.cohorts.active) active.push_back(json_numbers(row));
    cohorts["active"] = active;
    j["cohorts"] = cohorts;
    return j;
}

}  // namespace ltv
