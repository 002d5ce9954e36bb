import io
from decimal import Decimal

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from debtordesk.domain.problems import UserError
from debtordesk.letters.epc import EpcError, QrCode, epc_payload, epc_qr, module_runs
from debtordesk.letters.model import EpcData

EXAMPLE = EpcData(name="Alder & Co GmbH", iban="de89 3704 0044 0532 0130 00", amount=Decimal("1234.5"),
                  text="DD-2026-0001/261124/3 K1001", bic="cobadeffxxx")


def test_the_worked_example_gives_exactly_the_standard_payload():
    assert epc_payload(EXAMPLE) == (
        "BCD\n"
        "002\n"
        "1\n"
        "SCT\n"
        "COBADEFFXXX\n"
        "Alder & Co GmbH\n"
        "DE89370400440532013000\n"
        "EUR1234.50\n"
        "\n"
        "\n"
        "DD-2026-0001/261124/3 K1001"
    )


def test_bic_may_be_left_empty_and_nothing_follows_the_last_element_used():
    data = EpcData("Łódź Trading Sp. z o.o.", "DE89370400440532013000", Decimal("0.01"), "", "")
    assert epc_payload(data) == "BCD\n002\n1\nSCT\n\nŁódź Trading Sp. z o.o.\nDE89370400440532013000\nEUR0.01"


def test_amounts_print_with_two_decimals_and_no_thousands_separator():
    data = EpcData("A", "DE89370400440532013000", Decimal("999999999.99"), "x")
    assert "\nEUR999999999.99\n" in epc_payload(data)
    assert "\nEUR12.00\n" in epc_payload(EpcData("A", "DE89370400440532013000", 12, "x"))


@pytest.mark.parametrize(("change", "says"), [
    ({"name": "N" * 71}, "The payee name is longer than the 70 characters a payment code allows."),
    ({"name": "  "}, "payee name is missing"),
    ({"name": "Alder\nCo"}, "payee name may not contain line breaks"),
    ({"iban": ""}, "IBAN is missing"),
    ({"iban": "DE88 3704 0044 0532 0130 00"}, "IBAN's check digits"),
    ({"iban": "DE89 3704 0044 0532 0130"}, "IBAN from DE has 22 characters"),
    ({"bic": "COBADE"}, "BIC must have 8 or 11"),
    ({"amount": Decimal("0")}, "amount for a payment code must be between EUR 0.01 and EUR 999,999,999.99"),
    ({"amount": Decimal("1000000000.00")}, "amount for a payment code must be between"),
    ({"amount": Decimal("-5")}, "amount for a payment code must be between"),
    ({"amount": Decimal("10.005")}, "amount for the payment code has more than two decimal places"),
    ({"amount": Decimal("NaN")}, "amount for the payment code is not a number"),
    ({"amount": 12.5}, "amount for the payment code must be an exact decimal"),
    ({"text": "R" * 141}, "The payment reference is longer than the 140 characters a payment code allows."),
    ({"text": "a\tb"}, "payment reference may not contain line breaks or tabs"),
    ({"name": "Ж" * 70, "text": "Ж" * 140}, "too long for a payment code together"),
])
def test_bad_input_is_refused_naming_the_field(change, says):
    fields = {"name": EXAMPLE.name, "iban": EXAMPLE.iban, "amount": EXAMPLE.amount, "text": EXAMPLE.text,
              "bic": EXAMPLE.bic} | change
    with pytest.raises(EpcError) as info:
        epc_payload(EpcData(**fields))
    assert says in str(info.value)
    assert isinstance(info.value, UserError)


def test_limits_themselves_are_accepted():
    data = EpcData("N" * 70, "DE89370400440532013000", Decimal("0.01"), "R" * 140, "COBADEFF")
    payload = epc_payload(data)
    assert payload.split("\n")[4:6] == ["COBADEFF", "N" * 70]
    assert payload.endswith("\n" + "R" * 140)


def test_the_code_is_level_m_at_most_version_13_and_holds_exactly_the_payload():
    code = epc_qr(EXAMPLE)
    assert code.error == "M"
    assert code.version <= 13
    assert code.mode == "byte"
    same = segno.make(epc_payload(EXAMPLE), error="m", boost_error=False, encoding="utf-8", micro=False)
    assert same.version == code.version and code.matrix == same.matrix
    # the largest payload the standard allows still fits version 13 at level M
    biggest = epc_qr(EpcData("Ж" * 49, "DE89370400440532013000", Decimal("999999999.99"), "R" * 140, "COBADEFFXXX"))
    assert biggest.error == "M" and biggest.version <= 13


def test_the_drawing_has_one_rectangle_per_run_and_they_rebuild_the_matrix():
    code = epc_qr(EXAMPLE)
    flowable = QrCode(code, 30 * mm)
    n = code.symbol_size(border=0)[0]
    assert flowable.modules == n
    rebuilt = [[0] * n for _ in range(n)]
    for r, c, length in flowable.runs:
        for k in range(length):
            assert rebuilt[r][c + k] == 0
            rebuilt[r][c + k] = 1
    assert rebuilt == [[v & 1 for v in row] for row in code.matrix]
    assert sum(length for _, _, length in module_runs(code)) == sum(v & 1 for row in code.matrix for v in row)

    buf = io.BytesIO()
    SimpleDocTemplate(buf, invariant=1).build([flowable])
    page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    ops = ContentStream(page.get_contents(), page.pdf).operations
    assert sum(1 for _, op in ops if op == b"re") == len(flowable.runs)
    assert flowable.wrap(500, 500) == (30 * mm, 30 * mm)
