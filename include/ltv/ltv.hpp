// SPDX-License-Identifier: Apache-2.0
// ltv/ltv.hpp — umbrella header of the C++ library: include this to get everything.
// Every public header of include/ltv/ is listed (tests/cpp/test_umbrella.cpp checks that none is
// missing). The model registry's lookups (ltv/registry.hpp: model_ops_for, registered_models)
// and model files (ltv/model_state.hpp) need the compiled registry: link ltv::models.
#pragma once

#include "ltv/array_view.hpp"
#include "ltv/average_clv.hpp"
#include "ltv/bgbb.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/clv_options.hpp"
#include "ltv/cohorts.hpp"
#include "ltv/customer_base.hpp"
#include "ltv/date.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/hyp2f1.hpp"
#include "ltv/journey.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_ops.hpp"
#include "ltv/model_state.hpp"
#include "ltv/model_traits.hpp"
#include "ltv/pareto_nbd.hpp"
#include "ltv/registry.hpp"
#include "ltv/retention.hpp"
#include "ltv/rfm.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/sbg.hpp"
#include "ltv/simple_ltv.hpp"
#include "ltv/summary.hpp"
#include "ltv/summary_csv.hpp"
#include "ltv/threads.hpp"
#include "ltv/transactions.hpp"
#include "ltv/version.hpp"
