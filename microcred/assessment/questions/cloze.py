"""Cloze: gaps in a text, each a small question of its own. Authored in Moodle's multianswer
syntax inside the question text, e.g. ``Paris is in {1:SHORTANSWER:=France#Yes~%50%Gaul}`` or
``{2:NUMERICAL:=3.14:0.01}`` or ``{1:MULTICHOICE:=red~blue~green}``. On save each gap becomes an
entry of ``data["gaps"]`` and the text keeps a ``{#n}`` marker in its place, so the stored text
never holds the answers. A gap's weight is its share of the points."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from microcred.core.errors import ValidationFailed

from .base import (
    Answer,
    Grade,
    QuestionType,
    ServedIds,
    StoredQuestion,
    authored_of,
    fraction_of,
    points_for,
    text_answer,
)
from .numeric import clean_numeric_answers, numeric_fraction, parse_number
from .short import clean_alternatives, short_fraction

# Our own fixed patterns (not an author's): a Moodle gap and a stored marker.
_GAP: Final = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_MARKER: Final = re.compile(r"\{#(\d+)\}")
_TYPES: Final = {
    "SHORTANSWER": ("short", False),
    "SA": ("short", False),
    "MW": ("short", False),
    "SHORTANSWER_C": ("short", True),
    "SAC": ("short", True),
    "MWC": ("short", True),
    "NUMERICAL": ("numeric", False),
    "NM": ("numeric", False),
    "MULTICHOICE": ("choice", False),
    "MC": ("choice", False),
    "MULTICHOICE_V": ("choice", False),
    "MCV": ("choice", False),
    "MULTICHOICE_H": ("choice", False),
    "MCH": ("choice", False),
}
GAP_KINDS: Final = ("short", "numeric", "choice")


def _split(body: str, sep: str) -> list[str]:
    """``body`` split at unescaped ``sep``."""
    parts, current, i = [], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            current.append(body[i : i + 2])
            i += 2
            continue
        if body[i] == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(body[i])
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\([~}#=%:\\{])", r"\1", text).strip()


def parse_multianswer(text: str, *, where: str) -> tuple[str, list[dict[str, Any]]]:
    """The text with ``{#n}`` markers, and the gaps, from Moodle's multianswer syntax."""
    gaps: list[dict[str, Any]] = []

    def gap(match: re.Match[str]) -> str:
        here = f"{where}, gap {len(gaps) + 1}"
        weight, kind_name, body = match.group(1) or "1", match.group(2), match.group(3)
        if kind_name not in _TYPES:
            raise ValidationFailed(f"{here}: unknown gap type {kind_name}.", errors={where: ["Bad gap type."]})
        kind, case_sensitive = _TYPES[kind_name]
        answers = []
        for part in _split(body, "~"):
            if not part.strip():
                continue
            fraction = "0"
            if part.startswith("="):
                fraction, part = "1", part[1:]
            elif part.startswith("%"):
                percent, _, part = part[1:].partition("%")
                fraction = str(Decimal(percent or "0") / 100) if parse_number(percent) is not None else "x"
            pieces = _split(part, "#")
            answers.append({"text": pieces[0], "fraction": fraction, "feedback": _unescape("#".join(pieces[1:]))})
        spec: dict[str, Any] = {"kind": kind, "weight": int(weight)}
        if kind == "short":
            spec["case_sensitive"] = case_sensitive
            spec["alternatives"] = [{**a, "text": _unescape(a["text"])} for a in answers]
        elif kind == "numeric":
            spec["answers"] = []
            for a in answers:
                value, _, tolerance = a["text"].partition(":")
                spec["answers"].append(
                    {
                        "value": _unescape(value),
                        "tolerance": tolerance or "0",
                        "fraction": a["fraction"],
                        "feedback": a["feedback"],
                    }
                )
        else:
            spec["options"] = [{**a, "text": _unescape(a["text"])} for a in answers]
        gaps.append(spec)
        return f"{{#{len(gaps)}}}"

    return _GAP.sub(gap, text), gaps


def clean_gap(gap: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(gap, dict) or gap.get("kind") not in GAP_KINDS:
        raise ValidationFailed(f"{where}: a gap's kind is short, numeric or choice.", errors={where: ["Bad gap."]})
    weight = gap.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
        raise ValidationFailed(
            f"{where}: a gap's weight is a whole number from 1 to 100.", errors={where: ["Bad weight."]}
        )
    if gap["kind"] == "short":
        return {
            "kind": "short",
            "weight": weight,
            "case_sensitive": bool(gap.get("case_sensitive")),
            "alternatives": clean_alternatives(gap.get("alternatives"), where=where),
        }
    if gap["kind"] == "numeric":
        return {"kind": "numeric", "weight": weight, "answers": clean_numeric_answers(gap.get("answers"), where=where)}
    options = gap.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationFailed(
            f"{where}: a choice gap needs at least two options.", errors={where: ["Too few options."]}
        )
    cleaned = []
    for n, option in enumerate(options, start=1):
        text = str(option.get("text", "")).strip() if isinstance(option, dict) else ""
        if not text:
            raise ValidationFailed(f"{where}, option {n}: an option has text.", errors={where: ["Bad option."]})
        cleaned.append(
            {
                "text": text,
                "fraction": str(fraction_of(option.get("fraction"), where=f"{where}, option {n}")),
                "feedback": str(option.get("feedback") or ""),
            }
        )
    if not any(Decimal(o["fraction"]) == 1 for o in cleaned):
        raise ValidationFailed(f"{where}: one option must earn full credit.", errors={where: ["No full credit."]})
    return {"kind": "choice", "weight": weight, "options": cleaned}


def cloze_source(spec: dict[str, Any], *, where: str) -> tuple[str, list[dict[str, Any]]]:
    """The stored text and gaps for a spec written either way: Moodle syntax in the text, or a
    text with ``{#n}`` markers and ``data.gaps`` (as exported)."""
    text = str(spec.get("text", ""))
    marked, gaps = parse_multianswer(text, where=where)
    if not gaps:
        data = spec.get("data") or {}
        given = data.get("gaps") if isinstance(data, dict) else None
        if not isinstance(given, list) or not given:
            raise ValidationFailed(
                f"{where}: a cloze question has gaps, like {{1:SHORTANSWER:=answer}}.", errors={where: ["No gaps."]}
            )
        gaps = given
    cleaned = [clean_gap(g, where=f"{where}, gap {n}") for n, g in enumerate(gaps, start=1)]
    markers = sorted(int(m) for m in _MARKER.findall(marked))
    if markers != list(range(1, len(cleaned) + 1)):
        raise ValidationFailed(
            f"{where}: the text must mark each gap once, {{#1}} to {{#{len(cleaned)}}}.",
            errors={where: ["Bad markers."]},
        )
    return marked.strip(), cleaned


def gap_options(gap: dict[str, Any]) -> list[dict[str, Any]]:
    """A choice gap's options in alphabetical order: served so, so the order does not say which
    option the author wrote first (often the right one). A stored answer names an option by its
    place here; the attempt shows it under an opaque id of its own (``ServedIds``)."""
    return sorted(gap["options"], key=lambda o: (o["text"].casefold(), o["text"]))


class Cloze(QuestionType):
    kind = "cloze"
    label = "Cloze (gaps in a text)"
    answer_hint = "Fill in every gap."
    answer_template = "assessment/questions/cloze.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        cloze_source(spec, where=where)

    def clean_text(self, spec: dict[str, Any], *, where: str) -> str:
        return cloze_source(spec, where=where)[0]

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        return {"gaps": cloze_source(spec, where=where)[1]}

    def display_text(self, question: StoredQuestion) -> str:
        return _MARKER.sub("_____", question.text)

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        gaps = (question.data or {}).get("gaps") or []
        if not isinstance(raw, dict):
            raise ValidationFailed(
                f"Question {question.id} takes an object of gap number → answer.",
                errors={str(question.id): ["Expected gaps."]},
            )
        parsed: dict[str, str] = {}
        for key, value in raw.items():
            number = int(key) if str(key).isdigit() else 0
            if not 1 <= number <= len(gaps):
                raise ValidationFailed(
                    f"Question {question.id} has no gap {key}.", errors={str(question.id): ["Unknown gap."]}
                )
            text = text_answer(question, value).strip()
            if (
                gaps[number - 1]["kind"] == "choice"
                and text
                and not (text.isdigit() and int(text) < len(gap_options(gaps[number - 1])))
            ):
                raise ValidationFailed(
                    f"Unknown option for question {question.id}.", errors={str(question.id): ["Unknown option."]}
                )
            if text:
                parsed[str(number)] = text
        return parsed

    def _ids(self, question: StoredQuestion, ids: ServedIds | None) -> dict[int, dict[int, int]]:
        """For each choice gap (by number): option place → the id this attempt shows."""
        ids = ids or ServedIds(None)
        gaps = (question.data or {}).get("gaps") or []
        return {
            n: ids.table(question.id, f"gap{n}", range(len(gap_options(gap))))
            for n, gap in enumerate(gaps, start=1)
            if gap["kind"] == "choice"
        }

    def answer_in(self, question: StoredQuestion, raw: Any, ids: ServedIds) -> Any:
        if not isinstance(raw, dict):
            return raw  # refused by ``parse_answer`` with its message
        tables = self._ids(question, ids)
        message = f"Unknown option for question {question.id}."
        translated = {}
        for key, value in raw.items():
            table = tables.get(int(key)) if str(key).isdigit() else None
            if table is not None and str(value).strip():
                authored = authored_of(question, table, str(value).strip(), what="Unknown option.", message=message)
                value = str(authored) if isinstance(authored, int) else authored
            translated[key] = value
        return translated

    def answer_out(self, question: StoredQuestion, stored: Any, ids: ServedIds) -> Any:
        tables = self._ids(question, ids)
        shown = {}
        for key, value in (stored or {}).items():
            table = tables.get(int(key)) if str(key).isdigit() else None
            if table is not None:
                if not (str(value).isdigit() and int(value) in table):
                    continue
                value = str(table[int(value)])
            shown[str(key)] = value
        return shown

    def answer_from_form(
        self, question: StoredQuestion, form: Mapping[str, Any], name: str, ids: ServedIds | None = None
    ) -> Any:
        gaps = (question.data or {}).get("gaps") or []
        given = {str(n): str(form.get(f"{name}_{n}", "")).strip() for n in range(1, len(gaps) + 1)}
        given = {k: v for k, v in given.items() if v}
        return given or None

    def gap_fraction(self, gap: dict[str, Any], answer: str | None) -> tuple[Decimal, str]:
        if not answer:
            return Decimal(0), ""
        if gap["kind"] == "short":
            return short_fraction(gap["alternatives"], answer, case_sensitive=gap["case_sensitive"])
        if gap["kind"] == "numeric":
            return numeric_fraction(gap["answers"], parse_number(answer))
        option = gap_options(gap)[int(answer)]
        return Decimal(option["fraction"]), option["feedback"]

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        gaps = (question.data or {}).get("gaps") or []
        given = answer or {}
        earned = Decimal(0)
        feedback = []
        for n, gap in enumerate(gaps, start=1):
            fraction, said = self.gap_fraction(gap, given.get(str(n)))
            earned += max(fraction, Decimal(0)) * gap["weight"]
            if said:
                feedback.append(f"Gap {n}: {said}")
        total = sum(g["weight"] for g in gaps) or 1
        fraction = earned / Decimal(total)
        return Grade(points=points_for(question, fraction), correct=fraction >= 1, feedback=tuple(feedback))

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        """The text cut at its gaps; a choice gap lists its options' texts under served ids."""
        gaps = (question.data or {}).get("gaps") or []
        tables = self._ids(question, ids)
        parts: list[dict[str, Any]] = []
        position = 0
        for match in _MARKER.finditer(question.text):
            parts.append({"text": question.text[position : match.start()]})
            number = int(match.group(1))
            gap = gaps[number - 1]
            served: dict[str, Any] = {"gap": number, "kind": gap["kind"]}
            if gap["kind"] == "choice":
                shown = tables[number]
                served["options"] = [{"id": shown[i], "text": o["text"]} for i, o in enumerate(gap_options(gap))]
            parts.append(served)
            position = match.end()
        parts.append({"text": question.text[position:]})
        return {"parts": [p for p in parts if p.get("text", True)]}

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        gaps = (question.data or {}).get("gaps") or []
        given = answer or {}
        said = []
        for n, gap in enumerate(gaps, start=1):
            value = given.get(str(n), "")
            if gap["kind"] == "choice" and value:
                value = gap_options(gap)[int(value)]["text"]
            said.append(f"{n}: {value or '—'}")
        return "; ".join(said)

    def solution(self, question: StoredQuestion) -> str:
        said = []
        for n, gap in enumerate((question.data or {}).get("gaps") or [], start=1):
            if gap["kind"] == "short":
                right = [a["text"] for a in gap["alternatives"] if Decimal(a["fraction"]) == 1]
            elif gap["kind"] == "numeric":
                right = [a["value"] for a in gap["answers"] if a["value"] and Decimal(a["fraction"]) == 1]
            else:
                right = [o["text"] for o in gap["options"] if Decimal(o["fraction"]) == 1]
            said.append(f"{n}: {' / '.join(right)}")
        return "; ".join(said)
