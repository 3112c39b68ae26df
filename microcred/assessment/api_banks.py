"""A provider's question banks and the essays waiting for a grader, for its staff (ADR 0027): list
banks, read one with its questions (grading data included: staff only), import a Moodle GIFT or
Aiken file, export GIFT, and grade an essay answer. A router of its own, mounted beside
``api.router`` in ``config/api.py``. Another organisation's ids answer 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from microcred.accounts.selectors import access_organisation
from microcred.accounts.workspace import provider_for_staff
from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE, fields_under
from microcred.core.errors import NotFound

from .models import Attempt
from .selectors import (
    access_provider_bank,
    attempts_needing_grading,
    bank_categories,
    provider_banks,
    question_bank_gift,
)
from .services import (
    attempt_answer_grade,
    question_bank_create,
    question_bank_import,
    question_create,
    question_retire,
    question_revise,
    question_spec,
)

router = Router(tags=["assessment"])


class BankOut(Schema):
    id: int
    title: str
    questions: int = Field(description="Current questions (latest versions).")


class CategoryOut(Schema):
    path: str = Field(description="Slash-separated path; empty for questions without a category.")
    questions: int


class BankQuestionOut(Schema):
    id: int
    family: str = Field(description="Every version of a question shares its family.")
    version: int
    skill_id: int | None
    spec: dict[str, Any] = Field(
        description="The question in the catalog format (docs/catalog-format.md), with what grades it."
    )


class BankDetailOut(BankOut):
    categories: list[CategoryOut]
    items: list[BankQuestionOut]


class ImportOut(Schema):
    bank: BankOut
    created: int
    categories: list[str]
    skipped: list[str] = Field(description="What the file held that is not a question (descriptions), by line.")


class EssayGradeIn(Schema):
    points: Decimal = Field(description="From 0 to the question's points, to two places.")
    feedback: str = Field("", max_length=10_000, description="Shown to the learner with the review.")


class AttemptToGradeOut(Schema):
    attempt_id: int
    quiz_id: int
    quiz_title: str
    submitted_at: Any
    state: Literal["needs_grading", "graded"]
    score: str | None


def _bank_out(bank: Any, count: int | None = None) -> BankOut:
    total = count if count is not None else bank.questions.filter(is_current=True).count()
    return BankOut(id=bank.pk, title=bank.title, questions=total)


@router.get(
    "/orgs/{slug}/question-banks",
    response={200: list[BankOut], **PROBLEMS_AUTH},
    summary="The provider's question banks",
)
def list_banks(request: HttpRequest, slug: str) -> list[BankOut]:
    provider = provider_for_staff(actor_of(request), slug)
    return [_bank_out(b, b.question_total) for b in provider_banks(provider=provider)]  # type: ignore[attr-defined]


def _import(
    request: HttpRequest, slug: str, file: UploadedFile, file_format: str, title: str, bank_id: int | None
) -> ImportOut:
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id) if bank_id is not None else None
    with fields_under("body"):
        result = question_bank_import(
            actor=actor_of(request),
            provider=provider,
            content=file.read(),
            file_format=file_format,
            bank=bank,
            title=title or (file.name or "").rsplit(".", 1)[0],
        )
    return ImportOut(
        bank=_bank_out(result.bank),
        created=result.created,
        categories=list(result.categories),
        skipped=list(result.skipped),
    )


IMPORT_DOC = """All or nothing: the file is read and every question checked before anything is
written. A file with problems answers 422 with each problem keyed by its line (``errors``:
``{"line 12": ["…"]}``) and nothing imported."""


@router.post(
    "/orgs/{slug}/question-banks/import",
    response={201: ImportOut, **PROBLEMS_WRITE},
    summary="Import a Moodle GIFT or Aiken file into a new bank",
    description=IMPORT_DOC,
)
def import_new_bank(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    format: Form[Literal["gift", "aiken"]] = "gift",  # the form field's name
    title: Form[str] = "",
) -> Status[ImportOut]:
    return Status(201, _import(request, slug, file, format, title, None))


@router.post(
    "/orgs/{slug}/question-banks/{bank_id}/import",
    response={201: ImportOut, **PROBLEMS_WRITE},
    summary="Import a Moodle GIFT or Aiken file into a bank no learner has seen",
    description=IMPORT_DOC + " A bank whose quiz learners take or took answers 409 ``questions_in_use``.",
)
def import_into_bank(
    request: HttpRequest,
    slug: str,
    bank_id: int,
    file: File[UploadedFile],
    format: Form[Literal["gift", "aiken"]] = "gift",
) -> Status[ImportOut]:
    return Status(201, _import(request, slug, file, format, "", bank_id))


@router.get(
    "/orgs/{slug}/question-banks/{bank_id}",
    response={200: BankDetailOut, **PROBLEMS_AUTH},
    summary="A question bank: categories and current questions",
)
def get_bank(request: HttpRequest, slug: str, bank_id: int) -> BankDetailOut:
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id)
    questions = list(bank.questions.filter(is_current=True).prefetch_related("choices"))
    return BankDetailOut(
        id=bank.pk,
        title=bank.title,
        questions=len(questions),
        categories=[CategoryOut(path=p, questions=n) for p, n in bank_categories(bank=bank)],
        items=[
            BankQuestionOut(
                id=q.pk, family=str(q.family), version=q.version, skill_id=q.skill_id, spec=question_spec(question=q)
            )
            for q in questions
        ],
    )


class QuestionSpecIn(Schema):
    spec: dict[str, Any] = Field(
        description="The question in the catalog format (docs/catalog-format.md): kind, text, points, "
        "choices or data, hints, category, tags, skill.",
        examples=[{"kind": "short", "text": "Capital of France?", "data": {"alternatives": [{"text": "Paris"}]}}],
    )


class BankIn(Schema):
    title: str = Field(min_length=1, max_length=200)


@router.post(
    "/orgs/{slug}/question-banks",
    response={201: BankOut, **PROBLEMS_WRITE},
    summary="Create an empty shared question bank, to write questions into",
)
def create_bank(request: HttpRequest, slug: str, payload: BankIn) -> Status[BankOut]:
    provider = provider_for_staff(actor_of(request), slug)
    with fields_under("body"):
        bank = question_bank_create(actor=actor_of(request), provider=provider, title=payload.title)
    return Status(201, _bank_out(bank, 0))


def _question_out(bank: Any, question_id: int) -> BankQuestionOut:
    question = bank.questions.select_related("skill").prefetch_related("choices").get(pk=question_id)
    return BankQuestionOut(
        id=question.pk,
        family=str(question.family),
        version=question.version,
        skill_id=question.skill_id,
        spec=question_spec(question=question),
    )


def _current_question(bank: Any, question_id: int) -> Any:
    question = bank.questions.filter(pk=question_id).first()
    if question is None:
        raise NotFound("Question not found.")
    return question


@router.post(
    "/orgs/{slug}/question-banks/{bank_id}/questions",
    response={201: BankQuestionOut, **PROBLEMS_WRITE},
    summary="Add a question to a bank",
)
def create_question(request: HttpRequest, slug: str, bank_id: int, payload: QuestionSpecIn) -> Status[BankQuestionOut]:
    """The spec is checked by its kind as on import and in the workspace; a spec it refuses: 422,
    an unknown skill URI: 422. A shared bank takes new questions at any time (attempts keep what
    they were served); a quiz's own bank only while no learner can take the quiz (409
    ``questions_in_use``)."""
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id)
    with fields_under("body", "spec"):
        question = question_create(actor=actor_of(request), bank=bank, spec=payload.spec)
    return Status(201, _question_out(bank, question.pk))


@router.delete(
    "/orgs/{slug}/question-banks/{bank_id}/questions/{question_id}",
    response={204: None, **PROBLEMS_WRITE},
    summary="Retire a question (delete it if no learner can have been served it)",
)
def retire_question(request: HttpRequest, slug: str, bank_id: int, question_id: int) -> Status[None]:
    """Once a quiz of the bank is offered or attempted the question is retired: new attempts no
    longer draw it, past attempts keep grading and showing it, and the bank no longer lists it.
    Before that it is deleted. 409 ``last_question`` when a quiz drawing on the bank would be left
    with too few questions, ``question_retired`` for an old version."""
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id)
    question_retire(actor=actor_of(request), question=_current_question(bank, question_id))
    return Status(204, None)


@router.put(
    "/orgs/{slug}/question-banks/{bank_id}/questions/{question_id}",
    response={200: BankQuestionOut, **PROBLEMS_WRITE},
    summary="Edit a question: its next version once learners have attempted it",
)
def revise_question(
    request: HttpRequest, slug: str, bank_id: int, question_id: int, payload: QuestionSpecIn
) -> BankQuestionOut:
    """Before any attempt at a quiz of the bank the question is replaced; after, the edit is the
    next version of its family (new ``id``, ``version`` + 1) and attempts keep the version they
    were served. Editing an old version: 409 ``question_retired``. A spec its kind refuses: 422."""
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id)
    question = _current_question(bank, question_id)
    with fields_under("body", "spec"):
        revised = question_revise(actor=actor_of(request), question=question, spec=payload.spec)
    return _question_out(bank, revised.pk)


@router.get(
    "/orgs/{slug}/question-banks/{bank_id}/gift",
    response={200: str, **PROBLEMS_AUTH},
    summary="A bank's current questions as Moodle GIFT",
    openapi_extra={
        "responses": {200: {"description": "GIFT text", "content": {"text/plain": {"schema": {"type": "string"}}}}}
    },
)
def export_bank_gift(request: HttpRequest, slug: str, bank_id: int) -> HttpResponse:
    """Ordering and cloze questions, which GIFT cannot hold, are left out; the header
    ``Microcred-Left-Out`` counts them."""
    provider = provider_for_staff(actor_of(request), slug)
    bank = access_provider_bank(provider=provider, bank_id=bank_id)
    text, skipped = question_bank_gift(bank=bank)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Microcred-Left-Out"] = str(len(skipped))
    return response


@router.get(
    "/orgs/{slug}/quiz-attempts/needing-grading",
    response={200: list[AttemptToGradeOut], **PROBLEMS_AUTH},
    summary="Submitted quiz attempts with an essay waiting for a grader (owners, instructors, graders)",
)
def list_attempts_to_grade(request: HttpRequest, slug: str) -> list[AttemptToGradeOut]:
    provider = access_organisation(actor=actor_of(request), slug=slug, kind="provider")
    return [_to_grade_out(a) for a in attempts_needing_grading(provider=provider)]


def _to_grade_out(attempt: Attempt) -> AttemptToGradeOut:
    return AttemptToGradeOut(
        attempt_id=attempt.pk,
        quiz_id=attempt.quiz_id,
        quiz_title=attempt.quiz.title,
        submitted_at=attempt.submitted_at,
        state="needs_grading" if attempt.needs_grading else "graded",
        score=None if attempt.score is None else str(attempt.score),
    )


@router.post(
    "/orgs/{slug}/quiz-attempts/{attempt_id}/answers/{question_id}/grade",
    response={200: AttemptToGradeOut, **PROBLEMS_WRITE},
    summary="Grade an essay answer of a submitted attempt (owners, instructors, graders)",
)
def grade_essay_answer(
    request: HttpRequest, slug: str, attempt_id: int, question_id: int, payload: EssayGradeIn
) -> AttemptToGradeOut:
    """Audited. Once no answer of the attempt waits any more it gets its score and the learner's
    lesson outcome is recorded; 409 ``already_graded`` after that. Points outside 0 to the
    question's points: 422."""
    provider = access_organisation(actor=actor_of(request), slug=slug, kind="provider")
    attempt = Attempt.objects.filter(pk=attempt_id, quiz__bank__provider=provider).first()
    if attempt is None:
        raise NotFound("Attempt not found.")
    with fields_under("body"):
        graded = attempt_answer_grade(
            actor=actor_of(request),
            attempt=attempt,
            question_id=question_id,
            points=payload.points,
            feedback=payload.feedback,
        )
    return _to_grade_out(graded)
