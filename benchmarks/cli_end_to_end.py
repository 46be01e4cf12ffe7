#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end timing of `ltv summarize` against pandas on the 1 M-row benchmark log (issue 10).

The log is the one of benchmarks/bench_transactions.cpp: examples/data/CDNOW_master.txt
replicated with distinct customer ids (replica r turns id 00001 into 00001-r) up to 1 000 000
rows, written as customer_id,date,amount with ISO dates and amounts as %.2f (337 947 customers).

Timed, alternately, in the same conditions:
  ltv      `ltv summarize LOG --observation-end 1998-06-30 -o OUT` as a process (start, read,
           summary, CSV written), wall-clock;
  pandas   read_csv + groupby computing frequency, recency, T and monetary_value as
           docs/summaries.md defines them (occasions = customer-days, weeks, the same
           observation end), in this Python process, without writing (the reference of the
           issue); also reported with to_csv of the result.
The pandas result is checked against ltv's output first (same customers and values), so the two
compute the same thing. Prints the medians, the ratio and the machine's load.

Usage: /usr/bin/python3 benchmarks/cli_end_to_end.py [--ltv build/bin/ltv] [--runs 7]
       [--baseline OTHER_LTV] [--one-cpu] [--benchmarks build/bin/ltv_benchmarks] [--keep DIR]
       [--wait-idle SECONDS]
