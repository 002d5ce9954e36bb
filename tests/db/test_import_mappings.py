"""Named column mappings kept in the database, and the shipped presets."""

import pytest
from sqlalchemy import select

from debtordesk.db.models import Setting
from debtordesk.domain.csvformat import CsvFormat
from debtordesk.domain.problems import UserError
from debtordesk.services.import_mapping import (
    PRESET_NAMES,
    delete_mapping,
    list_mappings,
    load_mapping,
    save_mapping,
)

HEADER = ["Beleg", "Kunde Nr.", "Belegdatum", "Brutto", "Kostenstelle"]
FIELDS = ["number", "customer_ref", "issue_date", "amount", ""]
FMT = CsvFormat("cp1252", ";", True, "dd.mm.yyyy")


def test_a_saved_mapping_comes_back_by_name_with_its_format(db):
    with db.transaction() as s:
        save_mapping(s, "invoices", "  Our   DATEV export ", FMT, HEADER, FIELDS)
    with db.session() as s:
        assert [m.name for m in list_mappings(s, "invoices")] == [*PRESET_NAMES, "Our DATEV export"]
        assert [m.name for m in list_mappings(s, "payments")] == list(PRESET_NAMES)  # per kind
        mapping = load_mapping(s, "invoices", "Our DATEV export")
        key = s.scalars(select(Setting.key).where(Setting.key.like("import.mapping.%"))).one()
    assert key == "import.mapping.invoices.Our DATEV export"
    assert mapping.format == FMT and not mapping.preset
    assert mapping.columns == {"Beleg": "number", "Kunde Nr.": "customer_ref", "Belegdatum": "issue_date",
                               "Brutto": "amount", "Kostenstelle": ""}
    # applied to a file with the columns in another order and one more: by name, the rest suggested
    assert mapping.fields_for(["Brutto", "Währung", "Beleg", "Kostenstelle", "Kunde Nr.", "Belegdatum"]) == [
        "amount", "currency", "number", "", "customer_ref", "issue_date"]


def test_saving_again_replaces_and_deleting_removes(db):
    with db.transaction() as s:
        save_mapping(s, "invoices", "Mine", FMT, HEADER, FIELDS)
        save_mapping(s, "invoices", "Mine", FMT.but(delimiter="\t"), HEADER, FIELDS)
    with db.session() as s:
        assert load_mapping(s, "invoices", "Mine").format.delimiter == "\t"
    with db.transaction() as s:
        delete_mapping(s, "invoices", "Mine")
    with db.session() as s, pytest.raises(UserError, match="There is no saved mapping called 'Mine' for invoices"):
        load_mapping(s, "invoices", "Mine")


def test_presets_cannot_be_deleted_or_overwritten_and_names_are_checked(db):
    with db.transaction() as s:
        for name in PRESET_NAMES:
            with pytest.raises(UserError, match="comes with DebtorDesk and cannot be deleted"):
                delete_mapping(s, "customers", name)
        with pytest.raises(UserError, match="comes with DebtorDesk; choose another name"):
            save_mapping(s, "customers", PRESET_NAMES[0].upper(), FMT, ["ref"], ["ref"])
        with pytest.raises(UserError, match="Give the mapping a name"):
            save_mapping(s, "customers", "   ", FMT, ["ref"], ["ref"])
        with pytest.raises(UserError, match="at most 60 characters"):
            save_mapping(s, "customers", "x" * 61, FMT, ["ref"], ["ref"])


def test_presets_read_a_generic_accounting_export_in_both_styles(db):
    with db.session() as s:
        english, continental = list_mappings(s, "invoices")[:2]
    assert english.preset and english.format == CsvFormat("utf-8-sig", ",", False, "iso")
    assert (continental.format.delimiter, continental.format.decimal_comma,
            continental.format.date_format) == (";", True, "dd.mm.yyyy")
    header = ["Account", "Customer name", "Invoice No", "Date", "Due Date", "Net", "Tax", "Total", "Currency",
              "Description", "Balance"]
    assert english.fields_for(header) == ["customer_ref", "", "number", "issue_date", "due_date", "", "", "amount",
                                          "currency", "description", ""]
    german = ["Kundennummer", "Kunde", "Rechnungsnummer", "Datum", "Fällig", "Betrag", "Währung"]
    assert continental.fields_for(german) == ["customer_ref", "", "number", "issue_date", "due_date", "amount",
                                              "currency"]
    for kind in ("customers", "payments"):
        with db.session() as s:
            assert [m.name for m in list_mappings(s, kind) if m.preset] == list(PRESET_NAMES)


def test_a_damaged_saved_entry_is_left_out(db):
    with db.transaction() as s:
        s.add(Setting(key="import.mapping.customers.Broken", value="{not json"))
        save_mapping(s, "customers", "Good", FMT, ["Nr"], ["ref"])
    with db.session() as s:
        assert [m.name for m in list_mappings(s, "customers") if not m.preset] == ["Good"]
