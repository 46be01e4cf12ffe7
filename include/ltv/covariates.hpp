// SPDX-License-Identifier: Apache-2.0
// ltv/covariates.hpp — static (time-invariant) covariates for any model that opts in: the
// per-customer parameters, the validation of a covariate matrix, the fit with analytic gradients,
// L2 regularisation and equality constraints, and per-customer predictions.
//
// Parameterisation (CLVTools, github.com/bachmannpatrick/CLVTools, src/pnbd.cpp
// pnbd_staticcov_alpha_i/beta_i and src/bgnbd.cpp bgnbd_staticcov_alpha_i/a_i/b_i): a model's
// traits struct lists covariate_links {parameter, sign, group}; customer i with covariate row zᵢ
// has, for every linked parameter θ of group g,
//     θᵢ = θ · exp(sign · γ_g'zᵢ),
// and parameters without a link are shared by every customer. Links of one group share one
// coefficient vector γ_g (CLVTools' BG/NBD: aᵢ = a·exp(γ_life'zᵢ), bᵢ = b·exp(γ_life'zᵢ)). The
// coefficients follow the model's own parameters in model_state::params, group by group, each
// group's covariates in column order, named "<group>:<covariate>" (e.g. "alpha:channel").
//
// The fit maximises Σ wᵢ log L(x_i, t_x,i, T_i | θᵢ) over (log θ, γ) through detail::run_fit
// (γ real-valued: fit_problem::num_real). Gradient by the chain rule from the model's gradient in
// log-parameters: ∂ℓᵢ/∂γ_g,j = Σ_{links l of g} sign_l · ∂ℓᵢ/∂log θ_l,i · z_ij. Customers with
// identical covariate rows form a group evaluated by the model's own (prepared, x-grouped and
// row-merged) total log-likelihood, so discrete covariates cost one likelihood pass per distinct
// row. Options (model_state::options, set by name):
//   "covariates.lambda" = λ ≥ 0: the objective gains λ Σ γ² (CLVTools' reg.lambdas, with one λ
//       for every group; R/interlayer_regularization.R adds λ γ'γ to the average −LL);
//   "constrain.<covariate>" = 1: one coefficient shared by every group for that covariate
//       (CLVTools' names.cov.constr, R/interlayer_constraints.R); the shared value is reported
//       under each group's name, with the same standard error;
//   "fix.<group>:<covariate>" = v: that coefficient held at v (any finite v).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/LU>

