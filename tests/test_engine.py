"""The engine layer: transactions are all-or-nothing and a busy workspace is a clear error."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest

from padan.engine import connect
from padan.errors import PadanError
from padan.workspace import open_workspace


def test_transaction_rolls_back_on_error(engine):
    engine.execute("CREATE TABLE t (x INTEGER)")
    engine.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ValueError), engine.transaction():
        engine.execute("INSERT INTO t VALUES (2)")
        raise ValueError("boom")
    assert engine.rows("SELECT x FROM t") == [(1,)]


def test_nested_transaction_joins_outer(engine):
    engine.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), engine.transaction():
        with engine.transaction():
            engine.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError
    assert engine.one("SELECT count(*) FROM t") == (0,)


def test_register_arrow_and_table_exists(engine):
    engine.register("v", pa.table({"a": [1, 2, 3]}))
    assert engine.table_exists("v")
    assert not engine.table_exists("nope")
    assert engine.arrow("SELECT sum(a) AS s FROM v").column("s").to_pylist() == [6]
    assert engine.columns("v") == ["a"]


def test_workspace_schema_created_and_idempotent(tmp_path):
    path = tmp_path / "ws.duckdb"
    with open_workspace(path) as ws:
        assert ws.table_exists("imports") and ws.table_exists("match_results")
    with open_workspace(path) as ws:  # applying the DDL again changes nothing
        assert ws.one("SELECT count(*) FROM imports") == (0,)


def test_busy_workspace_is_a_clear_error(tmp_path):
    path = tmp_path / "ws.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from padan.engine import connect
                e = connect({str(path)!r})
                print("open", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(PadanError) as err:
            connect(path, wait_seconds=0.3)
        assert err.value.code == "WORKSPACE_BUSY"
        assert "sedang dipakai" in err.value.message
    finally:
        holder.communicate("\n", timeout=30)
