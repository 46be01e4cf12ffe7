// SPDX-License-Identifier: Apache-2.0
// ltv/detail/svg.hpp — a small SVG chart writer for the HTML reports (ltv/evaluation_report.hpp).
//
// Internal (namespace ltv::detail::svg): the charts the model comparison draws and nothing
// more — a line chart (named series over a numeric x, an optional dashed vertical marker such
// as the calibration/holdout boundary), a grouped bar chart (categories × series), a heatmap
// (a matrix with row and column labels and a colour scale; NaN cells are hatched "no data") and
// a horizontal bar chart (a funnel). Written by hand: no Debian-packaged C++ library writes
// static SVG charts without a scripting runtime or a plotting stack (gnuplot, matplotlib,
// cairo), and the report must stay one self-contained file, so ltv takes no dependency here.
//
// Every chart has a visible title, axis labels (with their units, given by the caller), a
// legend below the plot (never over the data), a viewBox and no width/height attributes (the
// page's CSS scales it: width:100%; height:auto), role="img" with <title> and <desc> for screen
// readers, and colour-blind-safe colours: the Okabe–Ito palette for series (plus dash
// patterns for lines, so that colour is not the only cue), near-black for actual data and a
// viridis scale for heatmaps. Text is escaped (escape()); the SVG is inline-HTML SVG without
// an xmlns attribute (standalone() adds it for a file of its own).
//
// Errors: a NaN or infinite value in a line or bar series, an x that is not finite, and series
// whose length differs from x / the categories throw ltv::error(status::invalid_argument) with
// a message naming the chart, the series and the index. A chart without data (no x, no
// series, no categories) is still a valid SVG: its title and a "no data" note.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"

namespace ltv::detail::svg {

// ---------------------------------------------------------------------------------------------
// Text

/// Escapes text for XML/HTML content and attribute values (& < > " '). Control characters
/// that XML 1.0 does not allow (all below U+0020 but tab, newline and carriage return) become
/// '?', so that any input gives a well-formed document.
inline std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}

/// Number of code points of UTF-8 text (for width estimates).
inline std::size_t text_length(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

/// Estimated width of text in user units at font size `font` (an average glyph of 0.6 em: a
/// little wide for a system sans-serif, so layouts err on the side of room).
inline double text_width(std::string_view s, double font) {
    return 0.6 * font * static_cast<double>(text_length(s));
}

/// "–" (en dash): how a value that is not defined is shown.
inline constexpr const char* not_defined = "\xE2\x80\x93";

namespace impl {

/// Inserts a space every three digits of the integer part of a formatted number ("-12345.6"
/// → "-12 345.6") when it has at least four digits.
inline std::string group_thousands(const std::string& s) {
    const std::size_t sign = (!s.empty() && s[0] == '-') ? 1 : 0;
    std::size_t end = s.find_first_of(".e", sign);
    if (end == std::string::npos) end = s.size();
    const std::size_t digits = end - sign;
    if (digits < 4) return s;
    std::string out = s.substr(0, sign);
    for (std::size_t i = 0; i < digits; ++i) {
        if (i > 0 && (digits - i) % 3 == 0) out += ' ';
        out += s[sign + i];
    }
    out += s.substr(end);
    return out;
}

/// Removes trailing zeros of the fraction (and a bare point): "1.2500" → "1.25", "3.0" → "3".
inline std::string strip_zeros(std::string s) {
    const std::size_t e = s.find('e');
    std::string exp = e == std::string::npos ? std::string() : s.substr(e);
    std::string mant = e == std::string::npos ? s : s.substr(0, e);
    if (mant.find('.') != std::string::npos) {
        while (!mant.empty() && mant.back() == '0') mant.pop_back();
        if (!mant.empty() && mant.back() == '.') mant.pop_back();
    }
    if (mant == "-0") mant = "0";
    return mant + exp;
}

inline std::string to_chars_string(double v, std::chars_format f, int precision) {
    char buf[400];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, f, precision);
    if (r.ec != std::errc()) return "?";
    return std::string(buf, r.ptr);
}

}  // namespace impl

/// Fixed notation with `decimals` decimals, thousands grouped ("12 345.50"), "-0" shown as "0".
inline std::string format_fixed(double v, int decimals) {
    if (std::isnan(v)) return not_defined;
    if (std::isinf(v)) return v > 0 ? "\xE2\x88\x9E" : "-\xE2\x88\x9E";
    std::string s = impl::to_chars_string(v, std::chars_format::fixed, std::max(0, decimals));
    if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
    return impl::group_thousands(s);
}

/// A compact label for a value: `significant` significant digits (at least 1), trailing zeros
/// dropped, the integer part grouped by thousands ("12 345", "0.25", "3.14"); scientific
/// notation below 0.001 and from 10^15 ("1.2e-05"); NaN "–", infinities "∞" / "-∞".
inline std::string format_number(double v, int significant = 3) {
    if (std::isnan(v) || std::isinf(v)) return format_fixed(v, 0);
    if (v == 0) return "0";
    significant = std::clamp(significant, 1, 17);
    const double a = std::fabs(v);
    if (a < 1e-3 || a >= 1e15)
        return impl::strip_zeros(
            impl::to_chars_string(v, std::chars_format::scientific, significant - 1));
    const int e = static_cast<int>(std::floor(std::log10(a)));
    const int decimals = std::max(0, significant - 1 - e);
    return impl::group_thousands(
        impl::strip_zeros(impl::to_chars_string(v, std::chars_format::fixed, decimals)));
}

