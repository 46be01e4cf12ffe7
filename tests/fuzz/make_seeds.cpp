// SPDX-License-Identifier: Apache-2.0
// make_seeds — writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/)
// from the test data: excerpts of tests/data and examples/data, model files of every kind,
// saved summary states, dates. Deterministic; the output is committed. Run it after changing a
// file format:  cmake --build build-fuzz --target fuzz_make_seeds &&
// build-fuzz/fuzz/fuzz_make_seeds (an argument overrides the output directory, default
// <source>/tests/fuzz/corpus).
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/model_state.hpp"
#include "ltv/summary.hpp"

namespace fs = std::filesystem;

namespace {

fs::path out_root;

std::string read_file(const std::string& relative) {
    std::ifstream in(std::string(LTV_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + relative);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The first `lines` lines (line ends kept) of a file.
std::string head(const std::string& relative, int lines) {
    const std::string all = read_file(relative);
    std::size_t pos = 0;
    for (int i = 0; i < lines && pos != std::string::npos; ++i) {
        pos = all.find('\n', pos);
        if (pos != std::string::npos) ++pos;
    }
    return all.substr(0, pos == std::string::npos ? all.size() : pos);
}

void write(const std::string& harness, const std::string& name, const std::string& bytes) {
    const fs::path dir = out_root / harness;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

std::string bytes2(unsigned b0, unsigned b1) {
    return std::string{static_cast<char>(b0), static_cast<char>(b1)};
}

// ---- fuzz_reader: byte 0 delimiter/header/lenient/quote/dates, byte 1 block/columns -------------

void reader_seeds() {
    // byte 0: bits 0-2 delimiter (0 detect, 1 ',', 2 ';', 3 TAB, 4 '|', 5 blank), bit 3 no
    // header, bit 4 lenient, bit 5 quote ', bits 6-7 dates (auto, iso, iso_datetime, %d/%m/%Y);
    // byte 1: bits 0-5 file block size - 1, bits 6-7 column layout (see fuzz_reader.cpp).
    write("fuzz_reader", "example_transactions",
          bytes2(0x00, 0x40 | 7) + head("tests/data/example_transactions.csv", 30));
    write("fuzz_reader", "cdnow_sample_no_header",
          bytes2(0x08, 0xC0 | 12) + head("tests/data/CDNOW_sample.txt", 30));
    write("fuzz_reader", "cdnow_master",
          bytes2(0x05, 0x80 | 31) + head("examples/data/CDNOW_master.txt", 30));
    write("fuzz_reader", "quoted_crlf",
          bytes2(0x01, 0x00 | 3) +
              "customer_id,date,amount,quantity\r\n"
              "\"a,1\",2020-01-01,1.50,1\r\n"
              "\"b \"\"quoted\"\"\",2020-01-02T10:00:00Z,-2,3\r\n"
              "  c  , 2020-01-03 ,  7e2 , 0\r\n"
              "\r\n"
              "\"multi\nline\",20200104,0.25,1\r\n");
    write("fuzz_reader", "bom_semicolon_lenient",
          bytes2(0x10, 0x00 | 1) +
              "\xEF\xBB\xBF"
              "customer_id;date;amount\n"
              "x;2021-02-28;10\n"
              "y;2021-02-29;11\n"
              "z;not a date;12\n"
              "x;2021-03-01;oops\n"
              "y;2021-03-02\n"
              "x;2021-03-03;13.125\n");
    write("fuzz_reader", "tab_iso_datetime",
          bytes2(0x80 | 0x03, 0x00 | 5) +
              "customer_id\tdate\tamount\n"
              "1\t2019-12-31 23:59:59\t5\n"
              "2\t2019-12-31T23:59:59.123+01:00\t6\n"
              "1\t2020-01-01 00:00\t7\n");
    write("fuzz_reader", "pipe_custom_dates_single_quote",
          bytes2(0xC0 | 0x20 | 0x04, 0x00 | 9) +
              "customer_id|date|amount\n"
              "'p|1'|31/12/1999|1\n"
              "'it''s'|1/2/2000|2\n"
              "q|29/02/2000|3\n");
    write("fuzz_reader", "whitespace_header",
          bytes2(0x05, 0x00 | 16) +
              "customer_id date amount\n"
              "  a   20200101   1\n"
              "\tb\t2020-01-02\t2\n"
              "\"c d\" 2020-01-03 3\n");
    write("fuzz_reader", "iso_only_cr_line_ends",
          bytes2(0x40, 0x40 | 2) +
              "id,date\r"
              "1,2020-05-05\r"
              "2,2020-05-06\r"
              "1,2020-05-07");
    write("fuzz_reader", "header_only", bytes2(0x00, 0x00) + "customer_id,date,amount\n");
    write("fuzz_reader", "empty", bytes2(0x00, 0x00));
}

// ---- fuzz_summary_state: saved states -----------------------------------------------------------

std::string saved(const ltv::summary_state& st) {
    std::ostringstream out;
    st.save(out);
    return out.str();
}

void summary_state_seeds() {
    ltv::read_options cdnow;
    cdnow.delimiter = ' ';
    cdnow.header = false;
    cdnow.customer = ltv::column_ref::at(0);
    cdnow.date = ltv::column_ref::at(2);
    cdnow.amount = ltv::column_ref::at(4);
    const std::string sample = head("tests/data/CDNOW_sample.txt", 120);

    {
        ltv::summary_state st;
        st.add_text(sample, cdnow);
        write("fuzz_summary_state", "cdnow_day", saved(st));
    }
    {
        ltv::summary_options o;
        o.observation_end = ltv::make_day(1997, 9, 30);
        o.calibration_end = ltv::make_day(1997, 4, 30);
        o.merge = ltv::merge_period::week;
        o.unit = ltv::time_unit::week();
        ltv::summary_state st(o);
        st.add_text(sample, cdnow);
        write("fuzz_summary_state", "cdnow_holdout_week", saved(st));
    }
    {
        ltv::summary_options o;
        o.merge = ltv::merge_period::month;
        o.unit = ltv::time_unit::month();
        ltv::summary_state st(o);
        st.add_text(head("tests/data/CDNOW_sample.txt", 40), cdnow);
        write("fuzz_summary_state", "cdnow_month", saved(st));
    }
    {
        ltv::summary_options o;
        o.merge = ltv::merge_period::none;
        o.unit = ltv::time_unit::of_days(14);
        ltv::summary_state st(o);
        // Out of order for customer "b": an unverified (flagged) customer.
        st.add("a", ltv::make_day(2020, 1, 1), 10);
        st.add("b", ltv::make_day(2020, 1, 1), 1);
        st.add("b", ltv::make_day(2020, 3, 1), 2);
        st.add("a", ltv::make_day(2020, 1, 1), -3.5);
        st.add("b", ltv::make_day(2020, 2, 1), 4);
        write("fuzz_summary_state", "small_none_14d", saved(st));
    }
    {
        ltv::summary_options o;
        o.merge = ltv::merge_period::week;
        ltv::summary_state st(o);
        st.add("a", ltv::make_day(2020, 1, 6), 1);
        st.add("c", ltv::make_day(2020, 1, 1), 1);
        st.add("a", ltv::make_day(2020, 1, 20), 2);
        st.add("a", ltv::make_day(2020, 1, 13), 3);  // between first and last week: unverified
        write("fuzz_summary_state", "unverified_week", saved(st));
    }
    {
        ltv::summary_options o;
        o.observation_end = ltv::make_day(2000, 1, 1);
        ltv::summary_state st(o);
        st.add("late", ltv::make_day(2001, 1, 1), 5);  // after the end: counted, ignored
        st.add("x", ltv::make_day(1999, 12, 31), 5);
        write("fuzz_summary_state", "after_end", saved(st));
    }
    write("fuzz_summary_state", "empty", saved(ltv::summary_state()));
}

// ---- fuzz_model_json
// -----------------------------------------------------------------------------

void model_seeds() {
    struct seed {
        const char* file;
        ltv::model_kind kind;
        std::vector<double> params;
        bool fitted;
        const char* unit;
    };
    // Parameters from the papers' fits (FHL 2005 BG/NBD, Fader & Hardie 2013 Gamma-Gamma,
    // Batislam et al. MBG/NBD, Schmittlein et al. / lifetimes Pareto/NBD, FHS 2010 BG/BB,
    // Fader & Hardie 2007 sBG); only plausible values are needed here.
    const std::vector<seed> seeds{
        {"bgnbd_fitted", ltv::model_kind::bgnbd, {0.243, 4.414, 0.793, 2.426}, true, "week"},
        {"mbgnbd_fitted", ltv::model_kind::mbgnbd, {0.525, 6.183, 0.891, 1.614}, true, "week"},
        {"gg_fitted", ltv::model_kind::gamma_gamma, {6.2488, 3.7446, 15.4477}, true, ""},
        {"pnbd_fitted",
         ltv::model_kind::pareto_nbd,
         {0.5534, 10.5802, 0.6061, 11.6562},
         true,
         "week"},
        {"bgbb_fitted", ltv::model_kind::bgbb, {1.204, 0.750, 0.657, 2.783}, true, ""},
        {"sbg_fitted", ltv::model_kind::sbg, {0.668, 3.806}, true, "year"},
        {"bgnbd_params_only", ltv::model_kind::bgnbd, {1, 2, 3, 4}, false, ""},
        {"sbg_extremes", ltv::model_kind::sbg, {4.9e-324, 1.7976931348623157e308}, false, "day"},
    };
    for (const seed& s : seeds) {
        ltv::model_state m;
        m.kind = s.kind;
        m.params = s.params;
        m.fitted = s.fitted;
        m.time_unit = s.unit;
        if (s.fitted) {
            ltv::fit_report& r = m.report;
            r.convergence.converged = true;
            r.convergence.iterations = 23;
            r.convergence.function_evaluations = 31;
            r.convergence.gradient_norm = 3.2e-9;
            r.convergence.message = "gradient norm below tolerance";
            r.log_likelihood = -9582.43;
            r.objective = 4.0655;
            r.penalizer = s.kind == ltv::model_kind::sbg ? 0.1 : 0;
            r.total_weight = 2357;
            r.rows_used = 1123;
            r.rows_excluded = s.kind == ltv::model_kind::gamma_gamma ? 2 : 0;
            r.standard_errors_available = s.kind != ltv::model_kind::bgbb;
            const auto& info = ltv::model_ops_for(s.kind);
            const std::size_t k = info.num_params;
            for (std::size_t i = 0; i < k; ++i)
                r.parameters.push_back({info.params[i].name, s.params[i],
                                        r.standard_errors_available
                                            ? 0.01 * static_cast<double>(i + 1)
                                            : std::numeric_limits<double>::quiet_NaN()});
            r.covariance.assign(k * k, std::numeric_limits<double>::quiet_NaN());
            if (r.standard_errors_available)
                for (std::size_t a = 0; a < k; ++a)
                    for (std::size_t b = 0; b < k; ++b)
                        r.covariance[a * k + b] =
                            a == b ? 1e-4 * static_cast<double>(a + 1) : -2.5e-5;
        }
        write("fuzz_model_json", s.file, ltv::model_to_json(m, s.fitted ? 2 : -1));
    }
    // The hand-written form the CLI tests use (tests/python/test_cli.py).
    write(
        "fuzz_model_json", "hand_written_bgnbd",
        R"({"format": "ltv-model", "format_version": 1, "model": "bgnbd", )"
        R"("params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, "time_unit": "week"})");
    write("fuzz_model_json", "hand_written_gg_aliases",
          R"({"format": "ltv-model", "format_version": 1, "model": "gamma_gamma", )"
          R"("params": {"p": 6, "q": 3, "gamma": 15}, "unknown": [1, {"x": null}]})");
}

// ---- fuzz_date
// -----------------------------------------------------------------------------------

void date_seeds() {
    const std::vector<std::pair<const char*, const char*>> dates{
        {"iso", "2020-01-01"},
        {"compact", "19970101"},
        {"datetime_space", "2014-03-08 00:00:00"},
        {"datetime_t_fraction_z", "2014-03-08T12:34:56.789Z"},
        {"datetime_leap_second_offset", "2016-12-31T23:59:60+05:30"},
        {"datetime_lower_case", "2000-12-31t01:02z"},
        {"datetime_comma_basic_offset", "2021-07-04 10:00:00,5-0800"},
        {"datetime_offset_hours", "1999-01-01T24:00-03"},
        {"first_day", "0001-01-01"},
        {"last_day", "9999-12-31"},
        {"not_leap_1900", "1900-02-29"},
        {"leap_2000", "20000229"},
        {"short_fields", "2024-2-3"},
        {"dmy", "31/12/1999"},
        {"mdy2", "12/31/99"},
        {"dmy_hms", "01.02.2003 04:05:06"},
        {"month_name", "Mar 7, 2021"},
        {"month_name_full", "september 30, 1997"},
        {"day_of_year", "2020-366"},
        {"empty", ""},
    };
    for (const auto& d : dates) write("fuzz_date", d.first, d.second);
}

// ---- fuzz_summary_csv: byte 0 bits 0-1 the requested columns, bit 2 no id column ---------------

void summary_csv_seeds() {
    write("fuzz_summary_csv", "cdnow_summary",
          std::string(1, '\x00') + head("tests/data/cdnow_customers_summary.csv", 30));
    write("fuzz_summary_csv", "cdnow_with_transactions_gg",
          std::string(1, '\x01') +
              head("tests/data/cdnow_customers_summary_with_transactions.csv", 30));
    write("fuzz_summary_csv", "cdnow_with_transactions_all",
          std::string(1, '\x03') +
              head("tests/data/cdnow_customers_summary_with_transactions.csv", 12));
    write("fuzz_summary_csv", "donations_bgbb",
          std::string(1, '\x06') + head("tests/data/donations.csv", 30));
    write("fuzz_summary_csv", "tsv_quoted_bom_crlf",
          std::string(1, '\x00') +
              "\xEF\xBB\xBF"
              "customer_id\tfrequency\trecency\tT\tweight\r\n"
              "\"a\tb\"\t2\t30.43\t38.86\t1\r\n"
              "\r\n"
              "c\t0\t0\t38.86\t2.5\r\n"
              "\"d \"\"e\"\"\"\t1e0\t+1.5\t3.25E1\t-0\r\n");
    write("fuzz_summary_csv", "header_only", std::string(1, '\x02') + "frequency,recency,n\n");
}

}  // namespace

int main(int argc, char** argv) {
    out_root = argc > 1 ? fs::path(argv[1]) : fs::path(LTV_SOURCE_DIR) / "tests/fuzz/corpus";
    try {
        reader_seeds();
        summary_state_seeds();
        model_seeds();
        date_seeds();
        summary_csv_seeds();
    } catch (const std::exception& e) {
        std::cerr << "make_seeds: " << e.what() << "\n";
        return 1;
    }
    std::cout << "seed corpora written to " << out_root.string() << "\n";
    return 0;
}
