"""The API's shapes for question kinds (ADR 0027): what a learner is served to answer, one schema
per served form, told apart by ``type``, and what an answer may be. Built from
``QuestionType.served``, which never holds grading data (right options, tolerances, patterns)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema

from microcred.core.errors import ValidationFailed

from .questions import ServedIds, question_type

# An answer as JSON, by kind: choice ids (single, multiple), true/false, a text (numeric, short,
# essay, calculated), prompt id → option id (matching) or gap number → text (cloze), item ids in order (ordering).
# Lists take strings too, so a bad element reaches the kind, which names it (``body.answers.12.0``).
AnswerValue = list[int | str] | bool | int | str | dict[str, int | str]


class IdText(Schema):
    id: int = Field(description="An id of this attempt's own: another attempt shows the same option under another.")
    text: str


class ChoiceForm(Schema):
    type: Literal["choice"] = "choice"
    choices: list[IdText] = Field(description="Answer with a list of choice ids (one for 'single').")


class TrueFalseForm(Schema):
    type: Literal["truefalse"] = "truefalse"


class NumericForm(Schema):
    type: Literal["numeric"] = "numeric"
    units: list[str] = Field(description="Units the answer may be written in, after the number.")
    unit_required: bool


class CalculatedForm(Schema):
    type: Literal["calculated"] = "calculated"
    values: dict[str, str] = Field(
        description="This attempt's own values, by variable name, as the text shows them (each learner gets "
        "theirs; a retake gets new ones). Answer with a number, as text, perhaps followed by a unit."
    )
    units: list[str] = Field(description="Units the answer may be written in, after the number; the first is usual.")
    units_required: bool


class ShortForm(Schema):
    type: Literal["short"] = "short"


class EssayForm(Schema):
    type: Literal["essay"] = "essay"


class MatchingForm(Schema):
    type: Literal["matching"] = "matching"
    prompts: list[IdText]
    options: list[IdText] = Field(description="In alphabetical order. Answer with {prompt id: option id}.")


class OrderingForm(Schema):
    type: Literal["ordering"] = "ordering"
    items: list[IdText] = Field(description="Shuffled. Answer with every item id, in your order.")


class ClozePart(Schema):
    text: str | None = Field(None, description="Text between gaps.")
    gap: int | None = Field(None, description="A gap's number (from 1).")
    kind: Literal["short", "numeric", "choice"] | None = None
    options: list[IdText] | None = Field(None, description="A choice gap's options.")


class ClozeForm(Schema):
    type: Literal["cloze"] = "cloze"
    parts: list[ClozePart] = Field(description="Answer with {gap number: text, or option id for a choice gap}.")


ServedForm = Annotated[
    ChoiceForm
    | TrueFalseForm
    | NumericForm
    | ShortForm
    | EssayForm
    | MatchingForm
    | OrderingForm
    | ClozeForm
    | CalculatedForm,
    Field(discriminator="type"),
]
_FORMS: dict[str, type[Schema]] = {
    "choice": ChoiceForm,
    "truefalse": TrueFalseForm,
    "numeric": NumericForm,
    "short": ShortForm,
    "essay": EssayForm,
    "matching": MatchingForm,
    "ordering": OrderingForm,
    "cloze": ClozeForm,
    "calculated": CalculatedForm,
}


def served_form(question: Any, *, seed: str, ids: ServedIds | None = None) -> Any:
    """A served question's form for the API, from its kind's ``served`` (field by field), its
    options under the attempt's served ids (``selectors.served_ids``; None, the authored ids, is
    for staff only)."""
    qt = question_type(question.kind)
    form = _FORMS[qt.served_as or qt.kind]
    return form(**qt.served(question, seed=seed, ids=ids))


def check_answer_shapes(answers: dict[Any, Any]) -> None:
    """Refuse a list answer holding anything but ids (numbers or their digits) before any
    question is looked up, naming the element (``12.0``), as the schema did when every answer was a
    list of choice ids. What the list's ids mean is the kind's to check."""
    for qid, value in (answers or {}).items():
        if not isinstance(value, list):
            continue
        for n, item in enumerate(value):
            if isinstance(item, bool) or not (isinstance(item, int) or (isinstance(item, str) and item.isdigit())):
                raise ValidationFailed(
                    "Answers must map question ids to lists of choice ids.", errors={f"{qid}.{n}": ["Not an id."]}
                )
