"""The whole database as one JSON file: every table, every row, with the schema revision and the
time of the export.

The file is written as it is read, a chunk of rows at a time (a million invoices are never held in
memory), from one consistent state of the database, under a temporary name that takes the real one
only when it is complete.

Layout::

    {"format": "DebtorDesk export", "format_version": 1, "program_version": "...",
     "schema_revision": "0010", "exported_at": "2026-11-24T09:30:00Z", "notes": {...},
     "tables": {"customer": {"row_count": 24, "columns": [...], "money": {...}, "rows": [{...}, ...]},
                ...}}

Money is an integer in minor units (cents, pence) in the columns named *_minor; the table's
"money" entry says where their currency is. Dates are ISO (YYYY-MM-DD), times ISO in UTC, binary
contents (letters' PDFs) base64.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from debtordesk import __version__
from debtordesk.db.tables import (
    count_rows,
    currency_source,
    data_tables,
    iter_chunks,
    money_columns,
    schema_revision,
    snapshot,
)
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel

FORMAT = "DebtorDesk export"
FORMAT_VERSION = 1
NOTES = {
    "money": "integers in minor units (cents, pence) in the columns named *_minor; each table's 'money' "
             "entry says which column or linked row holds their currency",
    "dates": "ISO 8601: dates YYYY-MM-DD, times YYYY-MM-DDTHH:MM:SS in UTC",
    "binary": "base64",
}


@dataclass
class JsonExport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)  # rows written per table

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_value)


def export_json(session: Session, path: Path, report: Report | None = None,
                should_cancel: ShouldCancel | None = None, *, now: datetime | None = None) -> JsonExport:
    """Write every table of the database behind `session` to `path` (replaced only once the whole
    file is written). Reads only; the caller closes the session."""
    path = Path(path)
    report = report or (lambda _p: None)
    should_cancel = should_cancel or (lambda: False)
    conn = snapshot(session)
    tables = data_tables()
    counts = {t.name: count_rows(conn, t) for t in tables}
    total = sum(counts.values())
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    head = {"format": FORMAT, "format_version": FORMAT_VERSION, "program_version": __version__,
            "schema_revision": schema_revision(conn), "exported_at": stamp, "notes": NOTES}
    result = JsonExport(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    done = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(_dumps(head)[:-1] + ',\n "tables": {')
            for t_index, table in enumerate(tables):
                money = money_columns(table)
                about = {"row_count": counts[table.name], "columns": [c.name for c in table.columns],
                         "primary_key": [c.name for c in table.primary_key.columns]}
                if money:
                    about["money"] = {"columns": [c.name for c in money],
                                      "currency": currency_source(table).describe()}
                out.write(("," if t_index else "") + f"\n  {_dumps(table.name)}: " + _dumps(about)[:-1]
                          + ',\n   "rows": [')
                written = 0
                for chunk in iter_chunks(conn, table):
                    if should_cancel():
                        raise Cancelled()
                    out.write((",\n    " if written else "\n    ") + ",\n    ".join(_dumps(r) for r in chunk))
                    written += len(chunk)
                    done += len(chunk)
                    report(Progress(done, total, f"{table.name}: {written:,} of {counts[table.name]:,} rows"))
                out.write("\n   ]}" if written else "]}")
                result.counts[table.name] = written
            out.write("\n }\n}\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result
