// ltv/ltv.hpp — umbrella header of the C++ library: include this to get everything.
#pragma once

#include "ltv/array_view.hpp"
#include "ltv/average_clv.hpp"
#include "ltv/error.hpp"
#include "ltv/lost_profit.hpp"
#include "ltv/retention.hpp"
#include "ltv/simple_ltv.hpp"
#include "ltv/version.hpp"
