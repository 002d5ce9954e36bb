"""Reading a CSV file's format from the file itself: encoding (a BOM: UTF-8 with BOM; the whole
file decodes as UTF-8: UTF-8; else Windows-1252), delimiter (comma, semicolon or tab: the one that
splits the rows into as many fields as the header), decimal comma and date format (from the values
of the amount and date columns). The result is a guess with notes for the user to confirm."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from debtordesk.domain.csvformat import (
    DELIMITERS,
    ENCODINGS,
    CsvFormat,
    day_month_decider,
    guess_date_format,
    guess_decimal_comma,
)
from debtordesk.domain.problems import Problem, Rejected
from debtordesk.services.import_mapping import AMOUNT_FIELDS, DATE_FIELDS, SavedMapping, suggest_mapping

SAMPLE_CHARS = 1_000_000  # the first ~1 MB of text decides delimiter, decimals and dates
SAMPLE_ROWS = 5_000
_CHUNK = 1 << 20
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
_AMOUNT_LIKE = re.compile(r"^[+-]?[\d.,' \u00a0\u202f]*\d$")


@dataclass(frozen=True)
class Note:
    """One thing that was guessed: what, in a sentence, and whether the guess is sure."""

    what: str  # "encoding", "delimiter", "decimal" or "dates"
    text: str
    sure: bool = True


@dataclass
class Detection:
    format: CsvFormat
    notes: list[Note] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # the sample rows (records) after the header
    date_ambiguous: bool = False
    fields: list[str] = field(default_factory=list)  # with a kind: the suggested (or mapped) field of each column

    def summary(self) -> str:
        return self.format.describe()


def open_text(path: Path, fmt: CsvFormat):
    """The file opened for the csv module in `fmt`'s encoding, or Rejected with a sentence."""
    try:
        return Path(path).open(encoding=fmt.encoding, newline="")
    except OSError as exc:
        raise Rejected([Problem(f"cannot be read ({exc.strerror})", Path(path).name)]) from exc


def not_text(path: Path, fmt: CsvFormat) -> Rejected:
    if fmt.encoding == "cp1252":
        return Rejected([Problem("is not text in UTF-8 or Windows-1252 (save it as CSV UTF-8)", Path(path).name)])
    return Rejected([Problem(f"is not {'UTF-8' if fmt.encoding.startswith('utf') else fmt.encoding} text "
                             "(save it as CSV UTF-8)", Path(path).name)])


def detect_encoding(path: Path) -> tuple[str, Note]:
    name = Path(path).name
    try:
        with Path(path).open("rb") as handle:
            first = handle.read(_CHUNK)
            if first.startswith(codecs.BOM_UTF8):
                return "utf-8-sig", Note("encoding", "The file starts with a UTF-8 mark (BOM).")
            decoder = codecs.getincrementaldecoder("utf-8")()
            chunk = first
            try:
                while chunk:
                    decoder.decode(chunk)
                    chunk = handle.read(_CHUNK)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return "cp1252", Note("encoding", "The file is not UTF-8; reading it as Windows-1252 "
                                                  "(Excel's usual choice on Windows).", sure=False)
    except OSError as exc:
        raise Rejected([Problem(f"cannot be read ({exc.strerror})", name)]) from exc
    if first.isascii():
        return "utf-8", Note("encoding", "The file has only plain letters (ASCII); reading it as UTF-8.")
    return "utf-8", Note("encoding", "The whole file reads as UTF-8.")


def _sample_text(path: Path, encoding: str) -> tuple[str, bool]:
    """The first SAMPLE_CHARS characters, and whether the file goes on after them."""
    fmt = CsvFormat(encoding=encoding)
    with open_text(path, fmt) as handle:
        try:
            text = handle.read(SAMPLE_CHARS)
            more = bool(handle.read(1))
        except UnicodeDecodeError as exc:
            raise not_text(path, fmt) from exc
    return text, more


