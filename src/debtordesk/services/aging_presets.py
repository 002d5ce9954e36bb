"""Saved aging layouts: a name, the bucket limits and the basis; one of them is the default the
Aging screen opens with. Kept as one setting (JSON) so every user of a shared database sees them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from debtordesk.domain.aging import BASES, DEFAULT_LIMITS, BucketError, check_limits, parse_limits
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.settings import get_setting, put_settings

KEY = "aging.presets"
BUILT_IN = "Standard (30, 60, 90)"


@dataclass(frozen=True)
class Preset:
    name: str
    limits: tuple[int, ...]
    basis: str = "due"
    default: bool = False


def list_presets(session: Session) -> list[Preset]:
    """The saved presets, and the standard one when none is the user's; exactly one is default."""
    try:
        raw = json.loads(get_setting(session, KEY) or "[]")
        presets = [Preset(p["name"], tuple(p["limits"]), p.get("basis", "due"), bool(p.get("default")))
                   for p in raw]
    except (ValueError, KeyError, TypeError):
        presets = []
    if not any(p.name == BUILT_IN for p in presets):
        presets.insert(0, Preset(BUILT_IN, DEFAULT_LIMITS, "due", False))
    if not any(p.default for p in presets):
        presets[0] = Preset(presets[0].name, presets[0].limits, presets[0].basis, True)
    return presets


def default_preset(session: Session) -> Preset:
    return next(p for p in list_presets(session) if p.default)


def _store(session: Session, presets: list[Preset]) -> None:
    put_settings(session, {KEY: json.dumps([asdict(p) | {"limits": list(p.limits)} for p in presets])})


def save_preset(session: Session, name: str, limits_text: str, basis: str, default: bool = False) -> Preset:
    """Add or replace the preset `name`; FieldErrors names what is wrong."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "the preset needs a name"
    elif len(name) > 60:
        errors["name"] = "the name is longer than 60 characters"
    limits: tuple[int, ...] = ()
    try:
        limits = parse_limits(limits_text)
        check_limits(limits)
    except BucketError as exc:
        errors["limits"] = str(exc)
    if basis not in BASES:
        errors["basis"] = "the basis must be the due date or the issue date"
    if errors:
        raise FieldErrors(errors)
    presets = [p for p in list_presets(session) if p.name != name]
    if default:
        presets = [Preset(p.name, p.limits, p.basis, False) for p in presets]
    preset = Preset(name, limits, basis, default)
    presets.append(preset)
    _store(session, presets)
    return preset


def set_default(session: Session, name: str) -> None:
    _store(session, [Preset(p.name, p.limits, p.basis, p.name == name) for p in list_presets(session)])


def delete_preset(session: Session, name: str) -> None:
    if name == BUILT_IN:
        raise FieldErrors({"name": "the standard preset cannot be deleted"})
    _store(session, [p for p in list_presets(session) if p.name != name])
