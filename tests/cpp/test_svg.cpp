// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/detail/svg.hpp, the SVG chart writer of the reports: escaping, number labels,
// axis ticks, the refusal of values that cannot be drawn (naming chart, series and index),
// charts without data, and the well-formedness of every chart type (balanced tags, escaped
// text, unique ids).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ltv/detail/svg.hpp"
#include "support/errors.hpp"

namespace svg = ltv::detail::svg;

namespace {

const double nan_value = std::numeric_limits<double>::quiet_NaN();
const double inf_value = std::numeric_limits<double>::infinity();

/// Checks that the elements of an XML fragment are balanced: a stack of open tags, closed in
/// order; self-closing tags and comments skipped; attribute values may contain '>' only
/// escaped (so a raw '>' inside quotes fails the check, as it should not occur). Returns "" or
/// what is wrong.
std::string balance_error(const std::string& s) {
    std::vector<std::string> stack;
    std::size_t i = 0;
    while ((i = s.find('<', i)) != std::string::npos) {
        const std::size_t end = s.find('>', i);
        if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
        const std::string tag = s.substr(i + 1, end - i - 1);
        i = end + 1;
        if (tag.empty()) return "empty tag";
        if (tag[0] == '!' || tag[0] == '?') continue;
        // Quotes in the tag must pair up.
        std::size_t quotes = 0;
        for (const char c : tag) quotes += c == '"';
        if (quotes % 2 != 0) return "unbalanced quotes in <" + tag + ">";
        if (tag.back() == '/') continue;
        if (tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (stack.empty() || stack.back() != name)
                return "</" + name + "> closes <" + (stack.empty() ? std::string("nothing") : stack.back()) + ">";
            stack.pop_back();
        } else {
            stack.push_back(tag.substr(0, tag.find_first_of(" \n\t")));
        }
    }
    return stack.empty() ? std::string() : "<" + stack.back() + "> not closed";
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + what.size())) ++n;
    return n;
}

svg::line_chart sample_line() {
    svg::line_chart c;
    c.id = "lines";
    c.title = "Sales & <returns>";
    c.x_label = "weeks";
    c.y_label = "purchases";
    c.x = {1, 2, 3, 4, 5};
    c.data.push_back({"actual", {1, 3, 2, 5, 4}, svg::actual_color, "", 2.5, true});
    c.data.push_back({"model \"A\"", {1.5, 2.5, 3, 3.5, 4}, "", "7 4", 2, false});
    c.marker_x = 3.5;
    c.marker_label = "calibration end";
    return c;
}

}  // namespace

