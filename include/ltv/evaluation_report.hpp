// SPDX-License-Identifier: Apache-2.0
// ltv/evaluation_report.hpp — the model comparison (ltv/evaluation.hpp) as one self-contained
// HTML5 page: inline CSS and inline SVG charts (ltv/detail/svg.hpp), no scripts, no fonts,
// images or links to fetch, so it opens offline, prints, and can be mailed as it is.
//
// Sections (ids in parentheses; each chart's <svg> has the id given):
//   header (data)             the data: customers, calibration and observation ends, time unit,
//                             holdout purchases, amounts yes/no, and the evaluation's notes
//   comparison (comparison)   one row per model, one column per metric of
//                             LTV_EVALUATION_METRIC_LIST (label, description as tooltip); the
//                             best value of each column (best_in_metric) bold with a ★; "–" for
//                             values not defined; the table scrolls sideways on a narrow screen
//   tracking (tracking)       cumulative (chart-tracking-cumulative) and per-period
//                             (chart-tracking-incremental) repeat purchases, actual and each
//                             model, the calibration end marked; at most max_tracking_points
//                             points (consecutive periods merged beyond, and said so)
//   by frequency (by-frequency, chart-by-frequency)  mean holdout purchases by calibration
//                             frequency 0 … G − 1, "G+": actual and each model
//   histogram (histogram, chart-histogram)  customers by calibration repeat purchases
//   P(alive) (p-alive, chart-p-alive)  the best model's P(alive) on the frequency × recency grid
//   journey (journey, chart-journey)  customers by journey status at the observation end
//   cohorts (cohorts, chart-cohorts)  share of each monthly cohort buying k = 1, 2, … months
//                             after its acquisition month (month 0 is 100 % by definition);
//                             the last max_cohorts cohorts with customers, k ≤ max_cohort_months
//   footer                    the ltv version
// A section whose data are missing (no transaction log, an empty holdout, no best model)
// says "Not available: why" instead of drawing a chart.
//
// Size: the page holds aggregates only (never per-customer data); its size is bounded by the
// number of models, periods (max_tracking_points), groups, bins, matrix cells (at most 50 × 50
// drawn) and cohorts (max_cohorts × max_cohort_months), not by the number of customers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/date.hpp"
#include "ltv/detail/svg.hpp"
#include "ltv/error.hpp"
#include "ltv/evaluation.hpp"
#include "ltv/summary.hpp"
#include "ltv/version.hpp"

