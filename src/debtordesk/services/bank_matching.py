"""Proposing what each line of a bank statement is: for money in, the customer and invoice it most
likely pays, with a confidence and the reason in words; money out is skipped; a line dealt with
before is shown as such and never offered again.

The rules, in order, for each credit not yet in statement_line:
  a. an open invoice number found in the payer's text (high; a different amount is called a part
     payment or an overpayment);
  b. the payer recognised by IBAN (an earlier imported line from that account paid that customer)
     or by name, and exactly one of their open invoices has this amount (medium);
  c. the payer not recognised, and exactly one open invoice anywhere has this amount (low);
  otherwise a recognised payer's money is proposed on account (low), and an unknown payer's is
  left for the user to decide.
Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, Payment, StatementLine
from debtordesk.domain.bank import (
    HIGH,
    LOW,
    MEDIUM,
    NONE,
    BankLine,
    BankStatement,
    describe_difference,
    invoice_tokens,
    normalise_name,
)
from debtordesk.domain.money import format_money
from debtordesk.services.payments import discount_match

NEW, DONE, DEBIT = "new", "done", "debit"
CHUNK = 500


@dataclass(frozen=True)
class Proposal:
    line: BankLine
    status: str  # NEW (a credit to decide), DONE (dealt with before), DEBIT (money out: skipped)
    customer_id: int | None = None
    customer_name: str = ""
    invoice_id: int | None = None
    invoice_number: str = ""
    confidence: int = NONE
    reason: str = ""
    done_state: str = ""  # for DONE: imported, rejected or skipped
    done_on: date | None = None


@dataclass(frozen=True)
class _Inv:
    id: int
    number: str
    customer_id: int
    currency: str
    open_minor: int
    amount_minor: int


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def dealt_with(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, date]]:
    """line_key -> (state, day decided) for the keys already in statement_line."""
    out: dict[str, tuple[str, date]] = {}
    for part in _chunks(list(keys)):
        for key, state, at in session.execute(select(StatementLine.line_key, StatementLine.state,
                                                     StatementLine.decided_at).where(StatementLine.line_key.in_(part))):
            out[key] = (state, at.date())
    return out


def accounts_to_customers(session: Session, accounts: Iterable[str]) -> dict[str, int]:
    """IBAN/account -> the customer its latest imported line paid."""
    accounts = sorted({a for a in accounts if a})
    out: dict[str, int] = {}
    for part in _chunks(accounts):
        q = (select(StatementLine.counterparty_account, Payment.customer_id)
             .join(Payment, Payment.id == StatementLine.payment_id)
             .where(StatementLine.counterparty_account.in_(part), StatementLine.state == "imported")
             .order_by(StatementLine.decided_at, StatementLine.id))
        for account, customer_id in session.execute(q):
            out[account] = customer_id  # the latest wins
    return out


class _Names:
    """Customers by normalised name, read once per statement (names only)."""

    def __init__(self, session: Session):
        self.by_key: dict[str, list[tuple[int, str, bool]]] = {}
        q = select(Customer.id, Customer.name, Customer.archived).execution_options(yield_per=2000)
        for cid, name, archived in session.execute(q):
            self.by_key.setdefault(normalise_name(name), []).append((cid, name, archived))

    def find(self, payer: str) -> list[tuple[int, str]]:
        found = self.by_key.get(normalise_name(payer), []) if payer.strip() else []
        active = [(c, n) for c, n, archived in found if not archived]
        return active or [(c, n) for c, n, _ in found]


def _inv(row) -> _Inv:
    return _Inv(row.id, row.number, row.customer_id, row.currency, int(row.open_minor), int(row.amount_minor))


_INV_COLS = (Invoice.id, Invoice.number, Invoice.customer_id, Invoice.currency, Invoice.open_minor,
             Invoice.amount_minor)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _named_invoices(session: Session, text: str) -> list[_Inv]:
    """Invoices whose number appears in `text` (as written, or without separators), in the order of
    the text."""
    tokens = invoice_tokens(text)
    if not tokens:
        return []
    rows = {r.number: _inv(r) for r in session.execute(select(*_INV_COLS).where(Invoice.number.in_(tokens)))}
    order = [rows[t] for t in tokens if t in rows]
    if not order:
        squashed = {_squash(t) for t in tokens if len(_squash(t)) >= 3}
        number = func.upper(func.replace(func.replace(func.replace(func.replace(
            Invoice.number, "-", ""), "/", ""), ".", ""), " ", ""))
        found = [_inv(r) for r in session.execute(
            select(*_INV_COLS).where(Invoice.open_minor > 0, number.in_(sorted(squashed))).limit(20))]
        order = [i for t in tokens for i in found if _squash(i.number) == _squash(t)]
    seen: set[int] = set()
    return [i for i in order if not (i.id in seen or seen.add(i.id))]


def _names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {cid: name for cid, name in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))}


def _money(minor: int, currency: str) -> str:
    return format_money(minor, currency, "en_GB")


def match_statement(session: Session, statement: BankStatement) -> list[Proposal]:
    """One proposal per line of `statement`, in the file's order."""
    lines = statement.lines
    done = dealt_with(session, [line.line_key for line in lines])
    fresh = [line for line in lines if line.line_key not in done and line.is_credit]
    by_account = accounts_to_customers(session, [line.counterparty_account for line in fresh])
    names = _Names(session) if any(line.counterparty for line in fresh) else None
    out: list[Proposal] = []
    for line in lines:
        if line.line_key in done:
            state, on = done[line.line_key]
            out.append(Proposal(line, DONE, reason=f"Already {state} on {on:%d %b %Y}", done_state=state, done_on=on))
        elif not line.is_credit:
            out.append(Proposal(line, DEBIT, reason="Money paid out: skipped"))
        else:
            out.append(propose(session, line, by_account, names))
    cids = [p.customer_id for p in out if p.customer_id is not None]
    named = _names(session, cids)
    return [p if p.customer_id is None else _with_name(p, named.get(p.customer_id, "")) for p in out]


