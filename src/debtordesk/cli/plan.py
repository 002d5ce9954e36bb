"""`debtordesk plan`: the schedule of a payment plan, worked out without a database.

    debtordesk plan --amount 10000 --start 2027-01-31 --count 12 --annual-rate 12
    debtordesk plan --amount 1000 --start 2027-01-31 --instalment 250 --every fortnight --down 100 \\
        --fee 10 --format json

Rules (rounding, month ends, interest): docs/plans.md. Exit status 0, or 1 with a plain sentence
naming the option on stderr. Only the standard library is imported at module level.
"""

from __future__ import annotations

import argparse
import json
import sys

# PlanTerms field -> the option that sets it, for refusals
OPTIONS = {
    "amount_minor": "--amount", "currency": "--currency", "first_due": "--start", "frequency": "--every",
    "count": "--count", "instalment_minor": "--instalment", "down_payment_minor": "--down",
    "plan_fee_minor": "--fee", "interest": "--flat-pct/--annual-rate", "grace_days": "--grace-days",
}


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "plan", help="the schedule of a payment plan (instalments, interest, end date)",
        description="Work out a payment plan: the due date and amount of each instalment, the interest in it, "
                    "and what is still to pay after it. Needs no database.",
    )
    p.add_argument("--amount", required=True, metavar="AMOUNT", help="the debt, like 1234.50")
    p.add_argument("--start", required=True, metavar="YYYY-MM-DD",
                   help="the first payment date (the down payment's, if there is one)")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--count", metavar="N", help="number of instalments (1 to 600)")
    size.add_argument("--instalment", metavar="AMOUNT", help="amount of each instalment; the count follows")
    p.add_argument("--every", default="month", metavar="week|fortnight|month|Nd",
                   help="how far apart instalments are (default month; 10d = every 10 days)")
    p.add_argument("--down", default=None, metavar="AMOUNT", help="down payment, due on the start date")
    p.add_argument("--fee", default=None, metavar="AMOUNT", help="plan fee, spread over the instalments")
    rate = p.add_mutually_exclusive_group()
    rate.add_argument("--flat-pct", default=None, metavar="PCT",
                      help="flat interest: this percentage of the financed amount, once")
    rate.add_argument("--annual-rate", default=None, metavar="PCT",
                      help="annual interest rate, amortised (equal payments)")
    p.add_argument("--grace-days", default=None, metavar="N", help="days after a due date before it counts as late")
    p.add_argument("--currency", default="GBP")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run_command=run)
    return p


def _amount(option: str, text: str | None, currency: str) -> int:
    from debtordesk.domain.money import MoneyError, parse_amount
    from debtordesk.domain.problems import UserError

    if text is None:
        return 0
    try:
        return parse_amount(text, currency)
    except MoneyError as exc:
        raise UserError(f"{option}: {exc}.") from None


def _whole(option: str, text: str | None) -> int | None:
    from debtordesk.domain.problems import UserError

    if text is None:
        return None
    raw = text.strip()
    if not raw.lstrip("-").isdigit():
        raise UserError(f"{option}: '{raw}' is not a whole number.")
    return int(raw)


def _percent(option: str, text: str):
    from decimal import Decimal, InvalidOperation

    from debtordesk.domain.problems import UserError

    raw = text.strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or any(c not in "+-.0123456789" for c in raw):
        raise UserError(f"{option}: '{raw}' is not a percentage; write it like 12 or 7.5.")
    return value


