// SPDX-License-Identifier: Apache-2.0
// Static covariates (ltv/covariates.hpp): the analytic gradient against central differences for
// every model that takes covariates, γ = 0 against the plain model, recovery of known
// coefficients from simulated customers (within 3 standard errors), options (fix, constrain,
// lambda), model files, and every bad input named.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ltv/ltv.hpp"
#include "ltv/model_ops.hpp"

namespace {

using ltv::model_kind;

/// A deterministic RFM data set of n customers (a simple LCG), with two covariates: a binary
/// one and a three-level one.
struct cov_data {
    std::vector<double> x, tx, T, z;
    std::vector<std::string> names{"channel", "region"};
    ltv::rfm_data rfm() const {
        ltv::rfm_data d{{x.data(), x.size()}, {tx.data(), tx.size()}, {T.data(), T.size()}, {}};
        d.covariates = {z.data(), x.size(), 2};
        d.covariate_names = {names.data(), names.size()};
        return d;
    }
};

cov_data make_data(std::size_t n) {
    cov_data d;
    unsigned long long s = 12345;
    auto u = [&] {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>((s >> 11) & ((1ull << 53) - 1)) / 9007199254740992.0;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const double T = 20 + std::floor(20 * u());
        const double x = std::floor(6 * u() * u());
        const double tx = x > 0 ? std::floor(T * (0.3 + 0.7 * u())) : 0;
        d.x.push_back(x);
        d.tx.push_back(tx);
        d.T.push_back(T);
        d.z.push_back(i % 2 == 0 ? 1.0 : 0.0);
        d.z.push_back(static_cast<double>(i % 3));
    }
    return d;
}

template <class M, class Data>
void check_gradient(model_kind kind, const Data& d, std::vector<double> params) {
    const ltv::model_ops& ops = ltv::model_ops_for(kind);
    const ltv::detail::covariate_likelihood<M, Data> lik(ops, d);
    REQUIRE(lik.num_params() == params.size());
    std::vector<double> g(params.size());
    lik(params.data(), g.data());
    const std::size_t k0 = std::size(M::params);
    for (std::size_t i = 0; i < params.size(); ++i) {
        // central differences in log θ for the model's parameters, in γ for coefficients
        const double h = 1e-5;
        std::vector<double> up = params, dn = params;
        if (i < k0) {
            up[i] *= std::exp(h);
            dn[i] *= std::exp(-h);
        } else {
            up[i] += h;
            dn[i] -= h;
        }
        const double numeric = (lik(up.data(), nullptr) - lik(dn.data(), nullptr)) / (2 * h);
        CAPTURE(i);
        // (central differences: error O(h²) ≈ 1e-10 relative plus rounding of a sum of ~1e3
        // terms divided by h: ~1e-8 absolute)
        CHECK(g[i] == doctest::Approx(numeric).epsilon(1e-6).scale(1e-3));
    }
}

ltv::model_state state_with(model_kind kind, std::vector<double> params,
                            std::vector<std::string> covariates = {}) {
    ltv::model_state s;
    s.kind = kind;
    s.params = std::move(params);
    s.covariate_names = std::move(covariates);
    return s;
}

}  // namespace

TEST_CASE("covariates: analytic gradient matches central differences") {
    const cov_data c = make_data(600);
    const ltv::rfm_data d = c.rfm();
    // (coefficient layout: group-major, e.g. BG/NBD alpha:channel, alpha:region, ab:channel,
    // ab:region)
    check_gradient<ltv::bgnbd_model>(model_kind::bgnbd, d, {0.8, 4.0, 0.9, 2.5, 0.3, -0.2, -0.4, 0.15});
    check_gradient<ltv::mbgnbd_model>(model_kind::mbgnbd, d, {0.8, 4.0, 0.9, 2.5, 0.3, -0.2, -0.4, 0.15});
    check_gradient<ltv::pareto_nbd_model>(model_kind::pareto_nbd, d, {0.8, 4.0, 0.6, 12.0, 0.3, -0.2, -0.4, 0.15});
    std::vector<double> x, m;
    for (std::size_t i = 0; i < c.x.size(); ++i) {
        x.push_back(c.x[i] + 1);
        m.push_back(10 + 3 * std::fmod(static_cast<double>(i) * 0.618, 1.0) + c.z[2 * i]);
    }
    ltv::spend_data sd{{x.data(), x.size()}, {m.data(), m.size()}, {}};
    sd.covariates = d.covariates;
    sd.covariate_names = d.covariate_names;
    check_gradient<ltv::gamma_gamma_model>(model_kind::gamma_gamma, sd, {6.0, 4.0, 15.0, 0.2, -0.1});
}

