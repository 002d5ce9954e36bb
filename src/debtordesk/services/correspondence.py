"""Letters from the ledger: the letterhead and recipient from the database, the words from the
user's templates, the figures from a dunning proposal, laid out by letters.layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.models import CompanyProfile, Customer, FactorAssignment, Invoice, LetterTemplate
from debtordesk.domain.company import format_iban
from debtordesk.domain.interest import legal_basis
from debtordesk.domain.money import format_money, to_decimal
from debtordesk.letters.labels import labels, language_of, locale_of
from debtordesk.letters.model import EpcData, Letter, Letterhead, PageSetup, Party, PaymentBlock, Table
from debtordesk.letters.templates import SAMPLE_CONTEXT, check_template, load_default, paragraphs, render_text
from debtordesk.letters.templates import LetterTemplate as Words
from debtordesk.services.company import get_company
from debtordesk.services.settings import get_settings

# --- templates -------------------------------------------------------------------------------------

def template_for(session: Session, key: str, language: str) -> Words:
    """The words of a letter: the user's edited version, else the shipped default."""
    lang = language_of(language)
    row = session.scalars(select(LetterTemplate).where(LetterTemplate.key == key,
                                                       LetterTemplate.language == lang)).first()
    if row is not None:
        return Words(row.subject, row.body, row.closing)
    return load_default(lang, key)


def is_edited(session: Session, key: str, language: str) -> bool:
    return session.scalars(select(LetterTemplate.id).where(LetterTemplate.key == key,
                                                           LetterTemplate.language == language_of(language))
                           ).first() is not None


def save_template(session: Session, key: str, language: str, words: Words) -> None:
    """Check the template against sample data (a TemplateProblem names the line) and store it."""
    for part in (words.subject, words.body, words.closing):
        check_template(part, SAMPLE_CONTEXT)
    lang = language_of(language)
    row = session.scalars(select(LetterTemplate).where(LetterTemplate.key == key,
                                                       LetterTemplate.language == lang)).first()
    if row is None:
        row = LetterTemplate(key=key, language=lang)
        session.add(row)
    row.subject, row.body, row.closing = words.subject, words.body, words.closing
    session.flush()


def reset_template(session: Session, key: str, language: str) -> None:
    """Go back to the shipped words."""
    for row in session.scalars(select(LetterTemplate).where(LetterTemplate.key == key,
                                                            LetterTemplate.language == language_of(language))):
        session.delete(row)
    session.flush()


# --- the pieces every letter shares -------------------------------------------------------------------

@dataclass
class Kit:
    """What every letter of a batch shares, read once: the company, settings and templates."""

    company: CompanyProfile
    settings: dict[str, str]
    session: Session
    _words: dict[tuple[str, str], Words] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Kit:
        return cls(get_company(session), get_settings(session), session)

    def words(self, key: str, language: str) -> Words:
        k = (key, language_of(language))
        if k not in self._words:
            self._words[k] = template_for(self.session, key, language)
        return self._words[k]

    @cached_property
    def offers_discounts(self) -> bool:
        """Whether any open invoice has early-payment terms (else a batch need not look per letter)."""
        return self.session.scalar(select(Invoice.id).where(Invoice.discount_percent != "", Invoice.open_minor > 0)
                                   .limit(1)) is not None

    @cached_property
    def uses_factoring(self) -> bool:
        """Whether anything was ever assigned to a factor (else a batch need not look per letter)."""
        return self.session.scalar(select(FactorAssignment.id).limit(1)) is not None

    @property
    def setup(self) -> PageSetup:
        return PageSetup(self.settings.get("letters.paper", "A4"), self.settings.get("letters.window", "din5008"))

    @property
    def home_country(self) -> str:
        c = self.company
        return (c.iban or "")[:2].upper() or ("GB" if c.sort_code else "")

    def letterhead(self, language: str) -> Letterhead:
        c, words = self.company, labels(language)
        contact = tuple(x for x in (f"{words['tel']} {c.phone}" if c.phone else "", c.email) if x)
        legal = tuple(x for x in (f"{words['company_no']} {c.registration_number}" if c.registration_number else "",
                                  f"{words['vat_no']} {c.vat_number}" if c.vat_number else "") if x)
        return Letterhead(c.name or "", tuple(_lines(c.address)), contact, legal, c.logo_path or "")

    def footer(self, language: str) -> tuple[str, ...]:
        c = self.company
        head = self.letterhead(language)
        first = " · ".join(x for x in (c.name, ", ".join(head.address_lines)) if x)
        second = " · ".join(head.legal_lines + tuple(x for x in (self._bank_line(),) if x))
        return tuple(x for x in (first, second) if x)

    def _bank_line(self) -> str:
        c = self.company
        if c.iban:
            parts = (c.bank_name, "IBAN " + format_iban(c.iban), f"BIC {c.bic}" if c.bic else "")
            return " ".join(x for x in parts if x)
        if c.account_number:
            return " ".join(x for x in (c.bank_name, f"Sort code {c.sort_code}" if c.sort_code else "",
                                        f"Account {c.account_number}") if x)
        return ""

    def payment_block(self, language: str, amount_minor: int, currency: str, reference: str,
                      amount_label: str = "", payee=None) -> PaymentBlock | None:
        """How to pay: into our account, or `payee`'s (a factor's: name and the same bank fields)."""
        c, words = payee or self.company, labels(language)
        rows = [(words["payee"], c.name)] if c.name else []
        if c.bank_name:
            rows.append((words["bank"], c.bank_name))
        if c.iban:
            rows.append((words["iban"], format_iban(c.iban)))
            if c.bic:
                rows.append((words["bic"], c.bic))
        if c.account_number:
            if c.sort_code:
                rows.append((words["sort_code"], c.sort_code))
            rows.append((words["account_number"], c.account_number))
        if not any(k in (words["iban"], words["account_number"]) for k, _ in rows):
            return None
        rows.append((words["reference"], reference))
        rows.append((amount_label or words["amount"], format_money(amount_minor, currency, locale_of(language))))
        epc = None
        if currency == "EUR" and c.iban and 0 < amount_minor <= 99_999_999_999 and c.name:
            epc = EpcData(c.name[:70], c.iban.replace(" ", ""), to_decimal(amount_minor, currency), reference[:140],
                          c.bic or "")
        return PaymentBlock(words["payment_title"], tuple(rows), epc, words["qr"] if epc else "")

    def signature(self, language: str) -> tuple[str, ...]:
        who = self.settings.get("letters.signatory", "") or self.company.name or ""
        title = self.settings.get("letters.signatory_title", "")
        return tuple([labels(language)["regards"], "", "", who] + ([title] if title else []))


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").replace(",\n", "\n").splitlines() if x.strip()]


