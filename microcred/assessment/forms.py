"""The quiz fields of the workspace's lesson editor (catalog's page; this app's ``LessonEditor``
in ``pages.py``). They parse and label input only; ``services.quiz_lesson_create`` and
``quiz_lesson_update`` write."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from microcred.core.errors import ValidationFailed

from .questions import CHOICE_KEYS, QUESTION_KEYS, validate_question


def parse_questions(raw: str) -> list[dict[str, Any]]:
    """Questions pasted as JSON in the catalog format, checked by the quiz service's own rules."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from exc
    if isinstance(data, dict) and "questions" in data:
        data = data["questions"]
    if not isinstance(data, list) or not data:
        raise forms.ValidationError("Paste a JSON list of questions (or an object with a “questions” list).")
    for i, question in enumerate(data):
        where = f"Question {i + 1}"
        if not isinstance(question, dict):
            raise forms.ValidationError(f"{where}: expected an object.")
        unknown = set(question) - QUESTION_KEYS
        if unknown:
            raise forms.ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
        points = question.get("points", 1)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            raise forms.ValidationError(f"{where}: points must be a whole number ≥ 0.")
        choices = question.get("choices")
        if not isinstance(choices, list):
            raise forms.ValidationError(f"{where}: “choices” must be a list.")
        for n, choice in enumerate(choices):
            if not isinstance(choice, dict) or "text" not in choice or set(choice) - CHOICE_KEYS:
                raise forms.ValidationError(f'{where}, choice {n + 1}: expected {{"text": …, "correct": true|false}}.')
            if len(str(choice["text"])) > 500:
                raise forms.ValidationError(f"{where}, choice {n + 1}: at most 500 characters.")
    for i, question in enumerate(data):
        try:
            validate_question(question, where=f"questions[{i}]")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc
    return data


class QuizLessonFields(forms.Form):
    """A quiz lesson's questions and settings, after the lesson's own fields."""

    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"}),
        label="Questions (JSON)",
        help_text="A list of questions in the catalog format: kind (single or multiple), text, "
        "explanation, points, and choices with text and correct.",
    )
    passing_score = forms.IntegerField(min_value=1, max_value=100, initial=70, label="Pass mark (%)")
    max_attempts = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="Attempts allowed", help_text="Empty: unlimited."
    )

    def clean_questions(self) -> list[dict[str, Any]]:
        return parse_questions(self.cleaned_data["questions"])