TEST_CASE("covariates: gamma = 0 gives the plain model's predictions bit for bit") {
    const cov_data c = make_data(300);
    const ltv::rfm_data d = c.rfm();
    const ltv::rfm_data plain_data = ltv::detail::without_covariates(d);
    for (model_kind kind : {model_kind::bgnbd, model_kind::mbgnbd, model_kind::pareto_nbd}) {
        const ltv::model_ops& ops = ltv::model_ops_for(kind);
        CAPTURE(ops.name);
        const std::vector<double> base = kind == model_kind::pareto_nbd
                                             ? std::vector<double>{0.8, 4.0, 0.6, 12.0}
                                             : std::vector<double>{0.8, 4.0, 0.9, 2.5};
        std::vector<double> with = base;
        with.resize(base.size() + (kind == model_kind::pareto_nbd ? 4 : 4), 0.0);
        const auto plain = state_with(kind, base);
        const auto cov = state_with(kind, with, c.names);
        std::vector<double> a(d.size()), b(d.size());
        ops.p_alive(plain, plain_data, a.data(), 1);
        ops.p_alive(cov, d, b.data(), 1);
        CHECK(a == b);
        ops.conditional_purchases(plain, 10, plain_data, a.data(), 1);
        ops.conditional_purchases(cov, 10, d, b.data(), 1);
        CHECK(a == b);
        ops.log_likelihood(plain, plain_data, a.data(), 1);
        ops.log_likelihood(cov, d, b.data(), 1);
        CHECK(a == b);
        ops.conditional_purchase_pmf(plain, 1, 10, plain_data, a.data(), 1);
        ops.conditional_purchase_pmf(cov, 1, 10, d, b.data(), 1);
        CHECK(a == b);
    }
}

TEST_CASE("covariates: customer parameters follow CLVTools' links") {
    // Pareto/NBD: αᵢ = α exp(−γ_α z), βᵢ = β exp(−γ_β z) (CLVTools src/pnbd.cpp); a customer
    // with z = (1, 2) must score as the plain model at those parameters.
    const ltv::model_ops& ops = ltv::model_ops_for(model_kind::pareto_nbd);
    const std::vector<double> x{2}, tx{10}, T{30}, z{1, 2};
    std::vector<std::string> names{"u", "v"};
    ltv::rfm_data d{{x.data(), 1}, {tx.data(), 1}, {T.data(), 1}, {}};
    d.covariates = {z.data(), 1, 2};
    d.covariate_names = {names.data(), 2};
    const auto cov = state_with(model_kind::pareto_nbd, {0.8, 4.0, 0.6, 12.0, 0.3, -0.1, 0.2, 0.05},
                                names);
    const double alpha = 4.0 * std::exp(-(0.3 * 1 - 0.1 * 2)),
                 beta = 12.0 * std::exp(-(0.2 * 1 + 0.05 * 2));
    const auto plain = state_with(model_kind::pareto_nbd, {0.8, alpha, 0.6, beta});
    double a = 0, b = 0;
    ops.p_alive(cov, d, &a, 1);
    ops.p_alive(plain, ltv::detail::without_covariates(d), &b, 1);
    CHECK(a == doctest::Approx(b).epsilon(1e-14));
    // BG/NBD: a and b share the group "ab" with sign +1, α has sign −1 (src/bgnbd.cpp)
    const ltv::model_ops& bg = ltv::model_ops_for(model_kind::bgnbd);
    const auto bcov = state_with(model_kind::bgnbd, {0.8, 4.0, 0.9, 2.5, 0.3, -0.1, 0.2, 0.05},
                                 names);
    const double e = std::exp(0.2 * 1 + 0.05 * 2);
    const auto bplain = state_with(model_kind::bgnbd, {0.8, alpha, 0.9 * e, 2.5 * e});
    bg.conditional_purchases(bcov, 10, d, &a, 1);
    bg.conditional_purchases(bplain, 10, ltv::detail::without_covariates(d), &b, 1);
    CHECK(a == doctest::Approx(b).epsilon(1e-14));
}

