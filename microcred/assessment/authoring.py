"""The compact text syntax of the question editor (ADR 0027, addendum on authoring): what a kind's
structured part looks like in one textarea, read into the kind's spec and written back from it.

Pure Python, standard library only: the workspace form (``question_form.py``) reads the fields
with these functions, and the kinds (``questions/``) then check the spec as they check every
other spec. Every line that cannot be read is reported with its number, all at once
(``SyntaxProblems``), so an author fixes the textarea in one pass.

The lines borrow Moodle GIFT's answer marks, which providers coming from Moodle know:

* choices (single, multiple): ``= right`` or ``~ wrong``, then an optional weight ``%50%`` (a
  percentage of the points, -100 to 100) and ``# feedback`` for a learner who picked it;
* short answer: ``= accepted`` (``*`` matches anything, ``\\*`` is a star), optional
  ``%50%`` and ``# feedback``;
* numeric: ``= value : tolerance``, or ``= *`` for any other number, optional ``%50%`` and
  ``# feedback``; units, one a line, as ``cm = 100`` (how many of them make the first unit);
* matching: ``prompt -> answer``, and ``-> answer`` for an answer that matches no prompt;
* ordering: the items, one a line, in their right order;
* calculated variables: ``mass = 2..10 step 0.5``, ``g = 9.81`` or ``n = 1, 2, 5``;
* cloze: the text itself holds the gaps in Moodle's syntax (``{1:SHORTANSWER:=answer}``).

``#`` inside a text is written ``\\#``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

_WEIGHT: Final = re.compile(r"%\s*(-?\d+(?:\.\d+)?)\s*%")
_FEEDBACK: Final = re.compile(r"(?<!\\)#")
_VARIABLE: Final = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_RANGE: Final = re.compile(r"(\S+?)\s*\.\.\s*(\S+?)(?:\s+step\s+(\S+))?")
_GAP_START: Final = re.compile(r"\{\d*:[A-Z_]+:")
_MARKER: Final = re.compile(r"\{#(\d+)\}")
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class SyntaxProblems(ValueError):
    """Every line of a textarea that could not be read."""

    def __init__(self, problems: Iterable[SyntaxProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines with their numbers (from 1), stripped."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            yield number, line.strip()


def _unescape(text: str) -> str:
    return text.replace("\\#", "#").strip()


def _escape(text: str) -> str:
    return str(text).replace("#", "\\#")


def _percent(fraction: Any) -> str:
    """A stored fraction ("0.5") as the weight of a line ("50")."""
    value = (Decimal(str(fraction)) * _HUNDRED).normalize()
    return f"{value:f}"


def _marked(line: str, number: int, problems: list[SyntaxProblem], *, marks: str) -> dict[str, Any] | None:
    """One ``= … %w% … # feedback`` line: its mark, weight (as a fraction, or None), text, feedback."""
    mark = line[0]
    if mark not in marks:
        said = " or ".join(f"“{m}”" for m in marks)
        problems.append(SyntaxProblem(number, f"start the line with {said}."))
        return None
    rest = line[1:].strip()
    fraction: str | None = None
    weight = _WEIGHT.match(rest)
    if weight:
        percent = Decimal(weight.group(1))
        if not -_HUNDRED <= percent <= _HUNDRED:
            problems.append(SyntaxProblem(number, "a weight is a percentage from -100 to 100."))
            return None
        fraction = f"{(percent / _HUNDRED).normalize():f}"
        rest = rest[weight.end() :].strip()
    pieces = _FEEDBACK.split(rest, maxsplit=1)
    text = _unescape(pieces[0])
    feedback = _unescape(pieces[1]) if len(pieces) > 1 else ""
    if not text:
        problems.append(SyntaxProblem(number, "the line has no text after its mark."))
        return None
    return {"mark": mark, "fraction": fraction, "text": text, "feedback": feedback}


def _raise(problems: list[SyntaxProblem]) -> None:
    if problems:
        raise SyntaxProblems(problems)


# --- Choices -----------------------------------------------------------------------------------


def choices_from_text(text: str) -> list[dict[str, Any]]:
    """``= right # fb`` / ``~ wrong`` / ``~%50% half right`` lines as a spec's ``choices``."""
    problems: list[SyntaxProblem] = []
    choices = []
    for number, line in _lines(text):
        read = _marked(line, number, problems, marks="=~")
        if read is None:
            continue
        choice: dict[str, Any] = {"text": read["text"], "correct": read["mark"] == "="}
        if read["fraction"] is not None:
            choice["fraction"] = read["fraction"]
        if read["feedback"]:
            choice["feedback"] = read["feedback"]
        choices.append(choice)
    _raise(problems)
    return choices