/// A tick label: as many decimals as the tick step needs (a step of 0.05 gives "0.15", a step
/// of 2 000 gives "12 000"), format_number for tiny steps and huge values.
inline std::string format_tick(double v, double step) {
    if (v == 0 && std::isfinite(step)) return "0";
    const double a = std::fabs(v);
    if (!(step >= 1e-3) || !std::isfinite(step) || a >= 1e15) return format_number(v, 3);
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    return format_fixed(v, decimals);
}

/// "45%" for a share 0.45 (`decimals` decimals of the percentage).
inline std::string format_percent(double share, int decimals = 0) {
    if (!std::isfinite(share)) return format_fixed(share, 0);
    return format_fixed(100 * share, decimals) + "%";
}

// ---------------------------------------------------------------------------------------------
// Axis ticks

/// Round tick values covering [lo, hi] (values.front() ≤ lo, values.back() ≥ hi) with a step of
/// 1, 2 or 5 × 10^k and at most max(max_ticks, 2) values.
struct axis_ticks {
    double lo = 0, hi = 1, step = 1;
    std::vector<double> values;
};

/// nice_ticks(lo, hi, max_ticks): lo > hi are swapped; lo == hi is widened (to [0, 1] at 0, by
/// 10 % of |lo| otherwise); non-finite bounds or a range beyond the doubles are invalid_argument.
inline axis_ticks nice_ticks(double lo, double hi, int max_ticks = 6) {
    constexpr const char* fn = "svg::nice_ticks";
    require_finite(fn, "lo", lo);
    require_finite(fn, "hi", hi);
    if (lo > hi) std::swap(lo, hi);
    if (lo == hi) {
        if (lo == 0) {
            hi = 1;
        } else {
            const double d = 0.1 * std::fabs(lo);
            lo -= d;
            hi += d;
        }
    }
    max_ticks = std::max(max_ticks, 2);
    const double span = hi - lo;
    if (!std::isfinite(span))
        fail(status::invalid_argument, fn,
             "the range " + format_value(lo) + " … " + format_value(hi) + " is too wide to draw");
    const double raw = span / static_cast<double>(max_ticks - 1);
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    if (!(mag > 0) || !std::isfinite(mag)) mag = raw;  // subnormal spans
    axis_ticks t;
    static constexpr double multiples[] = {1, 2, 5};
    double a = 0, b = 0;
    for (int round = 0;; ++round) {
        bool found = false;
        for (const double m : multiples) {
            const double step = m * mag;
            // The first and last multiples of step around [lo, hi], checked on the products
            // that become the tick values (so that they cover the range exactly).
            a = std::floor(lo / step);
            if ((a + 1) * step <= lo) a += 1;
            if (a * step > lo) a -= 1;
            b = std::ceil(hi / step);
            if ((b - 1) * step >= hi) b -= 1;
            if (b * step < hi) b += 1;
            if (b - a + 1 <= static_cast<double>(max_ticks) || round > 40) {
                t.step = step;
                found = true;
                break;
            }
        }
        if (found) break;
        mag *= 10;
    }
    for (double k = a; k <= b; k += 1) {
        double v = k * t.step;
        if (v == 0) v = 0;  // no -0
        t.values.push_back(v);
    }
    t.lo = t.values.front();
    t.hi = t.values.back();
    return t;
}

// ---------------------------------------------------------------------------------------------
// Colours

/// The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), ordered for series on
/// white: blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow.
inline constexpr const char* okabe_ito[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                            "#CC79A7", "#56B4E9", "#F0E442"};
inline constexpr std::size_t okabe_ito_size = sizeof okabe_ito / sizeof okabe_ito[0];
/// The colour of actual (observed) data: near-black.
inline constexpr const char* actual_color = "#1a1a1a";

/// The series colour of index i (Okabe–Ito, cycling).
inline const char* series_color(std::size_t i) { return okabe_ito[i % okabe_ito_size]; }

/// Dash patterns for lines (cycling), so that series differ by more than their colour.
inline const char* dash_pattern(std::size_t i) {
    static constexpr const char* patterns[] = {"", "7 4", "2 3", "9 3 2 3", "4 4", "1 3"};
    return patterns[i % (sizeof patterns / sizeof patterns[0])];
}