#include "ltv/array_view.hpp"
#include "ltv/detail/fit_driver.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {
namespace detail {

/// The parameter struct P (an aggregate of N doubles, in the traits' parameter order) from a
/// model state's flat parameters.
template <class P, std::size_t... I>
P params_from_flat(const double* v, std::index_sequence<I...>) {
    return P{v[I]...};
}

/// The flat parameters of an aggregate of N doubles (the inverse of params_from_flat).
template <std::size_t N, class P>
std::vector<double> flat_params(const P& p) {
    static_assert(N >= 1 && N <= 6, "add a case for this number of parameters");
    if constexpr (N == 1) {
        const auto& [a] = p;
        return {a};
    } else if constexpr (N == 2) {
        const auto& [a, b] = p;
        return {a, b};
    } else if constexpr (N == 3) {
        const auto& [a, b, c] = p;
        return {a, b, c};
    } else if constexpr (N == 4) {
        const auto& [a, b, c, d] = p;
        return {a, b, c, d};
    } else if constexpr (N == 5) {
        const auto& [a, b, c, d, e] = p;
        return {a, b, c, d, e};
    } else {
        const auto& [a, b, c, d, e, f] = p;
        return {a, b, c, d, e, f};
    }
}

/// Whether traits struct M declares covariate_links (it takes static covariates).
template <class M, class = void>
struct has_covariate_links : std::false_type {};
template <class M>
struct has_covariate_links<M, std::void_t<decltype(M::covariate_links)>> : std::true_type {};

/// The distinct groups of a link table, in order of first appearance.
inline std::vector<std::string> link_groups(const covariate_link* links, std::size_t n) {
    std::vector<std::string> g;
    for (std::size_t i = 0; i < n; ++i)
        if (std::find(g.begin(), g.end(), links[i].group) == g.end()) g.emplace_back(links[i].group);
    return g;
}

/// The resolved link table of a model: per link its parameter index and group index.
struct resolved_links {
    std::vector<std::size_t> param;  ///< index into the model's parameters
    std::vector<int> sign;
    std::vector<std::size_t> group;  ///< index into groups
    std::vector<std::string> groups;
};

inline resolved_links resolve_links(const model_ops& ops) {
    resolved_links r;
    r.groups = link_groups(ops.covariate_links, ops.num_covariate_links);
    for (std::size_t l = 0; l < ops.num_covariate_links; ++l) {
        const covariate_link& c = ops.covariate_links[l];
        std::size_t p = 0;
        while (p < ops.num_params && std::string(ops.params[p].name) != c.param) ++p;
        r.param.push_back(p);
        r.sign.push_back(c.sign);
        r.group.push_back(static_cast<std::size_t>(
            std::find(r.groups.begin(), r.groups.end(), c.group) - r.groups.begin()));
    }
    return r;
}

/// The names of the coefficients: "<group>:<covariate>", group-major.
inline std::vector<std::string> coefficient_names(const resolved_links& L,
                                                  const std::vector<std::string>& covariates) {
    std::vector<std::string> out;
    for (const auto& g : L.groups)
        for (const auto& c : covariates) out.push_back(g + ":" + c);
    return out;
}

/// One customer's parameters: base (the model's k parameters) with every linked parameter
/// multiplied by exp(sign · γ_g'z). γ = 0 gives base exactly (exp(0) = 1).
inline void customer_params(const resolved_links& L, const double* base, std::size_t k,
                            const double* gamma, const double* z, std::size_t p, double* out) {
    for (std::size_t i = 0; i < k; ++i) out[i] = base[i];
    for (std::size_t l = 0; l < L.param.size(); ++l) {
        const double* g = gamma + L.group[l] * p;
        double eta = 0;
        for (std::size_t j = 0; j < p; ++j) eta += g[j] * z[j];
        out[L.param[l]] = base[L.param[l]] * std::exp(L.sign[l] * eta);
    }
}

/// The covariate names of a data set: its names, or "z1", "z2", … when none are given; each
/// non-empty and unique (invalid_argument naming the duplicate and both columns).
inline std::vector<std::string> covariate_names_of(const char* fn, matrix_view z,
                                                   array_view<std::string> names) {
    std::vector<std::string> out;
    if (!names.empty() && names.size() != z.cols)
        fail(status::invalid_argument, fn,
             "argument 'covariate_names' has " + std::to_string(names.size()) +
                 " names but 'covariates' has " + std::to_string(z.cols) + " columns");
    for (std::size_t j = 0; j < z.cols; ++j) {
        std::string n = names.empty() ? "z" + std::to_string(j + 1) : names[j];
        if (n.empty())
            fail(status::invalid_argument, fn,
                 "argument 'covariate_names' column " + std::to_string(j) + " is empty");
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i] == n)
                fail(status::invalid_argument, fn,
                     "argument 'covariate_names': '" + n + "' names both column " +
                         std::to_string(i) + " and column " + std::to_string(j));
        out.push_back(std::move(n));
    }
    return out;
}

/// The covariate matrix checked against `rows` customers: data present, row count, every value
/// finite (invalid_argument naming argument, row, column, name and value).
inline void validate_covariate_values(const char* fn, matrix_view z, std::size_t rows,
                                      const std::vector<std::string>& names) {
    if (z.cols > 0 && z.data == nullptr)
        fail(status::invalid_argument, fn, "argument 'covariates' is null with " +
                                               std::to_string(z.cols) + " columns");
    if (z.rows != rows)
        fail(status::invalid_argument, fn,
             "argument 'covariates' has " + std::to_string(z.rows) +
                 " rows but 'frequency' has " + std::to_string(rows));
    for (std::size_t i = 0; i < z.rows; ++i)
        for (std::size_t j = 0; j < z.cols; ++j)
            if (!std::isfinite(z(i, j)))
                fail(status::invalid_argument, fn,
                     "argument 'covariates' row " + std::to_string(i) + " column " +
                         std::to_string(j) + " ('" + names[j] + "') = " + format_value(z(i, j)) +
                         " must be finite");
}

