"""The workspace's form for one question of a bank (ADR 0027, addendum on authoring): the fields
every kind shares, and those of the kind chosen, its structured part in the compact syntax of
``authoring.py``. The form reads the fields into a spec in the catalog format and has the kind
check it (``validate_question``), so it refuses what the service, the importer and the API
refuse, with the same messages, pointed at the line they are about. It writes nothing:
``services.question_create`` and ``question_revise`` do."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final

from django import forms

from microcred.core.errors import ValidationFailed

from . import authoring
from .questions import question_kind_choices, validate_question

WHERE: Final = "This question"

# What each kind adds to the shared fields, in the order the form shows them.
KIND_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "single": ("answers",),
    "multiple": ("answers", "scoring"),
    "truefalse": ("correct", "feedback_true", "feedback_false"),
    "numeric": ("answers", "units", "unit_required"),
    "short": ("answers", "case_sensitive"),
    "matching": ("answers",),
    "ordering": ("answers", "scoring"),
    "cloze": (),
    "essay": ("grader_info",),
    "calculated": ("formula", "variables", "tolerance", "tolerance_kind", "units", "unit_required", "decimals"),
}
SHARED_FIELDS: Final = ("text", "points", "explanation", "hints", "category", "tags", "skill")

# How each kind's textarea of answers is labelled and explained next to it.
ANSWERS_HELP: Final[dict[str, tuple[str, str]]] = {
    "single": ("Choices", "One a line: “= right”, “~ wrong”; “~%50% half right” earns half; “# feedback” after."),
    "multiple": (
        "Choices",
        "One a line: “= right”, “~ wrong”, with “# feedback” after. With partial credit, "
        "“=%50%” or “~%-50%” sets a choice's weight (the right ones share 100% by default).",
    ),
    "numeric": (
        "Accepted answers",
        "One a line: “= value : tolerance”; “=%50% 42 : 1” earns half; "
        "“= *” any other number (for its feedback); “# feedback” after.",
    ),
    "short": (
        "Accepted answers",
        "One a line: “= answer”, “*” matching anything (“\\*” is a star); "
        "“=%50% close” earns half; “# feedback” after.",
    ),
    "matching": ("Pairs", "One a line: “prompt -> answer”; “-> answer” adds an answer that matches no prompt."),
    "ordering": ("Items", "One a line, in the right order (learners get them shuffled)."),
}
SCORINGS: Final[dict[str, list[tuple[str, str]]]] = {
    "multiple": [("all_or_nothing", "All or nothing"), ("partial", "Partial credit")],
    "ordering": [("positions", "A share for each item in its place"), ("all_or_nothing", "All or nothing")],
}
# A kind's message names the n-th entry ("choice 3"); the author reads lines.
_ENTRY: Final = re.compile(r"^This question, (?:choice|answer|pair|unit|option|item) (\d+)")
_GAP: Final = re.compile(r"^This question, gap (\d+)")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Question", max_length=20_000)
    points = forms.IntegerField(min_value=0, max_value=1000, initial=1, label="Points")
    answers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono", "spellcheck": "false"}), max_length=50_000
    )
    scoring = forms.ChoiceField(label="Scoring")
    case_sensitive = forms.BooleanField(required=False, label="Case matters")
    correct = forms.TypedChoiceField(
        choices=[("true", "True"), ("false", "False")],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        label="The statement is",
    )
    feedback_true = forms.CharField(required=False, max_length=2000, label="Feedback to “True”")
    feedback_false = forms.CharField(required=False, max_length=2000, label="Feedback to “False”")
    formula = forms.CharField(
        max_length=500,
        label="Answer formula",
        help_text="With the variables' names: “mass * g”. + - * / **, sqrt, log, exp, sin, cos, tan, abs, round, "
        "min, max, pi, e.",
        widget=forms.TextInput(attrs={"class": "mono", "spellcheck": "false"}),
    )
    variables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "spellcheck": "false"}),
        max_length=20_000,
        label="Variables",
        help_text="One a line: “mass = 2..10 step 0.5” (a range), “g = 9.81” (fixed) or “n = 1, 2, 5” (one of). "
        "Each learner draws their own values; write {mass} in the question where a value goes.",
    )
    tolerance = forms.DecimalField(min_value=0, initial=0, label="Tolerance")
    tolerance_kind = forms.ChoiceField(
        choices=[("relative", "Relative (0.01 is 1% of the answer)"), ("absolute", "Absolute (in the answer's unit)")],
        initial="relative",
        label="Tolerance is",
    )
    decimals = forms.IntegerField(
        required=False, min_value=0, max_value=10, label="Decimals shown", help_text="In the review's right answer."
    )
    units = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono", "spellcheck": "false"}),
        max_length=5000,
        label="Units",
    )
    unit_required = forms.BooleanField(required=False, label="The answer must give its unit")
    grader_info = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        label="Notes for the grader",
        help_text="Never shown to learners.",
    )
    explanation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
        label="General feedback",
        help_text="Shown with the review, as the quiz's review options allow.",
    )
    hints = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
        label="Hints",
        help_text="One a line, offered in this order during the attempt.",
    )
    category = forms.CharField(
        required=False, max_length=500, label="Category", help_text="A path in the bank: “Unit 1/Fractions”."
    )
    tags = forms.CharField(required=False, max_length=2000, label="Tags", help_text="Separated by commas.")
    skill = forms.CharField(
        required=False,
        max_length=300,
        label="Skill (URI)",
        help_text="Optional: the skill this question assesses, by its URI (an ESCO or framework URI).",
    )

    TEXT_HELP: ClassVar[dict[str, str]] = {
        "cloze": "The text with its gaps in Moodle's syntax: {1:SHORTANSWER:=answer#feedback}, "
        "{1:NUMERICAL:=3.14:0.01}, {1:MULTICHOICE:=right~wrong}; the number before the type is the gap's weight.",
        "calculated": "Write {name} where a variable's value goes ({{ and }} for braces).",
        "truefalse": "The statement.",
    }

    def __init__(self, *args: Any, kind: str, categories: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind not in KIND_FIELDS:
            raise LookupError(kind)
        self.kind = kind
        self.kind_label = dict(question_kind_choices())[kind]
        self.categories = categories or []
        self.spec: dict[str, Any] | None = None
        keep = {*SHARED_FIELDS, *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind in ANSWERS_HELP:
            self.fields["answers"].label, self.fields["answers"].help_text = ANSWERS_HELP[kind]
        if kind in SCORINGS:
            self.fields["scoring"].choices = SCORINGS[kind]  # type: ignore[attr-defined]
        if kind in self.TEXT_HELP:
            self.fields["text"].help_text = self.TEXT_HELP[kind]
        if kind == "cloze":
            self.fields["text"].widget.attrs.update(rows=8, spellcheck="false")
        if "units" in self.fields:
            self.fields["units"].help_text = (
                "One a line: the first is the answer's unit; then others with how many make one of the first, "
                "“cm = 100”."
                if kind == "numeric"
                else "Accepted spellings, one a line; the first is shown to learners."
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in KIND_FIELDS[self.kind]]

    def shared_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SHARED_FIELDS if name not in ("text", "points")]

    # --- Reading the fields ---

    def _read(self, name: str, reader: Any) -> Any:
        """A textarea read by ``authoring``; its unreadable lines become the field's errors."""
        try:
            return reader(self.cleaned_data.get(name) or "")
        except authoring.SyntaxProblems as exc:
            for problem in exc.problems:
                self.add_error(name, str(problem))
            return None

    def _data(self) -> dict[str, Any] | None:
        cd = self.cleaned_data
        kind = self.kind
        if kind in ("single", "multiple"):
            return {"scoring": cd.get("scoring")} if kind == "multiple" else {}
        if kind == "truefalse":
            return {
                "correct": cd.get("correct"),
                "feedback_true": cd.get("feedback_true", ""),
                "feedback_false": cd.get("feedback_false", ""),
            }
        if kind == "numeric":
            answers = self._read("answers", authoring.numeric_answers_from_text)
            units = self._read("units", authoring.units_from_text)
            if answers is None or units is None:
                return None
            return {"answers": answers, "units": units, "unit_required": cd.get("unit_required", False)}
        if kind == "short":
            alternatives = self._read("answers", authoring.alternatives_from_text)
            if alternatives is None:
                return None
            return {"alternatives": alternatives, "case_sensitive": cd.get("case_sensitive", False)}
        if kind == "matching":
            return self._read("answers", authoring.pairs_from_text)
        if kind == "ordering":
            return {"items": authoring.items_from_text(cd.get("answers", "")), "scoring": cd.get("scoring")}
        if kind == "essay":
            return {"grader_info": cd.get("grader_info", "")}
        if kind == "calculated":
            variables = self._read("variables", authoring.variables_from_text)
            if variables is None or cd.get("tolerance") is None:
                return None
            data: dict[str, Any] = {
                "variables": variables,
                "answer": cd.get("formula", ""),
                "tolerance": {cd.get("tolerance_kind") or "relative": f"{cd['tolerance'].normalize():f}"},
                "units": _lines(cd.get("units", "")),
                "units_required": cd.get("unit_required", False),
            }
            if cd.get("decimals") is not None:
                data["decimals"] = cd["decimals"]
            return data
        return {}  # cloze: its gaps are in the text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.errors:
            return cleaned
        choices: list[dict[str, Any]] = []
        if self.kind in ("single", "multiple"):
            choices = self._read("answers", authoring.choices_from_text) or []
        data = self._data()
        if self.errors or data is None:
            return cleaned
        spec: dict[str, Any] = {
            "kind": self.kind,
            "text": cleaned["text"],
            "explanation": cleaned.get("explanation", "").strip(),
            "points": cleaned["points"],
            "choices": choices,
            "data": data,
            "hints": _lines(cleaned.get("hints", "")),
            "category": cleaned.get("category", "").strip(),
            "tags": [t.strip() for t in cleaned.get("tags", "").split(",") if t.strip()],
            "skill": cleaned.get("skill", "").strip(),
        }
        try:
            validate_question(spec, where=WHERE)
        except ValidationFailed as exc:
            self._kind_error(exc.message)
            return cleaned
        self.spec = spec
        return cleaned

    def _kind_error(self, message: str) -> None:
        """The kind's message on the field it is about, with the line it means."""
        cd = self.cleaned_data
        if self.kind == "cloze":
            gap = _GAP.match(message)
            line = authoring.cloze_gap_line(cd.get("text", ""), int(gap.group(1))) if gap else None
            self.add_error("text", f"Line {line}: {message}" if line else message)
            return
        if self.kind == "calculated":
            self.add_error(None, message)
            return
        if "answers" in self.fields:
            entry = _ENTRY.match(message)
            numbers = [n for n, line in enumerate((cd.get("answers") or "").splitlines(), start=1) if line.strip()]
            if entry and int(entry.group(1)) <= len(numbers):
                message = f"Line {numbers[int(entry.group(1)) - 1]}: {message}"
            self.add_error("answers", message)
            return
        self.add_error(None, message)

    def service_error(self, exc: ValidationFailed) -> None:
        """A refusal from the service (an unknown skill, a field the model refuses) on the form."""
        if "skill" in (exc.errors or {}):
            self.add_error("skill", exc.message)
            return
        # The shared fields the service checks after the kind (``_spec_extras``, the model's own).
        for name, said in (("tags", "tags are"), ("hints", "hints are"), ("category", "the category")):
            if said in exc.message or name in (exc.errors or {}):
                self.add_error(name, exc.message)
                return
        self._kind_error(exc.message)


