// SPDX-License-Identifier: Apache-2.0
// ltv/date.hpp — calendar dates as day numbers, date parsing, merge periods and time units.
//
// Definitions
//   day_number   days since 1970-01-01 in the proleptic Gregorian calendar (1970-01-01 = 0,
//                1969-12-31 = -1), an int32. Transaction logs only need the calendar date: the
//                time of a date-time is validated and dropped. A date-time with a UTC offset
//                (Z, ±HH:MM, ±HHMM, ±HH) is converted to date_spec::zone before its date is
//                taken when a zone is set, else its date is taken as written (ltv/time_zone.hpp
//                states the policy).
//   date_format  how a date field is written:
//                  automatic   per field: YYYYMMDD (8 digits), YYYY-MM-DD, or an ISO 8601
//                              date-time "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH[:MM]]"
//                  iso         YYYY-MM-DD only;   compact   YYYYMMDD only
//                  iso_datetime  YYYY-MM-DD optionally followed by a time as above
//                  custom      a strftime-like pattern, see parse_date_pattern below.
//   merge_period the granularity at which purchases are merged into one purchase occasion:
//                  none (every transaction is an occasion), day, week (ISO weeks, Monday to
//                  Sunday, the same weeks as pandas' to_period('W')), month (calendar month).
//                Each day maps to the first day of its period (period_start).
//   time_unit    the unit in which durations are reported: day = 1, week = 7, month = 30 days
//                (lifetimes' and Fader–Hardie's convention, not calendar months), or any number
//                of days from 1e-6 to 1e7 (min/max_time_unit_days, so that every duration in the
//                unit is finite). duration_in_units = days / unit.days.
//
// Year range: 1..9999. The conversions are Howard Hinnant's days_from_civil/civil_from_days
// (public-domain algorithms) because they run once per transaction on the parsing hot path and
// must not throw or allocate; the tests check them against Boost.Date_Time, which serves the
// conversions to boost::gregorian::date and the calendar arithmetic (adding months).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include "ltv/detail/validate.hpp"
#include "ltv/time_zone.hpp"