namespace ltv {

/// Options of evaluation_html.
struct evaluation_report_options {
    std::string title = "ltv model comparison";  ///< the page's <title> and heading
    std::string source;                           ///< the log's name (file), shown in the header
    std::size_t max_tracking_points = 400;        ///< tracking periods drawn (merged beyond)
    std::size_t max_cohorts = 36;                 ///< the most recent cohorts with customers
    std::size_t max_cohort_months = 36;           ///< months after acquisition drawn
    std::size_t max_matrix_size = 50;             ///< P(alive) rows and columns drawn (sampled beyond)
};

namespace detail::report {

namespace svg = detail::svg;
using svg::escape;

/// The page's CSS: system fonts, a max-width container, charts scaled to their box, tables in
/// sideways-scrolling wrappers, print rules.
inline constexpr const char* css = R"css(
:root{--fg:#1a1a1a;--muted:#555;--line:#d9d9d9;--bg:#fff;--soft:#f5f5f5;--warn:#8a3b00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.2em 0 .3em;line-height:1.25}
h2{font-size:1.25rem;margin:1.8em 0 .4em;padding-top:.4em;border-top:1px solid var(--line)}
p{margin:.4em 0}
.source{color:var(--muted);overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,15em),1fr));gap:.3em 1.2em;margin:.8em 0}
dl.facts div{display:flex;justify-content:space-between;gap:.6em;border-bottom:1px dotted var(--line);padding:.15em 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;font-weight:600;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
ul.notes{padding-left:1.2em;color:var(--muted);font-size:.93rem}
ul.notes li{overflow-wrap:anywhere}
.table-wrap{position:relative;overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);max-width:100%}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{padding:.35em .6em;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap;vertical-align:top}
thead th{background:var(--soft);font-weight:600;cursor:help}
th.model,td.status{text-align:left}
th.model{position:sticky;left:0;background:var(--bg);z-index:1;white-space:nowrap}
thead th.model{background:var(--soft)}
td.status{white-space:normal;min-width:4em;max-width:22em;font-size:.85rem}
td.status.failed{color:var(--warn);font-weight:600}
td.best{font-weight:700;background:#eef5fb}
.mark{margin-left:.2em}
.role{display:inline-block;font-size:.75rem;font-weight:400;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 .3em;margin-left:.3em}
.goal{color:var(--muted);font-weight:400}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.legend-note{font-size:.85rem;color:var(--muted)}
.charts figure.chart{max-width:none}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px 24px;align-items:start}
figure.chart{margin:.6em 0;max-width:640px;min-width:0;break-inside:avoid;page-break-inside:avoid}
svg.ltv-chart{display:block;width:100%;height:auto;max-width:100%}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.3em}
p.na{background:var(--soft);border-left:4px solid #999;padding:.5em .8em;color:var(--fg)}
footer{margin-top:2.5em;padding-top:.6em;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@media (max-width:600px){body{font-size:14px}main{padding:10px}h1{font-size:1.35rem}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}.table-wrap{overflow:visible;border:none}
th.model{position:static}h2{break-after:avoid;page-break-after:avoid}
figure.chart,svg.ltv-chart,table,tr{break-inside:avoid;page-break-inside:avoid}
.charts{grid-template-columns:1fr 1fr}}
)css";

/// "Not available: why".
inline std::string not_available(const std::string& why) {
    return "<p class=\"na\"><strong>Not available:</strong> " + escape(why) + "</p>\n";
}

inline std::string figure(const std::string& svg_text, const std::string& caption) {
    return "<figure class=\"chart\">\n" + svg_text +
           (caption.empty() ? std::string() : "<figcaption>" + escape(caption) + "</figcaption>\n") +
           "</figure>\n";
}

/// The plural name of `days` as a period ("weeks"; "periods of 14 days").
inline std::string periods_name(double days) {
    if (days == 1) return "days";
    if (days == 7) return "weeks";
    if (days == 30) return "months of 30 days";
    return "periods of " + svg::format_number(days, 6) + " days";
}
/// The time unit of the summary, singular ("week") and plural ("weeks").
inline std::string unit_singular(double days) {
    if (days == 1) return "day";
    if (days == 7) return "week";
    if (days == 30) return "month (30 days)";
    return "unit of " + svg::format_number(days, 6) + " days";
}
inline std::string unit_plural(double days) {
    if (days == 1) return "days";
    if (days == 7) return "weeks";
    if (days == 30) return "months";
    return "units of " + svg::format_number(days, 6) + " days";
}

