"""Short answer: ``data = {"alternatives": [{"text", "fraction", "feedback"}], "case_sensitive":
false}``. An alternative may hold ``*``, which matches any run of characters as in Moodle
(``\\*`` is a literal star). Patterns are matched by a linear-time wildcard matcher, never a
regular expression: an author's pattern cannot make grading slow. Spaces are collapsed before
comparing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from microcred.core.errors import ValidationFailed

from .base import Answer, Grade, QuestionType, StoredQuestion, fraction_of, points_for, spec_data, text_answer

STAR = "\x00"  # a wildcard once unescaped: no learner can type it (answers are stripped of it)


def normalise(text: str, *, case_sensitive: bool) -> str:
    text = " ".join(text.replace(STAR, "").split())
    return text if case_sensitive else text.casefold()


def compile_pattern(pattern: str, *, case_sensitive: bool) -> str:
    """``pattern`` with its unescaped ``*`` turned into ``STAR`` and normalised like an answer."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern) and pattern[i + 1] == "*":
            out.append("*")
            i += 2
            continue
        out.append(STAR if pattern[i] == "*" else pattern[i])
        i += 1
    text = " ".join("".join(out).split())
    return text if case_sensitive else text.casefold()


def wildcard_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` where ``STAR`` is any run of characters: the greedy
    two-pointer algorithm, O(len(pattern) × len(text)) at worst, with no backtracking blow-up."""
    p = t = 0
    star = -1
    mark = 0
    while t < len(text):
        if p < len(pattern) and pattern[p] != STAR and pattern[p] == text[t]:
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == STAR:
            star, mark = p, t
            p += 1
        elif star != -1:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == STAR:
        p += 1
    return p == len(pattern)


def clean_alternatives(alternatives: Any, *, where: str) -> list[dict[str, Any]]:
    if not isinstance(alternatives, list) or not alternatives:
        raise ValidationFailed(
            f"{where}: a short-answer question needs accepted answers.", errors={where: ["No answers."]}
        )
    cleaned = []
    for n, alt in enumerate(alternatives, start=1):
        text = str(alt.get("text", "")).strip() if isinstance(alt, dict) else ""
        if not text or len(text) > 500:
            raise ValidationFailed(
                f"{where}, answer {n}: an accepted answer has text (at most 500 characters).",
                errors={where: ["Bad answer."]},
            )
        cleaned.append(
            {
                "text": text,
                "fraction": str(fraction_of(alt.get("fraction"), where=f"{where}, answer {n}", default="1")),
                "feedback": str(alt.get("feedback") or ""),
            }
        )
    if not any(Decimal(a["fraction"]) == 1 for a in cleaned):
        raise ValidationFailed(
            f"{where}: one accepted answer must earn full credit.", errors={where: ["No full credit."]}
        )
    return cleaned


def short_fraction(alternatives: list[dict[str, Any]], answer: str, *, case_sensitive: bool) -> tuple[Decimal, str]:
    given = normalise(answer, case_sensitive=case_sensitive)
    best: tuple[Decimal, str] | None = None
    if not given:
        return Decimal(0), ""
    for alt in alternatives:
        if wildcard_match(compile_pattern(alt["text"], case_sensitive=case_sensitive), given):
            fraction = Decimal(alt["fraction"])
            if best is None or fraction > best[0]:
                best = (fraction, alt["feedback"])
    return best or (Decimal(0), "")


class ShortAnswer(QuestionType):
    kind = "short"
    label = "Short answer"
    answer_hint = "Type your answer."
    answer_template = "assessment/questions/short.html"

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        self.clean_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        data = spec_data(spec, where=where)
        return {
            "alternatives": clean_alternatives(data.get("alternatives"), where=where),
            "case_sensitive": bool(data.get("case_sensitive")),
        }

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        return text_answer(question, raw).strip()

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        if not answer:
            return Grade(points=0, correct=False)
        data = question.data or {}
        fraction, feedback = short_fraction(
            data.get("alternatives") or [], answer, case_sensitive=bool(data.get("case_sensitive"))
        )
        return Grade(
            points=points_for(question, fraction), correct=fraction >= 1, feedback=(feedback,) if feedback else ()
        )

    def solution(self, question: StoredQuestion) -> str:
        alternatives = (question.data or {}).get("alternatives") or []
        return "; ".join(a["text"] for a in alternatives if Decimal(a["fraction"]) == 1)
