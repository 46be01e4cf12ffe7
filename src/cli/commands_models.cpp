// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_models.cpp — `ltv fit` and `ltv predict`: the probabilistic models on
// per-customer summary files. Generic over the model registry (ltv/registry.hpp): the
// --model choices, the columns read and the predictions written follow what each registered
// model is fitted on and can compute; no model is named here.
//
// Summary files are read by ltv/summary_csv.hpp with either naming convention:
//   lifetimes: frequency, recency, T, monetary_value      Hardie: x, t_x, T, zbar
// plus an optional weight column (weights, weight, count) and an id column passed through to the
// predictions (customer_id, id).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "commands.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/intervals.hpp"
#include "ltv/model_state.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/segments.hpp"
#include "ltv/summary_csv.hpp"
#include "ltv/summary.hpp"
#include "model_reports.hpp"
#include "segment_input.hpp"
#include "transaction_reports.hpp"

namespace ltv::cli {
namespace {

const csv_column col_frequency{{"frequency", "x"}, true};
const csv_column col_recency{{"recency", "t_x"}, true};
/// The third column of (frequency, recency, T) data under the model's name for it (T; BG/BB's
/// n_periods) and the other usual spellings.
csv_column age_column(const model_ops& ops) {
    csv_column c{{ops.age_name}, true};
    for (const char* alias : {"T", "age", "n_periods", "periods", "n"})
        if (std::string(alias) != ops.age_name) c.names.emplace_back(alias);
    return c;
}
const csv_column col_monetary{{"monetary_value", "zbar", "monetary"}, true};
const csv_column col_weights{{"weights", "weight", "count"}, false};
/// Σ log inter-purchase times (ltv summarize's litt; BG/CNBD-k and MBG/CNBD-k choose k with it)
const csv_column col_litt{{"litt"}, false};
const std::vector<std::string> id_columns{"customer_id", "id"};

/// Reads a summary from a path or "-" (stdin).
summary_csv read_table(const std::string& path, const std::vector<csv_column>& wanted) {
    if (path == "-")  // (kept: --segment-column reads it again)
        return read_summary_csv_text(input_text("-"), "<stdin>", wanted, id_columns);
    return read_summary_csv(path, wanted, id_columns);
}

/// Adds the table's position (file:line) to an error about row i.
template <class F>
void with_rows_named(const summary_csv& t, F&& f) {
    try {
        f();
    } catch (const ltv::error& e) {
        throw ltv::error(e.code(), t.source + ": " + e.what() +
                                       " (rows are numbered from 0 after the header line)");
    }
}

/// Where the per-customer rows come from: a summary CSV (`path`), or a transaction log
/// (`--transactions`) summarized in memory — no CSV written and read back.
struct input_args {
    std::string path;
    std::string transactions;       ///< a transaction log; "" = `path` is a summary CSV
    transaction_input in;           ///< how to read the log
    std::string observation_end;    ///< of the log's summary ("" = its last day)
    std::string log_time_unit;      ///< --unit; "" = the model's recorded unit, else the default
    std::string merge = "day";
};

void add_input_options(CLI::App* cmd, input_args& a) {
    auto* log = cmd->add_option(
        "--transactions", a.transactions,
        "a transaction log instead of a summary: summarized in memory (as ltv summarize) and "
        "used directly; '-' for stdin");
    add_transaction_input_options(cmd, a.in);
    cmd->add_option("--observation-end", a.observation_end,
                    "--transactions: last day observed (default: the last transaction day)")
        ->needs(log);
    cmd->add_option("--unit", a.log_time_unit,
                    "--transactions: the summary's time unit (day, week, month or a number of "
                    "days; default: the unit the model file records, else day)")
        ->needs(log);
    cmd->add_option("--merge", a.merge, "--transactions: day|week|month|none (as ltv summarize)")
        ->capture_default_str()
        ->needs(log);
}

/// The requested columns from the summary CSV, or from the log's in-memory summary (columns by
/// their first name: frequency, recency, the age column, monetary_value; weights empty).
/// The unit of a log's summary: --unit, else the model's recorded unit (a model fitted in weeks
/// predicts on weeks), else the library's default. --unit against a different recorded unit is
/// refused: the model's times would be read in the wrong unit.
std::string log_unit(const input_args& a, const std::string& model_unit) {
    if (a.log_time_unit.empty())
        return model_unit.empty() ? time_unit_name(default_time_unit()) : model_unit;
    const std::string given = time_unit_name(parse_time_unit(a.log_time_unit));
    if (!model_unit.empty() && given != model_unit)
        throw ltv::error(status::invalid_argument,
                         "--unit " + a.log_time_unit + ": the model was fitted on durations in " +
                             model_unit + "s (its file's \"time_unit\"); summarize the log in " +
                             model_unit + "s (leave --unit out)");
    return given;
}

summary_csv read_input(const input_args& a, const std::vector<csv_column>& wanted,
                       const std::string& model_unit = "") {
    if (a.transactions.empty()) return read_table(a.path, wanted);
    summary_options so;
    if (!a.observation_end.empty())
        so.observation_end = date_option("--observation-end", a.observation_end);
    so.unit = parse_time_unit(log_unit(a, model_unit));
    so.merge = parse_merge_period(a.merge);
    summary_csv out;
    summary_table t = summarize_log(a.transactions, a.in, so, &out.source);
    out.rows = t.size();
    out.ids = std::move(t.customer);
    for (const auto& c : wanted) {
        const std::string& name = c.names.front();
        if (name == "frequency")
            out.columns.push_back(t.frequency);
        else if (name == "recency")
            out.columns.push_back(t.recency);
        else if (name == "monetary_value")
            out.columns.push_back(t.monetary_value);
        else if (name == "weights")
            out.columns.emplace_back();
        else if (name == "litt")
            out.columns.push_back(t.litt);
        else if (std::find(c.names.begin(), c.names.end(), "T") != c.names.end())
            out.columns.push_back(t.T);
        else
            throw ltv::error(status::invalid_argument,
                             "--transactions: a transaction log has no column '" + name +
                                 "' (it gives frequency, recency, T and monetary_value)");
    }
    return out;
}

struct fit_args {
    input_args input;
    std::string model, output, time_unit;
    std::vector<double> survivors;
    double penalizer = 0;
    double time_limit = 0;
    bool allow_no_convergence = false;
    bool strict_spend = false;
    std::string penalizer_convention = "ltv";
    bool json = false;
    std::string segment_column;  ///< "" = one model
    std::size_t min_customers = segment_options{}.min_customers;
    bool pooled = false;
    std::vector<std::string> covariates;  ///< --covariates: columns of static covariates
};

/// The columns `names` of a summary CSV as a row-major matrix (static covariates,
/// docs/covariates.md); `first` is the index of the first of them in t.columns.
std::vector<double> covariate_matrix(const summary_csv& t, std::size_t first, std::size_t count) {
    std::vector<double> z(t.rows * count);
    for (std::size_t j = 0; j < count; ++j)
        for (std::size_t i = 0; i < t.rows; ++i) z[i * count + j] = t.columns[first + j][i];
    return z;
}

/// The model to fit (kind, time unit) and the fit options of the arguments.
std::pair<model_state, fit_options> fit_setup(const fit_args& a) {
    const model_ops& ops = model_ops_named(a.model);
    model_state m;
    m.kind = static_cast<model_kind>(ops.kind);
    m.time_unit = a.time_unit.empty() && !a.input.transactions.empty() ? log_unit(a.input, "")
                                                                        : a.time_unit;
    fit_options opt;
    opt.penalizer = a.penalizer;
    opt.time_limit = a.time_limit;
    opt.allow_no_convergence = a.allow_no_convergence;
    opt.strict_spend = a.strict_spend;
    opt.convention = a.penalizer_convention == "lifetimes" ? penalizer_convention::lifetimes
                                                           : penalizer_convention::ltv;
    return {m, opt};
}

/// The segment label of each row of t: the summary CSV's column, or the log's (constant per
/// customer; t.ids are then the log's customers).
std::vector<std::string> segment_labels_of(const input_args& in, const std::string& column,
                                           const summary_csv& t) {
    std::vector<std::string> labels =
        in.transactions.empty() ? summary_segment_column(in.path, column)
                                : log_segment_column(in.transactions, in.in, column, t.ids);
    if (labels.size() != t.rows)
        throw ltv::error(status::internal,
                         "--segment-column: " + std::to_string(labels.size()) + " labels for " +
                             std::to_string(t.rows) + " rows");
    return labels;
}

/// `ltv fit --segment-column`: one model per label of the column (ltv/segments.hpp).
segmented_model fit_segmented_file(const fit_args& a) {
    auto setup = fit_setup(a);
    model_state& m = setup.first;
    const fit_options& opt = setup.second;
    const model_ops& ops = model_ops_for(m.kind);
    if (ops.data == data_kind::survivors)
        throw ltv::error(status::invalid_argument,
                         "fit: --segment-column: the " + std::string(ops.title) +
                             " model is fitted on survivor curves, not per-customer rows");
    const bool rfm = ops.data == data_kind::rfm;
    const auto t = rfm ? read_input(a.input, {col_frequency, col_recency, age_column(ops),
                                              col_weights})
                       : read_input(a.input, {col_frequency, col_monetary, col_weights});
    const std::vector<std::string> labels = segment_labels_of(a.input, a.segment_column, t);
    segment_columns d;
    d.frequency = t.columns[0];
    if (rfm) {
        d.recency = t.columns[1];
        d.age = t.columns[2];
        d.weights = t.columns[3];
    } else {
        d.monetary = t.columns[1];
        d.weights = t.columns[2];
    }
    segment_options so;
    so.min_customers = a.min_customers;
    so.pooled = a.pooled;
    segmented_model s;
    with_rows_named(t, [&] { s = fit_segments(m, d, packed_labels(labels), opt, so); });
    s.column = a.segment_column;
    return s;
}

model_state fit_file(const fit_args& a) {
    auto setup = fit_setup(a);
    model_state& m = setup.first;
    const fit_options& opt = setup.second;
    const model_ops& ops = model_ops_for(m.kind);
    switch (ops.data) {
        case data_kind::rfm: {
            // litt only for the models that use it (a structural option "k" chosen with it):
            // an unknown litt (an empty field) must not stop the other models' fits.
            bool uses_litt = false;
            for (std::size_t i = 0; i < ops.num_options; ++i)
                uses_litt = uses_litt || std::string(ops.options[i].name) == "k";
            std::vector<csv_column> wanted{col_frequency, col_recency, age_column(ops),
                                           col_weights};
            if (uses_litt) wanted.push_back(col_litt);
            const std::size_t first_covariate = wanted.size();
            for (const auto& c : a.covariates) wanted.push_back({{c}, true});
            const auto t = read_input(a.input, wanted);
            rfm_data d{t.columns[0], t.columns[1], t.columns[2], t.columns[3]};
            if (uses_litt) d.litt = t.columns[4];  // empty when the table has no litt column
            const std::vector<double> z =
                covariate_matrix(t, first_covariate, a.covariates.size());
            if (!a.covariates.empty()) {
                d.covariates = {z.data(), t.rows, a.covariates.size()};
                d.covariate_names = {a.covariates.data(), a.covariates.size()};
            }
            with_rows_named(t, [&] { ops.fit_rfm(m, d, opt); });
            break;
        }
        case data_kind::spend: {
            std::vector<csv_column> wanted{col_frequency, col_monetary, col_weights};
            for (const auto& c : a.covariates) wanted.push_back({{c}, true});
            const auto t = read_input(a.input, wanted);
            spend_data d{t.columns[0], t.columns[1], t.columns[2]};
            const std::vector<double> z = covariate_matrix(t, 3, a.covariates.size());
            if (!a.covariates.empty()) {
                d.covariates = {z.data(), t.rows, a.covariates.size()};
                d.covariate_names = {a.covariates.data(), a.covariates.size()};
            }
            with_rows_named(t, [&] { ops.fit_spend(m, d, opt); });
            break;
        }
        case data_kind::survivors: {
            std::vector<double> curve = a.survivors;
            if (curve.empty()) {
                const auto t =
                    read_input(a.input, {{{"active", "survivors", "customers"}, true}});
                curve = t.columns[0];
            }
            ops.fit_survivors(m, {array_view<double>(curve)}, opt);
            break;
        }
    }
    return m;
}

/// "bgnbd (BG/NBD), mbgnbd (MBG/NBD), …" for --help.
std::string model_choices(capability needed) {
    std::string text;
    for (const model_ops* m : registered_models())
        if (m->supports(needed) || needed == capability{})
            text += std::string(text.empty() ? "" : ", ") + m->name + " (" + m->title + ")";
    return text;
}

void add_fit(CLI::App& app) {
    auto a = std::make_shared<fit_args>();
    auto* cmd = app.add_subcommand("fit", "Fit a probabilistic model to a per-customer summary");
    cmd->add_option("--model", a->model, "the model: " + model_choices(capability{}))
        ->required()
        ->transform([](const std::string& name) {
            return std::string(model_ops_named(name).name);  // aliases → the short name
        });
    cmd->add_option("summary", a->input.path,
                    "summary CSV (frequency, recency, T[, monetary_value][, weights]; or x, t_x, "
                    "T, zbar), '-' for stdin; for sbg a column 'active'");
    add_input_options(cmd, a->input);
    cmd->add_option("--survivors", a->survivors,
                    "models fitted on survivor curves (sbg): comma-separated survivor counts")
        ->delimiter(',');
    cmd->add_option("--penalizer", a->penalizer, "L2 penalty on the parameters")
        ->capture_default_str();
    cmd->add_option("--penalizer-convention", a->penalizer_convention,
                    "ltv (parameters in the data's units) or lifetimes (as Python lifetimes: time "
                    "scales in units of the largest T)")
        ->check(CLI::IsMember({"ltv", "lifetimes"}))
        ->capture_default_str();
    cmd->add_option("--time-unit", a->time_unit, "unit of the durations (recorded in the file)");
    cmd->add_option("--time-limit", a->time_limit,
                    "stop the fit after this many seconds (0 = no limit); it then fails naming "
                    "the best point so far, or keeps it with --allow-no-convergence")
        ->capture_default_str();
    cmd->add_flag("--allow-no-convergence", a->allow_no_convergence,
                  "keep (and report as not converged) a fit that stopped early instead of failing");
    cmd->add_flag("--strict-spend", a->strict_spend,
                  "spend models: a customer with frequency > 0 and monetary_value <= 0 is an "
                  "error instead of being excluded from the fit and counted");
    cmd->add_option("-o,--output", a->output, "write the fitted model (JSON) to this file");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--covariates", a->covariates,
                    "comma-separated columns of the summary CSV holding static customer "
                    "covariates (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma; docs/covariates.md); "
                    "ltv predict reads the same columns")
        ->delimiter(',');
    auto* segment = cmd->add_option(
        "--segment-column", a->segment_column,
        "fit one model per value of this column (a store, a country …): of the summary CSV, or "
        "with --transactions of the log (the same on all of a customer's rows); -o writes a "
        "segments file that ltv predict reads (docs/segments.md)");
    cmd->add_option("--min-customers", a->min_customers,
                    "--segment-column: a segment with fewer customers is an error (with "
                    "--pooled: scored by the pooled model)")
        ->transform(whole_number())
        ->capture_default_str()
        ->needs(segment);
    cmd->add_flag("--pooled", a->pooled,
                  "--segment-column: also fit one model on all customers, which scores small "
                  "segments and segments the fit did not see")
        ->needs(segment);
    cmd->footer(
        "Examples:\n  ltv fit --model bgnbd summary.csv -o bgnbd.json\n"
        "  ltv fit --model gg summary.csv -o gg.json --json\n"
        "  ltv fit --model bgnbd summary.csv --segment-column store -o stores.json");
    cmd->callback([a] {
        if (a->input.path.empty() && a->input.transactions.empty() && a->survivors.empty())
            throw ltv::error(status::invalid_argument,
                             "fit: give a summary file, --transactions LOG, or --survivors for a "
                             "survivor-curve model");
        if (!a->segment_column.empty()) {
            const segmented_model s = fit_segmented_file(*a);
            if (!a->output.empty()) save_segments(s, a->output);
            std::vector<report> reports;
            for (const auto& seg : s.segments) {
                report r = fit_report_of(seg.model, "segment " + seg.label);
                r.set_key(seg.label);
                r.add("segment", "segment", seg.label);
                r.add("customers", "customers", static_cast<double>(seg.customers), kind::count);
                reports.push_back(std::move(r));
            }
            if (s.pooled) {
                report r = fit_report_of(*s.pooled, "pooled model (all customers)");
                r.set_key("(pooled)");
                r.add("customers", "customers", static_cast<double>(s.pooled_customers),
                      kind::count);
                reports.push_back(std::move(r));
            }
            if (!a->output.empty() && !reports.empty())
                reports.back().add("output", "written to", a->output);
            print_reports(std::cout, reports, a->json);
            return;
        }
        const model_state m = fit_file(*a);
        if (!a->output.empty()) save_model(m, a->output);
        report r = fit_report_of(m);
        if (!a->output.empty()) r.add("output", "written to", a->output);
        print_reports(std::cout, {r}, a->json);
    });
}

struct predict_args {
    input_args input;
    std::string model_path, spend_path, output;
    double horizon = 0;
    int periods = clv_options{}.periods;
    double period_length = clv_options{}.period_length,
           discount_rate = clv_options{}.discount_rate;
    double dert_discount = -1;  // < 0: no DERT column
    bool json = false;
    std::string segment_column;  ///< overrides the segments file's column
    /// --intervals LEVEL (0: none) and its method, replicates and seed: the defaults of
    /// ltv::interval_options (ltv/intervals.hpp)
    double interval_level = 0;
    std::string interval_method =
        interval_options{}.method == interval_method::delta ? "delta" : "bootstrap";
    int replicates = interval_options{}.replicates;
    std::uint64_t seed = interval_options{}.seed;
};

/// The CLV options of `ltv predict` (--periods, --period-length, --discount-rate).
clv_options clv_options_of(const predict_args& a) {
    clv_options o;
    o.periods = a.periods;
    o.period_length = a.period_length;
    o.discount_rate = a.discount_rate;
    return o;
}

/// Whether the file at `path` is a segments file (ltv fit --segment-column -o), by its "format".
bool is_segments_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;  // load_model names the problem
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    return j.is_object() && j.contains("format") && j["format"] == "ltv-segments";
}



