"""The words of a letter: user-editable Jinja2 templates, rendered in a sandbox.

A template can print the letter's fields and choose words with `{% if %}` and `{% for %}`; it
cannot run code, reach Python objects behind the data (`__class__` and the like are refused) or read
files. Every problem becomes a `TemplateProblem` that names the line in plain words.

The fields every template may use (all texts are already formatted for the letter's language):

    salutation              "Dear Mr Smith," / "Dear Sir or Madam," / "Sehr geehrte Damen und Herren,"
    company.name            our company's name
    company.phone           our phone number ("" if none)
    company.email           our e-mail address ("" if none)
    customer.name           the customer's name
    customer.ref            the customer's reference (customer number)
    customer.contact_person the person the letter is addressed to ("" if none)
    level.name              the dunning level, e.g. "Reminder 1"
    level.number            its position: 1, 2, 3 ...
    as_of                   the letter's date, e.g. "24 November 2026"
    pay_by                  the date payment is asked for
    deadline_days           days from the letter's date to pay_by (a whole number)
    currency                the currency code, e.g. "GBP"
    open_total              the invoices' open amount, e.g. "£3,286.50"
    interest                late-payment interest claimed
    compensation            fixed-sum compensation claimed (recovery costs)
    fee                     the reminder fee
    total                   everything now due
    claims_interest         true when this letter claims interest and compensation
    regime                  the legal basis of the claim in plain words ("" when none)
    invoice_count           how many invoices the letter lists (a whole number)
    oldest_due              the due date of the oldest invoice listed
    days_overdue            how many days the oldest invoice is overdue (a whole number)
    previous_letter         the date of the previous letter of this cycle, or ""
    discount_note           a sentence about an early-payment discount, or ""

The payment-plan agreement also fills `plan` (in other letters its texts are empty, its amounts
zero, its numbers 0 and waive_interest false):

    plan.reference          the plan's reference, e.g. "PP-0001" (to quote with every payment)
    plan.agreed_on          the day the plan was agreed
    plan.covered            what was left to pay on the debts the plan covers
    plan.fee                the plan fee
    plan.interest           the interest charged under the plan
    plan.charges            fee and interest together (a debt of their own, listed with the debts)
    plan.total              everything payable under the plan
    plan.down_payment       the down payment
    plan.instalment         the amount of each (the first) regular instalment
    plan.count              the number of instalments, not counting the down payment
    plan.instalments        the instalments in words: "12 monthly instalments", "one instalment"
    plan.first_due          the date of the first payment (the down payment if there is one)
    plan.end                the date of the last payment
    plan.grace_days         days of grace after a due date before the plan is broken
    plan.waive_interest     true when late-payment interest and compensation are not claimed while
                            the plan is kept

The notice of assignment also fills `factor` (empty texts and false in other letters):

    factor.name             the factor the debts were assigned to
    factor.bank             its bank details in one line, e.g. "HSBC Sort code 40-11-62 Account 71234567"
    factor.assigned_on      the day of the assignment
    factor.chases           true when the factor, not we, will send reminders

A line holding nothing but `{% ... %}` tags leaves no trace (neither its indent nor its line break),
so conditions can stand on lines of their own; elsewhere the text is printed as written. Amounts are
texts, so "is zero" tests them: `{% if fee is not zero %}` is true for "£5.00" and false
for "£0.00" or "0,00 €".

A template file (resources/templates/letters/<language>/<key>.txt) is the subject line
`Subject: ...`, a blank line, the body (paragraphs separated by blank lines), a line `---` and the
closing (paragraphs printed after the tables and the payment details).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

from debtordesk import config
from debtordesk.domain.problems import UserError

TEMPLATE_NAME = "<letter>"
KEYS = ("reminder-1", "reminder-2", "final-demand", "letter-before-action", "statement", "plan-agreement",
        "assignment-notice")
# the letters that are not a level of the dunning policy, with what the user reads
OTHER_LETTERS = {"statement": "Statement of account", "plan-agreement": "Payment plan agreement",
                 "assignment-notice": "Notice of assignment"}
LANGUAGES = ("en", "de")
MAX_REPEAT = 100_000  # the longest text `*` may build


class TemplateProblem(UserError):
    """A template that cannot be used; `line` is the template line (None if it is the whole)."""

    def __init__(self, line: int | None, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"Line {line}: {reason}" if line else reason[:1].upper() + reason[1:])


@dataclass(frozen=True)
class LetterTemplate:
    """The three editable parts of a letter: subject line, body (before the tables), closing."""

    subject: str
    body: str
    closing: str = ""


class _TooLarge(Exception):
    pass


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would build enormous texts or numbers."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise _TooLarge()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise _TooLarge()
        return super().call_binop(context, operator, left, right)


# a line of nothing but block tags, e.g. "  {% if fee is not zero %}" or "{% endif %}{% endif %}"
_TAG_LINE = re.compile(r"(?m)^([ \t]*(?:\{%(?:[^%]|%(?!\}))*%\}[ \t]*)+?)[ \t]*\n")


class _TagLines(Extension):
    """Drops the line break after a line of nothing but block tags. It becomes part of a comment,
    so the lexer still counts it and error messages keep the user's line numbers."""

    def preprocess(self, source, name, filename=None):
        return _TAG_LINE.sub(lambda m: m.group(1) + "{#\n#}", source)