namespace {

/// Customers simulated per covariate group from the model at θ·exp(sign γ'z): z₁ ∈ {0, 1} and,
/// with two covariates, z₂ ∈ {0, 1, 2}; per_group customers of ages 26 … 52 each.
struct simulated {
    std::vector<double> x, tx, T, z;
    std::vector<std::string> names;
    std::size_t p = 1;
    ltv::rfm_data rfm() const {
        ltv::rfm_data d{{x.data(), x.size()}, {tx.data(), tx.size()}, {T.data(), T.size()}, {}};
        d.covariates = {z.data(), x.size(), p};
        d.covariate_names = {names.data(), names.size()};
        return d;
    }
};

simulated simulate_groups(model_kind kind, const std::vector<double>& base,
                          const std::vector<double>& gamma, std::size_t p,
                          std::size_t per_group) {
    const ltv::model_ops& ops = ltv::model_ops_for(kind);
    simulated out;
    out.p = p;
    out.names = p == 1 ? std::vector<std::string>{"vip"}
                       : std::vector<std::string>{"vip", "region"};
    const int levels2 = p == 1 ? 1 : 3;
    for (int g1 = 0; g1 < 2; ++g1)
        for (int g2 = 0; g2 < levels2; ++g2) {
            const std::vector<double> zrow = p == 1 ? std::vector<double>{double(g1)}
                                                    : std::vector<double>{double(g1), double(g2)};
            std::vector<double> params(base.size());
            ltv::detail::customer_params(ltv::detail::resolve_links(ops), base.data(),
                                         base.size(), gamma.data(), zrow.data(), p,
                                         params.data());
            const auto s = state_with(kind, params);
            std::vector<double> age(per_group), fx(per_group), ft(per_group);
            for (std::size_t i = 0; i < per_group; ++i) age[i] = 26 + static_cast<double>(i % 27);
            ops.simulate(s, 2026 + 10 * g1 + g2, {age.data(), age.size()}, fx.data(), ft.data(),
                         nullptr, 1);
            for (std::size_t i = 0; i < per_group; ++i) {
                out.x.push_back(fx[i]);
                out.tx.push_back(ft[i]);
                out.T.push_back(age[i]);
                out.z.insert(out.z.end(), zrow.begin(), zrow.end());
            }
        }
    return out;
}

/// Customers of two groups (z = 0, z = 1) simulated from the model, then the coefficients
/// fitted: each γ must be within 3 standard errors of the truth.
void recover(model_kind kind, const std::vector<double>& base, const std::vector<double>& gamma,
             std::size_t per_group) {
    const ltv::model_ops& ops = ltv::model_ops_for(kind);
    const simulated sim = simulate_groups(kind, base, gamma, 1, per_group);
    ltv::model_state s;
    s.kind = kind;
    ops.fit_rfm(s, sim.rfm(), ltv::fit_options{});
    REQUIRE(s.params.size() == base.size() + gamma.size());
    REQUIRE(s.report.standard_errors_available);
    for (std::size_t j = 0; j < gamma.size(); ++j) {
        const auto& e = s.report.parameters[base.size() + j];
        CAPTURE(e.name);
        CAPTURE(e.value);
        CAPTURE(e.standard_error);
        CHECK(e.standard_error > 0);
        CHECK(std::abs(e.value - gamma[j]) < 3 * e.standard_error);
    }
}

}  // namespace

