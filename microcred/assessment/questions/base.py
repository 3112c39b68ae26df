"""What a question kind must provide, and the registry that finds it by ``Question.kind``.

A kind is one module: a ``QuestionType`` subclass registered in ``questions/__init__.py``. The
service (``quiz_create``, ``question_save``, ``attempt_submit``), the workspace form and the
catalog importer all check a question through ``validate_question`` here, so they accept and
refuse the same specs with the same messages. Nothing here imports the models: the model's ``kind``
choices are read from this registry."""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Protocol

from microcred.core.errors import ValidationFailed

# A learner's answer to one question once parsed, in the kind's own form: the ids of the choices
# picked for the choice kinds, a text, a number as written, a mapping of gaps or pairs...
Answer = Any

# The most a typed answer may hold: a bound on what grading compares, not a writing limit.
MAX_ANSWER_CHARS = 2000
# An essay's bound, larger.
MAX_ESSAY_CHARS = 50_000


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

    @property
    def data(self) -> Any: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Grade:
    """What one answer earns. ``points`` may be a fraction of the question's points (partial
    credit, as a ``Decimal`` to two places); ``pending`` means a person grades it (an essay), and
    until they do it earns nothing and the attempt's result waits. ``feedback`` is what the
    author wrote for this answer (per option, per alternative): shown only with the review."""

    points: Decimal | int
    correct: bool
    pending: bool = False
    feedback: tuple[str, ...] = field(default=(), compare=False)


def points_for(question: StoredQuestion, fraction: Decimal) -> Decimal:
    """``fraction`` (clamped to 0..1: a penalty never takes a question below nothing) of the
    question's points, to two places as ``Attempt.points_earned`` keeps them."""
    fraction = min(max(fraction, Decimal(0)), Decimal(1))
    return (Decimal(question.points) * fraction).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fraction_of(value: Any, *, where: str, default: str = "0") -> Decimal:
    """A credit fraction from a spec (``1``, ``"0.5"``, ``-0.25``), between -1 and 1."""
    try:
        fraction = Decimal(str(default if value is None else value))
    except ArithmeticError:
        raise ValidationFailed(
            f"{where}: a fraction is a number between -1 and 1.", errors={where: ["Bad fraction."]}
        ) from None
    if not fraction.is_finite() or not Decimal(-1) <= fraction <= Decimal(1):
        raise ValidationFailed(f"{where}: a fraction is a number between -1 and 1.", errors={where: ["Bad fraction."]})
    return fraction


def text_answer(question: StoredQuestion, raw: Any, *, limit: int = MAX_ANSWER_CHARS) -> str:
    """A typed answer: a string, bounded, so grading never compares an unbounded text."""
    if isinstance(raw, list | tuple) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValidationFailed(
            f"Question {question.id} takes a text answer.", errors={str(question.id): ["Expected text."]}
        )
    text = str(raw)
    if len(text) > limit:
        raise ValidationFailed(
            f"Question {question.id}: the answer is longer than {limit} characters.",
            errors={str(question.id): ["Too long."]},
        )
    return text


# Served ids are 48-bit numbers with the top bit set: safe as JSON numbers in any browser, and
# never equal to an authored id (a row id or a place), so an authored id sent by mistake is refused
# rather than taken for another option.
_SERVED_ID_BIT = 1 << 47


class ServedIds:
    """The ids one attempt shows for a question's options (choices, matching prompts and options,
    ordering items, a cloze gap's options) in place of the ids answers are stored with.

    Authored ids run in the order the author wrote (row ids, places), and question files usually
    put the right answer first, so they must not reach the browser (ADR 0026, addendum). A served
    id is a keyed hash (HMAC-SHA256) of the question, the part and the authored id: opaque, new in
    every attempt, the same on every reload, and derived again from the key alone, so a replay
    serves the same ids. Stored answers keep the authored ids; the page and the API translate at
    their boundary (``answer_in``, ``answer_out``). ``key`` None keeps the authored ids (a staff
    preview, which is no attempt)."""

    def __init__(self, key: bytes | None) -> None:
        self._key = key
        self._tables: dict[tuple[int, str], dict[int, int]] = {}

    def table(self, question_id: int, part: str, authored: Iterable[int]) -> dict[int, int]:
        """Authored id → served id for every option of one part of one question."""
        ids = list(authored)
        cached = self._tables.get((question_id, part))
        if cached is not None and list(cached) == ids:
            return cached
        if self._key is None:
            table = {a: a for a in ids}
        else:
            table, taken = {}, set()
            for authored_id in ids:
                salt = 0
                while (served := self._hash(question_id, part, authored_id, salt)) in taken:
                    salt += 1  # two options on one 47-bit value: next in authored order moves on
                taken.add(served)
                table[authored_id] = served
        self._tables[(question_id, part)] = table
        return table

    def _hash(self, question_id: int, part: str, authored_id: int, salt: int) -> int:
        assert self._key is not None
        message = f"{question_id}:{part}:{authored_id}:{salt}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return int.from_bytes(digest[:6], "big") | _SERVED_ID_BIT


