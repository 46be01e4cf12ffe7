// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/date.hpp: day numbers, date formats, merge periods, time units.
#include <doctest/doctest.h>

#include "support/errors.hpp"

#include <boost/date_time/gregorian/gregorian.hpp>

#include "ltv/date.hpp"

namespace {
using ltv_test::error_message;

}  // namespace

TEST_CASE("date: day numbers agree with Boost.Date_Time over 1900..2100") {
    // Reference: boost::gregorian day arithmetic; epoch 1970-01-01 = day 0 (POSIX convention).
    const boost::gregorian::date epoch(1970, 1, 1);
    CHECK(ltv::make_day(1970, 1, 1) == 0);
    CHECK(ltv::make_day(1969, 12, 31) == -1);
    CHECK(ltv::make_day(2000, 3, 1) == 11017);  // `date -d 2000-03-01 +%s` / 86400 = 11017
    int checked = 0;
    for (boost::gregorian::date g(1900, 1, 1); g <= boost::gregorian::date(2100, 12, 31);
         g += boost::gregorian::days(1)) {
        const auto expected = static_cast<ltv::day_number>((g - epoch).days());
        const auto ymd = g.year_month_day();
        const ltv::day_number d = ltv::make_day(ymd.year, ymd.month, ymd.day);
        if (d != expected || ltv::to_gregorian(d) != g || ltv::from_gregorian(g) != d) {
            FAIL("mismatch at " << boost::gregorian::to_iso_extended_string(g));
        }
        ++checked;
    }
    CHECK(checked == 73414);  // 201 years: 201*365 + 49 leap days (2000 is leap, 1900/2100 not)
    CHECK(ltv::format_date(ltv::make_day(1997, 9, 30)) == "1997-09-30");
    CHECK(ltv::format_date(ltv::make_day(1, 1, 1)) == "0001-01-01");
}

TEST_CASE("date: invalid calendar dates are rejected") {
    CHECK(error_message([] { ltv::make_day(2023, 2, 29); }) == "make_day: no such date: 2023-2-29");
    CHECK_NOTHROW(ltv::make_day(2024, 2, 29));
    CHECK_FALSE(ltv::try_parse_date("1900-02-29", {}).has_value());  // 1900 is not leap
    CHECK(ltv::try_parse_date("2000-02-29", {}).has_value());
    CHECK_FALSE(ltv::try_parse_date("2014-13-01", {}).has_value());
    CHECK_FALSE(ltv::try_parse_date("2014-04-31", {}).has_value());
    CHECK_FALSE(ltv::try_parse_date("19970132", {}).has_value());
    CHECK_FALSE(ltv::try_parse_date("0000-01-01", {}).has_value());
}

TEST_CASE("date: automatic format reads YYYYMMDD, ISO dates and ISO date-times") {
    const ltv::day_number d = ltv::make_day(2014, 3, 8);
    for (const char* s : {"20140308", "2014-03-08", "2014-03-08 00:00:00", "2014-03-08T23:59:59",
                          "2014-03-08T12:30", "2014-03-08T12:30:00.123", "2014-03-08T12:30:00Z",
                          "2014-03-08T12:30:00+02:00", "2014-03-08 12:30:00-0500"}) {
        CAPTURE(s);
        CHECK(ltv::parse_date(s) == d);
    }
    for (const char* s : {"", "2014-3-8", "2014/03/08", "2014030", "201403080", "2014-03-08 ",
                          "2014-03-08X", "2014-03-08 25:00", "2014-03-08 12:60", "2014-03-08T12",
                          "2014-03-08T12:30:00.", "20l40308", "2014-03-08T12:30:00+2"}) {
        CAPTURE(s);
        CHECK_FALSE(ltv::try_parse_date(s, {}).has_value());
    }
    CHECK(error_message([] { ltv::parse_date("8.3.2014"); }) ==
          "cannot parse '8.3.2014' as a date (expected YYYY-MM-DD, YYYYMMDD or an ISO date-time "
          "YYYY-MM-DD HH:MM:SS)");
}

TEST_CASE("date: fixed formats accept only their own spelling") {
    CHECK(ltv::parse_date("19970101", ltv::date_format::compact) == ltv::make_day(1997, 1, 1));
    CHECK_FALSE(ltv::try_parse_date("1997-01-01", ltv::date_format::compact).has_value());
    CHECK(ltv::parse_date("1997-01-01", ltv::date_format::iso) == ltv::make_day(1997, 1, 1));
    CHECK_FALSE(ltv::try_parse_date("1997-01-01 00:00:00", ltv::date_format::iso).has_value());
    CHECK(ltv::parse_date("1997-01-01 10:00:00", ltv::date_format::iso_datetime) ==
          ltv::make_day(1997, 1, 1));
    CHECK_FALSE(ltv::try_parse_date("19970101", ltv::date_format::iso_datetime).has_value());
    CHECK(error_message([] { ltv::parse_date("1/2/1997", ltv::date_format::iso); }) ==
          "cannot parse '1/2/1997' as a date (expected YYYY-MM-DD)");
}

