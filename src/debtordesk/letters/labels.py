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
        "payment": "Payment", "credit_note": "Credit note", "write_off": "Written off",
        "discount": "Early-payment discount",
        "disputed_note": "{amount} of invoice {number} is in dispute and is not claimed in this letter.",
        "assignment_notice": "Notice of assignment: {numbers} has been assigned to {factor}. Payment discharges "
                             "the debt only if made to {factor}: {bank}.",
        "discount_offer": "Early-payment discount: pay {amount} instead of {full} by {date} and take the "
                          "{percent}% discount on invoice {number}.",
        "aging_title": "Age of the balance", "current": "Not yet due",
        "company_no": "Company no.", "vat_no": "VAT no.", "phone": "Phone", "email": "E-mail",
        "vat": "VAT", "tel": "Tel.",
        "plan_title": "Payment plan agreement", "creditor": "Creditor", "debtor": "Debtor",
        "covered_title": "Debts covered by the plan", "covered": "Amount covered",
        "plan_charges": "Plan fee and interest",
        "schedule_title": "Schedule of payments", "no": "No.", "down_payment": "Down payment",
        "of_interest": "Of it interest", "of_fee": "Of it fee", "balance_after": "Balance after",
        "covered_total": "Debts covered", "plan_fee": "Plan fee", "plan_interest": "Interest under the plan",
        "plan_total": "Total payable under the plan", "each_instalment": "Each instalment",
        "for_party": "For {name}", "sign_name": "Name", "sign_date": "Place and date", "sign_here": "Signature",
        "freq_weekly": "{n} weekly instalments", "freq_fortnightly": "{n} fortnightly instalments",
        "freq_monthly": "{n} monthly instalments", "freq_days": "{n} instalments every {days} days",
        "freq_one": "one instalment",
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
        "payment": "Zahlung", "credit_note": "Gutschrift", "write_off": "Ausbuchung",
        "discount": "Skonto",
        "disputed_note": "{amount} der Rechnung {number} sind strittig und werden mit diesem Schreiben nicht "
                         "gefordert.",
        "assignment_notice": "Abtretungsanzeige: Die Forderung {numbers} wurde an {factor} abgetreten. Mit "
                             "befreiender Wirkung können Sie nur an {factor} zahlen: {bank}.",
        "discount_offer": "Skonto: Bei Zahlung von {amount} statt {full} bis zum {date} ziehen Sie {percent} % "
                          "Skonto von der Rechnung {number} ab.",
        "aging_title": "Altersstruktur des Saldos", "current": "Noch nicht fällig",
        "company_no": "Handelsregister", "vat_no": "USt-IdNr.", "phone": "Telefon", "email": "E-Mail",
        "vat": "USt-IdNr.", "tel": "Tel.",
        "plan_title": "Ratenzahlungsvereinbarung", "creditor": "Gläubiger", "debtor": "Schuldner",
        "covered_title": "Von der Vereinbarung erfasste Forderungen", "covered": "Erfasster Betrag",
        "plan_charges": "Gebühr und Zinsen der Ratenzahlung",
        "schedule_title": "Zahlungsplan", "no": "Nr.", "down_payment": "Anzahlung",
        "of_interest": "davon Zinsen", "of_fee": "davon Gebühr", "balance_after": "Restbetrag danach",
        "covered_total": "Erfasste Forderungen", "plan_fee": "Gebühr der Ratenzahlung",
        "plan_interest": "Zinsen der Ratenzahlung", "plan_total": "Gesamtbetrag der Ratenzahlung",
        "each_instalment": "Ratenbetrag",
        "for_party": "Für {name}", "sign_name": "Name", "sign_date": "Ort, Datum", "sign_here": "Unterschrift",
        "freq_weekly": "{n} wöchentliche Raten", "freq_fortnightly": "{n} vierzehntägliche Raten",
        "freq_monthly": "{n} monatliche Raten", "freq_days": "{n} Raten im Abstand von {days} Tagen",
        "freq_one": "eine Rate",
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