def _is_zero(value: object) -> bool:
    """True for 0, "0", "£0.00", "0,00 €" (a formatted amount with no digit other than 0)."""
    if value is None or value is False:
        return True
    if isinstance(value, int | float):
        return value == 0
    digits = re.sub(r"\D", "", str(value))
    return not digits.strip("0")


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def environment() -> _Sandbox:
    """The one sandbox (Jinja environments are safe to share between threads once set up)."""
    return _new_environment()


def _new_environment() -> _Sandbox:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                   lstrip_blocks=True, extensions=[_TagLines])
    env.tests["zero"] = _is_zero
    return env


# ---- rendering ----------------------------------------------------------------------------------

def render_text(source: str, context: Mapping[str, object], *, max_chars: int = 20000) -> str:
    """The template's text for `context`; TemplateProblem (naming the line) if it cannot be made."""
    env = environment()
    template = _compile(source)
    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate(dict(context)):
            size += len(chunk)
            if size > max_chars:
                raise TemplateProblem(None, f"the text would be longer than {max_chars:,} characters; "
                                            "look for a repetition that never ends.")
            out.append(chunk)
    except TemplateProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure of a user's template becomes a sentence
        raise _runtime_problem(exc, source, env) from exc
    return "".join(out)


def check_template(source: str, sample_context: Mapping[str, object]) -> None:
    """Refuse a template that fails against the sample data, or that names an unknown field or
    reaches beyond the data anywhere (also in branches the sample does not take)."""
    render_text(source, sample_context)
    problem = _static_problem(source, sample_context)
    if problem is not None:
        raise problem


def paragraphs(text: str) -> tuple[str, ...]:
    """The paragraphs of a rendered text: split at blank lines, each stripped, empty ones dropped.
    Single line breaks inside a paragraph stay (they print as line breaks)."""
    parts = re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
    out = []
    for part in parts:
        lines = [line.rstrip() for line in part.strip().split("\n")]
        para = "\n".join(lines).strip()
        if para:
            out.append(para)
    return tuple(out)