def _with_name(p: Proposal, name: str) -> Proposal:
    return replace(p, customer_name=name)


def propose(session: Session, line: BankLine, by_account: dict[str, int], names: _Names | None) -> Proposal:
    """The proposal for one credit line (rules a, b, c in the module's docstring)."""
    cur, amount = line.currency, line.amount_minor
    payer_id, how = None, ""
    if line.counterparty_account in by_account:
        payer_id, how = by_account[line.counterparty_account], "by the account it paid from before"
    fits = names.find(line.counterparty) if names is not None and payer_id is None else []
    if len(fits) == 1:
        payer_id, how = fits[0][0], "by name"
    payer = _names(session, [payer_id]).get(payer_id, "") if payer_id is not None else ""

    # a. an invoice number in the text
    named = _named_invoices(session, line.remittance)
    usable = [i for i in named if i.open_minor > 0 and i.currency == cur]
    if usable:
        own = [i for i in usable if i.customer_id == payer_id]
        inv = (own or usable)[0]
        reason = f"Invoice {inv.number} is named in the text"
        diff = describe_difference(amount, inv.open_minor)
        if diff == "part payment":
            reason += f"; {_money(amount, cur)} of the {_money(inv.open_minor, cur)} open: a part payment"
        elif diff:
            reason += (f"; {_money(amount, cur)} is more than the {_money(inv.open_minor, cur)} open: an "
                       "overpayment (the rest stays as credit)")
        else:
            reason += " and the amount is what is open on it"
        if len(usable) > 1:
            reason += f" (the text also names {', '.join(i.number for i in usable if i is not inv)})"
        return Proposal(line, NEW, inv.customer_id, "", inv.id, inv.number, HIGH, reason)
    note = ""
    if named:
        paid = named[0]
        if payer_id is None:
            payer_id, how = paid.customer_id, f"by invoice {paid.number} named in the text"
            payer = _names(session, [payer_id]).get(payer_id, "")
        note = (f"invoice {paid.number} named in the text is in {paid.currency}" if paid.currency != cur
                else f"invoice {paid.number} named in the text is already paid")

    # b. a recognised payer's invoice of exactly this amount (or less its early-payment discount)
    if payer_id is not None:
        same = list(session.execute(
            select(Invoice.id, Invoice.number).where(Invoice.customer_id == payer_id, Invoice.currency == cur,
                                                     Invoice.open_minor == amount)
            .order_by(Invoice.due_date, Invoice.number, Invoice.id).limit(3)))
        who = f"{payer} recognised {how}"
        if len(same) == 1:
            reason = f"{who}; invoice {same[0].number} is open for exactly this amount"
            return Proposal(line, NEW, payer_id, "", same[0].id, same[0].number, MEDIUM, _and(reason, note))
        if same:
            reason = (f"{who}; {'several' if len(same) > 2 else 'two'} of their invoices are open for exactly "
                      f"this amount: the oldest, {same[0].number}, is proposed")
            return Proposal(line, NEW, payer_id, "", same[0].id, same[0].number, LOW, _and(reason, note))
        discounted = discount_match(session, payer_id, line.booked_on, amount, cur)
        if discounted is not None:
            item, off = discounted
            reason = f"{who}; it pays invoice {item.number} less its early-payment discount of {_money(off, cur)}"
            return Proposal(line, NEW, payer_id, "", item.invoice_id, item.number, MEDIUM, _and(reason, note))
        reason = (f"{who}; no open invoice of exactly {_money(amount, cur)}: a payment on account, paying "
                  "their oldest open invoices first")
        return Proposal(line, NEW, payer_id, "", None, "", LOW, _and(reason, note))

    # c. the amount alone
    same = list(session.execute(select(Invoice.id, Invoice.number, Invoice.customer_id)
                                .where(Invoice.currency == cur, Invoice.open_minor == amount).limit(2)))
    ambiguous = f"The name fits {len(fits)} customers: choose one" if len(fits) > 1 else ""
    if len(same) == 1:
        reason = (f"Payer not recognised; invoice {same[0].number} is the only open invoice of exactly "
                  f"{_money(amount, cur)}")
        return Proposal(line, NEW, same[0].customer_id, "", same[0].id, same[0].number, LOW, _and(reason, ambiguous))
    reason = ambiguous or "No customer or invoice recognised: choose a customer, or reject the line"
    if len(same) > 1:
        reason += f" (several open invoices are of exactly {_money(amount, cur)})"
    return Proposal(line, NEW, None, "", None, "", NONE, reason)


def _and(reason: str, note: str) -> str:
    return f"{reason} ({note})" if note else reason
