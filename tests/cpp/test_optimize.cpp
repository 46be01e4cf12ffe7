// SPDX-License-Identifier: Apache-2.0
// Tests of ltv/detail/optimize.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ltv/detail/optimize.hpp"

TEST_CASE("optimize: Rosenbrock from the classic start") {
    // f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1) (Nocedal & Wright, exercise 2.1).
    auto f = [](const double* x, double* g) {
        const double a = 1 - x[0], b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
    };
    const auto r = ltv::detail::minimize(f, {-1.2, 1.0});
    CHECK(r.info.converged);
    CHECK(r.x[0] == doctest::Approx(1).epsilon(1e-7));
    CHECK(r.x[1] == doctest::Approx(1).epsilon(1e-7));
    CHECK(r.info.gradient_norm <= 1e-8);
    CHECK(r.info.iterations < 100);
}

TEST_CASE("optimize: non-finite trial values shrink the step") {
    // f = exp(x) − 2x + (y − 1)² is NaN for x > 50 here (an artificial overflow region);
    // minimum at (log 2, 1). (Two variables: GCC 12 warns spuriously on 1-element Eigen vectors.)
    auto f = [](const double* x, double* g) {
        if (x[0] > 50) return std::numeric_limits<double>::quiet_NaN();
        g[0] = std::exp(x[0]) - 2;
        g[1] = 2 * (x[1] - 1);
        return std::exp(x[0]) - 2 * x[0] + (x[1] - 1) * (x[1] - 1);
    };
    const auto r = ltv::detail::minimize(f, {-30.0, 0.0});
    CHECK(r.info.converged);
    // Gradient tolerance 1e-8 with curvature 2 bounds the error by 5e-9 absolute.
    CHECK(r.x[0] == doctest::Approx(std::log(2.0)).epsilon(1e-8));
    CHECK(r.x[1] == doctest::Approx(1.0).epsilon(1e-8));
}

TEST_CASE("optimize: failure is reported, not hidden") {
    // Unbounded below: f = −x. No minimiser exists; the report must say "not converged".
    auto f = [](const double* x, double* g) {
        g[0] = -1;
        g[1] = 2 * x[1];
        return -x[0] + x[1] * x[1];
    };
    ltv::detail::minimize_options o;
    o.max_iterations = 20;
    const auto r = ltv::detail::minimize(f, {0.0, 0.0}, o);
    CHECK_FALSE(r.info.converged);
    CHECK_FALSE(r.info.message.empty());
    // Non-finite at the start.
    auto nan_f = [](const double*, double* g) { g[0] = g[1] = 0; return std::nan(""); };
    CHECK_FALSE(ltv::detail::minimize(nan_f, {0.0, 0.0}).info.converged);
}

TEST_CASE("optimize: numeric Hessian of a quadratic is exact") {
    // f = ½ xᵀAx with A = [[4, 1, 0], [1, 3, -1], [0, -1, 2]]: Hessian A (central differences
    // of a linear gradient are exact up to rounding).
    const double A[3][3] = {{4, 1, 0}, {1, 3, -1}, {0, -1, 2}};
    auto grad = [&](const double* x, double* g) {
        for (int i = 0; i < 3; ++i) g[i] = A[i][0] * x[0] + A[i][1] * x[1] + A[i][2] * x[2];
    };
    const Eigen::MatrixXd H = ltv::detail::numeric_hessian(grad, {0.3, -2.0, 5.0});
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) CHECK(H(i, j) == doctest::Approx(A[i][j]).epsilon(1e-9));
}

TEST_CASE("optimize: minimize_with the identity is minimize; a warm start saves iterations") {
    // A badly scaled convex quadratic-plus-quartic: f = Σ cᵢ (xᵢ − 1)² + (x₀ − 1)⁴.
    const double c[3] = {1, 30, 900};
    auto f = [&](const double* x, double* g) {
        double v = 0;
        for (int i = 0; i < 3; ++i) {
            v += c[i] * (x[i] - 1) * (x[i] - 1);
            g[i] = 2 * c[i] * (x[i] - 1);
        }
        v += std::pow(x[0] - 1, 4);
        g[0] += 4 * std::pow(x[0] - 1, 3);
        return v;
    };
    const std::vector<double> x0{-2.0, 3.0, 0.5};
    const auto cold = ltv::detail::minimize(f, x0);
    Eigen::MatrixXd H = Eigen::MatrixXd::Identity(3, 3);
    const auto same = ltv::detail::minimize_with(f, x0, {}, H, true);
    CHECK(cold.x == same.x);  // bit for bit: minimize() is minimize_with(identity)
    CHECK(cold.info.function_evaluations == same.info.function_evaluations);
    CHECK(cold.info.converged);
    // H now approximates the inverse Hessian diag(1/(2cᵢ)); restart nearby with it.
    CHECK(H(2, 2) == doctest::Approx(1 / 1800.0).epsilon(0.05));
    const std::vector<double> near{1.01, 0.99, 1.001};
    Eigen::MatrixXd Hw = H;
    const auto warm = ltv::detail::minimize_warm(f, near, {}, Hw);
    const auto fresh = ltv::detail::minimize(f, near);
    CHECK(warm.info.converged);
    CHECK(warm.x[2] == doctest::Approx(1).epsilon(1e-9));
    CHECK(warm.info.function_evaluations < fresh.info.function_evaluations);
    // A wrongly sized or non-finite H falls back to the identity.
    Eigen::MatrixXd wrong(2, 2);
    wrong.setConstant(std::nan(""));
    CHECK(ltv::detail::minimize_with(f, x0, {}, wrong, false).x == cold.x);
}
