"""Import: reading KPU's DPT and Dukcapil's register files into canonical tables.

``load_dpt`` / ``load_registry`` work on any engine (no workspace needed: ``padan match`` uses
them on an in-memory engine); ``import_dpt`` / ``import_registry`` record versions and snapshots
in the workspace. Reader behaviour and decisions: docs/import.md.
"""

from padan.ingest.load import ImportWarning, LoadReport, load_dpt, load_registry
from padan.ingest.readers import FileInfo
from padan.ingest.workspace import (
    ImportResult,
    import_dpt,
    import_registry,
    latest_dpt_import,
    list_imports,
    registry_as_of,
    write_rejects,
)

__all__ = [
    "FileInfo",
    "ImportResult",
    "ImportWarning",
    "LoadReport",
    "import_dpt",
    "import_registry",
    "latest_dpt_import",
    "list_imports",
    "load_dpt",
    "load_registry",
    "registry_as_of",
    "write_rejects",
]
