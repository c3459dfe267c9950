"""Work on a second connection, in a thread, beside the caller's own statements."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from padan.engine.base import Engine


class Beside:
    """Runs ``fn(second connection)`` in a thread while the caller goes on with ``engine``.

    ``result()`` waits for it and returns its value (or raises its error). Leaving the
    ``with`` block with an error interrupts the statement the thread runs and waits for it,
    so that the caller's error is reported at once and no work outlives the block; the
    second connection is closed in every case.
    """

    def __init__(self, engine: Engine, fn: Callable[[Engine], Any]):
        self.cur = engine.cursor()
        self.pool = ThreadPoolExecutor(1)
        self.future = self.pool.submit(fn, self.cur)

    def result(self) -> Any:
        return self.future.result()

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        try:
            if exc_type is not None:
                self.cur.interrupt()
                with contextlib.suppress(BaseException):
                    self.future.result()
        finally:
            self.pool.shutdown(wait=True)
            self.cur.close()
