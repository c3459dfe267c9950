"""Benchmark: ``padan match`` against DuckDB's floor and against Splink alone, same files.

For each size (``--sizes``, default ``1m`` = 1 M DPT rows vs 2.8 M register rows, and
``provinsi`` = 3.39 M vs 9.5 M), synthetic Sulsel files from ``padan.synth.generate`` (made on
first use under ``--data``, then reused; ``1m-nama``: the 1 M files with every name made
distinct, see ``with_distinct_names``) are matched three ways, each in its own process so
that its peak memory (ru_maxrss) is its own:

* floor: DuckDB reads both CSVs, joins on NIK alone and writes the joined result as CSV;
* splink: Splink 5 alone on all rows, a sensible model a data team would write (name with
  term frequencies, birth date, sex, kecamatan, NIK; u by random sampling, EM on two blocking
  rules, best link per DPT row above 0.9; a register record's kecamatan is the DPT's most
  common one for its domicile code), writing what the floor writes: every DPT row with its
  link's NIK and e-KTP status, as CSV;
* padan: ``match_files`` end to end (read, tiers, Splink on the rest, write the result CSV).

Prints each time, ratios (targets: padan <= 3x floor, >= 10x faster than Splink alone at equal
or better F1), F1 against ground_truth.csv, and each peak memory (target < 12 GB at province
scale). ``--repeat N`` runs floor and padan N times, alternately, and reports medians (Splink
once, or in the first ``--splink-repeat`` rounds) and each padan run's ratio to the floor run
just before it. ``--splink-timeout S`` stops Splink alone after S seconds and reports its
time as a lower bound (at province scale it has never finished: stopped after 1 455 s on
29 Nov and 1 501 s on 5 Dec). Heavy: run under the shared lock.

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/bench_match.py --sizes 1m
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZES = {"1m": 1_000_000, "provinsi": None}  # None: the generator's province scale


def _q(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


# -- phases (run in a child process) ------------------------------------------------------
def phase_floor(data: Path, out: Path) -> None:
    from padan.engine import connect

    e = connect()
    # Input order is the table's rowid (insertion order is preserved): numbering the rows
    # with row_number() OVER (), as this floor did until 4 Dec 2026, runs the DPT's read on
    # one thread and made the floor about 1 s slower at 1 M.
    e.execute(
        f"CREATE TABLE d AS SELECT * FROM read_csv({_q(data / 'dpt.csv')}, all_varchar = true)"
    )
    e.execute(
        f"CREATE TABLE r AS SELECT * FROM read_csv({_q(data / 'registry.csv')}, all_varchar = true)"
    )
    e.copy_to(
        "SELECT d.*, r.NIK AS NIK_DUKCAPIL, r.STATUS_KTP_EL FROM d LEFT JOIN r ON r.NIK = d.NIK ORDER BY d.rowid",
        out,
        "csv",
    )


def phase_splink(data: Path, out: Path) -> None:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from padan.engine import connect

    e = connect()
    # Every date form of the files: the DPT writes 28 % of its dates DD|MM|YYYY (as Sidalih's
    # exports do). Until 5 Dec 2026 this read only DD-MM-YYYY and ISO, so those birth dates
    # were NULL, and Splink alone's F1 was 0.90-0.95 instead of 0.98 (its time unchanged).
    date = (
        "coalesce(try_strptime({c}, '%d-%m-%Y'), try_strptime({c}, '%d|%m|%Y'), "
        "try_strptime({c}, '%Y-%m-%d'))::DATE::VARCHAR"
    )
    # The DPT as read, every column: the result written at the end is every DPT row with its
    # link, as the floor's and padan's are (until 5 Dec 2026 this phase wrote only the links,
    # as Parquet, and was spared the result file the other two write: about 1.5 s at 1 M).
    e.execute(
        f"CREATE TABLE d AS SELECT * FROM read_csv({_q(data / 'dpt.csv')}, all_varchar = true)"
    )
    e.execute(
        "CREATE TABLE dpt AS SELECT rowid::VARCHAR AS unique_id, "
        f"upper(trim(NAMA)) AS nama, {date.format(c='TANGGAL_LAHIR')} AS tgl, "
        "upper(JENIS_KELAMIN) AS jk, upper(KECAMATAN) AS kec, NIK AS nik FROM d"
    )
    e.execute(
        f"CREATE TABLE reg AS SELECT NIK AS unique_id, upper(trim(NAMA_LGKP)) AS nama, "
        f"{date.format(c='TGL_LHR')} AS tgl, "
        "CASE WHEN upper(JENIS_KLMIN) IN ('L', 'LAKI-LAKI', '1') THEN 'L' ELSE 'P' END AS jk, "
        "NULL::VARCHAR AS kec, NIK AS nik, concat_ws('.', NO_PROP, NO_KAB, NO_KEC) AS dom, "
        "STATUS_KTP_EL AS status "
        f"FROM read_csv({_q(data / 'registry.csv')}, all_varchar = true)"
    )
    # the e-KTP status for the result, kept aside so that Splink is not given the column
    e.execute("CREATE TABLE st AS SELECT unique_id, status FROM reg")
    e.execute("ALTER TABLE reg DROP COLUMN status")
    # kecamatan of the register row, by name: for the record's domicile code (NO_PROP, NO_KAB,
    # NO_KEC), the most common kecamatan of the DPT rows whose NIK is a record with that code
    # (ties by name). Until 5 Dec 2026 it came from the NIK prefix (where the NIK was issued,
    # not where the person lives) and from any one DPT row with that prefix (row_number()
    # without an order): a different kecamatan for about half of the 8 810 prefixes from run
    # to run at 1 M (a prefix's DPT rows lie in up to 116 kecamatans), so Splink alone's
    # blocks, model, time (105-415 s) and F1 (0.976-0.980) changed with it. With the most
    # common kecamatan per prefix: 171-172 s, F1 0.9928; per domicile code, as here: F1 0.9961.
    # (the domicile code read with the records, not by a second read of the file; dropped
    # after, so that Splink is given the same columns)
    e.execute(
        "UPDATE reg SET kec = k.kec FROM (SELECT reg.dom, dpt.kec FROM dpt JOIN reg USING (nik) "
        "GROUP BY reg.dom, dpt.kec "
        "QUALIFY row_number() OVER (PARTITION BY reg.dom ORDER BY count(*) DESC, dpt.kec) = 1) k "
        "WHERE reg.dom = k.dom"
    )
    e.execute("ALTER TABLE reg DROP COLUMN dom")
    db = e.splink_db_api()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("nama", [0.95, 0.88]).configure(
                term_frequency_adjustments=True
            ),
            cl.LevenshteinAtThresholds("tgl", [1, 2]),
            cl.ExactMatch("jk"),
            cl.ExactMatch("kec"),
            cl.LevenshteinAtThresholds("nik", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("tgl", "kec"),
            block_on("nama", "kec"),
            block_on("nik"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(
        [
            db.register("dpt", dataset_display_name="a_dpt"),
            db.register("reg", dataset_display_name="b_reg"),
        ],
        settings,
        log_level=None,
    )
    linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.95)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("tgl", "kec"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nama", "kec"))
    pred = linker.inference.predict(threshold_match_probability=0.9, warning_mode="never")
    e.execute(
        f"CREATE TABLE best AS SELECT unique_id_l::BIGINT AS row_id, unique_id_r AS nik "
        f"FROM {pred.physical_name} "
        "QUALIFY row_number() OVER (PARTITION BY unique_id_l ORDER BY match_weight DESC) = 1"
    )
    e.copy_to(
        "SELECT d.*, b.nik AS NIK_DUKCAPIL, st.status AS STATUS_KTP_EL FROM d "
        "LEFT JOIN best b ON b.row_id = d.rowid LEFT JOIN st ON st.unique_id = b.nik "
        "ORDER BY d.rowid",
        out,
        "csv",
    )


def phase_padan(data: Path, out: Path) -> None:
    from padan.linkage import match_files

    match_files([data / "dpt.csv"], [data / "registry.csv"], out)


PHASES = {"floor": phase_floor, "splink": phase_splink, "padan": phase_padan}


# -- driver ---------------------------------------------------------------------------------
def run_phase(name: str, data: Path, out: Path, timeout: float | None = None) -> dict:
    """Run one phase in a child process; with ``timeout``, stop it after that many seconds
    and report the time as a lower bound (``timed_out``): Splink alone at province scale
    ran for more than 20 minutes and 18 GB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--phase", name, "--data", str(data), "--out", str(out)],
        stdout=subprocess.DEVNULL,
    )
    timed_out = False
    if timeout is None:
        _, status, usage = os.wait4(proc.pid, 0)
    else:  # polled, so that the child's own usage (its peak memory) is still read by wait4
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    secs = time.perf_counter() - t0
    r = {
        "seconds": round(secs, 1),
        "peak_gb": round(usage.ru_maxrss / 1024**2, 2),
        "ok": proc.returncode == 0,
    }
    return r | {"timed_out": True} if timed_out else r


