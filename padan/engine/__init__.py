"""The engine layer: the only package that imports duckdb (and, later, pyspark).

Domain code writes SQL in DuckDB's dialect and hands it to an :class:`Engine`; an engine for
another backend transpiles it with sqlglot (see ``Engine.dialect``). Keep the interface small:
if a domain module needs something new, add one general method here rather than importing the
backend.
"""

from padan.engine.base import Engine
from padan.engine.beside import Beside
from padan.engine.duckdb_engine import DuckDBEngine, connect

__all__ = ["Beside", "DuckDBEngine", "Engine", "connect"]
