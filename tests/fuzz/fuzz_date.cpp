// SPDX-License-Identifier: Apache-2.0
// fuzz_date — date parsing (ltv/date.hpp) against an independent reference parser.
//
// Every input is parsed by ltv::try_parse_date in each fixed format (automatic, iso, compact,
// iso_datetime) and with a few custom patterns, and by the reference below; both must agree on
// accept/reject and on the day number. The reference is written differently on purpose: the
// fixed formats are matched character class by character class against the documented grammar
// (the top of date.hpp), the custom patterns by std::regex, and the calendar (validity, leap
// years, day numbers) is Boost.Date_Time's gregorian::date — years below Boost's 1400 are moved
// by 2000 years (five 400-year Gregorian cycles of 146097 days each, so weekdays and leap years
// repeat) and the day number moved back.
//
// The documented grammar of a date-time, as checked here:
//   YYYY-MM-DD ( 'T' | 't' | ' ' ) HH ':' MM [ ':' SS [ ( '.' | ',' ) digit+ ] ]
//                                  [ 'Z' | 'z' | ( '+' | '-' ) HH [ [':'] MM ] ]
//   HH 00-24, MM 00-59, SS 00-60 (a leap second), offset hours 00-23, offset minutes 00-59.
// (Lower-case 't'/'z' are RFC 3339's, the decimal comma and the colon-less offset ISO 8601's.)
// Also: parse_date throws ltv::error(parse_error) exactly when try_parse_date rejects, and an
// accepted day formats (format_date) to text that parses back to the same day.
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include <boost/date_time/gregorian/gregorian.hpp>

#include "fuzz_common.hpp"
#include "ltv/date.hpp"

