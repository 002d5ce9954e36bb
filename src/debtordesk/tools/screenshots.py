"""Render every main screen on a demo database, its dialogs, the import wizard, the bank-statement
review, the Restore dialog and the first-run welcome, to PNG files.

    python -m debtordesk.tools.screenshots OUT_DIR [--today YYYY-MM-DD]

Runs offscreen (no display needed) unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date
from pathlib import Path

FILE_NAMES = {"Payment plans": "plans"}  # pages whose picture has a shorter name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debtordesk.tools.screenshots")
    parser.add_argument("out", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--db", help="an empty database (URL or file) to fill with the sample data instead of "
                                     "a new SQLite file: e.g. postgresql+psycopg://user:pw@host/empty_db")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from debtordesk.ui.app import make_app, open_or_create
    from debtordesk.ui.main_window import PAGES, MainWindow

    app = make_app()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            from debtordesk.config import resolve_db_url
            from debtordesk.db.engine import open_database
            from debtordesk.services.demo import fill_demo

            db = open_database(resolve_db_url(args.db))
            with db.transaction() as session:
                fill_demo(session, args.today)
        else:
            db, _ = open_or_create(str(Path(tmp) / "demo.sqlite3"), args.today)
        _demo_plans(db, args.today)
        _demo_collections(db, args.today)
        chosen = _demo_adjustments(db, args.today)
        window = MainWindow(db, today=args.today)
        window.resize(1280, 720)
        window.show()
        window.tasks.wait()
        app.processEvents()  # deliver the results of the loading jobs
        for name in PAGES:
            window.show_page(name)
            app.processEvents()
            for _ in range(3):  # screens load on first show off the UI thread, some in two steps
                window.tasks.wait()
                app.processEvents()
            if name == "Customers":  # a customer with something overdue, as a user would pick
                window.customers_view.list.table.selectRow(1)
                app.processEvents()
            target = args.out / f"{FILE_NAMES.get(name, name.lower().replace(' ', '-'))}.png"
            window.grab().save(str(target))
            print(target)
            if name == "Today":  # the work box, below the charts
                target = args.out / "today-waiting.png"
                window.today_view.work_box.grab().save(str(target))
                print(target)
        tabs = window.settings_view.tabs
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            app.processEvents()
            target = args.out / f"settings-{tabs.tabText(i).lower().replace(' ', '-')}.png"
            window.grab().save(str(target))
            print(target)
        for target in _dialogs(window, args.out, chosen):
            print(target)
        from debtordesk.tools.screenshots_import import import_shots

        for target in import_shots(window, args.out, Path(tmp)):
            print(target)
        window.close()
        db.dispose()
        # the first-run welcome, as a new database shows it (rendered, never run modally)
        from debtordesk.db.engine import open_database
        from debtordesk.ui.dialogs.welcome import WelcomeDialog

        blank = open_database(f"sqlite:///{Path(tmp) / 'blank.sqlite3'}")
        welcome = WelcomeDialog(blank, args.today)
        welcome.show()
        app.processEvents()
        target = args.out / "welcome.png"
        welcome.grab().save(str(target))
        print(target)
        welcome.close()
        blank.dispose()
    return 0


def _demo_plans(db, today: date) -> None:
    """Two payment plans on the demo books for the Payment plans screen: one being kept (paid on
    time, one day within grace) and one broken (an instalment missed)."""
    from datetime import timedelta

    from sqlalchemy import select

    from debtordesk.db.models import Customer
    from debtordesk.domain.plans import Frequency, PlanTerms
    from debtordesk.services.payments import record_payment
    from debtordesk.services.plans import coverable_invoices, create_plan, overdue_selection

    # (agreed days ago, first due days ago, instalments, down payment share, grace, days late paying each)
    shapes = [(75, 61, 6, 0, 7, [0, 3]), (110, 100, 5, 5, 5, [0, 0])]
    with db.transaction() as s:
        customers = s.scalars(select(Customer).where(Customer.on_hold.is_(False)).order_by(Customer.id)).all()
        for customer in customers:
            if not shapes:
                break
            agreed_ago, first_ago, count, down_share, grace, lateness = shapes[0]
            agreed = today - timedelta(days=agreed_ago)
            # never-paid invoices only: a demo payment dated after the agreement would not be the plan's
            items = [c for c in coverable_invoices(s, customer.id, agreed) if c.open_minor == c.amount_minor]
            currency = next((c.currency for c in items if c.overdue and not c.disputed), None)
            chosen = overdue_selection(items, currency) if currency else []
            amount = sum(c.open_minor for c in items if c.invoice_id in chosen)
            if not chosen or amount < 50_000:
                continue
            shapes.pop(0)
            down = amount * down_share // 100
            terms = PlanTerms(amount, currency, today - timedelta(days=first_ago), Frequency.monthly(), count=count,
                              down_payment_minor=down, grace_days=grace)
            plan = create_plan(s, customer.id, chosen, terms, agreed_on=agreed, who="demo")
            for line, late in zip(plan.instalments, lateness, strict=False):
                paid_on = line.due_date + timedelta(days=late)
                if paid_on <= today:
                    record_payment(s, customer.id, paid_on, line.amount_minor, currency, reference=plan.reference)


def _demo_collections(db, today: date) -> None:
    """A collections week on the demo books: account owners, calls with follow-ups due, a promise
    due today and one broken, for the Today screen's work box."""
    from datetime import timedelta

    from sqlalchemy import select

    from debtordesk.db.models import Customer
    from debtordesk.services.activity import log_activity, read_activity
    from debtordesk.services.promises import record_promise

    with db.transaction() as s:
        people = s.scalars(select(Customer).where(Customer.on_hold.is_(False)).order_by(Customer.id)).all()
        for n, c in enumerate(people):
            c.owner = ("Sam", "Priya")[n % 2]
        calls = [(people[3], 6, "no-answer", "Rang twice, no answer; try the accounts office", 0),
                 (people[5], 9, "other", "Asked for a copy of INV-2026-00102 by e-mail", 1)]
        for customer, ago, outcome, note, due_ago in calls:
            form = read_activity({"kind": "call", "occurred_on": (today - timedelta(days=ago)).isoformat(),
                                  "outcome": outcome, "note": note,
                                  "follow_up_on": (today - timedelta(days=due_ago)).isoformat()})
            log_activity(s, customer.id, form, who="demo")
        record_promise(s, people[6].id, "GBP", 150000, today, promised_on=today - timedelta(days=8), grace_days=2,
                       who="demo")
        record_promise(s, people[7].id, "EUR", 90000, today - timedelta(days=5), promised_on=today - timedelta(days=12),
                       grace_days=2, who="demo")