def recipient(customer: Customer, home_country: str, language: str) -> Party:
    lines = []
    if customer.contact_person:
        lines.append(customer.contact_person)
    lines += [x for x in (customer.address_line1, customer.address_line2) if x]
    place = " ".join(x for x in (customer.postcode, customer.city) if x)
    if place:
        lines.append(place)
    if customer.country and customer.country.upper() != home_country:
        from babel import Locale

        try:
            lines.append(Locale.parse(locale_of(language)).territories.get(customer.country.upper(),
                                                                             customer.country).upper())
        except ValueError:
            lines.append(customer.country)
    return Party(customer.name, tuple(lines))


def salutation(customer: Customer, language: str) -> str:
    if language_of(language) == "de":
        return "Sehr geehrte Damen und Herren,"
    return f"Dear {customer.contact_person}," if customer.contact_person else "Dear Sir or Madam,"


def day(d: date | None, language: str) -> str:
    return format_date(d, format="long", locale=locale_of(language)) if d else ""


def short_day(d: date | None, language: str) -> str:
    return format_date(d, format="short", locale=locale_of(language)) if d else ""


def percent(rate, language: str) -> str:
    return format_decimal(rate, format="#,##0.00", locale=locale_of(language)) + " %"


def base_context(customer: Customer, kit: Kit, as_of: date, currency: str) -> dict:
    """Every field a template may use, with neutral values; each kind of letter fills in its own."""
    lang = customer.language or "en"
    zero = format_money(0, currency, locale_of(lang))
    return {
        "salutation": salutation(customer, lang),
        "company": {"name": kit.company.name or "", "phone": kit.company.phone or "", "email": kit.company.email or ""},
        "customer": {"name": customer.name, "ref": customer.ref, "contact_person": customer.contact_person or ""},
        "level": {"name": "", "number": 0}, "as_of": day(as_of, lang), "pay_by": "", "deadline_days": 0,
        "currency": currency, "open_total": zero, "interest": zero, "compensation": zero, "fee": zero,
        "total": zero, "claims_interest": False, "regime": "", "invoice_count": 0, "oldest_due": "",
        "days_overdue": 0, "previous_letter": "", "discount_note": "",
        "plan": {"reference": "", "agreed_on": "", "covered": zero, "fee": zero, "interest": zero, "charges": zero,
                 "total": zero, "down_payment": zero, "instalment": zero, "count": 0, "instalments": "",
                 "first_due": "", "end": "", "grace_days": 0, "waive_interest": False},
        "factor": {"name": "", "bank": "", "assigned_on": "", "chases": False},
    }


def fill(words: Words, context: dict) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Subject, body paragraphs and closing paragraphs of a template for `context`."""
    return (render_text(words.subject, context).strip(), paragraphs(render_text(words.body, context)),
            paragraphs(render_text(words.closing, context)))


def legal_text(regime: str, language: str) -> str:
    return legal_basis(regime, language_of(language)) if regime != "none" else ""


__all__ = ["Kit", "Letter", "Table", "day", "fill", "recipient", "salutation", "short_day", "percent",
           "template_for", "save_template", "reset_template", "is_edited", "legal_text"]
