// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_transactions.cpp — `ltv summarize|status|rfm|cohorts`: transaction logs to
// per-customer tables (CSV on stdout or -o FILE, or --json records).
//
// Input: a CSV/TSV/whitespace-separated file or '-' for stdin; columns customer_id, date and
// amount (case-insensitive) unless chosen with --customer/--date/--amount (a header name or a
// 1-based position). docs/summaries.md, journey.md, rfm.md and cohorts.md define the outputs.
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "ltv/cohorts.hpp"
#include "ltv/journey.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm.hpp"
#include "ltv/summary.hpp"
#include "segment_input.hpp"
#include "summary_output.hpp"
#include "transaction_reports.hpp"

namespace ltv::cli {
namespace {

/// One output column: its CSV text and JSON value of row i.
struct out_column {
    std::string name;
    std::function<std::string(std::size_t)> text;
    std::function<nlohmann::ordered_json(std::size_t)> json;
};

out_column text_column(std::string name, const std::vector<std::string>& v) {
    return {std::move(name), [&v](std::size_t i) { return csv_field(v[i]); },
            [&v](std::size_t i) { return nlohmann::ordered_json(v[i]); }};
}

template <class T>
out_column number_column(std::string name, const std::vector<T>& v) {
    return {std::move(name), [&v](std::size_t i) { return number_text(static_cast<double>(v[i])); },
            [&v](std::size_t i) {
                const double x = static_cast<double>(v[i]);
                if (!std::isfinite(x)) return nlohmann::ordered_json(nullptr);
                if (std::is_integral<T>::value)
                    return nlohmann::ordered_json(static_cast<long long>(v[i]));
                return nlohmann::ordered_json(x);
            }};
}

out_column date_column(std::string name, const std::vector<day_number>& v) {
    return {std::move(name), [&v](std::size_t i) { return format_date(v[i]); },
            [&v](std::size_t i) { return nlohmann::ordered_json(format_date(v[i])); }};
}

out_column constant_column(std::string name, double value) {
    return {std::move(name), [value](std::size_t) { return number_text(value); },
            [value](std::size_t) { return nlohmann::ordered_json(value); }};
}

/// Writes rows × columns as CSV (header line first) or as a JSON array of records.
void write_table(const std::string& output, bool json, std::size_t rows,
                 const std::vector<out_column>& cols, const char* command) {
    std::ofstream file;
    if (!output.empty()) {
        file.open(output, std::ios::binary | std::ios::trunc);
        if (!file)
            throw ltv::error(status::io_error,
                             std::string(command) + ": cannot open '" + output + "' for writing");
    }
    std::ostream& out = output.empty() ? std::cout : file;
    if (json) {
        out << "[";
        for (std::size_t i = 0; i < rows; ++i) {
            nlohmann::ordered_json r = nlohmann::ordered_json::object();
            for (const auto& c : cols) r[c.name] = c.json(i);
            out << (i ? ",\n  " : "\n  ") << r.dump();
        }
        out << (rows ? "\n]\n" : "]\n");
    } else {
        for (std::size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << cols[c].name;
        out << "\n";
        std::string line;
        for (std::size_t i = 0; i < rows; ++i) {
            line.clear();
            for (std::size_t c = 0; c < cols.size(); ++c) {
                if (c) line += ',';
                line += cols[c].text(i);
            }
            line += '\n';
            out << line;
        }
    }
    out.flush();
    if (!out)
        throw ltv::error(status::io_error, std::string(command) + ": writing the output failed");
}

struct common_args {
    std::string path, output;
    transaction_input in;
    bool json = false;
};

CLI::App* add_common(CLI::App& app, const char* name, const char* help, common_args& a) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("transactions", a.path,
                    "transaction log (CSV, TSV or whitespace-separated), '-' for stdin")
        ->required();
    add_transaction_input_options(cmd, a.in);
    cmd->add_option("-o,--output", a.output,
                    "write the CSV (or JSON) to this file instead of stdout");
    cmd->add_flag("--json", a.json, "print JSON records instead of CSV");
    return cmd;
}

day_number last_day(const transaction_log& log) {
    if (log.rows.empty())
        throw ltv::error(status::invalid_argument, "the transaction log has no rows");
    day_number d = log.rows.front().day;
    for (const auto& t : log.rows) d = std::max(d, t.day);
    return d;
}

// ---- summarize ---------------------------------------------------------------------------------

struct summarize_args : common_args {
    std::string observation_end, calibration_end, time_unit = ltv::time_unit_name(ltv::default_time_unit()),
                merge = "day";
    bool extra = false;
    std::string segment_column;  ///< carried through to the summary ("" = none)
};

void add_summarize(CLI::App& app) {
    auto a = std::make_shared<summarize_args>();
    auto* cmd = add_common(
        app, "summarize",
        "Per-customer summary of a transaction log: frequency, recency, T, monetary_value "
        "(lifetimes' definitions; the input of ltv fit)",
        *a);
    cmd->add_option("--observation-end", a->observation_end,
                    "last day observed, inclusive (default: the last transaction day)");
    cmd->add_option("--calibration-end", a->calibration_end,
                    "end of the calibration period: adds frequency_holdout, "
                    "monetary_value_holdout, duration_holdout");
    cmd->add_option("--time-unit", a->time_unit, "day, week, month (30 days) or a number of days")
        ->capture_default_str();
    cmd->add_option("--merge", a->merge,
                    "transactions in one day|week|month count as one purchase; none = each")
        ->capture_default_str();
    cmd->add_flag("--extra", a->extra,
                  "also first_purchase, last_purchase, transactions and total_amount");
    cmd->add_option("--segment-column", a->segment_column,
                    "carry this column of the log (a store, a country …) to the summary, after "
                    "customer_id: it must be the same on all of a customer's rows (for ltv fit "
                    "--segment-column; docs/segments.md)");
    cmd->footer(
        "Examples:\n  ltv summarize orders.csv --observation-end 1998-06-30 -o summary.csv\n"
        "  ltv summarize CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
        "      --observation-end 1997-09-30 --time-unit week");
    cmd->callback([a] {
        summary_options so;
        if (!a->observation_end.empty())
            so.observation_end = date_option("--observation-end", a->observation_end);
        if (!a->calibration_end.empty())
            so.calibration_end = date_option("--calibration-end", a->calibration_end);
        so.unit = parse_time_unit(a->time_unit);
        so.merge = parse_merge_period(a->merge);
        summary_table t = summarize_log(a->path, a->in, so);
        std::vector<std::string> segments;
        if (!a->segment_column.empty())
            segments = log_segment_column(a->path, a->in, a->segment_column, t.customer);
        if (!a->json && segments.empty()) {  // the CSV without per-field strings (summary_output.cpp)
            write_summary_csv(a->output, t, a->extra);
            return;
        }
        std::vector<out_column> cols{text_column("customer_id", t.customer)};
        if (!a->segment_column.empty()) cols.push_back(text_column(a->segment_column, segments));
        for (auto& c : std::vector<out_column>{number_column("frequency", t.frequency),
                                     number_column("recency", t.recency), number_column("T", t.T),
                                     number_column("monetary_value", t.monetary_value)})
            cols.push_back(std::move(c));
        if (t.calibration_end) {
            cols.push_back(number_column("frequency_holdout", t.frequency_holdout));
            cols.push_back(number_column("monetary_value_holdout", t.monetary_value_holdout));
            cols.push_back(constant_column("duration_holdout", t.duration_holdout));
        }
        if (a->extra) {
            cols.push_back(date_column("first_purchase", t.first_purchase));
            cols.push_back(date_column("last_purchase", t.last_purchase));
            cols.push_back(number_column("transactions", t.transactions));
            cols.push_back(number_column("total_amount", t.total_amount));
        }
        write_table(a->output, a->json, t.size(), cols, "summarize");
    });
}

// ---- status ------------------------------------------------------------------------------------

struct status_args : common_args {
    std::string as_of, until;
    double cycle_days = NAN, lost_days = NAN, lost_multiple = 3.0, percentile = 0.8;
    std::vector<std::string> contacts;
    std::string model_path;
    double alive_threshold = 0.2;
    bool counts = false, monthly = false;
};

void add_status(CLI::App& app) {
    auto a = std::make_shared<status_args>();
    auto* cmd = add_common(
        app, "status",
        "Customer journey status as of a date: newbie, fan, sleeping, lost, returned (and lead "
        "for --contacts without purchases)",
        *a);
    cmd->add_option("--as-of", a->as_of, "the date (default: the last transaction day)");
    auto* cycle = cmd->add_option("--cycle-days", a->cycle_days,
                                  "purchase cycle in days (default: the --percentile of all gaps "
                                  "between purchases)");
    cmd->add_option("--percentile", a->percentile, "percentile of the gaps for the cycle")
        ->capture_default_str()
        ->excludes(cycle);
    auto* lost = cmd->add_option("--lost-days", a->lost_days,
                                 "silence in days after which a customer is lost");
    cmd->add_option("--lost-multiple", a->lost_multiple, "lost after this many cycles of silence")
        ->capture_default_str()
        ->excludes(lost);
    cmd->add_option("--contacts", a->contacts,
                    "known contacts (comma-separated ids): leads until they buy")
        ->delimiter(',');
    auto* model = cmd->add_option(
        "--model", a->model_path,
        "fitted transaction model file with P(alive) (ltv fit -o): customers with P(alive) "
        "below --alive-threshold are lost; durations in the model file's time_unit (weeks if "
        "it has none)");
    cmd->add_option("--alive-threshold", a->alive_threshold, "P(alive) below which a buyer is lost")
        ->capture_default_str()
        ->needs(model);
    cmd->add_flag("--counts", a->counts,
                  "print the counts by status (a report) instead of the table");
    cmd->add_flag("--monthly", a->monthly,
                  "counts at every month end (CSV month_end,lead,newbie,…) with one cycle");
    cmd->add_option("--until", a->until, "--monthly: last month (default: the last purchase)");
    cmd->footer(
        "Examples:\n  ltv status orders.csv --as-of 2024-06-30 -o status.csv\n"
        "  ltv status orders.csv --counts\n  ltv status orders.csv --monthly --json");
    cmd->callback([a, cycle, lost] {
        const transaction_log log = load_log(a->path, a->in);
        journey_options o;
        if (cycle->count() > 0) o.cycle_days = a->cycle_days;
        if (lost->count() > 0) o.lost_days = a->lost_days;
        o.cycle_percentile = a->percentile;
        o.lost_multiple = a->lost_multiple;
        o.contacts = a->contacts;
        if (!a->model_path.empty()) {
            const model_state m = load_model(a->model_path);
            const model_ops& ops = model_ops_for(m.kind);
            if (!ops.supports(capability::p_alive))
                throw ltv::error(status::invalid_argument,
                                 "status: --model " + a->model_path + " is a " + ops.title +
                                     " model, which has no P(alive)");
            o.p_alive = p_alive_criterion(ops, m);  // (in the model file's time unit)
            detail::require_probability("status", "--alive-threshold", a->alive_threshold);
            o.alive_threshold = a->alive_threshold;
            if (a->monthly)
                throw ltv::error(status::invalid_argument,
                                 "status: --model applies to one date, not to --monthly");
        }
        const purchase_history h = build_history(log);
        if (a->monthly) {
            std::optional<day_number> until;
            if (!a->until.empty()) until = date_option("--until", a->until);
            const auto m = monthly_journey(h, o, until);
            std::vector<std::vector<double>> columns(journey_status_count);
            for (const auto& row : m.counts)
                for (int k = 0; k < journey_status_count; ++k)
                    columns[static_cast<std::size_t>(k)].push_back(
                        static_cast<double>(row[static_cast<std::size_t>(k)]));
            std::vector<out_column> cols{date_column("month_end", m.month_end)};
            for (int k = 0; k < journey_status_count; ++k) {
                out_column c = number_column(to_string(static_cast<journey_status>(k)),
                                             columns[static_cast<std::size_t>(k)]);
                auto base = c.json;
                c.json = [base](std::size_t i) {
                    return nlohmann::ordered_json(static_cast<long long>(base(i).get<double>()));
                };
                cols.push_back(std::move(c));
            }
            write_table(a->output, a->json, m.month_end.size(), cols, "status");
            return;
        }
        const day_number as_of =
            a->as_of.empty() ? last_day(log) : date_option("--as-of", a->as_of);
        const journey_result r = journey(h, as_of, o);
        if (a->counts) {
            report rep("status", "Customer journey as of " + format_date(as_of));
            rep.add("as_of", "as of", format_date(as_of))
                .add("cycle_days", "purchase cycle (days)", r.cycle_days, kind::number)
                .add("lost_days", "lost after (days of silence)", r.lost_days, kind::number);
            for (int k = 0; k < journey_status_count; ++k)
                rep.add(to_string(static_cast<journey_status>(k)),
                        to_string(static_cast<journey_status>(k)), static_cast<double>(r.counts[k]),
                        kind::count);
            if (a->output.empty()) {
                print_reports(std::cout, {rep}, a->json);
            } else {
                std::ofstream f(a->output, std::ios::binary | std::ios::trunc);
                if (!f)
                    throw ltv::error(status::io_error,
                                     "status: cannot open '" + a->output + "' for writing");
                print_reports(f, {rep}, a->json);
            }
            return;
        }
        std::vector<std::string> names;
        for (const auto s : r.status) names.emplace_back(to_string(s));
        write_table(a->output, a->json, r.customer.size(),
                    {text_column("customer_id", r.customer), text_column("status", names),
                     number_column("days_since_last", r.days_since_last)},
                    "status");
    });
}

// ---- rfm ---------------------------------------------------------------------------------------

struct rfm_args : common_args {
    std::string as_of;
};

void add_rfm(CLI::App& app) {
    auto a = std::make_shared<rfm_args>();
    auto* cmd = add_common(app, "rfm",
                           "RFM scores 1–5 (quintiles) and segments (Champions, At Risk, …) as of "
                           "a date",
                           *a);
    cmd->add_option("--as-of", a->as_of, "the date (default: the last transaction day)");
    cmd->footer("Example:\n  ltv rfm orders.csv --as-of 2024-06-30 -o rfm.csv");
    cmd->callback([a] {
        const transaction_log log = load_log(a->path, a->in);
        const day_number as_of =
            a->as_of.empty() ? last_day(log) : date_option("--as-of", a->as_of);
        const rfm_table t = rfm(build_history(log), as_of);
        write_table(
            a->output, a->json, t.customer.size(),
            {text_column("customer_id", t.customer), number_column("recency_days", t.recency_days),
             number_column("frequency", t.frequency), number_column("monetary", t.monetary),
             number_column("r", t.r), number_column("f", t.f), number_column("m", t.m),
             number_column("rfm_score", t.score), text_column("segment", t.segment)},
            "rfm");
    });
}

// ---- cohorts -----------------------------------------------------------------------------------

struct cohorts_args : common_args {
    std::string until;
    bool or_later = false;
};

void add_cohorts(CLI::App& app) {
    auto a = std::make_shared<cohorts_args>();
    auto* cmd = add_common(
        app, "cohorts",
        "Cohort retention by acquisition month: the share of each cohort buying in month k", *a);
    cmd->add_option("--until", a->until, "last day considered (default: the last purchase)");
    cmd->add_flag("--or-later", a->or_later,
                  "share buying in month k or any later month (still a customer) instead");
    cmd->footer("Example:\n  ltv cohorts orders.csv -o cohorts.csv");
    cmd->callback([a] {
        const transaction_log log = load_log(a->path, a->in);
        std::optional<day_number> until;
        if (!a->until.empty()) until = date_option("--until", a->until);
        const cohort_table t = cohort_retention(build_history(log), until);
        const auto& shares = a->or_later ? t.active_or_later : t.active;
        std::vector<std::string> months;
        std::vector<double> sizes;
        for (std::size_t c = 0; c < t.cohort.size(); ++c) {
            months.push_back(format_date(t.cohort[c]).substr(0, 7));
            sizes.push_back(static_cast<double>(t.size[c]));
        }
        std::vector<out_column> cols{text_column("cohort", months), number_column("size", sizes)};
        cols.back().json = [&sizes](std::size_t i) {
            return nlohmann::ordered_json(static_cast<long long>(sizes[i]));
        };
        for (std::size_t k = 0; k < t.cohort.size(); ++k)
            cols.push_back({"m" + std::to_string(k),
                            [&shares, k](std::size_t i) {
                                return k < shares[i].size() ? number_text(shares[i][k])
                                                            : std::string();
                            },
                            [&shares, k](std::size_t i) {
                                return k < shares[i].size() && std::isfinite(shares[i][k])
                                           ? nlohmann::ordered_json(shares[i][k])
                                           : nlohmann::ordered_json(nullptr);
                            }});
        write_table(a->output, a->json, t.cohort.size(), cols, "cohorts");
    });
}

}  // namespace

void add_transaction_commands(CLI::App& app) {
    add_summarize(app);
    add_status(app);
    add_rfm(app);
    add_cohorts(app);
}

}  // namespace ltv::cli
