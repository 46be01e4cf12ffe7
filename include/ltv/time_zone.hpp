// SPDX-License-Identifier: Apache-2.0
// ltv/time_zone.hpp — time zones for taking the date of a date-time written with a UTC offset.
//
// Policy (docs/summaries.md, "Dates, times and time zones"):
//   - a date alone ("2024-03-31") is a calendar day as written; no zone applies to it;
//   - a date-time without an offset ("2024-03-31 23:30") is a local wall-clock time: its date is
//     taken as written;
//   - a date-time with an offset ("…T23:30Z", "+02:00", "+0200", "+02") is an instant. With a
//     chosen zone it is converted to that zone's local time before its date is taken; without one
//     its date is taken as written (the writer's own local date, as before 0.2.5).
//
// A zone is written as
//   UTC (also Z, GMT, Etc/UTC)       offset 0
//   +05:30, -08:00, +0530, +05       a fixed offset, ISO 8601 signs (east of Greenwich positive)
//   a POSIX TZ string                "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0",
//                                    "<+0530>-5:30" (POSIX signs: west of Greenwich positive)
//   an IANA name                     "Europe/Berlin": the TZif file <TZDIR>/<name> (TZDIR from the
//                                    environment, else /usr/share/zoneinfo) is opened and the
//                                    POSIX TZ string of its footer (TZif version 2 and later,
//                                    RFC 8536 §3.3) is used: the zone's CURRENT rules, applied to
//                                    every year; historical transitions are not applied.
//
// The POSIX TZ rules are evaluated here rather than through boost::local_time::posix_time_zone:
// Boost reads the offset with the opposite sign to POSIX ("CET+1" for UTC+1, so the IANA footer
// "CET-1CEST,…" would be two hours off), and its parser accepts neither the quoted names ("<-03>3") nor the hours beyond 24 of RFC 8536
// (",M3.5.0/-1") that many IANA footers use, and its dates stop at year 1400 while ltv's start
// at year 1. The tests check the transitions against Boost.Date_Time for zones it does accept.
// Evaluating a zone is arithmetic only: noexcept, no allocation (the date parser's hot path).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ltv/error.hpp"

namespace ltv {

class time_zone {
public:
    /// How a daylight-saving transition day is written in a POSIX TZ rule.
    struct rule {
        enum kind_t : unsigned char { julian1, julian0, month_week_day } kind = month_week_day;
        int day = 0;    ///< Jn: 1..365 (February 29 never counted); n: 0..365
        int month = 0;  ///< Mm.w.d: m 1..12, w 1..5 (5 = last), d 0..6 (0 = Sunday)
        int week = 0;
        int weekday = 0;
        std::int32_t time = 7200;  ///< seconds after local midnight, −167 h .. 167 h (RFC 8536)
    };

    time_zone() = default;  ///< UTC

    static time_zone utc() { return time_zone{}; }

    /// A fixed offset in seconds east of Greenwich (−24 h < offset < 24 h).
    static time_zone fixed(std::int32_t offset_seconds, std::string name = {}) {
        if (offset_seconds <= -86400 || offset_seconds >= 86400)
            bad(name.empty() ? std::to_string(offset_seconds) + " s" : name,
                "the offset is not within ±24 hours");
        time_zone z;
        z.std_offset_ = offset_seconds;
        z.name_ = name.empty() ? format_offset(offset_seconds) : std::move(name);
        return z;
    }

    /// A POSIX TZ string (std offset [dst [offset] ,start[/time],end[/time]]); throws
    /// invalid_argument naming the string and what is wrong with it.
    static time_zone from_posix(std::string_view tz) {
        time_zone z;
        std::string why;
        if (!z.parse_posix(tz, why))
            bad(std::string(tz), "not a POSIX TZ string: " + why);
        return z;
    }

    /// The directory of IANA zone files: $TZDIR, else /usr/share/zoneinfo.
    static std::string default_zoneinfo_dir() {
        const char* env = std::getenv("TZDIR");
        return env != nullptr && *env != '\0' ? std::string(env) : "/usr/share/zoneinfo";
    }

