"""The quiz fields of the workspace's lesson editor (catalog's page; this app's ``LessonEditor``
in ``pages.py``). They parse and label input only; ``services.quiz_lesson_create`` and
``quiz_lesson_update`` write."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from microcred.core.errors import ValidationFailed

from .attempt_rules import GRADING_METHOD_LABELS, Moment, Shown
from .questions import CHOICE_KEYS, QUESTION_KEYS, validate_question
from .selectors import drawable_banks


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
        choices = question.get("choices", [])
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

    # Absent (a form from before banks): the questions written here, as always.
    source = forms.ChoiceField(
        required=False,
        choices=[("questions", "Write them here (JSON)"), ("bank", "Draw from a question bank")],
        initial="questions",
        label="Questions",
        widget=forms.RadioSelect,
    )
    bank = forms.IntegerField(
        required=False,
        min_value=1,
        label="Question bank number",
        help_text="When drawing from a bank: its number, as listed on your organisation's Question banks page.",
    )
    category = forms.CharField(
        required=False,
        max_length=500,
        label="Category",
        help_text="When drawing from a bank: only questions in this category and below it, as “Unit 1/Fractions”; "
        "empty: the whole bank.",
    )
    questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"}),
        label="Questions (JSON)",
        help_text="A list of questions in the catalog format: kind (single, multiple, truefalse, numeric, "
        "short, matching, ordering, cloze, essay or calculated), text, explanation, points, hints, and choices with "
        "text and correct (single, multiple) or data (the other kinds).",
    )
    passing_score = forms.IntegerField(min_value=1, max_value=100, initial=70, label="Pass mark (%)")
    max_attempts = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Attempts allowed",
        help_text="Empty: unlimited; a quiz that counts towards the credential then needs “Unlimited attempts”.",
    )
    # --- Integrity settings (ADR 0026) ---
    unlimited_attempts = forms.BooleanField(
        required=False,
        label="Unlimited attempts",
        help_text="Tick to allow unlimited attempts on purpose, even though passing earns the credential.",
    )
    placement = forms.BooleanField(
        required=False,
        label="Placement quiz",
        help_text="Learners may take it without enrolling; passing it proves this micro-credential's skills "
        "at their target levels, so a learning plan can skip the course.",
    )
    question_count = forms.IntegerField(
        required=False, min_value=1, label="Questions per attempt", help_text="Drawn from the questions; empty: all."
    )
    time_limit_minutes = forms.IntegerField(
        required=False, min_value=1, max_value=1440, label="Time limit (minutes)", help_text="Empty: none."
    )
    attempt_delay_minutes = forms.IntegerField(
        required=False, min_value=1, label="Wait between attempts (minutes)", help_text="Empty: none."
    )
    opens_at = forms.DateTimeField(
        required=False, label="Opens (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        required=False, label="Closes (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    grading_method = forms.ChoiceField(
        required=False,
        choices=list(GRADING_METHOD_LABELS.items()),
        initial="highest",
        label="Grading method",
        help_text="How several attempts make the lesson's score.",
    )
    # Selects rather than checkboxes, so a form that leaves them out keeps the default (shuffled).
    shuffle_questions = forms.TypedChoiceField(
        required=False,
        choices=[("1", "Shuffled for each attempt"), ("0", "As written")],
        coerce=lambda v: v in {"1", True},
        empty_value=True,  # type: ignore[arg-type]  # absent: the default, shuffled
        initial="1",
        label="Question order",
    )
    shuffle_options = forms.TypedChoiceField(
        required=False,
        choices=[("1", "Shuffled for each attempt"), ("0", "As written")],
        coerce=lambda v: v in {"1", True},
        empty_value=True,  # type: ignore[arg-type]  # absent: the default, shuffled
        initial="1",
        label="Option order",
    )
    review_custom = forms.BooleanField(
        required=False,
        label="Set what learners see after an attempt",
        help_text="Unticked: the default. A quiz that counts towards the credential shows the score, and the "
        "right answers and explanations only once the learner has passed, has no attempts left or it has "
        "closed; other quizzes show everything once submitted.",
    )
    review_immediately = forms.MultipleChoiceField(
        required=False,
        choices=[(s.value, s.value.capitalize()) for s in Shown],
        widget=forms.CheckboxSelectMultiple,
        label="Right after the attempt",
    )
    review_open = forms.MultipleChoiceField(
        required=False,
        choices=[(s.value, s.value.capitalize()) for s in Shown],
        widget=forms.CheckboxSelectMultiple,
        label="Later, while the quiz is open",
    )
    review_closed = forms.MultipleChoiceField(
        required=False,
        choices=[(s.value, s.value.capitalize()) for s in Shown],
        widget=forms.CheckboxSelectMultiple,
        label="After the quiz closes",
    )
    review_hold_until_settled = forms.BooleanField(
        required=False,
        label="Keep right/wrong, answers and explanations back until passed or out of attempts",
    )

    REVIEW_FIELDS = ("review_custom", "review_immediately", "review_open", "review_closed", "review_hold_until_settled")

    # Set by ``offer_banks``: each offered bank's category paths, to check the pair chosen.
    bank_categories: dict[int, set[str]] | None = None

    def _from_bank(self) -> bool:
        return self.cleaned_data.get("source") == "bank"

    def clean_questions(self) -> list[dict[str, Any]] | None:
        if self._from_bank():
            return None
        if not self.cleaned_data.get("questions", "").strip():
            raise forms.ValidationError(self.fields["questions"].error_messages["required"], code="required")
        return parse_questions(self.cleaned_data["questions"])

    def clean(self) -> dict[str, Any]:
        """The review checkboxes become the quiz's ``review_options`` (None: the default)."""
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        # One source of questions: a bank (and category) to draw from, or the JSON list.
        if cleaned.pop("source", None) == "bank":
            if cleaned.get("bank") is None and "bank" not in self.errors:
                self.add_error("bank", "Choose the question bank to draw from.")
            cleaned["category"] = (cleaned.get("category") or "").strip()
            offered = self.bank_categories
            if (
                offered is not None
                and cleaned.get("bank") in offered
                and cleaned["category"]
                and cleaned["category"] not in offered[cleaned["bank"]]
            ):
                self.add_error("category", NO_SUCH_CATEGORY)
        else:
            cleaned.pop("bank", None)
            cleaned.pop("category", None)
        review = {name: cleaned.pop(name, None) for name in self.REVIEW_FIELDS}
        if review["review_custom"]:
            cleaned["review_options"] = {
                Moment.DURING.value: [],
                Moment.IMMEDIATELY.value: list(review["review_immediately"] or []),
                Moment.OPEN.value: list(review["review_open"] or []),
                Moment.CLOSED.value: list(review["review_closed"] or []),
                "hold_until_settled": bool(review["review_hold_until_settled"]),
            }
        else:
            cleaned["review_options"] = None
        cleaned["grading_method"] = cleaned.get("grading_method") or "highest"
        if cleaned.get("max_attempts") is not None and cleaned.get("unlimited_attempts"):
            self.add_error("unlimited_attempts", "Leave “Attempts allowed” empty to allow unlimited attempts.")
        elif (
            cleaned.get("required", True)
            and cleaned.get("max_attempts") is None
            and not cleaned.get("unlimited_attempts")
        ):
            # The same rule publishing applies (``quiz_attempt_limit_problem``), said while editing.
            self.add_error(
                "max_attempts",
                "This quiz counts towards the credential: set the number of attempts allowed, "
                "or tick “Unlimited attempts”.",
            )
        return cleaned


