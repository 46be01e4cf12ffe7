// SPDX-License-Identifier: Apache-2.0
// A C++ consumer of the installed library: the header library (ltv::ltv) through the umbrella
// header alone, and the compiled model registry (ltv::models). Every registered model is used:
// through its own header's functions (header-only) and through the registry (generic).
#include <cmath>
#include <iostream>
#include <vector>

#include <ltv/ltv.hpp>

namespace {
int failures = 0;
void expect(bool ok, const char* what) {
    if (!ok) {
        std::cerr << "consumer.cpp: " << what << "\n";
        ++failures;
    }
}
}  // namespace

int main() {
    const double lost = ltv::lost_profit(65, 5, 1, 30000);
    expect(std::fabs(lost - 7800000) <= 1e-6, "unexpected lost profit");

    // Each model through its header (parameters from the papers; any finite value will do).
    expect(ltv::probability_alive(ltv::bgnbd_params{0.243, 4.414, 0.793, 2.426}, 2, 30.4, 38.9) > 0,
           "BG/NBD");
    expect(ltv::probability_alive(ltv::mbgnbd_params{0.525, 6.183, 0.891, 1.614}, 2, 30.4, 38.9) > 0,
           "MBG/NBD");
    expect(ltv::probability_alive(ltv::pareto_nbd_params{0.553, 10.58, 0.606, 11.67}, 2, 30.4, 38.9) >
               0,
           "Pareto/NBD");
    expect(ltv::probability_alive(ltv::bgbb_params{1.204, 0.750, 0.657, 2.783}, 3, 5, 6) > 0,
           "BG/BB");
    expect(ltv::conditional_expected_average_spend(ltv::gamma_gamma_params{6.25, 3.74, 15.44}, 2,
                                                    22.35) > 0,
           "Gamma-Gamma");
    expect(ltv::sbg_survival(ltv::sbg_params{0.704, 1.182}, 3) > 0, "sBG");

    // Every registered model through the registry: a model file round trip.
    std::size_t models = 0;
    for (const ltv::model_ops* ops : ltv::registered_models()) {
        ltv::model_state m;
        m.kind = static_cast<ltv::model_kind>(ops->kind);
        m.params.assign(ops->num_params, 1.5);
        const ltv::model_state back = ltv::model_from_json(ltv::model_to_json(m));
        expect(back.kind == m.kind && back.params == m.params, ops->name);
        ++models;
    }
    expect(models >= 6, "registry has fewer than 6 models");
    if (failures) return 1;
    std::cout << "consumer.cpp: ltv " << ltv::version_string << ", lost profit " << lost << ", "
              << models << " registered models\n";
    return 0;
}
