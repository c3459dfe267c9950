"""`padan demo` runs every stage for real on a small synthetic Sulsel."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from padan.cli import main
from padan.workspace import open_workspace


@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--pemilih", "2000", "--snapshots", "2"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    for name in ("rekap-provinsi.xlsx", "burndown-provinsi.png"):
        assert (out / "laporan" / name).stat().st_size > 1000
    assert list((out / "laporan").glob("laporan-73*.pdf"))
    assert list((out / "laporan").glob("jemput-bola-*.xlsx"))
    assert "padan serve --workspace" in text and "admin" in text

    # The summary's figures are the workspace's figures, and the statuses add up to the DPT.
    def figure(label: str) -> int:
        return int(re.search(rf"{label}\s+([\d.]+)", text).group(1).replace(".", ""))

    dpt = figure("Pemilih DPT")
    parts = [
        figure(x)
        for x in ("Sudah rekam", "Belum rekam", "Gagal rekam", "Tidak ditemukan", "Perlu tinjau")
    ]
    assert sum(parts) == dpt > 1500
    with open_workspace(out / "padan.duckdb") as ws:
        runs = ws.one("SELECT count(*), count(DISTINCT registry_date) FROM match_runs")
        assert runs == (3, 3)  # first snapshot + two deltas: a real series for the burn-down
        latest = ws.one("SELECT max(match_id) FROM match_runs")[0]
        assert ws.one("SELECT count(*) FROM match_results WHERE match_id = ?", [latest])[0] == dpt

    # Run again: the earlier demo folder is recognised and rebuilt, not refused.
    again = CliRunner().invoke(
        main, ["demo", "--out", str(out), "--pemilih", "2000", "--snapshots", "1"]
    )
    assert again.exit_code == 0, again.output


def test_demo_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("jangan dihapus")
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "DEMO_DIR_NOT_EMPTY" in result.output
    assert (tmp_path / "mine.txt").exists()
