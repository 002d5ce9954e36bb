"""Render every default letter from the demo data, as a user would get them, to PDF (and PNG pages
when poppler's pdftoppm is installed): `python -m debtordesk.tools.letter_previews OUT/`.

On a throw-away demo database it walks one English customer (UK rules) and one German customer
(§ 288 BGB, paid in euros: the letters carry a payment QR code) through every level of the default
policy, recording each letter as sent so the next run escalates, and adds a statement of account.
Then each agrees a payment plan over their overdue invoices and gets its agreement letter: the
English one 12 monthly instalments after a down payment, with a plan fee and interest waived while
the plan is kept; the German one 36 monthly instalments at 4 % a year, statutory interest running.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

WALK = {"C00003": "en", "C00010": "de"}  # Kettle & Crumb Café (GBP), Weiß Elektrotechnik GmbH (EUR)


def agree_plan(session, customer_id: int, language: str, today: date) -> int:
    """A plan over the customer's overdue invoices, as the previews show it (see the docstring)."""
    from debtordesk.domain.plans import Frequency, Interest, PlanTerms
    from debtordesk.services.plans import coverable_invoices, create_plan, overdue_selection

    items = coverable_invoices(session, customer_id, today)
    currency = "GBP" if language == "en" else "EUR"
    chosen = overdue_selection(items, currency)
    amount = sum(c.open_minor for c in items if c.invoice_id in chosen)
    first = today + timedelta(days=7)
    if language == "en":
        terms = PlanTerms(amount, currency, first, Frequency.monthly(), count=12,
                          down_payment_minor=amount // 10 // 100 * 100, plan_fee_minor=2500, grace_days=7)
        waive = True
    else:
        terms = PlanTerms(amount, currency, first, Frequency.monthly(), count=36, interest=Interest.annual(4),
                          grace_days=14)
        waive = False
    return create_plan(session, customer_id, chosen, terms, agreed_on=today, waive_interest=waive,
                       who="preview").id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debtordesk.tools.letter_previews")
    parser.add_argument("out", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from debtordesk.db.engine import open_database
    from debtordesk.db.models import Customer
    from debtordesk.services.demo import fill_demo
    from debtordesk.services.dunning import DEFAULT_POLICY, dunning_run, policy_rows, save_policy
    from debtordesk.services.dunning_letters import mark_sent, render_run
    from debtordesk.services.plan_letters import agreement_pdf
    from debtordesk.services.statements import statement_pdf

    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'demo.sqlite3'}")
        with db.transaction() as s:
            fill_demo(s, args.today)
            # a walk through the levels in four weeks: every level due, a week between letters
            rows = policy_rows(DEFAULT_POLICY)
            for row in rows:
                row["min_days_since_previous"] = "7"
            save_policy(s, rows)
            s.scalars(select(Customer).where(Customer.ref == "C00010")).one().late_payment_regime = "de"
        start = args.today - timedelta(days=7 * (len(DEFAULT_POLICY) - 1))
        for step in range(len(DEFAULT_POLICY)):
            as_of = start + timedelta(days=7 * step)
            with db.session() as s:
                chosen = [p for p in dunning_run(s, as_of) if p.proposed and p.ref in WALK]
                for p in chosen:
                    began = time.perf_counter()
                    pdf = render_run(s, [p], as_of)
                    name = f"{p.level.key}-{WALK[p.ref]}"
                    target = args.out / f"{name}.pdf"
                    target.write_bytes(pdf)
                    written.append(target)
                    print(f"{target}  ({p.name}, {p.level.name}, {(time.perf_counter() - began) * 1000:.0f} ms)")
            with db.transaction() as s:
                mark_sent(s, [p.letter_key for p in chosen], as_of)
        with db.session() as s:
            for ref, language in WALK.items():
                cid = s.scalars(select(Customer.id).where(Customer.ref == ref)).one()
                target = args.out / f"statement-{language}.pdf"
                target.write_bytes(statement_pdf(s, cid, args.today))
                written.append(target)
                print(target)
        with db.transaction() as s:
            for ref, language in WALK.items():
                cid = s.scalars(select(Customer.id).where(Customer.ref == ref)).one()
                _, pdf = agreement_pdf(s, agree_plan(s, cid, language, args.today), args.today, who="preview")
                target = args.out / f"plan-agreement-{language}.pdf"
                target.write_bytes(pdf)
                written.append(target)
                print(target)
        db.dispose()
    if shutil.which("pdftoppm"):
        for pdf in written:
            subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), str(pdf), str(pdf.with_suffix(""))], check=True)
            pdf.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