void add_predict(CLI::App& app) {
    auto a = std::make_shared<predict_args>();
    auto* cmd = app.add_subcommand(
        "predict", "Per-customer predictions: expected purchases, P(alive), expected spend, CLV");
    cmd->add_option("--model", a->model_path, "transaction model file (from ltv fit -o)")
        ->required();
    cmd->add_option("--spend-model", a->spend_path,
                    "Gamma-Gamma model file: adds expected spend and CLV (needs monetary_value); "
                    "with a segments file as --model also a segments file of Gamma-Gamma models "
                    "(same segments; labels without one: its pooled model)");
    cmd->add_option("summary", a->input.path, "summary CSV, '-' for stdin");
    add_input_options(cmd, a->input);
    cmd->add_option("--horizon", a->horizon, "t for the expected purchases in (T, T + t]")
        ->required();
    cmd->add_option("--periods", a->periods, "CLV periods")->capture_default_str();
    cmd->add_option("--period-length", a->period_length,
                    "CLV period length in the data's time unit (4.345 weeks = a month)")
        ->capture_default_str();
    cmd->add_option("--discount-rate", a->discount_rate, "CLV discount rate per period")
        ->capture_default_str();
    cmd->add_option("--dert-discount", a->dert_discount,
                    "add a DERT column at this discount rate (" + model_choices(capability::dert) +
                        "; continuous δ per time unit for Pareto/NBD, d per period for BG/BB)");
    cmd->add_option("-o,--output", a->output, "write the CSV to this file instead of stdout");
    cmd->add_flag("--json", a->json, "print JSON records instead of CSV");
    cmd->add_option("--intervals", a->interval_level,
                    "add <column>_lower and <column>_upper: a prediction interval at this level "
                    "in (0, 1), e.g. 0.9, for the parameters' uncertainty (docs/intervals.md)");
    cmd->add_option("--interval-method", a->interval_method,
                    "delta (delta method) or bootstrap (parameter draws)")
        ->check(CLI::IsMember({"delta", "bootstrap"}))
        ->capture_default_str();
    cmd->add_option("--replicates", a->replicates, "bootstrap replicates")->capture_default_str();
    cmd->add_option("--seed", a->seed, "bootstrap seed (same seed, same intervals)")
        ->capture_default_str();
    cmd->add_option("--segment-column", a->segment_column,
                    "with a segments file as --model (ltv fit --segment-column): the column "
                    "holding each customer's segment (default: the one the file was fitted on)");
    cmd->footer(
        "Examples:\n  ltv predict --model bgnbd.json --transactions orders.csv --horizon 52\n"
        "  ltv predict --model bgnbd.json --spend-model gg.json summary.csv --horizon 39 "
        "--periods 12 --period-length 4.345\n"
        "  ltv predict --model stores.json summary.csv --horizon 52   # a segments file\n"
        "  ltv predict --model stores.json --spend-model stores_gg.json summary.csv --horizon 52\n"
        "  ltv predict --model bgnbd.json summary.csv --horizon 39 --intervals 0.9 "
        "--interval-method bootstrap");
    cmd->callback([a] {
        std::optional<segmented_model> segs;
        model_state m;
        if (is_segments_file(a->model_path)) {
            segs = load_segments(a->model_path);
            m = segs->segments.empty() ? *segs->pooled : segs->segments.front().model;
        } else {
            if (!a->segment_column.empty())
                throw ltv::error(status::invalid_argument,
                                 "predict: --segment-column needs a segments file as --model "
                                 "(ltv fit --segment-column … -o FILE); " + a->model_path +
                                     " is a model file");
            m = load_model(a->model_path);
        }
        const model_ops& ops = model_ops_for(m.kind);
        for (capability c : {capability::conditional_purchases, capability::p_alive})
            if (!ops.supports(c))
                throw ltv::error(status::invalid_argument,
                                 "predict: --model " + a->model_path + " is a " + ops.title +
                                     " model, which does not predict " +
                                     capability_description(static_cast<int>(c)) +
                                     "; use one of: " + model_choices(c));
        const bool with_dert = a->dert_discount >= 0;
        if (with_dert && !ops.supports(capability::dert))
            throw ltv::error(status::invalid_argument,
                             "predict: --dert-discount needs a model with DERT (" +
                                 model_choices(capability::dert) + "), not " + ops.title);
        const bool spend = !a->spend_path.empty();
        model_state g;
        std::optional<segmented_model> spend_segs;  // --spend-model is a segments file
        if (spend) {
            if (is_segments_file(a->spend_path)) {
                if (!segs)
                    throw ltv::error(status::invalid_argument,
                                     "predict: --spend-model " + a->spend_path +
                                         " is a segments file; it needs a segments file as "
                                         "--model too (the transaction model per segment)");
                spend_segs = load_segments(a->spend_path);
                g = spend_segs->segments.empty() ? *spend_segs->pooled
                                                 : spend_segs->segments.front().model;
            } else {
                g = load_model(a->spend_path);
            }
            if (!model_ops_for(g.kind).supports(capability::spend))
                throw ltv::error(status::invalid_argument,
                                 "predict: --spend-model " + a->spend_path + " is a " +
                                     model_ops_for(g.kind).title + " model, not a spend model (" +
                                     model_choices(capability::spend) + ")");
            if (!ops.supports(capability::clv))
                throw ltv::error(status::invalid_argument,
                                 "predict: the " + std::string(ops.title) +
                                     " model has no CLV; --spend-model needs one of: " +
                                     model_choices(capability::clv));
        }
        std::vector<csv_column> wanted{col_frequency, col_recency, age_column(ops)};
        if (spend) wanted.push_back(col_monetary);
        // a model fitted with static covariates reads the same columns (docs/covariates.md)
        const std::size_t first_covariate = wanted.size();
        for (const auto& c : m.covariate_names) wanted.push_back({{c}, true});
        if (a->input.path.empty() == a->input.transactions.empty())
            throw ltv::error(status::invalid_argument,
                             "predict: give either a summary file or --transactions LOG");
        const auto t = read_input(a->input, wanted, m.time_unit);
        rfm_data d{t.columns[0], t.columns[1], t.columns[2], {}};
        const std::vector<double> z =
            covariate_matrix(t, first_covariate, m.covariate_names.size());
        if (!m.covariate_names.empty()) {
            d.covariates = {z.data(), t.rows, m.covariate_names.size()};
            d.covariate_names = {m.covariate_names.data(), m.covariate_names.size()};
        }
        const std::size_t n = t.rows;
        std::vector<double> expected(n), alive(n), spend_value, clv_value, dert;
        std::vector<std::string> labels;
        if (segs) {
            const std::string column =
                a->segment_column.empty() ? segs->column : a->segment_column;
            if (column.empty())
                throw ltv::error(status::invalid_argument,
                                 "predict: the segments file names no segment column; give "
                                 "--segment-column");
            if (spend_segs && a->segment_column.empty() && !spend_segs->column.empty() &&
                spend_segs->column != column)
                throw ltv::error(status::invalid_argument,
                                 "predict: the segments of --model were fitted on column '" +
                                     column + "' but those of --spend-model on '" +
                                     spend_segs->column +
                                     "'; give --segment-column to use one column for both");
            labels = segment_labels_of(a->input, column, t);
            const packed_labels packed(labels);
            const segment_columns sd{t.columns[0], t.columns[1], t.columns[2],
                                     spend ? t.columns[3] : array_view<double>{}, {}};
            with_rows_named(t, [&] {
                score_segments(*segs, capability::conditional_purchases, a->horizon, sd, packed,
                               expected.data());
                score_segments(*segs, capability::p_alive, 0, sd, packed, alive.data());
                if (with_dert) {
                    dert.resize(n);
                    score_segments(*segs, capability::dert, a->dert_discount, sd, packed,
                                   dert.data());
                }
                if (spend) {
                    spend_value.resize(n);
                    clv_value.resize(n);
                    if (spend_segs) {
                        score_segments(*spend_segs, capability::spend, 0, sd, packed,
                                       spend_value.data());
                        clv_segments(*segs, *spend_segs, sd, packed, clv_options_of(*a),
                                     clv_value.data());
                    } else {
                        model_ops_for(g.kind).expected_spend(g, {t.columns[0], t.columns[3], {}},
                                                             spend_value.data(), 0);
                        clv_segments(*segs, g, sd, packed, clv_options_of(*a), clv_value.data());
                    }
                }
            });
        } else with_rows_named(t, [&] {
            ops.conditional_purchases(m, a->horizon, d, expected.data(), 0);
            ops.p_alive(m, d, alive.data(), 0);
            if (with_dert) {
                dert.resize(n);
                ops.dert(m, a->dert_discount, d, dert.data(), 0);
            }
            if (spend) {
                const model_ops& spend_ops = model_ops_for(g.kind);
                spend_value.resize(n);
                clv_value.resize(n);
                spend_ops.expected_spend(g, {t.columns[0], t.columns[3], {}}, spend_value.data(),
                                         0);
                ops.clv(m, g, d, t.columns[3], clv_options_of(*a), clv_value.data(), 0);
            }
        });
        // --intervals: the bounds of every predicted column (name -> {lower, upper})
        std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> bounds;
        const bool with_intervals = a->interval_level != 0;
        if (with_intervals) {
            if (segs)
                throw ltv::error(status::invalid_argument,
                                 "predict: --intervals is not available with a segments file "
                                 "as --model (predict each segment's model file instead)");
            if (!(a->interval_level > 0 && a->interval_level < 1))
                throw ltv::error(status::invalid_argument,
                                 "predict: --intervals " + detail::format_value(a->interval_level) +
                                     " must be a level in (0, 1), e.g. 0.9");
            if (a->interval_method == "bootstrap" &&
                (a->replicates < 2 || a->replicates > max_interval_replicates))
                throw ltv::error(status::invalid_argument,
                                 "predict: --replicates " + std::to_string(a->replicates) +
                                     " must be in 2 … " +
                                     std::to_string(max_interval_replicates));
            interval_options io;
            io.level = a->interval_level;
            io.method = a->interval_method == "bootstrap" ? interval_method::bootstrap
                                                          : interval_method::delta;
            io.replicates = a->replicates;
            io.seed = a->seed;
            const spend_data sd{t.columns[0], spend ? t.columns[3] : array_view<double>{}, {}};
            auto add = [&](const char* name, const model_state& model, capability c,
                           double argument, const std::vector<double>& point,
                           const model_state* spend_model) {
                auto& [lower, upper] = bounds[name];
                lower.resize(n);
                upper.resize(n);
                const prediction_request q = make_prediction_request(
                    model, c, argument, d, sd, spend_model, clv_options_of(*a));
                try {
                    prediction_intervals(q, point.data(), io, lower.data(), upper.data(), 0);
                } catch (const ltv::error& e) {
                    throw ltv::error(e.code(), std::string("predict: --intervals, column ") +
                                                   name + ": " + e.what());
                }
            };
            with_rows_named(t, [&] {
                add("expected_purchases", m, capability::conditional_purchases, a->horizon,
                    expected, nullptr);
                add("p_alive", m, capability::p_alive, 0, alive, nullptr);
                if (with_dert) add("dert", m, capability::dert, a->dert_discount, dert, nullptr);
                if (spend) {
                    add("expected_spend", g, capability::spend, 0, spend_value, nullptr);
                    add("clv", m, capability::clv, 0, clv_value, &g);
                }
            });
        }
        std::ofstream file;
        if (!a->output.empty()) {
            file.open(a->output, std::ios::binary | std::ios::trunc);
            if (!file)
                throw ltv::error(status::io_error,
                                 "predict: cannot open '" + a->output + "' for writing");
        }
        std::ostream& out = a->output.empty() ? std::cout : file;
        const bool ids = !t.ids.empty();
        const bool with_segment = !labels.empty();
        if (a->json) {
            nlohmann::ordered_json rows = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < n; ++i) {
                nlohmann::ordered_json r;
                if (ids) r["customer_id"] = t.ids[i];
                if (with_segment) r["segment"] = labels[i];
                auto put = [&](const std::string& name, double v) {
                    r[name] = v;
                    const auto b = bounds.find(name);
                    if (b == bounds.end()) return;
                    r[name + "_lower"] = b->second.first[i];
                    r[name + "_upper"] = b->second.second[i];
                };
                put("expected_purchases", expected[i]);
                put("p_alive", alive[i]);
                if (with_dert) put("dert", dert[i]);
                if (spend) {
                    put("expected_spend", spend_value[i]);
                    put("clv", clv_value[i]);
                }
                rows.push_back(r);
            }
            out << rows.dump(2) << "\n";
        } else {
            if (ids) out << "customer_id,";
            if (with_segment) out << "segment,";
            // the predicted columns in order, each followed by its bounds under --intervals
            std::vector<std::pair<std::string, const std::vector<double>*>> cols{
                {"expected_purchases", &expected}, {"p_alive", &alive}};
            if (with_dert) cols.emplace_back("dert", &dert);
            if (spend) {
                cols.emplace_back("expected_spend", &spend_value);
                cols.emplace_back("clv", &clv_value);
            }
            for (std::size_t j = 0; j < cols.size(); ++j) {
                out << (j ? "," : "") << cols[j].first;
                if (with_intervals)
                    out << ',' << cols[j].first << "_lower," << cols[j].first << "_upper";
            }
            out << "\n";
            for (std::size_t i = 0; i < n; ++i) {
                if (ids) out << csv_field(t.ids[i]) << ',';
                if (with_segment) out << csv_field(labels[i]) << ',';
                for (std::size_t j = 0; j < cols.size(); ++j) {
                    out << (j ? "," : "") << number_text((*cols[j].second)[i]);
                    if (with_intervals) {
                        const auto& b = bounds.at(cols[j].first);
                        out << ',' << number_text(b.first[i]) << ',' << number_text(b.second[i]);
                    }
                }
                out << '\n';
            }
        }
        out.flush();
        if (!out) throw ltv::error(status::io_error, "predict: writing the output failed");
    });
}

