"""Dates: ISO parsing with messages for people. 'Today' is always passed in, never read here."""

from __future__ import annotations

import re
from datetime import date

from debtordesk.domain.problems import UserError

_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(UserError):
    """A date that cannot be accepted; the message is meant for the user."""


def parse_iso_date(text: str) -> date:
    raw = (text or "").strip()
    if not raw:
        raise DateError("a date is required")
    if not _ISO_RE.match(raw):
        raise DateError(f"'{raw}' is not a date in the form YYYY-MM-DD (for example 2026-03-31)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DateError(f"'{raw}' is not a real calendar date") from None
