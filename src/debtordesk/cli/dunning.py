"""`debtordesk dunning`: the letters due as of a date; `--print OUT.pdf` renders them and
`--mark-sent` records them as sent."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path


def add_parser(sub, common, date_arg) -> None:
    p = sub.add_parser("dunning", parents=[common], help="the reminder letters due as of a date")
    p.add_argument("--as-of", type=date_arg, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--all", action="store_true", help="also list the accounts that get no letter, with the reason")
    p.add_argument("--print", dest="pdf", type=Path, default=None, metavar="OUT.pdf",
                   help="write the proposed letters into one PDF")
    p.add_argument("--mark-sent", action="store_true", help="record the printed letters as sent (with --print)")


def proposal_json(p) -> dict:
    from debtordesk.domain.money import format_plain

    money = lambda m: format_plain(m, p.currency)  # noqa: E731
    return {
        "customer_ref": p.ref, "name": p.name, "currency": p.currency,
        "level": p.level.position if p.level else None, "level_name": p.level.name if p.level else "",
        "days_overdue": p.days_overdue, "pay_by": p.pay_by.isoformat() if p.pay_by else None,
        "invoices": [x.number for x in p.lines], "open": money(p.open_minor), "interest": money(p.interest_minor),
        "compensation": money(p.compensation_minor), "fee": money(p.fee_minor), "total": money(p.total_minor),
        "regime": p.regime, "reason": p.reason,
    }


def run(args, open_db, table) -> int:
    from debtordesk.domain.problems import Rejected
    from debtordesk.services.dunning import dunning_run
    from debtordesk.services.dunning_letters import mark_sent, render_run

    if args.mark_sent and args.pdf is None:
        print("--mark-sent records printed letters: give --print OUT.pdf as well.", file=sys.stderr)
        return 2
    as_of = args.as_of or date.today()
    db = open_db(args)
    with db.session() as s:
        proposals = dunning_run(s, as_of)
    shown = proposals if args.all else [p for p in proposals if p.proposed]
    chosen = [p for p in proposals if p.proposed]
    if args.pdf is not None:
        if not chosen:
            print(f"No letters are due as of {as_of.isoformat()}; nothing was written.", file=sys.stderr)
            return 1
        with db.session() as s:
            pdf = render_run(s, chosen, as_of)
        args.pdf.write_bytes(pdf)
        print(f"Wrote {len(chosen)} letter(s) to {args.pdf}.")
        if args.mark_sent:
            try:
                with db.transaction() as s:
                    sent = mark_sent(s, [p.letter_key for p in chosen], as_of)
            except Rejected as exc:
                for problem in exc.problems:
                    print(problem, file=sys.stderr)
                print("No letter was recorded as sent.", file=sys.stderr)
                return 1
            print(f"Recorded {len(sent)} letter(s) as sent on {as_of.isoformat()}, the date they carry.")
        return 0
    if args.format == "json":
        print(json.dumps({"as_of": as_of.isoformat(), "proposals": [proposal_json(p) for p in shown]},
                         ensure_ascii=False, indent=2))
        return 0
    if not shown:
        print(f"No letters are due as of {as_of.isoformat()}.")
        return 0
    keys = ["customer_ref", "name", "currency", "level_name", "days_overdue", "open", "interest", "compensation",
            "fee", "total"]
    rows = []
    for p in shown:
        d = proposal_json(p)
        rows.append([str(d[k]) if k != "name" else d[k][:28] for k in keys])
        if not p.proposed:
            rows[-1][3] = "-"
    header = ["ref", "name", "cur", "letter", "days", "open", "interest", "comp.", "fee", "total"]
    print(f"Letters due as of {as_of.isoformat()}: {len(chosen)}")
    print(table(header, rows, right_from=4))
    skipped = [p for p in shown if not p.proposed]
    if skipped:
        print("\nNo letter for:")
        for p in skipped:
            print(f"  {p.ref} {p.name} ({p.currency}): {p.reason}")
    return 0
