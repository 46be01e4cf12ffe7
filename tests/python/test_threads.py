# SPDX-License-Identifier: Apache-2.0
"""The process-wide thread setting and pool from Python (issue 8, "Threads"): ltv.set_threads /
ltv.get_threads, the automatic default under taskset, no thread creation per batch call, and
bit-identical results across thread counts."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import ltv

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, section 5


@pytest.fixture
def restore_default():
    yield
    ltv.set_threads(0)


@pytest.fixture(scope="module")
def big():
    data = np.loadtxt(ROOT / "tests" / "data" / "cdnow_customers_summary.csv", delimiter=",",
                      skiprows=1)
    # CDNOW × 10 = 23 570 rows: above the 20 000 rows from which batches use the pool.
    return tuple(np.ascontiguousarray(np.tile(data[:, k], 10)) for k in (1, 2, 3))


def test_set_and_get_threads(restore_default):
    ltv.set_threads(3)
    assert ltv.get_threads() == 3
    ltv.set_threads(1)
    assert ltv.get_threads() == 1
    ltv.set_threads(100000)
    assert ltv.get_threads() == 256  # capped at the library's maximum
    ltv.set_threads(0)
    automatic = ltv.get_threads()
    assert 1 <= automatic <= len(os.sched_getaffinity(0))


def test_set_threads_refuses_bad_values(restore_default):
    ltv.set_threads(2)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'threads' = -1 must be ≥ 0"):
        ltv.set_threads(-1)
    with pytest.raises(ltv.InvalidArgumentError, match=r"'threads' = 4294967297"):
        ltv.set_threads(2**32 + 1)  # would wrap to 1 in a C int
    with pytest.raises(TypeError):
        ltv.set_threads(1.5)
    assert ltv.get_threads() == 2  # unchanged


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_taskset_one_cpu_gives_one_default_thread():
    # Issue 8: with hardware_concurrency() a process pinned by `taskset -c 0` used every core.
    cpu = min(os.sched_getaffinity(0))
    code = "import ltv; print(ltv.get_threads())"
    out = subprocess.run(["taskset", "-c", str(cpu), sys.executable, "-c", code],
                         capture_output=True, text=True, env=os.environ.copy(), check=True)
    assert out.stdout.strip() == "1"
    # The same interpreter without taskset sees every CPU of its affinity mask (or its quota).
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), check=True)
    assert 1 <= int(out.stdout) <= len(os.sched_getaffinity(0))


def test_no_thread_creation_per_batch_call(big):
    x, tx, T = big
    m = ltv.BetaGeo(params=PARAMS, threads=4)
    first = m.p_alive(x, tx, T)  # creates the pool's workers if they are not there yet
    # A sampler lists /proc/self/task while 100 batch calls run (ctypes releases the GIL): with
    # threads started per call it would see thread ids that were not there before.
    seen, stop, started = set(), threading.Event(), threading.Event()

    def sample():
        started.set()
        while not stop.is_set():
            seen.update(os.listdir("/proc/self/task"))

    sampler = threading.Thread(target=sample)
    sampler.start()
    started.wait()
    before = set(os.listdir("/proc/self/task"))
    assert len(before) >= 1 + 1 + 3  # this thread, the sampler, the pool's 3 workers
    for _ in range(100):
        out = m.p_alive(x, tx, T)
    after = set(os.listdir("/proc/self/task"))
    stop.set()
    sampler.join()
    assert after == before
    assert seen <= before, sorted(seen - before)
    assert np.array_equal(out, first)


def test_results_identical_for_1_2_3_8_threads(big, restore_default):
    x, tx, T = big
    gg = ltv.GammaGamma(params={"p": 6.25, "q": 3.74, "gamma": 15.44})  # Fader & Hardie 2013
    z = np.where(x > 0, 20.0 + np.arange(x.size) % 17, 0.0)

    def run(threads):
        m = ltv.BetaGeo(params=PARAMS, threads=threads)
        p = ltv.ParetoNBD(params={"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
                          threads=threads)
        return np.concatenate([
            m.p_alive(x, tx, T),
            m.expected_purchases(10, x, tx, T),
            p.p_alive(x, tx, T),
            ltv.customer_lifetime_value(m, gg, x, tx, T, z, period_length=4.345),
        ])

    one = run(1)
    for threads in (2, 3, 8):
        assert np.array_equal(run(threads), one), threads  # bit for bit
    ltv.set_threads(5)  # models with threads=0 follow the process default
    assert np.array_equal(run(0), one)
