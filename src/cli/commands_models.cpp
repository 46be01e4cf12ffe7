// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_models.cpp — `ltv fit` and `ltv predict`: the probabilistic models on
// per-customer summary files.
//
// Summary files are read by ltv/summary_csv.hpp with either naming convention:
//   lifetimes: frequency, recency, T, monetary_value      Hardie: x, t_x, T, zbar
// plus an optional weight column (weights, weight, count) and an id column passed through to the
// predictions (customer_id, id).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "commands.hpp"
#include "ltv/bgbb.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_state.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/sbg.hpp"
#include "ltv/summary_csv.hpp"
#include "model_reports.hpp"

namespace ltv::cli {
namespace {

const csv_column col_frequency{{"frequency", "x"}, true};
const csv_column col_recency{{"recency", "t_x"}, true};
const csv_column col_age{{"T", "age"}, true};
const csv_column col_periods{{"periods", "n_periods", "n", "T"}, true};
const csv_column col_monetary{{"monetary_value", "zbar", "monetary"}, true};
const csv_column col_weights{{"weights", "weight", "count"}, false};
const std::vector<std::string> id_columns{"customer_id", "id"};

/// Reads a summary from a path or "-" (stdin).
summary_csv read_table(const std::string& path, const std::vector<csv_column>& wanted) {
    if (path == "-") {
        const std::string text{std::istreambuf_iterator<char>(std::cin),
                               std::istreambuf_iterator<char>()};
        return read_summary_csv_text(text, "<stdin>", wanted, id_columns);
    }
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

struct fit_args {
    std::string model, path, output, time_unit;
    std::vector<double> survivors;
    double penalizer = 0;
    double time_limit = 0;
    bool allow_no_convergence = false;
    bool json = false;
};

model_state fit_file(const fit_args& a) {
    model_state m;
    m.kind = model_kind_from_name(a.model);
    m.time_unit = a.time_unit;
    fit_options opt;
    opt.penalizer = a.penalizer;
    opt.time_limit = a.time_limit;
    opt.allow_no_convergence = a.allow_no_convergence;
    switch (m.kind) {
        case model_kind::bgnbd:
        case model_kind::mbgnbd: {
            const auto t = read_table(a.path, {col_frequency, col_recency, col_age, col_weights});
            const rfm_data d{t.columns[0], t.columns[1], t.columns[2], t.columns[3]};
            with_rows_named(t, [&] {
                if (m.kind == model_kind::bgnbd) {
                    auto r = fit_bgnbd(d, opt);
                    m.params = {r.params.r, r.params.alpha, r.params.a, r.params.b};
                    m.report = std::move(r.report);
                } else {
                    auto r = fit_mbgnbd(d, opt);
                    m.params = {r.params.r, r.params.alpha, r.params.a, r.params.b};
                    m.report = std::move(r.report);
                }
            });
            break;
        }
        case model_kind::pareto_nbd:
        case model_kind::bgbb: {
            const bool bgbb = m.kind == model_kind::bgbb;
            const auto t = read_table(
                a.path, {col_frequency, col_recency, bgbb ? col_periods : col_age, col_weights});
            const rfm_data d{t.columns[0], t.columns[1], t.columns[2], t.columns[3]};
            with_rows_named(t, [&] {
                if (bgbb) {
                    auto r = fit_bgbb(d, opt);
                    m.params = {r.params.alpha, r.params.beta, r.params.gamma, r.params.delta};
                    m.report = std::move(r.report);
                } else {
                    auto r = fit_pareto_nbd(d, opt);
                    m.params = {r.params.r, r.params.alpha, r.params.s, r.params.beta};
                    m.report = std::move(r.report);
                }
            });
            break;
        }
        case model_kind::gamma_gamma: {
            const auto t = read_table(a.path, {col_frequency, col_monetary, col_weights});
            const spend_data d{t.columns[0], t.columns[1], t.columns[2]};
            with_rows_named(t, [&] {
                auto r = fit_gamma_gamma(d, opt);
                m.params = {r.params.p, r.params.q, r.params.gamma};
                m.report = std::move(r.report);
            });
            break;
        }
        case model_kind::sbg: {
            std::vector<double> curve = a.survivors;
            if (curve.empty()) {
                const auto t = read_table(a.path, {{{"active", "survivors", "customers"}, true}});
                curve = t.columns[0];
            }
            auto r = fit_sbg(curve, opt);
            m.params = {r.params.alpha, r.params.beta};
            m.report = std::move(r.report);
            break;
        }
    }
    m.fitted = true;
    return m;
}

void add_fit(CLI::App& app) {
    auto a = std::make_shared<fit_args>();
    auto* cmd = app.add_subcommand("fit", "Fit a probabilistic model to a per-customer summary");
    cmd->add_option("--model", a->model,
                    "bgnbd, mbgnbd, pnbd (Pareto/NBD), bgbb, gg (Gamma-Gamma) or sbg")
        ->required();
    cmd->add_option("summary", a->path,
                    "summary CSV (frequency, recency, T[, monetary_value][, weights]; or x, t_x, "
                    "T, zbar), '-' for stdin; for sbg a column 'active'");
    cmd->add_option("--survivors", a->survivors, "sbg: comma-separated survivor counts")
        ->delimiter(',');
    cmd->add_option("--penalizer", a->penalizer, "L2 penalty on the parameters")
        ->capture_default_str();
    cmd->add_option("--time-unit", a->time_unit, "unit of the durations (recorded in the file)");
    cmd->add_option("--time-limit", a->time_limit,
                    "stop the fit after this many seconds (0 = no limit); it then fails naming "
                    "the best point so far, or keeps it with --allow-no-convergence")
        ->capture_default_str();
    cmd->add_flag("--allow-no-convergence", a->allow_no_convergence,
                  "keep (and report as not converged) a fit that stopped early instead of failing");
    cmd->add_option("-o,--output", a->output, "write the fitted model (JSON) to this file");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->footer(
        "Examples:\n  ltv fit --model bgnbd summary.csv -o bgnbd.json\n"
        "  ltv fit --model gg summary.csv -o gg.json --json");
    cmd->callback([a] {
        if (a->path.empty() && a->survivors.empty())
            throw ltv::error(status::invalid_argument,
                             "fit: give a summary file (or --survivors for sbg)");
        const model_state m = fit_file(*a);
        if (!a->output.empty()) save_model(m, a->output);
        report r = fit_report_of(m);
        if (!a->output.empty()) r.add("output", "written to", a->output);
        print_reports(std::cout, {r}, a->json);
    });
}

struct predict_args {
    std::string model_path, spend_path, path, output;
    double horizon = 0;
    int periods = 12;
    double period_length = 1.0, discount_rate = 0;
    double dert_discount = -1;  // < 0: no DERT column
    bool json = false;
};



template <class F>
void with_rfm_params(const model_state& m, F&& f) {
    const auto& p = m.params;
    switch (m.kind) {
        case model_kind::bgnbd:
            f(bgnbd_params{p[0], p[1], p[2], p[3]});
            return;
        case model_kind::mbgnbd:
            f(mbgnbd_params{p[0], p[1], p[2], p[3]});
            return;
        case model_kind::pareto_nbd:
            f(pareto_nbd_params{p[0], p[1], p[2], p[3]});
            return;
        case model_kind::bgbb:
            f(bgbb_params{p[0], p[1], p[2], p[3]});
            return;
        default:
            break;
    }
    throw ltv::error(status::invalid_argument,
                     "predict: the " + std::string(model_info(m.kind).title) +
                         " model does not predict from (frequency, recency, T)");
}

void add_predict(CLI::App& app) {
    auto a = std::make_shared<predict_args>();
    auto* cmd = app.add_subcommand(
        "predict", "Per-customer predictions: expected purchases, P(alive), expected spend, CLV");
    cmd->add_option("--model", a->model_path, "transaction model file (from ltv fit -o)")
        ->required();
    cmd->add_option("--spend-model", a->spend_path,
                    "Gamma-Gamma model file: adds expected spend and CLV (needs monetary_value)");
    cmd->add_option("summary", a->path, "summary CSV, '-' for stdin")->required();
    cmd->add_option("--horizon", a->horizon, "t for the expected purchases in (T, T + t]")
        ->required();
    cmd->add_option("--periods", a->periods, "CLV periods")->capture_default_str();
    cmd->add_option("--period-length", a->period_length,
                    "CLV period length in the data's time unit (4.345 weeks = a month)")
        ->capture_default_str();
    cmd->add_option("--discount-rate", a->discount_rate, "CLV discount rate per period")
        ->capture_default_str();
    cmd->add_option("--dert-discount", a->dert_discount,
                    "Pareto/NBD, BG/BB: add a DERT column at this discount rate (continuous δ per "
                    "time unit for Pareto/NBD, d per period for BG/BB)");
    cmd->add_option("-o,--output", a->output, "write the CSV to this file instead of stdout");
    cmd->add_flag("--json", a->json, "print JSON records instead of CSV");
    cmd->footer(
        "Example:\n  ltv predict --model bgnbd.json --spend-model gg.json summary.csv --horizon 39 "
        "--periods 12 --period-length 4.345");
    cmd->callback([a] {
        const model_state m = load_model(a->model_path);
        const bool with_dert = a->dert_discount >= 0;
        if (with_dert && m.kind != model_kind::pareto_nbd && m.kind != model_kind::bgbb)
            throw ltv::error(status::invalid_argument,
                             "predict: --dert-discount needs a Pareto/NBD or BG/BB model");
        const bool spend = !a->spend_path.empty();
        model_state g;
        if (spend) {
            g = load_model(a->spend_path);
            if (g.kind != model_kind::gamma_gamma)
                throw ltv::error(
                    status::invalid_argument,
                    "predict: --spend-model " + a->spend_path + " is not a Gamma-Gamma model");
        }
        std::vector<csv_column> wanted{col_frequency, col_recency,
                                       m.kind == model_kind::bgbb ? col_periods : col_age};
        if (spend) wanted.push_back(col_monetary);
        const auto t = read_table(a->path, wanted);
        const rfm_data d{t.columns[0], t.columns[1], t.columns[2], {}};
        const std::size_t n = t.rows;
        std::vector<double> expected(n), alive(n), spend_value, clv_value, dert;
        with_rows_named(t, [&] {
            with_rfm_params(m, [&](const auto& p) {
                conditional_expected_purchases(p, a->horizon, d, expected.data());
                probability_alive(p, d, alive.data());
                if constexpr (std::is_same_v<std::decay_t<decltype(p)>, pareto_nbd_params>) {
                    if (with_dert) {
                        dert.resize(n);
                        discounted_expected_residual_transactions(p, a->dert_discount, d,
                                                                  dert.data());
                    }
                } else if constexpr (std::is_same_v<std::decay_t<decltype(p)>, bgbb_params>) {
                    if (with_dert) {
                        dert.resize(n);
                        for (std::size_t i = 0; i < n; ++i)
                            dert[i] = discounted_expected_residual_transactions(
                                p, a->dert_discount, d.frequency[i], d.recency[i], d.age[i]);
                    }
                }
                if (spend) {
                    const gamma_gamma_params gg{g.params[0], g.params[1], g.params[2]};
                    spend_value.resize(n);
                    clv_value.resize(n);
                    conditional_expected_average_spend(gg, {t.columns[0], t.columns[3], {}},
                                                       spend_value.data());
                    clv_options o;
                    o.periods = a->periods;
                    o.period_length = a->period_length;
                    o.discount_rate = a->discount_rate;
                    clv(p, gg, d, t.columns[3], o, clv_value.data());
                }
            });
        });
        std::ofstream file;
        if (!a->output.empty()) {
            file.open(a->output, std::ios::binary | std::ios::trunc);
            if (!file)
                throw ltv::error(status::io_error,
                                 "predict: cannot open '" + a->output + "' for writing");
        }
        std::ostream& out = a->output.empty() ? std::cout : file;
        const bool ids = !t.ids.empty();
        if (a->json) {
            nlohmann::ordered_json rows = nlohmann::ordered_json::array();
            for (std::size_t i = 0; i < n; ++i) {
                nlohmann::ordered_json r;
                if (ids) r["customer_id"] = t.ids[i];
                r["expected_purchases"] = expected[i];
                r["p_alive"] = alive[i];
                if (with_dert) r["dert"] = dert[i];
                if (spend) {
                    r["expected_spend"] = spend_value[i];
                    r["clv"] = clv_value[i];
                }
                rows.push_back(r);
            }
            out << rows.dump(2) << "\n";
        } else {
            if (ids) out << "customer_id,";
            out << "expected_purchases,p_alive" << (with_dert ? ",dert" : "")
                << (spend ? ",expected_spend,clv" : "") << "\n";
            for (std::size_t i = 0; i < n; ++i) {
                if (ids) out << csv_field(t.ids[i]) << ',';
                out << number_text(expected[i]) << ',' << number_text(alive[i]);
                if (with_dert) out << ',' << number_text(dert[i]);
                if (spend)
                    out << ',' << number_text(spend_value[i]) << ',' << number_text(clv_value[i]);
                out << '\n';
            }
        }
        out.flush();
        if (!out) throw ltv::error(status::io_error, "predict: writing the output failed");
    });
}

}  // namespace

void add_model_commands(CLI::App& app) {
    add_fit(app);
    add_predict(app);
}

}  // namespace ltv::cli
