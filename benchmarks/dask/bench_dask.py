#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ltv.dask end to end on a 10 M-row log and a 2-worker LocalCluster (issue 13).

The log is tests/python/simulated_log.py's BG/NBD population: ``--partitions`` blocks of
``--rows / --partitions`` rows (integer ids, 4 years of dates, amounts), each made on a worker
(nothing travels from the driver). The cluster: ``--workers`` worker processes of one thread
each, started with ltv.dask.worker_environment(). Each run restarts the workers (so their peak
RSS is the run's), then times, wall-clock:

  generate    the log's blocks made and counted, nothing kept (the cost inside every stage below
              that reads the log; with a log on disk it is the read instead)
  last_date   ltv.dask.last_date(log): the global observation_end, one pass over the dates
  summarize   ltv.dask.summarize(log, observation_end=...).persist(): every block made and
              summarised, the summaries kept on the workers
  fit BG/NBD  ltv.dask.fit(ltv.BetaGeo(), summary): patterns (with the partitioning check) and
              the weighted fit in the driver
  fit GG      ltv.dask.fit(ltv.GammaGamma(), summary): spend patterns and the weighted fit
  score       ltv.dask.score(bgnbd, summary, t=90, spend_model=gg) persisted on the workers:
              p_alive, expected purchases, expected spend and CLV of every customer

and reads each worker's peak RSS (VmHWM of /proc/self/status, reset at the start of the run:
getrusage's ru_maxrss of a restarted worker is inherited) after every stage, and its RSS at the
start of the run. For comparison, once, the single-machine path in a fresh process: the same log
generated in one pandas DataFrame and summarised by one ``ltv.summarize`` (time and peak RSS,
VmHWM: a new process image starts its own).

Prints every run and the medians. Usage:
  /usr/bin/python3 benchmarks/dask/bench_dask.py [--rows 10000000] [--partitions 20]
      [--workers 2] [--runs 3] [--no-single]
with LTV_LIBRARY (and PYTHONPATH=bindings/python from the source tree) set as for the tests.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

import simulated_log  # noqa: E402

STAGES = ("generate", "last_date", "summarize", "fit BG/NBD", "fit GG", "score")