@lru_cache(maxsize=128)  # a batch renders the same few templates for every letter
def _compile(source: str):
    env = environment()
    try:
        code = env.compile(source or "", name=TEMPLATE_NAME, filename=TEMPLATE_NAME)
    except TemplateSyntaxError as exc:
        line = exc.lineno
        if (exc.message or "").lower().startswith("unexpected end of template"):
            line = (source or "").rstrip("\n").count("\n") + 1  # where the template ends
        raise TemplateProblem(line, _syntax_reason(exc, source)) from exc
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _syntax_reason(exc: TemplateSyntaxError, source: str) -> str:
    msg = exc.message or ""
    m = re.search(r"innermost block that needs to be closed is '(\w+)'", msg)
    if msg.startswith("Unexpected end of template") and m:
        opened = _opening_line(source, m.group(1))
        where = f" (it was opened on line {opened})" if opened else ""
        return f"unexpected end of template; an '{{% {m.group(1)} %}}' is not closed{where}."
    m = re.match(r"Encountered unknown tag '(\w+)'", msg)
    if m:
        tag = m.group(1)
        if tag.startswith("end") or tag in ("else", "elif"):
            inner = re.search(r"innermost block that needs to be closed is '(\w+)'", msg)
            hint = f" here; the open block is an '{{% {inner.group(1)} %}}'" if inner else " anything here"
            return f"'{{% {tag} %}}' does not close{hint}."
        return f"'{{% {tag} %}}' is not something a letter template can do (use if, for and set)."
    if "expected 'end of print statement'" in msg:
        if msg.startswith("unexpected end of template"):
            return "a '{{' is not closed with '}}'."
        got = re.search(r"got '(.*)'", msg)
        return ("'{{ ... }}' must hold one field, like {{ customer.name }}"
                + (f"; '{got.group(1)}' was not expected there." if got else "."))
    if "expected 'end of statement block'" in msg:
        return "a '{%' is not closed with '%}'."
    m = re.match(r"unexpected char '(.)'", msg)
    if m:
        return f"the character '{m.group(1)}' cannot be used inside {{{{ }}}} or {{% %}}."
    m = re.match(r"No (filter|test) named '(\w+)'", msg)
    if m:
        return f"there is no {m.group(1)} called '{m.group(2)}'."
    if msg.startswith("unexpected end of template"):
        return "the template ends in the middle of a '{{ }}' or '{% %}'."
    return f"this line cannot be read as a template ({msg.rstrip('.')})."


def _opening_line(source: str, tag: str) -> int | None:
    """The line of the innermost `{% tag %}` left open (for the message about a missing end)."""
    stack: list[tuple[str, int]] = []
    try:
        env = environment()
        tokens = [t for t in env.lex(env.preprocess(source)) if t[1] != "whitespace"]
    except TemplateSyntaxError:
        return None
    for i, (line, kind, _) in enumerate(tokens):
        if kind != "block_begin" or i + 1 >= len(tokens) or tokens[i + 1][1] != "name":
            continue
        name = tokens[i + 1][2]
        if name in ("if", "for", "macro", "call", "filter", "with", "block", "raw"):
            stack.append((name, line))
        elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
            stack.pop()
    for name, line in reversed(stack):
        if name == tag:
            return line
    return None


def _template_line(exc: BaseException) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == TEMPLATE_NAME:
            line = frame.lineno
    return line


def _runtime_problem(exc: Exception, source: str, env: _Sandbox) -> TemplateProblem:
    line = _template_line(exc)
    text = str(exc)
    if isinstance(exc, SecurityError):
        m = re.search(r"access to attribute '([^']+)'", text)
        what = f" (access to '{m.group(1)}' is not allowed)" if m else ""
        return TemplateProblem(line, f"this template tries to reach beyond the letter's data{what}.")
    if isinstance(exc, UndefinedError):
        m = re.match(r"'([^']+)' is undefined", text)
        if m:
            return TemplateProblem(line, f"'{m.group(1)}' is not one of the letter's fields.")
        m = re.search(r"has no attribute '([^']+)'", text)
        if m and m.group(1).startswith("_"):
            return TemplateProblem(line, f"this template tries to reach beyond the letter's data "
                                         f"(access to '{m.group(1)}' is not allowed).")
        if m:
            name = _field_path(source, m.group(1), line) or m.group(1)
            return TemplateProblem(line, f"'{name}' is not one of the letter's fields.")
        return TemplateProblem(line, "this line uses something that is not one of the letter's fields.")
    if isinstance(exc, _TooLarge):
        return TemplateProblem(line, "this line would make a text or number far too large for a letter.")
    if isinstance(exc, OverflowError) and "range" in text.lower():
        return TemplateProblem(line, "a range may hold at most 100,000 numbers.")
    if isinstance(exc, ZeroDivisionError):
        return TemplateProblem(line, "this line divides by zero.")
    return TemplateProblem(line, f"this line cannot be worked out ({text or type(exc).__name__}).")


