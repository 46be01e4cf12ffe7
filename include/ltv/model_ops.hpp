// SPDX-License-Identifier: Apache-2.0
// ltv/model_ops.hpp — make_model_ops<M>(): a model's traits struct (ltv/model_traits.hpp) as a
// model_ops, the type-erased table the registry holds.
//
// This is the only place that knows how each capability maps onto a model's free functions;
// every kernel is instantiated here, once per model, in the model's own translation unit
// (src/models/<model>.cpp, generated from ltv/registry.hpp). Callers — the C API, the CLI —
// go through the table and compile none of the models' mathematics themselves.
//
// The batch layer: every per-customer capability has a batch form here, also where the model
// header offers only a scalar function (BG/BB DERT, Gamma-Gamma log-likelihood, the new-customer
// curves): index_batch runs it on the process pool in contiguous blocks (detail/parallel.hpp),
// allocates nothing per row, and names the failing row; results and errors do not depend on
// the number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ltv/clv.hpp"
#include "ltv/covariates.hpp"
#include "ltv/detail/parallel.hpp"
#include "ltv/detail/random.hpp"
#include "ltv/detail/validate.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/registry.hpp"
#include "ltv/rfm_data.hpp"

namespace ltv {
namespace detail {

// Hooks a traits struct may declare for structural options (option_info) that live in the
// state's options and in its params_type beside the flat parameters (BG/CNBD-k's k):
//   static params_type params_with_options(params_type, const model_state&)  state → params
//   static std::vector<double> flat(const params_type&)     the flat parameters (params order)
//   static void store_options(model_state&, const params_type&)  after a fit: e.g. the k used
//   static Result fit_with_state(const model_state&, const rfm_data&, const fit_options&)
// Models without them behave as before.
template <class M, class = void>
struct has_options_hooks : std::false_type {};
template <class M>
struct has_options_hooks<
    M, std::void_t<decltype(M::params_with_options(std::declval<typename M::params_type>(),
                                                   std::declval<const model_state&>())),
                   decltype(M::flat(std::declval<const typename M::params_type&>())),
                   decltype(M::store_options(std::declval<model_state&>(),
                                             std::declval<const typename M::params_type&>()))>>
    : std::true_type {};

template <class M, class = void>
struct has_fit_with_state : std::false_type {};
template <class M>
struct has_fit_with_state<
    M, std::void_t<decltype(M::fit_with_state(std::declval<const model_state&>(),
                                              std::declval<const rfm_data&>(),
                                              std::declval<const fit_options&>()))>>
    : std::true_type {};

/// The structural options a traits struct declares (static constexpr option_info options[]).
template <class M, class = void>
struct has_option_list : std::false_type {};
template <class M>
struct has_option_list<M, std::void_t<decltype(std::size(M::options))>> : std::true_type {};

template <class M>
typename M::params_type params_of(const model_state& s) {
    constexpr std::size_t n = std::size(M::params);
    // (with static covariates the coefficients follow: the model's own parameters are those of a
    // customer whose covariates are all 0; per-customer kernels go through per_customer_params)
    if (s.params.size() < n || (s.params.size() != n && s.covariate_names.empty()))
        fail(status::not_fitted, M::title,
             std::string("the ") + M::title + " model has no parameters yet; fit it or set them");
    auto p = params_from_flat<typename M::params_type>(s.params.data(),
                                                       std::make_index_sequence<n>{});
    if constexpr (has_options_hooks<M>::value) return M::params_with_options(p, s);
    else return p;
}

/// Stores a fit result ({params, report}) in the state.
template <class M, class Result>
void store_fit_result(model_state& s, Result&& r) {
    s.covariate_names.clear();
    if constexpr (has_options_hooks<M>::value) {
        s.params = M::flat(r.params);
        M::store_options(s, r.params);
    } else {
        s.params = flat_params<std::size(M::params)>(r.params);
    }
    s.report = std::move(r.report);
    s.fitted = true;
}

/// f(i) for i in [0, n) into out[i], in blocks on the pool; an ltv::error at element i is
/// rethrown naming it: "(at row i)" when index_name is null, else "(at <index_name>[i])".
template <class F>
void index_batch(std::size_t n, double* out, int threads, const char* index_name, F&& f) {
    parallel_for(n, threads, [&](std::size_t lo, std::size_t hi) {
        std::size_t i = lo;
        try {
            for (; i < hi; ++i) out[i] = f(i);
        } catch (const error& e) {
            if (index_name == nullptr) rethrow_at_row(e, i);
            throw error(e.code(), std::string(e.what()) + " (at " + index_name + "[" +
                                      std::to_string(i) + "])");
        }
    });
}

/// The batch of the simulate capability: customer i of ages T[i] from its own engine seeded by
/// (seed, i) (detail/random.hpp), in blocks on the pool — the draws do not depend on the
/// split; an ltv::error of customer i is rethrown naming its row.
template <class Draw>
void simulate_batch(std::uint64_t seed, array_view<double> T, double* frequency, double* recency,
                    int* alive, int threads, Draw&& draw) {
    constexpr const char* fn = "simulate";
    require_array(fn, "T", T.data(), T.size());
    require_array(fn, "frequency", frequency, T.size());
    require_array(fn, "recency", recency, T.size());
    parallel_for(T.size(), threads, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
            random_engine g(seed, i);
            const simulated_customer c = at_row(i, [&] { return draw(T[i], g); });
            frequency[i] = c.frequency;
            recency[i] = c.recency;
            if (alive) alive[i] = c.alive ? 1 : 0;
        }
    });
}