def _rss():
    """(current RSS, peak RSS) of this process in MiB (a worker's: through client.run), from
    /proc/self/status (VmRSS, VmHWM)."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, kib = line.split()[:2]
                values[name] = int(kib) / 1024
    return values["VmRSS:"], values["VmHWM:"]


def _reset_peak():
    """Resets this process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5). A
    restarted worker's getrusage() peak is not its own (it is kept across fork and exec)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def one_run(client, rows, partitions):
    """Times of the stages (s) and the workers' (start RSS, peak RSS) in MiB."""
    import distributed
    import ltv
    import ltv.dask

    client.restart()
    client.run(_reset_peak)
    start_rss = {w: v[0] for w, v in client.run(_rss).items()}
    log = simulated_log.dask_log(partitions, rows // partitions)
    times, stage_peaks = {}, {}

    def peak_after(stage):
        stage_peaks[stage] = max(v[1] for v in client.run(_rss).values())

    t = time.perf_counter()
    counted = len(log)  # every block made and counted
    times["generate"] = time.perf_counter() - t
    assert counted == rows, counted
    peak_after("generate")

    t = time.perf_counter()
    end = ltv.dask.last_date(log)
    times["last_date"] = time.perf_counter() - t
    peak_after("last_date")

    t = time.perf_counter()
    summary = ltv.dask.summarize(log, observation_end=end).persist()
    distributed.wait(summary)
    times["summarize"] = time.perf_counter() - t
    peak_after("summarize")

    t = time.perf_counter()
    bgnbd = ltv.dask.fit(ltv.BetaGeo(), summary)
    times["fit BG/NBD"] = time.perf_counter() - t
    peak_after("fit BG/NBD")

    t = time.perf_counter()
    gg = ltv.dask.fit(ltv.GammaGamma(), summary)
    times["fit GG"] = time.perf_counter() - t
    peak_after("fit GG")

    t = time.perf_counter()
    scores = ltv.dask.score(bgnbd, summary, t=90, spend_model=gg).persist()
    distributed.wait(scores)
    times["score"] = time.perf_counter() - t

    peak = {w: v[1] for w, v in client.run(_rss).items()}  # before anything else runs
    stage_peaks["score"] = max(peak.values())
    customers = len(summary)
    patterns = len(ltv.dask.patterns(summary, check=False))
    info = {"customers": customers, "patterns": patterns, "end": end,
            "bgnbd": bgnbd.params, "gg": gg.params, "stage_peaks": stage_peaks}
    del scores, summary
    return times, {w: (start_rss[w], peak[w]) for w in peak}, info


SINGLE = """
import sys, time
sys.path[:0] = {paths!r}
import simulated_log, ltv
t = time.perf_counter()
log = simulated_log.whole_log({partitions}, {rows_per_partition})
generated = time.perf_counter() - t
t = time.perf_counter()
summary = ltv.summarize(log.customer_id, log.date, log.amount)
summarized = time.perf_counter() - t
peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(generated, summarized, len(summary), peak / 1024)
"""


def single_machine(rows, partitions):
    """(generate s, summarize s, customers, peak RSS MiB) of one process on the whole log."""
    code = SINGLE.format(paths=[os.path.join(ROOT, "tests", "python"),
                                os.path.join(ROOT, "bindings", "python")],
                         partitions=partitions, rows_per_partition=rows // partitions)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), float(out[3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-single", action="store_true",
                        help="skip the single-machine comparison")
    args = parser.parse_args()

    import distributed
    import ltv
    import ltv.dask

    print(f"ltv {ltv.__version__} ({ltv._library.path}); distributed {distributed.__version__}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"log: {args.rows:,} rows in {args.partitions} partitions of "
          f"{args.rows // args.partitions:,} rows; {args.workers} worker processes × 1 thread")
    block = simulated_log.block(0, args.rows // args.partitions)
    print(f"one partition in pandas: {block.memory_usage(deep=True).sum() / 2**20:.1f} MiB; "
          f"the whole log: ~{block.memory_usage(deep=True).sum() / 2**20 * args.partitions:.0f}"
          " MiB")
    del block

    all_times = {s: [] for s in STAGES}
    peaks, starts = [], []
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None,
                                  env=ltv.dask.worker_environment()) as cluster, \
            distributed.Client(cluster) as client:
        for run in range(args.runs):
            times, memory, info = one_run(client, args.rows, args.partitions)
            for s in STAGES:
                all_times[s].append(times[s])
            starts.append(max(v[0] for v in memory.values()))
            peaks.append(max(v[1] for v in memory.values()))
            total = sum(times.values())
            print(f"run {run + 1}: " + ", ".join(f"{s} {times[s]:.2f} s" for s in STAGES)
                  + f"; total {total:.1f} s")
            print("  workers' RSS at start / peak (MiB): "
                  + ", ".join(f"{v[0]:.0f} / {v[1]:.0f}" for v in memory.values()))
            print("  largest worker peak RSS after each stage (MiB): " + ", ".join(
                f"{s} {info['stage_peaks'][s]:.0f}" for s in STAGES))
            print(f"  {info['customers']:,} customers, {info['patterns']:,} (x, t_x, T) "
                  f"patterns, observation_end {info['end']}")
    print("medians of", args.runs, "runs:")
    for s in STAGES:
        print(f"  {s:<11} {statistics.median(all_times[s]):7.2f} s")
    totals = [sum(all_times[s][i] for s in STAGES) for i in range(args.runs)]
    net = [all_times["summarize"][i] - all_times["generate"][i] for i in range(args.runs)]
    print(f"  total       {statistics.median(totals):7.2f} s")
    print(f"  summarize without generation: {statistics.median(net):.2f} s "
          f"({args.rows / statistics.median(net) / 1e6:.2f} M rows/s on {args.workers} workers)")
    print(f"  largest worker peak RSS: {statistics.median(peaks):.0f} MiB "
          f"(at start {statistics.median(starts):.0f} MiB)")
    if not args.no_single:
        generated, summarized, customers, peak = single_machine(args.rows, args.partitions)
        print(f"single machine, one process: generate {generated:.2f} s, ltv.summarize "
              f"{summarized:.2f} s ({customers:,} customers), peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