inline bool all_finite(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

/// The style index of row i: its position among the rows that are not spend models, so that a
/// model has the same colour and dash pattern in every chart.
inline std::size_t style_index(const evaluation& ev, std::size_t i) {
    std::size_t k = 0;
    for (std::size_t j = 0; j < i && j < ev.models.size(); ++j)
        if (ev.models[j].kind != model_evaluation::role::spend) ++k;
    return k;
}

/// A model's series style: the Okabe–Ito colour and a dash pattern of its index (the actual
/// data are near-black and solid).
inline svg::series model_series(const std::string& name, std::vector<double> values, std::size_t i) {
    svg::series s;
    s.name = name;
    s.values = std::move(values);
    s.color = svg::series_color(i);
    s.dash = svg::dash_pattern(i + 1);
    s.width = 1.8;
    return s;
}
inline svg::series actual_series(std::vector<double> values) {
    svg::series s;
    s.name = "actual";
    s.values = std::move(values);
    s.color = svg::actual_color;
    s.width = 2.6;
    return s;
}

/// The text of a metric's value in the table.
inline std::string metric_text(std::size_t k, double v) {
    if (!std::isfinite(v)) return svg::not_defined;
    switch (static_cast<evaluation_metric>(k)) {
        case evaluation_metric::parameters:
            return svg::format_fixed(v, 0);
        case evaluation_metric::fit_seconds:
            return svg::format_number(v, 2);
        case evaluation_metric::holdout_predicted:
        case evaluation_metric::holdout_actual:
            return std::fabs(v) >= 1000 ? svg::format_fixed(v, 0) : svg::format_number(v, 4);
        case evaluation_metric::holdout_error_percent:
        case evaluation_metric::tracking_error_percent:
            return svg::format_fixed(v, std::fabs(v) < 10 ? 2 : 1);
        default:
            return std::fabs(v) >= 1000 ? svg::format_fixed(v, 1) : svg::format_number(v, 4);
    }
}

inline const char* goal_text(metric_goal g) {
    switch (g) {
        case metric_goal::lower:
            return "lower is better";
        case metric_goal::higher:
            return "higher is better";
        case metric_goal::zero:
            return "closer to 0 is better";
        case metric_goal::none:
            break;
    }
    return "for information";
}
inline const char* goal_arrow(metric_goal g) {
    switch (g) {
        case metric_goal::lower:
            return "\xE2\x86\x93";  // ↓
        case metric_goal::higher:
            return "\xE2\x86\x91";  // ↑
        case metric_goal::zero:
            return "\xE2\x86\x92" "0";  // →0
        case metric_goal::none:
            break;
    }
    return "";
}
inline const char* role_label(model_evaluation::role r) {
    switch (r) {
        case model_evaluation::role::spend:
            return "spend";
        case model_evaluation::role::baseline:  // its title says so
        case model_evaluation::role::purchases:
            break;
    }
    return "";
}

inline std::string fact(const std::string& term, const std::string& value) {
    return "<div><dt>" + escape(term) + "</dt><dd>" + escape(value) + "</dd></div>\n";
}

inline std::string header_section(const evaluation& ev, const evaluation_report_options& o) {
    std::string h = "<header id=\"data\">\n<h1>" + escape(o.title) + "</h1>\n";
    if (!o.source.empty()) h += "<p class=\"source\">Data: " + escape(o.source) + "</p>\n";
    h += "<dl class=\"facts\">\n";
    h += fact("customers", svg::format_fixed(static_cast<double>(ev.customers), 0));
    h += fact("calibration end", format_date(ev.calibration_end));
    h += fact("observation end", format_date(ev.observation_end));
    h += fact("time unit", unit_singular(ev.unit_days));
    h += fact("holdout length", svg::format_number(ev.duration_holdout, 4) + " " + unit_plural(ev.unit_days));
    h += fact("calibration repeat purchases", svg::format_fixed(ev.calibration_repeat_purchases, 0));
    h += fact("holdout purchases", svg::format_fixed(ev.holdout_purchases, 0));
    h += fact("amounts", ev.amounts ? "yes" : "no");
    if (!ev.period_end.empty()) h += fact("first purchase", format_date(ev.first_day));
    h += fact("best model (lowest MAE)", ev.best ? ev.models[*ev.best].title : std::string("none"));
    h += "</dl>\n";
    if (!ev.notes.empty()) {
        h += "<ul class=\"notes\" aria-label=\"notes\">\n";
        for (const auto& n : ev.notes) h += "<li>" + escape(n) + "</li>\n";
        h += "</ul>\n";
    }
    h += "</header>\n";
    return h;
}

inline std::string comparison_section(const evaluation& ev) {
    std::string h = "<section id=\"comparison\">\n<h2>Model comparison</h2>\n";
    if (ev.models.empty()) return h + not_available("no model was evaluated") + "</section>\n";
    h += "<p class=\"legend-note\">Fitted on the calibration period, judged on the holdout. "
         "<strong>Bold</strong> with \xE2\x98\x85: the best converged value of a column (arrows: "
         "\xE2\x86\x93 lower, \xE2\x86\x91 higher, \xE2\x86\x92" "0 closer to zero is better); "
         "\xE2\x80\x93: not defined or not applicable. Hover a heading for its definition.</p>\n";
    std::vector<std::optional<std::size_t>> best(evaluation_metric_count);
    for (std::size_t k = 0; k < evaluation_metric_count; ++k) best[k] = best_in_metric(ev, k);
    h += "<div class=\"table-wrap\" role=\"region\" aria-label=\"model comparison table\" tabindex=\"0\">\n"
         "<table>\n<thead><tr><th scope=\"col\" class=\"model\">model</th>"
         "<th scope=\"col\" class=\"status\" title=\"the fit met its convergence test\">converged</th>";
    for (std::size_t k = 0; k < evaluation_metric_count; ++k) {
        const metric_info* mi = evaluation_metric_info(k);
        const std::string arrow = goal_arrow(mi->goal);
        h += "<th scope=\"col\" title=\"" + escape(std::string(mi->description) + " (" + goal_text(mi->goal) + ")") +
             "\">" + escape(mi->label) +
             (arrow.empty() ? std::string() : " <span class=\"goal\" aria-hidden=\"true\">" + arrow + "</span>") +
             "</th>";
    }
    h += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& m = ev.models[i];
        const std::string role = role_label(m.kind);
        h += "<tr><th scope=\"row\" class=\"model\"" +
             (m.message.empty() ? std::string() : " title=\"" + escape(m.message) + "\"") + ">" +
             escape(m.title.empty() ? m.name : m.title) +
             (role.empty() ? std::string() : " <span class=\"role\">" + role + "</span>") +
             (ev.best && *ev.best == i ? " <span class=\"role\">best</span>" : "") + "</th>";
        if (m.converged && m.fitted) {
            h += "<td class=\"status\">yes</td>";
        } else {
            const std::string what = !m.fitted ? "failed" : "no";
            h += "<td class=\"status failed\">\xE2\x9A\xA0 " + what +
                 (m.message.empty() ? std::string() : ": " + escape(m.message)) + "</td>";
        }
        for (std::size_t k = 0; k < evaluation_metric_count; ++k) {
            const std::string value = metric_text(k, m.metrics[k]);
            if (best[k] && *best[k] == i)
                h += "<td class=\"best\"><strong>" + escape(value) +
                     "</strong><span class=\"mark\" aria-hidden=\"true\">\xE2\x98\x85</span>"
                     "<span class=\"vh\"> (best)</span></td>";
            else
                h += "<td>" + escape(value) + "</td>";
        }
        h += "</tr>\n";
    }
    h += "</tbody>\n</table>\n</div>\n</section>\n";
    return h;
}