/// What a fit needs besides finite values: no constant column (it would only rescale the
/// model's own parameter: not identifiable) and no perfect collinearity among the centred
/// columns (Eigen's full-pivot LU of the correlation matrix; the columns named are those with a
/// non-zero weight in a null vector).
inline void validate_covariates_identifiable(const char* fn, matrix_view z,
                                             const std::vector<std::string>& names) {
    const std::size_t n = z.rows, p = z.cols;
    Eigen::MatrixXd C(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
    for (std::size_t j = 0; j < p; ++j) {
        double mean = 0;
        for (std::size_t i = 0; i < n; ++i) mean += z(i, j);
        mean /= static_cast<double>(n);
        double ss = 0, scale = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double c = z(i, j) - mean;
            ss += c * c;
            scale = std::max(scale, std::abs(z(i, j)));
        }
        // constant: every deviation from the mean is rounding of the values' magnitude
        if (!(std::sqrt(ss) > 1e-12 * std::max(scale, 1e-300) * std::sqrt(static_cast<double>(n))))
            fail(status::invalid_argument, fn,
                 "argument 'covariates' column " + std::to_string(j) + " ('" + names[j] +
                     "') is constant (" + format_value(z(0, j)) +
                     " in every row): it cannot be told apart from the model's own parameters");
        const double norm = std::sqrt(ss);
        for (std::size_t i = 0; i < n; ++i)
            C(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = (z(i, j) - mean) / norm;
    }
    if (p < 2) return;
    const Eigen::MatrixXd R = C.transpose() * C;  // correlation matrix, unit diagonal
    Eigen::FullPivLU<Eigen::MatrixXd> lu(R);
    lu.setThreshold(1e-10);
    if (lu.rank() == static_cast<Eigen::Index>(p)) return;
    const Eigen::MatrixXd K = lu.kernel();
    std::string cols;
    for (Eigen::Index j = 0; j < K.rows(); ++j)
        if (std::abs(K(j, 0)) > 1e-8 * K.col(0).cwiseAbs().maxCoeff())
            cols += std::string(cols.empty() ? "" : ", ") + std::to_string(j) + " ('" +
                    names[static_cast<std::size_t>(j)] + "')";
    fail(status::invalid_argument, fn,
         "argument 'covariates' is perfectly collinear: columns " + cols +
             " are linearly dependent (after centring); drop one of them");
}

/// Rows grouped by identical covariate row: rows order[start[g] .. start[g+1]) share the row of
/// order[start[g]].
struct covariate_row_groups {
    std::vector<std::size_t> order, start;
};

inline covariate_row_groups group_covariate_rows(matrix_view z) {
    covariate_row_groups g;
    g.order.resize(z.rows);
    std::iota(g.order.begin(), g.order.end(), std::size_t{0});
    auto less = [&](std::size_t a, std::size_t b) {
        return std::lexicographical_compare(z.row(a), z.row(a) + z.cols, z.row(b),
                                            z.row(b) + z.cols);
    };
    std::stable_sort(g.order.begin(), g.order.end(), less);
    for (std::size_t i = 0; i < g.order.size(); ++i)
        if (i == 0 || less(g.order[i - 1], g.order[i])) g.start.push_back(i);
    g.start.push_back(g.order.size());
    return g;
}

/// Owned copies of some rows of a data set (the rows of one covariate group).
struct owned_rfm {
    std::vector<double> x, tx, T, w, litt;
    rfm_data view() const {
        rfm_data d{{x.data(), x.size()}, {tx.data(), tx.size()}, {T.data(), T.size()},
                   {w.data(), w.size()}};
        d.litt = {litt.data(), litt.size()};
        return d;
    }
};
struct owned_spend {
    std::vector<double> x, m, w;
    spend_data view() const {
        return spend_data{{x.data(), x.size()}, {m.data(), m.size()}, {w.data(), w.size()}};
    }
};

inline owned_rfm gather_rows(const rfm_data& d, const std::size_t* idx, std::size_t n) {
    owned_rfm o;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = idx[k];
        o.x.push_back(d.frequency[i]);
        o.tx.push_back(d.recency[i]);
        o.T.push_back(d.age[i]);
        if (!d.weights.empty()) o.w.push_back(d.weights[i]);
        if (!d.litt.empty()) o.litt.push_back(d.litt[i]);
    }
    return o;
}
inline owned_spend gather_rows(const spend_data& d, const std::size_t* idx, std::size_t n) {
    owned_spend o;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = idx[k];
        o.x.push_back(d.frequency[i]);
        o.m.push_back(d.monetary[i]);
        if (!d.weights.empty()) o.w.push_back(d.weights[i]);
    }
    return o;
}