TEST_CASE("svg: escape replaces the five XML specials and control characters") {
    CHECK(svg::escape("a & b < c > d \"e\" 'f'") == "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
    CHECK(svg::escape("plain") == "plain");
    CHECK(svg::escape("&amp;") == "&amp;amp;");  // escaped once more: text, not markup
    CHECK(svg::escape(std::string("x\x01y\tz", 5)) == "x?y\tz");
    CHECK(svg::escape("P(alive) \xE2\x89\xA5 0.5") == "P(alive) \xE2\x89\xA5 0.5");  // UTF-8 kept
}

TEST_CASE("svg: compact number labels") {
    CHECK(svg::format_number(0) == "0");
    CHECK(svg::format_number(12345) == "12 345");
    CHECK(svg::format_number(-12345.6) == "-12 346");
    CHECK(svg::format_number(1234567) == "1 234 567");
    CHECK(svg::format_number(0.25) == "0.25");
    CHECK(svg::format_number(0.1 + 0.2) == "0.3");
    CHECK(svg::format_number(3.14159) == "3.14");
    CHECK(svg::format_number(3.14159, 5) == "3.1416");
    CHECK(svg::format_number(1.2e-5) == "1.2e-05");
    CHECK(svg::format_number(2.5e16) == "2.5e+16");
    CHECK(svg::format_number(999.96) == "1 000");  // rounding carries into a new digit
    CHECK(svg::format_number(-0.0004) == "-4e-04");
    CHECK(svg::format_number(nan_value) == svg::not_defined);
    CHECK(svg::format_number(inf_value) == "\xE2\x88\x9E");
    CHECK(svg::format_fixed(-0.04, 1) == "0.0");  // no "-0.0"
    CHECK(svg::format_fixed(-0.4, 0) == "0");
    CHECK(svg::format_fixed(19684, 0) == "19 684");
    CHECK(svg::format_percent(0.456) == "46%");
    CHECK(svg::format_tick(0.15, 0.05) == "0.15");
    CHECK(svg::format_tick(0.2, 0.2) == "0.2");
    CHECK(svg::format_tick(12000, 2000) == "12 000");
    CHECK(svg::format_tick(0, 0.05) == "0");
    CHECK(svg::format_tick(2e-4, 1e-4) == "2e-04");
}

TEST_CASE("svg: nice ticks cover the range with 1-2-5 steps and at most max_ticks values") {
    struct range {
        double lo, hi;
        int most;
    };
    const range ranges[] = {{0, 1, 6},       {0, 47.3, 6},     {-3.2, 7.9, 6},   {-120, -5, 5},
                            {1e-7, 5.3e-7, 6}, {0, 19684, 6},   {0.991, 0.994, 6}, {5, 5, 6},
                            {-2, -2, 6},     {0, 0, 6},        {3, 1, 6},        {0, 100, 2},
                            {0, 1e300, 6},   {-1e-300, 1e-300, 4}};
    for (const auto& r : ranges) {
        INFO("range " << r.lo << " … " << r.hi << ", at most " << r.most);
        const svg::axis_ticks t = svg::nice_ticks(r.lo, r.hi, r.most);
        REQUIRE(t.values.size() >= 2);
        CHECK(t.values.size() <= static_cast<std::size_t>(std::max(r.most, 2)));
        CHECK(t.values.front() <= std::min(r.lo, r.hi));
        CHECK(t.values.back() >= std::max(r.lo, r.hi));
        CHECK(t.lo == t.values.front());
        CHECK(t.hi == t.values.back());
        // The step is 1, 2 or 5 times a power of ten.
        const double mantissa = t.step / std::pow(10.0, std::floor(std::log10(t.step)));
        const bool one_two_five = std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 ||
                                  std::fabs(mantissa - 5) < 1e-9 || std::fabs(mantissa - 10) < 1e-9;
        CHECK(one_two_five);
        for (std::size_t i = 1; i < t.values.size(); ++i)
            CHECK(t.values[i] - t.values[i - 1] == doctest::Approx(t.step).epsilon(1e-9));
    }
    // Known answers
    CHECK(svg::nice_ticks(0, 47.3, 6).values == std::vector<double>{0, 10, 20, 30, 40, 50});
    CHECK(svg::nice_ticks(-3.2, 7.9, 6).values == std::vector<double>{-5, 0, 5, 10});
    CHECK(svg::nice_ticks(-3.2, 7.9, 7).values == std::vector<double>{-4, -2, 0, 2, 4, 6, 8});
    CHECK(svg::nice_ticks(0.991, 0.994, 6).step == doctest::Approx(0.001));
    CHECK(svg::nice_ticks(0, 0, 6).values.back() == 1);       // lo == hi == 0: [0, 1]
    const auto same = svg::nice_ticks(5, 5, 6);               // lo == hi: widened around it
    CHECK(same.values.front() < 5);
    CHECK(same.values.back() > 5);
    const auto neg = svg::nice_ticks(-120, -5, 5);
    CHECK(neg.values.front() == -150);
    CHECK(neg.values.back() == 0);
    // No "-0" and exact zero on an axis crossing it.
    const auto cross = svg::nice_ticks(-0.3, 0.3, 7);
    bool has_zero = false;
    for (const double v : cross.values) has_zero = has_zero || (v == 0 && !std::signbit(v));
    CHECK(has_zero);
    CHECK(ltv_test::error_status([] { svg::nice_ticks(nan_value, 1); }) == ltv::status::invalid_argument);
    CHECK(ltv_test::error_status([] { svg::nice_ticks(0, inf_value); }) == ltv::status::invalid_argument);
    CHECK(ltv_test::error_status([] { svg::nice_ticks(-1.7e308, 1.7e308); }) == ltv::status::invalid_argument);
}

TEST_CASE("svg: viridis and the Okabe–Ito palette") {
    CHECK(svg::viridis(0) == "#440154");
    CHECK(svg::viridis(1) == "#fde725");
    CHECK(svg::viridis(-3) == svg::viridis(0));  // clamped
    CHECK(svg::viridis(0.5).size() == 7);
    CHECK(svg::series_color(0) == std::string("#0072B2"));
    CHECK(svg::series_color(svg::okabe_ito_size) == std::string(svg::series_color(0)));
}

TEST_CASE("svg: a line chart is well formed, accessible and escapes its text") {
    const std::string s = svg::render(sample_line());
    CHECK(balance_error(s).empty());
    INFO(balance_error(s));
    CHECK(count(s, "<svg") == 1);
    CHECK(s.find("viewBox=\"0 0 ") != std::string::npos);
    CHECK(s.find("role=\"img\"") != std::string::npos);
    CHECK(s.find("<title id=\"lines-title\">Sales &amp; &lt;returns&gt;</title>") != std::string::npos);
    CHECK(s.find("<desc id=\"lines-desc\">") != std::string::npos);
    CHECK(s.find("aria-labelledby=\"lines-title lines-desc\"") != std::string::npos);
    CHECK(s.find("<returns>") == std::string::npos);  // never raw
    CHECK(s.find("model &quot;A&quot;") != std::string::npos);
    CHECK(s.find("stroke-dasharray=\"5 4\"") != std::string::npos);  // the marker line
    CHECK(s.find("calibration end") != std::string::npos);
    CHECK(count(s, "<path ") == 2);
    CHECK(count(s, "<circle ") == 5);  // markers of the first series only
    CHECK(s.find("xmlns") == std::string::npos);  // inline SVG in HTML
    CHECK(s.find("width=\"100%\"") == std::string::npos);
    const std::string file = svg::standalone(s);
    CHECK(file.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") == 0);
    CHECK(balance_error(file).empty());
}

TEST_CASE("svg: values that cannot be drawn are refused, naming chart, series and index") {
    auto c = sample_line();
    c.data[1].values[3] = nan_value;
    const std::string m = ltv_test::error_message([&] { svg::render(c); });
    CHECK(m.find("line_chart") != std::string::npos);
    CHECK(m.find("Sales & <returns>") != std::string::npos);
    CHECK(m.find("model \"A\"") != std::string::npos);
    CHECK(m.find("[3]") != std::string::npos);
    CHECK(m.find("nan") != std::string::npos);
    CHECK(ltv_test::error_status([&] { svg::render(c); }) == ltv::status::invalid_argument);

    c = sample_line();
    c.data[0].values[0] = -inf_value;
    CHECK(ltv_test::error_message([&] { svg::render(c); }).find("'actual' value [0] = -inf") !=
          std::string::npos);
    c = sample_line();
    c.x[2] = inf_value;
    CHECK(ltv_test::error_message([&] { svg::render(c); }).find("x[2]") != std::string::npos);

    // Mismatched lengths
    c = sample_line();
    c.data[1].values.pop_back();
    const std::string len = ltv_test::error_message([&] { svg::render(c); });
    CHECK(len.find("'model \"A\"' has 4 values, x has 5") != std::string::npos);
    CHECK(ltv_test::error_status([&] { svg::render(c); }) == ltv::status::invalid_argument);

    svg::bar_chart b;
    b.title = "Bars";
    b.categories = {"a", "b"};
    b.data.push_back({"s1", {1, 2, 3}, "", "", 2, false});
    CHECK(ltv_test::error_message([&] { svg::render(b); }).find("'s1' has 3 values") != std::string::npos);
    b.data[0].values = {1, nan_value};
    CHECK(ltv_test::error_message([&] { svg::render(b); }).find("bar_chart 'Bars': series 's1' value [1]") !=
          std::string::npos);

    svg::hbar_chart f;
    f.title = "Funnel";
    f.labels = {"a", "b"};
    f.values = {1};
    CHECK(ltv_test::error_status([&] { svg::render(f); }) == ltv::status::invalid_argument);
    f.values = {1, inf_value};
    CHECK(ltv_test::error_message([&] { svg::render(f); }).find("[1]") != std::string::npos);

    svg::heatmap h;
    h.title = "Heat";
    h.rows = {"r1", "r2"};
    h.columns = {"c1", "c2", "c3"};
    h.values = {1, 2, 3, 4, 5};
    CHECK(ltv_test::error_message([&] { svg::render(h); }).find("2 rows × 3 columns need 6") != std::string::npos);
    h.values = {1, 2, 3, 4, inf_value, 6};
    CHECK(ltv_test::error_message([&] { svg::render(h); }).find("[1][1]") != std::string::npos);
}

TEST_CASE("svg: charts without data are valid SVG with a note") {
    svg::line_chart l;
    l.id = "empty-line";
    l.title = "Nothing";
    CHECK(svg::render(l).find("no data") != std::string::npos);
    l.x = {1, 2};  // points but no series
    CHECK(svg::render(l).find("no data") != std::string::npos);
    l.data.push_back({"s", {}, "", "", 2, false});  // a series shorter than x: an error, not empty
    CHECK(ltv_test::error_status([&] { svg::render(l); }) == ltv::status::invalid_argument);
    l.x.clear();  // empty series over empty x: no data
    const std::string s = svg::render(l);
    CHECK(s.find("class=\"no-data\"") != std::string::npos);
    CHECK(balance_error(s).empty());
    CHECK(s.find("role=\"img\"") != std::string::npos);
    CHECK(s.find("<title id=\"empty-line-title\">Nothing</title>") != std::string::npos);

    svg::bar_chart b;
    b.title = "No bars";
    CHECK(balance_error(svg::render(b)).empty());
    CHECK(svg::render(b).find("no data") != std::string::npos);
    svg::heatmap h;
    h.title = "No cells";
    CHECK(svg::render(h).find("no data") != std::string::npos);
    svg::hbar_chart f;
    f.title = "No funnel";
    CHECK(svg::render(f).find("no data") != std::string::npos);
}

TEST_CASE("svg: bar chart, heatmap and horizontal bars are well formed") {
    svg::bar_chart b;
    b.id = "bars";
    b.title = "Customers by purchases";
    b.x_label = "purchases";
    b.y_label = "customers";
    b.categories = {"0", "1", "2", "3+"};
    b.data.push_back({"actual", {100, 40, 10, -5}, svg::actual_color, "", 2, false});
    b.data.push_back({"model", {95, 42, 12, 3}, "", "", 2, false});
    const std::string bs = svg::render(b);
    CHECK(balance_error(bs).empty());
    CHECK(count(bs, "<rect ") >= 8);  // one per bar, plus the legend swatches
    CHECK(bs.find(">3+</text>") != std::string::npos);
    CHECK(bs.find("model, 2: 12") != std::string::npos);  // tooltip of a bar

    svg::heatmap h;
    h.id = "heat";
    h.title = "Retention";
    h.rows = {"2020-01", "2020-02"};
    h.columns = {"1", "2", "3"};
    h.values = {0.5, 0.25, 0.1, 0.4, 0.2, nan_value};
    h.percent = true;
    h.value_label = "share";
    const std::string hs = svg::render(h);
    CHECK(balance_error(hs).empty());
    CHECK(hs.find("id=\"heat-hatch\"") != std::string::npos);  // NaN cells hatched
    CHECK(hs.find("url(#heat-hatch)") != std::string::npos);
    CHECK(hs.find(">no data</text>") != std::string::npos);     // and in the legend
    CHECK(hs.find("id=\"heat-scale\"") != std::string::npos);   // colour scale
    CHECK(hs.find("50%") != std::string::npos);
    CHECK(count(hs, "<rect ") >= 6);
    // Without NaN there is no hatch.
    h.values[5] = 0.05;
    CHECK(svg::render(h).find("hatch") == std::string::npos);

    svg::hbar_chart f;
    f.id = "funnel";
    f.title = "Journey";
    f.x_label = "customers";
    f.labels = {"new", "fan", "lost"};
    f.values = {25, 25, 50};
    const std::string fs = svg::render(f);
    CHECK(balance_error(fs).empty());
    CHECK(fs.find("50 (50%)") != std::string::npos);
    CHECK(fs.find("25 (25%)") != std::string::npos);
}

TEST_CASE("svg: the balance check itself catches broken markup") {
    CHECK(!balance_error("<svg><g></svg>").empty());
    CHECK(!balance_error("<svg><text x=\"1>2</text></svg>").empty());
    CHECK(!balance_error("<svg>").empty());
    CHECK(balance_error("<svg><g/><text>a</text></svg>").empty());
}