/// The capabilities of a model as "p_alive, dert, …".
std::string capability_list(const model_ops& m) {
    std::string text;
    for (const char* name : capability_names(m.capabilities))
        text += std::string(text.empty() ? "" : ", ") + name;
    return text;
}

std::string param_list(const model_ops& m) {
    std::string text;
    for (std::size_t i = 0; i < m.num_params; ++i)
        text += std::string(i ? ", " : "") + m.params[i].name;
    return text;
}

/// docs/models.md's index table (between its markers; tests/python/test_registry.py checks that the
/// page holds exactly this).
std::string models_markdown() {
    std::string out =
        "| model | paper | C++ header | kind (C) | Python | CLI name | parameters | page |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const model_ops* m : registered_models()) {
        out += std::string("| ") + m->title + " | " + m->citation + " | `ltv/" + m->header +
               ".hpp` | " + std::to_string(m->kind) + " | `ltv." + m->class_name + "` | `" +
               m->name + "` | " + param_list(*m) + " | [" + m->docs + "](" + m->docs + ") |\n";
    }
    return out;
}

void add_models(CLI::App& app) {
    struct args {
        bool json = false, markdown = false;
    };
    auto a = std::make_shared<args>();
    auto* cmd = app.add_subcommand(
        "models", "The models this ltv has: names, parameters, data and capabilities");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--markdown", a->markdown, "print docs/models.md's index table");
    cmd->callback([a] {
        if (a->markdown) {
            std::cout << models_markdown();
            return;
        }
        nlohmann::ordered_json all = nlohmann::ordered_json::array();
        for (const model_ops* m : registered_models()) {
            nlohmann::ordered_json j;
            j["name"] = m->name;
            j["kind"] = m->kind;
            j["title"] = m->title;
            j["class_name"] = m->class_name;
            j["citation"] = m->citation;
            j["data"] = data_kind_name(m->data);
            nlohmann::ordered_json params = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < m->num_params; ++i) params.push_back(m->params[i].name);
            j["params"] = params;
            j["capabilities"] = capability_names(m->capabilities);
            all.push_back(j);
        }
        if (a->json) {
            std::cout << all.dump(2) << "\n";
            return;
        }
        for (const model_ops* m : registered_models())
            std::cout << m->name << "  " << m->title << " (" << param_list(*m) << ") — fitted on "
                      << data_kind_name(m->data) << " data; " << capability_list(*m) << "\n";
    });
}

}  // namespace

void add_model_commands(CLI::App& app) {
    add_models(app);
    add_fit(app);
    add_predict(app);
}

}  // namespace ltv::cli
