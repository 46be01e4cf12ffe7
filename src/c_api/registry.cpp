// SPDX-License-Identifier: Apache-2.0
// src/c_api/registry.cpp — the model registry through the C API: which models exist and what
// each can do (ltv/registry.hpp). The static_asserts tie every fixed value of ltv.h (model
// kinds, capabilities, data kinds, statuses) to the C++ enum it mirrors, so they cannot drift.
#include <cstring>
#include <string>

#include "model.hpp"

using ltv::capi::guard;
using ltv::capi::require_model;
using ltv::capi::require_out;

#define LTV_CHECK_MODEL_MACRO(id, value, short_name, macro)                  \
    static_assert(LTV_MODEL_##macro == static_cast<int>(ltv::model_kind::id), \
                  "LTV_MODEL_" #macro " in ltv.h differs from the registry");
LTV_MODEL_REGISTRY(LTV_CHECK_MODEL_MACRO)
#undef LTV_CHECK_MODEL_MACRO

#define LTV_CHECK_CAP_MACRO(id, macro, value, text)                          \
    static_assert(LTV_CAP_##macro == static_cast<int>(ltv::capability::id), \
                  "LTV_CAP_" #macro " in ltv.h differs from ltv/model_traits.hpp");
LTV_CAPABILITY_LIST(LTV_CHECK_CAP_MACRO)
#undef LTV_CHECK_CAP_MACRO

static_assert(LTV_PENALIZER_LTV == static_cast<int>(ltv::penalizer_convention::ltv));
static_assert(LTV_PENALIZER_LIFETIMES == static_cast<int>(ltv::penalizer_convention::lifetimes));
static_assert(LTV_OK == static_cast<int>(ltv::status::ok));
static_assert(LTV_ERR_INVALID_ARGUMENT == static_cast<int>(ltv::status::invalid_argument));
static_assert(LTV_ERR_DOMAIN == static_cast<int>(ltv::status::domain_error));
static_assert(LTV_ERR_NO_CONVERGENCE == static_cast<int>(ltv::status::no_convergence));
static_assert(LTV_ERR_OUT_OF_MEMORY == static_cast<int>(ltv::status::out_of_memory));
static_assert(LTV_ERR_BUFFER_TOO_SMALL == static_cast<int>(ltv::status::buffer_too_small));
static_assert(LTV_ERR_NOT_FITTED == static_cast<int>(ltv::status::not_fitted));
static_assert(LTV_ERR_INTERNAL == static_cast<int>(ltv::status::internal));
static_assert(LTV_ERR_IO == static_cast<int>(ltv::status::io_error));
static_assert(LTV_ERR_PARSE == static_cast<int>(ltv::status::parse_error));
static_assert(LTV_ERR_CANCELLED == static_cast<int>(ltv::status::cancelled));

extern "C" {

LTV_API int ltv_model_kind_count(size_t* out_count) {
    constexpr const char* fn = "ltv_model_kind_count";
    return guard(fn, [&] {
        require_out(fn, "out_count", out_count);
        *out_count = ltv::registered_models().size();
    });
}

LTV_API int ltv_model_kind_at(size_t index, int* out_kind) {
    constexpr const char* fn = "ltv_model_kind_at";
    return guard(fn, [&] {
        require_out(fn, "out_kind", out_kind);
        const auto& models = ltv::registered_models();
        if (index >= models.size())
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'index' = " + std::to_string(index) +
                                 " is out of range; there are " + std::to_string(models.size()) +
                                 " model kinds");
        *out_kind = models[index]->kind;
    });
}

LTV_API int ltv_model_kind_info(int kind, const char* key, const char** out_value) {
    constexpr const char* fn = "ltv_model_kind_info";
    return guard(fn, [&] {
        require_out(fn, "out_value", out_value);
        if (key == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'key' is a null pointer");
        const auto& ops = ltv::model_ops_for(kind);
        const struct {
            const char* key;
            const char* value;
        } fields[] = {{"name", ops.name},
                      {"title", ops.title},
                      {"class_name", ops.class_name},
                      {"citation", ops.citation},
                      {"data", ltv::data_kind_name(ops.data)},
                      {"age_name", ops.age_name},
                      {"docs", ops.docs}};
        for (const auto& f : fields)
            if (std::strcmp(key, f.key) == 0) {
                *out_value = f.value;
                return;
            }
        throw ltv::error(ltv::status::invalid_argument,
                         std::string(fn) + ": argument 'key' = '" + key +
                             "' is not known (name, title, class_name, citation, data, age_name, docs)");
    });
}

LTV_API int ltv_model_kind_supports(int kind, int capability, int* out_flag) {
    constexpr const char* fn = "ltv_model_kind_supports";
    return guard(fn, [&] {
        require_out(fn, "out_flag", out_flag);
        const auto& ops = ltv::model_ops_for(kind);
        *out_flag = ops.supports(capability) ? 1 : 0;
    });
}

LTV_API int ltv_model_supports(const ltv_model* model, int capability, int* out_flag) {
    constexpr const char* fn = "ltv_model_supports";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_flag", out_flag);
        const auto& ops = ltv::capi::ops_of(m);
        *out_flag = ops.supports(capability) ? 1 : 0;
    });
}

LTV_API int ltv_capability_name(int capability, const char** out_name) {
    constexpr const char* fn = "ltv_capability_name";
    return guard(fn, [&] {
        require_out(fn, "out_name", out_name);
        const char* name = ltv::capability_name(capability);
        if (name == nullptr)
            throw ltv::error(ltv::status::invalid_argument,
                             std::string(fn) + ": argument 'capability' = " +
                                 std::to_string(capability) + " is not a capability (1 … " +
                                 std::to_string(ltv::capability_max) + ")");
        *out_name = name;
    });
}

LTV_API int ltv_model_param_bounds(const ltv_model* model, size_t index, double* out_lower,
                                   double* out_upper) {
    constexpr const char* fn = "ltv_model_param_bounds";
    return guard(fn, [&] {
        const auto& m = require_model(fn, model);
        require_out(fn, "out_lower", out_lower);
        require_out(fn, "out_upper", out_upper);
        const auto& p = ltv::capi::param_at(fn, m, index);
        *out_lower = p.lower;
        *out_upper = p.upper;
    });
}

}  // extern "C"