def _records(text: str, delimiter: str, limit: int, cut: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for fields in reader:
            rows.append(fields)
            if len(rows) > limit:
                break
    except csv.Error:
        pass  # an unfinished quote at the cut; the rows before it are the sample
    if cut and len(rows) <= limit and rows:
        rows.pop()  # the last record may be cut in the middle
    return rows[:limit]


def _delimiter(text: str, cut: bool) -> tuple[str, Note]:
    scores = {}
    for delimiter in DELIMITERS:
        rows = [r for r in _records(text, delimiter, 200, cut) if any(f.strip() for f in r)]
        if not rows:
            continue
        width = len(rows[0])
        body = rows[1:]
        same = sum(1 for r in body if len(r) == width) / len(body) if body else 1.0
        scores[delimiter] = (width > 1, same, width)
    if not scores:
        return ",", Note("delimiter", "There is nothing in the file to go by; assuming commas.", sure=False)
    best = max(scores, key=lambda d: scores[d])
    wide, same, width = scores[best]
    rivals = [d for d, s in scores.items() if d != best and s[0] and s[1] >= 0.9]
    word = DELIMITERS[best]
    if not wide:
        return best, Note("delimiter", f"The header has a single column; assuming {word}s.", sure=False)
    if rivals or same < 0.9:
        return best, Note("delimiter", f"The columns seem to be separated by {word}s ({width} columns), "
                                       "but the rows do not all agree.", sure=False)
    return best, Note("delimiter", f"The columns are separated by {word}s ({width} columns).")


def read_sample(path: Path, fmt: CsvFormat, rows: int = SAMPLE_ROWS) -> tuple[list[str], list[list[str]]]:
    """The header and up to `rows` records after it, as read with `fmt`."""
    with open_text(path, fmt) as handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise Rejected([Problem("the file is empty; it needs a header row", Path(path).name)])
            out = []
            for record in reader:
                out.append(record)
                if len(out) >= rows:
                    break
        except UnicodeDecodeError as exc:
            raise not_text(path, fmt) from exc
        except csv.Error as exc:
            raise Rejected([Problem(f"is not a valid CSV file ({exc})", Path(path).name,
                                    len(out) + 2)]) from exc
    return [h.strip() for h in header], out


def _values(rows: list[list[str]], indices: Sequence[int]) -> Iterator[str]:
    for r in rows:
        for i in indices:
            if i < len(r) and r[i].strip():
                yield r[i]


def _settle_day_month(path: Path, fmt: CsvFormat, indices: Sequence[int]) -> str | None:
    """Look through the whole file for a date that tells DD/MM from MM/DD."""
    with open_text(path, fmt) as handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter)
        try:
            next(reader, None)
            for value in _values(reader, indices):  # type: ignore[arg-type]
                decided = day_month_decider(value)
                if decided:
                    return decided
        except (UnicodeDecodeError, csv.Error):
            return None  # the import reports it
    return None


def detect_format(path: Path, kind: str | None = None, *, encoding: str | None = None,
                  delimiter: str | None = None, mapping: SavedMapping | None = None) -> Detection:
    """Guess how `path` is written (an `encoding` or `delimiter` given is taken as it is). With a
    `kind`, the columns are mapped (by `mapping`, else from their names) and the amounts and dates
    are read from the columns that feed amount and date fields; without, from every cell that
    looks like one."""
    path = Path(path)
    if encoding is None:
        encoding, enc_note = detect_encoding(path)
    else:
        enc_note = Note("encoding", f"Reading the file as {ENCODINGS[encoding]}, as chosen.")
    text, more = _sample_text(path, encoding)
    if not text.strip():
        raise Rejected([Problem("the file is empty; it needs a header row", path.name)])
    if delimiter is None:
        delimiter, delim_note = _delimiter(text, more)
    else:
        delim_note = Note("delimiter", f"The columns are separated by {DELIMITERS[delimiter]}s, as chosen.")
    rows = _records(text, delimiter, SAMPLE_ROWS + 1, more)
    header = [h.strip() for h in rows[0]] if rows else []
    body = rows[1:]
    fields = None
    if kind is not None:
        fields = mapping.fields_for(header) if mapping is not None else suggest_mapping(kind, header)
    if fields is not None and kind is not None:
        dates = [i for i, f in enumerate(fields) if f in DATE_FIELDS[kind]]
        amounts = [i for i, f in enumerate(fields) if f in AMOUNT_FIELDS[kind]]
        date_values = list(_values(body, dates))
        amount_values = list(_values(body, amounts))
    else:
        cells = [v.strip() for v in _values(body, range(len(header)))]
        date_values = [v for v in cells if _DATE_LIKE.match(v)]
        dates = [i for i in range(len(header)) if any(_DATE_LIKE.match(v.strip()) for v in _values(body[:50], [i]))]
        amount_values = [v for v in cells if _AMOUNT_LIKE.match(v) and not _DATE_LIKE.match(v)]
    decimals = guess_decimal_comma(amount_values)
    guess = guess_date_format(date_values)
    fmt = CsvFormat(encoding, delimiter, decimals.decimal_comma, guess.code)
    ambiguous = guess.ambiguous
    date_note = Note("dates", guess.note(), sure=not ambiguous and guess.parsed == guess.seen and guess.seen > 0)
    if kind is not None and not DATE_FIELDS[kind]:
        date_note = Note("dates", f"A {kind} file has no dates.")
    if ambiguous and more:
        decided = _settle_day_month(path, fmt, dates)
        if decided:
            fmt = fmt.but(date_format=decided)
            ambiguous = False
            date_note = Note("dates", f"The dates are {'DD/MM/YYYY' if decided == 'dd/mm/yyyy' else 'MM/DD/YYYY'} "
                                      "(a date further down the file shows it).")
    notes = [enc_note, delim_note, Note("decimal", decimals.note(), sure=bool(decimals.sure)), date_note]
    return Detection(fmt, notes, header, body, ambiguous, list(fields or []))


def encoding_name(code: str) -> str:
    return ENCODINGS.get(code, code)
