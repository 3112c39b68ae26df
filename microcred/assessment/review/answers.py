"""A learner's numeric answer read as people write it: decimal commas, grouped digits, exponents, a unit."""

from __future__ import annotations

import re
from decimal import Decimal

MAX_ANSWER_LENGTH = 100


class AnswerFormatError(ValueError):
    """A submitted answer that cannot be read as a number; the message says how to write it."""


_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009\u2007\t"), " ") | {
    ord("\u2212"): "-",
    ord("\u2013"): "-",
    ord("\u2019"): "'",
}
_NUMBER = re.compile(
    r"""
    \s*(?P<sign>[+-]?)\s*
    (?P<mantissa>\d(?:[\d ',.]*\d)?[.,]?|[.,]\d+)
    (?:\s*[eE](?P<e>[+-]?\d+)|\s*[x×*·]\s*10\s*\^\s*(?P<power>[+-]?\d+))?
    """,
    re.VERBOSE,
)
_MAX_DIGITS = 30
_MAX_DECIMAL_EXPONENT = 300


def parse_number(text: str) -> tuple[Decimal, str]:
    """Read a number and what follows it (a unit, or ``""``). Raises ``AnswerFormatError``.

    Accepted: ``98.1``, ``98,1`` (decimal comma), ``-3``, ``−3`` (minus sign), ``.5``,
    ``1 234.5`` and ``1'234.5`` (grouping spaces or apostrophes), ``1,234.5`` and ``1.234,5``
    (when both marks appear the last one is the decimal mark), ``1,234,567``, ``9.81e2``,
    ``9.81 × 10^2``. A lone comma followed by exactly three digits (``1,234``) is refused as
    ambiguous (1234 or 1.234?) rather than guessed.
    """
    if not isinstance(text, str) or not text.strip():
        raise AnswerFormatError("Enter an answer.")
    if len(text) > MAX_ANSWER_LENGTH:
        raise AnswerFormatError(f"The answer is longer than {MAX_ANSWER_LENGTH} characters.")
    normal = text.translate(_SPACES).strip()
    match = _NUMBER.match(normal)
    if match is None:
        raise AnswerFormatError("Enter a number, in digits.")
    whole, fraction = _mantissa(match.group("mantissa"))
    exponent_text = match.group("e") or match.group("power") or "0"
    exponent = int(exponent_text) if len(exponent_text) <= 5 else _MAX_DECIMAL_EXPONENT + 1
    digits = (whole + fraction).lstrip("0")
    if len(digits) > _MAX_DIGITS or abs(exponent) > _MAX_DECIMAL_EXPONENT:
        raise AnswerFormatError("The number is too long or too large.")
    point = f".{fraction}" if fraction else ""
    number = Decimal(f"{match.group('sign')}{whole or '0'}{point}E{exponent}")
    return number, " ".join(normal[match.end() :].split())


def _mantissa(text: str) -> tuple[str, str]:
    """The whole and fraction digits of a mantissa written with grouping and a decimal mark."""
    unreadable = AnswerFormatError(f"{text!r} is not a number as written: write it like 1234.5 or 1 234,5.")
    if text[0] in ".,":
        return "", text[1:]
    if text[-1] in ".,":
        whole, fraction = text[:-1], ""
    else:
        marks = {c for c in text if c in ".,"}
        mark: str | None = None
        if len(marks) == 2:
            mark = max(marks, key=text.rindex)
        elif len(marks) == 1:
            (only,) = marks
            if text.count(only) == 1:
                mark = only
                before, after = text.split(only)
                # 1 to 3 digits, a comma, 3 digits: a thousands group as much as a decimal comma.
                thousands = set(text) <= set("0123456789,") and len(after) == 3 and 1 <= len(before) <= 3
                if only == "," and thousands and before != "0":
                    raise AnswerFormatError(
                        f"{text!r} could mean {before}{after} or {before}.{after}: "
                        f"write {before}{after} or {before}.{after}."
                    )
        if mark is None:
            whole, fraction = text, ""
        else:
            position = text.rindex(mark)
            whole, fraction = text[:position], text[position + 1 :]
    if not fraction.isdigit() and fraction:
        raise unreadable
    separators = {c for c in whole if not c.isdigit()}
    if len(separators) > 1:
        raise unreadable
    if separators:
        groups = whole.split(separators.pop())
        if not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
            raise unreadable
        if not all(group.isdigit() for group in groups):
            raise unreadable
        whole = "".join(groups)
    return whole, fraction