    /// An IANA zone ("Europe/Berlin") from its TZif file's POSIX TZ footer: its current rules.
    static time_zone from_name(std::string_view name, const std::string& dir = default_zoneinfo_dir());

    /// Any of the written forms above ("UTC", "+05:30", a POSIX TZ string, an IANA name); throws
    /// invalid_argument naming the text. An empty text is not a zone (callers treat it as none).
    static time_zone parse(std::string_view text);

    /// parse(text), shared: the zones last parsed (keyed by the text and the zone directory, at
    /// most 64) are kept, so a caller that names the zone on every call (one date per call, as
    /// the C API's ltv_parse_date_in_zone) does not read a TZif file each time.
    static std::shared_ptr<const time_zone> shared(std::string_view text);

    /// The name the zone was made from ("UTC", "+05:30", "Europe/Berlin", the TZ string).
    const std::string& name() const noexcept { return name_; }
    bool has_dst() const noexcept { return has_dst_; }
    std::int32_t standard_offset() const noexcept { return std_offset_; }  ///< east positive
    std::int32_t dst_offset() const noexcept { return dst_offset_; }

    /// The offset from UTC, in seconds east, in effect at `utc` (seconds since 1970-01-01 UTC;
    /// |utc| ≤ 10^15, some 30 million years, so that no sum overflows).
    std::int32_t offset_at(std::int64_t utc) const noexcept {
        if (!has_dst_) return std_offset_;
        const std::int64_t local_std = utc + std_offset_;
        const std::int64_t year = civil_year(floor_div(local_std, 86400));
        // The start is written in standard time, the end in daylight time; both as UTC instants.
        const std::int64_t start = transition_day(start_, year) * 86400 + start_.time - std_offset_;
        const std::int64_t end = transition_day(end_, year) * 86400 + end_.time - dst_offset_;
        const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
        return dst ? dst_offset_ : std_offset_;
    }

    /// The local calendar day (days since 1970-01-01) of the instant `utc`.
    std::int64_t local_day(std::int64_t utc) const noexcept {
        return floor_div(utc + offset_at(utc), 86400);
    }

    /// "+05:30", "-08:00", "+00:00".
    static std::string format_offset(std::int32_t east) {
        const std::int32_t a = east < 0 ? -east : east;
        char buf[24];
        std::snprintf(buf, sizeof buf, "%c%02d:%02d", east < 0 ? '-' : '+', a / 3600, a / 60 % 60);
        std::string s = buf;
        if (a % 60 != 0) {
            std::snprintf(buf, sizeof buf, ":%02d", a % 60);
            s += buf;
        }
        return s;
    }

    /// Parses an ISO 8601 offset "Z", "±HH", "±HHMM", "±HH:MM" making up all of s (hours ≤ 23,
    /// minutes ≤ 59) into seconds east; false if s is not one.
    static bool parse_iso_offset(std::string_view s, std::int32_t& east) noexcept {
        if (s.size() == 1 && (s[0] == 'Z' || s[0] == 'z')) {
            east = 0;
            return true;
        }
        if (s.size() < 3 || (s[0] != '+' && s[0] != '-') || !digits(s, 1, 2)) return false;
        const int h = (s[1] - '0') * 10 + (s[2] - '0');
        int m = 0;
        std::size_t p = 3;
        if (p < s.size()) {
            if (s[p] == ':') ++p;
            if (p + 2 != s.size() || !digits(s, p, 2)) return false;
            m = (s[p] - '0') * 10 + (s[p + 1] - '0');
        }
        if (h > 23 || m > 59) return false;
        east = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
        return true;
    }

    static std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
        return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
    }