def f1(data: Path, out: Path) -> dict:
    from padan.engine import connect

    e = connect()
    e.execute(
        f"CREATE TABLE t AS SELECT CAST(ROW AS BIGINT) AS row_id, nullif(NIK_BENAR, '') AS nik "
        f"FROM read_csv({_q(data / 'ground_truth.csv')}, all_varchar = true)"
    )
    src = (
        "SELECT row_number() OVER () - 1 AS row_id, nullif(NIK_DUKCAPIL, '') AS nik "
        f"FROM read_csv({_q(out)}, all_varchar = true)"
    )
    e.execute(f"CREATE TABLE o AS {src}")
    tp, links, should = e.one(
        "SELECT count(*) FILTER (WHERE o.nik = t.nik), count(o.nik), "
        "(SELECT count(nik) FROM t) FROM t LEFT JOIN o USING (row_id)"
    )
    p = tp / links if links else 1.0
    r = tp / should if should else 1.0
    return {
        "precision": round(p, 5),
        "recall": round(r, 5),
        "f1": round(2 * p * r / (p + r), 5) if p + r else 0.0,
    }


def ensure_data(root: Path, size: str) -> Path:
    d = root / size
    if (d / "ground_truth.csv").is_file():
        return d
    if size.endswith(NAMES_SUFFIX):
        with_distinct_names(ensure_data(root, size[: -len(NAMES_SUFFIX)]), d)
        return d
    from padan.synth import generate

    t0 = time.perf_counter()
    n = SIZES[size] if size in SIZES else int(size)
    if n is None:
        generate(d, seed=2020, scale="provinsi", snapshots=0)
    else:
        generate(d, seed=2020, voters=n, snapshots=0)
    print(f"[{size}] data generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return d


NAMES_SUFFIX = "-nama"
_SYLLABLES = ["BA", "DI", "KA", "LU", "MA", "NI", "PA", "RU", "SA", "TI", "WA", "YU", "GA", "HE", "JO", "CE", "NDA", "NGA", "RA", "SE"]


def with_distinct_names(src: Path, dst: Path) -> None:
    """``src``'s files with one more word in every name, made of three syllables from the
    person's true NIK (the same word for a voter and their register record, and for a voter
    without one from the row number): the generator draws names from pools (180 k distinct
    names among 3.8 M rows at 1 M), where a real register's full names are mostly distinct;
    here 2.5 M are. Size ``1m-nama``: the cost of padan's per-name work (normalisation, the
    name keys) at real diversity."""
    from padan.engine import connect

    dst.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    syl = "[" + ", ".join(f"'{x}'" for x in _SYLLABLES) + "]"

    def word(key: str) -> str:
        k = f"CAST(hash({key}) % 1000000 AS BIGINT)"
        return " || ".join(f"({syl})[1 + ({k} // {20**i}) % 20]" for i in range(3))

    e = connect()
    e.execute(
        f"CREATE TABLE g AS SELECT CAST(ROW AS BIGINT) AS r, NIK_BENAR FROM "
        f"read_csv({_q(src / 'ground_truth.csv')}, all_varchar = true)"
    )
    e.execute(
        f"CREATE TABLE d AS SELECT row_number() OVER () - 1 AS _r, * FROM "
        f"read_csv({_q(src / 'dpt.csv')}, all_varchar = true)"
    )
    cols = [c for (c,) in e.rows("SELECT column_name FROM (DESCRIBE d)")][1:]
    named = f"d.NAMA || ' ' || {word('coalesce(g.NIK_BENAR, d._r::VARCHAR)')}"
    sel = ", ".join(f"{named} AS NAMA" if c == "NAMA" else f'd."{c}"' for c in cols)
    e.copy_to(f"SELECT {sel} FROM d JOIN g ON g.r = d._r ORDER BY d._r", dst / "dpt.csv", "csv")
    e.execute(
        f"CREATE TABLE reg AS SELECT * FROM read_csv({_q(src / 'registry.csv')}, all_varchar = true)"
    )
    cols = [c for (c,) in e.rows("SELECT column_name FROM (DESCRIBE reg)")]
    named = f"NAMA_LGKP || ' ' || {word('NIK')}"
    sel = ", ".join(f"{named} AS NAMA_LGKP" if c == "NAMA_LGKP" else f'"{c}"' for c in cols)
    e.copy_to(f"SELECT {sel} FROM reg", dst / "registry.csv", "csv")
    (dst / "ground_truth.csv").write_bytes((src / "ground_truth.csv").read_bytes())
    print(f"[{dst.name}] data derived in {time.perf_counter() - t0:.0f} s", flush=True)


def _print_run_by_run(size: str, label: str, num: list[dict], den: list[dict]) -> None:
    """Each run of ``num`` against the run of ``den`` in the same round, when there are two
    or more rounds."""
    pairs = [round(n["seconds"] / d["seconds"], 2) for n, d in zip(num, den, strict=False)]
    if len(pairs) > 1:
        print(f"[{size}] {label} {pairs}, median {statistics.median(pairs):.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes",
        default="1m,provinsi",
        help="comma-separated: 1m, provinsi, or a voter count; with -nama (1m-nama), every "
        "name made distinct by one more word",
    )
    ap.add_argument("--data", type=Path, default=Path("/tmp/padan-bench-match"), help="data folder")
    ap.add_argument("--skip", default="", help="phases to skip, e.g. splink")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run floor and padan N times, alternately, and report medians (Splink once: "
        "it takes minutes); this machine's timings vary by 20 %% between runs",
    )
    ap.add_argument(
        "--splink-repeat",
        type=int,
        default=1,
        help="run Splink alone in the first N rounds (beside that round's floor and padan) "
        "and report its median (until 5 Dec 2026 one run took 105-415 s on the same files, "
        "as the register's kecamatans changed from run to run)",
    )
    ap.add_argument(
        "--splink-timeout",
        type=float,
        default=None,
        help="stop Splink alone after this many seconds and report its time as at least "
        "that (at province scale it ran for more than 20 minutes)",
    )
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        PHASES[a.phase](a.data, a.out)
        return
    skip = {s for s in a.skip.split(",") if s}
    results = {}
    for size in a.sizes.split(","):
        data = ensure_data(a.data, size)
        res: dict[str, dict] = {}
        runs: dict[str, list[dict]] = {}
        for k in range(max(a.repeat, a.splink_repeat, 1)):
            for name in PHASES:
                rounds = a.splink_repeat if name == "splink" else a.repeat
                if name in skip or k >= max(rounds, 1):
                    continue
                out = a.data / f"{size}-{name}.csv"
                r = run_phase(name, data, out, a.splink_timeout if name == "splink" else None)
                runs.setdefault(name, []).append(r)
                if k == 0 and r["ok"]:
                    r |= f1(data, out)
                print(f"[{size}] run {k + 1} {name:<7} {json.dumps(r)}", flush=True)
        for name, rs in runs.items():
            res[name] = dict(rs[0])  # quality figures from the first run (deterministic)
            res[name]["seconds"] = round(statistics.median(r["seconds"] for r in rs), 2)
            res[name]["peak_gb"] = max(r["peak_gb"] for r in rs)
            res[name]["ok"] = all(r["ok"] for r in rs)
            if any(r.get("timed_out") for r in rs):
                res[name]["timed_out"] = True
            if len(rs) > 1:
                res[name]["runs"] = [r["seconds"] for r in rs]
            print(f"[{size}] {name:<7} {json.dumps(res[name])}", flush=True)
        fl, sp, pd = res.get("floor"), res.get("splink"), res.get("padan")
        if fl and pd:
            print(f"[{size}] padan / floor = {pd['seconds'] / fl['seconds']:.2f}x (target <= 3x)")
            # each padan run against the floor run just before it: the machine's speed
            # drifts within minutes, which a ratio of medians can hide
            _print_run_by_run(size, "run by run", runs["padan"], runs["floor"])
        if sp and pd:
            at_least = "at least " if sp.get("timed_out") else ""
            print(
                f"[{size}] splink / padan = {at_least}{sp['seconds'] / pd['seconds']:.2f}x "
                "(target >= 10x)"
            )
            # each Splink run against the padan run of its round
            _print_run_by_run(size, "splink run by run", runs["splink"], runs["padan"])
        results[size] = res
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