namespace ltv {

using day_number = std::int32_t;

struct civil_date {
    int year = 1970;
    int month = 1;  ///< 1..12
    int day = 1;    ///< 1..31
};

namespace detail {

constexpr bool is_leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(int y, int m) noexcept {
    constexpr int table[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : table[m - 1];
}

constexpr bool valid_civil(int y, int m, int d) noexcept {
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
constexpr day_number days_from_civil(int y, int m, int d) noexcept {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Howard Hinnant, civil_from_days.
constexpr civil_date civil_from_days(day_number z) noexcept {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int y = yoe + era * 400;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    return civil_date{y + (m <= 2), m, d};
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Reads exactly n digits at s[pos..pos+n); false if any is not a digit.
constexpr bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!is_digit(s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

/// An ISO 8601 time of day, read by parse_iso_time.
struct iso_time {
    int hour = 0, minute = 0, second = 0;  ///< second 60 (a leap second) is kept as written
    bool has_offset = false;
    std::int32_t offset = 0;  ///< seconds east of Greenwich, when has_offset
};

/// Reads an ISO 8601 time "HH:MM[:SS[.fff]][Z|±HH[:MM]|±HHMM]" making up all of s (offset hours
/// ≤ 23); false if s is not one.
inline bool parse_iso_time(std::string_view s, iso_time& t) noexcept {
    int h = 0, mi = 0, sec = 0;
    if (!read_digits(s, 0, 2, h) || s.size() < 5 || s[2] != ':' || !read_digits(s, 3, 2, mi))
        return false;
    if (h > 24 || mi > 59) return false;
    std::size_t p = 5;
    if (p < s.size() && s[p] == ':') {
        if (!read_digits(s, p + 1, 2, sec) || sec > 60) return false;
        p += 3;
        if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
            ++p;
            const std::size_t start = p;
            while (p < s.size() && is_digit(s[p])) ++p;
            if (p == start) return false;
        }
    }
    t = iso_time{h, mi, sec, false, 0};
    if (p == s.size()) return true;
    t.has_offset = true;
    return time_zone::parse_iso_offset(s.substr(p), t.offset);
}

/// Validates an ISO 8601 time "HH:MM[:SS[.fff]][Z|±HH[:MM]]" making up all of s.
inline bool valid_iso_time(std::string_view s) noexcept {
    iso_time t;
    return parse_iso_time(s, t);
}

}  // namespace detail

/// The supported range of day numbers: 0001-01-01 (−719162) to 9999-12-31 (2932896), the years
/// the date parser accepts. Every day number that enters ltv from outside (C API, Python, options
/// such as observation_end, as_of, until) is checked against it before any arithmetic, so that
/// differences and period starts of supported days never overflow an int32.
constexpr day_number min_supported_day = detail::days_from_civil(1, 1, 1);
constexpr day_number max_supported_day = detail::days_from_civil(9999, 12, 31);

constexpr bool is_supported_day(day_number d) noexcept {
    return d >= min_supported_day && d <= max_supported_day;
}

namespace detail {
/// Throws invalid_argument naming the argument when a day number lies outside the supported
/// range (years 1..9999).
inline void require_day(const char* function, const arg_name& name, std::int64_t day) {
    if (day < min_supported_day || day > max_supported_day)
        fail(status::invalid_argument, function,
             "argument '" + name.str() + "' = " + std::to_string(day) +
                 " is not a supported day number (days since 1970-01-01 from " +
                 std::to_string(min_supported_day) + " = 0001-01-01 to " +
                 std::to_string(max_supported_day) + " = 9999-12-31)");
}
}  // namespace detail

/// Day number of a calendar date; throws invalid_argument for a date that does not exist.
inline day_number make_day(int year, int month, int day) {
    if (!detail::valid_civil(year, month, day))
        detail::fail(status::invalid_argument, "make_day",
                     "no such date: " + std::to_string(year) + "-" + std::to_string(month) + "-" +
                         std::to_string(day));
    return detail::days_from_civil(year, month, day);
}

/// Calendar date of a day number.
constexpr civil_date to_civil(day_number d) noexcept { return detail::civil_from_days(d); }

/// Conversions to and from Boost.Date_Time.
inline boost::gregorian::date to_gregorian(day_number d) {
    const civil_date c = to_civil(d);
    return boost::gregorian::date(static_cast<unsigned short>(c.year),
                                  static_cast<unsigned short>(c.month),
                                  static_cast<unsigned short>(c.day));
}
inline day_number from_gregorian(const boost::gregorian::date& g) {
    const auto ymd = g.year_month_day();
    return detail::days_from_civil(ymd.year, ymd.month, ymd.day);
}

/// "YYYY-MM-DD".
inline std::string format_date(day_number d) {
    const civil_date c = to_civil(d);
    char buf[16];
    const int y = c.year, m = c.month, dd = c.day;
    buf[0] = static_cast<char>('0' + y / 1000 % 10);
    buf[1] = static_cast<char>('0' + y / 100 % 10);
    buf[2] = static_cast<char>('0' + y / 10 % 10);
    buf[3] = static_cast<char>('0' + y % 10);
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + m / 10);
    buf[6] = static_cast<char>('0' + m % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + dd / 10);
    buf[9] = static_cast<char>('0' + dd % 10);
    return std::string(buf, 10);
}

/// Adds calendar months; the day is clamped to the end of a shorter month (Jan 31 + 1 month =
/// Feb 28/29). Uses Boost.Date_Time's month arithmetic with an explicit clamp (Boost's own
/// end-of-month snapping would turn Feb 28 + 1 month into Mar 31).
inline day_number add_months(day_number d, int months) {
    const civil_date c = to_civil(d);
    int total = c.year * 12 + (c.month - 1) + months;
    const int y = total / 12, m = total % 12 + 1;
    const int dd = std::min(c.day, detail::days_in_month(y, m));
    return make_day(y, m, dd);
}

/// First day of the calendar month containing d.
constexpr day_number month_start(day_number d) noexcept {
    const civil_date c = to_civil(d);
    return detail::days_from_civil(c.year, c.month, 1);
}

/// Monday of the ISO week containing d (1970-01-01 was a Thursday).
constexpr day_number week_start(day_number d) noexcept {
    const day_number shifted = d + 3;  // days since Monday 1969-12-29
    const day_number q = shifted >= 0 ? shifted / 7 : -((-shifted + 6) / 7);
    return q * 7 - 3;
}

// ---- merge periods --------------------------------------------------------------------------

enum class merge_period { none, day, week, month };

/// First day of the period that contains d (d itself for none and day).
constexpr day_number period_start(merge_period p, day_number d) noexcept {
    switch (p) {
        case merge_period::none:
        case merge_period::day: return d;
        case merge_period::week: return week_start(d);
        case merge_period::month: return month_start(d);
    }
    return d;
}

inline const char* to_string(merge_period p) noexcept {
    switch (p) {
        case merge_period::none: return "none";
        case merge_period::day: return "day";
        case merge_period::week: return "week";
        case merge_period::month: return "month";
    }
    return "?";
}

/// "none", "day"/"D", "week"/"W", "month"/"M" (case-insensitive).
inline merge_period parse_merge_period(std::string_view s) {
    std::string l(s);
    for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (l == "none" || l == "transaction") return merge_period::none;
    if (l == "day" || l == "d" || l == "days") return merge_period::day;
    if (l == "week" || l == "w" || l == "weeks") return merge_period::week;
    if (l == "month" || l == "m" || l == "months") return merge_period::month;
    detail::fail(status::invalid_argument, "parse_merge_period",
                 "unknown merge period '" + std::string(s) + "' (expected none, day, week or month)");
}

// ---- time units ------------------------------------------------------------------------------

/// The supported lengths of a time unit, in days: 1e-6 (0.0864 s, finer than any date) to 1e7
/// (about 27 000 years, longer than the supported day range). Durations between supported days
/// are whole numbers of days below 3.7e6, so in any supported unit they are finite (at most
/// 3.7e12 units) and, when not 0, at least 1e-7 units: never inf, never subnormal. A unit such
/// as 5e-324 days, which "> 0 and finite" would let through, made every duration inf.
constexpr double min_time_unit_days = 1e-6;
constexpr double max_time_unit_days = 1e7;

constexpr bool is_supported_time_unit(double days) noexcept {
    return days >= min_time_unit_days && days <= max_time_unit_days;  // false for NaN
}

namespace detail {
/// "is not a supported time unit (…)" for messages.
inline std::string time_unit_range() {
    return "is not a supported time unit: a length in days from " +
           format_value(min_time_unit_days) + " to " + format_value(max_time_unit_days) +
           " (1 = days, 7 = weeks, 30 = months)";
}

/// Throws invalid_argument naming the argument when a time unit's length in days is outside
/// [min_time_unit_days, max_time_unit_days] (or not a number).
inline void require_time_unit(const char* function, const arg_name& name, double days) {
    if (!is_supported_time_unit(days))
        fail_argument(function, name, days, time_unit_range().c_str());
}
}  // namespace detail

struct time_unit {
    double days = 1.0;  ///< length of one unit in days, in [min_time_unit_days, max_time_unit_days]

    static constexpr time_unit day() noexcept { return {1.0}; }
    static constexpr time_unit week() noexcept { return {7.0}; }
    static constexpr time_unit month() noexcept { return {30.0}; }  ///< 30 days, not calendar
    static time_unit of_days(double n) {
        detail::require_time_unit("time_unit::of_days", "days", n);
        return {n};
    }
    double convert(double day_count) const noexcept { return day_count / days; }
};

/// The library's default unit of durations: days (as lifetimes' freq="D"). Defined once here;
/// summary_options, ltv_summary_options_init, the CLI's --time-unit/--unit and the Python binding
/// (through ltv_summary_options_init) all take it from here (tests/python/test_defaults.py).
constexpr time_unit default_time_unit() noexcept { return time_unit::day(); }

/// "day"/"D", "week"/"W", "month"/"M" (30 days), or a number of days such as "14" or "14d"
/// (from 1e-6 to 1e7, see min_time_unit_days).
inline time_unit parse_time_unit(std::string_view s) {
    std::string l(s);
    for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (l == "day" || l == "d" || l == "days") return time_unit::day();
    if (l == "week" || l == "w" || l == "weeks") return time_unit::week();
    if (l == "month" || l == "m" || l == "months") return time_unit::month();
    std::string num = l;
    if (!num.empty() && num.back() == 'd') num.pop_back();
    char* end = nullptr;
    const double v = num.empty() ? 0.0 : std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || !(v > 0) || !std::isfinite(v))
        detail::fail(status::invalid_argument, "parse_time_unit",
                     "unknown time unit '" + std::string(s) +
                         "' (expected day, week, month or a positive number of days)");
    if (!is_supported_time_unit(v))
        detail::fail(status::invalid_argument, "parse_time_unit",
                     "time unit '" + std::string(s) + "' " + detail::time_unit_range());
    return {v};
}

/// The name parse_time_unit reads back: "day", "week", "month" or "<n>d" (model files' and
/// the comparison's "time_unit").
inline std::string time_unit_name(const time_unit& u) {
    if (u.days == 1) return "day";
    if (u.days == 7) return "week";
    if (u.days == 30) return "month";
    return detail::format_value(u.days) + "d";
}

// ---- date parsing ----------------------------------------------------------------------------

/// A compiled strftime-like pattern. Directives:
///   %Y  year, 4 digits          %y  year, 2 digits (69..99 → 19xx, 00..68 → 20xx, as POSIX)
///   %m  month, 1–2 digits       %d  day, 1–2 digits (%e is the same)
///   %b  month name, English, abbreviated or full, case-insensitive (%B, %h the same)
///   %H %M %S  hour, minute, second, 1–2 digits each, validated and ignored
///   %j  day of the year, 1–3 digits (needs %Y or %y, no %m/%d)
///   %%  a literal '%'           any other character must match itself.
/// The whole field must match; a pattern must contain a year and either month and day or %j.
class date_pattern {
public:
    date_pattern() = default;
    explicit date_pattern(std::string pattern) : text_(std::move(pattern)) { compile(); }

    const std::string& text() const noexcept { return text_; }

    /// The day number of s, or nullopt if s does not match the pattern or is no valid date.
    std::optional<day_number> parse(std::string_view s) const noexcept {
        int year = -1, month = -1, day = -1, yday = -1;
        std::size_t p = 0;
        for (const compiled& it : items_) {
            if (it.kind == kind_literal) {
                if (p >= s.size() || s[p] != it.literal) return std::nullopt;
                ++p;
                continue;
            }
            if (it.kind == kind_month_name) {
                static constexpr std::array<const char*, 12> names = {
                    "january", "february", "march",     "april",   "may",      "june",
                    "july",    "august",   "september", "october", "november", "december"};
                int found = -1;
                std::size_t used = 0;
                for (int m = 0; m < 12 && found < 0; ++m) {
                    const std::string_view full(names[m]);
                    std::size_t n = 0;
                    while (p + n < s.size() && n < full.size() && lower(s[p + n]) == full[n]) ++n;
                    if (n == full.size() || n == 3) {
                        found = m + 1;
                        used = n;
                    }
                }
                if (found < 0) return std::nullopt;
                month = found;
                p += used;
                continue;
            }
            int value = 0;
            std::size_t n = 0;
            while (n < it.max_digits && p + n < s.size() && detail::is_digit(s[p + n])) {
                value = value * 10 + (s[p + n] - '0');
                ++n;
            }
            if (n < it.min_digits) return std::nullopt;
            p += n;
            switch (it.kind) {
                case kind_year4: year = value; break;
                case kind_year2: year = value < 69 ? 2000 + value : 1900 + value; break;
                case kind_month: month = value; break;
                case kind_day: day = value; break;
                case kind_yday: yday = value; break;
                case kind_hour: if (value > 24) return std::nullopt; break;
                case kind_minute: if (value > 59) return std::nullopt; break;
                case kind_second: if (value > 60) return std::nullopt; break;
                default: break;
            }
        }
        if (p != s.size()) return std::nullopt;
        if (yday >= 0) {
            if (year < 1 || year > 9999 || yday < 1 || yday > (detail::is_leap_year(year) ? 366 : 365))
                return std::nullopt;
            return detail::days_from_civil(year, 1, 1) + (yday - 1);
        }
        if (!detail::valid_civil(year, month, day)) return std::nullopt;
        return detail::days_from_civil(year, month, day);
    }

private:
    enum field_kind : unsigned char {
        kind_literal, kind_year4, kind_year2, kind_month, kind_day, kind_yday, kind_month_name,
        kind_hour, kind_minute, kind_second
    };

    static char lower(char c) noexcept {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }

    void compile() {
        bool has_year = false, has_month = false, has_day = false, has_yday = false;
        for (std::size_t i = 0; i < text_.size(); ++i) {
            const char c = text_[i];
            if (c != '%') {
                items_.push_back(make(kind_literal, 0, 0, c));
                continue;
            }
            if (i + 1 >= text_.size())
                detail::fail(status::invalid_argument, "date_pattern",
                             "pattern '" + text_ + "' ends with a lone '%'");
            const char d = text_[++i];
            switch (d) {
                case 'Y': items_.push_back(make(kind_year4, 4, 4)); has_year = true; break;
                case 'y': items_.push_back(make(kind_year2, 2, 2)); has_year = true; break;
                case 'm': items_.push_back(make(kind_month, 1, 2)); has_month = true; break;
                case 'd':
                case 'e': items_.push_back(make(kind_day, 1, 2)); has_day = true; break;
                case 'j': items_.push_back(make(kind_yday, 1, 3)); has_yday = true; break;
                case 'b':
                case 'B':
                case 'h': items_.push_back(make(kind_month_name, 0, 0)); has_month = true; break;
                case 'H': items_.push_back(make(kind_hour, 1, 2)); break;
                case 'M': items_.push_back(make(kind_minute, 1, 2)); break;
                case 'S': items_.push_back(make(kind_second, 1, 2)); break;
                case '%': items_.push_back(make(kind_literal, 0, 0, '%')); break;
                default:
                    detail::fail(status::invalid_argument, "date_pattern",
                                 "pattern '" + text_ + "': unsupported directive '%" +
                                     std::string(1, d) +
                                     "' (supported: %Y %y %m %d %e %j %b %B %h %H %M %S %%)");
            }
        }
        if (!has_year || !((has_month && has_day && !has_yday) || (has_yday && !has_month && !has_day)))
            detail::fail(status::invalid_argument, "date_pattern",
                         "pattern '" + text_ +
                             "' must contain a year (%Y or %y) and either %m (or %b) and %d, or %j");
    }

    struct compiled {
        field_kind kind;
        char literal;
        unsigned char min_digits, max_digits;
    };
    static compiled make(field_kind k, int mn, int mx, char lit = 0) {
        return compiled{k, lit, static_cast<unsigned char>(mn), static_cast<unsigned char>(mx)};
    }

    std::string text_;
    std::vector<compiled> items_;
};

enum class date_format { automatic, iso, compact, iso_datetime, custom };

/// How date fields are read: a format and, for custom, the pattern.
struct date_spec {
    date_format format = date_format::automatic;
    date_pattern pattern;  ///< used when format == custom
    /// The zone into which date-times with a UTC offset are converted before their date is
    /// taken (automatic and iso_datetime); null: the date as written. Dates alone and date-times
    /// without an offset are never converted (ltv/time_zone.hpp).
    std::shared_ptr<const time_zone> zone;

    date_spec() = default;
    date_spec(date_format f) : format(f) {}  // NOLINT: implicit on purpose
    /// A custom strftime-like pattern such as "%d/%m/%Y".
    static date_spec custom(std::string pattern) {
        date_spec s;
        s.format = date_format::custom;
        s.pattern = date_pattern(std::move(pattern));
        return s;
    }
    /// Sets the zone from its written form (time_zone::parse); "" = none. Throws
    /// invalid_argument for a text that is no zone.
    date_spec& set_time_zone(std::string_view text) {
        zone = text.empty() ? nullptr : time_zone::shared(text);
        return *this;
    }
    /// What the parser expects, for error messages: "YYYY-MM-DD", "format '%d/%m/%Y'", ...
    std::string expected() const {
        switch (format) {
            case date_format::automatic:
                return "YYYY-MM-DD, YYYYMMDD or an ISO date-time YYYY-MM-DD HH:MM:SS";
            case date_format::iso: return "YYYY-MM-DD";
            case date_format::compact: return "YYYYMMDD";
            case date_format::iso_datetime: return "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS";
            case date_format::custom: return "format '" + pattern.text() + "'";
        }
        return "a date";
    }
};

namespace detail {

/// The digits at positions pos[0..8) of s as year (4), month (2), day (2); false unless all
/// eight are digits. Branch-free: dates are parsed once per transaction.
inline bool eight_digits(const char* s, const int (&pos)[8], int& y, int& m, int& d) noexcept {
    unsigned v[8];
    bool ok = true;
    for (int i = 0; i < 8; ++i) {
        v[i] = static_cast<unsigned>(static_cast<unsigned char>(s[pos[i]])) - unsigned('0');
        ok &= v[i] < 10u;
    }
    y = static_cast<int>(v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]);
    m = static_cast<int>(v[4] * 10 + v[5]);
    d = static_cast<int>(v[6] * 10 + v[7]);
    return ok;
}

inline std::optional<day_number> parse_compact_date(std::string_view s) noexcept {
    static constexpr int pos[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    int y = 0, m = 0, d = 0;
    if (s.size() != 8 || !eight_digits(s.data(), pos, y, m, d) || !valid_civil(y, m, d))
        return std::nullopt;
    return days_from_civil(y, m, d);
}

/// YYYY-MM-DD at the start of s; `rest` receives what follows.
inline std::optional<day_number> parse_iso_prefix(std::string_view s, std::string_view& rest) noexcept {
    static constexpr int pos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    int y = 0, m = 0, d = 0;
    if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !eight_digits(s.data(), pos, y, m, d) ||
        !valid_civil(y, m, d))
        return std::nullopt;
    rest = s.substr(10);
    return days_from_civil(y, m, d);
}

/// A date or ISO date-time; a date-time with an offset is converted to `zone` when one is given.
inline std::optional<day_number> parse_iso_datetime(std::string_view s,
                                                    const time_zone* zone = nullptr) noexcept {
    std::string_view rest;
    const auto day = parse_iso_prefix(s, rest);
    if (!day) return std::nullopt;
    if (rest.empty()) return day;
    if (rest[0] != 'T' && rest[0] != ' ' && rest[0] != 't') return std::nullopt;
    iso_time t;
    if (!parse_iso_time(rest.substr(1), t)) return std::nullopt;
    if (zone == nullptr || !t.has_offset) return day;
    // The instant in seconds since 1970-01-01 UTC (a leap second counts as the one before it, so
    // 23:59:60 stays on its day), then its local day in the zone.
    const std::int64_t utc = std::int64_t(*day) * 86400 + t.hour * 3600 + t.minute * 60 +
                             std::min(t.second, 59) - t.offset;
    const std::int64_t local = zone->local_day(utc);
    if (local < min_supported_day || local > max_supported_day) return std::nullopt;
    return static_cast<day_number>(local);
}

}  // namespace detail

/// Parses s (already trimmed) as a date; nullopt if it does not match.
inline std::optional<day_number> try_parse_date(std::string_view s, const date_spec& spec) noexcept {
    switch (spec.format) {
        case date_format::automatic:
            if (s.size() == 8) return detail::parse_compact_date(s);
            return detail::parse_iso_datetime(s, spec.zone.get());
        case date_format::iso: {
            std::string_view rest;
            const auto d = detail::parse_iso_prefix(s, rest);
            return d && rest.empty() ? d : std::nullopt;
        }
        case date_format::compact: return detail::parse_compact_date(s);
        case date_format::iso_datetime: return detail::parse_iso_datetime(s, spec.zone.get());
        case date_format::custom: return spec.pattern.parse(s);
    }
    return std::nullopt;
}

/// Parses s as a date or throws ltv::error(parse_error) "cannot parse '<s>' as a date (expected …)".
inline day_number parse_date(std::string_view s, const date_spec& spec = {}) {
    if (const auto d = try_parse_date(s, spec)) return *d;
    throw error(status::parse_error, "cannot parse '" + std::string(s) + "' as a date (expected " +
                                         spec.expected() + ")");
}

}  // namespace ltv