/// Whether the model header offers a threaded batch log-likelihood: log_likelihood(p, data,
/// out, threads). Used to pick the model's own batch engine over index_batch.
template <class P, class = void>
struct has_threaded_log_likelihood : std::false_type {};
template <class P>
struct has_threaded_log_likelihood<
    P, std::void_t<decltype(log_likelihood(std::declval<const P&>(), std::declval<const rfm_data&>(),
                                           std::declval<double*>(), 0))>> : std::true_type {};

template <class P, class = void>
struct has_batch_dert : std::false_type {};
template <class P>
struct has_batch_dert<P, std::void_t<decltype(discounted_expected_residual_transactions(
                             std::declval<const P&>(), 0.0, std::declval<const rfm_data&>(),
                             std::declval<double*>(), 0))>> : std::true_type {};

/// A fit on data with static covariates fits their coefficients too (ltv/covariates.hpp); without
/// covariates `plain` runs the model's own fit. A model without covariate links refuses them.
template <class M, class Data, class F>
void fit_maybe_covariates(model_state& s, const Data& d, const fit_options& opt, F&& plain) {
    const model_ops& ops = model_ops_for(s.kind);
    if (d.covariates.empty()) return plain();
    if constexpr (has_covariate_links<M>::value) {
        fit_with_covariates<M>(s, ops, d, with_state_options(s, ops, opt));
    } else {
        fail(status::invalid_argument, "fit",
             std::string("argument 'covariates': the ") + M::title +
                 " model does not take covariates (" + std::to_string(d.covariates.cols) +
                 " columns given)");
    }
}

}  // namespace detail

