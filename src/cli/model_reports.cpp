// SPDX-License-Identifier: Apache-2.0
// src/cli/model_reports.cpp — reports of fitted models.
#include "model_reports.hpp"

#include <cmath>
#include <limits>

#include "ltv/error.hpp"
#include "ltv/registry.hpp"

namespace ltv::cli {

report fit_report_of(const model_state& m, const std::string& title) {
    const model_ops& info = model_ops_for(m.kind);
    report r("fit", title.empty() ? std::string(info.title) + " fit" : title);
    r.add("model", "model", info.name);
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < m.params.size(); ++i) {
        const double se = m.fitted && i < m.report.parameters.size()
                              ? m.report.parameters[i].standard_error
                              : std::numeric_limits<double>::quiet_NaN();
        rows.push_back({m.params[i], se});
    }
    if (m.fitted) {
        r.add("log_likelihood", "log-likelihood", m.report.log_likelihood, kind::number)
            .add_json("converged", "converged", m.report.convergence.converged,
                      m.report.convergence.converged ? "yes" : "no")
            .add("iterations", "iterations", m.report.convergence.iterations, kind::count)
            .add("gradient_norm", "gradient max-norm", m.report.convergence.gradient_norm,
                 kind::number)
            .add("customers", "customers (total weight)", m.report.total_weight, kind::count);
        // Rows a fit leaves out by its data policy are reported, never dropped silently
        // (Gamma-Gamma: frequency > 0 with monetary <= 0; docs/gamma-gamma.md).
        if (model_ops_for(m.kind).supports(capability::fit_spend) || m.report.rows_excluded > 0)
            r.add("rows_excluded", "rows excluded (frequency > 0, monetary <= 0)",
                  static_cast<double>(m.report.rows_excluded), kind::count);
        r.add("message", "optimiser", m.report.convergence.message);
    }
    // Parameters as a small table: name, estimate, standard error.
    nlohmann::ordered_json params = nlohmann::ordered_json::object(),
                           ses = nlohmann::ordered_json::object();
    const std::vector<std::string> names = parameter_names(m);  // with covariate coefficients
    for (std::size_t i = 0; i < m.params.size(); ++i) {
        params[names[i]] = m.params[i];
        const double se = rows[i][1];
        ses[names[i]] = std::isfinite(se) ? nlohmann::ordered_json(se) : nullptr;
    }
    std::string text;
    for (std::size_t i = 0; i < m.params.size(); ++i) {
        text += std::string(text.empty() ? "" : ", ") + names[i] + " = " +
                format_text(m.params[i], kind::number);
        if (std::isfinite(rows[i][1])) text += " ± " + format_text(rows[i][1], kind::number);
    }
    r.add_json("params", m.fitted ? "parameters (± SE)" : "parameters", params, text);
    if (m.fitted) r.add_json("standard_errors", "", ses, "");
    return r;
}

const model_ops& survivor_curve_model() {
    for (const model_ops* ops : registered_models())
        if (ops->supports(capability::fit_survivors) && ops->supports(capability::survival))
            return *ops;
    throw ltv::error(status::internal, "no registered model fits survivor curves");
}

std::vector<report> survivor_curve_reports(const model_ops& ops,
                                           const std::vector<double>& survivors,
                                           const std::vector<double>& holdout, std::size_t project,
                                           double discount_rate, const std::string& name) {
    if (!ops.supports(capability::fit_survivors) || !ops.supports(capability::survival))
        throw ltv::error(status::invalid_argument,
                         std::string(ops.name) + " does not fit survivor curves");
    model_state m;
    m.kind = static_cast<model_kind>(ops.kind);
    ops.fit_survivors(m, {array_view<double>(survivors.data(), survivors.size())}, fit_options{});
    const std::string title = ops.title;
    std::vector<report> out;
    out.push_back(fit_report_of(m, title + " fit" + (name.empty() ? "" : " — " + name)));

    // Periods 0..periods: the projection n₀ S(t), and the retention rate r(t) from t = 1.
    const std::size_t periods = std::max(project, survivors.size() - 1 + holdout.size());
    std::vector<double> t_grid(periods + 1), survival(periods + 1), retention(periods + 1);
    for (std::size_t t = 0; t <= periods; ++t) t_grid[t] = static_cast<double>(t);
    ops.survival(m, array_view<double>(t_grid.data(), t_grid.size()), survival.data());
    ops.retention_rate(m, array_view<double>(t_grid.data() + 1, periods), retention.data() + 1);
    std::vector<std::vector<double>> rows;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t t = 0; t <= periods; ++t) {
        double observed = nan;
        if (t < survivors.size())
            observed = survivors[t];
        else if (t - survivors.size() < holdout.size())
            observed = holdout[t - survivors.size()];
        const double projected = survivors[0] * survival[t];
        const double error =
            std::isnan(observed) || observed == 0 ? nan : (projected - observed) / observed;
        rows.push_back({t_grid[t], observed, projected, error, t == 0 ? nan : retention[t]});
    }
    report projection("projection", title + " projection" + (name.empty() ? "" : " — " + name));
    projection.add("fitted_periods", "periods fitted", static_cast<double>(survivors.size() - 1),
                   kind::count);
    projection.add_table("periods", "active customers by period",
                         {"period", "observed", "projected", "error", "retention"}, rows,
                         {kind::count, kind::count, kind::money, kind::rate, kind::rate});
    out.push_back(projection);

    report value("value", name.empty() ? "Discounted expected lifetime"
                                       : "Discounted expected lifetime — " + name);
    value.add("discount_rate", "discount rate per period", discount_rate, kind::rate)
        .add("del", "DEL (new customer, payments)",
             ops.discounted_expected_lifetime(m, discount_rate), kind::number);
    const std::vector<double> renewals{0, 1, 2, 4, 9};
    std::vector<double> derl_values(renewals.size());
    ops.discounted_expected_residual_lifetime(
        m, discount_rate, array_view<double>(renewals.data(), renewals.size()), derl_values.data());
    std::vector<std::vector<double>> derl;
    for (std::size_t i = 0; i < renewals.size(); ++i) derl.push_back({renewals[i], derl_values[i]});
    value.add_table("derl", "DERL by renewals so far", {"renewals", "DERL"}, derl,
                    {kind::count, kind::number});
    out.push_back(value);
    return out;
}

}  // namespace ltv::cli
