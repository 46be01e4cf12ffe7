// SPDX-License-Identifier: Apache-2.0
// ltv/mbgcnbd.hpp — the MBG/CNBD-k model (Platzer & Reutterer 2016): BG/CNBD-k with the dropout
// coin also tossed at time 0, as MBG/NBD relates to BG/NBD. Both models live in ltv/bgcnbd.hpp
// (one engine, ltv/detail/cnbd.hpp); this header is the registry's name for MBG/CNBD-k.
#pragma once

#include "ltv/bgcnbd.hpp"