/// The data without their covariates (the plain model's fit and kernels).
template <class Data>
Data without_covariates(Data d) {
    d.covariates = {};
    d.covariate_names = {};
    return d;
}

/// The state's option `name`, or `absent`.
inline double option_or(const model_state& s, const std::string& name, double absent) {
    const double* v = find_model_option(s, name);
    return v ? *v : absent;
}

}  // namespace detail

/// Whether a model state carries covariate coefficients.
inline bool has_covariates(const model_state& s) noexcept { return !s.covariate_names.empty(); }

namespace detail {

/// Σ wᵢ log L(θᵢ) of data with static covariates for model M at full parameters (the model's
/// k₀, then its coefficients group-major), with the gradient in (log θ, γ): the model's own
/// gradient in log-parameters per group of identical covariate rows, and by the chain rule
/// ∂/∂γ_g,j = Σ_{links l of g} sign_l · ∂ℓ/∂log θ_l · z_j. The rows are validated by the caller.
template <class M, class Data>
class covariate_likelihood {
public:
    using P = typename M::params_type;
    static constexpr std::size_t k0 = std::size(M::params);

    covariate_likelihood(const model_ops& ops, const Data& d)
        : L_(resolve_links(ops)), p_(d.covariates.cols) {
        const covariate_row_groups rg = group_covariate_rows(d.covariates);
        const std::size_t ng = rg.start.size() - 1;
        prep_.reserve(ng);
        for (std::size_t h = 0; h < ng; ++h) {
            const auto rows =
                gather_rows(d, rg.order.data() + rg.start[h], rg.start[h + 1] - rg.start[h]);
            zrow_.push_back(d.covariates.row(rg.order[rg.start[h]]));
            if (rows.w.empty())
                total_weight += static_cast<double>(rows.x.size());
            else
                for (double w : rows.w) total_weight += w;
            prep_.push_back(M::covariate_prepare(rows.view()));
            rows_ += rows.x.size();
        }
        th_.resize(k0 * ng);
        gh_.resize(k0 * ng);
        value_.resize(ng);
    }

    std::size_t num_params() const { return k0 + L_.groups.size() * p_; }

    /// Groups are evaluated on the process pool (detail/parallel.hpp) when there are enough
    /// rows to pay for it; each writes its own value and gradient, and the sums run in group
    /// order afterwards, so the result does not depend on the number of threads.
    double operator()(const double* full, double* grad) const {
        if (grad) std::fill(grad, grad + num_params(), 0.0);
        const std::size_t ng = prep_.size();
        auto one = [&](std::size_t h) {
            double* th = th_.data() + h * k0;
            customer_params(L_, full, k0, full + k0, zrow_[h], p_, th);
            const P ph = params_from_flat<P>(th, std::make_index_sequence<k0>{});
            value_[h] = M::covariate_total(ph, prep_[h], grad ? gh_.data() + h * k0 : nullptr);
        };
        if (ng > 1 && rows_ >= parallel_min_rows)
            parallel_tasks(ng, 0, one);
        else
            for (std::size_t h = 0; h < ng; ++h) one(h);
        double total = 0;
        for (std::size_t h = 0; h < ng; ++h) {
            total += value_[h];
            if (!grad) continue;
            const double* gh = gh_.data() + h * k0;
            for (std::size_t i = 0; i < k0; ++i) grad[i] += gh[i];
            for (std::size_t l = 0; l < L_.param.size(); ++l) {
                const double gl = L_.sign[l] * gh[L_.param[l]];
                double* gg = grad + k0 + L_.group[l] * p_;
                for (std::size_t j = 0; j < p_; ++j) gg[j] += gl * zrow_[h][j];
            }
        }
        return total;
    }

