"""Telling a bookkeeper that someone else changed a record first: who, when, and that nothing of
theirs was saved. The who and when come from the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from debtordesk.services.audit import last_change


def when(at: datetime, now: datetime | None = None) -> str:
    """A UTC time in the computer's local time, in words: "14:32 today" or "14:32 on 3 Nov 2026"."""
    local = at.replace(tzinfo=UTC).astimezone()
    today = (now or datetime.now().astimezone()).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"{clock} today"
    return f"{clock} on {local.day} {local.strftime('%b %Y')}"


def changed_elsewhere(session: Session, entity: str, entity_id: int | str, what: str) -> str:
    """The refusal for a save that would overwrite someone else's change."""
    last = last_change(session, entity, entity_id)
    by = f"changed by {last[0] or 'someone'} at {when(last[1])}" if last else "changed by someone else"
    return (f"{what} was {by}, after you opened it. Nothing of yours was saved: reload it (close it and "
            "open it again) to see the latest, then make your change again.")
