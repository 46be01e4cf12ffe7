// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/evaluation_report.hpp: the HTML page of the model comparison on CDNOW (every
// section and chart present, one <svg> per chart, self-contained: no scripts and no links,
// bounded size, text escaped, the best values marked), a summary-only evaluation (sections
// without data say "Not available"), and the writer's errors.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/evaluation_report.hpp"
#include "support/cdnow_split.hpp"
#include "support/errors.hpp"

namespace {

struct cdnow_data {
    ltv::evaluation full;  ///< with the customer base
    ltv::evaluation summary_only;
};

/// The comparison on the tests' CDNOW split (support/cdnow_split.hpp), with and without the base.
const cdnow_data& cdnow() {
    static const cdnow_data d = [] {
        const auto& split = ltv_test::cdnow_master_split();
        cdnow_data out;
        out.full = ltv::evaluate_models(split.summary, &split.base);
        out.summary_only = ltv::evaluate_models(split.summary, nullptr);
        return out;
    }();
    return d;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + what.size())) ++n;
    return n;
}

/// The text of the element with id="<id>" up to its closing tag `close` (for checks that must
/// look inside one section).
std::string part(const std::string& html, const std::string& id, const std::string& close) {
    const std::size_t at = html.find("id=\"" + id + "\"");
    if (at == std::string::npos) return {};
    const std::size_t end = html.find(close, at);
    return html.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

const char* const sections[] = {"data", "comparison", "tracking", "by-frequency",
                                "histogram", "p-alive", "journey", "cohorts"};
const char* const charts[] = {"chart-tracking-cumulative", "chart-tracking-incremental",
                              "chart-by-frequency", "chart-histogram", "chart-p-alive",
                              "chart-journey", "chart-cohorts"};

}  // namespace

TEST_CASE("evaluation report: CDNOW — every section and chart, self-contained, bounded") {
    ltv::evaluation ev = cdnow().full;
    REQUIRE(ev.best.has_value());
    ev.notes.push_back("a note with <b>bold</b> & \"quotes\"");
    ltv::evaluation_report_options o;
    o.source = "CDNOW_master.txt <sample>";
    const std::string html = ltv::evaluation_html(ev, o);

    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<html lang=\"en\">") != std::string::npos);
    CHECK(html.find("<meta name=\"viewport\"") != std::string::npos);
    CHECK(html.find("<title>ltv model comparison</title>") != std::string::npos);
    for (const char* id : sections) {
        INFO(id);
        CHECK(count(html, std::string("id=\"") + id + "\"") == 1);
    }
    for (const char* id : charts) {
        INFO(id);
        CHECK(count(html, std::string("<svg class=\"ltv-chart\" id=\"") + id + "\"") == 1);
    }
    CHECK(count(html, "<svg") == sizeof charts / sizeof charts[0]);
    CHECK(count(html, "</svg>") == sizeof charts / sizeof charts[0]);
    CHECK(html.find("Not available") == std::string::npos);
    CHECK(html.find("class=\"no-data\"") == std::string::npos);  // no empty chart

    // Self-contained: no scripts, no links to fetch anything.
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.size() < 2'000'000);
    CHECK(html.size() > 20'000);

    // Escaping of notes and source.
    CHECK(html.find("a note with &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;") != std::string::npos);
    CHECK(html.find("<b>bold") == std::string::npos);
    CHECK(html.find("CDNOW_master.txt &lt;sample&gt;") != std::string::npos);

    // The header's data.
    const std::string header = part(html, "data", "</header>");
    CHECK(header.find("23 570") != std::string::npos);
    CHECK(header.find("1997-09-30") != std::string::npos);
    CHECK(header.find("1998-06-30") != std::string::npos);
    CHECK(header.find("19 684") != std::string::npos);
    CHECK(header.find(">week<") != std::string::npos);

    // The table: a row per model, a column per metric with its description as tooltip, a best
    // mark per metric that has a best row, and the table in a scrolling wrapper.
    const std::string table = part(html, "comparison", "</section>");
    CHECK(count(table, "<tr>") == ev.models.size() + 1);
    for (const auto& m : ev.models) CHECK(table.find(">" + m.title) != std::string::npos);
    std::size_t bests = 0;
    for (std::size_t k = 0; k < ltv::evaluation_metric_count; ++k) {
        const ltv::metric_info* mi = ltv::evaluation_metric_info(k);
        CHECK(table.find(std::string("title=\"") + mi->description) != std::string::npos);
        if (ltv::best_in_metric(ev, k)) ++bests;
    }
    REQUIRE(bests > 0);
    CHECK(count(table, "class=\"best\"") == bests);
    CHECK(count(table, "(best)") == bests);  // not colour only: bold, a mark, and text
    CHECK(table.find("class=\"table-wrap\"") != std::string::npos);
    // scrolls sideways on a phone; positioned, so the hidden "(best)" labels stay inside it
    CHECK(html.find(".table-wrap{position:relative;overflow-x:auto") != std::string::npos);

    // Tracking: the calibration end marked, weeks since the first purchase day.
    const std::string tracking = part(html, "tracking", "</section>");
    CHECK(tracking.find("weeks since 1997-01-01") != std::string::npos);
    CHECK(count(tracking, "class=\"marker\"") == 2);
    CHECK(tracking.find(">actual</text>") != std::string::npos);
    CHECK(tracking.find(">BG/NBD</text>") != std::string::npos);
    // Frequency groups and histogram bins end with "G+" / "H+".
    CHECK(part(html, "chart-by-frequency", "</svg>").find(">7+</text>") != std::string::npos);
    CHECK(part(html, "chart-histogram", "</svg>").find(">7+</text>") != std::string::npos);
    // P(alive) of the best model, T stated.
    const std::string palive = part(html, "p-alive", "</section>");
    CHECK(palive.find(ev.models[*ev.best].title) != std::string::npos);
    CHECK(palive.find("T = ") != std::string::npos);
    // Journey: every status.
    for (const auto& [name, n] : ev.journey_counts)
        CHECK(part(html, "chart-journey", "</svg>").find(">" + name + "</text>") != std::string::npos);
    // Cohorts: the three acquisition months of CDNOW.
    const std::string cohorts = part(html, "chart-cohorts", "</svg>");
    CHECK(cohorts.find("1997-01") != std::string::npos);
    CHECK(cohorts.find("1997-03") != std::string::npos);
    // Footer with the version.
    CHECK(html.find(std::string("ltv ") + ltv::version_string) != std::string::npos);
    // Print rules and scaling charts.
    CHECK(html.find("@media print") != std::string::npos);
    CHECK(html.find("svg.ltv-chart{display:block;width:100%;height:auto") != std::string::npos);
}