inline std::string tracking_section(const evaluation& ev, const evaluation_report_options& o) {
    std::string h = "<section id=\"tracking\">\n<h2>Tracking: repeat purchases over time</h2>\n";
    const std::size_t K = std::min(ev.period_end.size(), ev.tracking_actual.size());
    if (K == 0)
        return h +
               not_available("no transaction log was given: the tracking curves need each "
                             "customer's purchase days") +
               "</section>\n";
    const double P = ev.tracking_period_days > 0 ? ev.tracking_period_days : 1;
    // Merge consecutive periods beyond max_tracking_points: the points are the ends of blocks
    // of `block` periods (the last one possibly shorter).
    const std::size_t max_points = std::max<std::size_t>(o.max_tracking_points, 2);
    const std::size_t block = (K + max_points - 1) / max_points;
    std::vector<std::size_t> at;
    for (std::size_t k = block - 1; k < K; k += block) at.push_back(k);
    if (at.empty() || at.back() != K - 1) at.push_back(K - 1);
    std::vector<double> x;
    for (const std::size_t k : at)
        x.push_back(static_cast<double>(ev.period_end[k] - ev.first_day + 1) / P);
    auto pick = [&](const std::vector<double>& cum) {
        std::vector<double> v;
        for (const std::size_t k : at) v.push_back(cum[k]);
        return v;
    };
    auto incremental = [](const std::vector<double>& cum) {
        std::vector<double> v(cum.size());
        double prev = 0;
        for (std::size_t i = 0; i < cum.size(); ++i) {
            v[i] = cum[i] - prev;
            prev = cum[i];
        }
        return v;
    };
    svg::line_chart cum, inc;
    cum.id = "chart-tracking-cumulative";
    inc.id = "chart-tracking-incremental";
    cum.title = "Cumulative repeat purchases: actual and expected";
    const std::string per = block == 1 ? (P == 1 ? "day" : P == 7 ? "week" : "period")
                                       : std::to_string(block) + " " + periods_name(P);
    inc.title = "Repeat purchases per " + per + ": actual and expected";
    cum.x_label = inc.x_label = periods_name(P) + " since " + format_date(ev.first_day);
    cum.y_label = "cumulative repeat purchases";
    inc.y_label = "repeat purchases per " + per;
    cum.x = inc.x = x;
    cum.marker_x = inc.marker_x = ev.calibration_periods;
    cum.marker_label = inc.marker_label = "calibration end \xE2\x86\x92 holdout";
    const std::vector<double> actual = pick(ev.tracking_actual);
    cum.data.push_back(actual_series(actual));
    inc.data.push_back(actual_series(incremental(actual)));
    std::vector<std::string> omitted;
    std::size_t index = 0;
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& m = ev.models[i];
        if (m.tracking_cumulative.size() != ev.period_end.size()) continue;
        if (!all_finite(m.tracking_cumulative)) {
            omitted.push_back(m.title);
            continue;
        }
        const std::vector<double> v = pick(m.tracking_cumulative);
        cum.data.push_back(model_series(m.title, v, style_index(ev, i)));
        inc.data.push_back(model_series(m.title, incremental(v), style_index(ev, i)));
        ++index;
    }
    std::string caption = "Repeat purchases of the customers acquired by the calibration end, per " +
                          std::string(P == 1 ? "day" : P == 7 ? "week" : "period of " + svg::format_number(P, 6) + " days") +
                          "; the shaded part is the holdout (after " + format_date(ev.calibration_end) + ").";
    if (block > 1)
        caption += " " + std::to_string(K) + " periods: every " + std::to_string(block) +
                   " consecutive periods are merged into one point.";
    if (index == 0) caption += " No model gives a tracking curve.";
    if (!omitted.empty()) {
        caption += " Omitted (values that are not finite):";
        for (const auto& t : omitted) caption += " " + t;
        caption += ".";
    }
    h += "<div class=\"charts\">\n" + figure(svg::render(cum), caption) +
         figure(svg::render(inc), "The same, per " + per + " (the differences of the cumulative curve).") +
         "</div>\n</section>\n";
    return h;
}

