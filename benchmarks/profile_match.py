"""Where a one-shot ``padan match`` spends its CPU, statement by statement.

Runs ``match_files`` on DIR/dpt.csv and DIR/registry.csv with one DuckDB thread per
connection, so that a statement's wall time is its CPU time (the register's connection and
the duplicates' connection still run beside the main one, as in a normal run: each on its own
core of two). Prints the CPU of each stage (the progress stages of the main connection; the
second connection's statements under ``register`` while the files are read, else
``ganda``), then the most expensive statements.

Not a benchmark (``bench_match.py`` is): the run is slower than a normal one. To compare two
versions of the code, run this on each, one after the other, and again the other way round:
the machine's speed drifts by 20 % or more within minutes. ``PADAN_SRC`` points at another
checkout (a git worktree) to profile its code with this script.

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/profile_match.py --data DIR --top 30
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

if os.environ.get("PADAN_SRC"):
    sys.path.insert(0, os.environ["PADAN_SRC"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with dpt.csv, registry.csv")
    ap.add_argument("--out", type=Path, default=None, help="result file (default: a temp file)")
    ap.add_argument("--top", type=int, default=25, help="statements to list")
    args = ap.parse_args()

    import padan.engine.duckdb_engine as de
    from padan.linkage import match_files

    log: list[tuple[str, float, float, str]] = []  # (stage, start, seconds, sql)
    stage = ["baca"]
    init = de.DuckDBEngine.__init__

    def one_thread(self, con, path=None):  # type: ignore[no-untyped-def]
        init(self, con, path)
        con.execute("SET threads = 1")

    def timed(fn):  # type: ignore[no-untyped-def]
        def run(self, sql, *a, **k):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return fn(self, sql, *a, **k)
            finally:
                main_thread = threading.current_thread() is threading.main_thread()
                where = (
                    stage[0]
                    if main_thread
                    else ("register" if stage[0] in ("baca", "normalisasi") else "ganda")
                )
                log.append((where, t0 - t_start, time.perf_counter() - t0, " ".join(sql.split())))

        return run

    de.DuckDBEngine.__init__ = one_thread
    for name in ("execute", "one", "rows"):  # (copy_to runs through execute)
        setattr(de.DuckDBEngine, name, timed(getattr(de.DuckDBEngine, name)))

    def progress(name: str, done: int, total: int | None) -> None:
        if done == 0 and not name.startswith("register:"):
            stage[0] = name

    out = args.out or args.data / "profile-padan.csv"
    t_start = time.perf_counter()
    cpu0 = time.process_time()
    match_files([args.data / "dpt.csv"], [args.data / "registry.csv"], out, progress=progress)
    wall, cpu = time.perf_counter() - t_start, time.process_time() - cpu0
    sql = sum(s for _, _, s, _ in log)
    print(
        f"wall {wall:.2f} s, process CPU {cpu:.2f} s, SQL statements {sql:.2f} s (one thread each)"
    )
    by_stage: dict[str, float] = {}
    for where, _, s, _ in log:
        by_stage[where] = by_stage.get(where, 0.0) + s
    for where, s in sorted(by_stage.items(), key=lambda x: -x[1]):
        print(f"  {where:<16} {s:7.2f} s")
    print(f"the {args.top} most expensive statements:")
    for where, t0, s, text in sorted(log, key=lambda x: -x[2])[: args.top]:
        print(f"  {s:6.2f} s  at {t0:6.2f}  {where:<14} {text[:110]}")


if __name__ == "__main__":
    main()