    /// Throws ltv::error(invalid_argument) "time zone '<text>': <why>".
    [[noreturn]] static void bad(const std::string& text, const std::string& why) {
        throw error(status::invalid_argument, "time zone '" + text + "': " + why);
    }

private:
    static bool digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
        if (pos + n > s.size()) return false;
        for (std::size_t i = pos; i < pos + n; ++i)
            if (s[i] < '0' || s[i] > '9') return false;
        return true;
    }

    // Howard Hinnant's days_from_civil / civil_from_days (as ltv/date.hpp), on 64 bits.
    static std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
        y -= m <= 2;
        const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
        const std::int64_t yoe = y - era * 400;
        const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }
    static std::int64_t civil_year(std::int64_t z) noexcept {
        z += 719468;
        const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        const std::int64_t doe = z - era * 146097;
        const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const std::int64_t mp = (5 * doy + 2) / 153;
        return yoe + era * 400 + (mp >= 10);
    }
    static bool leap(std::int64_t y) noexcept {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    }

    /// The day number on which rule r falls in year y.
    static std::int64_t transition_day(const rule& r, std::int64_t y) noexcept {
        const std::int64_t jan1 = days_from_civil(y, 1, 1);
        switch (r.kind) {
            case rule::julian1: return jan1 + r.day - 1 + (leap(y) && r.day >= 60 ? 1 : 0);
            case rule::julian0: return jan1 + r.day;
            case rule::month_week_day: break;
        }
        static constexpr int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const int len = r.month == 2 && leap(y) ? 29 : mdays[r.month - 1];
        const std::int64_t first = days_from_civil(y, r.month, 1);
        const std::int64_t wd_first = floor_div(first + 4, 7) * -7 + first + 4;  // 0 = Sunday
        std::int64_t d = first + (r.weekday - wd_first + 7) % 7 + (r.week - 1) * 7;
        while (d >= first + len) d -= 7;
        return d;
    }

    // ---- POSIX TZ parsing -----------------------------------------------------------------

    struct cursor {
        std::string_view s;
        std::size_t p = 0;
        bool done() const noexcept { return p >= s.size(); }
        char peek() const noexcept { return p < s.size() ? s[p] : '\0'; }
    };

    static bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
    static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

    /// A zone abbreviation: 3+ letters, or <…> of 3+ letters, digits, '+' and '-'.
    static bool parse_abbr(cursor& c, std::string& why, const char* which) {
        const std::size_t start = c.p;
        if (c.peek() == '<') {
            ++c.p;
            while (!c.done() && c.peek() != '>') {
                const char ch = c.peek();
                if (!is_alpha(ch) && !is_digit(ch) && ch != '+' && ch != '-') {
                    why = std::string("the quoted ") + which + " name has a '" + ch + "'";
                    return false;
                }
                ++c.p;
            }
            if (c.done()) {
                why = std::string("the quoted ") + which + " name lacks its closing '>'";
                return false;
            }
            ++c.p;
            if (c.p - start - 2 < 3) {
                why = std::string("the ") + which + " name is shorter than 3 characters";
                return false;
            }
            return true;
        }
        while (!c.done() && is_alpha(c.peek())) ++c.p;
        if (c.p - start < 3) {
            why = std::string("expected the ") + which +
                  " name (3 or more letters, or <…>) at position " + std::to_string(start + 1);
            return false;
        }
        return true;
    }

    /// [+|-]hh[:mm[:ss]] with hh ≤ max_hours; seconds (sign as written).
    static bool parse_hms(cursor& c, int max_hours, std::int32_t& out, std::string& why,
                          const char* what) {
        int sign = 1;
        if (c.peek() == '+' || c.peek() == '-') {
            sign = c.peek() == '-' ? -1 : 1;
            ++c.p;
        }
        int part[3] = {0, 0, 0};
        for (int k = 0; k < 3; ++k) {
            if (k > 0) {
                if (c.peek() != ':') break;
                ++c.p;
            }
            std::size_t n = 0;
            int v = 0;
            while (!c.done() && is_digit(c.peek()) && n < 3) {
                v = v * 10 + (c.peek() - '0');
                ++c.p;
                ++n;
            }
            if (n == 0 || (k > 0 && n != 2) || (k > 0 && v > 59) || (k == 0 && v > max_hours)) {
                why = std::string("bad ") + what + " at position " + std::to_string(c.p + 1) +
                      " (expected [+|-]hh[:mm[:ss]], hours up to " + std::to_string(max_hours) +
                      ")";
                return false;
            }
            part[k] = v;
        }
        out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
        return true;
    }

    static bool parse_number(cursor& c, int lo, int hi, int& out) {
        std::size_t n = 0;
        int v = 0;
        while (!c.done() && is_digit(c.peek()) && n < 3) {
            v = v * 10 + (c.peek() - '0');
            ++c.p;
            ++n;
        }
        out = v;
        return n > 0 && v >= lo && v <= hi;
    }

    static bool parse_rule(cursor& c, rule& r, std::string& why) {
        const std::size_t at = c.p + 1;
        bool ok = true;
        if (c.peek() == 'M') {
            ++c.p;
            r.kind = rule::month_week_day;
            ok = parse_number(c, 1, 12, r.month) && c.peek() == '.';
            if (ok) ++c.p;
            ok = ok && parse_number(c, 1, 5, r.week) && c.peek() == '.';
            if (ok) ++c.p;
            ok = ok && parse_number(c, 0, 6, r.weekday);
        } else if (c.peek() == 'J') {
            ++c.p;
            r.kind = rule::julian1;
            ok = parse_number(c, 1, 365, r.day);
        } else {
            r.kind = rule::julian0;
            ok = parse_number(c, 0, 365, r.day);
        }
        if (!ok) {
            why = "bad transition rule at position " + std::to_string(at) +
                  " (expected Mm.w.d, Jn or n)";
            return false;
        }
        r.time = 7200;
        if (c.peek() == '/') {
            ++c.p;
            if (!parse_hms(c, 167, r.time, why, "transition time")) return false;
        }
        return true;
    }

    bool parse_posix(std::string_view tz, std::string& why) {
        cursor c{tz, 0};
        if (!parse_abbr(c, why, "standard-time")) return false;
        std::int32_t off = 0;
        if (c.done()) {
            why = "the standard-time offset is missing (such as CET-1 or EST5)";
            return false;
        }
        if (!parse_hms(c, 24, off, why, "standard-time offset")) return false;
        std_offset_ = -off;  // POSIX: west positive
        name_ = std::string(tz);
        if (c.done()) return true;
        if (!parse_abbr(c, why, "daylight-time")) return false;
        dst_offset_ = std_offset_ + 3600;
        if (!c.done() && c.peek() != ',') {
            if (!parse_hms(c, 24, off, why, "daylight-time offset")) return false;
            dst_offset_ = -off;
        }
        if (c.peek() != ',') {
            why = c.done() ? "a daylight-saving zone needs its rules (,start[/time],end[/time])"
                           : "unexpected '" + std::string(1, c.peek()) + "' at position " +
                                 std::to_string(c.p + 1);
            return false;
        }
        ++c.p;
        if (!parse_rule(c, start_, why)) return false;
        if (c.peek() != ',') {
            why = "expected ',' and the end rule at position " + std::to_string(c.p + 1);
            return false;
        }
        ++c.p;
        if (!parse_rule(c, end_, why)) return false;
        if (!c.done()) {
            why = "unexpected '" + std::string(c.s.substr(c.p)) + "' at the end";
            return false;
        }
        has_dst_ = true;
        return true;
    }

    std::string name_ = "UTC";
    std::int32_t std_offset_ = 0;  ///< seconds east of Greenwich
    std::int32_t dst_offset_ = 0;
    bool has_dst_ = false;
    rule start_, end_;
};