/// Category labels "0", "1", …, "G+" of groups with lower bounds `lower`.
inline std::vector<std::string> group_labels(std::size_t count, const std::vector<double>& lower) {
    std::vector<std::string> out;
    for (std::size_t g = 0; g < count; ++g) {
        const double b = g < lower.size() ? lower[g] : static_cast<double>(g);
        out.push_back(svg::format_number(b, 6) + (g + 1 == count ? "+" : ""));
    }
    return out;
}

inline std::string by_frequency_section(const evaluation& ev) {
    std::string h = "<section id=\"by-frequency\">\n<h2>Conditional expectations by calibration frequency</h2>\n";
    const std::size_t G = ev.group_actual.size();
    if (!(ev.duration_holdout > 0))
        return h + not_available("the holdout period is empty: there are no holdout purchases to compare") +
               "</section>\n";
    if (G == 0 || ev.group_customers.size() != G)
        return h + not_available("no frequency groups were computed") + "</section>\n";
    std::vector<std::size_t> kept;  // groups with customers
    for (std::size_t g = 0; g < G; ++g)
        if (ev.group_customers[g] > 0 && std::isfinite(ev.group_actual[g])) kept.push_back(g);
    const std::vector<std::string> labels = group_labels(G, ev.frequency_group);
    svg::bar_chart c;
    c.id = "chart-by-frequency";
    c.title = "Mean holdout purchases by calibration repeat purchases";
    c.x_label = "repeat purchases in the calibration period (group)";
    c.y_label = "mean holdout purchases per customer";
    std::vector<double> actual;
    for (const std::size_t g : kept) {
        c.categories.push_back(labels[g]);
        actual.push_back(ev.group_actual[g]);
    }
    c.data.push_back(actual_series(actual));
    for (std::size_t i = 0; i < ev.models.size(); ++i) {
        const auto& m = ev.models[i];
        if (m.by_frequency.size() != G) continue;
        std::vector<double> v;
        for (const std::size_t g : kept) v.push_back(m.by_frequency[g]);
        if (!all_finite(v)) continue;
        c.data.push_back(model_series(m.title, std::move(v), style_index(ev, i)));
    }
    std::string caption = "Customers per group:";
    for (const std::size_t g : kept)
        caption += " " + labels[g] + ": " + svg::format_fixed(ev.group_customers[g], 0) + ";";
    caption.back() = '.';
    if (kept.size() < G) caption += " Groups without customers are not shown.";
    h += figure(svg::render(c), caption) + "</section>\n";
    return h;
}

