"""`debtordesk export all FILE.json` (every table, every row) and `debtordesk copy-to URL|PATH`
(the whole database into an empty PostgreSQL database or a new SQLite file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK = 0


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    copy = sub.add_parser(
        "copy-to", parents=[common],
        help="copy the whole database into an empty one: a PostgreSQL URL or a new SQLite file",
        description="Copy every table of the database into an EMPTY database (refused if it holds data), "
                    "then compare row counts and money totals; the copy is kept only if they agree. A server "
                    "URL without a password uses the one in the password store (or PGPASSWORD).")
    copy.add_argument("target", metavar="URL|PATH",
                      help="postgresql+psycopg://user@host:5432/dbname, or a file name for a new SQLite database")


def _target_url(target: str) -> str:
    from debtordesk.config import resolve_db_url
    from debtordesk.services.databases import with_stored_password

    return with_stored_password(resolve_db_url(target))


def run_copy(args, open_db) -> int:
    from debtordesk.domain.progress import Progress
    from debtordesk.services.transfer import copy_database

    db = open_db(args)
    last = [""]

    def report(progress: Progress) -> None:
        if progress.text != last[0]:  # one line per step and table, not per chunk
            last[0] = progress.text
            print(progress.text, file=sys.stderr)

    with db.session() as session:
        comparison = copy_database(session, _target_url(args.target), report)
    print("\n".join(comparison.lines()))
    print(f"\nCopied {comparison.rows:,} rows in {comparison.seconds:.1f} s; the copy matches this database.")
    return EXIT_OK


def run_export_all(args, open_db) -> int:
    from debtordesk.services.json_export import export_json

    path = Path(args.file)
    db = open_db(args)
    with db.session() as session:
        result = export_json(session, path)
    print(f"Exported {result.rows:,} rows from {len(result.counts)} tables to {path}.")
    return EXIT_OK
