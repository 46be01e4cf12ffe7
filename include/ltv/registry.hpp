// SPDX-License-Identifier: Apache-2.0
// ltv/registry.hpp — the list of ltv's models: one line per model.
//
//   X(identifier, kind id, short name, C macro suffix)
//
// identifier   the model's header is ltv/<identifier>.hpp and its traits struct
//              ltv::<identifier>_model (ltv/model_traits.hpp says what a traits struct holds);
// kind id      the model_kind value, part of the C ABI: never reused or renumbered;
// short name   model files, the CLI's --model, the C API's and Python's kind names;
// C macro      LTV_MODEL_<suffix> in ltv/ltv.h (a static_assert checks that it equals the id).
//
// From this list come: the model_kind enum below; one translation unit per model in the
// library (CMake reads this file and generates src/models/<identifier>.cpp in the build tree,
// which instantiates the model once); the table that model_ops_for() and registered_models()
// search; the static_asserts against ltv.h; and from those, the C API's generic entry points,
// the CLI's --model choices, the Python classes and the docs index. Adding a model: its header,
// one line here, a reference-values file in tests/data/references and a docs page
// (docs/architecture.md, "Adding a model").
//
// The lookup functions are compiled (libltv's registry, CMake target ltv::models); the model
// headers themselves stay header-only and can be used without it.
#pragma once

#include <string>
#include <vector>

#include "ltv/model_traits.hpp"

// clang-format off
#define LTV_MODEL_REGISTRY(X)                     \
    X(bgnbd,       1, "bgnbd",  BGNBD)            \
    X(mbgnbd,      2, "mbgnbd", MBGNBD)           \
    X(gamma_gamma, 3, "gg",     GAMMA_GAMMA)      \
    X(pareto_nbd,  4, "pnbd",   PARETO_NBD)       \
    X(bgbb,        5, "bgbb",   BGBB)             \
    X(sbg,         6, "sbg",    SBG)              \
    X(bgcnbd,      7, "bgcnbd", BGCNBD)           \
    X(mbgcnbd,     8, "mbgcnbd", MBGCNBD)          \
    X(ggomnbd,     9, "ggomnbd", GGOMNBD)
// clang-format on

namespace ltv {

/// The models ltv knows; the values are part of the C ABI (LTV_MODEL_* in ltv/ltv.h).
enum class model_kind : int {
#define LTV_MODEL_KIND_ENUM(id, value, short_name, macro) id = value,
    LTV_MODEL_REGISTRY(LTV_MODEL_KIND_ENUM)
#undef LTV_MODEL_KIND_ENUM
};

namespace detail {
/// The registry's lines as data (identifier, kind id, short name), for make_model_ops.
struct registry_entry {
    int kind;
    const char* identifier;
    const char* name;
};
inline constexpr registry_entry registry_entries[] = {
#define LTV_MODEL_REGISTRY_ENTRY(id, value, short_name, macro) {value, #id, short_name},
    LTV_MODEL_REGISTRY(LTV_MODEL_REGISTRY_ENTRY)
#undef LTV_MODEL_REGISTRY_ENTRY
};
}  // namespace detail

/// The registered model of `kind`; invalid_argument naming the value for an unknown kind.
const model_ops& model_ops_for(int kind);
inline const model_ops& model_ops_for(model_kind kind) {
    return model_ops_for(static_cast<int>(kind));
}

/// The model called `name` (its short name, e.g. "pnbd", or an alias: "pareto_nbd",
/// "gamma_gamma", its title "Pareto/NBD" or Python class name "ParetoNBD", case-insensitive);
/// invalid_argument listing the known names otherwise.
const model_ops& model_ops_named(const std::string& name);

/// Every registered model, in the registry's order.
const std::vector<const model_ops*>& registered_models();

/// The short names joined by ", " ("bgnbd, mbgnbd, gg, pnbd, bgbb, sbg").
std::string registered_model_names();

}  // namespace ltv
