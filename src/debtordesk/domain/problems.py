"""Problems found in input: each names where it is (file, row, column) and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(ValueError):
    """A refusal whose message is a plain sentence meant for the user."""


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        parts = (self.file, f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "")
        where = [p for p in parts if p]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Rejected(UserError):
    """Input refused as a whole; nothing was written. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldErrors(UserError):
    """Values refused field by field: `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("\n".join(sentence(v) for v in self.errors.values()))


def sentence(message: str) -> str:
    """'a name is required' -> 'A name is required.' (for messages shown on their own)."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."
