"""`debtordesk --self-test`: does this installation work? For the installed app (the PyInstaller
bundle, where a missing data file or Qt plugin shows only at run time) and for a checkout alike.

On a temporary database with sample data, in a temporary folder (the user's data, settings and
keychain are not touched), it checks that:
- the shipped resources are there: fonts, letter templates, rate tables (parsed), icons;
- the database layer works: a new SQLite file migrated to the newest schema (Alembic's scripts
  are in the bundle) and filled with the sample data;
- Babel's locale data formats money and dates in English and German;
- a real letter renders through the letters layer (a statement of account): a PDF with pages,
  text on them and DejaVu Sans embedded;
- the Qt parts (ui/selftest.py): the platform plugins (offscreen, and the native one loads), the
  DejaVu fonts load in Qt, the image-format and print-support plugins, a PDF printed through
  QPrinter, and the main window opened offscreen on the temporary database, painted with its data.

It prints one line per check and exits 0 when all pass, else 1 with what is missing. With
DEBTORDESK_SELF_TEST_KEEP=DIR it copies what it made (the statement, the QPrinter PDF, a picture of
the main window) to DIR. Only ui/ imports Qt: the Qt checks are imported when they run.
"""

from __future__ import annotations

import base64
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_FAILED = 0, 1
KEEP_ENV = "DEBTORDESK_SELF_TEST_KEEP"  # a folder: the self-test copies what it made there


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


class Failed(Exception):
    """A check found something missing or wrong; the message says what."""


@dataclass
class Context:
    """What the checks share: the temporary folder, the database and a customer to write to."""

    folder: Path
    today: date
    db: object | None = None
    customer_id: int | None = None


def _resources(ctx: Context) -> str:
    from debtordesk.config import font_path, resources_dir
    from debtordesk.services.rates import TABLE_FILES, shipped_table

    root = resources_dir()
    missing = [name for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if not font_path(name).is_file()]
    letters = root / "templates" / "letters"
    languages = sorted(p.name for p in letters.iterdir() if p.is_dir()) if letters.is_dir() else []
    templates = sorted(letters.glob("*/*.txt"))
    if not templates:
        missing.append("templates/letters/*/*.txt")
    icons = sorted((root / "icons").glob("debtordesk-*.png"))
    if not icons:
        missing.append("icons/debtordesk-*.png")
    if missing:
        raise Failed(f"missing from {root}: {', '.join(missing)}")
    rates = {key: len(shipped_table(key).entries) for key in TABLE_FILES}
    return (f"2 fonts, {len(templates)} letter templates ({', '.join(languages)}), "
            f"{len(rates)} rate tables ({sum(rates.values())} rates), {len(icons)} icons in {root}")


def _database(ctx: Context) -> str:
    from sqlalchemy import func, select

    from debtordesk.db.engine import head_revision, open_database
    from debtordesk.db.models import Customer, Invoice
    from debtordesk.services.demo import fill_demo

    path = ctx.folder / "self-test.sqlite3"
    ctx.db = open_database(f"sqlite:///{path}")
    with ctx.db.transaction() as session:
        customers, invoices, payments = fill_demo(session, ctx.today)
    with ctx.db.session() as session:
        ctx.customer_id = session.scalars(
            select(Invoice.customer_id).group_by(Invoice.customer_id).order_by(func.count().desc())).first()
        count = session.scalar(select(func.count()).select_from(Customer))
    if not count or ctx.customer_id is None:
        raise Failed("the sample data did not reach the database")
    return (f"new SQLite file migrated to schema {head_revision()}, sample data: {customers} customers, "
            f"{invoices} invoices, {payments} payments")


def _locales(ctx: Context) -> str:
    from babel.dates import format_date

    from debtordesk.domain.money import format_money

    shown = []
    for locale, currency in (("en_GB", "GBP"), ("de_DE", "EUR")):
        text = f"{format_money(123456, currency, locale)} {format_date(ctx.today, 'long', locale=locale)}"
        shown.append(f"{locale} {text}")
    if "1.234,56" not in shown[1]:
        raise Failed(f"German formatting fell back to another locale ({shown[1]}): Babel's locale data is missing")
    return "; ".join(shown)


def _unescape(literal: bytes) -> str:
    """A PDF literal string's bytes as text; the subset fonts reportlab embeds keep printable
    ASCII at its own codes, so ASCII text reads back as written."""
    out = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                 else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)), literal, flags=re.S)
    return "".join(chr(b) if 32 <= b < 127 else "?" for b in out)


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        for decode in (lambda r: r, lambda r: base64.a85decode(r.strip(), adobe=True)):
            try:
                found.append(zlib.decompressobj().decompress(decode(raw)))
                break
            except (zlib.error, ValueError):
                continue
    return found


