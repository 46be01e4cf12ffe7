// ltv/ltv.hpp — umbrella header of the C++ library: include this to get everything.
#pragma once

#include "ltv/array_view.hpp"
#include "ltv/average_clv.hpp"
#include "ltv/bgnbd.hpp"
#include "ltv/clv.hpp"
#include "ltv/error.hpp"
#include "ltv/fit_report.hpp"
#include "ltv/gamma_gamma.hpp"
#include "ltv/hyp2f1.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/mbgnbd.hpp"
#include "ltv/model_state.hpp"
#include "ltv/retention.hpp"
#include "ltv/rfm_data.hpp"
#include "ltv/sbg.hpp"
#include "ltv/simple_ltv.hpp"
#include "ltv/version.hpp"