    /// Rows from which the groups are evaluated in parallel (below, the pool's hand-off costs
    /// more than it saves).
    static constexpr std::size_t parallel_min_rows = 1000;

    double total_weight = 0;

private:
    using prepared_t = decltype(M::covariate_prepare(std::declval<const Data&>()));
    resolved_links L_;
    std::size_t p_;
    std::vector<prepared_t> prep_;
    std::vector<const double*> zrow_;
    std::size_t rows_ = 0;
    mutable std::vector<double> th_, gh_, value_;
};

/// Fits model M with static covariates (see the header comment) and stores the result in s:
/// params = (model parameters, coefficients), s.covariate_names, the report with every
/// coefficient named. `opt` already holds the model parameters' "fix." options.
template <class M, class Data>
void fit_with_covariates(model_state& s, const model_ops& ops, const Data& d,
                         const fit_options& opt) {
    constexpr std::size_t k0 = std::size(M::params);
    const char* fn = "fit_covariates";
    const std::vector<std::string> cov = covariate_names_of(fn, d.covariates, d.covariate_names);
    validate_covariate_values(fn, d.covariates, d.size(), cov);
    validate_covariates_identifiable(fn, d.covariates, cov);
    const std::size_t p = cov.size();
    const resolved_links L = resolve_links(ops);
    const std::size_t G = L.groups.size();
    const std::vector<std::string> coef = coefficient_names(L, cov);
    const std::size_t kc = G * p;

    // Equality constraints: full coefficient index → reduced (optimised) index.
    std::vector<std::size_t> to_reduced(kc);
    std::vector<std::string> reduced_names;
    std::vector<std::size_t> shared_of_cov(p, static_cast<std::size_t>(-1));
    for (const auto& [name, value] : s.options)
        if (name.rfind("constrain.", 0) == 0 && value != 0) {
            const std::string c = name.substr(10);
            const auto it = std::find(cov.begin(), cov.end(), c);
            if (it == cov.end())
                fail(status::invalid_argument, fn,
                     "option '" + name + "' names no covariate of the data (covariates: " +
                         [&] {
                             std::string all;
                             for (const auto& n : cov) all += (all.empty() ? "" : ", ") + n;
                             return all;
                         }() + ")");
            shared_of_cov[static_cast<std::size_t>(it - cov.begin())] = 0;
        }
    for (std::size_t g = 0; g < G; ++g)
        for (std::size_t j = 0; j < p; ++j) {
            if (shared_of_cov[j] != static_cast<std::size_t>(-1) && g > 0) {
                to_reduced[g * p + j] = to_reduced[j];
                continue;
            }
            to_reduced[g * p + j] = reduced_names.size();
            reduced_names.push_back(shared_of_cov[j] != static_cast<std::size_t>(-1)
                                        ? "constrained:" + cov[j]
                                        : coef[g * p + j]);
        }
    const std::size_t kr = reduced_names.size();

    // The plain model's fit: the start of the model parameters (γ = 0), and the check of the
    // RFM / spend data with the model's own messages.
    fit_options plain = opt;
    plain.standard_errors = false;
    plain.initial.clear();
    const Data d0 = without_covariates(d);
    const auto plain_fit = M::fit(d0, plain);
    const std::vector<double> base0 = flat_params<k0>(plain_fit.params);

    const covariate_likelihood<M, Data> lik(ops, d);
    const double W = lik.total_weight;
    std::vector<double> full(k0 + kc), gfull(k0 + kc);
    auto ll = [&](const double* phi, double* grad) {
        for (std::size_t i = 0; i < k0; ++i) full[i] = phi[i];
        for (std::size_t c = 0; c < kc; ++c) full[k0 + c] = phi[k0 + to_reduced[c]];
        const double v = lik(full.data(), grad ? gfull.data() : nullptr);
        if (grad) {
            std::fill(grad, grad + k0 + kr, 0.0);
            for (std::size_t i = 0; i < k0; ++i) grad[i] = gfull[i];
            for (std::size_t c = 0; c < kc; ++c) grad[k0 + to_reduced[c]] += gfull[k0 + c];
        }
        return v;
    };

    fit_problem pr;
    pr.fn = fn;
    pr.total_weight = W;
    pr.rows_used = d.size();
    for (std::size_t i = 0; i < k0; ++i) pr.bounds.push_back({ops.params[i].name});
    for (const auto& n : reduced_names) pr.bounds.push_back({n.c_str(), 1e13, 0});
    pr.num_real = kr;
    const double lambda = option_or(s, "covariates.lambda", 0);
    pr.real_penalty.assign(kr, lambda);
    std::vector<double> start = base0;
    start.resize(k0 + kr, 0.0);
    pr.starts = {start};

    fit_options o = opt;
    o.initial.clear();
    // fix.<group>:<covariate>
    for (const auto& [name, value] : s.options) {
        if (name.rfind("fix.", 0) != 0) continue;
        const std::string c = name.substr(4);
        if (c.find(':') == std::string::npos) continue;
        const auto it = std::find(coef.begin(), coef.end(), c);
        if (it == coef.end())
            fail(status::invalid_argument, fn,
                 "option '" + name + "' names no coefficient of this fit (covariates of the "
                                     "data: " + std::to_string(p) + ")");
        const std::size_t r = to_reduced[static_cast<std::size_t>(it - coef.begin())];
        bool dup = false;
        for (const auto& f : o.fixed) dup = dup || f.first == k0 + r;
        if (!dup) o.fixed.emplace_back(k0 + r, value);
    }
    fit_outcome out = run_fit(pr, o, ll);

    // Expand the reduced coefficients to every group.
    std::vector<double> params(out.params.begin(), out.params.begin() + k0);
    for (std::size_t c = 0; c < kc; ++c) params.push_back(out.params[k0 + to_reduced[c]]);
    fit_report rep = std::move(out.report);
    const std::size_t kred = k0 + kr, kfull = k0 + kc;
    auto red = [&](std::size_t i) { return i < k0 ? i : k0 + to_reduced[i - k0]; };
    std::vector<parameter_estimate> est;
    std::vector<double> covm(kfull * kfull);
    for (std::size_t i = 0; i < kfull; ++i) {
        parameter_estimate e = rep.parameters[red(i)];
        e.name = i < k0 ? std::string(ops.params[i].name) : coef[i - k0];
        e.value = params[i];
        est.push_back(e);
        for (std::size_t j = 0; j < kfull; ++j)
            covm[i * kfull + j] = rep.covariance.size() == kred * kred
                                      ? rep.covariance[red(i) * kred + red(j)]
                                      : std::numeric_limits<double>::quiet_NaN();
    }
    rep.parameters = std::move(est);
    rep.covariance = std::move(covm);
    s.params = std::move(params);
    s.covariate_names = cov;
    s.report = std::move(rep);
    s.fitted = true;
}

/// Calls kernel(state_g, data_g, out_g) once per group of customers with identical covariate
/// rows, state_g holding that group's own parameters θᵢ, and scatters the results into out.
/// Without coefficients in s: the data must have no covariates, and kernel runs on everything.
/// `extra` (may be empty) is a per-customer column gathered alongside (CLV's monetary).
template <class Data, class K>
void per_customer_params(const char* fn, const model_state& s, const model_ops& ops,
                         const Data& d, double* out, K&& kernel) {
    if (!has_covariates(s)) {
        if (!d.covariates.empty()) {
            if (ops.num_covariate_links == 0)
                fail(status::invalid_argument, fn,
                     std::string("argument 'covariates': the ") + ops.title +
                         " model does not take covariates (" + std::to_string(d.covariates.cols) +
                         " columns given)");
            fail(status::invalid_argument, fn,
                 "argument 'covariates' has " + std::to_string(d.covariates.cols) +
                     " columns but the model was fitted without covariates");
        }
        kernel(s, d, out, nullptr, std::size_t{0});
        return;
    }
    const std::size_t p = s.covariate_names.size();
    if (d.covariates.cols != p)
        fail(status::invalid_argument, fn,
             "argument 'covariates' has " + std::to_string(d.covariates.cols) +
                 " columns but the model has coefficients for " + std::to_string(p) +
                 " covariates");
    // Named columns must be the fitted ones in the fitted order: a reordered table would
    // otherwise give every customer the wrong coefficients with a success status.
    if (!d.covariate_names.empty()) {
        if (d.covariate_names.size() != p)
            fail(status::invalid_argument, fn,
                 "argument 'covariates' has " + std::to_string(d.covariate_names.size()) +
                     " names for " + std::to_string(p) + " columns");
        for (std::size_t j = 0; j < p; ++j)
            if (d.covariate_names[j] != s.covariate_names[j])
                fail(status::invalid_argument, fn,
                     "argument 'covariates': column " + std::to_string(j) + " is named '" +
                         d.covariate_names[j] + "' but the model's covariate " +
                         std::to_string(j) + " is '" + s.covariate_names[j] +
                         "' (give the columns in the fitted order)");
    }
    // The columns the groups gather must exist for every row before they are read (the
    // kernels check their values, but only after the gather).
    if constexpr (std::is_same_v<Data, rfm_data>) {
        validate_rfm_shape(fn, d);
    } else {
        require_array(fn, "frequency", d.frequency.data(), d.frequency.size());
        require_array(fn, "monetary", d.monetary.data(), d.monetary.size());
        if (d.monetary.size() != d.frequency.size())
            fail(status::invalid_argument, fn,
                 "'frequency' has " + std::to_string(d.frequency.size()) +
                     " rows but 'monetary' has " + std::to_string(d.monetary.size()));
    }
    validate_covariate_values(fn, d.covariates, d.size(), s.covariate_names);
    if (d.size() == 0) return;
    require_array(fn, "out", out, d.size());
    const resolved_links L = resolve_links(ops);
    const std::size_t k0 = ops.num_params;
    if (s.params.size() != k0 + L.groups.size() * p)
        fail(status::invalid_argument, fn,
             "the model has " + std::to_string(s.params.size()) + " parameters, not " +
                 std::to_string(k0) + " + " + std::to_string(L.groups.size() * p) +
                 " coefficients for its covariates");
    const covariate_row_groups rg = group_covariate_rows(d.covariates);
    model_state sg = s;
    sg.covariate_names.clear();
    sg.params.assign(k0, 0);
    std::vector<double> buf;
    for (std::size_t h = 0; h + 1 < rg.start.size(); ++h) {
        const std::size_t* idx = rg.order.data() + rg.start[h];
        const std::size_t n = rg.start[h + 1] - rg.start[h];
        customer_params(L, s.params.data(), k0, s.params.data() + k0, d.covariates.row(idx[0]), p,
                        sg.params.data());
        const auto rows = gather_rows(d, idx, n);
        Data dg = rows.view();
        buf.resize(n);
        try {
            kernel(sg, dg, buf.data(), idx, n);
        } catch (const error& e) {  // the kernel's rows are the group's: name the customers
            throw error(e.code(), std::string(e.what()) +
                                      " [among the customers with the covariates of row " +
                                      std::to_string(idx[0]) + "]");
        }
        for (std::size_t k = 0; k < n; ++k) out[idx[k]] = buf[k];
    }
}

}  // namespace detail
}  // namespace ltv
