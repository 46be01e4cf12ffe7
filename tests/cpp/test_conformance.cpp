// SPDX-License-Identifier: Apache-2.0
// tests/cpp/test_conformance.cpp — one test template run for every registered model (issue 10,
// "tests that scale with models").
//
// The test logic names no model: it loops over ltv::registered_models(), takes each model's
// inputs (parameters at a published fit, a small data set of its data kind, horizons, the
// stress grid) from tests/data/references/<short name>.json, and applies to every capability the
// model declares the checks of tests/cpp/support/conformance_checks.hpp (over the kernels and
// inputs of tests/cpp/support/conformance.hpp):
//
//   (a) weighted duplicates = unweighted rows, for the total log-likelihood and the fit;
//   (b) the analytic gradient of the total log-likelihood = central finite differences;
//   (c) a batch kernel on n rows = the same kernel on each row alone, bit for bit;
//   (d) 1, 2 and 4 threads give the same bits on ≥ detail::parallel_threshold rows;
//   (e) invalid inputs are ltv::errors (invalid_argument) naming the argument;
//   (f) model_to_json / model_from_json round trips keep parameters and predictions bit for bit;
//   (g) over a stress grid every value is finite (and in range) or an ltv::error with status
//       domain_error or no_convergence — never a silent NaN or inf;
// plus: every published value of the reference file through the registry's kernels, and every
// registered model has a reference file (a new model fails here until it adds one).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ltv/registry.hpp"
#include "support/conformance.hpp"
#include "support/conformance_checks.hpp"
#include "support/references.hpp"

namespace {
namespace conf = ltv_test::conformance;
using ltv_test::json;

/// Each registered model with its inputs, or the reason they could not be read.
struct loaded_model {
    const ltv::model_ops* ops = nullptr;
    std::shared_ptr<conf::model_inputs> in;
    std::string error;
};

const std::vector<loaded_model>& models() {
    static const std::vector<loaded_model> all = [] {
        std::vector<loaded_model> v;
        for (const ltv::model_ops* ops : ltv::registered_models()) {
            loaded_model m;
            m.ops = ops;
            try {
                m.in = std::make_shared<conf::model_inputs>(conf::load_inputs(*ops));
            } catch (const std::exception& e) {
                m.error = e.what();
            }
            v.push_back(m);
        }
        return v;
    }();
    return all;
}

/// f(inputs) for every registered model; a model without usable reference data fails.
template <class F>
void for_each_model(F&& f) {
    for (const loaded_model& m : models()) {
        INFO("model '" << std::string(m.ops->name) << "' (" << std::string(m.ops->title) << ")");
        if (!m.in) {
            FAIL_CHECK("no usable reference data in tests/data/references/"
                       << std::string(m.ops->name) << ".json: " << m.error);
            continue;
        }
        f(*m.in);
    }
}

}  // namespace

TEST_CASE("conformance: every registered model has a reference file with its inputs") {
    REQUIRE(!ltv::registered_models().empty());
    for_each_model(conf::check_reference_inputs);
    // And every reference file belongs to a registered model (or is a cross-model file).
    namespace fs = std::filesystem;
    for (const auto& e : fs::directory_iterator(fs::path(LTV_TEST_DATA_DIR) / "references")) {
        if (e.path().extension() != ".json") continue;
        const json j = json::parse(std::ifstream(e.path()));
        if (!j.contains("model")) continue;  // e.g. clv_defaults.json: several models
        CAPTURE(e.path().filename().string());
        CHECK(j["model"].get<std::string>() + ".json" == e.path().filename().string());
        CHECK_NOTHROW(ltv::model_ops_named(j["model"].get<std::string>()));
    }
}

TEST_CASE("conformance: the published fits and predictions through the registry's kernels") {
    for_each_model(conf::check_published_values);
}

TEST_CASE("conformance (a): weighted duplicates equal unweighted rows, in the LL and the fit") {
    for_each_model(conf::check_weighted_duplicates);
}

TEST_CASE("conformance (b): the analytic gradient of the total LL equals central differences") {
    for_each_model(conf::check_gradient);
}

TEST_CASE("conformance (c): a batch kernel on n rows equals the kernel on each row alone") {
    for_each_model(conf::check_batch_equals_scalar);
}

TEST_CASE("conformance (d): 1, 2 and 4 threads give the same bits") {
    for_each_model(conf::check_thread_counts);
}

TEST_CASE("conformance (e): invalid inputs are errors naming the argument") {
    for_each_model([](const conf::model_inputs& in) { conf::check_invalid_inputs(in, false); });
}

// Library defects found by (e), listed in the reference files (conformance.known_defects) and
// reported; this test case checks the correct behaviour and is expected to fail until they are
// fixed (then remove the entries from the reference files).
TEST_CASE("conformance (e): known defects" * doctest::may_fail()) {
    for_each_model([](const conf::model_inputs& in) { conf::check_invalid_inputs(in, true); });
}

TEST_CASE("conformance (f): save/load keeps parameters and predictions bit for bit") {
    for_each_model(conf::check_save_load);
}

TEST_CASE("conformance (g): no silent NaN or inf over the stress grid") {
    for_each_model(conf::check_stress);
}
