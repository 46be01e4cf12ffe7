// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/time_zone.hpp and of date-times with offsets in ltv/date.hpp and the reader: the
// zone policy (docs/summaries.md, "Dates, times and time zones").
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <boost/date_time/local_time/local_time.hpp>

#include "ltv/date.hpp"
#include "ltv/time_zone.hpp"
#include "ltv/transactions.hpp"

namespace {
using ltv_test::error_message;
using ltv_test::error_status;

ltv::date_spec in_zone(const char* zone) {
    ltv::date_spec s;
    s.set_time_zone(zone);
    return s;
}

std::string date_in(const char* text, const char* zone) {
    return ltv::format_date(ltv::parse_date(text, in_zone(zone)));
}

/// Seconds since 1970-01-01T00:00:00Z of a UTC wall time.
std::int64_t utc(int y, int mo, int d, int h, int mi, int s) {
    return std::int64_t(ltv::make_day(y, mo, d)) * 86400 + h * 3600 + mi * 60 + s;
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

/// A minimal TZif file (RFC 8536): header and empty data block of version 1, the same for the
/// 64-bit part, then the footer "\n<tz>\n".
std::string tzif(char version, const std::string& tz) {
    std::string header = "TZif";
    header += version;
    header += std::string(15 + 24, '\0');  // reserved, six zero counts
    std::string out = header;
    if (version >= '2') out += header + "\n" + tz + "\n";
    return out;
}
}  // namespace

TEST_CASE("time zone: without a zone, date-times with offsets keep their written date") {
    // The policy before 0.2.5, and still the default.
    CHECK(ltv::format_date(ltv::parse_date("2024-01-01T00:30:00+02:00")) == "2024-01-01");
    CHECK(ltv::format_date(ltv::parse_date("2023-12-31T23:30:00-0200")) == "2023-12-31");
    CHECK(ltv::format_date(ltv::parse_date("2023-12-31T23:30:00Z")) == "2023-12-31");
    ltv::date_spec none;
    none.set_time_zone("");  // "" = no zone
    CHECK(none.zone == nullptr);
}

TEST_CASE("time zone: UTC and fixed offsets move the date across midnight both ways") {
    // 00:30 at +02:00 is 22:30 UTC the day before; 23:30 at −02:00 is 01:30 UTC the day after.
    CHECK(date_in("2024-01-01T00:30:00+02:00", "UTC") == "2023-12-31");
    CHECK(date_in("2023-12-31T23:30:00-02:00", "UTC") == "2024-01-01");
    CHECK(date_in("2023-12-31 23:30-0200", "UTC") == "2024-01-01");  // ±HHMM
    CHECK(date_in("2023-12-31T23:30-02", "UTC") == "2024-01-01");    // ±HH
    // 20:00Z is 01:30 the next day at +05:30; 07:59:59Z is 23:59:59 the day before at −08:00.
    CHECK(date_in("2024-06-30T20:00:00Z", "+05:30") == "2024-07-01");
    CHECK(date_in("2024-06-30T18:29:59Z", "+05:30") == "2024-06-30");
    CHECK(date_in("2024-07-01T07:59:59Z", "-08:00") == "2024-06-30");
    CHECK(date_in("2024-07-01T08:00:00Z", "-08:00") == "2024-07-01");
    // Across a year and a leap day; a leap second stays on its day.
    CHECK(date_in("2024-03-01T01:00:00+03:00", "UTC") == "2024-02-29");
    CHECK(date_in("2016-12-31T23:59:60Z", "UTC") == "2016-12-31");
    // 24:00 is the end of the day, i.e. the next day's midnight, once converted.
    CHECK(date_in("2024-01-01T24:00:00Z", "UTC") == "2024-01-02");
}

TEST_CASE("time zone: dates alone and date-times without an offset are never converted") {
    for (const char* zone : {"UTC", "-08:00", "+14:00", "Pacific/Kiritimati"}) {
        if (std::string(zone).find('/') != std::string::npos &&
            !file_exists(ltv::time_zone::default_zoneinfo_dir() + "/" + zone))
            continue;
        CAPTURE(zone);
        CHECK(date_in("2024-01-01", zone) == "2024-01-01");
        CHECK(date_in("20240101", zone) == "2024-01-01");
        CHECK(date_in("2024-01-01 23:59:59", zone) == "2024-01-01");
        CHECK(ltv::format_date(ltv::parse_date("01/01/2024", [&] {
                  ltv::date_spec s = ltv::date_spec::custom("%d/%m/%Y");
                  s.set_time_zone(zone);
                  return s;
              }())) == "2024-01-01");
    }
    // iso_datetime converts like automatic; iso (dates only) refuses a time at all.
    ltv::date_spec s = in_zone("UTC");
    s.format = ltv::date_format::iso_datetime;
    CHECK(ltv::format_date(ltv::parse_date("2024-01-01T00:30+02:00", s)) == "2023-12-31");
}

TEST_CASE("time zone: the DST switch days under CET rules") {
    // EU rule (Directive 2000/84/EC): summer time from 01:00 UTC on the last Sunday of March to
    // 01:00 UTC on the last Sunday of October; 2024: March 31 and October 27. Reference values:
    // `TZ=Europe/Berlin date -d 2024-03-31T01:00:00Z` = 03:00:00 +0200, 00:59:59Z = 01:59:59 +0100.
    const ltv::time_zone cet = ltv::time_zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(cet.has_dst());
    CHECK(cet.offset_at(utc(2024, 3, 31, 0, 59, 59)) == 3600);
    CHECK(cet.offset_at(utc(2024, 3, 31, 1, 0, 0)) == 7200);
    CHECK(cet.offset_at(utc(2024, 10, 27, 0, 59, 59)) == 7200);
    CHECK(cet.offset_at(utc(2024, 10, 27, 1, 0, 0)) == 3600);
    // The same UTC time of day falls on different local dates either side of the switch:
    // 22:30Z is 23:30 CET on March 30 but 00:30 CEST on April 1.
    const char* rules = "CET-1CEST,M3.5.0,M10.5.0/3";
    CHECK(date_in("2024-03-30T22:30:00Z", rules) == "2024-03-30");
    CHECK(date_in("2024-03-31T22:30:00Z", rules) == "2024-04-01");
    CHECK(date_in("2024-10-26T22:30:00Z", rules) == "2024-10-27");  // still CEST
    CHECK(date_in("2024-10-27T22:30:00Z", rules) == "2024-10-27");  // CET again
    CHECK(date_in("2024-10-27T23:00:00Z", rules) == "2024-10-28");
}

TEST_CASE("time zone: POSIX rules agree with Boost.Date_Time's posix_time_zone, hour by hour") {
    // Reference: boost::local_time::local_date_time(utc, zone).is_dst() for every hour of
    // 2019..2026, for a northern (EU, US) and a southern (Sydney) hemisphere rule. Boost's
    // posix_time_zone reads the offset with the opposite sign to POSIX ("CET+1" for UTC+1, as its
    // documentation says), so it is given the same rules with the sign turned.
    int checked = 0;
    const std::pair<std::string, std::string> zones[] = {
        {"CET-1CEST,M3.5.0,M10.5.0/3", "CET+1CEST,M3.5.0,M10.5.0/3"},
        {"EST5EDT,M3.2.0,M11.1.0", "EST-5EDT,M3.2.0,M11.1.0"},
        {"AEST-10AEDT,M10.1.0,M4.1.0/3", "AEST+10AEDT,M10.1.0,M4.1.0/3"}};
    for (const auto& zone : zones) {
        const std::string& rules = zone.first;
        const std::string& boost_rules = zone.second;
        CAPTURE(rules);
        const ltv::time_zone ours = ltv::time_zone::from_posix(rules);
        const boost::local_time::time_zone_ptr theirs(
            new boost::local_time::posix_time_zone(boost_rules));
        const boost::posix_time::ptime epoch(boost::gregorian::date(1970, 1, 1));
        for (std::int64_t t = utc(2019, 1, 1, 0, 0, 0); t < utc(2027, 1, 1, 0, 0, 0); t += 3600) {
            const boost::local_time::local_date_time ldt(epoch + boost::posix_time::seconds(t),
                                                         theirs);
            const bool dst = ours.offset_at(t) == ours.dst_offset();
            if (dst != ldt.is_dst()) FAIL("DST differs at " << t);
            ++checked;
        }
    }
    CHECK(checked == 3 * 70128);  // 8 years × 8766 hours (2020 and 2024 leap)
}

TEST_CASE("time zone: POSIX forms Boost does not read: <names>, Jn, n, hours beyond 24") {
    // America/Sao_Paulo's footer (tzdata 2019c on): no DST, 3 hours west.
    const ltv::time_zone sp = ltv::time_zone::from_posix("<-03>3");
    CHECK_FALSE(sp.has_dst());
    CHECK(sp.standard_offset() == -10800);
    // America/Nuuk's footer (tzdata 2023c on): DST from "−1:00 on the last Sunday of March",
    // i.e. Saturday 23:00 local standard time = 01:00 UTC on Sunday. Reference:
    // `TZ=America/Nuuk date -d 2024-03-31T01:00:00Z` = 00:00:00 −0100 (00:59:59Z: 22:59:59 −0200).
    const ltv::time_zone nuuk = ltv::time_zone::from_posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    CHECK(nuuk.offset_at(utc(2024, 3, 31, 0, 59, 59)) == -7200);
    CHECK(nuuk.offset_at(utc(2024, 3, 31, 1, 0, 0)) == -3600);
    // Always-DST (the "permanent DST" idiom of RFC 8536 §3.3.1): DST all year.
    const ltv::time_zone always = ltv::time_zone::from_posix("EST5EDT,0/0,J365/25");
    CHECK(always.offset_at(utc(2024, 1, 1, 12, 0, 0)) == -14400);
    CHECK(always.offset_at(utc(2024, 12, 31, 12, 0, 0)) == -14400);
    // J60 is March 1 in every year (February 29 never counted); 59 (zero-based) is Feb 29 in 2024.
    const ltv::time_zone j = ltv::time_zone::from_posix("AAA0BBB,J60/0,J300/0");
    CHECK(j.offset_at(utc(2024, 2, 29, 23, 59, 59)) == 0);
    CHECK(j.offset_at(utc(2024, 3, 1, 0, 0, 0)) == 3600);
    const ltv::time_zone n = ltv::time_zone::from_posix("AAA0BBB,59/0,300/0");
    CHECK(n.offset_at(utc(2024, 2, 28, 23, 59, 59)) == 0);
    CHECK(n.offset_at(utc(2024, 2, 29, 0, 0, 0)) == 3600);
}

TEST_CASE("time zone: IANA names read the TZif footer") {
    // A file of our own, found through the dir argument (as $TZDIR would be).
    const std::string dir = "ltv_tz_test_dir";
    std::filesystem::create_directories(dir + "/Test");
    struct cleanup {
        std::string dir;
        ~cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } remove_afterwards{dir};
    std::ofstream(dir + "/Test/Zone", std::ios::binary) << tzif('2', "XYZ-3");
    std::ofstream(dir + "/Test/Old", std::ios::binary) << tzif('\0', "");
    std::ofstream(dir + "/Test/Empty", std::ios::binary) << tzif('3', "");
    std::ofstream(dir + "/Test/Cut", std::ios::binary) << tzif('2', "XYZ-3").substr(0, 60);
    const ltv::time_zone z = ltv::time_zone::from_name("Test/Zone", dir);
    CHECK(z.name() == "Test/Zone");
    CHECK(z.standard_offset() == 3 * 3600);
    CHECK(error_message([&] { ltv::time_zone::from_name("Test/Old", dir); }).find(
              "version 1 TZif file") != std::string::npos);
    CHECK(error_message([&] { ltv::time_zone::from_name("Test/Empty", dir); }).find(
              "empty POSIX TZ footer") != std::string::npos);
    CHECK(error_message([&] { ltv::time_zone::from_name("Test/Cut", dir); }).find(
              "truncated or malformed") != std::string::npos);
    CHECK(error_message([&] { ltv::time_zone::from_name("Test", dir); }).find(
              "is not a TZif file") != std::string::npos);  // a directory

    // The system's tzdata, when installed (Debian: tzdata).
    const std::string sys = ltv::time_zone::default_zoneinfo_dir();
    if (!file_exists(sys + "/Europe/Berlin")) {
        MESSAGE("no " << sys << "/Europe/Berlin: the system zone check is skipped");
        return;
    }
    const ltv::time_zone berlin = ltv::time_zone::parse("Europe/Berlin");
    CHECK(berlin.name() == "Europe/Berlin");
    CHECK(berlin.offset_at(utc(2024, 7, 1, 0, 0, 0)) == 7200);
    CHECK(berlin.offset_at(utc(2024, 1, 1, 0, 0, 0)) == 3600);
    CHECK(date_in("2024-03-31T22:30:00Z", "Europe/Berlin") == "2024-04-01");
    CHECK(date_in("2024-03-30T22:30:00Z", "Europe/Berlin") == "2024-03-30");
    // `TZ=America/New_York date -d 2024-03-10T07:00:00Z` = 03:00:00 −0400 (06:59:59Z: 01:59 −0500)
    if (file_exists(sys + "/America/New_York")) {
        const ltv::time_zone ny = ltv::time_zone::parse("America/New_York");
        CHECK(ny.offset_at(utc(2024, 3, 10, 6, 59, 59)) == -18000);
        CHECK(ny.offset_at(utc(2024, 3, 10, 7, 0, 0)) == -14400);
        CHECK(date_in("2024-03-10T03:30:00Z", "America/New_York") == "2024-03-09");
    }
}

TEST_CASE("time zone: invalid zones are refused naming the text") {
    using ltv::status;
    CHECK(error_status([] { ltv::time_zone::parse("Mars/Olympus_Mons"); }) ==
          status::invalid_argument);
    CHECK(error_message([] { ltv::time_zone::parse("Mars/Olympus_Mons"); })
              .rfind("time zone 'Mars/Olympus_Mons': no zone file ", 0) == 0);
    CHECK(error_message([] { ltv::time_zone::parse("../../etc/passwd"); }) ==
          "time zone '../../etc/passwd': not a zone name (an IANA name is relative, such as "
          "Europe/Berlin, without '..')");
    CHECK(error_message([] { ltv::time_zone::parse("/etc/localtime"); }).find("not a zone name") !=
          std::string::npos);
    CHECK(error_message([] { ltv::time_zone::parse("+24:00"); }) ==
          "time zone '+24:00': not an offset ±HH:MM (hours ≤ 23, minutes ≤ 59)");
    CHECK(error_message([] { ltv::time_zone::parse("+5:30"); }).find("not an offset") !=
          std::string::npos);
    CHECK(error_message([] { ltv::time_zone::parse("CET-1CEST,M13.5.0,M10.5.0/3"); }) ==
          "time zone 'CET-1CEST,M13.5.0,M10.5.0/3': not a POSIX TZ string: bad transition rule "
          "at position 11 (expected Mm.w.d, Jn or n)");
    CHECK(error_message([] { ltv::time_zone::parse("CET-1CEST"); }).find(
              "a daylight-saving zone needs its rules") != std::string::npos);
    CHECK(error_message([] { ltv::time_zone::parse("Europe/Berlin\n"); }).find(
              "not a zone name") != std::string::npos);
    CHECK(error_message([] { ltv::time_zone::from_posix("CET-1CEST,M3.5.0"); }).find(
              "expected ',' and the end rule") != std::string::npos);
    CHECK(error_message([] { ltv::time_zone::from_posix("CET-25"); }).find(
              "bad standard-time offset") != std::string::npos);
    ltv::date_spec s;
    CHECK(error_status([&] { s.set_time_zone("Nowhere/Land"); }) == status::invalid_argument);
    CHECK(s.zone == nullptr);  // unchanged by the refused zone
}

TEST_CASE("time zone: the reader converts with read_options::dates.zone") {
    const char* csv =
        "customer_id,date,amount\n"
        "a,2024-03-31T22:30:00Z,1\n"          // Berlin: 2024-04-01
        "a,2024-03-30T22:30:00+00:00,2\n"     // Berlin: 2024-03-30
        "b,2024-03-31,3\n"                    // a date: as written
        "b,2024-03-31 23:30:00,4\n";          // no offset: as written
    ltv::read_options o;
    o.dates.set_time_zone("CET-1CEST,M3.5.0,M10.5.0/3");
    const ltv::transaction_log log = ltv::load_transactions_text(csv, o);
    REQUIRE(log.rows.size() == 4);
    CHECK(ltv::format_date(log.rows[0].day) == "2024-04-01");
    CHECK(ltv::format_date(log.rows[1].day) == "2024-03-30");
    CHECK(ltv::format_date(log.rows[2].day) == "2024-03-31");
    CHECK(ltv::format_date(log.rows[3].day) == "2024-03-31");
    const ltv::transaction_log plain = ltv::load_transactions_text(csv, {});
    CHECK(ltv::format_date(plain.rows[0].day) == "2024-03-31");
    // A conversion out of the supported years is a parse error naming the row, not a wrap.
    ltv::read_options west;
    west.dates.set_time_zone("-01:00");
    CHECK(error_message([&] {
              ltv::load_transactions_text("customer_id,date\na,0001-01-01T00:30Z\n", west);
          }).find("<text>:2: column 2 ('date'): cannot parse '0001-01-01T00:30Z'") !=
          std::string::npos);
}
