#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the hand-minimised summary-state regressions of fuzz_summary_state.

Each file is a saved ltv summary state (format version 1, see summary_state::save in
include/ltv/summary.hpp) with a valid checksum and one defect found by fuzzing (issue 8, D9/D10):
the fuzzer's own inputs were 2 KB edits of a seed; these carry only the damaged record. Run from
anywhere; writes next to this script, into fuzz_summary_state/.
"""
import math
import os
import struct

MASK = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & MASK
    return h


def state(records, *, observation_end=None, calibration_end=None, merge=1, unit=1.0,
          max_day=None, transactions=None, holdout=None) -> bytes:
    """records: (id, first_day, last_day, occasions, transactions, first_value, total)."""
    flags = (1 if observation_end is not None else 0) | (2 if calibration_end is not None else 0)
    if max_day is None:
        max_day = max((r[2] for r in records), default=-(2 ** 31))
    if transactions is None:
        transactions = sum(r[4] for r in records)
    o = b"LTVSUMST" + struct.pack("<IIiiId", 1, flags, observation_end or 0, calibration_end or 0,
                                  merge, unit)
    o += struct.pack("<iQQQQ", max_day, transactions, 0, 0, len(records))
    for r in records:
        ident = r[0].encode()
        o += struct.pack("<I", len(ident)) + ident
    for r in records:
        o += struct.pack("<iiiiddB", r[1], r[2], r[3], r[4], r[5], r[6], 0)
    if calibration_end is not None:
        for h in holdout or [(2 ** 31 - 1, -(2 ** 31), 0, 0, 0.0)] * len(records):
            o += struct.pack("<iiiid", *h)
    return o + struct.pack("<Q", fnv1a64(o))


DAY_2020 = 18262  # 2020-01-01
CASES = {
    # D9: occasions < 1 restores and yields frequency -6
    "d9_negative_occasions": state([("a", DAY_2020, DAY_2020 + 10, -5, 1, 1.0, 2.0)]),
    # D9: a NaN total yields a NaN monetary value
    "d9_nan_total": state([("a", DAY_2020, DAY_2020 + 10, 2, 2, 1.0, math.nan)]),
    # D9: first day after the last: recency < 0
    "d9_first_after_last": state([("a", DAY_2020 + 10, DAY_2020, 2, 2, 1.0, 2.0)]),
    # D9: more occasions than transactions
    "d9_occasions_above_transactions": state([("a", DAY_2020, DAY_2020 + 10, 5, 2, 1.0, 2.0)]),
    # D9/D10: day numbers far outside 0001..9999: signed overflow at summary.hpp:457 (HEAD)
    "d10_day_difference_overflow": state([("a", -2_000_000_000, 2_000_000_000, 2, 2, 1.0, 2.0)]),
    # A positive subnormal time unit passes "> 0 and finite" but T = days / unit is inf
    "time_unit_subnormal_gives_inf": state([("a", DAY_2020, DAY_2020 + 10, 2, 2, 1.0, 2.0)],
                                           unit=5e-324),
    # The last day seen (the default observation end) before a customer's last purchase:
    # T < recency
    "d9_max_day_before_last_purchase": state([("a", DAY_2020, DAY_2020 + 10, 2, 2, 1.0, 2.0)],
                                             max_day=DAY_2020),
    # calibration_end set, no observation_end, all transactions before calibration_end: the
    # default end (the last day seen) lies before calibration_end and duration_holdout < 0
    # (also without restoring: summarize_text with only calibration_end set)
    "calibration_end_after_last_day_negative_holdout": state(
        [("a", DAY_2020, DAY_2020 + 10, 2, 2, 1.0, 2.0)], calibration_end=DAY_2020 + 100),
}

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_summary_state")
    os.makedirs(out, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(CASES)} states written to {out}")
