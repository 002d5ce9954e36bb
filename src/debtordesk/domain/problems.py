"""Problems found in input: each names where it is (file, row, column) and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = [p for p in (self.file, f"row {self.row}" if self.row else "", self.column and f"column {self.column}") if p]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Rejected(ValueError):
    """Input refused as a whole; nothing was written. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
