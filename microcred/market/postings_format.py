"""Reading job-posting files into typed records, Django-free (an import contract says so).

Three layouts, one record each, with the same fields:

- **CSV** with a header row: ``title``, ``text``, ``location``, ``industry``, ``date`` and,
  optionally, ``id``, ``source``, ``region`` and ``occupation`` (an occupation's URI, e.g. ESCO's);
- **JSON**: a list of objects with those keys;
- **JSON Lines**: one such object per line (``.jsonl``/``.ndjson``; a ``.json`` file that does not
  start with ``[`` is read as JSON Lines too).

``title`` and ``date`` are required; ``date`` is ``YYYY-MM-DD`` (a full ISO timestamp is cut to its
day); ``description`` is taken for ``text`` and ``posted_on`` for ``date`` when those are absent;
other keys are ignored (real feeds carry many). The region is normalised (``normalise_region``):
a country or NUTS code (``DE``, ``NL32``) upper-cased, a European country's English name turned
into its code, otherwise the label as given; with no region, the last part of the location when
that names a country (``"Delft, Netherlands"`` → ``NL``).

Records stream: CSV and JSON Lines are read a line at a time, a JSON list is read whole and its
objects handed out one by one. Anything wrong raises ``PostingFormatError`` naming the file and
line; the service that writes the records rolls everything back then.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

Format = Literal["csv", "json", "jsonl"]
FORMATS: Final = ("csv", "json", "jsonl")

MAX_LENGTHS: Final = {
    "title": 300,
    "location": 200,
    "region": 100,
    "industry": 120,
    "id": 200,
    "source": 80,
    "occupation": 300,
    "date": 40,
    # A posting is a page of text; anything far longer is not one (and would slow extraction).
    "text": 100_000,
}

# Two letters, or a NUTS code: two letters and up to three more characters ending in a digit.
_CODE = re.compile(r"^[A-Za-z]{2}(?:[0-9A-Za-z]{0,2}[0-9])?$")
_SPACES = re.compile(r"\s+")

# English names (and a few common native ones) of the EU/EEA countries, the UK and Switzerland.
COUNTRY_CODES: Final = {
    "austria": "AT",
    "belgium": "BE",
    "bulgaria": "BG",
    "croatia": "HR",
    "cyprus": "CY",
    "czechia": "CZ",
    "czech republic": "CZ",
    "denmark": "DK",
    "estonia": "EE",
    "finland": "FI",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "greece": "EL",
    "hungary": "HU",
    "iceland": "IS",
    "ireland": "IE",
    "italy": "IT",
    "italia": "IT",
    "latvia": "LV",
    "liechtenstein": "LI",
    "lithuania": "LT",
    "luxembourg": "LU",
    "malta": "MT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "norway": "NO",
    "poland": "PL",
    "polska": "PL",
    "portugal": "PT",
    "romania": "RO",
    "slovakia": "SK",
    "slovenia": "SI",
    "spain": "ES",
    "españa": "ES",
    "sweden": "SE",
    "sverige": "SE",
    "switzerland": "CH",
    "united kingdom": "UK",
    "uk": "UK",
}


class PostingFormatError(ValueError):
    """A posting file that cannot be read, with the file and line (1-based) of the problem."""

    def __init__(self, message: str, *, file: str, line: int | None) -> None:
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.message = message
        self.file = file
        self.line = line


@dataclass(frozen=True, slots=True)
class PostingRecord:
    """One posting as read, its text fields stripped; ``external_id`` and ``source`` empty when the
    file does not give them."""

    title: str
    text: str
    location: str
    region: str
    industry: str
    posted_on: date
    external_id: str
    source: str
    occupation_uri: str
    file: str
    line: int

    @property
    def content_hash(self) -> str:
        """SHA-256 of every field the posting is stored with (not its id, source or place in the file)."""
        fields = [
            self.title,
            self.text,
            self.location,
            self.region,
            self.industry,
            self.posted_on.isoformat(),
            self.occupation_uri,
        ]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    @property
    def key(self) -> str:
        """The id to upsert by within its source: the file's own, else ``sha256:`` and the content hash."""
        return self.external_id or f"sha256:{self.content_hash}"


def normalise_region(region: str, location: str = "") -> str:
    """A country or NUTS code in capitals; a European country's name as its code; any other label as
    given (spaces collapsed). With no region, the country the location ends with, if any."""
    label = _SPACES.sub(" ", region).strip()
    if label:
        if _CODE.match(label):
            return label.upper()
        return COUNTRY_CODES.get(label.casefold(), label)
    last = location.rsplit(",", 1)[-1].strip() if location else ""
    if not last:
        return ""
    if len(last) == 2 and last.isalpha() and last.isupper():
        return last
    return COUNTRY_CODES.get(last.casefold(), "")


