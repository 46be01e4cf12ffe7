// SPDX-License-Identifier: Apache-2.0
// src/models/registry.cpp — the table of registered models (ltv/registry.hpp) and its lookups.
// Each model's model_ops is built in its own translation unit (generated from src/models/
// model.cpp.in), so this file compiles none of the models' mathematics.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "ltv/detail/validate.hpp"
#include "ltv/error.hpp"
#include "ltv/registry.hpp"

namespace ltv {
namespace detail {
#define LTV_MODEL_DECLARE(id, value, short_name, macro) const model_ops& registered_##id();
LTV_MODEL_REGISTRY(LTV_MODEL_DECLARE)
#undef LTV_MODEL_DECLARE

namespace {
std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string without_punctuation(const std::string& s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    return out;
}
}  // namespace
}  // namespace detail

const std::vector<const model_ops*>& registered_models() {
    static const std::vector<const model_ops*> models{
#define LTV_MODEL_ENTRY(id, value, short_name, macro) &detail::registered_##id(),
        LTV_MODEL_REGISTRY(LTV_MODEL_ENTRY)
#undef LTV_MODEL_ENTRY
    };
    return models;
}

std::string registered_model_names() {
    std::string names;
    for (const model_ops* m : registered_models())
        names += std::string(names.empty() ? "" : ", ") + m->name;
    return names;
}

const model_ops& model_ops_for(int kind) {
    for (const model_ops* m : registered_models())
        if (m->kind == kind) return *m;
    detail::fail(status::invalid_argument, "model_ops_for",
                 "argument 'kind' = " + std::to_string(kind) + " is not a model kind (" +
                     [] {
                         std::string known;
                         for (const model_ops* m : registered_models())
                             known += std::string(known.empty() ? "" : ", ") +
                                      std::to_string(m->kind) + " " + m->name;
                         return known;
                     }() +
                     ")");
}

const model_ops& model_ops_named(const std::string& name) {
    // Accepted spellings, compared without case and punctuation: the short name ("pnbd"), the
    // registry identifier ("pareto_nbd"), the title ("Pareto/NBD") and the Python class name
    // ("ParetoNBD").
    const std::string key = detail::without_punctuation(detail::lower(name));
    if (!key.empty())
        for (const model_ops* m : registered_models())
            for (const char* spelling : {m->name, m->header, m->title, m->class_name})
                if (key == detail::without_punctuation(detail::lower(spelling))) return *m;
    detail::fail(status::invalid_argument, "model_kind_from_name",
                 "unknown model '" + name + "' (known: " + registered_model_names() + ")");
}

}  // namespace ltv