def choices_to_text(choices: Sequence[Mapping[str, Any]], *, weights: bool) -> str:
    """A spec's choices as lines; ``weights``: write every choice's fraction (partial credit), else
    only a wrong choice's credit above nothing (a single choice's "half right")."""
    lines = []
    for choice in choices:
        mark = "=" if choice.get("correct") else "~"
        fraction = choice.get("fraction")
        weight = ""
        if fraction is not None and (weights or (not choice.get("correct") and Decimal(str(fraction)) > 0)):
            weight = f"%{_percent(fraction)}%"
        feedback = f" # {_escape(choice['feedback'])}" if choice.get("feedback") else ""
        lines.append(f"{mark}{weight} {_escape(choice['text'])}{feedback}")
    return "\n".join(lines)


# --- Short answer ------------------------------------------------------------------------------


def alternatives_from_text(text: str) -> list[dict[str, Any]]:
    problems: list[SyntaxProblem] = []
    alternatives = []
    for number, line in _lines(text):
        read = _marked(line, number, problems, marks="=")
        if read is not None:
            alternatives.append(
                {"text": read["text"], "fraction": read["fraction"] or "1", "feedback": read["feedback"]}
            )
    _raise(problems)
    return alternatives


def alternatives_to_text(alternatives: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for alt in alternatives:
        fraction = Decimal(str(alt.get("fraction", "1")))
        weight = "" if fraction == 1 else f"%{_percent(fraction)}%"
        feedback = f" # {_escape(alt['feedback'])}" if alt.get("feedback") else ""
        lines.append(f"={weight} {_escape(alt['text'])}{feedback}")
    return "\n".join(lines)


# --- Numeric -----------------------------------------------------------------------------------


def _number(written: str) -> Decimal | None:
    try:
        number = Decimal(written.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def numeric_answers_from_text(text: str) -> list[dict[str, Any]]:
    """``= 3.14 : 0.01 # fb`` lines (``= *``: any other number) as a numeric spec's ``answers``."""
    problems: list[SyntaxProblem] = []
    answers = []
    for number, line in _lines(text):
        read = _marked(line, number, problems, marks="=")
        if read is None:
            continue
        value, _, tolerance = read["text"].partition(":")
        value, tolerance = value.strip(), (tolerance.strip() or "0")
        if value != "*" and _number(value) is None:
            problems.append(SyntaxProblem(number, f"“{value}” is not a number (write 3.14, or * for any other)."))
            continue
        if _number(tolerance) is None or Decimal(tolerance) < 0:
            problems.append(SyntaxProblem(number, f"the tolerance “{tolerance}” is not a number of 0 or more."))
            continue
        answers.append(
            {
                "value": None if value == "*" else value,
                "tolerance": tolerance,
                "fraction": read["fraction"] or "1",
                "feedback": read["feedback"],
            }
        )
    _raise(problems)
    return answers


def numeric_answers_to_text(answers: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for answer in answers:
        fraction = Decimal(str(answer.get("fraction", "1")))
        weight = "" if fraction == 1 else f"%{_percent(fraction)}%"
        value = "*" if answer.get("value") is None else str(answer["value"])
        tolerance = Decimal(str(answer.get("tolerance", "0")))
        said = value if value == "*" or not tolerance else f"{value} : {tolerance.normalize():f}"
        feedback = f" # {_escape(answer['feedback'])}" if answer.get("feedback") else ""
        lines.append(f"={weight} {said}{feedback}")
    return "\n".join(lines)


def units_from_text(text: str) -> list[dict[str, Any]]:
    """``cm = 100`` lines (a bare ``m``: multiplier 1) as a numeric spec's ``units``."""
    problems: list[SyntaxProblem] = []
    units = []
    for number, line in _lines(text):
        name, has_multiplier, multiplier = line.partition("=")
        multiplier = multiplier.strip() if has_multiplier else "1"
        if not name.strip():
            problems.append(SyntaxProblem(number, "write the unit, then “= multiplier” if it is not the first."))
            continue
        value = _number(multiplier)
        if value is None or value <= 0:
            problems.append(SyntaxProblem(number, f"the multiplier “{multiplier}” is not a number above 0."))
            continue
        units.append({"unit": name.strip(), "multiplier": multiplier})
    _raise(problems)
    return units


def units_to_text(units: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for unit in units:
        multiplier = Decimal(str(unit.get("multiplier", "1")))
        lines.append(unit["unit"] if multiplier == 1 else f"{unit['unit']} = {multiplier.normalize():f}")
    return "\n".join(lines)


# --- Matching and ordering ---------------------------------------------------------------------


def pairs_from_text(text: str) -> dict[str, Any]:
    """``prompt -> answer`` lines, and ``-> answer`` for a distractor, as a matching spec's data."""
    problems: list[SyntaxProblem] = []
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for number, line in _lines(text):
        prompt, arrow, answer = line.partition("->")
        if not arrow or not answer.strip():
            problems.append(SyntaxProblem(number, "write “prompt -> answer” (or “-> answer” for an extra answer)."))
            continue
        if prompt.strip():
            pairs.append({"prompt": prompt.strip(), "answer": answer.strip()})
        else:
            distractors.append(answer.strip())
    _raise(problems)
    return {"pairs": pairs, "distractors": distractors}


def pairs_to_text(data: Mapping[str, Any]) -> str:
    lines = [f"{p['prompt']} -> {p['answer']}" for p in data.get("pairs") or []]
    lines += [f"-> {d}" for d in data.get("distractors") or []]
    return "\n".join(lines)


def items_from_text(text: str) -> list[str]:
    return [line for _number, line in _lines(text)]


# --- Calculated --------------------------------------------------------------------------------


def variables_from_text(text: str) -> dict[str, dict[str, Any]]:
    """``name = 2..10 step 0.5``, ``name = 9.81`` or ``name = 1, 2, 5`` lines as a calculated
    spec's ``variables`` (numbers stay text: the kind's core reads them exactly)."""
    problems: list[SyntaxProblem] = []
    variables: dict[str, dict[str, Any]] = {}
    for number, line in _lines(text):
        match = _VARIABLE.fullmatch(line)
        if match is None:
            problems.append(
                SyntaxProblem(number, "write “name = value”, “name = min..max step s” or “name = a, b, c”.")
            )
            continue
        name, definition = match.groups()
        if name in variables:
            problems.append(SyntaxProblem(number, f"“{name}” is defined twice."))
            continue
        ranged = _RANGE.fullmatch(definition)
        if ranged:
            low, high, step = ranged.groups()
            variables[name] = {"min": low, "max": high, "step": step or "1"}
        elif "," in definition:
            variables[name] = {"choices": [c.strip() for c in definition.split(",")]}
        elif definition:
            variables[name] = {"value": definition}
        else:
            problems.append(SyntaxProblem(number, f"“{name}” has no value."))
            continue
        listed = [v for key in ("value", "min", "max", "step") if (v := variables[name].get(key)) is not None]
        listed += variables[name].get("choices", [])
        bad = next((v for v in listed if _number(str(v)) is None), None)
        if bad is not None:
            problems.append(SyntaxProblem(number, f"“{bad}” is not a number (use a decimal point)."))
    _raise(problems)
    return variables


def variables_to_text(variables: Mapping[str, Mapping[str, Any]]) -> str:
    lines = []
    for name, spec in variables.items():
        if "choices" in spec:
            lines.append(f"{name} = {', '.join(str(c) for c in spec['choices'])}")
        elif "min" in spec:
            lines.append(f"{name} = {spec['min']}..{spec['max']} step {spec['step']}")
        else:
            lines.append(f"{name} = {spec.get('value', '')}")
    return "\n".join(lines)


# --- Cloze -------------------------------------------------------------------------------------


def _gap_escape(text: str) -> str:
    return re.sub(r"([~}#=%:\\{])", r"\\\1", str(text))


def _gap_answer(text: str, fraction: Any, feedback: str) -> str:
    value = Decimal(str(fraction))
    mark = "=" if value == 1 else ("" if value == 0 else f"%{_percent(value)}%")
    return mark + text + (f"#{_gap_escape(feedback)}" if feedback else "")


def cloze_to_text(text: str, gaps: Sequence[Mapping[str, Any]]) -> str:
    """A stored cloze (text with ``{#n}`` markers, and its gaps) back in Moodle's syntax, which
    the cloze kind reads on save."""

    def gap(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(gaps):
            return match.group(0)
        spec = gaps[number - 1]
        weight = spec.get("weight", 1)
        if spec["kind"] == "short":
            kind = "SHORTANSWER_C" if spec.get("case_sensitive") else "SHORTANSWER"
            answers = [
                _gap_answer(_gap_escape(a["text"]), a["fraction"], a.get("feedback", "")) for a in spec["alternatives"]
            ]
        elif spec["kind"] == "numeric":
            kind = "NUMERICAL"
            answers = [
                _gap_answer(f"{a['value']}:{a['tolerance']}", a["fraction"], a.get("feedback", ""))
                for a in spec["answers"]
                if a.get("value") is not None
            ]
        else:
            kind = "MULTICHOICE"
            answers = [
                _gap_answer(_gap_escape(o["text"]), o["fraction"], o.get("feedback", "")) for o in spec["options"]
            ]
        return f"{{{weight}:{kind}:{'~'.join(answers)}}}"

    return _MARKER.sub(gap, text)


def cloze_gap_line(text: str, gap: int) -> int | None:
    """The line (from 1) on which the ``gap``-th gap of a cloze text starts, to point an error there."""
    for n, match in enumerate(_GAP_START.finditer(text), start=1):
        if n == gap:
            return text.count("\n", 0, match.start()) + 1
    return None
