#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the oracle caches: ``generate.py [FAMILY ...] [--jobs N] [--quick]``.

Each family module's ``cases(quick)`` yields records (``common.record``) or picklable
zero-argument callables (``functools.partial`` of a module-level function) returning a record or
a list of records; the callables are evaluated on ``--jobs`` processes (default: all cores).
Without FAMILY, every module listed in FAMILIES is regenerated. Needs mpmath
(Debian: python3-mpmath; run with /usr/bin/python3)."""

import argparse
import importlib
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

FAMILIES = ["bg_family", "pareto_nbd", "bgbb", "sbg", "gamma_gamma"]


def _run(task):
    out = task()
    return out if isinstance(out, list) else [out]


def generate(family, jobs, quick=False):
    module = importlib.import_module(family)
    records, tasks = [], []
    for item in module.cases(quick=quick):
        (records.append if isinstance(item, dict) else tasks.append)(item)
    if tasks:
        if jobs > 1:
            with multiprocessing.Pool(jobs) as pool:
                for out in pool.imap_unordered(_run, tasks, chunksize=4):
                    records.extend(out)
        else:
            for task in tasks:
                records.extend(_run(task))
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("families", nargs="*", default=FAMILIES)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--quick", action="store_true",
                    help="only the quick subset, printed as a summary, cache left alone")
    args = ap.parse_args()
    for family in args.families:
        start = time.monotonic()
        records = generate(family, args.jobs, args.quick)
        took = time.monotonic() - start
        if args.quick:
            print(f"{family}: {len(records)} quick points in {took:.1f} s (cache not written)")
            continue
        path = common.write_cache(family, records)
        print(f"{family}: {len(records)} points in {took:.1f} s -> {path} "
              f"({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