/// A viridis colour for t in [0, 1] (clamped; NaN gives the "no data" grey): linear
/// interpolation between nine samples of matplotlib's viridis.
inline std::string viridis(double t) {
    static constexpr unsigned char stops[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                                  {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                                  {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
    if (std::isnan(t)) return "#dddddd";
    t = std::clamp(t, 0.0, 1.0) * 8;
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), 7);
    const double f = t - static_cast<double>(i);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "#";
    for (int c = 0; c < 3; ++c) {
        const double v = stops[i][c] + f * (stops[i + 1][c] - stops[i][c]);
        const auto b = static_cast<unsigned>(std::lround(std::clamp(v, 0.0, 255.0)));
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

/// Whether text on the viridis colour of t should be white (dark background) rather than black.
inline bool viridis_is_dark(double t) { return !(t > 0.55); }

// ---------------------------------------------------------------------------------------------
// Charts

/// One named series of values (a line, or the bars of one series in a grouped bar chart).
struct series {
    std::string name;
    std::vector<double> values;
    std::string color;     ///< any CSS colour; empty: series_color of the series' index
    std::string dash;      ///< stroke-dasharray of a line ("" solid)
    double width = 2;      ///< line width in user units
    bool markers = false;  ///< a dot at each point (lines of at most 200 points)
};

/// What every chart has: an id (unique in the page; it prefixes the ids inside the SVG), a
/// title, a description for screen readers (default: generated) and the axis labels.
struct chart_text {
    std::string id = "chart";
    std::string title;
    std::string description;
    std::string x_label;
    std::string y_label;
};

/// Lines over a numeric x; `marker_x` draws a dashed vertical line labelled `marker_label`
/// (and, with shade_after_marker, a light background from it to the right edge).
struct line_chart : chart_text {
    std::vector<double> x;
    std::vector<series> data;
    std::optional<double> marker_x;
    std::string marker_label;
    bool shade_after_marker = true;
    bool y_from_zero = true;  ///< the y axis includes 0
};

/// Grouped bars: one group per category, one bar per series in each.
struct bar_chart : chart_text {
    std::vector<std::string> categories;
    std::vector<series> data;
};

/// A matrix of values (row-major, rows × columns) drawn as coloured cells; NaN cells are
/// hatched "no data". The colour scale runs from lo to hi (default: the data's range).
struct heatmap : chart_text {
    std::vector<std::string> rows;
    std::vector<std::string> columns;
    std::vector<double> values;
    std::string value_label;      ///< the colour scale's label ("P(alive)")
    std::optional<double> lo, hi;
    bool percent = false;         ///< values are shares: labels in %
};

/// Horizontal bars (a funnel): one bar per label, the value and (with shares) its share of
/// the total written at the bar's end.
struct hbar_chart : chart_text {
    std::vector<std::string> labels;
    std::vector<double> values;
    std::string series_name = "value";
    std::string color;  ///< default: the first Okabe–Ito colour
    bool shares = true;
};

namespace impl {

constexpr double chart_width = 520;
constexpr double font_tick = 13, font_label = 14, font_title = 16, font_legend = 13;
constexpr const char* font_family =
    "system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, &quot;Helvetica Neue&quot;, Arial, sans-serif";
constexpr const char* grid_color = "#e3e3e3";
constexpr const char* axis_color = "#444444";
constexpr const char* text_color = "#1a1a1a";

/// A coordinate with at most one decimal ("12.5", "3").
inline std::string num(double v) {
    if (!std::isfinite(v)) return "0";
    return strip_zeros(to_chars_string(std::round(v * 10) / 10, std::chars_format::fixed, 1));
}

inline double dbl(std::size_t v) { return static_cast<double>(v); }

/// Keeps [A-Za-z0-9_-] of an id (ids are attribute values and url(#…) references).
inline std::string clean_id(const std::string& id) {
    std::string out;
    for (const char c : id)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_')
            out += c;
    return out.empty() ? std::string("chart") : out;
}

/// Splits text into lines of at most about `max_width` user units at `font`.
inline std::vector<std::string> wrap(const std::string& s, double max_width, double font) {
    std::vector<std::string> lines;
    std::string line, word;
    auto flush_word = [&] {
        if (word.empty()) return;
        if (!line.empty() && text_width(line + " " + word, font) > max_width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        word.clear();
    };
    for (const char c : s) {
        if (c == ' ')
            flush_word();
        else
            word += c;
    }
    flush_word();
    if (!line.empty()) lines.push_back(line);
    if (lines.empty()) lines.emplace_back();
    return lines;
}

/// <text> element; `extra` holds further attributes.
inline void text(std::string& out, double x, double y, const std::string& s, double font,
                 const char* anchor = "start", const std::string& extra = "") {
    out += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(font) + "\"";
    if (std::string_view(anchor) != "start") out += std::string(" text-anchor=\"") + anchor + "\"";
    if (!extra.empty()) out += " " + extra;
    out += ">" + escape(s) + "</text>\n";
}

/// A text with a white halo (readable over lines and grid).
inline const std::string halo = "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\"";

struct frame {
    std::string id;
    double width = chart_width, height = 0;
    double left = 0, right = 0, top = 0, bottom = 0;  // plot area
};

/// Opens the SVG: root element, <title>, <desc>, and the visible title (wrapped). Returns the y
/// below the title.
inline double open(std::string& out, const chart_text& c, double width, double height,
                   const std::string& description) {
    const std::string id = clean_id(c.id);
    out += "<svg class=\"ltv-chart\" id=\"" + id + "\" viewBox=\"0 0 " + num(width) + " " +
           num(height) + "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id +
           "-desc\" font-family=\"" + font_family + "\" fill=\"" + text_color + "\">\n";
    out += "<title id=\"" + id + "-title\">" + escape(c.title) + "</title>\n";
    out += "<desc id=\"" + id + "-desc\">" +
           escape(c.description.empty() ? description : c.description) + "</desc>\n";
    double y = 20;
    for (const auto& line : wrap(c.title, width - 20, font_title)) {
        text(out, 10, y, line, font_title, "start", "font-weight=\"600\"");
        y += font_title + 4;
    }
    return y;
}

inline double title_height(const chart_text& c, double width) {
    return 20 + static_cast<double>(wrap(c.title, width - 20, font_title).size()) * (font_title + 4) - 4;
}

/// The SVG of a chart without data: its title and `why`.
inline std::string empty_chart(const chart_text& c, const std::string& why) {
    std::string out;
    const double w = chart_width, h = title_height(c, w) + 90;
    open(out, c, w, h, c.title + ": no data. " + why);
    const std::string id = clean_id(c.id);
    const double top = title_height(c, w) + 10;
    out += "<rect x=\"10\" y=\"" + num(top) + "\" width=\"" + num(w - 20) +
           "\" height=\"70\" fill=\"#f5f5f5\" stroke=\"" + grid_color + "\"/>\n";
    text(out, w / 2, top + 32, "no data", font_label, "middle", "class=\"no-data\" font-weight=\"600\"");
    text(out, w / 2, top + 52, why, font_tick, "middle", "fill=\"#555555\"");
    out += "</svg>\n";
    return out;
}

/// A legend entry: a line (dash, width), a filled box, or a hatched box.
struct legend_item {
    std::string name;
    std::string color;
    enum class kind { line, box, hatch } shape = kind::line;
    std::string dash;
    double width = 2;
};

/// Legend rows laid out left to right within `width`: the number of rows.
inline std::size_t legend_rows(const std::vector<legend_item>& items, double width) {
    std::size_t rows = items.empty() ? 0 : 1;
    double x = 0;
    for (const auto& it : items) {
        const double w = 30 + text_width(it.name, font_legend) + 16;
        if (x > 0 && x + w > width) {
            ++rows;
            x = 0;
        }
        x += w;
    }
    return rows;
}
constexpr double legend_row_height = 20;

inline void legend(std::string& out, const std::vector<legend_item>& items, double x0, double y0,
                   double width, const std::string& id) {
    if (items.empty()) return;
    out += "<g class=\"legend\">\n";
    double x = 0, y = y0;
    for (const auto& it : items) {
        const double w = 30 + text_width(it.name, font_legend) + 16;
        if (x > 0 && x + w > width) {
            x = 0;
            y += legend_row_height;
        }
        const double cx = x0 + x, cy = y + 10;
        switch (it.shape) {
            case legend_item::kind::line:
                out += "<line x1=\"" + num(cx) + "\" y1=\"" + num(cy) + "\" x2=\"" + num(cx + 24) +
                       "\" y2=\"" + num(cy) + "\" stroke=\"" + escape(it.color) + "\" stroke-width=\"" +
                       num(std::max(it.width, 2.0)) + "\"" +
                       (it.dash.empty() ? "" : " stroke-dasharray=\"" + escape(it.dash) + "\"") + "/>\n";
                break;
            case legend_item::kind::box:
                out += "<rect x=\"" + num(cx + 4) + "\" y=\"" + num(cy - 6) +
                       "\" width=\"16\" height=\"12\" fill=\"" + escape(it.color) + "\"/>\n";
                break;
            case legend_item::kind::hatch:
                out += "<rect x=\"" + num(cx + 4) + "\" y=\"" + num(cy - 6) +
                       "\" width=\"16\" height=\"12\" fill=\"url(#" + id + "-hatch)\" stroke=\"#bbbbbb\"/>\n";
                break;
        }
        text(out, cx + 30, cy + 4, it.name, font_legend);
        x += w;
    }
    out += "</g>\n";
}

inline std::string hatch_pattern(const std::string& id) {
    return "<defs><pattern id=\"" + id +
           "-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f7f7f7\"/>"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c4c4c4\" stroke-width=\"1.5\"/>"
           "</pattern></defs>\n";
}

/// The lines of a rotated y-axis label along a plot of height h (wrapped when longer).
inline std::vector<std::string> y_label_lines(const std::string& label, double h) {
    return wrap(label, std::max(h + 30, 40.0), font_label);  // text_width errs on the wide side
}
/// Width taken by the rotated y-axis label left of the tick labels.
inline double y_label_room(const std::string& label, double h) {
    return 10 + static_cast<double>(y_label_lines(label, h).size()) * (font_label + 3) + 5;
}

/// The rotated y-axis label, centred on the plot's height, its lines from x = 10.
inline void y_label(std::string& out, const std::string& label, const frame& f) {
    const auto lines = y_label_lines(label, f.bottom - f.top);
    const double cy = (f.top + f.bottom) / 2;
    double x = 10 + font_label;
    for (const auto& line : lines) {
        text(out, x, cy, line, font_label, "middle",
             "transform=\"rotate(-90 " + num(x) + " " + num(cy) + ")\"");
        x += font_label + 3;
    }
}

/// Horizontal grid lines, y tick labels and the rotated y-axis label.
inline void y_axis(std::string& out, const axis_ticks& t, const frame& f, const std::string& label) {
    const double h = f.bottom - f.top;
    for (const double v : t.values) {
        const double y = f.bottom - (v - t.lo) / (t.hi - t.lo) * h;
        out += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(f.right) + "\" y2=\"" +
               num(y) + "\" stroke=\"" + (v == 0 ? axis_color : grid_color) + "\"/>\n";
        text(out, f.left - 6, y + 4, format_tick(v, t.step), font_tick, "end");
    }
    y_label(out, label, f);
}

inline double max_tick_width(const axis_ticks& t) {
    double w = 0;
    for (const double v : t.values) w = std::max(w, text_width(format_tick(v, t.step), font_tick));
    return w;
}

inline std::string chart_name(const char* kind, const chart_text& c) {
    return std::string("svg::") + kind + " '" + c.title + "'";
}

inline void require_values(const std::string& chart, const series& s, std::size_t expected,
                           const char* what) {
    if (s.values.size() != expected)
        fail(status::invalid_argument, chart.c_str(),
             "series '" + s.name + "' has " + std::to_string(s.values.size()) + " values, " +
                 what + " " + std::to_string(expected));
    for (std::size_t i = 0; i < s.values.size(); ++i)
        if (!std::isfinite(s.values[i]))
            fail(status::invalid_argument, chart.c_str(),
                 "series '" + s.name + "' value [" + std::to_string(i) + "] = " +
                     format_value(s.values[i]) + " is not a finite number");
}

inline std::string color_of(const series& s, std::size_t i) {
    return s.color.empty() ? std::string(series_color(i)) : s.color;
}

inline std::string series_names(const std::vector<series>& data) {
    std::string s;
    for (const auto& d : data) s += (s.empty() ? "" : ", ") + d.name;
    return s;
}

}  // namespace impl

/// Adds the xmlns attribute that a stand-alone .svg file needs (inline SVG in HTML does not).
inline std::string standalone(const std::string& svg) {
    const std::size_t at = svg.find("<svg");
    if (at == std::string::npos) return svg;
    std::string out = svg;
    out.insert(at + 4, " xmlns=\"http://www.w3.org/2000/svg\"");
    return out;
}

/// The SVG of a line chart (see line_chart).
inline std::string render(const line_chart& c) {
    using namespace impl;
    const std::string chart = chart_name("line_chart", c);
    for (std::size_t i = 0; i < c.x.size(); ++i)
        if (!std::isfinite(c.x[i]))
            fail(status::invalid_argument, chart.c_str(),
                 "x[" + std::to_string(i) + "] = " + format_value(c.x[i]) + " is not a finite number");
    for (const auto& s : c.data) require_values(chart, s, c.x.size(), "x has");
    if (c.marker_x && !std::isfinite(*c.marker_x))
        fail(status::invalid_argument, chart.c_str(),
             "marker_x = " + format_value(*c.marker_x) + " is not a finite number");
    if (c.x.empty() || c.data.empty())
        return empty_chart(c, c.x.empty() ? "there are no points to draw" : "there are no series");

    const std::string id = clean_id(c.id);
    double x_lo = *std::min_element(c.x.begin(), c.x.end());
    double x_hi = *std::max_element(c.x.begin(), c.x.end());
    if (c.marker_x) {
        x_lo = std::min(x_lo, *c.marker_x);
        x_hi = std::max(x_hi, *c.marker_x);
    }
    double y_lo = c.data[0].values[0], y_hi = y_lo;
    for (const auto& s : c.data)
        for (const double v : s.values) {
            y_lo = std::min(y_lo, v);
            y_hi = std::max(y_hi, v);
        }
    if (c.y_from_zero) {
        y_lo = std::min(y_lo, 0.0);
        y_hi = std::max(y_hi, 0.0);
    }
    const axis_ticks yt = nice_ticks(y_lo, y_hi, 6);

    std::vector<legend_item> items;
    for (std::size_t i = 0; i < c.data.size(); ++i)
        items.push_back({c.data[i].name, color_of(c.data[i], i), legend_item::kind::line,
                         c.data[i].dash, c.data[i].width});

    frame f;
    f.id = id;
    const double W = chart_width;
    f.left = y_label_room(c.y_label, 240) + max_tick_width(yt) + 8;
    f.right = W - 16;
    const axis_ticks xt =
        nice_ticks(x_lo, x_hi, std::max(3, static_cast<int>((f.right - f.left) / 60)));
    f.top = title_height(c, W) + 14;
    f.bottom = f.top + 240;
    const double legend_y = f.bottom + 46;
    const std::size_t rows = legend_rows(items, W - 20);
    const double H = legend_y + legend_row_height * impl::dbl(rows) + 6;

    std::string out;
    open(out, c, W, H,
         "Line chart. x: " + c.x_label + ", from " + format_number(x_lo) + " to " +
             format_number(x_hi) + ". y: " + c.y_label + ", from " + format_number(y_lo) + " to " +
             format_number(y_hi) + ". Series: " + series_names(c.data) + ".");
    auto X = [&](double v) { return f.left + (v - xt.lo) / (xt.hi - xt.lo) * (f.right - f.left); };
    auto Y = [&](double v) { return f.bottom - (v - yt.lo) / (yt.hi - yt.lo) * (f.bottom - f.top); };

    if (c.marker_x && c.shade_after_marker)
        out += "<rect x=\"" + num(X(*c.marker_x)) + "\" y=\"" + num(f.top) + "\" width=\"" +
               num(f.right - X(*c.marker_x)) + "\" height=\"" + num(f.bottom - f.top) +
               "\" fill=\"#f2f2f2\"/>\n";
    y_axis(out, yt, f, c.y_label);
    // x axis: ticks and labels
    out += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(f.bottom) + "\" x2=\"" + num(f.right) +
           "\" y2=\"" + num(f.bottom) + "\" stroke=\"" + axis_color + "\"/>\n";
    for (const double v : xt.values) {
        const double x = X(v);
        out += "<line x1=\"" + num(x) + "\" y1=\"" + num(f.bottom) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(f.bottom + 5) + "\" stroke=\"" + axis_color + "\"/>\n";
        text(out, x, f.bottom + 18, format_tick(v, xt.step), font_tick, "middle");
    }
    text(out, (f.left + f.right) / 2, f.bottom + 36, c.x_label, font_label, "middle");

    // Series: drawn last to first so that the first (the actual data) is on top.
    out += "<g class=\"series\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n";
    for (std::size_t k = c.data.size(); k-- > 0;) {
        const auto& s = c.data[k];
        const std::string color = escape(color_of(s, k));
        std::string d;
        for (std::size_t i = 0; i < s.values.size(); ++i)
            d += (i == 0 ? "M" : " ") + num(X(c.x[i])) + "," + num(Y(s.values[i]));
        out += "<path d=\"" + d + "\" stroke=\"" + color + "\" stroke-width=\"" + num(s.width) + "\"" +
               (s.dash.empty() ? "" : " stroke-dasharray=\"" + escape(s.dash) + "\"") + "><title>" +
               escape(s.name) + "</title></path>\n";
        if (s.markers && s.values.size() <= 200)
            for (std::size_t i = 0; i < s.values.size(); ++i)
                out += "<circle cx=\"" + num(X(c.x[i])) + "\" cy=\"" + num(Y(s.values[i])) +
                       "\" r=\"2.5\" fill=\"" + color + "\" stroke=\"none\"/>\n";
    }
    out += "</g>\n";
    if (c.marker_x) {
        const double x = X(*c.marker_x);
        out += "<line class=\"marker\" x1=\"" + num(x) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(x) +
               "\" y2=\"" + num(f.bottom) + "\" stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n";
        if (!c.marker_label.empty()) {
            const bool left = x + text_width(c.marker_label, font_tick) + 8 > f.right;
            text(out, left ? x - 5 : x + 5, f.top + 13, c.marker_label, font_tick, left ? "end" : "start",
                 halo + " fill=\"#333333\"");
        }
    }
    legend(out, items, 10, legend_y, W - 20, id);
    out += "</svg>\n";
    return out;
}

/// The SVG of a grouped bar chart (see bar_chart).
inline std::string render(const bar_chart& c) {
    using namespace impl;
    const std::string chart = chart_name("bar_chart", c);
    for (const auto& s : c.data) require_values(chart, s, c.categories.size(), "there are categories:");
    if (c.categories.empty() || c.data.empty())
        return empty_chart(c, c.categories.empty() ? "there are no categories" : "there are no series");

    const std::string id = clean_id(c.id);
    double y_lo = 0, y_hi = 0;
    for (const auto& s : c.data)
        for (const double v : s.values) {
            y_lo = std::min(y_lo, v);
            y_hi = std::max(y_hi, v);
        }
    const axis_ticks yt = nice_ticks(y_lo, y_hi, 6);
    std::vector<legend_item> items;
    for (std::size_t i = 0; i < c.data.size(); ++i)
        items.push_back({c.data[i].name, color_of(c.data[i], i), legend_item::kind::box, "", 0});

    frame f;
    f.id = id;
    const double W = chart_width;
    f.left = y_label_room(c.y_label, 240) + max_tick_width(yt) + 8;
    f.right = W - 16;
    f.top = title_height(c, W) + 14;
    f.bottom = f.top + 240;
    const double legend_y = f.bottom + 46;
    const double H = legend_y + legend_row_height * dbl(legend_rows(items, W - 20)) + 6;

    std::string out;
    open(out, c, W, H,
         "Bar chart. Categories (" + c.x_label + "): " + std::to_string(c.categories.size()) +
             ". y: " + c.y_label + ", from " + format_number(y_lo) + " to " + format_number(y_hi) +
             ". Series: " + series_names(c.data) + ".");
    auto Y = [&](double v) { return f.bottom - (v - yt.lo) / (yt.hi - yt.lo) * (f.bottom - f.top); };
    y_axis(out, yt, f, c.y_label);

    const double n = dbl(c.categories.size()), group = (f.right - f.left) / n;
    const double inner = group * 0.8, bar = inner / dbl(c.data.size());
    double widest = 0;
    for (const auto& s : c.categories) widest = std::max(widest, text_width(s, font_tick));
    const auto every = static_cast<std::size_t>(std::max(1.0, std::ceil((widest + 6) / group)));
    for (std::size_t g = 0; g < c.categories.size(); ++g) {
        const double gx = f.left + group * dbl(g);
        if (g % every == 0) text(out, gx + group / 2, f.bottom + 18, c.categories[g], font_tick, "middle");
        for (std::size_t k = 0; k < c.data.size(); ++k) {
            const double v = c.data[k].values[g];
            const double y0 = Y(0), y1 = Y(v);
            out += "<rect x=\"" + num(gx + group * 0.1 + bar * dbl(k)) + "\" y=\"" + num(std::min(y0, y1)) +
                   "\" width=\"" + num(std::max(bar - 1, 1.0)) + "\" height=\"" + num(std::fabs(y1 - y0)) +
                   "\" fill=\"" + escape(color_of(c.data[k], k)) + "\"><title>" +
                   escape(c.data[k].name + ", " + c.categories[g] + ": " + format_number(v, 4)) +
                   "</title></rect>\n";
        }
    }
    out += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(Y(0)) + "\" x2=\"" + num(f.right) + "\" y2=\"" +
           num(Y(0)) + "\" stroke=\"" + axis_color + "\"/>\n";
    text(out, (f.left + f.right) / 2, f.bottom + 36, c.x_label, font_label, "middle");
    legend(out, items, 10, legend_y, W - 20, id);
    out += "</svg>\n";
    return out;
}

/// The SVG of a heatmap (see heatmap). Row labels are thinned out when rows are thin, column
/// labels when they would overlap; cell values are written when cells are large enough.
inline std::string render(const heatmap& c) {
    using namespace impl;
    const std::string chart = chart_name("heatmap", c);
    const std::size_t R = c.rows.size(), C = c.columns.size();
    if (c.values.size() != R * C)
        fail(status::invalid_argument, chart.c_str(),
             "has " + std::to_string(c.values.size()) + " values, " + std::to_string(R) + " rows × " +
                 std::to_string(C) + " columns need " + std::to_string(R * C));
    for (std::size_t i = 0; i < c.values.size(); ++i)
        if (std::isinf(c.values[i]))
            fail(status::invalid_argument, chart.c_str(),
                 "value [" + std::to_string(i / std::max<std::size_t>(C, 1)) + "][" +
                     std::to_string(i % std::max<std::size_t>(C, 1)) + "] = " + format_value(c.values[i]) +
                     " is infinite (NaN marks a cell without data)");
    if ((c.lo && !std::isfinite(*c.lo)) || (c.hi && !std::isfinite(*c.hi)))
        fail(status::invalid_argument, chart.c_str(), "the colour scale's bounds must be finite");
    if (R == 0 || C == 0) return empty_chart(c, "the matrix has no cells");

    const std::string id = clean_id(c.id);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    bool any_nan = false;
    for (const double v : c.values) {
        if (std::isnan(v)) {
            any_nan = true;
            continue;
        }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (!std::isfinite(lo)) lo = 0, hi = 1;  // every cell without data
    if (c.lo) lo = *c.lo;
    if (c.hi) hi = *c.hi;
    if (lo > hi) std::swap(lo, hi);
    if (lo == hi) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    auto fmt = [&](double v) { return c.percent ? format_percent(v, 0) : format_number(v, 2); };
    auto t_of = [&](double v) { return (v - lo) / (hi - lo); };

    const double W = chart_width;
    double row_w = 0, col_w = 0;
    for (const auto& s : c.rows) row_w = std::max(row_w, text_width(s, font_tick));
    for (const auto& s : c.columns) col_w = std::max(col_w, text_width(s, font_tick));
    // Rows of 6 to 24 units (up to 60 when a long y label needs the height).
    double ch = std::clamp(300.0 / dbl(R), 6.0, 24.0);
    ch = std::max(ch, std::min(60.0, (text_width(c.y_label, font_label) + 10) / dbl(R)));
    frame f;
    f.left = y_label_room(c.y_label, ch * dbl(R)) + row_w + 6;
    f.right = W - 16;
    f.top = title_height(c, W) + 14;
    const double cw = (f.right - f.left) / dbl(C);
    f.bottom = f.top + ch * dbl(R);
    const double scale_y = f.bottom + 46;
    const double H = scale_y + 44;

    std::string out;
    open(out, c, W, H,
         "Heatmap of " + std::to_string(R) + " rows (" + c.y_label + ") by " + std::to_string(C) +
             " columns (" + c.x_label + "); colour: " + c.value_label + " from " + fmt(lo) + " to " +
             fmt(hi) + (any_nan ? "; hatched cells have no data." : "."));
    if (any_nan) out += hatch_pattern(id);
    out += "<defs><linearGradient id=\"" + id + "-scale\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">";
    for (int k = 0; k <= 8; ++k)
        out += "<stop offset=\"" + num(k * 12.5) + "%\" stop-color=\"" + viridis(k / 8.0) + "\"/>";
    out += "</linearGradient></defs>\n";

    const bool values_fit = cw >= 34 && ch >= 16;
    out += "<g class=\"cells\">\n";
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t k = 0; k < C; ++k) {
            const double v = c.values[r * C + k];
            const double x = f.left + cw * dbl(k), y = f.top + ch * dbl(r);
            const bool nan = std::isnan(v);
            out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cw + 0.3) +
                   "\" height=\"" + num(ch + 0.3) + "\" fill=\"" +
                   (nan ? "url(#" + id + "-hatch)" : viridis(t_of(v))) + "\"><title>" +
                   escape(c.y_label + " " + c.rows[r] + ", " + c.x_label + " " + c.columns[k] + ": " +
                          (nan ? std::string("no data") : fmt(v))) +
                   "</title></rect>\n";
            if (values_fit && !nan)
                text(out, x + cw / 2, y + ch / 2 + 4, fmt(v), 10, "middle",
                     std::string("fill=\"") + (viridis_is_dark(t_of(v)) ? "#ffffff" : "#1a1a1a") + "\"");
        }
    out += "</g>\n";
    // Row labels (thinned when rows are thinner than the text), column labels (thinned when
    // they would overlap).
    const auto row_every = static_cast<std::size_t>(std::max(1.0, std::ceil((font_tick + 1) / ch)));
    for (std::size_t r = 0; r < R; ++r)
        if (r % row_every == 0)
            text(out, f.left - 5, f.top + ch * dbl(r) + ch / 2 + 4, c.rows[r], font_tick, "end");
    const auto col_every = static_cast<std::size_t>(std::max(1.0, std::ceil((col_w + 6) / cw)));
    for (std::size_t k = 0; k < C; k += col_every)
        text(out, f.left + cw * dbl(k) + cw / 2, f.bottom + 16, c.columns[k], font_tick, "middle");
    text(out, (f.left + f.right) / 2, f.bottom + 34, c.x_label, font_label, "middle");
    y_label(out, c.y_label, f);

    // Colour scale: label, gradient bar with ticks, and the "no data" swatch.
    out += "<g class=\"legend\">\n";
    const double label_w = text_width(c.value_label, font_legend) + 10;
    text(out, 10, scale_y + 11, c.value_label, font_legend);
    const double bx = 10 + label_w, bw = std::min(220.0, W - bx - 120);
    out += "<rect x=\"" + num(bx) + "\" y=\"" + num(scale_y) + "\" width=\"" + num(bw) +
           "\" height=\"12\" fill=\"url(#" + id + "-scale)\" stroke=\"#999999\" stroke-width=\"0.5\"/>\n";
    axis_ticks st = nice_ticks(lo, hi, 5);
    for (const double v : st.values) {
        if (v < lo - 1e-12 * std::fabs(hi - lo) || v > hi + 1e-12 * std::fabs(hi - lo)) continue;
        const double x = bx + t_of(v) * bw;
        out += "<line x1=\"" + num(x) + "\" y1=\"" + num(scale_y + 12) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(scale_y + 16) + "\" stroke=\"" + axis_color + "\"/>\n";
        text(out, x, scale_y + 28, c.percent ? format_percent(v, 0) : format_tick(v, st.step), font_tick,
             "middle");
    }
    if (any_nan) {
        const double nx = bx + bw + 22;
        out += "<rect x=\"" + num(nx) + "\" y=\"" + num(scale_y) + "\" width=\"16\" height=\"12\" fill=\"url(#" +
               id + "-hatch)\" stroke=\"#bbbbbb\"/>\n";
        text(out, nx + 22, scale_y + 11, "no data", font_legend);
    }
    out += "</g>\n</svg>\n";
    return out;
}

/// The SVG of a horizontal bar chart (see hbar_chart).
inline std::string render(const hbar_chart& c) {
    using namespace impl;
    const std::string chart = chart_name("hbar_chart", c);
    series s{c.series_name, c.values, c.color, "", 0, false};
    require_values(chart, s, c.labels.size(), "there are labels:");
    if (c.labels.empty()) return empty_chart(c, "there are no bars");

    const std::string id = clean_id(c.id);
    double lo = 0, hi = 0, total = 0;
    for (const double v : c.values) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        total += v;
    }
    const axis_ticks xt = nice_ticks(lo, hi, 5);
    auto value_text = [&](double v) {
        std::string t = format_number(v, 4);
        if (c.shares && total > 0) t += " (" + format_percent(v / total, 0) + ")";
        return t;
    };
    double label_w = 0, value_w = 0;
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
        label_w = std::max(label_w, text_width(c.labels[i], font_tick));
        value_w = std::max(value_w, text_width(value_text(c.values[i]), font_tick));
    }
    const std::string color = c.color.empty() ? std::string(series_color(0)) : c.color;
    const std::vector<legend_item> items{{c.series_name, color, legend_item::kind::box, "", 0}};

    const double W = chart_width;
    frame f;
    f.left = 10 + label_w + 8;
    f.right = W - 16 - value_w - 6;
    f.top = title_height(c, W) + 14;
    const double bh = 26;
    f.bottom = f.top + bh * dbl(c.labels.size());
    const double legend_y = f.bottom + 46;
    const double H = legend_y + legend_row_height + 6;
    std::string out;
    open(out, c, W, H,
         "Horizontal bar chart of " + c.series_name + ": " + [&] {
             std::string d;
             for (std::size_t i = 0; i < c.labels.size(); ++i)
                 d += (i ? ", " : "") + c.labels[i] + " " + value_text(c.values[i]);
             return d;
         }() + ".");
    auto X = [&](double v) { return f.left + (v - xt.lo) / (xt.hi - xt.lo) * (f.right - f.left); };
    for (const double v : xt.values) {
        const double x = X(v);
        out += "<line x1=\"" + num(x) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(f.bottom) + "\" stroke=\"" + (v == 0 ? axis_color : grid_color) + "\"/>\n";
        text(out, x, f.bottom + 16, format_tick(v, xt.step), font_tick, "middle");
    }
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
        const double y = f.top + bh * dbl(i), v = c.values[i];
        const double x0 = X(0), x1 = X(v);
        text(out, f.left - 6, y + bh / 2 + 4, c.labels[i], font_tick, "end");
        out += "<rect x=\"" + num(std::min(x0, x1)) + "\" y=\"" + num(y + 4) + "\" width=\"" +
               num(std::fabs(x1 - x0)) + "\" height=\"" + num(bh - 8) + "\" fill=\"" + escape(color) +
               "\"><title>" + escape(c.labels[i] + ": " + value_text(v)) + "</title></rect>\n";
        text(out, std::max(x0, x1) + 5, y + bh / 2 + 4, value_text(v), font_tick);
    }
    text(out, (f.left + f.right) / 2, f.bottom + 34, c.x_label, font_label, "middle");
    legend(out, items, 10, legend_y, W - 20, id);
    out += "</svg>\n";
    return out;
}

}  // namespace ltv::detail::svg
