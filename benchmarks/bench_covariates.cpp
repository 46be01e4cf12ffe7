// SPDX-License-Identifier: Apache-2.0
// Benchmarks of static covariates (ltv/covariates.hpp).
// Target (issue 14): BG/NBD and Pareto/NBD fits on CDNOW with 3 covariates within 3× of the same
// model's fit without covariates.
//
// CDNOW has no covariates; three synthetic ones are derived deterministically from the customer
// id (column 0 of tests/data/cdnow_customers_summary.csv): z1 = id mod 2, z2 = ⌊id / 2⌋ mod 3,
// z3 = [id mod 7 < 3] — 12 distinct covariate rows, unrelated to the purchases (so the fitted
// coefficients are near 0, and the fit does the same work as with real attributes).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/model_ops.hpp"
#include "ltv/registry.hpp"

#ifndef LTV_TEST_DATA_DIR
#define LTV_TEST_DATA_DIR "tests/data"
#endif

namespace {

struct cdnow_covariates {
    std::vector<double> x, tx, T, z;
    std::vector<std::string> names{"z1", "z2", "z3"};
    ltv::rfm_data plain() const { return {x, tx, T, {}}; }
    ltv::rfm_data with_covariates() const {
        ltv::rfm_data d = plain();
        d.covariates = {z.data(), x.size(), 3};
        d.covariate_names = {names.data(), names.size()};
        return d;
    }
};

const cdnow_covariates& cdnow() {
    static const cdnow_covariates c = [] {
        cdnow_covariates c;
        std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/cdnow_customers_summary.csv");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            std::stringstream s(line);
            std::string f[4];
            for (auto& v : f) std::getline(s, v, ',');
            const long id = std::stol(f[0]);
            c.x.push_back(std::stod(f[1]));
            c.tx.push_back(std::stod(f[2]));
            c.T.push_back(std::stod(f[3]));
            c.z.push_back(static_cast<double>(id % 2));
            c.z.push_back(static_cast<double>((id / 2) % 3));
            c.z.push_back(id % 7 < 3 ? 1.0 : 0.0);
        }
        return c;
    }();
    return c;
}

void fit(benchmark::State& state, ltv::model_kind kind, bool covariates, bool se = true) {
    const ltv::model_ops& ops = ltv::model_ops_for(kind);
    const ltv::rfm_data d = covariates ? cdnow().with_covariates() : cdnow().plain();
    ltv::fit_options o;
    o.standard_errors = se;
    int evaluations = 0;
    for (auto _ : state) {
        ltv::model_state s;
        s.kind = kind;
        ops.fit_rfm(s, d, o);
        evaluations = s.report.convergence.function_evaluations;
        benchmark::DoNotOptimize(s.params.data());
    }
    state.counters["evaluations"] = evaluations;
}

void BM_covariates_bgnbd_fit_cdnow_plain(benchmark::State& s) {
    fit(s, ltv::model_kind::bgnbd, false);
}
void BM_covariates_bgnbd_fit_cdnow_3cov(benchmark::State& s) {
    fit(s, ltv::model_kind::bgnbd, true);
}
void BM_covariates_bgnbd_fit_cdnow_3cov_no_se(benchmark::State& s) {
    fit(s, ltv::model_kind::bgnbd, true, false);
}
void BM_covariates_pnbd_fit_cdnow_plain(benchmark::State& s) {
    fit(s, ltv::model_kind::pareto_nbd, false);
}
void BM_covariates_pnbd_fit_cdnow_3cov(benchmark::State& s) {
    fit(s, ltv::model_kind::pareto_nbd, true);
}

}  // namespace

BENCHMARK(BM_covariates_bgnbd_fit_cdnow_plain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_covariates_bgnbd_fit_cdnow_3cov)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_covariates_bgnbd_fit_cdnow_3cov_no_se)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_covariates_pnbd_fit_cdnow_plain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_covariates_pnbd_fit_cdnow_3cov)->Unit(benchmark::kMillisecond);