# ---- looking at the template's structure ------------------------------------------------------------

def _dotted(node: nodes.Node) -> tuple[str, ...] | None:
    """('customer', 'name') for customer.name or customer['name']; None for anything else."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            parts.append(str(node.arg.value))
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return tuple(reversed(parts))
        else:
            return None


def _field_path(source: str, attr: str, line: int | None) -> str | None:
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError:
        return None
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        path = _dotted(node)
        if path and path[-1] == attr:
            found.append((node.lineno != line, node.lineno, ".".join(path)))
    return min(found)[2] if found else None


def _static_problem(source: str, context: Mapping[str, object]) -> TemplateProblem | None:
    """The first field the template names that the context does not have, or a reach beyond it."""
    env = environment()
    tree = env.parse(source)
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    known = set(context) | set(env.globals) | local | {"loop"}
    problems: list[tuple[int, TemplateProblem]] = []
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in known:
            problems.append((node.lineno, TemplateProblem(node.lineno,
                                                          f"'{node.name}' is not one of the letter's fields.")))
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        path = _dotted(node)
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            problems.append((node.lineno, TemplateProblem(
                node.lineno, f"this template tries to reach beyond the letter's data "
                             f"(access to '{node.attr}' is not allowed).")))
            continue
        if not path or path[0] not in context or path[0] in local:
            continue
        value: object = context[path[0]]
        for i, part in enumerate(path[1:], start=2):
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif not isinstance(value, Mapping) and hasattr(value, part):
                break  # a method of a text or number (upper, title ...): the sandbox decides
            else:
                name = ".".join(path[:i])
                problems.append((node.lineno, TemplateProblem(node.lineno,
                                                              f"'{name}' is not one of the letter's fields.")))
                break
    return min(problems, key=lambda p: p[0])[1] if problems else None


# ---- template files -------------------------------------------------------------------------------

def parse_template_file(text: str) -> LetterTemplate:
    """A template file's subject, body and closing (see the module docstring for the format)."""
    lines = (text or "").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    m = re.match(r"\s*subject\s*:(.*)$", lines[0], re.IGNORECASE)
    if not m:
        raise TemplateProblem(1, "the first line must be the subject, starting with 'Subject:'.")
    rest = lines[1:]
    sep = next((i for i, line in enumerate(rest) if line.strip() == "---"), len(rest))
    return LetterTemplate(m.group(1).strip(), _trim_blank_lines(rest[:sep]), _trim_blank_lines(rest[sep + 1:]))


def format_template_file(template: LetterTemplate) -> str:
    """The file text for a template; parse_template_file reads it back unchanged."""
    subject = template.subject.strip()
    if "\n" in subject:
        raise TemplateProblem(1, "the subject must be a single line.")
    body = _trim_blank_lines(template.body.replace("\r\n", "\n").split("\n"))
    closing = _trim_blank_lines(template.closing.replace("\r\n", "\n").split("\n"))
    if any(line.strip() == "---" for line in body.split("\n")):
        raise TemplateProblem(None, "the body may not hold a line of just '---' (it separates the closing).")
    return f"Subject: {subject}\n\n{body}\n---\n" + (f"{closing}\n" if closing else "")


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def default_path(language: str, key: str):
    return config.resources_dir() / "templates" / "letters" / language / f"{key}.txt"


def load_default(language: str, key: str) -> LetterTemplate:
    """The shipped template `key` in `language` ('de', 'de_AT', 'en-GB' ...); English if the
    language has none."""
    base = (language or "en").replace("-", "_").split("_")[0].lower()
    if key not in KEYS:
        raise UserError(f"There is no letter template called '{key}'; the letters are {', '.join(KEYS)}.")
    return _load(default_path(base if base in LANGUAGES else "en", key))


