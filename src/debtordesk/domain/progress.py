"""How long work talks to whoever waits for it, without knowing about Qt.

A long service function takes `report: Callable[[Progress], None]` and
`should_cancel: Callable[[], bool]`; it calls `report` now and then and raises `Cancelled` when
`should_cancel()` turns true (after undoing its partial work, usually by rolling back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None = None  # None: unknown, show a busy indicator
    text: str = ""


class Cancelled(Exception):
    """The user cancelled; nothing of the work was kept."""


Report = Callable[[Progress], None]
ShouldCancel = Callable[[], bool]
