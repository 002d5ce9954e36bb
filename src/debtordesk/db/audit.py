"""Recording the audit trail: every create, update and delete of the records people care about
(see db.audit_words.KINDS) is written to audit_log by the same flush that writes the record, so
both are committed together or not at all.

How: db.engine's sessionmaker makes `AuditedSession`s. Mapper events (after_insert/update/delete,
which also see the rows removed as orphans of a collection) note each change with its values and,
for an update, `{field: [old, new]}` of the fields that really changed; the session's after_flush
then writes the flush's entries in one executemany. Derived columns (an invoice's open amount, a
payment's unapplied part, version counters), binary columns (letter PDFs) and anything whose name
looks like a secret are never recorded, nor are settings whose key looks like one.

Bulk writes through Core (`session.execute(insert(Table), rows)`) bypass all this; the services
that do them write one entry of their own with `write_entry` (an import: one entry per file).

Who: `session.info[ACTOR]`, else the name given to `set_actor`, else the operating-system user.
The trail is append-only (triggers of migration 0010); `rewrite_entries` is the one controlled
exception, used only by the erasure of a customer's personal data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, event, insert, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import instance_state

from debtordesk.config import current_user
from debtordesk.db.audit_words import KINDS, Kind, Names
from debtordesk.db.models import AuditEntry, utcnow

ACTOR = "audit.actor"  # session.info key: who is working in this session (an app user name)
OFF = "audit.off"  # session.info key: True while a service writes its own single entry instead
_PENDING = "audit.pending"
_NAMES = "audit.names"

_actor: str | None = None


def set_actor(name: str | None) -> None:
    """The name recorded as who made the changes from now on (None or "": the operating-system user)."""
    global _actor
    _actor = (name or "").strip() or None


def actor(session: Session) -> str:
    return (session.info.get(ACTOR) or _actor or current_user() or "")[:100]


class AuditedSession(Session):
    """A Session whose flushes write the audit trail."""


@contextmanager
def paused(session: Session) -> Iterator[None]:
    """No automatic entries for the changes flushed inside the block (the caller writes one entry
    that says what it did, without the values)."""
    before = session.info.get(OFF)
    session.flush()
    session.info[OFF] = True
    try:
        yield
        session.flush()
    finally:
        session.info[OFF] = before


def plain(value):
    """A value as JSON keeps it: dates as ISO text, Decimals as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def dumps(changes: dict) -> str:
    return json.dumps(changes, ensure_ascii=False, default=str)


# --- noting the changes of a flush ----------------------------------------------------------------------

def _note(target, action: str) -> None:
    session = object_session(target)
    if not isinstance(session, AuditedSession) or session.info.get(OFF):
        return
    kind: Kind = KINDS[type(target)]
    state = instance_state(target)
    values = state.dict
    if kind.remember is not None and action != "delete":
        table, key, value = kind.remember(values)
        session.info.setdefault(_NAMES, {}).setdefault(table, {})[key] = value
    if (action == "create" and not kind.creates) or (kind.keep is not None and not kind.keep(values)):
        return
    if action == "update":
        changes = {}
        fields = kind.fields
        for key in list(state.committed_state):
            if key not in fields:
                continue
            history = state.attrs[key].history
            if not history.added and not history.deleted:
                continue  # set to the value it had
            old = history.deleted[0] if history.deleted else None
            new = values.get(key)
            if old != new:
                changes[key] = [plain(old), plain(new)]
        if not changes:
            return
    elif action == "create":
        changes = {key: plain(values.get(key)) for key in kind.fields}
    else:  # a deleted record's values as the session last had them
        changes = {key: plain(values[key]) for key in kind.fields if key in values}
    entity_id = values.get("key") if kind.entity == "setting" else values.get("id")
    session.info.setdefault(_PENDING, []).append((action, kind, entity_id, dict(values), changes))


def _created(_mapper, _connection, target) -> None:
    _note(target, "create")


def _updated(_mapper, _connection, target) -> None:
    _note(target, "update")


def _deleted(_mapper, _connection, target) -> None:
    _note(target, "delete")


for _model in KINDS:
    event.listen(_model, "after_insert", _created)
    event.listen(_model, "after_update", _updated)
    event.listen(_model, "after_delete", _deleted)


@event.listens_for(AuditedSession, "before_flush")
def _start(session: Session, _context, _instances) -> None:
    session.info.pop(_PENDING, None)  # left by a flush that failed


@event.listens_for(AuditedSession, "after_flush")
def _write(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    names = Names(session.info.setdefault(_NAMES, {}))
    summaries = [kind.summary(values, names) for _a, kind, _id, values, _c in pending]
    if names.any_missed():
        names.resolve(session)
        summaries = [kind.summary(values, names) for _a, kind, _id, values, _c in pending]
    who, at = actor(session), utcnow()
    rows = [dict(at=at, who=who, action=action, entity=kind.entity, entity_id=str(entity_id or "")[:40],
                 summary=summary, changes=dumps(changes))
            for (action, kind, entity_id, _v, changes), summary in zip(pending, summaries, strict=True)]
    session.connection().execute(insert(AuditEntry.__table__), rows)


# --- entries written by the services themselves ------------------------------------------------------

def write_entry(session: Session, action: str, entity: str, entity_id: str | int = "", summary: str = "",
                changes: dict | None = None) -> None:
    """One entry for something the automatic recording does not see: an import of many rows in one
    statement, an export, an erasure."""
    session.execute(insert(AuditEntry.__table__).values(
        at=utcnow(), who=actor(session), action=action[:20], entity=entity[:40], entity_id=str(entity_id)[:40],
        summary=summary, changes=dumps(changes or {})))


# --- the one controlled exception to append-only --------------------------------------------------------

def rewrite_entries(session: Session, rows: Sequence[tuple[int, str, str]]) -> int:
    """Replace the summary and changes of the entries given as (id, summary, changes JSON), in the
    caller's transaction: the database's refusal to update the trail is lifted for these statements
    only and put back before returning (on SQLite the trigger is dropped and made again from its own
    stored text; on PostgreSQL it is disabled and enabled). DDL is transactional on both, and the
    write lock held meanwhile keeps every other connection out, so nobody else can change the trail
    in between; if anything fails, the rollback restores the trigger too. Only the erasure of a
    customer's personal data calls this: the user has no way to edit the trail."""
    if not rows:
        return 0
    conn = session.connection()
    table = AuditEntry.__table__
    statement = (update(table).where(table.c.id == bindparam("row_id"))
                 .values(summary=bindparam("new_summary"), changes=bindparam("new_changes")))
    params = [{"row_id": i, "new_summary": s, "new_changes": c} for i, s, c in rows]
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if not dbapi.in_transaction:  # DDL outside a transaction would commit at once: never
            raise RuntimeError("rewrite_entries needs a transaction that has already written something")
        found = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND name = 'audit_log_no_update'").scalar()
        if found is None:
            raise RuntimeError("the audit trail's update trigger is missing")
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.execute(statement, params)
        conn.exec_driver_sql(found)
    else:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        conn.execute(statement, params)
        conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    return len(rows)

