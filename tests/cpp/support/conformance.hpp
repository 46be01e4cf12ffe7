// SPDX-License-Identifier: Apache-2.0
// tests/cpp/support/conformance.hpp — the model-independent checks of
// tests/cpp/test_conformance.cpp.
//
// Everything here works on a model_ops (ltv/model_traits.hpp) and the model's reference file
// (tests/data/references/<short name>.json, its "conformance" section): no model is named. A
// model gets every check for every capability it declares by appearing in ltv/registry.hpp.
//
// The per-customer kernels of a model are wrapped as `kernel`s: a function of equally long
// input columns (frequency/recency/T for the RFM kernels, t for the new-customer curve, counts
// for the pmf, frequency/monetary for spend, t or renewals for survival) that writes one value
// per row. The generic checks (batch = scalar, thread counts, save/load, invalid inputs, stress
// grid) then apply to every kernel alike.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ltv/clv_options.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"
#include "references.hpp"

namespace ltv_test::conformance {

using columns = std::vector<std::vector<double>>;
using views = std::vector<ltv::array_view<double>>;
constexpr double inf = std::numeric_limits<double>::infinity();

// ---- the model's inputs from its reference file -------------------------------------------------

/// Data of the model's data kind: RFM or spend rows (with optional weights) or survivor curves.
struct data_set {
    columns cols;                 ///< rfm: x, t_x, T; spend: x, z̄
    std::vector<double> weights;  ///< empty: every row weight 1
    columns cohorts;              ///< survivors
};

/// What the conformance checks of one model need, read from its reference file.
struct model_inputs {
    const ltv::model_ops* ops = nullptr;
    const json* ref = nullptr;
    ltv::model_state state;  ///< kind + parameters at the published fit
    data_set sample;         ///< the small data set ("customers" / "cohorts")
    data_set fit_data;       ///< the data of the reference fit named by "fit"
    std::string fit_name;
    std::vector<double> horizons, counts, periods, renewals;
    double discount_rate = 0.1;
    ltv::clv_options clv;
    const ltv::model_ops* spend_ops = nullptr;  ///< a registered spend model, for CLV
    ltv::model_state spend_state;
    json stress;
};

inline std::string name_of(const ltv::model_ops& ops) { return ops.name; }

/// The data set `name` of the reference file in the form of the model's data kind.
inline data_set reference_data(const ltv::model_ops& ops, const json& ref,
                               const std::string& name) {
    data_set d;
    switch (ops.data) {
        case ltv::data_kind::rfm: {
            const auto r = rfm_dataset(ref, name);
            d.cols = {r.x, r.tx, r.T};
            d.weights = r.w;
            break;
        }
        case ltv::data_kind::spend: {
            const auto s = spend_dataset(ref, name);
            d.cols = {s.x, s.z};
            d.weights = s.w;
            break;
        }
        case ltv::data_kind::survivors:
            d.cohorts = cohorts_dataset(ref, name);
            break;
    }
    return d;
}

inline ltv::rfm_data rfm_view(const data_set& d) {
    return {d.cols[0], d.cols[1], d.cols[2], d.weights};
}
inline ltv::spend_data spend_view(const data_set& d) { return {d.cols[0], d.cols[1], d.weights}; }
inline std::vector<ltv::array_view<double>> cohort_views(const data_set& d) {
    return {d.cohorts.begin(), d.cohorts.end()};
}

/// The structural options a reference file sets (BG/CNBD-k's k), applied to a state of the
/// model: `options` when given (a fit's own "options"), else the "conformance" section's.
inline void apply_reference_options(const ltv::model_ops& ops, ltv::model_state& s,
                                    const json* options = nullptr) {
    if (options == nullptr) {
        const json& ref = reference(ops.name);
        if (!ref.contains("conformance") || !ref["conformance"].contains("options")) return;
        options = &ref["conformance"]["options"];
    }
    for (const auto& [name, value] : options->items())
        ltv::set_model_option(s, ops, name, value.get<double>());
}

/// Fits the model (through its ops) on data d; returns the fitted state. `options`: the
/// structural options (apply_reference_options).
inline ltv::model_state fit(const ltv::model_ops& ops, const data_set& d,
                            const ltv::fit_options& o = {}, const json* options = nullptr) {
    ltv::model_state s;
    s.kind = static_cast<ltv::model_kind>(ops.kind);
    apply_reference_options(ops, s, options);
    switch (ops.data) {
        case ltv::data_kind::rfm:
            ops.fit_rfm(s, rfm_view(d), o);
            break;
        case ltv::data_kind::spend:
            ops.fit_spend(s, spend_view(d), o);
            break;
        case ltv::data_kind::survivors: {
            const auto v = cohort_views(d);
            ops.fit_survivors(s, v, o);
            break;
        }
    }
    return s;
}

/// Σ wᵢ log Lᵢ of d at state s (the gradient w.r.t. log-parameters into `gradient` if not null;
/// the survivors kind has no gradient).
inline double total_log_likelihood(const ltv::model_ops& ops, const ltv::model_state& s,
                                   const data_set& d, double* gradient = nullptr) {
    switch (ops.data) {
        case ltv::data_kind::rfm:
            return ops.total_log_likelihood_rfm(s, rfm_view(d), gradient);
        case ltv::data_kind::spend:
            return ops.total_log_likelihood_spend(s, spend_view(d), gradient);
        case ltv::data_kind::survivors:
            return ops.survivors_log_likelihood(s, cohort_views(d));
    }
    return std::nan("");
}

/// ltv's own estimate on the data of reference fit `fit_name`, fitted once per model and fit.
inline const ltv::model_state& estimate(const ltv::model_ops& ops, const json& ref,
                                        const std::string& fit_name) {
    static std::map<std::pair<int, std::string>, ltv::model_state> cache;
    const auto key = std::make_pair(ops.kind, fit_name);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    const json& f = ref.at("fits").at(fit_name);
    const std::string data = f.at("data").get<std::string>();
    const json* options = f.contains("options") ? &f["options"] : nullptr;
    return cache.emplace(key, fit(ops, reference_data(ops, ref, data), {}, options))
        .first->second;
}

/// The parameters `spec` names ("<set>", "fit:<name>" or "estimate:<name>") as a state.
inline ltv::model_state state_at(const ltv::model_ops& ops, const json& ref,
                                 const std::string& spec) {
    if (spec.rfind("estimate:", 0) == 0) return estimate(ops, ref, spec.substr(9));
    ltv::model_state s;
    s.kind = static_cast<ltv::model_kind>(ops.kind);
    s.params = params(ref, spec, ops);
    apply_reference_options(ops, s);
    return s;
}

inline std::vector<double> optional_numbers(const json& c, const char* key) {
    return c.contains(key) ? numbers(c[key]) : std::vector<double>{};
}

/// The inputs of model `ops`; std::runtime_error when its reference file or a required part of
/// it is missing (a new model must add tests/data/references/<name>.json).
inline model_inputs load_inputs(const ltv::model_ops& ops) {
    model_inputs in;
    in.ops = &ops;
    in.ref = &reference(ops.name);
    const json& ref = *in.ref;
    if (ref.at("model").get<std::string>() != ops.name)
        throw std::runtime_error(reference_path(ops.name) + ": \"model\" is not '" + ops.name +
                                 "'");
    const json& c = ref.at("conformance");
    in.state = state_at(ops, ref, c.at("params").get<std::string>());
    in.fit_name = c.at("fit").get<std::string>();
    in.fit_data =
        reference_data(ops, ref, ref.at("fits").at(in.fit_name).at("data").get<std::string>());
    switch (ops.data) {
        case ltv::data_kind::rfm: {
            const json& k = c.at("customers");
            in.sample.cols = {numbers(k.at("frequency")), numbers(k.at("recency")),
                              numbers(k.at("T"))};
            break;
        }
        case ltv::data_kind::spend: {
            const json& k = c.at("customers");
            in.sample.cols = {numbers(k.at("frequency")), numbers(k.at("monetary"))};
            break;
        }
        case ltv::data_kind::survivors:
            for (const auto& cohort : c.at("cohorts")) in.sample.cohorts.push_back(numbers(cohort));
            break;
    }
    in.horizons = optional_numbers(c, "horizons");
    in.counts = optional_numbers(c, "counts");
    in.periods = optional_numbers(c, "periods");
    in.renewals = optional_numbers(c, "renewals");
    if (c.contains("discount_rate")) in.discount_rate = number(c["discount_rate"]);
    if (c.contains("clv")) {
        in.clv.periods = c["clv"].at("periods").get<int>();
        in.clv.period_length = number(c["clv"].at("period_length"));
        in.clv.discount_rate = number(c["clv"].at("discount_rate"));
    }
    in.stress = c.at("stress");
    if (ops.supports(ltv::capability::clv)) {
        // CLV needs a spend model: the first registered one, at its own conformance parameters.
        for (const ltv::model_ops* m : ltv::registered_models())
            if (m->supports(ltv::capability::spend)) {
                in.spend_ops = m;
                const json& sref = reference(m->name);
                in.spend_state =
                    state_at(*m, sref, sref.at("conformance").at("params").get<std::string>());
                break;
            }
        if (in.spend_ops == nullptr)
            throw std::runtime_error(
                "a model has the clv capability but no spend model is registered");
    }
    return in;
}

// ---- kernels ---------------------------------------------------------------------------------

/// The input shape of a kernel.
enum class family {
    rfm,        ///< frequency, recency, T
    rfm_money,  ///< frequency, recency, T, monetary (CLV)
    times,      ///< t (new-customer curve)
    counts,     ///< counts (pmf at a fixed t)
    spend,      ///< frequency, monetary
    spend_ll,   ///< frequency > 0, monetary > 0 (the spend density of a customer with purchases)
    periods,    ///< t ≥ 0 whole (survival)
    periods1,   ///< t ≥ 1 whole (retention rate)
    renewals,   ///< renewals ≥ 0 whole (DERL)
};

inline std::vector<std::string> column_names(family f) {
    switch (f) {
        case family::rfm:
            return {"frequency", "recency", "T"};
        case family::rfm_money:
            return {"frequency", "recency", "T", "monetary"};
        case family::times:
        case family::periods:
        case family::periods1:
            return {"t"};
        case family::counts:
            return {"counts"};
        case family::spend:
        case family::spend_ll:
            return {"frequency", "monetary"};
        case family::renewals:
            return {"renewals"};
    }
    return {};
}

/// Bounds a kernel's values must respect besides being finite (probabilities in [0, 1] etc.).
struct range {
    double lower = -inf, upper = inf;
};

/// One per-row quantity of a model as a function of input columns.
struct kernel {
    std::string
        name;  ///< the capability's kernel and its fixed arguments: "conditional_purchases(t=39)"
    family shape;
    bool threaded;  ///< takes a thread count (results must not depend on it)
    range bounds;
    std::function<void(const ltv::model_state&, const views&, double*, int)> run;
};

inline std::string with_arg(const char* name, const char* arg, double v) {
    std::ostringstream s;
    s << name << "(" << arg << "=" << v << ")";
    return s.str();
}

/// Every per-row kernel of the model, at the fixed arguments (horizons, discount rate, CLV
/// options) of `in` or of the stress grid when `stress` is set.
inline std::vector<kernel> kernels(const model_inputs& in, bool stress = false) {
    const ltv::model_ops& o = *in.ops;
    using ltv::capability;
    std::vector<kernel> k;
    auto rfm = [](const views& c) { return ltv::rfm_data{c[0], c[1], c[2], {}}; };
    const std::vector<double> horizons =
        stress && in.stress.contains("horizons") ? numbers(in.stress["horizons"]) : in.horizons;
    const std::vector<double> rates = stress && in.stress.contains("discount_rates")
                                          ? numbers(in.stress["discount_rates"])
                                          : std::vector<double>{in.discount_rate};
    if (o.supports(capability::log_likelihood))
        k.push_back({"log_likelihood",
                     family::rfm,
                     true,
                     {-inf, inf},
                     [&o, rfm](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.log_likelihood(s, rfm(c), out, th);
                     }});
    if (o.supports(capability::p_alive))
        k.push_back({"p_alive",
                     family::rfm,
                     true,
                     {0, 1},
                     [&o, rfm](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.p_alive(s, rfm(c), out, th);
                     }});
    if (o.supports(capability::conditional_purchases))
        for (double t : horizons)
            k.push_back({with_arg("conditional_purchases", "t", t),
                         family::rfm,
                         true,
                         {0, inf},
                         [&o, rfm, t](const ltv::model_state& s, const views& c, double* out,
                                      int th) { o.conditional_purchases(s, t, rfm(c), out, th); }});
    if (o.supports(capability::conditional_purchase_pmf))
        for (double t : horizons)
            for (double n : {0.0, 1.0, 3.0}) {
                std::ostringstream name;
                name << "conditional_purchase_pmf(n=" << n << ", t=" << t << ")";
                k.push_back({name.str(),
                             family::rfm,
                             true,
                             {0, 1},
                             [&o, rfm, n, t](const ltv::model_state& s, const views& c,
                                             double* out, int th) {
                                 o.conditional_purchase_pmf(s, n, t, rfm(c), out, th);
                             }});
            }
    if (o.supports(capability::p_alive_ahead))
        for (double t : horizons)
            k.push_back({with_arg("p_alive_ahead", "ahead", t),
                         family::rfm,
                         true,
                         {0, 1},
                         [&o, rfm, t](const ltv::model_state& s, const views& c, double* out,
                                      int th) { o.p_alive_ahead(s, t, rfm(c), out, th); }});
    if (o.supports(capability::dert))
        for (double d : rates)
            k.push_back({with_arg("dert", "discount_rate", d),
                         family::rfm,
                         true,
                         {0, inf},
                         [&o, rfm, d](const ltv::model_state& s, const views& c, double* out,
                                      int th) { o.dert(s, d, rfm(c), out, th); }});
    if (o.supports(capability::clv)) {
        std::vector<ltv::clv_options> options{in.clv};
        if (stress)
            for (double d : rates) {
                ltv::clv_options x = in.clv;
                x.discount_rate = d;
                options.push_back(x);
            }
        for (const auto& opt : options) {
            const ltv::model_state* spend = &in.spend_state;
            k.push_back(
                {with_arg("clv", "discount_rate", opt.discount_rate),
                 family::rfm_money,
                 true,
                 {0, inf},
                 [&o, rfm, spend, opt](const ltv::model_state& s, const views& c, double* out,
                                       int th) { o.clv(s, *spend, rfm(c), c[3], opt, out, th); }});
        }
    }
    if (o.supports(capability::new_customer_purchases))
        k.push_back({"new_customer_purchases",
                     family::times,
                     true,
                     {0, inf},
                     [&o](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.new_customer_purchases(s, c[0], out, th);
                     }});
    if (o.supports(capability::purchase_pmf)) {
        const double t =
            horizons.empty() ? 1.0 : *std::max_element(horizons.begin(), horizons.end());
        k.push_back({with_arg("purchase_pmf", "t", t),
                     family::counts,
                     true,
                     {0, 1},
                     [&o, t](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.purchase_pmf(s, t, c[0], out, th);
                     }});
    }
    if (o.supports(capability::spend)) {
        k.push_back({"expected_spend",
                     family::spend,
                     true,
                     {0, inf},
                     [&o](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.expected_spend(s, ltv::spend_data{c[0], c[1], {}}, out, th);
                     }});
        k.push_back({"spend_log_likelihood",
                     family::spend_ll,
                     true,
                     {-inf, inf},
                     [&o](const ltv::model_state& s, const views& c, double* out, int th) {
                         o.spend_log_likelihood(s, ltv::spend_data{c[0], c[1], {}}, out, th);
                     }});
    }
    if (o.supports(capability::survival)) {
        k.push_back({"survival",
                     family::periods,
                     false,
                     {0, 1},
                     [&o](const ltv::model_state& s, const views& c, double* out, int) {
                         o.survival(s, c[0], out);
                     }});
        k.push_back({"retention_rate",
                     family::periods1,
                     false,
                     {0, 1},
                     [&o](const ltv::model_state& s, const views& c, double* out, int) {
                         o.retention_rate(s, c[0], out);
                     }});
        for (double d : rates)
            k.push_back({with_arg("discounted_expected_residual_lifetime", "discount_rate", d),
                         family::renewals,
                         false,
                         {0, inf},
                         [&o, d](const ltv::model_state& s, const views& c, double* out, int) {
                             o.discounted_expected_residual_lifetime(s, d, c[0], out);
                         }});
    }
    return k;
}

/// Quantities of a model that are one number for given parameters (not per row).
struct scalar_quantity {
    std::string name;
    range bounds;
    std::function<double(const ltv::model_state&)> run;
};

inline std::vector<scalar_quantity> scalar_quantities(const model_inputs& in, bool stress = false) {
    const ltv::model_ops& o = *in.ops;
    std::vector<scalar_quantity> q;
    if (o.supports(ltv::capability::survival)) {
        const std::vector<double> rates = stress ? numbers(in.stress.at("discount_rates"))
                                                 : std::vector<double>{in.discount_rate};
        for (double d : rates)
            q.push_back({with_arg("discounted_expected_lifetime", "discount_rate", d),
                         {1, inf},
                         [&o, d](const ltv::model_state& s) {
                             return o.discounted_expected_lifetime(s, d);
                         }});
        const columns cohorts =
            stress ? [&] {
                columns c;
                for (const auto& x : in.stress.at("cohorts")) c.push_back(numbers(x));
                return c;
            }()
                   : in.sample.cohorts;
        for (std::size_t i = 0; i < cohorts.size(); ++i) {
            const std::vector<double> cohort = cohorts[i];
            q.push_back({"survivors_log_likelihood(cohort " + std::to_string(i) + ")",
                         {-inf, 0},
                         [&o, cohort](const ltv::model_state& s) {
                             const std::vector<ltv::array_view<double>> v{cohort};
                             return o.survivors_log_likelihood(s, v);
                         }});
        }
    }
    return q;
}

// ---- inputs of each kernel shape
// -----------------------------------------------------------------

/// A monetary value per row for the CLV kernel: positive where the row has repeat purchases.
inline std::vector<double> monetary_for(const std::vector<double>& x) {
    std::vector<double> m(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        m[i] = x[i] > 0 ? 20 + 3.5 * static_cast<double>(i % 7) : 0;
    return m;
}

/// The (frequency, monetary) rows with frequency > 0 and monetary > 0: the customers a spend
/// density is defined for (the per-customer spend log-likelihood refuses the others).
inline columns spend_rows_with_purchases(const columns& c) {
    columns r(2);
    for (std::size_t i = 0; i < c[0].size(); ++i)
        if (c[0][i] > 0 && c[1][i] > 0) {
            r[0].push_back(c[0][i]);
            r[1].push_back(c[1][i]);
        }
    return r;
}

/// The small sample inputs of a kernel shape.
inline columns sample_input(const model_inputs& in, family f) {
    switch (f) {
        case family::rfm:
            return in.sample.cols;
        case family::rfm_money: {
            columns c = in.sample.cols;
            c.push_back(monetary_for(c[0]));
            return c;
        }
        case family::times:
            return {in.horizons};
        case family::counts:
            return {in.counts};
        case family::spend:
            return in.sample.cols;
        case family::spend_ll:
            return spend_rows_with_purchases(in.sample.cols);
        case family::periods:
            return {in.periods};
        case family::periods1: {
            std::vector<double> t;
            for (double v : in.periods)
                if (v >= 1) t.push_back(v);
            return {t};
        }
        case family::renewals:
            return {in.renewals};
    }
    return {};
}

/// Inputs of at least `rows` rows of a kernel shape: the reference fit's data (and the sample)
/// repeated for the row kinds, a deterministic sequence of whole numbers for t and counts.
inline columns large_input(const model_inputs& in, family f, std::size_t rows) {
    auto tile = [&](const columns& a, const columns& b) {
        columns c(a.size());
        while (c[0].size() < rows)
            for (const columns* src : {&a, &b})
                for (std::size_t j = 0; j < c.size(); ++j)
                    c[j].insert(c[j].end(), (*src)[j].begin(), (*src)[j].end());
        return c;
    };
    switch (f) {
        case family::rfm:
        case family::spend:
            return tile(in.fit_data.cols, in.sample.cols);
        case family::rfm_money: {
            columns c = tile(in.fit_data.cols, in.sample.cols);
            c.push_back(monetary_for(c[0]));
            return c;
        }
        case family::spend_ll:
            return tile(spend_rows_with_purchases(in.fit_data.cols),
                        spend_rows_with_purchases(in.sample.cols));
        case family::times:
        case family::periods1: {
            std::vector<double> t(rows);
            for (std::size_t i = 0; i < rows; ++i) t[i] = 1 + static_cast<double>(i % 97);
            return {t};
        }
        case family::counts:
        case family::periods:
        case family::renewals: {
            std::vector<double> t(rows);
            for (std::size_t i = 0; i < rows; ++i) t[i] = static_cast<double>(i % 53);
            return {t};
        }
    }
    return {};
}

/// The stress grid of a kernel shape (the reference file's conformance.stress).
inline columns stress_input(const model_inputs& in, family f) {
    const json& s = in.stress;
    switch (f) {
        case family::rfm:
        case family::rfm_money: {
            const bool discrete = s.value("discrete_time", false);
            std::set<std::tuple<double, double, double>> rows;
            for (double x : numbers(s.at("frequency")))
                for (double T : numbers(s.at("T")))
                    for (double frac : numbers(s.at("recency_fractions"))) {
                        if (T == 0 && x > 0) continue;
                        double tx = x == 0 ? 0 : frac * T;
                        if (discrete && x > 0) tx = std::max(x, std::round(tx));
                        if (tx > T) continue;
                        rows.emplace(x, tx, T);
                    }
            columns c(3);
            for (const auto& [x, tx, T] : rows) {
                c[0].push_back(x);
                c[1].push_back(tx);
                c[2].push_back(T);
            }
            if (f == family::rfm_money) c.push_back(monetary_for(c[0]));
            return c;
        }
        case family::times:
            return {numbers(s.at("horizons"))};
        case family::counts:
            return {numbers(s.at("frequency"))};
        case family::spend:
        case family::spend_ll: {
            columns c(2);
            for (double x : numbers(s.at("frequency")))
                for (double z : numbers(s.at("monetary"))) {
                    if (f == family::spend_ll && !(x > 0 && z > 0)) continue;
                    c[0].push_back(x);
                    c[1].push_back(z);
                }
            return c;
        }
        case family::periods:
            return {numbers(s.at("periods"))};
        case family::periods1: {
            std::vector<double> t;
            for (double v : numbers(s.at("periods")))
                if (v >= 1) t.push_back(v);
            return {t};
        }
        case family::renewals:
            return {numbers(s.at("renewals"))};
    }
    return {};
}

inline views view_of(const columns& c) { return {c.begin(), c.end()}; }

/// Row i of c alone, as views into c.
inline views row_of(const columns& c, std::size_t i) {
    views v;
    for (const auto& col : c) v.emplace_back(col.data() + i, 1);
    return v;
}

// ---- invalid inputs
// ------------------------------------------------------------------------------

/// One invalid input: a change to row `row` of valid columns, and the argument the error must
/// name ("recency[3]" for a row, "'recency'" for a whole column).
struct invalid_case {
    std::string what;
    std::string names;
    std::function<void(columns&)> apply;
};

/// Whether an error message names the argument `names` ("recency[3]" or "'recency'"). A row may
/// be named either way ltv's messages do: "'recency[3]' = …" or "'recency' = … (at row 3)".
inline bool names_argument(const std::string& message, const std::string& names) {
    if (message.find(names) != std::string::npos) return true;
    const auto open = names.find('[');
    if (open == std::string::npos || names.back() != ']') return false;
    const std::string arg = "'" + names.substr(0, open) + "'";
    const std::string row = "(at row " + names.substr(open + 1, names.size() - open - 2) + ")";
    return message.find(arg) != std::string::npos && message.find(row) != std::string::npos;
}

/// Whether the reference file lists (check, kernel, case) as a known library defect
/// (conformance.known_defects: the check letter, a kernel-name prefix, the case's description).
inline bool known_defect(const model_inputs& in, const std::string& check,
                         const std::string& kernel_name, const std::string& what) {
    const json& c = in.ref->at("conformance");
    if (!c.contains("known_defects")) return false;
    for (const auto& d : c["known_defects"])
        if (d.at("check").get<std::string>() == check &&
            kernel_name.rfind(d.at("kernel").get<std::string>(), 0) == 0 &&
            d.at("case").get<std::string>() == what)
            return true;
    return false;
}

inline std::string at_row(const std::string& name, std::size_t row) {
    return name + "[" + std::to_string(row) + "]";
}

/// Invalid inputs for a kernel shape applied to valid columns of ≥ 2 rows; `row` is the row
/// changed.
inline std::vector<invalid_case> invalid_cases(family f, std::size_t row, bool discrete = false) {
    const double nan = std::nan("");
    const auto names = column_names(f);
    std::vector<invalid_case> v;
    // NaN in every column, at `row`.
    for (std::size_t j = 0; j < names.size(); ++j)
        v.push_back({"NaN " + names[j], at_row(names[j], row),
                     [j, row, nan](columns& c) { c[j][row] = nan; }});
    // Inf in every column.
    for (std::size_t j = 0; j < names.size(); ++j)
        v.push_back(
            {"inf " + names[j], at_row(names[j], row), [j, row](columns& c) { c[j][row] = inf; }});
    switch (f) {
        case family::rfm:
        case family::rfm_money:
            v.push_back({"negative frequency", at_row("frequency", row),
                         [row](columns& c) { c[0][row] = -1; }});
            v.push_back({"fractional frequency", at_row("frequency", row),
                         [row](columns& c) { c[0][row] = 1.5; }});
            v.push_back({"recency > T", at_row("recency", row), [row](columns& c) {
                             c[0][row] = std::max(c[0][row], 1.0);
                             c[1][row] = c[2][row] + 1;
                         }});
            v.push_back({"negative recency", at_row("recency", row),
                         [row](columns& c) { c[1][row] = -1; }});
            v.push_back({"negative T", at_row("T", row), [row](columns& c) {
                             c[0][row] = 0;
                             c[1][row] = 0;
                             c[2][row] = -1;
                         }});
            if (discrete)
                v.push_back({"fractional recency (discrete time)", at_row("recency", row),
                             [row](columns& c) {
                                 c[0][row] = 1;
                                 c[1][row] = 1.5;
                                 c[2][row] = 3;
                             }});
            if (f == family::rfm_money)
                v.push_back({"negative monetary", at_row("monetary", row),
                             [row](columns& c) { c[3][row] = -5; }});
            break;
        case family::spend:
        case family::spend_ll:
            v.push_back({"negative frequency", at_row("frequency", row),
                         [row](columns& c) { c[0][row] = -1; }});
            v.push_back({"negative monetary", at_row("monetary", row),
                         [row](columns& c) { c[1][row] = -5; }});
            break;
        case family::times:
            v.push_back({"negative t", at_row("t", row), [row](columns& c) { c[0][row] = -1; }});
            break;
        case family::counts:
            v.push_back(
                {"negative count", at_row("counts", row), [row](columns& c) { c[0][row] = -1; }});
            v.push_back({"fractional count", at_row("counts", row),
                         [row](columns& c) { c[0][row] = 1.5; }});
            break;
        case family::periods:
        case family::periods1:
            v.push_back({"negative t", at_row("t", row), [row](columns& c) { c[0][row] = -1; }});
            v.push_back({"fractional t", at_row("t", row), [row](columns& c) { c[0][row] = 2.5; }});
            if (f == family::periods1)
                v.push_back({"t = 0", at_row("t", row), [row](columns& c) { c[0][row] = 0; }});
            break;
        case family::renewals:
            v.push_back({"negative renewals", at_row("renewals", row),
                         [row](columns& c) { c[0][row] = -1; }});
            v.push_back({"fractional renewals", at_row("renewals", row),
                         [row](columns& c) { c[0][row] = 1.5; }});
            break;
    }
    // A column one element short (multi-column shapes).
    if (names.size() > 1)
        for (std::size_t j = 1; j < names.size(); ++j)
            v.push_back({"'" + names[j] + "' one element short", "'" + names[j] + "'",
                         [j](columns& c) { c[j].pop_back(); }});
    return v;
}

/// The status and message of the ltv::error f() throws (status ok and "" when it returns).
template <class F>
std::pair<ltv::status, std::string> outcome(F&& f) {
    try {
        f();
    } catch (const ltv::error& e) {
        return {e.code(), e.what()};
    }
    return {ltv::status::ok, ""};
}

// ---- helpers for the checks
// ----------------------------------------------------------------------

/// The state with every parameter k scaled by scales[k].
inline ltv::model_state scaled(const ltv::model_state& s, const std::vector<double>& scales) {
    ltv::model_state t = s;
    t.fitted = false;
    t.report = {};
    for (std::size_t k = 0; k < t.params.size(); ++k) t.params[k] *= scales[k];
    return t;
}

/// The parameter sets of the stress grid: the published fit, each parameter alone and all
/// together scaled by each of stress.param_scales.
inline std::vector<ltv::model_state> stress_states(const model_inputs& in) {
    std::vector<ltv::model_state> v{in.state};
    const std::size_t n = in.state.params.size();
    for (double f : numbers(in.stress.at("param_scales"))) {
        for (std::size_t k = 0; k < n; ++k) {
            std::vector<double> s(n, 1.0);
            s[k] = f;
            v.push_back(scaled(in.state, s));
        }
        v.push_back(scaled(in.state, std::vector<double>(n, f)));
    }
    return v;
}

inline std::string describe_params(const ltv::model_ops& ops, const ltv::model_state& s) {
    std::ostringstream o;
    o.precision(17);
    for (std::size_t k = 0; k < s.params.size() && k < ops.num_params; ++k)
        o << (k ? ", " : "") << ops.params[k].name << " = " << s.params[k];
    return o.str();
}

inline std::string describe_row(const family f, const columns& c, std::size_t i) {
    std::ostringstream o;
    o.precision(17);
    const auto names = column_names(f);
    for (std::size_t j = 0; j < c.size(); ++j) o << (j ? ", " : "") << names[j] << " = " << c[j][i];
    return o.str();
}

/// Whether a and b hold the same doubles bit for bit (NaN included).
inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) ||
            std::signbit(a[i]) != std::signbit(b[i]))
            return false;
    return true;
}