namespace {

namespace greg = boost::gregorian;

bool digit(char c) { return c >= '0' && c <= '9'; }

/// The value of s[pos, pos + n) if all n are digits.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos > s.size() || s.size() - pos < n) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!digit(s[i])) return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/// Day number (days since 1970-01-01) of y-m-d by Boost.Date_Time, nullopt if no such date.
std::optional<std::int64_t> boost_day(int y, int m, int d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const int shift = y < 1400 ? 2000 : 0;  // five Gregorian cycles
    try {
        const greg::date g(static_cast<unsigned short>(y + shift), static_cast<unsigned short>(m),
                           static_cast<unsigned short>(d));
        const greg::date epoch(1970, 1, 1);
        return (g - epoch).days() - (shift / 400) * 146097LL;
    } catch (const std::out_of_range&) {  // Boost's bad_day_of_month and friends
        return std::nullopt;
    }
}

/// Day number of day-of-year `yday` (1-based) in year y.
std::optional<std::int64_t> boost_yday(int y, int yday) {
    if (y < 1 || y > 9999 || yday < 1 || yday > 366) return std::nullopt;
    const int shift = y < 1400 ? 2000 : 0;
    try {
        const greg::date jan1(static_cast<unsigned short>(y + shift), 1, 1);
        const greg::date g = jan1 + greg::days(yday - 1);  // 9999 + 366 days: bad_year
        if (g.year() != y + shift) return std::nullopt;
        return (g - greg::date(1970, 1, 1)).days() - (shift / 400) * 146097LL;
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
}

std::optional<std::int64_t> ref_compact(std::string_view s) {
    if (s.size() != 8) return std::nullopt;
    const auto y = digits(s, 0, 4), m = digits(s, 4, 2), d = digits(s, 6, 2);
    if (!y || !m || !d) return std::nullopt;
    return boost_day(*y, *m, *d);
}

std::optional<std::int64_t> ref_iso(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    const auto y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
    if (!y || !m || !d) return std::nullopt;
    return boost_day(*y, *m, *d);
}

/// HH:MM[:SS[(.|,)digits]][Z|z|(+|-)HH[[:]MM]] making up all of t.
bool ref_time(std::string_view t) {
    std::size_t p = 0;
    const auto hh = digits(t, 0, 2);
    if (!hh || *hh > 24 || t.size() < 3 || t[2] != ':') return false;
    const auto mm = digits(t, 3, 2);
    if (!mm || *mm > 59) return false;
    p = 5;
    if (p < t.size() && t[p] == ':') {
        const auto ss = digits(t, p + 1, 2);
        if (!ss || *ss > 60) return false;
        p += 3;
        if (p < t.size() && (t[p] == '.' || t[p] == ',')) {
            ++p;
            const std::size_t start = p;
            while (p < t.size() && digit(t[p])) ++p;
            if (p == start) return false;
        }
    }
    const std::string_view zone = t.substr(p);
    if (zone.empty() || zone == "Z" || zone == "z") return true;
    if (zone[0] != '+' && zone[0] != '-') return false;
    const auto oh = digits(zone, 1, 2);
    if (!oh || *oh > 23) return false;  // offsets of 24 h or more are malformed (since 0.2.5)
    if (zone.size() == 3) return true;  // ±HH
    std::size_t q = 3;
    if (zone[q] == ':') ++q;
    const auto om = digits(zone, q, 2);
    return om && *om <= 59 && q + 2 == zone.size();
}

std::optional<std::int64_t> ref_iso_datetime(std::string_view s) {
    if (s.size() == 10) return ref_iso(s);
    if (s.size() < 11) return std::nullopt;
    const auto day = ref_iso(s.substr(0, 10));
    if (!day) return std::nullopt;
    const char sep = s[10];
    if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
    if (!ref_time(s.substr(11))) return std::nullopt;
    return day;
}

std::optional<std::int64_t> ref_automatic(std::string_view s) {
    return s.size() == 8 ? ref_compact(s) : ref_iso_datetime(s);
}

// ---- custom patterns by std::regex ----------------------------------------------------------

int month_number(std::string name) {
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    static const char* names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; ++i)
        if (name.compare(0, 3, names[i]) == 0) return i + 1;
    return 0;
}

struct custom_case {
    const char* pattern;
    char needs;  // a character every match contains (skips the slow regex for most inputs)
    std::regex re;
    ltv::date_spec spec;
    // from the regex groups to a day number
    std::optional<std::int64_t> (*convert)(const std::smatch&);
};

int num(const std::ssub_match& m) { return std::stoi(m.str()); }

std::optional<std::int64_t> conv_dmy(const std::smatch& m) {
    return boost_day(num(m[3]), num(m[2]), num(m[1]));
}
std::optional<std::int64_t> conv_mdy2(const std::smatch& m) {
    const int yy = num(m[3]);
    return boost_day(yy < 69 ? 2000 + yy : 1900 + yy, num(m[1]), num(m[2]));
}
std::optional<std::int64_t> conv_dmy_hms(const std::smatch& m) {
    if (num(m[4]) > 24 || num(m[5]) > 59 || num(m[6]) > 60) return std::nullopt;
    return boost_day(num(m[3]), num(m[2]), num(m[1]));
}
std::optional<std::int64_t> conv_bdy(const std::smatch& m) {
    return boost_day(num(m[3]), month_number(m[1].str()), num(m[2]));
}
std::optional<std::int64_t> conv_yj(const std::smatch& m) {
    return boost_yday(num(m[1]), num(m[2]));
}

custom_case make(const char* pattern, char needs, std::regex re,
                 std::optional<std::int64_t> (*convert)(const std::smatch&)) {
    return custom_case{pattern, needs, std::move(re), ltv::date_spec::custom(pattern), convert};
}

const std::vector<custom_case>& custom_cases() {
    static const std::string months =
        "(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|"
        "september|oct|october|nov|november|dec|december)";
    static const std::vector<custom_case> cases{
        make("%d/%m/%Y", '/', std::regex("([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), conv_dmy),
        make("%m/%d/%y", '/', std::regex("([0-9]{1,2})/([0-9]{1,2})/([0-9]{2})"), conv_mdy2),
        make("%d.%m.%Y %H:%M:%S", ':',
             std::regex("([0-9]{1,2})\\.([0-9]{1,2})\\.([0-9]{4}) "
                        "([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"),
             conv_dmy_hms),
        make("%b %d, %Y", ',', std::regex(months + " ([0-9]{1,2}), ([0-9]{4})", std::regex::icase),
             conv_bdy),
        make("%Y-%j", '-', std::regex("([0-9]{4})-([0-9]{1,3})"), conv_yj),
    };
    return cases;
}

std::string show(const std::optional<std::int64_t>& d) {
    return d ? std::to_string(*d) : std::string("reject");
}

void compare(std::string_view s, const ltv::date_spec& spec, const char* name,
             const std::optional<std::int64_t>& want) {
    std::optional<ltv::day_number> got;
    ltv_fuzz::run_guarded([&] { got = ltv::try_parse_date(s, spec); });
    const std::optional<std::int64_t> got64 =
        got ? std::optional<std::int64_t>(*got) : std::nullopt;
    LTV_FUZZ_CHECK(got64 == want, std::string(name) + " '" + ltv_fuzz::printable(s) + "': ltv " +
                                      show(got64) + ", reference " + show(want));
    ltv::status code{};
    const bool ok = ltv_fuzz::run_guarded([&] { (void)ltv::parse_date(s, spec); }, &code);
    LTV_FUZZ_CHECK(ok == got.has_value() && (ok || code == ltv::status::parse_error),
                   std::string(name) + ": parse_date disagrees with try_parse_date");
    if (got) {
        std::string text;
        ltv_fuzz::run_guarded([&] { text = ltv::format_date(*got); });
        const auto back = ltv::try_parse_date(text, ltv::date_format::iso);
        LTV_FUZZ_CHECK(back && *back == *got,
                       std::string(name) + ": format_date does not parse back: " + text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64) return 0;  // dates are short; longer inputs add nothing
    const std::string s(reinterpret_cast<const char*>(data), size);
    compare(s, ltv::date_format::automatic, "automatic", ref_automatic(s));
    compare(s, ltv::date_format::iso, "iso", ref_iso(s));
    compare(s, ltv::date_format::compact, "compact", ref_compact(s));
    compare(s, ltv::date_format::iso_datetime, "iso_datetime", ref_iso_datetime(s));
    for (const custom_case& c : custom_cases()) {
        std::smatch m;
        std::optional<std::int64_t> want;
        if (s.find(c.needs) != std::string::npos && std::regex_match(s, m, c.re))
            want = c.convert(m);
        compare(s, c.spec, c.pattern, want);
    }
    return 0;
}
