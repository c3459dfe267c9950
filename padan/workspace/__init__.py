"""The workspace: one DuckDB file holding imports, matches, reviews and the web's users.

Schema lives in ``ddl/*.sql`` (applied in name order, each statement idempotent), one file
per domain: ``10_imports.sql`` (ingest), ``20_match.sql`` (linkage), ``30_web.sql`` (web).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from padan.engine import DuckDBEngine, connect

DEFAULT_NAME = "padan.duckdb"
ENV_VAR = "PADAN_WORKSPACE"


def default_path() -> Path:
    """``$PADAN_WORKSPACE`` or ``padan.duckdb`` in the current directory."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_NAME)


def ddl_statements() -> list[str]:
    files = sorted(
        (f for f in resources.files("padan.workspace").joinpath("ddl").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    return [f.read_text(encoding="utf-8") for f in files]


def open_workspace(
    path: str | Path | None = None, *, read_only: bool = False, wait_seconds: float = 5.0
) -> DuckDBEngine:
    """Open the workspace file (creating it and its schema when new)."""
    p = Path(path) if path is not None else default_path()
    engine = connect(p, read_only=read_only, wait_seconds=wait_seconds)
    if not read_only:
        for script in ddl_statements():
            engine.execute(script)
    return engine
