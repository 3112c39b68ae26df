"""Essay: answered in free text and graded by a person. ``data = {"grader_info": "…"}`` is for
the grader only. Until someone grades it the answer's grade is ``pending``: the attempt waits in
"needs grading" (``services.attempt_answer_grade``)."""

from __future__ import annotations

from typing import Any

from .base import MAX_ESSAY_CHARS, Answer, Grade, QuestionType, StoredQuestion, spec_data, text_answer


class Essay(QuestionType):
    kind = "essay"
    label = "Essay"
    answer_hint = "Write your answer; a person grades it."
    answer_template = "assessment/questions/essay.html"
    graded_by_hand = True

    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        spec_data(spec, where=where)

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        return {"grader_info": str(spec_data(spec, where=where).get("grader_info") or "")}

    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        return text_answer(question, raw, limit=MAX_ESSAY_CHARS).strip()

    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        if not answer:
            return Grade(points=0, correct=False)  # nothing written: nothing for a person to grade
        return Grade(points=0, correct=False, pending=True)
