# SPDX-License-Identifier: Apache-2.0
"""ctest postgresql.recipe: the SQL recipe (bindings/postgresql/recipe) equals `ltv summarize`.

    test_recipe.py --ltv BUILD/bin/ltv [--extension-dir BUILD/bindings/postgresql]

Loads CDNOW_master (examples/data, 23 570 customers, 69 659 orders) into a private cluster
(pgcluster.py) as ltv_orders, runs the recipe files, and compares with the ltv CLI on the same
file: the summary at 1997-09-30 in weeks and the whole log in days (x, t_x, T exactly,
monetary_value to 1e-12 relative), the calibration/holdout split (1997-09-30 / 1998-06-30,
weeks), and the weighted patterns (distinct (x, t_x, T) with their counts). With the extension,
BG/NBD fitted on the patterns in SQL equals `ltv fit --transactions` (1e-8 relative). Prints a
closing line `postgresql: recipe: …` (scripts/test)."""

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pgcluster import PgCluster, stop_on_signals  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "bindings" / "postgresql" / "recipe"
CDNOW = ROOT / "examples" / "data" / "CDNOW_master.txt"
MONETARY_RTOL = 1e-12  # the recipe sums numeric amounts exactly; ltv sums doubles in date order

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message)


def cdnow_orders_csv():
    """CDNOW_master (whitespace-separated, header, CRLF) as CSV rows for COPY."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    lines = CDNOW.read_text().splitlines()
    header = lines[0].split()
    assert header == ["customer_id", "date", "number_of_cds", "dollar_value"], header
    for line in lines[1:]:
        if line.strip():
            cid, date, _, amount = line.split()
            w.writerow([cid, f"{date[:4]}-{date[4:6]}-{date[6:]}", amount])
    return out.getvalue(), len(lines) - 1


def cli_summary(ltv, *args):
    out = subprocess.run([str(ltv), "summarize", str(CDNOW), "--amount", "dollar_value", *args],
                         check=True, capture_output=True, text=True).stdout
    return {row["customer_id"]: row for row in csv.DictReader(io.StringIO(out))}


def sql_rows(pg, query):
    out = pg.psql("-c", f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)")
    return {row["customer_id"]: row for row in csv.DictReader(io.StringIO(out))}


def compare(name, cli, sql, exact, close):
    check(set(cli) == set(sql), f"{name}: customers differ: {len(cli)} from ltv, {len(sql)} from "
          f"SQL ({sorted(set(cli) ^ set(sql))[:5]} …)")
    worst = 0.0
    bad = 0
    for cid in sorted(set(cli) & set(sql)):
        a, b = cli[cid], sql[cid]
        for col in exact:
            if float(a[col]) != float(b[col]):
                bad += 1
                if bad <= 5:
                    check(False, f"{name}: customer {cid}: {col} = {b[col]} in SQL, "
                          f"{a[col]} from ltv")
        for col in close:
            x, y = float(a[col]), float(b[col])
            rel = abs(x - y) / abs(x) if x else abs(y)
            worst = max(worst, rel)
            if rel > MONETARY_RTOL:
                bad += 1
                if bad <= 5:
                    check(False, f"{name}: customer {cid}: {col} = {y!r} in SQL, {x!r} from ltv "
                          f"(relative difference {rel:.2e} > {MONETARY_RTOL:g})")
    check(bad == 0, f"{name}: {bad} values differ")
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ltv", required=True, help="the ltv CLI of this build")
    ap.add_argument("--extension-dir", help="the built extension: also fit on the patterns")
    ap.add_argument("--pg-config", default="pg_config")
    args = ap.parse_args()
    stop_on_signals()
    start = time.monotonic()
    orders, n_orders = cdnow_orders_csv()

    with PgCluster(args.extension_dir, args.pg_config) as pg:
        pg.psql("-c", "CREATE TABLE ltv_orders (customer_id text, order_date date, "
                "amount numeric)")
        pg.psql("-c", "\\copy ltv_orders FROM STDIN (FORMAT csv)", input=orders)
        for f in ("summary.sql", "patterns.sql"):
            pg.psql("-f", str(RECIPE / f))

        # 1. the summary at the end of FHL's calibration period, in weeks; 2. the whole log in days
        cases = [("summary 1997-09-30 weeks", ["--observation-end", "1997-09-30", "--time-unit",
                                               "week"], "'1997-09-30', 7"),
                 ("summary whole log days", [], "NULL, 1")]
        worst = 0.0
        customers = 0
        for name, cli_args, sql_args in cases:
            cli = cli_summary(args.ltv, *cli_args)
            sql = sql_rows(pg, f"SELECT * FROM ltv_customer_summary({sql_args})")
            customers = max(customers, len(cli))
            worst = max(worst, compare(name, cli, sql, ["frequency", "recency", "T"],
                                       ["monetary_value"]))

        # 3. calibration/holdout
        cli = cli_summary(args.ltv, "--calibration-end", "1997-09-30", "--observation-end",
                          "1998-06-30", "--time-unit", "week")
        sql = sql_rows(pg, "SELECT * FROM ltv_calibration_holdout('1997-09-30', '1998-06-30', 7)")
        worst = max(worst, compare("calibration/holdout", cli, sql,
                                   ["frequency", "recency", "T", "frequency_holdout",
                                    "duration_holdout"],
                                   ["monetary_value", "monetary_value_holdout"]))
        r = pg.psql("-c", "SELECT * FROM ltv_calibration_holdout('1998-07-01', '1998-06-30', 7)",
                    check=False)
        check(r.returncode != 0 and "22023" in pg.psql(
            "-c", "\\set VERBOSITY verbose", "-c",
            "SELECT * FROM ltv_calibration_holdout('1998-07-01', '1998-06-30', 7)",
            check=False).stderr,
            "a calibration end after the observation end is an error (22023)")

        # 4. the patterns: distinct (x, t_x, T) of ltv's summary with their counts
        cli = cli_summary(args.ltv, "--observation-end", "1997-09-30", "--time-unit", "week")
        want = Counter((float(r["frequency"]), float(r["recency"]), float(r["T"]))
                       for r in cli.values())
        out = pg.psql("-c", "COPY (SELECT * FROM ltv_rfm_patterns('1997-09-30', 7)) TO STDOUT "
                      "(FORMAT csv)")
        got = Counter()
        for x, t_x, T, n in csv.reader(io.StringIO(out)):
            got[(float(x), float(t_x), float(T))] += int(float(n))
        check(got == want, f"patterns: {len(got)} in SQL, {len(want)} from ltv, "
              f"{sum((got - want).values()) + sum((want - got).values())} customers differ")
        n_patterns = len(got)

        # 5. with the extension: BG/NBD on the patterns in SQL = `ltv fit --transactions`
        fit_note = ""
        if args.extension_dir:
            pg.psql("-c", "CREATE EXTENSION ltv")
            sql_model = json.loads(pg.psql(
                "-At", "-c", "SELECT ltv_fit('bgnbd', x, t_x, \"T\", n) "
                "FROM ltv_rfm_patterns('1997-09-30', 7)"))
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "m.json"
                subprocess.run([str(args.ltv), "fit", "--model", "bgnbd", "--transactions",
                                str(CDNOW), "--amount", "dollar_value", "--observation-end",
                                "1997-09-30", "--unit", "week", "-o", str(path)],
                               check=True, capture_output=True, text=True)
                cli_model = json.loads(path.read_text())
            for k, v in cli_model["params"].items():
                rel = abs(sql_model["params"][k] / v - 1)
                check(rel <= 1e-8, f"fit: {k} = {sql_model['params'][k]!r} in SQL, {v!r} from "
                      f"ltv fit --transactions (relative {rel:.1e})")
            fit_note = ", BG/NBD fit on them = ltv fit --transactions"

            # 6. examples/postgresql: schema, then the nightly refresh twice (idempotent)
            example = ROOT / "examples" / "postgresql"
            pg.psql("-c", "CREATE DATABASE shop")
            pg.psql("-c", "CREATE EXTENSION ltv", database="shop")
            pg.psql("-c", "CREATE TABLE erp_orders (order_id bigserial PRIMARY KEY, customer_no "
                    "text NOT NULL, ordered_at timestamptz NOT NULL, net_amount numeric(12, 2) "
                    "NOT NULL, status text NOT NULL DEFAULT 'invoiced')", database="shop")
            pg.psql("-c", "\\copy erp_orders (customer_no, ordered_at, net_amount) FROM STDIN "
                    "(FORMAT csv)", database="shop", input="".join(
                        f"{c},{d} 12:00 Europe/Berlin,{a}\n" for c, d, a in
                        csv.reader(io.StringIO(orders))))
            for f in (example / "schema.sql", RECIPE / "summary.sql", RECIPE / "patterns.sql",
                      example / "schema.sql", example / "refresh.sql"):
                pg.psql("-f", str(f), database="shop")
            query = "SELECT customer_id, p_alive, clv_12 FROM customer_scores ORDER BY 1"
            first = pg.psql("-At", "-c", query, database="shop")
            pg.psql("-f", str(example / "refresh.sql"), database="shop")
            second = pg.psql("-At", "-c", query, database="shop")
            check(first == second, "example: a second refresh changed the scores")
            check(len(first.split()) == customers,
                  f"example: {len(first.split())} customers scored, {customers} expected")
            fit_note += ", the example's refresh (twice)"

    seconds = time.monotonic() - start
    if failures:
        print(f"postgresql: recipe: {len(failures)} checks failed")
        return 1
    print(f"postgresql: recipe: {customers} customers from {n_orders} orders equal to ltv "
          f"summarize (x, t_x, T exact, monetary within {worst:.1e} relative), calibration/"
          f"holdout, {n_patterns} patterns{fit_note} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
