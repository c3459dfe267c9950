"""Benchmark: time and peak memory of ``padan.synth.generate``.

Each run happens in its own process so that its peak memory (ru_maxrss) is its own. The
baseline is a small run (``--baseline`` voters, default 30,000, the ``kecil`` scale) made in
the same invocation; the target run (``--voters N`` or ``--scale``, default ``provinsi`` =
3.39 M voters, ~9.5 M register rows) is reported with its ratio to the baseline in time per
DPT row, so that a slow machine or a busy neighbour shows as such.

    flock /tmp/padan-heavy.lock .venv/bin/python benchmarks/bench_synth.py --scale provinsi
    .venv/bin/python benchmarks/bench_synth.py --voters 300000 --xlsx
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child(args: argparse.Namespace) -> None:
    from padan.synth import generate

    stages: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(stage: str, done: int, total: int | None) -> None:
        stages.setdefault(stage, round(time.perf_counter() - t0, 2))

    m = generate(
        Path(args.out),
        seed=args.seed,
        voters=args.voters,
        scale=args.scale,
        xlsx_per_desa=args.xlsx,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in Path(args.out).rglob("*") if p.is_file())
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "counts": m.counts,
                "stage_start_s": stages,
                "bytes_written": size,
            }
        )
    )


def _run(voters: int | None, scale: str, xlsx: bool, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_synth_") as out:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--out",
            out,
            "--seed",
            str(seed),
            "--scale",
            scale,
        ]
        if voters is not None:
            cmd += ["--voters", str(voters)]
        if xlsx:
            cmd.append("--xlsx")
        res = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--voters", type=int, default=None, help="DPT rows of the target run")
    ap.add_argument(
        "--scale", default="provinsi", help="kecil, sedang or provinsi (without --voters)"
    )
    ap.add_argument("--baseline", type=int, default=30_000, help="DPT rows of the baseline run")
    ap.add_argument("--xlsx", action="store_true", help="also write one XLSX per desa")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    base = _run(args.baseline, "kecil", args.xlsx, args.seed)
    target = _run(args.voters, args.scale, args.xlsx, args.seed)
    print(
        f"{'run':<10}{'DPT rows':>12}{'register':>12}{'deltas':>10}{'seconds':>10}{'peak MB':>10}{'GB out':>8}"
    )
    for name, r in (("baseline", base), ("target", target)):
        c = r["counts"]
        print(
            f"{name:<10}{c['dpt']:>12,}{c['registry']:>12,}{c['delta_rows']:>10,}"
            f"{r['seconds']:>10.1f}{r['peak_mb']:>10,}{r['bytes_written'] / 1e9:>8.2f}"
        )
    per_row_b = base["seconds"] / base["counts"]["dpt"]
    per_row_t = target["seconds"] / target["counts"]["dpt"]
    print(f"time per DPT row, target / baseline: {per_row_t / per_row_b:.2f}x")
    print(f"peak memory per DPT row: {target['peak_mb'] * 1024 / target['counts']['dpt']:.2f} KB")
    print("target stage start times (s):", json.dumps(target["stage_start_s"]))


if __name__ == "__main__":
    main()
