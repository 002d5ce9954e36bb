"""`debtordesk import KIND FILE`: the format is detected (or given), the columns are mapped from
their names (or by a saved mapping), what was detected is printed, then every row is checked and
either all are written or none."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from debtordesk.domain.csvformat import DATE_FORMATS, DELIMITER_NAMES

EXIT_OK, EXIT_REJECTED = 0, 1
_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-8-bom": "utf-8-sig",
              "cp1252": "cp1252", "windows-1252": "cp1252", "win1252": "cp1252", "ansi": "cp1252"}


def _encoding_arg(text: str) -> str:
    code = _ENCODINGS.get(text.strip().lower())
    if code is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not one of utf-8, utf-8-sig, cp1252 (Windows-1252)")
    return code


def _delimiter_arg(text: str) -> str:
    code = DELIMITER_NAMES.get(text.strip().lower()) if text.strip() else DELIMITER_NAMES.get(text)
    if code is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not one of , ; tab")
    return code


def add_parser(sub, common) -> None:
    imp = sub.add_parser(
        "import", parents=[common], help="import a CSV file (all rows or none)",
        description="Import a CSV file: if any row is bad, nothing is written and every bad row is reported. "
                    "The encoding, delimiter, decimal mark and date format are detected and the columns are "
                    "matched to the fields by their names; the options below say otherwise.")
    imp.add_argument("kind", choices=("customers", "invoices", "payments"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument("--encoding", type=_encoding_arg, metavar="E", help="utf-8, utf-8-sig or cp1252 (Windows-1252)")
    imp.add_argument("--delimiter", type=_delimiter_arg, metavar=",|;|tab", help="what separates the columns")
    imp.add_argument("--decimal-comma", action="store_true", default=None,
                     help="amounts are written 1.234,56 (a decimal comma)")
    imp.add_argument("--date-format", choices=tuple(DATE_FORMATS), metavar="|".join(DATE_FORMATS),
                     help="how the dates are written")
    imp.add_argument("--mapping", metavar="NAME",
                     help="a mapping saved in the import wizard (or a shipped preset): which column is which "
                          "field, columns not imported, and the format")


def _say(text: str) -> None:
    print(text, flush=True)


def run(args, open_db) -> int:
    from debtordesk.domain.problems import Rejected
    from debtordesk.services.import_format import detect_format
    from debtordesk.services.import_mapping import load_mapping, suggest_mapping
    from debtordesk.services.imports import import_csv

    kind, path = args.kind, args.file
    db = open_db(args)
    saved = None
    if args.mapping:
        with db.session() as s:
            saved = load_mapping(s, kind, args.mapping)
    delimiter = args.delimiter or (saved.format.delimiter if saved else None)
    found = detect_format(path, kind, encoding=args.encoding, delimiter=delimiter, mapping=saved)
    fmt = found.format
    if saved is not None:
        fmt = fmt.but(decimal_comma=saved.format.decimal_comma, date_format=saved.format.date_format)
        fields: list = found.fields
    else:
        fields = suggest_mapping(kind, found.header, unknown=None)  # a column naming no field is refused
    if args.decimal_comma:
        fmt = fmt.but(decimal_comma=True)
    if args.date_format:
        fmt = fmt.but(date_format=args.date_format)
    ambiguous = found.date_ambiguous and not args.date_format and saved is None

    source = f"as saved in '{saved.name}'" if saved else "detected"
    _say(f"{path.name}: {fmt.describe()} ({source}).")
    for note in found.notes:
        if not note.sure:
            _say(f"  Note: {note.text}")
    parts = []
    for header, name in zip(found.header, fields, strict=True):
        if name is None:
            parts.append(f"{header} -> ?")
        elif name == "":
            parts.append(f"{header} (not imported)")
        elif name == header:
            parts.append(header)
        else:
            parts.append(f"{header} -> {name}")
    _say(f"  Columns: {', '.join(parts)}")
    if ambiguous:
        print(f"{path.name}: the dates could be day/month or month/day (for example "
              f"{_example(found.notes)}); nothing was imported. Say which with --date-format dd/mm/yyyy "
              "or --date-format mm/dd/yyyy.", file=sys.stderr)
        return EXIT_REJECTED

    try:
        with db.session() as s, s.begin():
            result = import_csv(s, kind, path, fmt, fields)
            if args.dry_run:
                s.rollback()
    except Rejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        unknown = [h for h, f in zip(found.header, fields, strict=True) if f is None]
        if unknown:
            listed = ", ".join(f"'{h}'" for h in unknown)
            print(f"{listed} {'is not a column' if len(unknown) == 1 else 'are not columns'} DebtorDesk knows: "
                  "rename it, or save a mapping that leaves it out (File > Import... in the app) and pass "
                  "--mapping NAME.", file=sys.stderr)
        print(f"Nothing was imported: {len(exc.problems)} problem(s) found.", file=sys.stderr)
        return EXIT_REJECTED
    if args.dry_run:
        _say(f"{path.name}: {result.rows} {kind} checked, no problems found. Nothing was written (dry run).")
    else:
        _say(f"Imported {result.rows} {kind} from {path.name}.")
    return EXIT_OK


def _example(notes) -> str:
    text = next((n.text for n in notes if n.what == "dates"), "")
    start = text.find("(for example ")
    return text[start + 13:text.find(")", start)] if start >= 0 else "03/04/2026"