def guess_format(path: Path) -> Format:
    """The layout from the file's name: ``.csv``, ``.jsonl``/``.ndjson``, ``.json`` (a list, or lines)."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    raise PostingFormatError("cannot tell the format from the name; say csv or json", file=path.name, line=None)


def read_postings_file(path: Path, *, format: Format | None = None) -> Iterator[PostingRecord]:
    """The records of the file at ``path``, in the given layout or the one its name says."""
    layout = format or guess_format(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            yield from read_postings(stream, format=layout, file=path.name)
    except UnicodeDecodeError as exc:
        raise PostingFormatError("not UTF-8 text", file=path.name, line=None) from exc
    except OSError as exc:
        raise PostingFormatError(f"cannot be read ({exc.strerror or exc})", file=path.name, line=None) from exc


def read_postings(lines: Iterable[str], *, format: Format, file: str) -> Iterator[PostingRecord]:
    """The records of an open file (or any lines): CSV, a JSON list, or JSON Lines. A ``json`` file
    whose first character is not ``[`` is JSON Lines."""
    if format == "csv":
        yield from _read_csv(lines, file)
        return
    if format not in FORMATS:
        raise PostingFormatError(f"unknown format {format!r} (csv, json or jsonl)", file=file, line=None)
    iterator = iter(lines)
    if format == "jsonl":
        yield from _read_json_lines(iterator, file, first_line=1)
        return
    # A list must be read whole; JSON Lines need not be: look at the first characters to know which.
    head: list[str] = []
    for line in iterator:
        head.append(line)
        if line.strip():
            break
    if head and head[-1].lstrip().startswith("["):
        yield from _read_json_list("".join(head) + "".join(iterator), file)
        return
    yield from _read_json_lines(iter([*head, *iterator]), file, first_line=1)


def _read_csv(lines: Iterable[str], file: str) -> Iterator[PostingRecord]:
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [name.strip().casefold() for name in header]
        missing = {"title", "date"} - set(columns) - ({"date"} if "posted_on" in columns else set())
        if missing:
            raise PostingFormatError(f"the header has no {', '.join(sorted(missing))} column", file=file, line=1)
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) > len(columns):
                    raise PostingFormatError(
                        f"{len(row)} values for {len(columns)} columns (a comma inside an unquoted value?)",
                        file=file,
                        line=line,
                    )
                yield _record(dict(zip(columns, row, strict=False)), file, line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise PostingFormatError(f"not valid CSV ({exc})", file=file, line=reader.line_num) from exc


def _read_json_lines(lines: Iterator[str], file: str, *, first_line: int) -> Iterator[PostingRecord]:
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PostingFormatError(f"not valid JSON ({exc.msg})", file=file, line=number) from exc
        yield _record(_object(value, file, number), file, number)


def _read_json_list(text: str, file: str) -> Iterator[PostingRecord]:
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    line, counted = 1, 0

    def line_at(offset: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, offset)
        counted = offset
        return line

    def skip_space(offset: int) -> int:
        while offset < len(text) and text[offset] in " \t\r\n":
            offset += 1
        return offset

    position = skip_space(position)
    if position < len(text) and text[position] == "]":
        return
    while True:
        start = skip_space(position)
        try:
            value, position = decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise PostingFormatError(f"not valid JSON ({exc.msg})", file=file, line=exc.lineno) from exc
        number = line_at(start)
        yield _record(_object(value, file, number), file, number)
        position = skip_space(position)
        if position >= len(text):
            raise PostingFormatError("the list is not closed with ]", file=file, line=line_at(position))
        if text[position] == "]":
            if text[position + 1 :].strip():
                raise PostingFormatError("text after the end of the list", file=file, line=line_at(position))
            return
        if text[position] != ",":
            raise PostingFormatError("expected , or ] between postings", file=file, line=line_at(position))
        position += 1


def _object(value: Any, file: str, line: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PostingFormatError(f"a posting must be an object, not {type(value).__name__}", file=file, line=line)
    return {str(key).strip().casefold(): item for key, item in value.items()}


def _text(fields: dict[str, Any], name: str, file: str, line: int, *aliases: str) -> str:
    value: Any = None
    for key in (name, *aliases):
        value = fields.get(key)
        if value not in (None, ""):
            break
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PostingFormatError(f"{name} must be text, not {type(value).__name__}", file=file, line=line)
    text = str(value).strip()
    if len(text) > MAX_LENGTHS[name]:
        raise PostingFormatError(f"{name} is longer than {MAX_LENGTHS[name]:,} characters", file=file, line=line)
    return text


def _date(raw: str, file: str, line: int) -> date:
    if not raw:
        raise PostingFormatError("no date (YYYY-MM-DD)", file=file, line=line)
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise PostingFormatError(f"date {raw!r} is not a date (YYYY-MM-DD)", file=file, line=line) from None


def _record(fields: dict[str, Any], file: str, line: int) -> PostingRecord:
    title = _SPACES.sub(" ", _text(fields, "title", file, line))
    if not title:
        raise PostingFormatError("no title", file=file, line=line)
    location = _SPACES.sub(" ", _text(fields, "location", file, line))
    return PostingRecord(
        title=title,
        text=_text(fields, "text", file, line, "description"),
        location=location,
        region=normalise_region(_text(fields, "region", file, line), location),
        industry=_SPACES.sub(" ", _text(fields, "industry", file, line)),
        posted_on=_date(_text(fields, "date", file, line, "posted_on"), file, line),
        external_id=_text(fields, "id", file, line),
        source=_text(fields, "source", file, line),
        occupation_uri=_text(fields, "occupation", file, line),
        file=file,
        line=line,
    )