namespace detail {
/// "(expected UTC, …)" for messages about zones.
inline const char* time_zone_forms() noexcept {
    return "expected UTC, an offset such as +05:30, a POSIX TZ string such as "
           "CET-1CEST,M3.5.0,M10.5.0/3 or an IANA name such as Europe/Berlin";
}

inline std::uint32_t be32(const unsigned char* p) noexcept {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
}  // namespace detail

inline time_zone time_zone::from_name(std::string_view name, const std::string& dir) {
    const std::string n(name);
    auto fail = [&](const std::string& why) { bad(n, why); };
    if (n.empty() || n.front() == '/' || n.find("..") != std::string::npos)
        fail("not a zone name (an IANA name is relative, such as Europe/Berlin, without '..')");
    for (char ch : n)
        if (!(is_alpha(ch) || is_digit(ch) || ch == '/' || ch == '_' || ch == '-' || ch == '+' ||
              ch == '.'))
            fail(std::string("not a zone name (it has a '") + ch + "')");
    const std::string path = dir + "/" + n;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) fail("no zone file " + path + " (" + detail::time_zone_forms() + ")");
    // A TZif file is small (Europe/Berlin: 2.3 kB); 1 MiB bounds what a wrong file costs.
    std::string data;
    char buf[4096];
    std::size_t got = 0;
    while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        data.append(buf, got);
        if (data.size() > (std::size_t(1) << 20)) fail(path + " is not a TZif file (over 1 MiB)");
    }
    // RFC 8536: a 44-byte header ("TZif", version, 15 reserved bytes, six counts), the version 1
    // data block; from version 2 on a second header and 64-bit data block, then "\n<TZ>\n".
    auto header_ok = [&](std::size_t at) {
        return data.size() >= at + 44 && data.compare(at, 4, "TZif") == 0;
    };
    if (!header_ok(0)) fail(path + " is not a TZif file");
    if (data[4] < '2')
        fail(path + " is a version 1 TZif file, which has no POSIX TZ footer (version 2 or later "
                    "needed)");
    auto block = [&](std::size_t at, std::uint64_t time_size) {
        const auto* h = reinterpret_cast<const unsigned char*>(data.data() + at + 20);
        const std::uint64_t isut = detail::be32(h), isstd = detail::be32(h + 4),
                            leap = detail::be32(h + 8), timecnt = detail::be32(h + 12),
                            typecnt = detail::be32(h + 16), charcnt = detail::be32(h + 20);
        return 44 + timecnt * time_size + timecnt + typecnt * 6 + charcnt +
               leap * (time_size + 4) + isstd + isut;
    };
    const std::uint64_t second = block(0, 4);
    if (second > data.size() || !header_ok(static_cast<std::size_t>(second)))
        fail(path + " is a truncated or malformed TZif file");
    const std::uint64_t footer = second + block(static_cast<std::size_t>(second), 8);
    if (footer >= data.size() || data[static_cast<std::size_t>(footer)] != '\n')
        fail(path + " is a truncated or malformed TZif file (no footer)");
    const std::size_t from = static_cast<std::size_t>(footer) + 1;
    const std::size_t to = data.find('\n', from);
    if (to == std::string::npos) fail(path + ": the TZif footer is not terminated");
    const std::string tz = data.substr(from, to - from);
    if (tz.empty())
        fail(path + " has an empty POSIX TZ footer: the zone has no rule for the present day");
    time_zone z;
    std::string why;
    if (!z.parse_posix(tz, why)) fail(path + ": its footer '" + tz + "' is not usable: " + why);
    z.name_ = n;
    return z;
}

