"""Reading delimited text files row by row, each row with the line it starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from .records import Source, TaxonomyFormatError


def read_rows(
    lines: Iterable[str], *, name: str, required: Iterable[str], delimiter: str = ",", quoted: bool = True
) -> Iterator[tuple[Source, dict[str, str]]]:
    """The rows of a delimited text with a header line, as ``(source, {column: value})``.

    A quoted cell may span lines (ESCO's alternative labels are newline-separated); the source is
    the line the row starts on. A header without a ``required`` column, or a row with more cells
    than the header, is an error naming the line.
    """
    reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    try:
        header = next(reader)
    except StopIteration:
        raise TaxonomyFormatError("the file is empty", file=name, line=1) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise TaxonomyFormatError(f"unreadable header: {exc}", file=name, line=1) from None
    header = [column.strip() for column in header]
    missing = [column for column in required if column not in header]
    if missing:
        raise TaxonomyFormatError(
            f"missing column(s) {', '.join(missing)} (the header has {', '.join(header) or 'nothing'})",
            file=name,
            line=1,
        )
    width = len(header)
    next_line = reader.line_num + 1
    while True:
        start = next_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TaxonomyFormatError(f"unreadable row: {exc}", file=name, line=start) from None
        except UnicodeDecodeError as exc:
            raise TaxonomyFormatError(f"not UTF-8 text ({exc.reason})", file=name, line=start) from None
        next_line = reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width:
            raise TaxonomyFormatError(f"{len(cells)} cells where the header has {width}", file=name, line=start)
        cells += [""] * (width - len(cells))
        yield Source(name, start), dict(zip(header, cells, strict=True))


def open_text(path: Path) -> io.TextIOWrapper:
    """A text file opened for ``read_rows``: UTF-8 (a byte-order mark is dropped), newlines kept in cells."""
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise TaxonomyFormatError(f"cannot be read: {exc.strerror or exc}", file=str(path)) from None


def decoded(data: bytes, *, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TaxonomyFormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=name) from None
