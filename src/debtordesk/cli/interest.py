"""`debtordesk interest`: statutory late-payment interest and compensation on one debt.

    debtordesk interest --amount 1000 --due 2024-03-15 --until 2024-06-13 --regime uk
    debtordesk interest --amount 5000 --due 2024-05-31 --until 2024-08-31 --regime de-b2b \\
        --paid 2024-07-15:2000 --format json

Rates come from the tables shipped with DebtorDesk, merged with the rates the user added in
Settings when a database already exists at --db / $DEBTORDESK_DB (this command never creates one).
Exit status 0, or 1 with a plain sentence on stderr when the input is refused.
Only the standard library is imported at module level: `debtordesk --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys

CLI_REGIMES = ("uk", "de-b2b", "de-b2c", "eu", "contract")


def add_parser(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "interest", parents=[common],
        help="late-payment interest and compensation on one debt, with the workings",
        description="Work out statutory late-payment interest and the fixed compensation on one debt.",
    )
    p.add_argument("--amount", required=True, metavar="AMOUNT", help="the debt, like 1234.50")
    p.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="the due date")
    p.add_argument("--until", required=True, metavar="YYYY-MM-DD",
                   help="interest runs to this day inclusive (payment or claim date)")
    p.add_argument("--regime", required=True, choices=CLI_REGIMES,
                   help="uk (business), de-b2b, de-b2c, eu (business) or contract")
    p.add_argument("--rate", default=None, metavar="PCT", help="annual %% for --regime contract")
    p.add_argument("--currency", default=None, help="default GBP for uk and contract, EUR for de and eu")
    p.add_argument("--paid", action="append", default=[], metavar="DATE:AMOUNT",
                   help="a part-payment (repeat for several)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    return p


def _date(option: str, text: str):
    from debtordesk.domain.dates import DateError, parse_iso_date
    from debtordesk.domain.problems import UserError

    try:
        return parse_iso_date(text)
    except DateError as exc:
        raise UserError(f"{option}: {exc}.") from None


def _amount(option: str, text: str, currency: str) -> int:
    from debtordesk.domain.money import MoneyError, parse_amount
    from debtordesk.domain.problems import UserError

    try:
        return parse_amount(text, currency)
    except MoneyError as exc:
        raise UserError(f"{option}: {exc}.") from None


def _payments(items: list[str], currency: str) -> list[tuple]:
    from debtordesk.domain.problems import UserError

    out = []
    for item in items:
        day, sep, amount = item.partition(":")
        if not sep:
            raise UserError(f"--paid: '{item}' must be written DATE:AMOUNT, for example 2024-04-30:250.00.")
        out.append((_date("--paid", day), _amount("--paid", amount, currency)))
    return out


def _contract_rate(text: str | None):
    from decimal import Decimal, InvalidOperation

    from debtordesk.domain.problems import UserError

    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise UserError(f"--rate: '{text}' is not a rate; write the annual percentage like 8 or 7.5.")
    return value


def _rate_tables(db_option: str | None):
    """The user's merged tables when a database is already there, else the shipped tables."""
    from debtordesk.config import resolve_db_url, sqlite_path
    from debtordesk.services.rates import TABLE_FILES, shipped_table

    url = resolve_db_url(db_option)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return {key: shipped_table(key) for key in TABLE_FILES}
    from debtordesk.db.engine import open_database
    from debtordesk.services.rates import rate_tables

    db = open_database(url)
    try:
        with db.session() as s:
            return rate_tables(s)
    finally:
        db.dispose()


def result_json(result, amount_minor: int, due, until) -> dict:
    from debtordesk.domain.interest import legal_basis
    from debtordesk.domain.money import format_plain

    cur = result.currency

    def money(minor: int) -> str:
        return format_plain(minor, cur)

    return {
        "regime": result.regime,
        "currency": cur,
        "amount": money(amount_minor),
        "due": due.isoformat(),
        "until": until.isoformat(),
        "interest": money(result.interest_minor),
        "compensation": money(result.compensation_minor),
        "total": money(result.total_minor),
        "periods": [
            {"from": p.start.isoformat(), "to": p.end.isoformat(), "days": p.days, "rate": str(p.rate),
             "principal": money(p.principal_minor), "interest": money(p.interest_minor)}
            for p in result.periods
        ],
        "notes": list(result.notes),
        "legal_basis": legal_basis(result.regime, "en"),
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(x.ljust(w) if i < 2 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _print_table(data: dict) -> None:
    from debtordesk.domain.interest import REGIME_LABELS

    cur = data["currency"]
    print(f"Late-payment interest: {REGIME_LABELS[data['regime']]}")
    print(f"Debt {data['amount']} {cur}, due {data['due']}, interest to {data['until']}")
    print()
    if data["periods"]:
        rows = [[p["from"], p["to"], str(p["days"]), p["rate"], p["principal"], p["interest"]]
                for p in data["periods"]]
        print(_table(["From", "To", "Days", "Rate %", "Principal", "Interest"], rows))
    else:
        print("No interest period.")
    print()
    width = max(len(data[k]) for k in ("interest", "compensation", "total"))
    for label, key in (("Interest", "interest"), ("Compensation", "compensation"), ("Total", "total")):
        print(f"{label:<13}{data[key]:>{width}} {cur}")
    for note in data["notes"]:
        print(f"Note: {note}")
    if data["legal_basis"]:
        print(f"Basis: {data['legal_basis']}")


def run(args) -> int:
    from debtordesk.domain.interest import late_payment
    from debtordesk.domain.money import check_currency
    from debtordesk.domain.problems import UserError

    try:
        default = "EUR" if args.regime.startswith("de") or args.regime == "eu" else "GBP"
        currency = check_currency(args.currency or default)
        amount = _amount("--amount", args.amount, currency)
        due = _date("--due", args.due)
        until = _date("--until", args.until)
        payments = _payments(args.paid, currency)
        contract_rate = _contract_rate(args.rate)
        kind = "consumer" if args.regime == "de-b2c" else "business"
        tables = None if args.regime == "contract" else _rate_tables(getattr(args, "db", None))
        result = late_payment(amount, currency, due, until, args.regime, kind, payments=payments,
                              rates=tables, contract_rate=contract_rate)
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    data = result_json(result, amount, due, until)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_table(data)
    return 0