def pdf_facts(pdf: bytes) -> dict:
    """What a PDF holds, read without a PDF library: pages, the text its content streams show
    (ASCII only, '?' for the rest), and whether DejaVu Sans is embedded (a TrueType font file)."""
    runs: list[str] = []
    for content in _streams(pdf):
        runs += [_unescape(m) for m in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj\b", content, re.S)]
    return {
        "pdf": pdf.startswith(b"%PDF-"),
        "pages": len(re.findall(rb"/Type\s*/Page\b", pdf)),
        "text": "\n".join(runs),
        "text_runs": len(runs),
        "dejavu": b"/FontFile2" in pdf and bool(re.search(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?DejaVuSans\b", pdf)),
    }


def _letter(ctx: Context) -> str:
    from debtordesk.db.models import Customer
    from debtordesk.services.statements import statement_pdf

    if ctx.db is None or ctx.customer_id is None:
        raise Failed("skipped: no database")
    with ctx.db.session() as session:
        customer = session.get(Customer, ctx.customer_id)
        ref = customer.ref
        started = time.perf_counter()
        pdf = statement_pdf(session, ctx.customer_id, ctx.today)
        took = time.perf_counter() - started
    (ctx.folder / f"statement-{ref}.pdf").write_bytes(pdf)
    facts = pdf_facts(pdf)
    problems = [what for what, bad in (("not a PDF", not facts["pdf"]), ("no pages", not facts["pages"]),
                                       ("no text", facts["text_runs"] < 10),
                                       (f"its text lacks the customer number {ref}", ref not in facts["text"]),
                                       ("DejaVu Sans not embedded", not facts["dejavu"])) if bad]
    if problems:
        raise Failed(f"the statement for {ref} is wrong: {', '.join(problems)}")
    return (f"statement of account for {ref}: {facts['pages']} page(s), {len(pdf) // 1024} kB, "
            f"{facts['text_runs']} lines of text incl. '{ref}', DejaVu Sans embedded ({took:.2f} s)")


def _readers(ctx: Context) -> str:
    """The libraries loaded only when asked for: the PostgreSQL driver of a shared office database
    and the bank-statement parsers (a bundle that left one out would fail only then)."""
    import importlib

    import psycopg

    for module in ("sqlalchemy.dialects.postgresql.psycopg", "mt940", "ofxparse", "pycamt.parser", "lxml.etree"):
        importlib.import_module(module)
    libpq = psycopg.pq.version()
    return (f"PostgreSQL driver psycopg {psycopg.__version__} (libpq {libpq // 10000}.{libpq % 10000}); "
            "bank statements: CAMT.053, MT940, OFX")


STEPS: tuple[tuple[str, Callable[[Context], str]], ...] = (
    ("resources", _resources),
    ("database", _database),
    ("locales", _locales),
    ("letter", _letter),
    ("readers", _readers),
)


def _run_step(name: str, step: Callable[[Context], str], ctx: Context) -> Check:
    try:
        return Check(name, True, step(ctx))
    except Failed as exc:
        return Check(name, False, str(exc))
    except Exception as exc:  # noqa: BLE001 - the report names whatever broke
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def _where() -> str:
    if getattr(sys, "frozen", False):
        return f"installed bundle {Path(sys.executable).resolve().parent}"
    return f"Python {platform.python_version()} at {sys.executable}"


def run_self_test(out: TextIO | None = None, *, qt: bool = True) -> int:
    """Run every check, print the report to `out` (stdout); 0 when all passed, else 1."""
    from debtordesk import __version__

    out = out or sys.stdout
    started = time.perf_counter()
    print(f"DebtorDesk {__version__} self-test ({_where()}; {platform.system()} {platform.machine()})",
          file=out, flush=True)
    checks: list[Check] = []

    def report(check: Check) -> None:
        checks.append(check)
        print(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name:<14} {check.detail}", file=out, flush=True)

    keep = os.environ.get(KEEP_ENV)
    with tempfile.TemporaryDirectory(prefix="debtordesk-self-test-") as tmp:
        ctx = Context(Path(tmp), date.today())
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        for name, step in STEPS:
            report(_run_step(name, step, ctx))
        if qt:
            try:
                from debtordesk.ui.selftest import qt_checks

                for check in qt_checks(ctx):
                    report(check)
            except Exception as exc:  # noqa: BLE001 - e.g. Qt's libraries cannot be loaded at all
                report(Check("qt", False, f"{type(exc).__name__}: {exc}"))
        if ctx.db is not None:
            ctx.db.dispose()
        if keep:  # the letter, the QPrinter PDF and the window's picture, to look at
            Path(keep).mkdir(parents=True, exist_ok=True)
            for made in sorted(Path(tmp).glob("*.p[dn][fg]")):
                shutil.copy2(made, Path(keep) / made.name)
    failed = [c for c in checks if not c.ok]
    took = time.perf_counter() - started
    if failed:
        print(f"Self-test FAILED: {len(failed)} of {len(checks)} checks ({', '.join(c.name for c in failed)}) "
              f"in {took:.1f} s.", file=out, flush=True)
        return EXIT_FAILED
    print(f"Self-test passed: {len(checks)} checks in {took:.1f} s.", file=out, flush=True)
    return EXIT_OK
