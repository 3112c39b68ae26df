"""What a question kind must provide, and the registry that finds it by ``Question.kind``.

A kind is one module: a ``QuestionType`` subclass registered in ``questions/__init__.py``. The
service (``quiz_create``, ``question_save``, ``attempt_submit``), the workspace form and the
catalog importer all check a question through ``validate_question`` here, so they accept and
refuse the same specs with the same messages. Nothing here imports the models: the model's ``kind``
choices are read from this registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from microcred.core.errors import ValidationFailed

# A learner's answer to one question once parsed: the ids of the choices picked.
Answer = frozenset[int]


class StoredQuestion(Protocol):
    """What a kind reads of ``assessment.models.Question``; the kinds do not import the models,
    whose ``kind`` choices come from here."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def points(self) -> int: ...

    @property
    def choices(self) -> Any: ...


@dataclass(frozen=True)
class Grade:
    points: int
    correct: bool


class QuestionType(ABC):
    """One kind of question: how its spec is checked, how an answer to it is read and graded."""

    kind: ClassVar[str]
    label: ClassVar[str]
    # How the quiz page asks for an answer: the template that renders one served question's inputs
    # (it gets ``q``: id, choices, the learner's saved answer), and the line that says what to do.
    answer_template: ClassVar[str]
    answer_hint: ClassVar[str]

    @abstractmethod
    def validate(self, spec: dict[str, Any], *, where: str) -> None:
        """Refuse a spec (``{"kind", "text", "explanation", "points", "choices"}``) that this kind
        cannot grade, with ``ValidationFailed`` whose ``errors`` are keyed by ``where``. The kind
        and the text are checked before this is called."""

    @abstractmethod
    def parse_answer(self, question: StoredQuestion, raw: Any) -> Answer:
        """The learner's raw answer (a choice id or a list of them) normalised, or
        ``ValidationFailed`` naming the question's id."""

    @abstractmethod
    def grade(self, question: StoredQuestion, answer: Answer | None) -> Grade:
        """The points ``answer`` earns (``None``: not answered)."""


_REGISTRY: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    if question_type.kind in _REGISTRY:
        raise ValueError(f"Question kind {question_type.kind!r} is already registered.")
    _REGISTRY[question_type.kind] = question_type
    return question_type


def unregister(kind: str) -> None:
    del _REGISTRY[kind]


def question_type(kind: str) -> QuestionType:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise ValidationFailed(f"Unknown question kind {kind!r}.", errors={"kind": ["Bad kind."]}) from None


def question_kinds() -> list[str]:
    return list(_REGISTRY)


def question_kind_choices() -> list[tuple[str, str]]:
    """``Question.kind``'s choices: every registered kind, in registration order."""
    return [(kind, qt.label) for kind, qt in _REGISTRY.items()]


def _kinds_phrase() -> str:
    quoted = [f"'{kind}'" for kind in _REGISTRY]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def validate_question(spec: dict[str, Any], *, where: str) -> QuestionType:
    """The one check of a question spec, shared by the service, the workspace form and the importer."""
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in _REGISTRY:
        raise ValidationFailed(f"{where}: kind must be {_kinds_phrase()}.", errors={where: ["Bad kind."]})
    if not str(spec.get("text", "")).strip():
        raise ValidationFailed(f"{where}: the question needs text.", errors={where: ["No text."]})
    _REGISTRY[kind].validate(spec, where=where)
    return _REGISTRY[kind]
