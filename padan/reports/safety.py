"""Guard against spreadsheet formula injection (CSV/formula injection, OWASP).

A name or address typed into the DPT as ``=HYPERLINK(...)`` must not become a live formula
when a colleague opens an export. Decision:

* XLSX: every text cell is written with ``write_string`` (a string cell, never a formula),
  so the text is kept exactly as typed and Excel never evaluates it.
* CSV (which has no cell types): a text value that begins with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return gets a leading apostrophe, which spreadsheets hide and which
  stops evaluation. Numbers are written as numbers and are never changed.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def guard_text(value: Any) -> Any:
    """``'=1+1'`` -> ``"'=1+1"``; other strings and all non-strings are returned unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value
