// SPDX-License-Identifier: Apache-2.0
// The model registry (ltv/registry.hpp, ltv/model_ops.hpp): every registered model describes
// itself consistently, its kernels exist exactly for its capabilities, names resolve, the
// umbrella header holds every public header, and the CLV defaults give the reference value
// (the C++ layer of the four-layer defaults test; tests/python/test_defaults.py does C, Python
// and the CLI against the same file).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ltv/ltv.hpp"

namespace {
nlohmann::json read_reference(const std::string& name) {
    std::ifstream in(std::string(LTV_TEST_DATA_DIR) + "/references/" + name);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}
}  // namespace

TEST_CASE("registry: every model describes itself once and consistently") {
    const auto& models = ltv::registered_models();
    REQUIRE(models.size() >= 6);
    std::set<int> kinds;
    std::set<std::string> names, classes;
    for (const ltv::model_ops* m : models) {
        CAPTURE(m->name);
        CHECK(kinds.insert(m->kind).second);
        CHECK(names.insert(m->name).second);
        CHECK(classes.insert(m->class_name).second);
        CHECK(&ltv::model_ops_for(m->kind) == m);
        CHECK(&ltv::model_ops_named(m->name) == m);
        CHECK(&ltv::model_ops_named(m->title) == m);       // "Pareto/NBD"
        CHECK(&ltv::model_ops_named(m->class_name) == m);  // "ParetoNBD"
        CHECK(&ltv::model_ops_named(m->header) == m);      // "pareto_nbd"
        CHECK(std::string(m->citation).size() > 20);
        REQUIRE(m->num_params >= 1);
        for (std::size_t i = 0; i < m->num_params; ++i) {
            CHECK(m->params[i].lower < m->params[i].upper);
            CHECK(std::string(m->params[i].name).size() > 0);
        }
        // A kernel exists exactly when the capability is declared.
        using ltv::capability;
        CHECK((m->fit_rfm != nullptr) == m->supports(capability::fit_rfm));
        CHECK((m->fit_spend != nullptr) == m->supports(capability::fit_spend));
        CHECK((m->fit_survivors != nullptr) == m->supports(capability::fit_survivors));
        CHECK((m->log_likelihood != nullptr) == m->supports(capability::log_likelihood));
        CHECK((m->p_alive != nullptr) == m->supports(capability::p_alive));
        CHECK((m->conditional_purchases != nullptr) ==
              m->supports(capability::conditional_purchases));
        CHECK((m->new_customer_purchases != nullptr) ==
              m->supports(capability::new_customer_purchases));
        CHECK((m->purchase_pmf != nullptr) == m->supports(capability::purchase_pmf));
        CHECK((m->dert != nullptr) == m->supports(capability::dert));
        CHECK((m->clv != nullptr) == m->supports(capability::clv));
        CHECK((m->expected_spend != nullptr) == m->supports(capability::spend));
        CHECK((m->survival != nullptr) == m->supports(capability::survival));
        CHECK((m->conditional_purchase_pmf != nullptr) ==
              m->supports(capability::conditional_purchase_pmf));
        CHECK((m->p_alive_ahead != nullptr) == m->supports(capability::p_alive_ahead));
        CHECK((m->simulate != nullptr) == m->supports(capability::simulate));
        // One fit per model, matching its data kind.
        const int fits = (m->fit_rfm != nullptr) + (m->fit_spend != nullptr) +
                         (m->fit_survivors != nullptr);
        CHECK(fits == 1);
        CHECK((m->data == ltv::data_kind::rfm) == (m->fit_rfm != nullptr));
    }
    CHECK(ltv::registered_model_names() == "bgnbd, mbgnbd, gg, pnbd, bgbb, sbg, bgcnbd, mbgcnbd, ggomnbd");
    CHECK_THROWS_WITH_AS(ltv::model_ops_named("bgnbd2"),
                         doctest::Contains("unknown model 'bgnbd2' (known: bgnbd, mbgnbd"),
                         ltv::error);
    CHECK_THROWS_WITH_AS(ltv::model_ops_for(99), doctest::Contains("'kind' = 99"), ltv::error);
    CHECK(ltv::capability_name(static_cast<int>(ltv::capability::p_alive)) ==
          std::string("p_alive"));
    CHECK(ltv::capability_name(ltv::capability_max + 1) == nullptr);
}