def initial_from_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored question's spec (``services.question_spec``) as the form's initial values."""
    kind = spec["kind"]
    data = spec.get("data") or {}
    initial: dict[str, Any] = {
        "text": spec["text"],
        "points": spec.get("points", 1),
        "explanation": spec.get("explanation", ""),
        "hints": "\n".join(spec.get("hints") or []),
        "category": spec.get("category", ""),
        "tags": ", ".join(spec.get("tags") or []),
        "skill": spec.get("skill", ""),
    }
    if kind in ("single", "multiple"):
        partial = data.get("scoring") == "partial"
        initial["answers"] = authoring.choices_to_text(spec.get("choices") or [], weights=partial)
        initial["scoring"] = data.get("scoring", "all_or_nothing")
    elif kind == "truefalse":
        initial.update(
            correct="true" if data.get("correct") else "false",
            feedback_true=data.get("feedback_true", ""),
            feedback_false=data.get("feedback_false", ""),
        )
    elif kind == "numeric":
        initial.update(
            answers=authoring.numeric_answers_to_text(data.get("answers") or []),
            units=authoring.units_to_text(data.get("units") or []),
            unit_required=bool(data.get("unit_required")),
        )
    elif kind == "short":
        initial.update(
            answers=authoring.alternatives_to_text(data.get("alternatives") or []),
            case_sensitive=bool(data.get("case_sensitive")),
        )
    elif kind == "matching":
        initial["answers"] = authoring.pairs_to_text(data)
    elif kind == "ordering":
        initial.update(answers="\n".join(data.get("items") or []), scoring=data.get("scoring", "positions"))
    elif kind == "cloze":
        initial["text"] = authoring.cloze_to_text(spec["text"], data.get("gaps") or [])
    elif kind == "essay":
        initial["grader_info"] = data.get("grader_info", "")
    elif kind == "calculated":
        tolerance = data.get("tolerance") or {"relative": 0}
        tolerance_kind, amount = next(iter(tolerance.items()))
        units = data.get("units") or []
        initial.update(
            formula=data.get("answer", ""),
            variables=authoring.variables_to_text(data.get("variables") or {}),
            tolerance=amount,
            tolerance_kind=tolerance_kind,
            units="\n".join([units] if isinstance(units, str) else units),
            unit_required=bool(data.get("units_required")),
            decimals=data.get("decimals"),
        )
    return initial