TEST_CASE("covariates: known coefficients recovered from simulated customers (3 SE)") {
    // truth chosen for the test: a VIP flag that raises the purchase rate (γ_α = 0.5: α / e^0.5)
    // and lowers the dropout (BG/NBD: a, b × e^0.4, Pareto/NBD: β × e^{0.6})
    recover(model_kind::bgnbd, {0.9, 6.0, 0.8, 3.0}, {0.5, 0.4}, 3000);
    recover(model_kind::pareto_nbd, {0.9, 6.0, 0.8, 15.0}, {0.5, -0.6}, 3000);
}

TEST_CASE("covariates: options fix, constrain and lambda; names; model files") {
    // Pareto/NBD customers with two covariates (truth chosen for the test)
    const simulated sim = simulate_groups(model_kind::pareto_nbd, {0.9, 6.0, 0.8, 15.0},
                                          {0.4, 0.1, -0.3, 0.05}, 2, 600);
    const ltv::rfm_data d = sim.rfm();
    const ltv::model_ops& ops = ltv::model_ops_for(model_kind::pareto_nbd);
    ltv::model_state s;
    s.kind = model_kind::pareto_nbd;
    ops.fit_rfm(s, d, ltv::fit_options{});
    const std::vector<std::string> names = ltv::parameter_names(s);
    REQUIRE(names.size() == 8);
    CHECK(names[4] == "alpha:vip");
    CHECK(names[7] == "beta:region");
    CHECK(s.report.parameters[5].name == "alpha:region");

    REQUIRE(s.report.standard_errors_available);
    // model file round trip keeps the coefficients, their names and standard errors
    const ltv::model_state back = ltv::model_from_json(ltv::model_to_json(s));
    CHECK(back.covariate_names == s.covariate_names);
    CHECK(back.params == s.params);
    CHECK(back.report.parameters[6].standard_error == s.report.parameters[6].standard_error);

    // fix: held at the value with standard error 0
    ltv::model_state f;
    f.kind = model_kind::pareto_nbd;
    ltv::set_model_option(f, ops, "fix.alpha:vip", 0.25);
    ops.fit_rfm(f, d, ltv::fit_options{});
    CHECK(f.params[4] == doctest::Approx(0.25).epsilon(1e-12));
    CHECK(f.report.parameters[4].standard_error == 0);

    // constrain: one coefficient for both groups
    ltv::model_state k;
    k.kind = model_kind::pareto_nbd;
    ltv::set_model_option(k, ops, "constrain.region", 1);
    ops.fit_rfm(k, d, ltv::fit_options{});
    CHECK(k.params[5] == k.params[7]);
    CHECK(k.params[4] != k.params[6]);

    // lambda: a large L2 penalty shrinks every coefficient towards 0
    ltv::model_state l;
    l.kind = model_kind::pareto_nbd;
    ltv::set_model_option(l, ops, "covariates.lambda", 100);
    ops.fit_rfm(l, d, ltv::fit_options{});
    double free_norm = 0, pen_norm = 0;
    for (std::size_t j = 4; j < 8; ++j) {
        free_norm += s.params[j] * s.params[j];
        pen_norm += l.params[j] * l.params[j];
    }
    CHECK(pen_norm < 0.01 * free_norm);

    CHECK_THROWS_WITH_AS(ltv::set_model_option(l, ops, "covariates.lambda", -1),
                         doctest::Contains("covariates.lambda"), ltv::error);
    CHECK_THROWS_WITH_AS(ltv::set_model_option(l, ops, "constrain.region", 2),
                         doctest::Contains("must be 0 or 1"), ltv::error);
    ltv::model_state bad;
    bad.kind = model_kind::pareto_nbd;
    ltv::set_model_option(bad, ops, "constrain.nosuch", 1);
    CHECK_THROWS_WITH_AS(ops.fit_rfm(bad, d, ltv::fit_options{}), doctest::Contains("nosuch"),
                         ltv::error);
}