TEST_CASE("registry: the kernels reproduce the model headers' functions") {
    // BG/NBD at FHL 2005's CDNOW estimates (the digits of clv_defaults.json) through the
    // registry and through bgnbd.hpp.
    const auto defaults = read_reference("clv_defaults.json");
    const auto& b = defaults["bgnbd"];
    const ltv::bgnbd_params p{b["r"], b["alpha"], b["a"], b["b"]};
    ltv::model_state s;
    s.kind = ltv::model_kind::bgnbd;
    s.params = {p.r, p.alpha, p.a, p.b};
    const double x[] = {0, 2, 7}, tx[] = {0, 30.43, 35.1}, T[] = {38.86, 38.86, 38.86};
    const ltv::rfm_data d{{x, 3}, {tx, 3}, {T, 3}, {}};
    double out[3];
    const auto& ops = ltv::model_ops_for(ltv::model_kind::bgnbd);
    ops.p_alive(s, d, out, 1);
    for (int i = 0; i < 3; ++i) CHECK(out[i] == ltv::probability_alive(p, x[i], tx[i], T[i]));
    ops.conditional_purchases(s, 39, d, out, 1);
    for (int i = 0; i < 3; ++i)
        CHECK(out[i] == ltv::conditional_expected_purchases(p, 39, x[i], tx[i], T[i]));
    // A model without parameters is not_fitted, naming it.
    ltv::model_state empty;
    empty.kind = ltv::model_kind::bgnbd;
    CHECK_THROWS_WITH_AS(ops.p_alive(empty, d, out, 1), doctest::Contains("no parameters"),
                         ltv::error);
}

TEST_CASE("defaults: CLV with clv_options{} is the reference customer's (C++ layer)") {
    const auto ref = read_reference("clv_defaults.json");
    const ltv::clv_options o;
    CHECK(o.periods == ref["defaults"]["periods"].get<int>());
    CHECK(o.period_length == ref["defaults"]["period_length"].get<double>());
    CHECK(o.discount_rate == ref["defaults"]["discount_rate"].get<double>());
    const auto& b = ref["bgnbd"];
    const auto& g = ref["gamma_gamma"];
    const auto& c = ref["customer"];
    const ltv::bgnbd_params p{b["r"], b["alpha"], b["a"], b["b"]};
    const ltv::gamma_gamma_params gg{g["p"], g["q"], g["gamma"]};
    const double value = ltv::clv(p, gg, c["frequency"].get<double>(), c["recency"].get<double>(),
                                  c["T"].get<double>(), c["monetary_value"].get<double>(),
                                  ltv::clv_options{});
    // Reference: 50-digit oracle (the file's "source"); tolerance from the file.
    CHECK(value == doctest::Approx(ref["clv"].get<double>()).epsilon(ref["tolerance"].get<double>()));
}

TEST_CASE("defaults: the default time unit is tests/data/defaults.json's (C++ layer)") {
    // The C API, the CLI and Python are checked against the same file in
    // tests/python/test_defaults.py.
    std::ifstream in(std::filesystem::path(LTV_TEST_DATA_DIR) / "defaults.json");
    REQUIRE(in);
    const auto ref = nlohmann::json::parse(in);
    CHECK(ltv::default_time_unit().days == ref["time_unit_days"].get<double>());
    CHECK(ltv::summary_options{}.unit.days == ref["time_unit_days"].get<double>());
    CHECK(ltv::time_unit_name(ltv::default_time_unit()) == ref["time_unit"].get<std::string>());
}

TEST_CASE("defaults: the interval defaults are tests/data/defaults.json's (C++ layer)") {
    // ltv::interval_options (ltv/intervals.hpp) is where they are defined; the C API
    // (ltv_prediction_options_init), Python (ltv.interval_defaults, predict) and the CLI (ltv
    // predict --intervals) are checked in tests/python/test_defaults.py.
    std::ifstream in(std::filesystem::path(LTV_TEST_DATA_DIR) / "defaults.json");
    REQUIRE(in);
    const auto ref = nlohmann::json::parse(in);
    const ltv::interval_options o;
    CHECK((o.method == ltv::interval_method::delta ? "delta" : "bootstrap") ==
          ref["interval_method"].get<std::string>());
    CHECK(o.replicates == ref["interval_replicates"].get<int>());
    CHECK(o.seed == ref["interval_seed"].get<std::uint64_t>());
}

TEST_CASE("version: LTV_VERSION_STRING spells LTV_VERSION_MAJOR.MINOR.PATCH") {
    // The Python package's version is read from LTV_VERSION_STRING (bindings/python/setup.py),
    // the SONAME from the numbers: a bump of one without the other broke the install test.
    CHECK(std::string(LTV_VERSION_STRING) == std::to_string(LTV_VERSION_MAJOR) + "." +
                                                  std::to_string(LTV_VERSION_MINOR) + "." +
                                                  std::to_string(LTV_VERSION_PATCH));
}

TEST_CASE("umbrella: ltv/ltv.hpp includes every public header") {
    namespace fs = std::filesystem;
    const fs::path include = fs::path(LTV_TEST_DATA_DIR).parent_path().parent_path() / "include";
    std::ifstream in(include / "ltv" / "ltv.hpp");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    int headers = 0;
    for (const auto& e : fs::directory_iterator(include / "ltv")) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".hpp" || name == "ltv.hpp") continue;
        ++headers;
        CAPTURE(name);
        CHECK(text.str().find("#include \"ltv/" + name + "\"") != std::string::npos);
    }
    CHECK(headers >= 25);
}
