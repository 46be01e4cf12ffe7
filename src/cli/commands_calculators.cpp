// SPDX-License-Identifier: Apache-2.0
// src/cli/commands_calculators.cpp — `ltv retention|churn|lost-profit|simple-ltv|clv`.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "calculator_reports.hpp"
#include "commands.hpp"
#include "ltv/cohorts.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/retention.hpp"
#include "ltv/simple_ltv.hpp"
#include "model_reports.hpp"
#include "transaction_reports.hpp"

namespace ltv::cli {

report retention_report(double start, double end, double added, const std::string& title) {
    const double rate = ltv::retention_rate(start, end, added);
    report r("retention", title.empty() ? "Retention rate" : title);
    r.add("retention_rate", "retention rate", rate, kind::rate)
        .add("churn_rate", "churn rate", 1.0 - rate, kind::rate)
        .add("customers_start", "customers at start", start, kind::count)
        .add("customers_end", "customers at end", end, kind::count)
        .add("new_customers", "new customers", added, kind::count)
        .add("retained", "retained (end − new)", end - added, kind::count);
    return r;
}

report retention_flows_report(double start, double lost, double added, const std::string& title) {
    const auto flows = ltv::retention_from_flows(start, lost, added);
    report r("retention", title.empty() ? "Retention rate" : title);
    r.add("retention_rate", "retention rate", flows.retention_rate, kind::rate)
        .add("churn_rate", "churn rate", flows.churn_rate, kind::rate)
        .add("customers_start", "customers at start", start, kind::count)
        .add("customers_lost", "customers lost", lost, kind::count)
        .add("new_customers", "new customers", added, kind::count)
        .add("customers_end", "customers at end", flows.customers_end, kind::count)
        .add("retained", "retained (start − lost)", flows.retained, kind::count);
    return r;
}

report churn_report(double start, double lost) {
    report r("churn", "Churn rate");
    r.add("churn_rate", "churn rate", ltv::churn_rate(start, lost), kind::rate)
        .add("customers_start", "customers at start", start, kind::count)
        .add("customers_lost", "customers lost", lost, kind::count);
    return r;
}

report lost_profit_report(double lost_customers, double expected_purchases, double purchases_made,
                          double margin, const std::string& title) {
    report r("lost_profit", title.empty() ? "Lost profit from churned customers" : title);
    r.add("lost_profit", "lost profit",
          ltv::lost_profit(lost_customers, expected_purchases, purchases_made, margin), kind::money)
        .add("lost_per_customer", "lost per customer",
             ltv::lost_profit_per_customer(expected_purchases, purchases_made, margin), kind::money)
        .add("lost_customers", "lost customers", lost_customers, kind::count)
        .add("expected_purchases", "expected purchases", expected_purchases, kind::count)
        .add("purchases_made", "purchases made", purchases_made, kind::count)
        .add("margin_per_purchase", "margin per purchase", margin, kind::money);
    return r;
}

report simple_ltv_report(double margin, double purchases) {
    report r("simple_ltv", "Lifetime value (margin × purchases)");
    r.add("ltv", "lifetime value", ltv::simple_ltv(margin, purchases), kind::money)
        .add("margin_per_purchase", "margin per purchase", margin, kind::money)
        .add("expected_purchases", "expected purchases", purchases, kind::count);
    return r;
}

report purchase_chain_report(const std::vector<double>& margins,
                             const std::vector<double>& probabilities, double discount_rate,
                             const std::string& title) {
    report r("purchase_chain_ltv",
             title.empty() ? (probabilities.empty() ? "Lifetime value from per-purchase margins"
                                                    : "Lifetime value of a purchase chain")
                           : title);
    r.add("ltv", "lifetime value", ltv::purchase_chain_ltv(margins, probabilities, discount_rate),
          kind::money)
        .add("purchases", "purchases in the chain", static_cast<double>(margins.size()),
             kind::count)
        .add("discount_rate", "discount rate per step", discount_rate, kind::rate)
        .add_json("margins", "margins", margins);
    if (!probabilities.empty()) {
        std::vector<double> reach;
        double p = 1;
        for (double q : probabilities) reach.push_back(p *= q);
        r.add_json("probabilities", "probabilities", probabilities)
            .add_json("reach_probabilities", "chance of reaching each", reach);
    }
    return r;
}

report average_clv_report(const average_clv_inputs& in, const std::string& title) {
    report r("clv", title.empty() ? "Customer lifetime value from averages" : title);
    r.add("clv", "lifetime value", ltv::average_clv(in), kind::money)
        .add("margin_per_period", "margin per period", ltv::average_clv_margin_per_period(in),
             kind::money)
        .add("average_order_value", "average order value", in.average_order_value, kind::money)
        .add("margin", "margin", in.margin, kind::rate)
        .add("purchases_per_period", "purchases per period", in.purchases_per_period, kind::number)
        .add("periods", "periods", in.periods, kind::number)
        .add("retention", "retention per period", in.retention, kind::rate)
        .add("discount_rate", "discount rate per period", in.discount_rate, kind::rate);
    return r;
}

namespace {

struct retention_args {
    double start = NAN, end = NAN, added = 0, lost = NAN;
    // retention: counts, or dates with --transactions (parsed in the callback)
    std::string start_text, end_text, transactions;
    int window_days = 0;
    transaction_input in;
    std::vector<double> survivors, holdout;
    std::size_t project = 0;
    double discount_rate = 0.1;
    bool json = false;
};

void add_retention(CLI::App& app) {
    auto a = std::make_shared<retention_args>();
    auto* cmd = app.add_subcommand(
        "retention",
        "Retention rate of a period: (customers at end − new customers) / customers at start");
    auto* start = cmd->add_option("--start", a->start_text,
                                  "customers at the start of the period (with --transactions: the "
                                  "start date)");
    auto* end = cmd->add_option("--end", a->end_text,
                                "customers at the end of the period (with --transactions: the end "
                                "date)");
    auto* lost = cmd->add_option(
        "--lost", a->lost,
        "customers lost in the period (instead of --end: end = start − lost + new)");
    end->excludes(lost);
    cmd->add_option("--new", a->added, "new customers acquired in the period")
        ->capture_default_str();
    auto* survivors =
        cmd->add_option("--survivors", a->survivors,
                        "customers of a cohort active at the start of periods 0, 1, 2, …: fits "
                        "the sBG model and projects the curve")
            ->delimiter(',')
            ->excludes(start);
    cmd->add_option("--holdout", a->holdout,
                    "observed counts of the periods after --survivors, to report the errors of "
                    "the projection")
        ->delimiter(',')
        ->needs(survivors);
    cmd->add_option("--project", a->project, "periods to project (default: the observed ones + 5)")
        ->needs(survivors);
    cmd->add_option("--discount-rate", a->discount_rate,
                    "discount rate per period for DEL and DERL")
        ->capture_default_str()
        ->needs(survivors);
    auto* transactions =
        cmd->add_option("--transactions", a->transactions,
                        "measure the period (--start DATE, --end DATE] on a transaction log "
                        "('-' for stdin)")
            ->excludes(survivors)
            ->excludes(lost);
    cmd->add_option("--window", a->window_days,
                    "--transactions: a customer is active at a date with a purchase in the "
                    "preceding DAYS days (default: the period's length)")
        ->needs(transactions);
    add_transaction_input_options(cmd, a->in);
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->footer(
        "Examples:\n  ltv retention --start 1000 --end 1100 --new 200\n"
        "  ltv retention --start 550 --lost 65 --new 32 --json\n"
        "  ltv retention --survivors 1000,631,468,382,326,289,262,241 --project 12\n"
        "  ltv retention --transactions orders.csv --start 2024-01-01 --end 2024-06-30");
    // Whether an option was given is asked of CLI11, not read from a sentinel value, so that an
    // explicit "nan" reaches the library's validation.
    cmd->callback([a, start, end, lost, survivors, transactions] {
        if (transactions->count() > 0) {
            if (start->count() == 0 || end->count() == 0)
                throw ltv::error(status::invalid_argument,
                                 "retention: --transactions needs --start DATE and --end DATE");
            const day_number s = date_option("--start", a->start_text);
            const day_number e = date_option("--end", a->end_text);
            const int window = a->window_days > 0 ? a->window_days : std::max(e - s, 1);
            const transaction_log log = load_log(a->transactions, a->in);
            print_reports(std::cout,
                          {period_retention_report(
                              period_retention(build_history(log), s, e, window), s, e, window)},
                          a->json);
            return;
        }
        // Counts: numbers, as CLI11 would check them (a usage error, exit 2, if not).
        auto count_option = [](const char* name, const std::string& text, double& out) {
            const char* begin = text.c_str();
            char* stop = nullptr;
            out = std::strtod(begin, &stop);
            if (text.empty() || stop != begin + text.size())
                throw CLI::ValidationError(name, "'" + text + "' is not a number");
        };
        if (start->count() > 0) count_option("--start", a->start_text, a->start);
        if (end->count() > 0) count_option("--end", a->end_text, a->end);
        if (survivors->count() > 0) {
            const std::size_t project =
                a->project > 0 ? a->project : a->survivors.size() - 1 + a->holdout.size() + 5;
            print_reports(std::cout,
                          survivor_curve_reports(survivor_curve_model(), a->survivors,
                                                 a->holdout, project, a->discount_rate),
                          a->json);
            return;
        }
        if (start->count() == 0)
            throw ltv::error(status::invalid_argument,
                             "retention: give --start (with --end or --lost), or --survivors");
        if (end->count() == 0 && lost->count() == 0)
            throw ltv::error(status::invalid_argument,
                             "retention: give the customers at the end (--end) or the customers "
                             "lost (--lost)");
        const report r = lost->count() == 0 ? retention_report(a->start, a->end, a->added)
                                            : retention_flows_report(a->start, a->lost, a->added);
        print_reports(std::cout, {r}, a->json);
    });
}

void add_churn(CLI::App& app) {
    auto a = std::make_shared<retention_args>();
    auto* cmd = app.add_subcommand("churn", "Churn rate of a period: lost / customers at start");
    cmd->add_option("--start", a->start, "customers at the start of the period")->required();
    cmd->add_option("--lost", a->lost, "customers lost in the period")->required();
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->callback([a] { print_reports(std::cout, {churn_report(a->start, a->lost)}, a->json); });
}

struct lost_profit_args {
    double lost_customers = 1, expected = 0, made = 0, margin = 0;
    bool json = false;
};

void add_lost_profit(CLI::App& app) {
    auto a = std::make_shared<lost_profit_args>();
    auto* cmd = app.add_subcommand(
        "lost-profit",
        "Margin lost with churned customers: lost × (expected − made purchases) × margin");
    cmd->add_option("--lost-customers", a->lost_customers, "number of churned customers")
        ->capture_default_str();
    cmd->add_option("--expected-purchases", a->expected,
                    "purchases a typical customer makes over a lifetime")
        ->required();
    cmd->add_option("--purchases-made", a->made, "purchases the churned customers made")
        ->required();
    cmd->add_option("--margin", a->margin, "average margin per purchase")->required();
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->footer(
        "Example:\n  ltv lost-profit --lost-customers 65 --expected-purchases 5 "
        "--purchases-made 1 --margin 30000");
    cmd->callback([a] {
        print_reports(std::cout,
                      {lost_profit_report(a->lost_customers, a->expected, a->made, a->margin)},
                      a->json);
    });
}

struct simple_ltv_args {
    double margin = NAN, purchases = NAN, discount_rate = 0;
    std::vector<double> margins, probabilities;
    bool json = false;
};

void add_simple_ltv(CLI::App& app) {
    auto a = std::make_shared<simple_ltv_args>();
    auto* cmd = app.add_subcommand(
        "simple-ltv",
        "Lifetime value as margin × purchases, from per-purchase margins, or of a purchase chain");
    auto* margin = cmd->add_option("--margin", a->margin, "margin per purchase");
    auto* purchases = cmd->add_option("--purchases", a->purchases, "expected number of purchases");
    auto* margins =
        cmd->add_option("--margins", a->margins, "comma-separated margin of each purchase in order")
            ->delimiter(',');
    cmd->add_option("--probabilities", a->probabilities,
                    "comma-separated probability of each purchase given the previous one")
        ->delimiter(',')
        ->needs(margins);
    cmd->add_option("--discount-rate", a->discount_rate, "discount rate per purchase step")
        ->capture_default_str()
        ->needs(margins);
    margin->needs(purchases);
    purchases->needs(margin);
    margins->excludes(margin);
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->footer(
        "Examples:\n  ltv simple-ltv --margin 30000 --purchases 5\n"
        "  ltv simple-ltv --margins 1000,400,500,300,300 --probabilities 1,0.5,0.8,0.6,0.5");
    cmd->callback([a, margin, margins] {
        if (margins->count() == 0 && margin->count() == 0)
            throw ltv::error(status::invalid_argument,
                             "simple-ltv: give --margin and --purchases, or --margins");
        const report r = margins->count() == 0 ? simple_ltv_report(a->margin, a->purchases)
                                               : purchase_chain_report(a->margins, a->probabilities,
                                                                       a->discount_rate);
        print_reports(std::cout, {r}, a->json);
    });
}

struct clv_args {
    average_clv_inputs in;
    bool json = false;
};

void add_clv(CLI::App& app) {
    auto a = std::make_shared<clv_args>();
    auto* cmd = app.add_subcommand(
        "clv", "CLV from averages: order value × margin × purchases per period over the periods");
    cmd->add_option("--aov,--average-order-value", a->in.average_order_value, "average order value")
        ->required();
    cmd->add_option("--margin", a->in.margin, "margin as a fraction of revenue, 0..1")
        ->capture_default_str();
    cmd->add_option("--frequency,--purchases-per-period", a->in.purchases_per_period,
                    "purchases per period")
        ->required();
    cmd->add_option("--periods", a->in.periods, "number of periods (inf for no end)")
        ->capture_default_str();
    cmd->add_option("--retention", a->in.retention, "probability a customer stays each period")
        ->capture_default_str();
    cmd->add_option("--discount-rate", a->in.discount_rate, "discount rate per period")
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->footer(
        "Example:\n  ltv clv --aov 50 --margin 0.3 --frequency 2 --periods 12 --retention 0.8 "
        "--discount-rate 0.01");
    cmd->callback([a] { print_reports(std::cout, {average_clv_report(a->in)}, a->json); });
}

}  // namespace

void add_calculator_commands(CLI::App& app) {
    add_retention(app);
    add_churn(app);
    add_lost_profit(app);
    add_simple_ltv(app);
    add_clv(app);
}

}  // namespace ltv::cli