inline std::string histogram_section(const evaluation& ev) {
    std::string h = "<section id=\"histogram\">\n<h2>Calibration purchases: actual and expected customers</h2>\n";
    const std::size_t H = ev.histogram_actual.size();
    if (H == 0) return h + not_available("no histogram was computed") + "</section>\n";
    svg::bar_chart c;
    c.id = "chart-histogram";
    c.title = "Customers by repeat purchases in the calibration period";
    c.x_label = "repeat purchases in the calibration period";
    c.y_label = "customers";
    std::vector<double> lower(H);
    for (std::size_t i = 0; i < H; ++i) lower[i] = static_cast<double>(i);
    c.categories = group_labels(H, lower);
    c.data.push_back(actual_series(ev.histogram_actual));
    for (std::size_t i = 0; i < ev.models.size(); ++i)
        if (ev.models[i].histogram.size() == H && all_finite(ev.models[i].histogram))
            c.data.push_back(model_series(ev.models[i].title, ev.models[i].histogram, style_index(ev, i)));
    std::string caption = "Expected: the sum over customers of each model's P(X(T) = n) for their age T.";
    if (c.data.size() == 1) caption += " No model gives the distribution of purchases.";
    h += figure(svg::render(c), caption) + "</section>\n";
    return h;
}

/// Indices 0 … n − 1 sampled evenly down to at most `most` (the first and last kept).
inline std::vector<std::size_t> sample_indices(std::size_t n, std::size_t most) {
    std::vector<std::size_t> out;
    most = std::max<std::size_t>(most, 2);
    if (n <= most) {
        for (std::size_t i = 0; i < n; ++i) out.push_back(i);
        return out;
    }
    for (std::size_t k = 0; k < most; ++k) {
        const auto i = static_cast<std::size_t>(std::llround(static_cast<double>(k) * static_cast<double>(n - 1) /
                                                             static_cast<double>(most - 1)));
        if (out.empty() || out.back() != i) out.push_back(i);
    }
    return out;
}