def review_initial(review_options: dict[str, Any] | None) -> dict[str, Any]:
    """The review checkboxes for a quiz's stored ``review_options``."""
    if review_options is None:
        return {"review_custom": False}
    return {
        "review_custom": True,
        "review_immediately": review_options.get(Moment.IMMEDIATELY.value, []),
        "review_open": review_options.get(Moment.OPEN.value, []),
        "review_closed": review_options.get(Moment.CLOSED.value, []),
        "review_hold_until_settled": bool(review_options.get("hold_until_settled")),
    }


NO_SUCH_CATEGORY = "That category has no questions in the chosen bank."


def _questions(n: int) -> str:
    return f"{n} question{'s' if n != 1 else ''}"


def offer_banks(form: forms.Form, provider: Any) -> None:
    """The lesson editor's ``LessonEditor.prepare``: the bank and category become selects of the
    provider's shared banks and their categories, each with how many questions it holds (a
    category counts those below it, which a quiz drawing on it takes too)."""
    banks = drawable_banks(provider=provider)
    form.fields["bank"] = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Choose a bank…")]
        + [(b.bank.pk, f"{b.bank.title} (no. {b.bank.pk}, {_questions(b.questions)})") for b in banks],
        label="Question bank",
        help_text="When drawing from a bank: your organisation's shared banks (imported or written on the "
        "Question banks page).",
        error_messages={"invalid_choice": "No question bank of yours has that number."},
    )
    form.fields["category"] = forms.ChoiceField(
        required=False,
        choices=[("", "The whole bank")]
        + [
            (b.bank.title, [(path, f"{path} ({_questions(n)})") for path, n in b.categories])
            for b in banks
            if b.categories
        ],
        label="Category",
        help_text="Only questions in this category and below it (“Unit 1” takes “Unit 1/Fractions”); it must be "
        "in the chosen bank.",
        error_messages={"invalid_choice": NO_SUCH_CATEGORY},
    )
    form.bank_categories = {b.bank.pk: {path for path, _n in b.categories} for b in banks}  # type: ignore[attr-defined]
