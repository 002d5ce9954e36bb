"""The user's own business: one profile row, created with defaults on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.models import CompanyProfile
from debtordesk.domain.money import DEFAULT_CURRENCY


def get_company(session: Session) -> CompanyProfile:
    company = session.scalars(select(CompanyProfile).order_by(CompanyProfile.id).limit(1)).first()
    if company is None:
        company = CompanyProfile(base_currency=DEFAULT_CURRENCY)
        session.add(company)
        session.flush()
    return company


def base_currency(session: Session) -> str:
    value = session.scalar(select(CompanyProfile.base_currency).order_by(CompanyProfile.id).limit(1))
    return value or DEFAULT_CURRENCY