/// The model_ops of traits struct M, registered as `kind` (its line in ltv/registry.hpp gives the
/// short name and the header).
template <class M>
model_ops make_model_ops(model_kind kind) {
    using P = typename M::params_type;
    model_ops o;
    o.kind = static_cast<int>(kind);
    for (const auto& e : detail::registry_entries)
        if (e.kind == o.kind) {
            o.name = e.name;
            o.header = e.identifier;
        }
    o.title = M::title;
    o.class_name = M::class_name;
    o.citation = M::citation;
    o.age_name = M::age_name;
    o.docs = M::docs;
    o.data = M::data;
    o.capabilities = M::capabilities;
    o.params = M::params;
    o.num_params = std::size(M::params);
    if constexpr (detail::has_option_list<M>::value) {
        o.options = M::options;
        o.num_options = std::size(M::options);
    }
    constexpr capability_set caps = M::capabilities;
    if constexpr (detail::has_covariate_links<M>::value) {
        o.covariate_links = M::covariate_links;
        o.num_covariate_links = std::size(M::covariate_links);
    }

    if constexpr (has_capability(caps, capability::fit_rfm)) {
        o.fit_rfm = [](model_state& s, const rfm_data& d, const fit_options& opt) {
            detail::fit_maybe_covariates<M>(s, d, opt, [&] {
                const fit_options o2 = with_state_options(s, model_ops_for(s.kind), opt);
                if constexpr (detail::has_fit_with_state<M>::value)
                    detail::store_fit_result<M>(s, M::fit_with_state(s, d, o2));
                else
                    detail::store_fit_result<M>(s, M::fit(d, o2));
            });
        };
        o.total_log_likelihood_rfm = [](const model_state& s, const rfm_data& d, double* g) {
            return total_log_likelihood(detail::params_of<M>(s), d, g);
        };
    }
    if constexpr (has_capability(caps, capability::fit_spend)) {
        o.fit_spend = [](model_state& s, const spend_data& d, const fit_options& opt) {
            detail::fit_maybe_covariates<M>(s, d, opt, [&] {
                detail::store_fit_result<M>(
                    s, M::fit(d, with_state_options(s, model_ops_for(s.kind), opt)));
            });
        };
        o.total_log_likelihood_spend = [](const model_state& s, const spend_data& d, double* g) {
            return total_log_likelihood(detail::params_of<M>(s), d, g);
        };
    }
    if constexpr (has_capability(caps, capability::fit_survivors)) {
        o.fit_survivors = [](model_state& s, const std::vector<array_view<double>>& cohorts,
                             const fit_options& opt) {
            detail::store_fit_result<M>(
                s, M::fit(cohorts, with_state_options(s, model_ops_for(s.kind), opt)));
        };
        o.survivors_log_likelihood = [](const model_state& s,
                                        const std::vector<array_view<double>>& cohorts) {
            return M::log_likelihood(detail::params_of<M>(s), cohorts);
        };
    }
    if constexpr (has_capability(caps, capability::log_likelihood)) {
        o.log_likelihood = [](const model_state& s0, const rfm_data& d0, double* out0,
                              int threads) {
            detail::per_customer_params(
                "log_likelihood", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    const P p = detail::params_of<M>(s);
                    if constexpr (detail::has_threaded_log_likelihood<P>::value)
                        log_likelihood(p, d, out, threads);
                    else
                        log_likelihood(p, d, out);
                });
        };
    }
    if constexpr (has_capability(caps, capability::p_alive)) {
        o.p_alive = [](const model_state& s0, const rfm_data& d0, double* out0, int threads) {
            detail::per_customer_params(
                "p_alive", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) { probability_alive(detail::params_of<M>(s), d, out, threads); });
        };
        o.p_alive_one = [](const model_state& s, double x, double t_x, double T) {
            return probability_alive(detail::params_of<M>(s), x, t_x, T);
        };
    }
    if constexpr (has_capability(caps, capability::conditional_purchases)) {
        o.conditional_purchases = [](const model_state& s0, double t, const rfm_data& d0,
                                     double* out0, int threads) {
            detail::per_customer_params(
                "conditional_purchases", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    conditional_expected_purchases(detail::params_of<M>(s), t, d, out, threads);
                });
        };
    }
    if constexpr (has_capability(caps, capability::dert)) {
        o.dert = [](const model_state& s0, double rate, const rfm_data& d0, double* out0,
                    int threads) {
            static_assert(detail::has_batch_dert<P>::value,
                          "a model with the dert capability provides its batch form");
            detail::per_customer_params(
                "dert", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    discounted_expected_residual_transactions(detail::params_of<M>(s), rate, d,
                                                              out, threads);
                });
        };
    }
    if constexpr (has_capability(caps, capability::clv)) {
        o.clv = [](const model_state& s0, const model_state& spend, const rfm_data& d0,
                   array_view<double> monetary, const clv_options& opt, double* out0,
                   int threads) {
            if (has_covariates(spend))
                detail::fail(status::invalid_argument, "clv",
                             "argument 'spend_model' has static covariates; CLV takes a "
                             "Gamma-Gamma model without them (predict expected spend per "
                             "customer instead)");
            std::vector<double> m;  // the group's monetary values
            detail::per_customer_params(
                "clv", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t* idx,
                    std::size_t n) {
                    array_view<double> mv = monetary;
                    if (idx != nullptr && !monetary.empty()) {
                        m.resize(n);
                        for (std::size_t k = 0; k < n; ++k)
                            m[k] = idx[k] < monetary.size() ? monetary[idx[k]]
                                                            : std::numeric_limits<double>::quiet_NaN();
                        mv = {m.data(), m.size()};
                    }
                    clv(detail::params_of<M>(s), detail::params_of<gamma_gamma_model>(spend), d,
                        mv, opt, out, threads);
                });
        };
    }
    if constexpr (has_capability(caps, capability::new_customer_purchases)) {
        o.new_customer_purchases = [](const model_state& s, array_view<double> t, double* out,
                                      int threads) {
            const P p = detail::params_of<M>(s);
            detail::index_batch(t.size(), out, threads, "t",
                                [&](std::size_t i) { return expected_purchases(p, t[i]); });
        };
    }
    if constexpr (has_capability(caps, capability::purchase_pmf)) {
        o.purchase_pmf = [](const model_state& s, double t, array_view<double> counts,
                            double* out, int threads) {
            const P p = detail::params_of<M>(s);
            detail::index_batch(counts.size(), out, threads, "counts", [&](std::size_t i) {
                return probability_of_purchases(p, t, counts[i]);
            });
        };
    }
    if constexpr (has_capability(caps, capability::conditional_purchase_pmf)) {
        o.conditional_purchase_pmf = [](const model_state& s0, double n, double t,
                                        const rfm_data& d0, double* out0, int threads) {
            detail::per_customer_params(
                "conditional_purchase_pmf", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    conditional_probability_of_purchases(detail::params_of<M>(s), n, t, d, out,
                                                         threads);
                });
        };
    }
    if constexpr (has_capability(caps, capability::p_alive_ahead)) {
        o.p_alive_ahead = [](const model_state& s0, double ahead, const rfm_data& d0,
                             double* out0, int threads) {
            detail::per_customer_params(
                "p_alive_ahead", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const rfm_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    probability_alive_ahead(detail::params_of<M>(s), ahead, d, out, threads);
                });
        };
    }
    if constexpr (has_capability(caps, capability::simulate)) {
        o.simulate = [](const model_state& s, std::uint64_t seed, array_view<double> T,
                        double* frequency, double* recency, int* alive, int threads) {
            const P p = detail::params_of<M>(s);
            detail::simulate_batch(
                seed, T, frequency, recency, alive, threads,
                [&](double age, detail::random_engine& g) { return simulate_customer(p, age, g); });
        };
    }
    if constexpr (has_capability(caps, capability::spend)) {
        o.expected_spend = [](const model_state& s0, const spend_data& d0, double* out0, int) {
            detail::per_customer_params(
                "expected_spend", s0, model_ops_for(s0.kind), d0, out0,
                [&](const model_state& s, const spend_data& d, double* out, const std::size_t*,
                    std::size_t) {
                    conditional_expected_average_spend(detail::params_of<M>(s), d, out);
                });
        };
        o.spend_log_likelihood = [](const model_state& s0, const spend_data& d0, double* out0,
                                    int threads) {
          detail::per_customer_params(
            "log_likelihood", s0, model_ops_for(s0.kind), d0, out0,
            [&](const model_state& s, const spend_data& d, double* out, const std::size_t*,
                std::size_t) {
            const P p = detail::params_of<M>(s);
            // (lengths only: each row's own check names it "(at row i)", as every batch does)
            detail::require_array("log_likelihood", "frequency", d.frequency.data(),
                                  d.frequency.size());
            detail::require_array("log_likelihood", "monetary", d.monetary.data(),
                                  d.monetary.size());
            if (d.monetary.size() != d.frequency.size())
                detail::fail(status::invalid_argument, "log_likelihood",
                             "'frequency' has " + std::to_string(d.frequency.size()) +
                                 " rows but 'monetary' has " + std::to_string(d.monetary.size()));
            detail::index_batch(d.size(), out, threads, nullptr, [&](std::size_t i) {
                return log_likelihood(p, d.frequency[i], d.monetary[i]);
            });
            });
        };
    }
    if constexpr (has_capability(caps, capability::survival)) {
        o.survival = [](const model_state& s, array_view<double> t, double* out) {
            const P p = detail::params_of<M>(s);
            detail::index_batch(t.size(), out, 1, "t",
                                [&](std::size_t i) { return M::survival(p, t[i]); });
        };
        o.retention_rate = [](const model_state& s, array_view<double> t, double* out) {
            const P p = detail::params_of<M>(s);
            detail::index_batch(t.size(), out, 1, "t",
                                [&](std::size_t i) { return M::retention_rate(p, t[i]); });
        };
        o.discounted_expected_lifetime = [](const model_state& s, double d) {
            return M::discounted_expected_lifetime(detail::params_of<M>(s), d);
        };
        o.discounted_expected_residual_lifetime = [](const model_state& s, double d,
                                                     array_view<double> renewals, double* out) {
            const P p = detail::params_of<M>(s);
            detail::index_batch(renewals.size(), out, 1, "renewals", [&](std::size_t i) {
                return M::discounted_expected_residual_lifetime(p, d, renewals[i]);
            });
        };
    }
    return o;
}

}  // namespace ltv
