"""The front door: `debtordesk` opens the GUI; sub-commands work from a terminal.

Exit status: 0 success, 1 input rejected (each problem on stderr), 2 usage error.

For measuring, not listed in --help: `debtordesk --db FILE gui --quit-after-first-paint` starts
the app as usual and quits with status 0 as soon as the main window has painted its first screen
with that screen's data (bench/b_start.py times it). FILE must have been started (company details
or customers): on a blank database, which would show the welcome, it exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from debtordesk import __version__
from debtordesk.cli import interest as interest_cmd

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def _date_arg(text: str) -> date:
    from debtordesk.domain.dates import DateError, parse_iso_date

    try:
        return parse_iso_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limits_arg(text: str) -> tuple[int, ...]:
    from debtordesk.domain.aging import BucketError, parse_limits

    try:
        return parse_limits(text)
    except BucketError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count_arg(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    db_help = "database file or SQLAlchemy URL (default: $DEBTORDESK_DB, else the user data folder)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS, help=db_help)

    parser = argparse.ArgumentParser(
        prog="debtordesk", description="DebtorDesk: who owes what, how late, and what to send next."
    )
    parser.add_argument("--db", metavar="PATH|URL", default=None, help=db_help)
    parser.add_argument("--version", action="version", version=f"DebtorDesk {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (resources, database, a letter, Qt plugins and fonts, "
                             "the main window offscreen) on a temporary database, print a report and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", parents=[common], help="open the desktop app (the default)")
    gui.add_argument("--quit-after-first-paint", action="store_true", help=argparse.SUPPRESS)

    demo = sub.add_parser("demo", parents=[common], help="fill an empty database with sample data")
    demo.add_argument("--customers", type=_count_arg, default=24)
    demo.add_argument("--invoices", type=_count_arg, default=240)
    demo.add_argument("--seed", type=int, default=1)

    from debtordesk.cli import importing

    importing.add_parser(sub, common)

    exp = sub.add_parser("export", parents=[common],
                         help="export a CSV file (re-importable), or `all`: every table to one JSON file")
    exp.add_argument("kind", choices=("customers", "invoices", "payments", "all"))
    exp.add_argument("file", type=Path)

    aging = sub.add_parser("aging", parents=[common], help="aged receivables as of a date")
    aging.add_argument("--as-of", type=_date_arg, default=None, metavar="YYYY-MM-DD")
    aging.add_argument("--buckets", type=_limits_arg, default=(30, 60, 90), metavar="30,60,90")
    aging.add_argument("--basis", choices=("due", "issue"), default="due")
    aging.add_argument("--format", choices=("table", "csv", "json"), default="table")
    interest_cmd.add_parser(sub, common)

    from debtordesk.cli import dunning

    dunning.add_parser(sub, common, _date_arg)
    from debtordesk.cli import kpi

    kpi.add_parser(sub, common, _date_arg)
    from debtordesk.cli import plan

    plan.add_parser(sub)
    from debtordesk.cli import database

    database.add_parser(sub, common)
    return parser


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_REJECTED


def _open(args):
    from debtordesk.config import resolve_db_url
    from debtordesk.db.engine import open_database
    from debtordesk.services.databases import with_stored_password

    return open_database(with_stored_password(resolve_db_url(args.db)))


def cmd_demo(args) -> int:
    from debtordesk.services.demo import fill_demo

    db = _open(args)
    with db.transaction() as s:
        n_c, n_i, n_p = fill_demo(s, date.today(), args.customers, args.invoices, args.seed)
    print(f"Added {n_c} customers, {n_i} invoices and {n_p} payments of sample data to {db.display_name}.")
    return EXIT_OK


def cmd_import(args) -> int:
    from debtordesk.cli import importing

    return importing.run(args, _open)


def cmd_export(args) -> int:
    from debtordesk.services.exports import export_csv

    if args.kind == "all":
        from debtordesk.cli import database

        return database.run_export_all(args, _open)

    db = _open(args)
    with db.session() as s:
        n = export_csv(s, args.kind, args.file)
    print(f"Exported {n} {args.kind} to {args.file}.")
    return EXIT_OK


def aging_json(report) -> dict:
    from debtordesk.domain.money import format_plain

    labels = report.labels

    def line(r) -> dict:
        d: dict = {}
        if r.customer_ref:
            d["customer_ref"] = r.customer_ref
            d["name"] = r.name
        d["currency"] = r.currency
        for label, amount in zip(labels, r.buckets, strict=True):
            d[label] = format_plain(amount, r.currency)
        d["total"] = format_plain(r.total, r.currency)
        d["unapplied"] = format_plain(r.unapplied, r.currency)
        d["balance"] = format_plain(r.balance, r.currency)
        return d

    return {
        "as_of": report.as_of.isoformat(),
        "basis": report.basis,
        "buckets": labels,
        "rows": [line(r) for r in report.rows],
        "totals": [line(t) for t in report.totals()],
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    out = []
    for r in [header, *rows]:
        cells = [str(x).rjust(w) if i >= right_from else str(x).ljust(w)
                 for i, (x, w) in enumerate(zip(r, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def cmd_aging(args) -> int:
    from debtordesk.services.aging import aging_report

    as_of = args.as_of or date.today()
    db = _open(args)
    with db.session() as s:
        report = aging_report(s, as_of, args.buckets, args.basis)
    data = aging_json(report)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    keys = ["customer_ref", "name", "currency", *data["buckets"], "total", "unapplied", "balance"]
    if args.format == "csv":
        from debtordesk.services.aging_export import aging_csv

        sys.stdout.write(aging_csv(report))
        return EXIT_OK
    rows = [[r[k] if k != "name" else r[k][:32] for k in keys] for r in data["rows"]]
    rows += [["TOTAL", "", t["currency"], *[t[k] for k in keys[3:]]] for t in data["totals"]]
    print(f"Aged receivables as of {data['as_of']} (by {args.basis} date)")
    print(_table(keys, rows, right_from=3) if data["rows"] else "Nothing is owed.")
    return EXIT_OK


def cmd_gui(args) -> int:
    from debtordesk.ui.app import run_gui

    return run_gui(args.db, quit_after_first_paint=getattr(args, "quit_after_first_paint", False))


def cmd_dunning(args) -> int:
    from debtordesk.cli import dunning

    return dunning.run(args, _open, _table)


def cmd_copy_to(args) -> int:
    from debtordesk.cli import database

    return database.run_copy(args, _open)


COMMANDS = {
    "gui": cmd_gui,
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "aging": cmd_aging,
    "interest": interest_cmd.run,
    "dunning": cmd_dunning,
    "kpi": lambda args: args.run_command(args, _open),
    "plan": lambda args: args.run_command(args),
    "copy-to": cmd_copy_to,
}


def main(argv: Sequence[str] | None = None) -> int:
    from debtordesk.domain.problems import Rejected, UserError

    args = build_parser().parse_args(argv)
    if args.self_test:
        from debtordesk.selftest import run_self_test

        return run_self_test()
    command = args.command or "gui"
    if not hasattr(args, "db"):
        args.db = None
    try:
        return COMMANDS[command](args)
    except Rejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail(f"Nothing was imported: {len(exc.problems)} problem(s) found.")
    except UserError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or 'A file'} could not be used: {exc.strerror}.")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = _database_trouble(exc)
        if message is None:
            raise
        return _fail(message)


def _database_trouble(exc: Exception) -> str | None:
    """A plain sentence for database errors met while working (busy, gone, disk full)."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig)
    if "locked" in text or "busy" in text:
        return "The database is busy: another copy of DebtorDesk is saving changes. Try again in a moment."
    if "disk" in text or "full" in text:
        return f"The database could not be written: {text}. Nothing was changed."
    return f"The database refused the change: {text}. Nothing was changed."


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])
