"""Realistic sample data: businesses in the UK, Germany, France, Greece, Bulgaria and the US, a
few consumers, and every kind of payer: prompt, chronically late, part-payers, overpayers,
customers with disputes. Dates lie around the `today` passed in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice
from debtordesk.domain.money import split_by_weights
from debtordesk.domain.problems import UserError
from debtordesk.services.company import get_company
from debtordesk.services.disputes import open_dispute
from debtordesk.services.payments import record_payment


class DemoError(UserError):
    """Demo data refused; the message is meant for the user."""


@dataclass(frozen=True)
class _Sample:
    name: str
    contact: str
    street: str
    postcode: str
    city: str
    country: str
    language: str
    kind: str = "business"


SAMPLES = [
    _Sample("Hartley & Sons Ltd", "Margaret Hartley", "14 Canal Street", "M1 3HE", "Manchester", "GB", "en"),
    _Sample("Brightwater Joinery Ltd", "Owen Pryce", "Unit 7, Riverside Works", "CF10 4AA", "Cardiff", "GB", "en"),
    _Sample("Kettle & Crumb Café", "Aisling Byrne", "3 Market Place", "YO1 8RS", "York", "GB", "en"),
    _Sample("Penrose Electrical Services", "Tom Penrose", "22 Fore Street", "TR1 2LX", "Truro", "GB", "en"),
    _Sample("Thistle Print Co.", "Fiona McLeod", "81 Rose Street", "EH2 3DT", "Edinburgh", "GB", "en"),
    _Sample("Ashcombe Veterinary Practice", "Dr Priya Raman", "5 Station Road", "BS8 1TH", "Bristol", "GB", "en"),
    _Sample("Müller & Söhne GmbH", "Jürgen Müller", "Königstraße 12", "70173", "Stuttgart", "DE", "de"),
    _Sample("Bäckerei Größlich", "Anna Größlich", "Am Markt 3", "01067", "Dresden", "DE", "de"),
    _Sample("Schäfer Logistik KG", "Dieter Schäfer", "Hafenstraße 48", "20457", "Hamburg", "DE", "de"),
    _Sample("Weiß Elektrotechnik GmbH", "Sabine Weiß", "Lindenallee 9", "50968", "Köln", "DE", "de"),
    _Sample("Boulangerie Lefèvre", "Camille Lefèvre", "12 rue de la Paix", "69002", "Lyon", "FR", "fr"),
    _Sample("Façades Rivière SARL", "Hélène Rivière", "4 avenue Émile Zola", "33000", "Bordeaux", "FR", "fr"),
    _Sample("Éditions Cœur d'Azur", "Benoît Garnier", "27 promenade des Anglais", "06000", "Nice", "FR", "fr"),
    _Sample("Ωmega Ἑλλάς ΑΕ", "Νίκος Παπαδόπουλος", "Οδός Ερμού 25", "105 63", "Αθήνα", "GR", "el"),
    _Sample("Бистро «Ладога» ЕООД", "Иван Петров", "ул. Витоша 15", "1000", "София", "BG", "bg"),
    _Sample("Redwood Analytics Inc.", "Dana Whitfield", "410 Market St, Suite 300", "94111", "San Francisco", "US", "en"),
    _Sample("Blue Heron Outfitters LLC", "Marcus Lee", "88 Harbor Way", "04101", "Portland", "US", "en"),
    _Sample("Liberty Tool & Die Co.", "Rosa Martínez", "1200 Industrial Pkwy", "44114", "Cleveland", "US", "en"),
    _Sample("Siobhán O'Connor", "", "9 Elm Grove", "BT9 6AS", "Belfast", "GB", "en", "consumer"),
    _Sample("José Álvarez", "", "31 Coleridge Road", "N8 8EH", "London", "GB", "en", "consumer"),
    _Sample("Zoë Brontë", "", "2 Haworth Lane", "BD22 8DR", "Keighley", "GB", "en", "consumer"),
    _Sample("Łukasz Wójcik", "", "Flat 4, 17 Mill Lane", "LS6 1NB", "Leeds", "GB", "en", "consumer"),
]
CURRENCY = {"GB": "GBP", "DE": "EUR", "FR": "EUR", "GR": "EUR", "BG": "EUR", "US": "USD"}
BEHAVIOURS = ("prompt", "late", "chronic", "part", "over", "dispute")
DISPUTES = ["Says the work was not finished.", "Disputes the hours charged.", "Goods arrived damaged.",
            "Says the price agreed was lower."]
WORK = ["Consulting, {m}", "Maintenance contract, {m}", "Supplies delivered {m}", "Design work, {m}",
        "Repairs and call-out, {m}", "Monthly service fee, {m}", "Catering order, {m}"]


def fill_demo(session: Session, today: date, customers: int = 24, invoices: int = 240,
              seed: int = 1) -> tuple[int, int, int]:
    """Add sample customers, invoices and payments; returns the counts added.

    Refuses a database that already has customers, so real records are never mixed with samples.
    """
    if customers < 1 or invoices < 0:
        raise DemoError("ask for at least one customer and zero or more invoices")
    if session.scalar(select(func.count()).select_from(Customer)):
        raise DemoError("this database already has customers; demo data goes into an empty one")
    rng = random.Random(seed)
    company = get_company(session)
    if not company.name:
        company.name = "Northwind Garden Supplies Ltd"
        company.address = "Unit 4, Orchard Business Park\nHereford HR2 6JT\nUnited Kingdom"
        company.email = "accounts@northwind-garden.example"
        company.phone = "+44 1432 555 018"
        company.vat_number = "GB 123 4567 89"
        company.registration_number = "08123456"
        company.bank_name = "Example Bank plc"
        company.account_number = "41926819"
        company.sort_code = "60-16-13"
        company.iban = "GB29NWBK60161331926819"
        company.bic = "NWBKGB2L"
        company.base_currency = "GBP"
        company.late_payment_regime = "uk"

    people: list[tuple[Customer, str]] = []
    for i in range(customers):
        s = SAMPLES[i % len(SAMPLES)]
        round_no = i // len(SAMPLES)
        name = s.name if round_no == 0 else f"{s.name} ({s.city} {round_no + 1})"
        slug = "".join(ch for ch in s.name.lower() if ch.isascii() and ch.isalnum())[:12] or "customer"
        behaviour = "prompt" if s.kind == "consumer" and i % 2 else BEHAVIOURS[i % len(BEHAVIOURS)]
        c = Customer(
            ref=f"C{i + 1:05d}", name=name, contact_person=s.contact,
            email=f"accounts@{slug}.example", phone=f"+{rng.randint(1, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            address_line1=s.street, postcode=s.postcode, city=s.city, country=s.country,
            language=s.language, kind=s.kind, terms_days=14 if s.kind == "consumer" else rng.choice((14, 30, 30, 30, 45, 60)),
            credit_limit_minor=None if s.kind == "consumer" else rng.choice((250_000, 500_000, 1_000_000, 2_500_000)),
            on_hold=behaviour == "chronic" and i % 4 == 0,
            notes="Prefers e-mail." if i % 5 == 0 else "",
        )
        session.add(c)
        people.append((c, behaviour))
    session.flush()

    # spread the invoices over the customers, more to businesses
    weights = [1 if c.kind == "consumer" else 4 for c, _ in people]
    per_customer = split_by_weights(invoices, weights)
    made = 0
    pay_count = 0
    for (customer, behaviour), count in zip(people, per_customer, strict=True):
        currency = CURRENCY.get(customer.country, "GBP")
        for k in range(count):
            made += 1
            issue = today - timedelta(days=rng.randint(0, 400))
            due = issue + timedelta(days=customer.terms_days)
            scale = 50 if customer.kind == "consumer" else 400
            amount = rng.randint(scale // 2, scale * 12) * 100 + rng.choice((0, 0, 50, 95, 99))
            inv = Invoice(
                number=f"INV-{issue.year}-{made:05d}", customer_id=customer.id, issue_date=issue,
                due_date=due, amount_minor=amount, currency=currency,
                description=rng.choice(WORK).format(m=issue.strftime("%B %Y")),
            )
            session.add(inv)
            session.flush()
            if behaviour == "dispute" and k % 3 == 0:
                part = None if k % 2 == 0 else inv.amount_minor * rng.randint(20, 50) // 100
                open_dispute(session, inv.id, rng.choice(DISPUTES), min(today, inv.due_date + timedelta(days=5)),
                             part, who="")
            paid = _payment_for(rng, behaviour, inv, today)
            if paid:
                day, amount_paid, named = paid
                record_payment(session, customer.id, day, amount_paid, currency,
                               reference=inv.number if named else f"BACS {rng.randint(10000, 99999)}",
                               method=rng.choice(("bank transfer", "bank transfer", "card", "cheque")),
                               invoice_id=inv.id if named else None)
                pay_count += 1
    return customers, made, pay_count


def _payment_for(rng: random.Random, behaviour: str, inv: Invoice, today: date):
    """(date, amount, names the invoice?) of the payment for an invoice, or None if unpaid."""
    if inv.disputed:
        return None
    delay = {"prompt": (-7, 3), "late": (5, 40), "chronic": (30, 150), "part": (0, 45),
             "over": (-3, 10), "dispute": (0, 30)}[behaviour]
    day = inv.due_date + timedelta(days=rng.randint(*delay))
    if day > today or rng.random() < (0.35 if behaviour == "chronic" else 0.08):
        return None
    day = max(day, inv.issue_date)
    amount = inv.amount_minor
    if behaviour == "part" and rng.random() < 0.6:
        amount = amount * rng.randint(30, 70) // 100 or amount
    elif behaviour == "over" and rng.random() < 0.4:
        amount = -(-amount // 1000) * 1000 + 1000  # rounded up to the next 10 units and a bit
    return day, amount, rng.random() < 0.6