TEST_CASE("date: custom strftime-like patterns") {
    const auto dmy = ltv::date_spec::custom("%d/%m/%Y");
    CHECK(ltv::parse_date("08/03/2014", dmy) == ltv::make_day(2014, 3, 8));
    CHECK(ltv::parse_date("8/3/2014", dmy) == ltv::make_day(2014, 3, 8));
    CHECK_FALSE(ltv::try_parse_date("31/02/2014", dmy).has_value());
    CHECK_FALSE(ltv::try_parse_date("08/03/2014 ", dmy).has_value());
    CHECK(error_message([&] { ltv::parse_date("2014-03-08", dmy); }) ==
          "cannot parse '2014-03-08' as a date (expected format '%d/%m/%Y')");

    const auto us = ltv::date_spec::custom("%m/%d/%y %H:%M");
    CHECK(ltv::parse_date("03/08/14 17:05", us) == ltv::make_day(2014, 3, 8));
    CHECK(ltv::parse_date("12/31/99 00:00", us) == ltv::make_day(1999, 12, 31));  // POSIX pivot
    CHECK(ltv::parse_date("01/01/68 00:00", us) == ltv::make_day(2068, 1, 1));
    CHECK_FALSE(ltv::try_parse_date("03/08/14 17:65", us).has_value());

    const auto named = ltv::date_spec::custom("%d %b %Y");
    CHECK(ltv::parse_date("8 Mar 2014", named) == ltv::make_day(2014, 3, 8));
    CHECK(ltv::parse_date("8 march 2014", named) == ltv::make_day(2014, 3, 8));
    CHECK(ltv::parse_date("1 MAY 2014", named) == ltv::make_day(2014, 5, 1));
    CHECK_FALSE(ltv::try_parse_date("8 Mrz 2014", named).has_value());

    const auto ordinal = ltv::date_spec::custom("%Y-%j");
    CHECK(ltv::parse_date("2024-060", ordinal) == ltv::make_day(2024, 2, 29));
    CHECK(ltv::parse_date("2023-365", ordinal) == ltv::make_day(2023, 12, 31));
    CHECK_FALSE(ltv::try_parse_date("2023-366", ordinal).has_value());

    CHECK(ltv::parse_date("100%20140308", ltv::date_spec::custom("100%%%Y%m%d")) ==
          ltv::make_day(2014, 3, 8));
    CHECK(error_message([] { ltv::date_spec::custom("%Y-%m"); }).find("must contain a year") !=
          std::string::npos);
    CHECK(error_message([] { ltv::date_spec::custom("%Y-%m-%q"); })
              .find("unsupported directive '%q'") != std::string::npos);
    CHECK(error_message([] { ltv::date_spec::custom("%Y%m%d%"); }).find("lone '%'") !=
          std::string::npos);
}

TEST_CASE("date: merge periods and calendar arithmetic") {
    // 2014-03-08 is a Saturday (cal 3 2014); its ISO week starts Monday 2014-03-03.
    const ltv::day_number sat = ltv::make_day(2014, 3, 8);
    CHECK(ltv::period_start(ltv::merge_period::week, sat) == ltv::make_day(2014, 3, 3));
    CHECK(ltv::period_start(ltv::merge_period::week, ltv::make_day(2014, 3, 3)) ==
          ltv::make_day(2014, 3, 3));
    CHECK(ltv::period_start(ltv::merge_period::week, ltv::make_day(2014, 3, 9)) ==
          ltv::make_day(2014, 3, 3));  // Sunday belongs to the week before
    CHECK(ltv::period_start(ltv::merge_period::week, ltv::make_day(1969, 12, 31)) ==
          ltv::make_day(1969, 12, 29));  // negative day numbers
    CHECK(ltv::period_start(ltv::merge_period::month, sat) == ltv::make_day(2014, 3, 1));
    CHECK(ltv::period_start(ltv::merge_period::day, sat) == sat);
    CHECK(ltv::period_start(ltv::merge_period::none, sat) == sat);
    // Every week start is a Monday (Boost: day_of_week 1), over 10 years of days.
    for (ltv::day_number d = ltv::make_day(2015, 1, 1); d < ltv::make_day(2025, 1, 1); ++d) {
        const auto w = ltv::period_start(ltv::merge_period::week, d);
        if (ltv::to_gregorian(w).day_of_week().as_number() != 1 || d - w < 0 || d - w > 6)
            FAIL("bad week start for " << ltv::format_date(d));
    }
    CHECK(ltv::add_months(ltv::make_day(2014, 1, 31), 1) == ltv::make_day(2014, 2, 28));
    CHECK(ltv::add_months(ltv::make_day(2024, 1, 31), 1) == ltv::make_day(2024, 2, 29));
    CHECK(ltv::add_months(ltv::make_day(2014, 2, 28), 1) == ltv::make_day(2014, 3, 28));
    CHECK(ltv::add_months(ltv::make_day(2014, 11, 15), 3) == ltv::make_day(2015, 2, 15));
    CHECK(ltv::add_months(ltv::make_day(2014, 1, 15), -1) == ltv::make_day(2013, 12, 15));
    CHECK(ltv::parse_merge_period("W") == ltv::merge_period::week);
    CHECK(ltv::parse_merge_period("None") == ltv::merge_period::none);
    CHECK(error_message([] { ltv::parse_merge_period("fortnight"); }).find("'fortnight'") !=
          std::string::npos);
}

TEST_CASE("date: time units") {
    CHECK(ltv::parse_time_unit("week").days == 7.0);
    CHECK(ltv::parse_time_unit("D").days == 1.0);
    CHECK(ltv::parse_time_unit("month").days == 30.0);
    CHECK(ltv::parse_time_unit("14").days == 14.0);
    CHECK(ltv::parse_time_unit("3.5d").days == 3.5);
    CHECK(ltv::time_unit::week().convert(272) == doctest::Approx(272.0 / 7).epsilon(1e-15));
    CHECK(error_message([] { ltv::parse_time_unit("0"); }).find("unknown time unit '0'") !=
          std::string::npos);
    CHECK(error_message([] { ltv::parse_time_unit("-3"); }).find("'-3'") != std::string::npos);
    CHECK(error_message([] { ltv::time_unit::of_days(0); }) ==
          "time_unit::of_days: argument 'days' = 0 is not a supported time unit: a length in "
          "days from 1e-06 to 1e+07 (1 = days, 7 = weeks, 30 = months)");
}