def served_id_of(value: Any) -> int | None:
    """``value`` as an id (a number or its digits, never a bool), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def authored_of(question: StoredQuestion, table: dict[int, int], value: Any, *, what: str, message: str) -> Any:
    """The authored id for a served ``value`` of ``table``. A value that is no id at all is
    passed on for the kind's ``parse_answer`` to refuse with its own message; an id this attempt
    did not serve is refused here as the kind would refuse an unknown one."""
    served = served_id_of(value)
    if served is None:
        return value
    for authored_id, shown in table.items():
        if shown == served:
            return authored_id
    raise ValidationFailed(message, errors={str(question.id): [what]})


def spec_data(spec: dict[str, Any], *, where: str) -> dict[str, Any]:
    data = spec.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(f"{where}: “data” must be an object.", errors={where: ["Bad data."]})
    return data


class QuestionType(ABC):
    """One kind of question: how its spec is checked, how an answer to it is read and graded."""

    kind: ClassVar[str]
    label: ClassVar[str]
    # How the quiz page asks for an answer: the template that renders one served question's inputs
    # (it gets ``q``: id, choices, the learner's saved answer), and the line that says what to do.
    answer_template: ClassVar[str]
    answer_hint: ClassVar[str]
    # The shape of ``served``: the API's discriminator for a question's served form. The choice
    # kinds share "choice"; every other kind is served as itself.
    served_as: ClassVar[str] = ""
    # Whether the spec's ``choices`` are stored as ``Choice`` rows (the choice kinds); the other
    # kinds keep their spec in ``Question.data``.
    uses_choices: ClassVar[bool] = False
    # Graded by a person: its grade stays ``pending`` until an instructor grades the answer.
    graded_by_hand: ClassVar[bool] = False

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

    # --- With defaults: the kinds that keep their spec in ``data`` override what they need ---

    def clean_text(self, spec: dict[str, Any], *, where: str) -> str:
        """The ``Question.text`` to store for a valid spec."""
        return str(spec["text"]).strip()

    def display_text(self, question: StoredQuestion) -> str:
        """The question's text as the learner reads it (a cloze's gaps shown as blanks)."""
        return question.text

    def clean_data(self, spec: dict[str, Any], *, where: str) -> dict[str, Any]:
        """The ``Question.data`` to store for a valid spec (``validate`` has passed)."""
        return dict(spec_data(spec, where=where))

    def dump_answer(self, answer: Answer) -> Any:
        """The parsed answer as JSON for ``Attempt.answers``."""
        return answer

    def load_answer(self, stored: Any) -> Answer:
        """An answer read back from ``Attempt.answers``: what ``grade`` takes."""
        return stored

    def answer_from_form(
        self, question: StoredQuestion, form: Mapping[str, Any], name: str, ids: ServedIds | None = None
    ) -> Any:
        """The raw answer the quiz page posted for this question (its inputs are named ``name``
        or ``name_<part>``, parts by served id), in served ids as the API takes it (``answer_in``
        translates it), or None when it was left unanswered. ``form`` is a ``QueryDict``."""
        value = str(form.get(name) or "").strip()
        return value or None

    def served(self, question: StoredQuestion, *, seed: str, ids: ServedIds | None = None) -> dict[str, Any]:
        """What the learner is shown to answer, beyond the text: never anything that grades
        (right options, tolerances, patterns). ``seed`` fixes any shuffling for the attempt;
        ``ids`` (``selectors.served_ids``) the ids its options are shown with. Every reader of an
        attempt passes both; ``ids`` None shows the authored ids, for staff only."""
        return {}

    def answer_in(self, question: StoredQuestion, raw: Any, ids: ServedIds) -> Any:
        """A raw answer as the page or the API sent it, in served ids, with the authored ids in
        their place (what ``parse_answer`` takes). An id this attempt did not serve is refused."""
        return raw

    def answer_out(self, question: StoredQuestion, stored: Any, ids: ServedIds) -> Any:
        """A stored answer (authored ids) in the ids this attempt serves, for the page and API."""
        return stored

    def describe_answer(self, question: StoredQuestion, answer: Answer | None) -> str:
        """The learner's answer in words, for the review."""
        return "" if answer is None else str(answer)

    def solution(self, question: StoredQuestion) -> str:
        """The right answer in words, for a review that may show it."""
        return ""

    # --- Read in an attempt: a kind whose question differs per attempt (calculated: each
    # learner's own values) overrides these. Every reader of an attempt (the quiz page, the API,
    # grading, the review, statistics) calls them with ``selectors.served_seed(attempt)``; the
    # other kinds' question is the same in every attempt, so they ignore the seed.

    def text_for(self, question: StoredQuestion, *, seed: str) -> str:
        """The text as this attempt shows it."""
        return self.display_text(question)

    def grade_for(self, question: StoredQuestion, answer: Answer | None, *, seed: str) -> Grade:
        """``grade`` in this attempt."""
        return self.grade(question, answer)

    def solution_for(self, question: StoredQuestion, *, seed: str) -> str:
        """The right answer in this attempt, in words, for a review that may show it."""
        return self.solution(question)


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