def _demo_adjustments(db, today: date) -> dict[str, int]:
    """Write-offs this year for the Write-offs screen (one of them part of an invoice), and an invoice
    disputed a second time (the first withdrawn) for the dialog resolving it. Returns the invoices the
    dispute, resolve and write-off dialogs are shown for."""
    from datetime import timedelta

    from sqlalchemy import select

    from debtordesk.db.models import Invoice, PlanInvoice
    from debtordesk.services.adjustments import write_off
    from debtordesk.services.disputes import open_dispute, resolve_dispute

    reasons = ["Customer went into liquidation; the liquidator expects no dividend for unsecured creditors",
               "Small balance left after the final payment, not worth chasing",
               "Company dissolved (struck off the register)",
               "Customer emigrated; no forwarding address"]
    start = date(today.year, 1, 1)
    with db.transaction() as s:
        planned = select(PlanInvoice.invoice_id)
        candidates = s.scalars(select(Invoice).where(Invoice.open_minor > 0, Invoice.disputed.is_(False),
                                                     Invoice.id.not_in(planned))
                               .order_by(Invoice.due_date, Invoice.id)).all()
        seen: set[int] = set()
        done = 0
        for inv in candidates:
            if done == len(reasons) or inv.customer_id in seen:
                continue
            seen.add(inv.customer_id)
            on = max(start, inv.issue_date, today - timedelta(days=12 + 23 * (len(reasons) - done)))
            part = inv.open_minor // 4 if done == 1 else None
            write_off(s, inv.id, on, reasons[done], part, who="demo")
            done += 1
        left = [inv for inv in candidates if inv.customer_id not in seen and inv.open_minor > 0]
        resolve, dispute = left[0], left[1]
        first = open_dispute(s, resolve.id, "Says the goods were delivered a week late", resolve.due_date,
                             who="Priya")
        resolve_dispute(s, first.id, "withdrawn", resolve.due_date + timedelta(days=3),
                        note="They found the signed delivery note", who="Priya")
        open_dispute(s, resolve.id, "Two of the six doors were the wrong size; returned",
                     min(today, resolve.due_date + timedelta(days=9)), resolve.open_minor // 2, who="Sam")
        return {"dispute": dispute.id, "resolve": resolve.id, "write_off": left[2].id}


def _demo_settlement_and_factor(db, customer_id: int, today: date) -> None:
    """An offer to settle for 60% of what the customer owes, and a factor holding its oldest invoice."""
    from datetime import timedelta

    from debtordesk.services.factoring import assign, open_invoices, save_factor
    from debtordesk.services.settlements import record_offer

    with db.transaction() as s:
        items = open_invoices(s, customer_id, today)
        currency = items[0].currency
        owed = sum(x.open_minor for x in items if x.currency == currency)
        record_offer(s, customer_id, currency, owed * 60 // 100, today + timedelta(days=14), today,
                     note="Phoned: can raise 60% from a loan within two weeks", who="demo")
        factor = save_factor(s, {"name": "Northern Factors plc", "address": "9 Wharf St\nLeeds LS2 7EE",
                                 "bank_name": "HSBC", "sort_code": "40-11-62", "account_number": "71234567"}, True)
        assign(s, factor.id, customer_id, today - timedelta(days=3), [items[-1].invoice_id], who="demo")


def _dialogs(window, out: Path, chosen: dict[str, int]):
    """The customer, invoice and payment forms, the plan builder and the dispute, resolve, credit note and
    write-off dialogs, filled from the demo data (never run modally)."""
    from PySide6.QtWidgets import QApplication

    from debtordesk.ui.dialogs.customer import CustomerDialog
    from debtordesk.ui.dialogs.disputes import DisputeDialog, ResolveDisputeDialog
    from debtordesk.ui.dialogs.disputes_credits import CreditNoteDialog, WriteOffDialog
    from debtordesk.ui.dialogs.factoring import FactoringDialog
    from debtordesk.ui.dialogs.invoice import InvoiceDialog
    from debtordesk.ui.dialogs.payment import PaymentDialog
    from debtordesk.ui.dialogs.plan_builder import PlanBuilderDialog
    from debtordesk.ui.dialogs.settlement import SettlementDialog

    customer = window.customers_view.detail.row
    _demo_settlement_and_factor(window.db, customer.id, window.today)
    window.show_page("Invoices")
    invoice = window.invoices_view.current()
    shots = {
        "customer-dialog.png": CustomerDialog(window.db, customer.id, window),
        "invoice-dialog.png": InvoiceDialog(window.db, window.today, invoice_id=invoice.id, parent=window),
        "payment-dialog.png": PaymentDialog(window.db, window.today, customer.id, parent=window),
        "plan-builder.png": PlanBuilderDialog(window.db, customer.id, window, today=window.today),
        "dispute-dialog.png": DisputeDialog(window.db, window.today, chosen["dispute"], window),
        "resolve-dispute-dialog.png": ResolveDisputeDialog(window.db, window.today, chosen["resolve"], window),
        "credit-note-dialog.png": CreditNoteDialog(window.db, window.today, chosen["write_off"], window),
        "write-off-dialog.png": WriteOffDialog(window.db, window.today, chosen["write_off"], window),
        "settlement-dialog.png": SettlementDialog(window.db, customer.id, window.today, window),
        "factoring-dialog.png": FactoringDialog(window.db, customer.id, window.today, window),
    }
    shots["settlement-dialog.png"].reason.setText("Cash-flow trouble; better than a court claim")
    shots["settlement-dialog.png"].resize(680, 600)
    shots["factoring-dialog.png"].resize(760, 620)
    disputing = shots["dispute-dialog.png"]
    disputing.part.setChecked(True)
    disputing.amount.setText("250.00")
    disputing.reason.setPlainText("Says the fitting took two days, not the three invoiced")
    disputing.update_outcome()
    resolving = shots["resolve-dispute-dialog.png"]
    resolving.choose("split")
    resolving.amount.setText("100.00")
    resolving.note.setPlainText("Agreed on the phone: we credit the doors, they pay the fitting")
    resolving.update_outcome()
    crediting = shots["credit-note-dialog.png"]
    crediting.amount.setText("45.00")
    crediting.reason.setPlainText("Two hinges returned unused")
    crediting.update_outcome()
    shots["write-off-dialog.png"].reason.setPlainText("Customer went into administration; nothing expected")
    shots["payment-dialog.png"].amount.setText("1000.00")
    builder = shots["plan-builder.png"]
    builder.resize(1100, 640)
    builder.count.setValue(6)
    builder.fee.setText("25")
    builder.update_preview()
    for name, dialog in shots.items():
        dialog.show()
        QApplication.processEvents()
        dialog.grab().save(str(out / name))
        dialog.close()
        yield out / name


if __name__ == "__main__":
    raise SystemExit(main())