@lru_cache(maxsize=32)
def _load(path: Path) -> LetterTemplate:
    """A template file read once (by its path: a different resources folder reads its own)."""
    return parse_template_file(path.read_text(encoding="utf-8"))


SAMPLE_CONTEXT: dict[str, object] = {
    "salutation": "Dear Mr Smith,",
    "company": {"name": "Alder & Co Ltd", "phone": "+44 113 496 0000", "email": "accounts@alder.example"},
    "customer": {"name": "Smith & Sons Ltd", "ref": "C001", "contact_person": "John Smith"},
    "level": {"name": "Final demand", "number": 3},
    "as_of": "24 November 2026",
    "pay_by": "1 December 2026",
    "deadline_days": 7,
    "currency": "GBP",
    "open_total": "£3,286.50",
    "interest": "£100.00",
    "compensation": "£70.00",
    "fee": "£0.00",
    "total": "£3,456.50",
    "claims_interest": True,
    "regime": "Statutory interest under the Late Payment of Commercial Debts (Interest) Act 1998 at 8% a year "
              "over the Bank of England base rate in force on the reference date, and a fixed sum for the cost "
              "of recovering the debt under section 5A of the Act.",
    "invoice_count": 3,
    "oldest_due": "3 October 2026",
    "days_overdue": 52,
    "previous_letter": "10 November 2026",
    "discount_note": "",
    "plan": {"reference": "PP-0001", "agreed_on": "24 November 2026", "covered": "£3,286.50", "fee": "£50.00",
             "interest": "£0.00", "charges": "£50.00", "total": "£3,336.50", "down_payment": "£336.50",
             "instalment": "£500.00", "count": 6, "instalments": "6 monthly instalments",
             "first_due": "1 December 2026", "end": "1 June 2027", "grace_days": 7, "waive_interest": True},
    "factor": {"name": "Northern Factors plc", "bank": "HSBC Sort code 40-11-62 Account 71234567",
               "assigned_on": "1 December 2026", "chases": False},
}

SAMPLE_CONTEXT_DE: dict[str, object] = {
    **SAMPLE_CONTEXT,
    "salutation": "Sehr geehrte Damen und Herren,",
    "company": {"name": "Alder & Co GmbH", "phone": "+49 30 901820", "email": "buchhaltung@alder.example"},
    "customer": {"name": "Müller & Söhne KG", "ref": "K1001", "contact_person": ""},
    "level": {"name": "3. Mahnung", "number": 3},
    "as_of": "24. November 2026",
    "pay_by": "1. Dezember 2026",
    "currency": "EUR",
    "open_total": "3.286,50 €",
    "interest": "100,00 €",
    "compensation": "40,00 €",
    "fee": "0,00 €",
    "total": "3.426,50 €",
    "regime": "Verzugszinsen gemäß § 288 Abs. 2 BGB in Höhe von 9 Prozentpunkten über dem Basiszinssatz "
              "(§ 247 BGB) sowie die Verzugspauschale von 40 € gemäß § 288 Abs. 5 BGB.",
    "oldest_due": "3. Oktober 2026",
    "previous_letter": "10. November 2026",
    "plan": {"reference": "PP-0001", "agreed_on": "24. November 2026", "covered": "3.286,50 €", "fee": "50,00 €",
             "interest": "0,00 €", "charges": "50,00 €", "total": "3.336,50 €", "down_payment": "336,50 €",
             "instalment": "500,00 €", "count": 6, "instalments": "6 monatliche Raten",
             "first_due": "1. Dezember 2026", "end": "1. Juni 2027", "grace_days": 7, "waive_interest": True},
}


def sample_context(language: str) -> dict[str, object]:
    """Sample data for previewing a template in `language` (German for 'de…', else English)."""
    base = (language or "en").replace("-", "_").split("_")[0].lower()
    return SAMPLE_CONTEXT_DE if base == "de" else SAMPLE_CONTEXT