def terms_from_args(args):
    from debtordesk.domain.dates import DateError, parse_iso_date
    from debtordesk.domain.money import MoneyError, check_currency
    from debtordesk.domain.plans import NO_INTEREST, Interest, PlanTerms, parse_frequency
    from debtordesk.domain.problems import FieldErrors, UserError, sentence

    try:
        currency = check_currency(args.currency)
    except MoneyError as exc:
        raise UserError(f"--currency: {exc}.") from None
    try:
        start = parse_iso_date(args.start)
    except DateError as exc:
        raise UserError(f"--start: {exc}.") from None
    try:
        frequency = parse_frequency(args.every)
    except FieldErrors as exc:
        raise UserError(f"--every: {sentence(exc.errors['frequency'])}") from None
    interest = NO_INTEREST
    if args.flat_pct is not None:
        interest = Interest.flat(_percent("--flat-pct", args.flat_pct))
    elif args.annual_rate is not None:
        interest = Interest.annual(_percent("--annual-rate", args.annual_rate))
    return PlanTerms(
        amount_minor=_amount("--amount", args.amount, currency), currency=currency, first_due=start,
        frequency=frequency, count=_whole("--count", args.count),
        instalment_minor=_amount("--instalment", args.instalment, currency) if args.instalment is not None else None,
        down_payment_minor=_amount("--down", args.down, currency), plan_fee_minor=_amount("--fee", args.fee, currency),
        interest=interest, grace_days=_whole("--grace-days", args.grace_days) or 0,
    )


def schedule_json(s) -> dict:
    from debtordesk.domain.money import format_plain

    cur = s.currency
    t = s.terms

    def money(minor: int) -> str:
        return format_plain(minor, cur)

    return {
        "currency": cur,
        "amount": money(t.amount_minor),
        "down_payment": money(t.down_payment_minor),
        "plan_fee": money(t.plan_fee_minor),
        "first_due": t.first_due.isoformat(),
        "frequency": t.frequency.label,
        "interest": {"kind": t.interest.kind, "percent": str(t.interest.percent)},
        "grace_days": t.grace_days,
        "count": s.count,
        "instalments": [
            {"number": i.number, "due": i.due.isoformat(), "amount": money(i.amount_minor),
             "principal": money(i.principal_minor), "interest": money(i.interest_minor), "fee": money(i.fee_minor),
             "balance_after": money(i.balance_after_minor)}
            for i in s.instalments
        ],
        "totals": {"principal": money(s.principal_minor), "interest": money(s.interest_minor),
                   "fee": money(s.fee_minor), "total": money(s.total_minor)},
        "end": s.end.isoformat(),
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(x.ljust(w) if i == 1 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _print_table(d: dict) -> None:
    cur = d["currency"]
    interest = d["interest"]
    how = {"none": "no interest", "flat": f"flat interest {interest['percent']}%",
           "annual": f"{interest['percent']}% a year, amortised"}[interest["kind"]]
    print(f"Payment plan: {d['amount']} {cur} in {d['count']} instalment(s), {d['frequency']}, {how}")
    extras = [f"{label} {d[key]} {cur}" for label, key in (("down payment", "down_payment"), ("plan fee", "plan_fee"))
              if d[key].strip("0.")]
    if extras:
        print(f"With a {' and a '.join(extras)}")
    print()
    rows = [["down" if i["number"] == 0 else str(i["number"]), i["due"], i["amount"], i["interest"],
             i["balance_after"]] for i in d["instalments"]]
    print(_table(["No.", "Due", "Amount", "Of it interest", "Balance after"], rows))
    print()
    totals = d["totals"]
    lines = [("Principal", totals["principal"]), ("Interest", totals["interest"]), ("Fee", totals["fee"]),
             ("Total", totals["total"])]
    width = max(len(v) for _, v in lines)
    for label, value in lines:
        print(f"{label:<10}{value:>{width}} {cur}")
    print(f"Last instalment due {d['end']}")
    if d["grace_days"]:
        print(f"An instalment counts as late {d['grace_days']} day(s) after its due date.")


def run(args) -> int:
    from debtordesk.domain.plans import schedule
    from debtordesk.domain.problems import FieldErrors, UserError, sentence

    try:
        s = schedule(terms_from_args(args))
    except FieldErrors as exc:
        for field, message in exc.errors.items():
            print(f"{OPTIONS.get(field, field)}: {sentence(message)}", file=sys.stderr)
        return 1
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    data = schedule_json(s)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_table(data)
    return 0
