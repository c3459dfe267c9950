"""The demo: a small synthetic Sulsel taken through every stage padan has.

Generate (padan.synth) -> import the DPT and the first register snapshot (padan.ingest) ->
match (padan.linkage) -> import each daily delta and match again, so that progress has a real
burn-down -> demo users for the dashboard (padan.web). The CLI (``padan demo``) then runs the
report, worklist and progress commands on the result. Library code: returns, never prints.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from padan.errors import PadanError
from padan.workspace import open_workspace

Progress = Callable[[str, int, int | None], None]

MARKER = ".padan-demo"
_DELTA_DATE = re.compile(r"registry-delta-(\d{4}-\d{2}-\d{2})\.csv$")


@dataclass
class DemoData:
    out_dir: Path
    workspace: Path
    pemilihan: str
    voters: int = 0
    rejected: int = 0
    registry_rows: int = 0
    snapshots: list[dt.date] = field(default_factory=list)
    match_ids: list[int] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    demo_users: list[tuple] = field(default_factory=list)


def snapshot_dates(manifest) -> tuple[dt.date, dict[dt.date, Path]]:
    """The first (full) snapshot date and the dated delta files of a synth manifest."""
    import json

    info = json.loads(Path(manifest.manifest).read_text(encoding="utf-8"))
    first = dt.date.fromisoformat(info["dates"]["first_snapshot"])
    deltas = {}
    for p in manifest.snapshots:
        m = _DELTA_DATE.search(Path(p).name)
        if m:
            deltas[dt.date.fromisoformat(m.group(1))] = Path(p)
    return first, deltas


def prepare_demo(
    out_dir: Path,
    *,
    voters: int = 30_000,
    snapshots: int = 6,
    seed: int = 42,
    pemilihan: str = "pilkada-2020-sulsel",
    progress: Progress | None = None,
) -> DemoData:
    """Build the demo workspace in ``out_dir``.

    ``out_dir`` is recreated when it holds an earlier demo (marked by a ``.padan-demo`` file);
    a non-empty folder without that mark is refused rather than overwritten.
    """
    from padan import ingest, linkage, synth
    from padan.web.auth import ensure_demo_users

    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).exists():
            raise PadanError(
                "DEMO_DIR_NOT_EMPTY",
                f"Folder {out_dir} sudah berisi berkas lain; demo tidak menimpanya.",
                hint="Pilih folder lain dengan --out.",
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by `padan demo`; safe to delete\n", encoding="utf-8")
    data = DemoData(out_dir=out_dir, workspace=out_dir / "padan.duckdb", pemilihan=pemilihan)

    def stage(name: str):
        if progress:
            progress(name, 0, None)
        return time.perf_counter()

    t = stage("synth")
    manifest = synth.generate(out_dir / "data", seed=seed, voters=voters, snapshots=snapshots)
    data.seconds["synth"] = time.perf_counter() - t
    first, deltas = snapshot_dates(manifest)

    ws = open_workspace(data.workspace)
    try:
        t = stage("import")
        dpt = ingest.import_dpt(ws, [manifest.dpt], pemilihan=pemilihan, versi="DPT", by="demo")
        data.voters, data.rejected = dpt.report.accepted, dpt.report.rejected
        reg = ingest.import_registry(ws, [manifest.registry], tanggal=first, by="demo")
        data.registry_rows = reg.report.accepted
        data.seconds["import"] = time.perf_counter() - t

        t = stage("match")
        data.match_ids.append(linkage.run_workspace_match(ws, pemilihan=pemilihan, tanggal=first))
        data.snapshots.append(first)
        for day in sorted(deltas):
            ingest.import_registry(ws, [deltas[day]], tanggal=day, delta=True, by="demo")
            data.match_ids.append(linkage.run_workspace_match(ws, pemilihan=pemilihan, tanggal=day))
            data.snapshots.append(day)
        data.seconds["match"] = time.perf_counter() - t
        data.demo_users = ensure_demo_users(ws)
    finally:
        ws.close()
    return data