Needs numpy and pandas (Debian's python3-pandas).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = 1_000_000
OBSERVATION_END = "1998-06-30"


def write_log(path):
    """The benchmark log of bench_transactions.cpp, byte for byte."""
    records = []
    with open(os.path.join(ROOT, "examples", "data", "CDNOW_master.txt")) as f:
        next(f)  # header
        for line in f:
            fields = line.split()
            if not fields:
                continue
            day = fields[1]
            records.append((fields[0], f"{day[:4]}-{day[4:6]}-{day[6:]}", float(fields[3])))
    out = ["customer_id,date,amount\n"]
    replica = 0
    while len(out) <= ROWS:
        for customer, day, amount in records:
            if len(out) > ROWS:
                break
            out.append(f"{customer}-{replica},{day},{amount:.2f}\n")
        replica += 1
    with open(path, "w") as f:
        f.write("".join(out))


def pandas_summary(path, pd, np):
    """frequency, recency, T, monetary_value per customer (weeks), indexed by customer_id."""
    t = pd.read_csv(path, dtype={"customer_id": str, "date": str, "amount": np.float64})
    day = pd.to_datetime(t["date"], format="%Y-%m-%d")
    end = pd.Timestamp(OBSERVATION_END)
    t = pd.DataFrame({"customer_id": t["customer_id"], "date": day, "amount": t["amount"]})
    t = t[t["date"] <= end]
    # Occasions: one per customer and day, worth the day's total.
    occasions = t.groupby(["customer_id", "date"], sort=True)["amount"].sum().reset_index()
    g = occasions.groupby("customer_id", sort=False)
    first, last = g["date"].first(), g["date"].last()
    frequency = g.size() - 1
    first_value = g["amount"].first()
    total = g["amount"].sum()
    monetary = ((total - first_value) / frequency.where(frequency > 0, 1)).where(frequency > 0, 0.0)
    return pd.DataFrame({
        "frequency": frequency,
        "recency": (last - first).dt.days / 7.0,
        "T": (end - first).dt.days / 7.0,
        "monetary_value": monetary,
    })


def check_same(ltv_csv, ours, pd, np):
    theirs = pd.read_csv(ltv_csv, dtype={"customer_id": str}).set_index("customer_id")
    ours = ours.loc[theirs.index]
    if len(theirs) != len(ours):
        sys.exit(f"different customers: ltv {len(theirs)}, pandas {len(ours)}")
    assert (theirs["frequency"].values == ours["frequency"].values).all(), "frequency differs"
    for column, tol in (("recency", 1e-12), ("T", 1e-12), ("monetary_value", 1e-9)):
        d = np.abs(theirs[column].values - ours[column].values).max()
        if d > tol * max(1.0, np.abs(ours[column].values).max()):
            sys.exit(f"{column} differs by up to {d}")
    return len(theirs)


def idle_fraction(seconds):
    """Share of CPU time idle over the next `seconds` (Linux /proc/stat)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return (i1 - i0) / max(1, t1 - t0)


def wait_until_idle(limit):
    """On a shared machine: waits (at most `limit` seconds) until the CPUs are >= 90 % idle over
    0.3 s; returns whether they were."""
    deadline = time.monotonic() + limit
    while True:
        if idle_fraction(0.3) >= 0.9:
            return True
        if time.monotonic() > deadline:
            return False


def run_ltv(ltv, log, out, one_cpu=False):
    """Wall-clock seconds of one `ltv summarize`; one_cpu: pinned to one CPU (ltv then uses no
    second thread: its default thread count is the CPUs it may use)."""
    pin = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_cpu else None
    start = time.perf_counter()
    subprocess.run([ltv, "summarize", log, "--observation-end", OBSERVATION_END, "-o", out],
                   check=True, preexec_fn=pin)
    return time.perf_counter() - start


def in_process_medians(benchmarks):
    """Medians (ms, real time) of BM_summarize and BM_summarize_two_threads."""
    r = subprocess.run([benchmarks, "--benchmark_filter=^BM_summarize(_two_threads)?(/|$)",
                        "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
                        "--benchmark_format=csv"], check=True, capture_output=True, text=True)
    medians = {}
    for line in r.stdout.splitlines():
        fields = line.split(",")
        name = fields[0].strip('"')
        if name.endswith("_median"):
            real = float(fields[2])  # real time, in fields[4]'s unit
            medians[name[:-len("_median")].split("/")[0]] = real / 1e6 if fields[4] == "ns" else real
    return medians


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ltv", default=os.path.join(ROOT, "build", "bin", "ltv"))
    ap.add_argument("--baseline", help="another ltv binary timed alternately (before/after)")
    ap.add_argument("--benchmarks", help="ltv_benchmarks binary: also report BM_summarize")
    ap.add_argument("--one-cpu", action="store_true",
                    help="also time ltv (and the baseline) pinned to one CPU")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before each timed run wait up to SECONDS for idle CPUs (shared machines)")
    ap.add_argument("--keep", help="directory for the log and outputs (default: a temp dir)")
    args = ap.parse_args()
    import numpy as np
    import pandas as pd

    workdir = args.keep or tempfile.mkdtemp(prefix="ltv_cli_bench_")
    os.makedirs(workdir, exist_ok=True)
    log = os.path.join(workdir, "orders.csv")
    if not os.path.exists(log):
        write_log(log)
    out = os.path.join(workdir, "summary.csv")

    # Warm-up (page cache, pandas imports) and the equivalence check.
    run_ltv(args.ltv, log, out)
    customers = check_same(out, pandas_summary(log, pd, np), pd, np)

    times = {"ltv": [], "baseline": [], "ltv 1 CPU": [], "baseline 1 CPU": [], "pandas": [],
             "pandas+to_csv": []}
    quiet = busy = 0

    def settle():
        nonlocal quiet, busy
        if args.wait_idle > 0:
            if wait_until_idle(args.wait_idle):
                quiet += 1
            else:
                busy += 1

    for _ in range(args.runs):
        settle()
        times["ltv"].append(run_ltv(args.ltv, log, out))
        if args.one_cpu:
            settle()
            times["ltv 1 CPU"].append(run_ltv(args.ltv, log, out, one_cpu=True))
        if args.baseline:
            settle()
            times["baseline"].append(run_ltv(args.baseline, log, out + ".baseline"))
            if args.one_cpu:
                settle()
                times["baseline 1 CPU"].append(run_ltv(args.baseline, log, out + ".baseline", True))
        settle()
        start = time.perf_counter()
        s = pandas_summary(log, pd, np)
        times["pandas"].append(time.perf_counter() - start)
        s.to_csv(os.path.join(workdir, "pandas.csv"))
        times["pandas+to_csv"].append(time.perf_counter() - start)

    med = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"log: {log} ({os.path.getsize(log)} bytes, {ROWS} rows, {customers} customers)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          f"(after the runs), pandas {pd.__version__}, numpy {np.__version__}")
    if args.wait_idle > 0:
        print(f"runs started on idle CPUs: {quiet} of {quiet + busy}")
    print(f"medians of {args.runs} alternating runs:")
    if args.benchmarks:
        for name, ms in in_process_medians(args.benchmarks).items():
            print(f"  in-process {name:31} {ms:8.1f} ms")
    print(f"  ltv summarize, end to end                  {med['ltv'] * 1000:8.1f} ms")
    if "ltv 1 CPU" in med:
        print(f"  ltv summarize pinned to one CPU            {med['ltv 1 CPU'] * 1000:8.1f} ms")
    if "baseline" in med:
        print(f"  baseline ltv summarize, end to end         {med['baseline'] * 1000:8.1f} ms")
    if "baseline 1 CPU" in med:
        print(f"  baseline pinned to one CPU                 {med['baseline 1 CPU'] * 1000:8.1f} ms")
    print(f"  pandas read_csv + groupby                  {med['pandas'] * 1000:8.1f} ms")
    print(f"  pandas read_csv + groupby + to_csv         {med['pandas+to_csv'] * 1000:8.1f} ms")
    print(f"ratio pandas / ltv summarize: {med['pandas'] / med['ltv']:.1f}x "
          f"({med['pandas+to_csv'] / med['ltv']:.1f}x with pandas' to_csv)")
    if "baseline" in med:
        print(f"ratio pandas / baseline: {med['pandas'] / med['baseline']:.1f}x")


if __name__ == "__main__":
    main()