inline std::string p_alive_section(const evaluation& ev, const evaluation_report_options& o) {
    std::string h = "<section id=\"p-alive\">\n<h2>P(alive) by frequency and recency</h2>\n";
    if (!ev.best)
        return h + not_available("no purchase model converged, so there is no best model to draw") +
               "</section>\n";
    const auto& m = ev.models[*ev.best];
    const std::size_t F = ev.matrix_frequency.size(), R = ev.matrix_recency.size();
    if (F == 0 || R == 0 || m.p_alive_matrix.size() != F * R)
        return h + not_available(m.title + " (the best model) gives no P(alive) matrix") + "</section>\n";
    const auto rows = sample_indices(F, o.max_matrix_size), cols = sample_indices(R, o.max_matrix_size);
    svg::heatmap c;
    c.id = "chart-p-alive";
    const std::string units = unit_plural(ev.unit_days);
    c.title = "P(alive) of " + m.title + " (best model), T = " + svg::format_number(ev.matrix_T, 4) + " " + units;
    c.x_label = "recency t_x (" + units + ")";
    c.y_label = "frequency x";
    c.value_label = "P(alive)";
    c.lo = 0;
    c.hi = 1;
    for (std::size_t r = rows.size(); r-- > 0;) c.rows.push_back(svg::format_number(ev.matrix_frequency[rows[r]], 6));
    for (const std::size_t k : cols) c.columns.push_back(svg::format_number(ev.matrix_recency[k], 3));
    for (std::size_t r = rows.size(); r-- > 0;)
        for (const std::size_t k : cols) {
            const double v = m.p_alive_matrix[rows[r] * R + k];
            c.values.push_back(std::isfinite(v) ? v : std::nan(""));  // NaN: a hatched cell
        }
    std::string caption = "P(alive) at the calibration end of a customer with x repeat purchases, the last "
                          "t_x " + units + " after the first, observed for T = " +
                          svg::format_number(ev.matrix_T, 4) + " " + units +
                          " (the longest calibration period); x = 0 has t_x = 0 in every column.";
    if (rows.size() < F || cols.size() < R) caption += " The grid is sampled to " + std::to_string(rows.size()) + " × " +
                                                         std::to_string(cols.size()) + " cells.";
    h += figure(svg::render(c), caption) + "</section>\n";
    return h;
}

inline std::string journey_section(const evaluation& ev) {
    std::string h = "<section id=\"journey\">\n<h2>Customer journey at the observation end</h2>\n";
    if (ev.journey_counts.empty())
        return h + not_available("no transaction log was given: the journey statuses need each customer's purchase days") +
               "</section>\n";
    svg::hbar_chart c;
    c.id = "chart-journey";
    c.title = "Customers by journey status on " + format_date(ev.observation_end);
    c.x_label = "customers";
    c.series_name = "customers (share of all)";
    for (const auto& [name, count] : ev.journey_counts) {
        c.labels.push_back(name);
        c.values.push_back(std::isfinite(count) ? count : 0.0);
    }
    h += figure(svg::render(c),
                "Statuses of ltv::journey (ltv/journey.hpp): newbie = first purchase within the business "
                "cycle, fan = repeat buyer within it, sleeping = inactive beyond it, lost = inactive "
                "beyond the lost threshold, returned = came back after being lost.") +
         "</section>\n";
    return h;
}

