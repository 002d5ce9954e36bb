"""The user's own business: one profile row, created with defaults on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.models import CompanyProfile, Customer
from debtordesk.domain.company import FIELDS, check_company, format_iban
from debtordesk.domain.customers import FieldErrors
from debtordesk.domain.money import DEFAULT_CURRENCY


def get_company(session: Session) -> CompanyProfile:
    company = session.scalars(select(CompanyProfile).order_by(CompanyProfile.id).limit(1)).first()
    if company is None:
        company = CompanyProfile(base_currency=DEFAULT_CURRENCY)
        session.add(company)
        session.flush()
    return company


def company_name(session: Session) -> str:
    """The business's name, read without creating a profile."""
    return session.scalar(select(CompanyProfile.name).order_by(CompanyProfile.id).limit(1)) or ""


def base_currency(session: Session) -> str:
    value = session.scalar(select(CompanyProfile.base_currency).order_by(CompanyProfile.id).limit(1))
    return value or DEFAULT_CURRENCY


def company_form(session: Session) -> dict[str, str]:
    """The profile as the form shows it: every field as text, the IBAN in groups of four."""
    company = get_company(session)
    form = {key: getattr(company, key) or "" for key in FIELDS}
    form["base_currency"] = form["base_currency"] or DEFAULT_CURRENCY
    form["late_payment_regime"] = form["late_payment_regime"] or "uk"
    form["iban"] = format_iban(form["iban"])
    return form


def save_company(session: Session, values: dict[str, str]) -> CompanyProfile:
    """Check and store the profile. Fields missing from `values` keep what they hold; if any
    field is wrong, FieldErrors names each one and nothing is changed."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValueError(f"not company profile fields: {', '.join(unknown)}")
    company = get_company(session)
    checked = check_company({**company_form(session), **values})
    if checked.errors:
        raise FieldErrors(checked.errors)
    for key, value in checked.values.items():
        setattr(company, key, value)
    session.flush()
    return company


def is_blank(session: Session) -> bool:
    """True for a database nobody has started yet: no company name and no customers."""
    name = session.scalar(select(CompanyProfile.name).order_by(CompanyProfile.id).limit(1))
    return not name and not session.scalar(select(select(Customer.id).exists()))


LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def set_logo(session: Session, path: str) -> None:
    """Print `path` (a PNG or JPEG file) at the top of every letter; "" prints none.

    The file is checked now, so a letter never goes out with a broken logo."""
    path = (path or "").strip()
    if path:
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except OSError as exc:
            raise FieldErrors({"logo_path": f"the logo {path} cannot be read ({exc.strerror})"}) from None
        if not any(head.startswith(magic) for magic in LOGO_TYPES):
            raise FieldErrors({"logo_path": f"the logo {path} is not a PNG or JPEG picture"})
    get_company(session).logo_path = path
    session.flush()


def logo_path(session: Session) -> str:
    return session.scalar(select(CompanyProfile.logo_path).order_by(CompanyProfile.id).limit(1)) or ""
