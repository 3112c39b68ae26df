"""Question files to question specs and back (ADR 0027): a ``ParsedBank`` read by ``formats``
(GIFT, Aiken) becomes the specs ``quiz_create`` and ``question_bank_import`` take, each checked by
its kind, and a bank's questions become a ``ParsedBank`` that ``export_gift`` writes.

No models and no writes here: the service stores what this returns. Every problem is reported
with the line its question starts on, all at once, so a file is fixed in one pass and nothing is
half-imported."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from microcred.core.errors import ValidationFailed

from . import formats as f
from .questions import validate_question
from .questions.short import STAR

_TAG: Final = re.compile(r"<[^>]*>")  # our own fixed pattern, to drop HTML tags from an HTML text


@dataclass(frozen=True)
class MappedQuestion:
    line: int
    spec: dict[str, Any]


@dataclass(frozen=True)
class MappedBank:
    questions: tuple[MappedQuestion, ...]
    skipped: tuple[str, ...]  # what the file held that is not a question to answer, with its line


def _plain(text: f.Text | None) -> str:
    """A text as our questions hold it (plain text with inline Markdown): HTML loses its tags."""
    if text is None:
        return ""
    if text.format == f.TextFormat.HTML:
        return " ".join(html.unescape(_TAG.sub(" ", text.text)).split())
    return text.text.strip()


def _fraction(value: Decimal) -> str:
    return str(value.normalize()) if value else "0"


def _spec(question: f.Question) -> dict[str, Any] | None:
    """The spec for one parsed question; None for a description (nothing to answer)."""
    base: dict[str, Any] = {
        "text": _plain(question.text),
        "explanation": _plain(question.general_feedback),
        "points": int(question.points) if question.points and question.points == int(question.points) else 1,
        "category": "/".join(question.category),
        "tags": list(question.tags),
    }
    if isinstance(question, f.MultiChoice):
        choices = [
            {
                "text": _plain(c.text),
                "correct": c.fraction >= 1 if question.single else c.fraction > 0,
                "fraction": _fraction(c.fraction),
                **({"feedback": _plain(c.feedback)} if c.feedback else {}),
            }
            for c in question.choices
        ]
        if question.single:
            return {**base, "kind": "single", "choices": choices}
        return {**base, "kind": "multiple", "choices": choices, "data": {"scoring": "partial"}}
    if isinstance(question, f.TrueFalse):
        right, wrong = _plain(question.right_feedback), _plain(question.wrong_feedback)
        feedback = {"feedback_true": right, "feedback_false": wrong}
        if not question.correct:
            feedback = {"feedback_true": wrong, "feedback_false": right}
        return {**base, "kind": "truefalse", "data": {"correct": question.correct, **feedback}}
    if isinstance(question, f.ShortAnswer):
        alternatives = [
            {"text": a.text, "fraction": _fraction(a.fraction), "feedback": _plain(a.feedback)}
            for a in question.alternatives
        ]
        return {**base, "kind": "short", "data": {"alternatives": alternatives}}
    if isinstance(question, f.Numerical):
        answers = [
            {
                "value": None if a.value is None else str(a.value),
                "tolerance": str(a.tolerance),
                "fraction": _fraction(a.fraction),
                "feedback": _plain(a.feedback),
            }
            for a in question.answers
        ]
        return {**base, "kind": "numeric", "data": {"answers": answers}}
    if isinstance(question, f.Matching):
        pairs = [{"prompt": _plain(p.prompt), "answer": p.answer} for p in question.pairs if _plain(p.prompt)]
        extras = [p.answer for p in question.pairs if not _plain(p.prompt)]
        return {**base, "kind": "matching", "data": {"pairs": pairs, "distractors": extras}}
    if isinstance(question, f.Essay):
        return {**base, "kind": "essay"}
    return None


def specs_from_parsed(parsed: f.ParsedBank) -> MappedBank:
    """Every question of the file as a checked spec, or ``ValidationFailed`` listing each
    question our kinds cannot hold, by line (``errors`` keyed ``"line N"``)."""
    mapped: list[MappedQuestion] = []
    skipped: list[str] = []
    problems: dict[str, list[str]] = {}
    for question in parsed.questions:
        where = f"line {question.line}"
        spec = _spec(question)
        if spec is None:
            skipped.append(f"{where}: a description (text with nothing to answer) is not imported.")
            continue
        try:
            validate_question(spec, where=where)
        except ValidationFailed as exc:
            problems.setdefault(where, []).append(exc.message)
            continue
        mapped.append(MappedQuestion(line=question.line, spec=spec))
    if problems:
        listed = "; ".join(message for messages in problems.values() for message in messages)
        count = sum(len(m) for m in problems.values())
        raise ValidationFailed(
            f"{count} question{'s' if count != 1 else ''} cannot be imported: {listed}", errors=problems
        )
    if not mapped:
        raise ValidationFailed("The file holds no question to import.", errors={"file": ["No questions."]})
    return MappedBank(questions=tuple(mapped), skipped=tuple(skipped))


# --- Back to a file ------------------------------------------------------------------------------


def _text(value: str) -> f.Text:
    return f.Text(value, f.TextFormat.MOODLE)


def _feedback(value: str) -> f.Text | None:
    return _text(value) if value else None


def parsed_from_questions(questions: list[Any]) -> tuple[f.ParsedBank, list[str]]:
    """A bank's questions (models, with choices prefetched) as a ``ParsedBank`` for
    ``export_gift``, and a note for each question GIFT cannot hold (ordering, cloze)."""
    out: list[f.Question] = []
    skipped: list[str] = []
    for q in questions:
        data = q.data or {}
        common: dict[str, Any] = {
            "text": _text(q.text),
            "category": tuple(part for part in (q.category or "").split("/") if part),
            "general_feedback": _feedback(q.explanation),
            "tags": tuple(q.tags or ()),
        }
        if q.kind in ("single", "multiple"):
            choices = tuple(
                f.Choice(
                    text=_text(c.text),
                    fraction=(Decimal(1) if c.is_correct and q.kind == "single" else Decimal(c.fraction).normalize())
                    if (q.kind == "single" or data.get("scoring") == "partial")
                    else _all_or_nothing_fraction(c, q),
                    feedback=_feedback(c.feedback),
                )
                for c in q.choices.all()
            )
            out.append(f.MultiChoice(**common, choices=choices, single=q.kind == "single"))
        elif q.kind == "truefalse":
            right, wrong = data.get("feedback_true", ""), data.get("feedback_false", "")
            if not data.get("correct"):
                right, wrong = wrong, right
            out.append(
                f.TrueFalse(
                    **common,
                    correct=bool(data.get("correct")),
                    right_feedback=_feedback(right),
                    wrong_feedback=_feedback(wrong),
                )
            )
        elif q.kind == "short":
            out.append(
                f.ShortAnswer(
                    **common,
                    alternatives=tuple(
                        f.Alternative(
                            text=a["text"].replace(STAR, "*"),
                            fraction=Decimal(a["fraction"]),
                            feedback=_feedback(a["feedback"]),
                        )
                        for a in data.get("alternatives", [])
                    ),
                )
            )
        elif q.kind == "numeric":
            out.append(
                f.Numerical(
                    **common,
                    answers=tuple(
                        f.NumericAnswer(
                            value=None if a["value"] is None else Decimal(a["value"]),
                            tolerance=Decimal(a["tolerance"]),
                            fraction=Decimal(a["fraction"]),
                            feedback=_feedback(a["feedback"]),
                        )
                        for a in data.get("answers", [])
                    ),
                )
            )
        elif q.kind == "matching":
            pairs = [f.Pair(prompt=_text(p["prompt"]), answer=p["answer"]) for p in data.get("pairs", [])]
            pairs += [f.Pair(prompt=_text(""), answer=d) for d in data.get("distractors", [])]
            out.append(f.Matching(**common, pairs=tuple(pairs)))
        elif q.kind == "essay":
            out.append(f.Essay(**common))
        else:
            skipped.append(f"“{q.text[:60]}”: GIFT has no {q.kind} questions; it is left out.")
    return f.ParsedBank(questions=tuple(out), source_format="gift"), skipped


def _all_or_nothing_fraction(choice: Any, question: Any) -> Decimal:
    """An all-or-nothing multiple choice written as GIFT weights: the right choices share full
    credit and a wrong one takes it all back, which is as near as GIFT comes."""
    right = sum(1 for c in question.choices.all() if c.is_correct) or 1
    if choice.is_correct:
        return (Decimal(1) / right).quantize(Decimal("0.00001")).normalize()
    return Decimal(-1)