/// The data set `d` with the rows `dup` once more each (unweighted duplicates), and the same
/// rows once with their weight doubled; for survivors the first cohort twice vs its counts
/// doubled.
inline std::pair<data_set, data_set> duplicated_vs_weighted(const data_set& d,
                                                            const std::vector<std::size_t>& dup) {
    data_set a = d, b = d;
    if (!d.cohorts.empty()) {
        a.cohorts.push_back(d.cohorts[0]);
        for (double& v : b.cohorts[0]) v *= 2;
        return {a, b};
    }
    const std::size_t n = d.cols[0].size();
    if (b.weights.empty()) b.weights.assign(n, 1.0);
    const bool had_weights = !a.weights.empty();
    for (std::size_t i : dup) {
        for (std::size_t j = 0; j < d.cols.size(); ++j) a.cols[j].push_back(d.cols[j][i]);
        if (had_weights) a.weights.push_back(d.weights[i]);
        b.weights[i] *= 2;
    }
    return {a, b};
}

// ---- published predictions through the kernels
// ---------------------------------------------------

/// The value of reference prediction `p` (an entry of the reference file's "predictions")
/// computed through the model's kernels; std::runtime_error for a quantity the model lacks.
inline double evaluate(const ltv::model_ops& ops, const json& ref, const json& p) {
    const ltv::model_state s = state_at(ops, ref, p.at("params").get<std::string>());
    const std::string q = p.at("quantity").get<std::string>();
    auto arg = [&](const char* key) { return number(p.at(key)); };
    auto need = [&](bool available) {
        if (!available)
            throw std::runtime_error(std::string("the ") + ops.title +
                                     " model has no kernel for '" + q + "'");
    };
    double out = std::nan("");
    if (q == "log_likelihood" || q == "p_alive" || q == "conditional_purchases" || q == "dert") {
        const double x = arg("frequency"), tx = arg("recency"), T = arg("T");
        const ltv::rfm_data d{{&x, 1}, {&tx, 1}, {&T, 1}, {}};
        if (q == "log_likelihood") {
            need(ops.log_likelihood != nullptr);
            ops.log_likelihood(s, d, &out, 1);
        } else if (q == "p_alive") {
            need(ops.p_alive != nullptr);
            ops.p_alive(s, d, &out, 1);
        } else if (q == "conditional_purchases") {
            need(ops.conditional_purchases != nullptr);
            ops.conditional_purchases(s, arg("t"), d, &out, 1);
        } else {
            need(ops.dert != nullptr);
            ops.dert(s, arg("discount_rate"), d, &out, 1);
        }
    } else if (q == "new_customer_purchases") {
        need(ops.new_customer_purchases != nullptr);
        const double t = arg("t");
        ops.new_customer_purchases(s, {&t, 1}, &out, 1);
    } else if (q == "purchase_pmf") {
        need(ops.purchase_pmf != nullptr);
        const double n = arg("count");
        ops.purchase_pmf(s, arg("t"), {&n, 1}, &out, 1);
    } else if (q == "expected_spend") {
        need(ops.expected_spend != nullptr);
        const double x = arg("frequency"), z = arg("monetary");
        ops.expected_spend(s, ltv::spend_data{{&x, 1}, {&z, 1}, {}}, &out, 1);
    } else if (q == "discounted_expected_lifetime") {
        need(ops.discounted_expected_lifetime != nullptr);
        out = ops.discounted_expected_lifetime(s, arg("discount_rate"));
    } else if (q == "discounted_expected_residual_lifetime") {
        need(ops.discounted_expected_residual_lifetime != nullptr);
        const double n = arg("renewals");
        ops.discounted_expected_residual_lifetime(s, arg("discount_rate"), {&n, 1}, &out);
    } else if (q == "survival" || q == "projected_survivors") {
        need(ops.survival != nullptr);
        const double t = arg("t");
        ops.survival(s, {&t, 1}, &out);
        if (q == "projected_survivors") out *= arg("size");
    } else if (q == "weighted_sum_conditional_purchases") {
        need(ops.conditional_purchases != nullptr);
        const data_set d = reference_data(ops, ref, p.at("dataset").get<std::string>());
        std::vector<double> e(d.cols[0].size());
        ops.conditional_purchases(s, arg("t"), rfm_view(d), e.data(), 1);
        out = 0;
        for (std::size_t i = 0; i < e.size(); ++i)
            out += (d.weights.empty() ? 1 : d.weights[i]) * e[i];
    } else {
        throw std::runtime_error("unknown reference quantity '" + q + "'");
    }
    return out;
}

}  // namespace ltv_test::conformance
