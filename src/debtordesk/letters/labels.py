"""The fixed words printed around a letter's text (table headings, totals, payment block), per
language. Template text is the user's; these are ours. Unknown languages print in English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice", "date": "Date", "due": "Due", "amount": "Amount", "paid": "Paid",
        "open": "Open", "days_overdue": "Days overdue", "invoices_title": "Outstanding invoices",
        "workings_title": "Interest workings", "period": "Period", "days": "Days", "rate": "Rate",
        "principal": "Principal", "interest": "Interest", "compensation": "Fixed-sum compensation",
        "fee": "Reminder fee", "open_total": "Invoices outstanding", "total": "Total now due",
        "payment_title": "How to pay", "payee": "Payee", "bank": "Bank", "iban": "IBAN", "bic": "BIC",
        "account_number": "Account number", "sort_code": "Sort code", "reference": "Reference",
        "pay_by": "Pay by", "our_reference": "Our reference", "customer_no": "Customer no.",
        "page": "Page {page} of {pages}", "qr": "Scan with your banking app", "regards": "Yours sincerely",
        "statement_title": "Statement of account", "opening": "Opening balance", "closing": "Closing balance",
        "debit": "Debit", "credit": "Credit", "balance": "Balance", "description": "Description",
        "payment": "Payment", "aging_title": "Age of the balance", "current": "Not yet due",
        "company_no": "Company no.", "vat_no": "VAT no.", "phone": "Phone", "email": "E-mail",
        "vat": "VAT", "tel": "Tel.",
    },
    "de": {
        "invoice": "Rechnung", "date": "Datum", "due": "Fällig", "amount": "Betrag", "paid": "Bezahlt",
        "open": "Offen", "days_overdue": "Tage überfällig", "invoices_title": "Offene Rechnungen",
        "workings_title": "Zinsberechnung", "period": "Zeitraum", "days": "Tage", "rate": "Zinssatz",
        "principal": "Hauptforderung", "interest": "Zinsen", "compensation": "Verzugspauschale",
        "fee": "Mahngebühr", "open_total": "Offene Rechnungen", "total": "Jetzt fälliger Gesamtbetrag",
        "payment_title": "Zahlungsangaben", "payee": "Empfänger", "bank": "Bank", "iban": "IBAN", "bic": "BIC",
        "account_number": "Kontonummer", "sort_code": "Sort Code", "reference": "Verwendungszweck",
        "pay_by": "Zahlbar bis", "our_reference": "Unser Zeichen", "customer_no": "Kundennummer",
        "page": "Seite {page} von {pages}", "qr": "Mit der Banking-App scannen", "regards": "Mit freundlichen Grüßen",
        "statement_title": "Kontoauszug", "opening": "Anfangssaldo", "closing": "Endsaldo",
        "debit": "Soll", "credit": "Haben", "balance": "Saldo", "description": "Beschreibung",
        "payment": "Zahlung", "aging_title": "Altersstruktur des Saldos", "current": "Noch nicht fällig",
        "company_no": "Handelsregister", "vat_no": "USt-IdNr.", "phone": "Telefon", "email": "E-Mail",
        "vat": "USt-IdNr.", "tel": "Tel.",
    },
}

LOCALES = {"en": "en_GB", "de": "de_DE"}


def language_of(code: str) -> str:
    """The letter language for a customer's language code ('de', 'de_AT', 'en-GB' ...)."""
    base = (code or "en").replace("-", "_").split("_")[0].lower()
    return base if base in LABELS else "en"


def labels(language: str) -> dict[str, str]:
    return LABELS[language_of(language)]


def locale_of(code: str) -> str:
    """A Babel locale for formatting a letter's amounts and dates."""
    code = (code or "en").replace("-", "_")
    if "_" in code:
        return code
    return LOCALES.get(language_of(code), "en_GB")