TEST_CASE("evaluation report: a summary-only evaluation says what is not available") {
    const ltv::evaluation& ev = cdnow().summary_only;
    const std::string html = ltv::evaluation_html(ev);
    CHECK(html.find("<script") == std::string::npos);
    // Tracking, journey and cohorts need the log.
    for (const char* id : {"tracking", "journey", "cohorts"}) {
        INFO(id);
        CHECK(part(html, id, "</section>").find("Not available:") != std::string::npos);
        CHECK(part(html, id, "</section>").find("<svg") == std::string::npos);
    }
    CHECK(count(html, "Not available:") == 3);
    // The others are drawn.
    for (const char* id : {"chart-by-frequency", "chart-histogram", "chart-p-alive"}) {
        INFO(id);
        CHECK(count(html, std::string("id=\"") + id + "\"") == 1);
    }
    CHECK(count(html, "<svg") == 3);
    CHECK(html.find("id=\"comparison\"") != std::string::npos);
}

TEST_CASE("evaluation report: no best model, empty holdout, failed fits") {
    ltv::evaluation ev = cdnow().summary_only;
    ev.best.reset();
    for (auto& m : ev.models)
        if (m.name == "bgnbd") {
            m.converged = false;
            m.message = "stopped after <5> iterations & more";
        } else if (m.name == "mbgnbd") {
            m.fitted = m.converged = false;
            m.message = "fit failed";
        }
    ev.duration_holdout = 0;
    const std::string html = ltv::evaluation_html(ev);
    CHECK(part(html, "p-alive", "</section>").find("Not available:</strong> no purchase model converged") !=
          std::string::npos);
    CHECK(part(html, "by-frequency", "</section>").find("Not available:") != std::string::npos);
    const std::string table = part(html, "comparison", "</section>");
    CHECK(table.find("no: stopped after &lt;5&gt; iterations &amp; more") != std::string::npos);
    CHECK(table.find("failed: fit failed") != std::string::npos);
    CHECK(count(table, "class=\"status failed\"") == 2);
    // A non-converged row is never marked best.
    for (std::size_t k = 0; k < ltv::evaluation_metric_count; ++k) {
        const auto best = ltv::best_in_metric(ev, k);
        if (best) CHECK(ev.models[*best].name != "bgnbd");
    }
}

TEST_CASE("evaluation report: the size stays bounded for long logs (tracking merged, matrices sampled)") {
    ltv::evaluation ev = cdnow().full;
    // A daily tracking curve over 30 years: 10 950 periods.
    const std::size_t K = 10950;
    ev.tracking_period_days = 1;
    ev.period_end.resize(K);
    ev.tracking_actual.resize(K);
    for (std::size_t k = 0; k < K; ++k) {
        ev.period_end[k] = ev.first_day + static_cast<ltv::day_number>(k);
        ev.tracking_actual[k] = static_cast<double>(k);
    }
    for (auto& m : ev.models)
        if (!m.tracking_cumulative.empty()) m.tracking_cumulative = ev.tracking_actual;
    // A 400 × 400 P(alive) matrix.
    const std::size_t n = 400;
    ev.matrix_frequency.resize(n);
    ev.matrix_recency.resize(n);
    for (std::size_t i = 0; i < n; ++i) ev.matrix_frequency[i] = ev.matrix_recency[i] = static_cast<double>(i);
    for (auto& m : ev.models)
        if (!m.p_alive_matrix.empty()) m.p_alive_matrix.assign(n * n, 0.5);
    const std::string html = ltv::evaluation_html(ev);
    CHECK(html.size() < 2'000'000);
    CHECK(html.find("consecutive periods are merged") != std::string::npos);
    CHECK(html.find("sampled to 50 × 50") != std::string::npos);
}

TEST_CASE("evaluation report: write_evaluation_html writes the page and names an unwritable path") {
    const ltv::evaluation& ev = cdnow().summary_only;
    const std::string path = (std::filesystem::temp_directory_path() / "ltv-test-evaluation-report.html").string();
    ltv::write_evaluation_html(ev, path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == ltv::evaluation_html(ev));
    std::remove(path.c_str());

    const std::string bad = "/nonexistent-directory-ltv/report.html";
    CHECK(ltv_test::error_status([&] { ltv::write_evaluation_html(ev, bad); }) == ltv::status::io_error);
    const std::string m = ltv_test::error_message([&] { ltv::write_evaluation_html(ev, bad); });
    CHECK(m.find(bad) != std::string::npos);
    CHECK(m.find("write_evaluation_html") != std::string::npos);
}