inline std::string cohorts_section(const evaluation& ev, const evaluation_report_options& o) {
    std::string h = "<section id=\"cohorts\">\n<h2>Cohort retention</h2>\n";
    const cohort_table& t = ev.cohorts;
    if (t.cohort.empty())
        return h + not_available("no transaction log was given: the cohort table needs each customer's purchase days") +
               "</section>\n";
    std::vector<std::size_t> with;  // cohorts with customers
    for (std::size_t i = 0; i < t.cohort.size() && i < t.size.size() && i < t.active.size(); ++i)
        if (t.size[i] > 0) with.push_back(i);
    const std::size_t most = std::max<std::size_t>(o.max_cohorts, 1);
    const std::size_t first = with.size() > most ? with.size() - most : 0;
    std::size_t months = 0;  // k = 1 … months
    for (std::size_t j = first; j < with.size(); ++j)
        months = std::max(months, t.active[with[j]].size() > 0 ? t.active[with[j]].size() - 1 : 0);
    const std::size_t all_months = months;
    months = std::min(months, std::max<std::size_t>(o.max_cohort_months, 1));
    if (with.empty() || months == 0)
        return h + not_available("only the acquisition month of the cohorts is observed") + "</section>\n";
    svg::heatmap c;
    c.id = "chart-cohorts";
    c.title = "Share of each monthly cohort buying k months after its first purchase";
    c.x_label = "months after the acquisition month (k)";
    c.y_label = "acquisition month (customers)";
    c.value_label = "share buying in month k";
    c.percent = true;
    c.lo = 0;
    double hi = 0;
    for (std::size_t k = 1; k <= months; ++k) c.columns.push_back(std::to_string(k));
    for (std::size_t j = first; j < with.size(); ++j) {
        const std::size_t i = with[j];
        c.rows.push_back(format_date(t.cohort[i]).substr(0, 7) + " (" +
                         svg::format_fixed(static_cast<double>(t.size[i]), 0) + ")");
        for (std::size_t k = 1; k <= months; ++k) {
            const double v = k < t.active[i].size() ? t.active[i][k] : std::nan("");
            c.values.push_back(std::isfinite(v) ? v : std::nan(""));
            if (std::isfinite(v)) hi = std::max(hi, v);
        }
    }
    c.hi = hi > 0 ? hi : 1.0;
    std::string caption = "Customers of each acquisition month (cohort) with a purchase k calendar months "
                          "later, as a share of the cohort; month 0 (100 % by definition) is not drawn; "
                          "hatched: months after the observation end.";
    if (with.size() < t.cohort.size()) caption += " Months without new customers are not shown.";
    if (first > 0) caption += " The last " + std::to_string(with.size() - first) + " of " +
                              std::to_string(with.size()) + " cohorts are drawn.";
    if (months < all_months)
        caption += " Months 1 to " + std::to_string(months) + " of " + std::to_string(all_months) + " are drawn.";
    h += figure(svg::render(c), caption) + "</section>\n";
    return h;
}

}  // namespace detail::report

/// The evaluation as one self-contained HTML5 page (no scripts, nothing fetched): the data and
/// notes, the comparison table, the tracking, by-frequency, histogram, P(alive), journey and
/// cohort charts (see the top of this header). Deterministic: the same evaluation gives the
/// same bytes, except the fit times in the table.
inline std::string evaluation_html(const evaluation& ev, const evaluation_report_options& options = {}) {
    namespace r = detail::report;
    std::string h;
    h.reserve(200000);
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"ltv " +
         std::string(version_string) + "\">\n<title>" + r::escape(options.title) + "</title>\n<style>" + r::css +
         "</style>\n</head>\n<body>\n<main>\n";
    h += r::header_section(ev, options);
    h += r::comparison_section(ev);
    h += r::tracking_section(ev, options);
    h += r::by_frequency_section(ev);
    h += r::histogram_section(ev);
    h += r::p_alive_section(ev, options);
    h += r::journey_section(ev);
    h += r::cohorts_section(ev, options);
    h += "<footer>Made with ltv " + std::string(version_string) +
         " (evaluate_models, evaluation_html). Metrics and curves: see ltv/evaluation.hpp.</footer>\n";
    h += "</main>\n</body>\n</html>\n";
    return h;
}

/// Writes evaluation_html(ev, options) to `path` through a temporary file renamed over it
/// (detail::write_file_atomically): on failure (io_error naming the path) the previous file is
/// untouched.
inline void write_evaluation_html(const evaluation& ev, const std::string& path,
                                  const evaluation_report_options& options = {}) {
    detail::write_file_atomically(path, evaluation_html(ev, options), "write_evaluation_html");
}

}  // namespace ltv
