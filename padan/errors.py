"""One error type for everything a user can get wrong.

Library code raises :class:`PadanError` (never prints, never exits); the CLI and the web
layer turn it into a message at the edge. Messages are in Bahasa Indonesia because users read
them; ``code`` is a stable English-free identifier for programs and tests.
"""

from __future__ import annotations


class PadanError(Exception):
    """A problem the user can fix: bad input, missing file, busy workspace."""

    def __init__(self, code: str, message: str, hint: str | None = None, **context: object):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.context = context

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  Saran: {self.hint}"

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "hint": self.hint, **self.context}