inline time_zone time_zone::parse(std::string_view text) {
    const std::string t(text);
    std::string up = t;
    for (char& ch : up) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    if (up == "UTC" || up == "Z" || up == "GMT" || up == "ETC/UTC") return utc();
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        std::int32_t east = 0;
        if (!parse_iso_offset(t, east))
                bad(t, "not an offset ±HH:MM (hours ≤ 23, minutes ≤ 59)");
        return fixed(east, t);
    }
    time_zone z;
    std::string why;
    if (z.parse_posix(t, why)) return z;
    // Not a POSIX TZ string: an IANA name (also "EST5EDT", "CET", whose files carry the rules).
    const bool looks_like_name = !t.empty() && t.find(',') == std::string::npos;
    if (!looks_like_name)
        bad(t, "not a POSIX TZ string: " + why);
    try {
        return from_name(t);
    } catch (const error& e) {
        // "CET-1CEST" (no rules) is meant as a TZ string: say what is wrong with it too.
        bool digit = false;
        for (char ch : t) digit = digit || is_digit(ch);
        if (!digit) throw;
        throw error(e.code(), std::string(e.what()) + "; as a POSIX TZ string: " + why);
    }
}

inline std::shared_ptr<const time_zone> time_zone::shared(std::string_view text) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, std::string>, std::shared_ptr<const time_zone>> cache;
    std::pair<std::string, std::string> key{std::string(text), default_zoneinfo_dir()};
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    auto zone = std::make_shared<const time_zone>(parse(text));  // outside the lock: file I/O
    const std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() >= 64) cache.clear();  // bounded: a program that names many zones re-reads
    cache.emplace(std::move(key), zone);
    return zone;
}

}  // namespace ltv
