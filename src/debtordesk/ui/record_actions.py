"""What happens between screens: new invoice, payment or payment plan from a customer (or from the
Dunning screen), a hand-over, its recall and the evidence pack from a customer, open the customer of
an invoice or payment, and everything shown read again after a change."""

from __future__ import annotations

from PySide6.QtCore import QObject

from debtordesk.ui.dialogs.invoice import edit_invoice
from debtordesk.ui.dialogs.payment import record_payment_dialog
from debtordesk.ui.views.invoices import InvoicesView
from debtordesk.ui.views.payments import PaymentsView


class RecordActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        customers = window.customers_view
        customers.new_invoice.connect(self.new_invoice)
        customers.record_payment.connect(self.record_payment)
        customers.new_plan.connect(self.new_plan)
        customers.detail.hand_over.connect(self.hand_over)
        customers.detail.settle.connect(self.settle)
        customers.detail.factoring.connect(self.factoring)
        customers.detail.recall_handover.connect(self.recall_handover)
        customers.detail.evidence_pack.connect(self.evidence_pack)
        window.dunning_view.plan_requested.connect(self.new_plan)
        window.today_view.log_call_requested.connect(self.log_call)
        self.connect_invoices(window.invoices_view)
        self.connect_payments(window.payments_view)
        customers.detail.add_tab("Invoices", self._customer_invoices, 1)
        customers.detail.add_tab("Payments", self._customer_payments, 2)
        customers.detail.add_tab("Activity", self._customer_activity, 3)
        customers.detail.add_tab("Letters", self._customer_letters, 4)

    def connect_invoices(self, view: InvoicesView) -> None:
        view.open_customer.connect(self.window.show_customer)
        view.record_payment.connect(self.record_payment)
        view.changed.connect(self.window.refresh)

    def connect_payments(self, view: PaymentsView) -> None:
        view.open_customer.connect(self.window.show_customer)
        view.record_payment.connect(lambda cid: self.record_payment(cid or None))
        view.changed.connect(self.window.refresh)

    def _customer_invoices(self, customer_id: int) -> InvoicesView:
        view = InvoicesView(self.window.db, self.window.today, None, customer_id=customer_id)
        self.connect_invoices(view)
        view.reload()
        return view

    def _customer_payments(self, customer_id: int) -> PaymentsView:
        view = PaymentsView(self.window.db, self.window.today, None, customer_id=customer_id)
        self.connect_payments(view)
        view.reload()
        return view

    def _customer_activity(self, customer_id: int):
        from debtordesk.ui.views.activity import CustomerActivityView

        view = CustomerActivityView(self.window.db, customer_id, self.window.today)
        view.changed.connect(self.window.refresh)
        return view

    def log_call(self, customer_id: int | None = None, outcome: str = "") -> bool:
        """Log a call with the customer (chosen in the dialog when none is given)."""
        from debtordesk.ui.dialogs.activity import ActivityDialog

        dialog = ActivityDialog(self.window.db, self.window.today, customer_id, "call", outcome, self.window)
        if dialog.exec() != ActivityDialog.DialogCode.Accepted:
            return False
        self.window.statusBar().showMessage("Logged.", 5000)
        self.window.refresh()
        return True

    def _customer_letters(self, customer_id: int):
        from debtordesk.ui.views.letters import CustomerLettersView

        return CustomerLettersView(self.window.db, customer_id, self.window.today)

    def new_invoice(self, customer_id: int | None = None) -> None:
        if edit_invoice(self.window, self.window.db, self.window.today, customer_id=customer_id) is not None:
            self.window.statusBar().showMessage("Invoice saved.", 5000)
            self.window.refresh()

    def record_payment(self, customer_id: int | None = None, invoice_id: int | None = None) -> None:
        saved = record_payment_dialog(self.window, self.window.db, self.window.today, customer_id, invoice_id)
        if saved is not None:
            self.window.statusBar().showMessage("Payment recorded.", 5000)
            self.window.refresh()

    def hand_over(self, customer_id: int) -> int | None:
        from debtordesk.ui.dialogs.handover import HandoverDialog

        dialog = HandoverDialog(self.window.db, customer_id, self.window.today, self.window, self.window.tasks)
        if dialog.exec() != HandoverDialog.DialogCode.Accepted or dialog.handover_id is None:
            return None
        self.window.statusBar().showMessage("Handed over: reminders stop for those invoices.", 5000)
        self.window.refresh()
        return dialog.handover_id

    def settle(self, customer_id: int) -> None:
        from debtordesk.ui.dialogs.settlement import SettlementDialog

        dialog = SettlementDialog(self.window.db, customer_id, self.window.today, self.window)
        dialog.exec()
        if dialog.changed:
            self.window.refresh()

    def factoring(self, customer_id: int) -> None:
        from debtordesk.ui.dialogs.factoring import FactoringDialog
        from debtordesk.ui.views.dunning import open_in_viewer

        dialog = FactoringDialog(self.window.db, customer_id, self.window.today, self.window, open_in_viewer)
        dialog.exec()
        if dialog.changed:
            self.window.refresh()

    def recall_handover(self, customer_id: int) -> None:
        from debtordesk.ui.dialogs.handover import RecallDialog

        dialog = RecallDialog(self.window.db, customer_id, self.window.today, self.window)
        if dialog.exec() == RecallDialog.DialogCode.Accepted:
            self.window.statusBar().showMessage("Recalled: the dunning run chases those invoices again.", 5000)
            self.window.refresh()

    def evidence_pack(self, customer_id: int):
        from debtordesk.ui.dialogs.handover import save_evidence_pack

        return save_evidence_pack(self.window, self.window.db, self.window.tasks, customer_id, self.window.today)

    def new_plan(self, customer_id: int | None = None, currency: str | None = None) -> int | None:
        from debtordesk.ui.dialogs.plan_builder import PlanBuilderDialog

        dialog = PlanBuilderDialog(self.window.db, customer_id, self.window, today=self.window.today,
                                   currency=currency or None)
        if dialog.exec() != PlanBuilderDialog.DialogCode.Accepted or dialog.plan_id is None:
            return None
        self.window.statusBar().showMessage(f"Payment plan {dialog.reference} agreed.", 5000)
        self.window.refresh()
        self.window.show_plan(dialog.plan_id)
        return dialog.plan_id
