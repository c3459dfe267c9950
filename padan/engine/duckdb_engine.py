"""DuckDB, padan's embedded default engine.

A DuckDB file open read-write in one process cannot be opened by another process at all, so
every process opens the workspace for as short a time as it can, and a lock conflict becomes
a clear :class:`~padan.errors.PadanError` (``WORKSPACE_BUSY``) instead of a traceback.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from padan.errors import PadanError

Params = Sequence[Any] | dict[str, Any] | None


class DuckDBEngine:
    """A DuckDB connection behind padan's :class:`~padan.engine.base.Engine` interface."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None = None):
        self.con = con
        self.path = path
        self._tx_depth = 0
        self._lock = threading.RLock()

    # -- statements -------------------------------------------------------------------
    def execute(self, sql: str, params: Params = None) -> None:
        # DuckDB 2 keeps a statement's result pending until it is consumed; finish it so the
        # next statement on this connection is not refused.
        self.con.execute(sql, params).complete()

    def rows(self, sql: str, params: Params = None) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = None) -> tuple | None:
        cur = self.con.execute(sql, params)
        row = cur.fetchone()
        cur.complete()
        return row

    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        return self.con.sql(sql, params=params).to_arrow_table()

    def batches(self, sql: str, batch_size: int = 100_000) -> Iterator[pa.RecordBatch]:
        reader = self.con.sql(sql).to_arrow_reader(batch_size)
        yield from reader

    def register(self, name: str, data: Any) -> None:
        """Expose an Arrow table (or reader) as a view named ``name``."""
        self.con.register(name, data)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def table_exists(self, name: str) -> bool:
        n = self.one(
            "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = $1)"
            " + (SELECT count(*) FROM duckdb_views() WHERE view_name = $1 AND NOT internal)",
            [name],
        )
        return bool(n and n[0])

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.rows(f'DESCRIBE "{table}"')]

    def query_columns(self, sql: str) -> list[str]:
        """The column names a query gives, without running it."""
        return list(self.con.sql(sql).columns)

    def copy_to(self, sql: str, path: Path, fmt: str, header: bool = True) -> None:
        """Write a query result to ``path``; ``fmt`` is ``csv`` (``header``: with the column
        names) or ``parquet``."""
        opts = {
            "csv": f"FORMAT csv, HEADER {'true' if header else 'false'}",
            "parquet": "FORMAT parquet, COMPRESSION zstd",
        }[fmt]
        target = str(path).replace("'", "''")
        try:
            self.execute(f"COPY ({sql}) TO '{target}' ({opts})")
        except duckdb.IOException as exc:  # a file system error, as the rest of padan sees them
            raise OSError(str(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: nested uses join the outer transaction."""
        with self._lock:
            if self._tx_depth:
                self._tx_depth += 1
                try:
                    yield
                finally:
                    self._tx_depth -= 1
                return
            self.con.execute("BEGIN TRANSACTION")
            self._tx_depth = 1
            try:
                yield
            except BaseException:
                self._tx_depth = 0
                self.con.execute("ROLLBACK")
                raise
            else:
                self._tx_depth = 0
                self.con.execute("COMMIT")

    def splink_db_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def cursor(self) -> DuckDBEngine:
        """A second connection to the same database, for another thread."""
        return DuckDBEngine(self.con.cursor(), self.path)

    def interrupt(self) -> None:
        """Stop the statement this connection is running (called from another thread)."""
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float = 0.0,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> DuckDBEngine:
    """Open (or create) a DuckDB database; ``None`` means in memory.

    When another process holds the file, retry for ``wait_seconds``, then raise
    ``WORKSPACE_BUSY`` naming the file, so that the user knows to stop the other process
    (usually ``padan serve``) or to use the web upload instead.
    """
    config: dict[str, Any] = {}
    if memory_limit or os.environ.get("PADAN_MEMORY_LIMIT"):
        config["memory_limit"] = memory_limit or os.environ["PADAN_MEMORY_LIMIT"]
    if threads:
        config["threads"] = threads
    target = ":memory:" if path is None else str(path)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(target, read_only=read_only, config=config)
            break
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise PadanError(
                    "WORKSPACE_UNREADABLE",
                    f"Workspace {target} tidak bisa dibuka: {text}",
                ) from None
            if time.monotonic() >= deadline:
                raise PadanError(
                    "WORKSPACE_BUSY",
                    f"Workspace {target} sedang dipakai proses lain.",
                    hint="Hentikan proses itu (misalnya `padan serve`) atau unggah lewat aplikasi web.",
                ) from None
            time.sleep(0.2)
    con.execute("SET preserve_insertion_order = true")
    # DuckDB draws its own progress bar on stdout for long queries; padan reports progress
    # through callbacks instead, and library code never prints.
    con.execute("SET enable_progress_bar = false")
    return DuckDBEngine(con, None if path is None else Path(path))
