import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.problems import UserError
from debtordesk.letters.templates import (
    KEYS,
    LANGUAGES,
    SAMPLE_CONTEXT,
    LetterTemplate,
    TemplateProblem,
    check_template,
    format_template_file,
    load_default,
    paragraphs,
    parse_template_file,
    render_text,
    sample_context,
)

ZERO_FEE_NO_INTEREST = dict(SAMPLE_CONTEXT, claims_interest=False, fee="£0.00", previous_letter="", invoice_count=1)
WITH_FEE = dict(SAMPLE_CONTEXT, fee="£15.00", interest="£0.00", compensation="£0.00")


def render_all(template: LetterTemplate, context) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (render_text(template.subject, context).strip(), paragraphs(render_text(template.body, context)),
            paragraphs(render_text(template.closing, context)))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_every_default_renders_and_passes_the_check(language, key):
    template = load_default(language, key)
    for context in (SAMPLE_CONTEXT, sample_context(language), ZERO_FEE_NO_INTEREST, WITH_FEE):
        subject, body, closing = render_all(template, context)
        text = "\n".join((subject, *body, *closing))
        assert subject and "\n" not in subject
        assert body[0] == context["salutation"] and len(body) >= 3
        assert closing
        assert "{" not in text and "}" not in text
        assert not re.search(r" [,.;]|  |\.\.", text), text  # no gaps left by empty conditions
    for part in (template.subject, template.body, template.closing):
        check_template(part, SAMPLE_CONTEXT)
        check_template(part, sample_context(language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_zero_amounts_are_not_mentioned_and_claimed_ones_are(language):
    for key in KEYS:
        _, body, _ = render_all(load_default(language, key), ZERO_FEE_NO_INTEREST)
        assert "£0.00" not in "\n".join(body), key
        assert "£100.00" not in "\n".join(body), key  # interest is not claimed
    _, body, _ = render_all(load_default(language, "final-demand"), SAMPLE_CONTEXT)
    text = "\n".join(body)
    assert "£100.00" in text and "£70.00" in text and SAMPLE_CONTEXT["regime"] in text
    assert "1 December 2026" in text and "7" in text
    _, body, _ = render_all(load_default(language, "reminder-2"), WITH_FEE)
    assert "£15.00" in "\n".join(body)


def test_tone_of_the_english_letters():
    texts = {key: " ".join(render_all(load_default("en", key), SAMPLE_CONTEXT)[1]) for key in KEYS}
    assert "overlooked" in texts["reminder-1"]
    assert "final demand" in texts["final-demand"].lower()
    lba = texts["letter-before-action"]
    assert "within 7 days" in lba and "court proceedings" in lba and "collection agency" in lba
    assert "without further notice" in lba and "statement" in lba
    assert "statement of account" in texts["statement"]


def test_german_letters_are_formal():
    body = " ".join(render_all(load_default("de", "letter-before-action"), sample_context("de"))[1])
    assert "gerichtliche Mahnverfahren" in body and " Sie " in body and " du " not in body.lower()
    subject = render_text(load_default("de", "letter-before-action").subject, sample_context("de"))
    assert subject.startswith("Letzte Mahnung vor")
    first = paragraphs(render_text(load_default("de", "reminder-1").body, sample_context("de")))[1]
    assert first[0].islower()  # after "Sehr geehrte Damen und Herren," the text goes on in lower case


def test_unknown_languages_fall_back_to_english_and_regional_codes_to_their_language():
    assert load_default("fr", "reminder-1") == load_default("en", "reminder-1")
    assert load_default("de_AT", "reminder-1") == load_default("de", "reminder-1")
    assert load_default("de", "reminder-1") != load_default("en", "reminder-1")
    with pytest.raises(UserError, match="no letter template called 'reminder-9'"):
        load_default("en", "reminder-9")


def problem(source: str, context=SAMPLE_CONTEXT) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as info:
        check_template(source, context)
    assert isinstance(info.value, UserError)
    return info.value


def test_a_syntax_error_names_its_line():
    p = problem("{{ salutation }}\n\nWe write about {{ total }}.\n{% if claims_interest %}\nInterest.\n")
    assert p.line == 5
    assert str(p) == ("Line 5: unexpected end of template; an '{% if %}' is not closed "
                      "(it was opened on line 4).")
    p = problem("Hello\n{{ customer.name ")
    assert (p.line, p.reason) == (2, "a '{{' is not closed with '}}'.")
    p = problem("a\nb\n{% frobnicate %}")
    assert str(p) == "Line 3: '{% frobnicate %}' is not something a letter template can do (use if, for and set)."
    assert problem("x\n{% endif %}").line == 2


def test_an_unknown_field_names_the_line_and_the_field():
    p = problem("{{ salutation }}\n\nDear {{ customer.name }},\n{{ customer.nmae }}")
    assert str(p) == "Line 4: 'customer.nmae' is not one of the letter's fields."
    assert (p.line, p.reason) == (4, "'customer.nmae' is not one of the letter's fields.")
    assert str(problem("a\n{{ totl }}")) == "Line 2: 'totl' is not one of the letter's fields."
    # also inside a branch the sample data does not take
    p = problem("ok\n{% if not claims_interest %}\n{{ interst }}\n{% endif %}")
    assert str(p) == "Line 3: 'interst' is not one of the letter's fields."
    with pytest.raises(TemplateProblem, match="Line 1: 'company.fax' is not one of the letter's fields."):
        render_text("{{ company['fax'] }}", SAMPLE_CONTEXT)


@pytest.mark.parametrize("source", ["{{ customer.__class__ }}", "{{ ''.__class__.__mro__ }}",
                                    "{{ customer.__class__.__init__.__globals__ }}", "{{ range.__self__ }}",
                                    "{% if false %}{{ as_of.__class__ }}{% endif %}"])
def test_reaching_beyond_the_data_is_refused(source):
    p = problem("Hello\n" + source)
    assert p.line == 2
    assert p.reason.startswith("this template tries to reach beyond the letter's data (access to '__")
    assert str(p).startswith("Line 2: this template tries to reach beyond the letter's data")


def test_runaway_templates_are_stopped():
    assert "far too large" in problem("{{ 'x' * 100000000 }}").reason
    assert "far too large" in problem("{{ 9 ** 999999 }}").reason
    assert "100,000 numbers" in problem("{% for i in range(10000000) %}{% endfor %}").reason
    p = problem("{% for i in range(50000) %}too long {% endfor %}")
    assert p.line is None and str(p).startswith("The text would be longer than 20,000 characters")
    assert problem("{{ 1 / 0 }}").reason == "this line divides by zero."


def test_rendering_keeps_the_text_and_tag_lines_leave_no_trace():
    source = ("{{ salutation }}\n\n{% if claims_interest %}\n  Interest: {{ interest }}.\n{% endif %}\n\n"
              "Total {{ total }}.{% if fee is not zero %} Fee {{ fee }}.{% endif %}\n\nBye")
    assert render_text(source, SAMPLE_CONTEXT) == "Dear Mr Smith,\n\n  Interest: £100.00.\n\nTotal £3,456.50.\n\nBye"
    assert paragraphs(render_text(source, SAMPLE_CONTEXT)) == ("Dear Mr Smith,", "Interest: £100.00.",
                                                               "Total £3,456.50.", "Bye")
    assert render_text("{{ x }}", {"x": "a & <b>"}) == "a & <b>"  # no escaping: the layout does that


@pytest.mark.parametrize(("value", "zero"), [("£0.00", True), ("0,00 €", True), ("", True), (0, True),
                                             ("£0.01", False), ("1.234,56 €", False), (5, False)])
def test_the_zero_test_reads_formatted_amounts(value, zero):
    assert render_text("{{ v is zero }}", {"v": value}) == str(zero)


def test_paragraphs_split_at_blank_lines():
    text = "\n\n  First line\nsecond line  \n\n \n\nSecond paragraph\n\t\n\nThird\n\n"
    assert paragraphs(text) == ("First line\nsecond line", "Second paragraph", "Third")
    assert paragraphs("") == () and paragraphs(" \n\n ") == ()


EXAMPLE_FILE = """Subject: Reminder – {{ customer.ref }}

{{ salutation }}

Please pay {{ total }}.
---
Thank you.

Kind regards
"""


def test_template_files_parse_and_format_back():
    t = parse_template_file(EXAMPLE_FILE)
    assert t == LetterTemplate("Reminder – {{ customer.ref }}", "{{ salutation }}\n\nPlease pay {{ total }}.",
                               "Thank you.\n\nKind regards")
    assert format_template_file(t) == EXAMPLE_FILE
    assert parse_template_file("Subject: Hi\r\n\r\nBody\r\n") == LetterTemplate("Hi", "Body", "")
    assert format_template_file(LetterTemplate("Hi", "Body", "")) == "Subject: Hi\n\nBody\n---\n"
    with pytest.raises(TemplateProblem, match="Line 1: the first line must be the subject"):
        parse_template_file("Dear customer,\n\nPay up.")
    with pytest.raises(TemplateProblem, match="may not hold a line of just '---'"):
        format_template_file(LetterTemplate("Hi", "a\n---\nb", ""))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_default_files_round_trip(language, key):
    template = load_default(language, key)
    assert parse_template_file(format_template_file(template)) == template


_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)


@given(subject=_line, body=st.lists(_line, max_size=6), closing=st.lists(_line, max_size=6))
def test_any_template_round_trips(subject, body, closing):
    def tidy(lines):
        lines = [x for x in lines if x.strip() != "---"]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)

    t = LetterTemplate(subject.strip(), tidy(body), tidy(closing))
    assert parse_template_file(format_template_file(t)) == t
