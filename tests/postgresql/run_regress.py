# SPDX-License-Identifier: Apache-2.0
"""ctest postgresql.regress: the extension's pg_regress tests against a private cluster.

    run_regress.py --extension-dir BUILD/bindings/postgresql --source-dir bindings/postgresql \
                   --output-dir BUILD/tests/postgresql-regress

Starts a private cluster (pgcluster.py) with the built extension installed in its private tree,
runs PostgreSQL's pg_regress (pgxs's copy) with --use-existing on the tests named in the
extension's Makefile (REGRESS), inputs from --source-dir (sql/, expected/), outputs and
regression.diffs in --output-dir. Prints a closing line `postgresql: regress: …` (scripts/test)."""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pgcluster import PgCluster, pg_config, stop_on_signals  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def regress_tests(source_dir):
    """The REGRESS list of the extension's Makefile (one source of the test order)."""
    text = (source_dir / "Makefile").read_text()
    m = re.search(r"^REGRESS\s*=\s*(.+)$", text, re.M)
    if not m:
        raise SystemExit(f"postgresql: regress: no REGRESS line in {source_dir / 'Makefile'}")
    return m.group(1).split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--extension-dir", required=True, type=Path)
    ap.add_argument("--source-dir", default=ROOT / "bindings" / "postgresql", type=Path)
    ap.add_argument("--output-dir", required=True, type=Path)
    ap.add_argument("--pg-config", default="pg_config")
    ap.add_argument("tests", nargs="*", help="tests to run (default: the Makefile's REGRESS)")
    args = ap.parse_args()
    stop_on_signals()

    tests = args.tests or regress_tests(args.source_dir)
    pkglibdir = Path(pg_config("--pkglibdir", args.pg_config))
    pg_regress = pkglibdir / "pgxs" / "src" / "test" / "regress" / "pg_regress"
    if not pg_regress.exists():
        raise SystemExit(f"postgresql: regress: {pg_regress} is missing; install "
                         "postgresql-server-dev-15 (scripts/setup)")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    data = {"LTV_CDNOW_SUMMARY": ROOT / "tests" / "data" / "cdnow_customers_summary.csv",
            "LTV_CDNOW_SPEND": ROOT / "tests" / "data" /
            "cdnow_customers_summary_with_transactions.csv"}
    start = time.monotonic()
    with PgCluster(args.extension_dir, args.pg_config) as pg:
        pg.check_readable(data.values())  # the server reads them (COPY FROM a file)
        pg.psql("-c", "CREATE DATABASE ltv_regress")  # --use-existing: pg_regress creates none
        env = pg.env
        env.update({k: str(v) for k, v in data.items()})
        cmd = [str(pg_regress), "--use-existing", "--host=127.0.0.1", f"--port={pg.port}",
               "--user=postgres", "--dbname=ltv_regress",
               f"--bindir={pg_config('--bindir', args.pg_config)}",
               f"--inputdir={args.source_dir}", f"--outputdir={args.output_dir}", *tests]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        diffs = args.output_dir / "regression.diffs"
        if r.returncode != 0 and diffs.exists():
            sys.stdout.write(diffs.read_text()[:20000])
        if r.returncode != 0:
            sys.stdout.write("---- server log (tail) ----\n" + pg.log()[-4000:])
    version = pg_config("--version", args.pg_config)
    seconds = time.monotonic() - start
    failed = len(re.findall(r"\bFAILED\b", r.stdout))
    if r.returncode == 0:
        print(f"postgresql: regress: {len(tests)} of {len(tests)} pg_regress tests passed "
              f"({version}, {seconds:.1f} s)")
    else:
        print(f"postgresql: regress: {failed or '?'} of {len(tests)} pg_regress tests failed "
              f"({version}; diffs in {args.output_dir / 'regression.diffs'})")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
