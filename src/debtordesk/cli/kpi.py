"""`debtordesk kpi`: collection KPIs per currency as of a date (DSO, countback DSO, CEI, days late,
% paid late, overdue share), the 12-month trend and the 13-week forecast of receipts.

    debtordesk kpi [--as-of YYYY-MM-DD] [--period-days 90] [--format table|json]

Formulas and definitions: docs/kpi.md. A KPI that cannot be worked out shows "not enough data"
(null in JSON). Only the standard library is imported at module level: `debtordesk --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

NOT_ENOUGH = "not enough data"


def _days_arg(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days (a whole number, at least 1)")
    return int(text)


def add_parser(sub, common, date_arg) -> None:
    p = sub.add_parser("kpi", parents=[common], help="collection KPIs per currency, their trend and a forecast",
                       description="Collection KPIs per currency as of a date, the DSO and overdue share at the "
                                   "last 12 month ends, and the receipts expected in the next 13 weeks.")
    p.add_argument("--as-of", type=date_arg, default=None, metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--period-days", type=_days_arg, default=90, metavar="N",
                   help="the period the KPIs look back over, ending on the as-of date (default 90)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run_command=run)


def report(session, as_of: date, period_days: int) -> dict:
    """Everything the command shows, as JSON-ready data."""
    from debtordesk.services.kpi import (
        collection_kpis,
        forecast_json,
        kpi_json,
        kpi_trend,
        receipts_forecast,
        trend_json,
    )

    results = collection_kpis(session, as_of, period_days)
    data = {
        "as_of": as_of.isoformat(), "period_days": period_days, "currencies": kpi_json(results),
        "trend": trend_json(kpi_trend(session, as_of)), "forecast": forecast_json(receipts_forecast(session, as_of)),
        "notes": [],
    }
    if not results:
        data["notes"].append(f"Not enough data: nothing was owed, invoiced or paid off in the {period_days} days "
                             f"to {as_of.isoformat()}.")
    return data


def _table(header: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    def line(cells: list[str]) -> str:
        return indent + "  ".join(x.ljust(w) if i == 0 else x.rjust(w)
                                  for i, (x, w) in enumerate(zip(cells, widths, strict=True)))

    lines = [line(r) for r in [header, *rows]]
    lines.insert(1, indent + "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _value(text: str | None, unit: str) -> str:
    return NOT_ENOUGH if text is None else f"{text}{unit}"


def _print_currency(cur: str, k: dict | None, trend: list[dict], forecast: dict | None, period_days: int) -> None:
    print(cur)
    if k is None:
        print(f"  {NOT_ENOUGH}: nothing was owed, invoiced or paid off in the period.")
    else:
        n_late, n_paid = k["invoices_paid_late"], k["invoices_paid_off"]
        paid = f" ({n_late} of {n_paid} invoices paid off)" if n_paid else ""
        lines = [
            ("Receivables", k["receivables"]), ("Overdue", k["overdue"]),
            (f"Credit sales ({period_days} days)", k["credit_sales"]),
            ("DSO", _value(k["dso"], " days")), ("Countback DSO", _value(k["countback_dso"], " days")),
            ("CEI", _value(k["cei"], " %")), ("Average days late", _value(k["average_days_late"], " days")),
            ("Paid late", _value(k["share_paid_late"], " %") + paid),
            ("Overdue share", _value(k["overdue_share"], " %")),
        ]
        width = max(len(label) for label, _ in lines)
        for label, value in lines:
            print(f"  {label:<{width}}  {value}")
        for note in k["notes"]:
            print(f"  Note: {note}")
    if trend:
        print()
        print("  Trend at each month end (DSO over the 90 days to it)")
        print(_table(["Month end", "DSO (days)", "Overdue share (%)"],
                     [[p["month_end"], p["dso"] or NOT_ENOUGH, p["overdue_share"] or NOT_ENOUGH] for p in trend]))
    if forecast:
        print()
        print("  Receipts expected (due dates moved by each customer's average days late)")
        rows = [[w["week_start"], w["expected"], w["overdue"]] for w in forecast["weeks"]]
        rows.append(["later", forecast["later"], ""])
        print(_table(["Week from", "Expected", "Of it overdue"], rows))
    print()


def run(args, open_db) -> int:
    as_of = args.as_of or date.today()
    db = open_db(args)
    with db.session() as s:
        data = report(s, as_of, args.period_days)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"Collection KPIs as of {data['as_of']} (period: the {args.period_days} days to it)")
    print()
    for note in data["notes"]:
        print(note)
    kpis = {k["currency"]: k for k in data["currencies"]}
    for cur in sorted(set(kpis) | set(data["trend"]) | set(data["forecast"])):
        _print_currency(cur, kpis.get(cur), data["trend"].get(cur, []), data["forecast"].get(cur), args.period_days)
    return 0