TEST_CASE("covariates: bad input is named") {
    cov_data c = make_data(200);
    const ltv::model_ops& ops = ltv::model_ops_for(model_kind::bgnbd);
    auto fit = [&](const ltv::rfm_data& d) {
        ltv::model_state s;
        s.kind = model_kind::bgnbd;
        ops.fit_rfm(s, d, ltv::fit_options{});
        return s;
    };
    SUBCASE("NaN") {
        c.z[2 * 17 + 1] = std::nan("");
        CHECK_THROWS_WITH_AS(fit(c.rfm()),
                             doctest::Contains("'covariates' row 17 column 1 ('region') = nan"),
                             ltv::error);
    }
    SUBCASE("infinity") {
        c.z[2 * 3] = INFINITY;
        CHECK_THROWS_WITH_AS(fit(c.rfm()), doctest::Contains("row 3 column 0 ('channel')"),
                             ltv::error);
    }
    SUBCASE("constant column") {
        for (std::size_t i = 0; i < c.x.size(); ++i) c.z[2 * i + 1] = 4;
        CHECK_THROWS_WITH_AS(fit(c.rfm()),
                             doctest::Contains("column 1 ('region') is constant"), ltv::error);
    }
    SUBCASE("perfect collinearity") {
        for (std::size_t i = 0; i < c.x.size(); ++i) c.z[2 * i + 1] = 3 - 2 * c.z[2 * i];
        CHECK_THROWS_WITH_AS(fit(c.rfm()),
                             doctest::Contains("columns 0 ('channel'), 1 ('region')"),
                             ltv::error);
    }
    SUBCASE("wrong row count") {
        ltv::rfm_data d = c.rfm();
        d.covariates.rows = 150;
        CHECK_THROWS_WITH_AS(fit(d), doctest::Contains("'covariates' has 150 rows"), ltv::error);
    }
    SUBCASE("duplicate names") {
        c.names = {"channel", "channel"};
        CHECK_THROWS_WITH_AS(fit(c.rfm()),
                             doctest::Contains("'channel' names both column 0 and column 1"),
                             ltv::error);
    }
    SUBCASE("a model without covariates") {
        ltv::model_state s;
        s.kind = model_kind::bgbb;
        std::vector<double> x{1, 2}, tx{3, 5}, T{6, 6}, z{0, 1};
        ltv::rfm_data d{{x.data(), 2}, {tx.data(), 2}, {T.data(), 2}, {}};
        d.covariates = {z.data(), 2, 1};
        CHECK_THROWS_WITH_AS(ltv::model_ops_for(model_kind::bgbb).fit_rfm(s, d, {}),
                             doctest::Contains("does not take covariates"), ltv::error);
    }
    SUBCASE("predictions: missing or wrong covariates") {
        const ltv::model_state s = fit(c.rfm());
        std::vector<double> out(c.x.size());
        ltv::rfm_data d = c.rfm();
        const ltv::rfm_data none = ltv::detail::without_covariates(d);
        CHECK_THROWS_WITH_AS(ops.p_alive(s, none, out.data(), 1),
                             doctest::Contains("'covariates' has 0 columns"), ltv::error);
        d.covariates.cols = 1;
        CHECK_THROWS_WITH_AS(ops.p_alive(s, d, out.data(), 1),
                             doctest::Contains("covariates"), ltv::error);
        const auto plain = state_with(model_kind::bgnbd, {0.8, 4, 0.9, 2.5});
        CHECK_THROWS_WITH_AS(ops.p_alive(plain, c.rfm(), out.data(), 1),
                             doctest::Contains("fitted without covariates"), ltv::error);
    }
    SUBCASE("no convergence names the best point") {
        ltv::model_state s;
        s.kind = model_kind::bgnbd;
        ltv::fit_options o;
        o.max_iterations = 2;
        try {
            ops.fit_rfm(s, c.rfm(), o);
            FAIL("expected no_convergence");
        } catch (const ltv::error& e) {
            CHECK(e.code() == ltv::status::no_convergence);
            CHECK(std::string(e.what()).find("best point") != std::string::npos);
            CHECK(std::string(e.what()).find("nan") == std::string::npos);
        }
    }
}
