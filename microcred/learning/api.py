"""A learner's enrolments, lessons and completion. Every object is reached through the learner's
own enrolment (``access_enrolment``), so another learner's ids answer 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from microcred.api.auth import actor_of
from microcred.api.errors import PROBLEMS_AUTH, PROBLEMS_WRITE
from microcred.api.schemas import Page, PageParams, page_of
from microcred.catalog.api import OrganisationRefOut, microcredential_web_url
from microcred.catalog.models import Lesson, LessonKind, MicroCredential
from microcred.catalog.selectors import microcredential_get
from microcred.core.errors import NotFound, ValidationFailed
from microcred.learning.models import Completion, Enrolment
from microcred.learning.parts import enrolment_notes
from microcred.learning.selectors import (
    Progress,
    access_completion,
    access_enrolment,
    completion_for,
    enrolment_progress,
    enrolments_of,
    enrolments_with_modules,
    lesson_in_enrolment,
    progress_for_many,
)
from microcred.learning.services import (
    completion_standing,
    enrolment_get_or_create,
    enrolment_withdraw,
    lesson_complete,
)

router = Router(tags=["learning"])


class EnrolmentIn(Schema):
    microcredential_id: int = Field(ge=1, description="A published micro-credential's id.")


class ProgressOut(Schema):
    done: int = Field(description="Required lessons done (quizzes count once passed).")
    total: int = Field(description="Required lessons.")
    percent: int


class MicroCredentialRefOut(Schema):
    id: int
    slug: str
    version: int
    title: str
    provider: OrganisationRefOut
    url: str


class CompletionOut(Schema):
    id: int
    enrolment_id: int
    microcredential_id: int
    completed_at: datetime
    score: str | None = Field(description="Best passing score on the final assessment, in percent.")
    awarded_at: datetime | None = Field(description="When credentials were issued for it, once they are.")
    summary: dict[str, Any]


class EnrolmentOut(Schema):
    id: int
    status: str = Field(description="active, completed or withdrawn.")
    enrolled_at: datetime
    completed_at: datetime | None
    withdrawn_at: datetime | None
    microcredential: MicroCredentialRefOut
    progress: ProgressOut


class LessonProgressOut(Schema):
    id: int
    title: str
    kind: str
    estimated_minutes: int
    required: bool
    done: bool


class ModuleProgressOut(Schema):
    id: int
    title: str
    lessons: list[LessonProgressOut]


class PartStandingOut(Schema):
    lesson_id: int
    title: str
    kind: str = Field(description="quiz or assignment.")
    score: str | None = Field(description="Best passing score, in percent; null until passed.")
    weight: int | None = Field(description="Share of the weighted score; null: not weighed.")
    min_score: int | None = Field(description="Score needed to count towards completion, on top of passing.")
    met: bool = Field(description="Passed, and at its minimum when it has one.")


class StandingOut(Schema):
    weighted_score: str | None = Field(
        description="Overall score weighed by the lessons' weights so far (work not passed counts 0), "
        "in percent; null when no lesson has a weight."
    )
    overall_pass_mark: int | None = Field(
        default=None,
        description="The weighted score (percent) needed to complete, on top of passing each part (ADR 0033); "
        "null: none.",
    )
    parts: list[PartStandingOut] = Field(description="The required assessed lessons, in outline order.")


class EnrolmentDetailOut(EnrolmentOut):
    modules: list[ModuleProgressOut]
    completion: CompletionOut | None
    standing: StandingOut | None = Field(
        default=None,
        description="The assessed lessons against the completion rules (weights, minimums, ADR 0029); "
        "null when the micro-credential sets none.",
    )


class QuizInfoOut(Schema):
    id: int
    title: str
    passing_score: int
    max_attempts: int | None = Field(description="Null: unlimited.")
    time_limit_minutes: int | None = Field(
        description="Per attempt, enforced on the server (with a short grace for the network)."
    )
    opens_at: datetime | None = Field(default=None, description="No attempt starts before this.")
    closes_at: datetime | None = Field(default=None, description="No attempt starts or runs after this.")
    attempt_delay_minutes: int | None = Field(default=None, description="Wait after an attempt before the next.")
    grading_method: str = Field(
        default="highest", description="How attempts make the lesson's score: highest, last, average or first."
    )


class LessonContentOut(Schema):
    id: int
    title: str
    kind: str
    module_id: int
    module_title: str
    estimated_minutes: int
    required: bool
    done: bool
    body_html: str = Field(description="Sanitised HTML.")
    video_url: str
    transcript: str
    instructions_html: str = Field(description="Sanitised HTML of an assignment's instructions.")
    quiz: QuizInfoOut | None = Field(description="For quiz lessons: start an attempt to see the questions.")


class LessonCompletedOut(Schema):
    lesson_id: int
    completed_at: datetime
    progress: ProgressOut
    completion: CompletionOut | None = Field(description="Present once this enrolment is complete.")


def progress_out(progress: Progress) -> ProgressOut:
    return ProgressOut(done=progress.done, total=progress.total, percent=progress.percent)


def completion_out(completion: Completion, enrolment: Enrolment) -> CompletionOut:
    return CompletionOut(
        id=completion.pk,
        enrolment_id=enrolment.pk,
        microcredential_id=enrolment.microcredential_id,
        completed_at=completion.completed_at,
        score=str(completion.score) if completion.score is not None else None,
        awarded_at=completion.awarded_at,
        summary=completion.summary or {},
    )


def _mc_ref(mc: MicroCredential) -> MicroCredentialRefOut:
    return MicroCredentialRefOut(
        id=mc.pk,
        slug=mc.slug,
        version=mc.version,
        title=mc.title,
        provider=OrganisationRefOut(slug=mc.provider.slug, name=mc.provider.name),
        url=microcredential_web_url(mc),
    )


def _enrolment_fields(enrolment: Enrolment, progress: Progress) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "status": enrolment.status,
        "enrolled_at": enrolment.enrolled_at,
        "completed_at": enrolment.completed_at,
        "withdrawn_at": enrolment.withdrawn_at,
        "microcredential": _mc_ref(enrolment.microcredential),
        "progress": progress_out(progress),
    }


def _lesson_done(lesson: Lesson, progress: Progress) -> bool:
    return progress.lesson_done(lesson)


def enrolment_detail(enrolment: Enrolment) -> EnrolmentDetailOut:
    progress = enrolment_progress(enrolment)
    modules = [
        ModuleProgressOut(
            id=module.pk,
            title=module.title,
            lessons=[
                LessonProgressOut(
                    id=lesson.pk,
                    title=lesson.title,
                    kind=lesson.kind,
                    estimated_minutes=lesson.estimated_minutes,
                    required=lesson.required,
                    done=_lesson_done(lesson, progress),
                )
                for lesson in module.lessons.all()
            ],
        )
        for module in enrolments_with_modules(enrolment)
    ]
    completion = completion_for(enrolment=enrolment)
    return EnrolmentDetailOut(
        **_enrolment_fields(enrolment, progress),
        modules=modules,
        completion=completion_out(completion, enrolment) if completion else None,
        standing=_standing_out(completion_standing(enrolment=enrolment)),
    )


def _standing_out(standing: dict[str, Any] | None) -> StandingOut | None:
    if standing is None:
        return None
    return StandingOut(
        weighted_score=standing["weighted_score"],
        overall_pass_mark=standing["overall_pass_mark"],
        parts=[
            PartStandingOut(
                lesson_id=part["lesson"],
                title=part["title"],
                kind=part["kind"],
                score=part["score"],
                weight=part["weight"],
                min_score=part["min_score"],
                met=part["met"],
            )
            for part in standing["parts"]
        ],
    )


class EnrolmentCreatedOut(EnrolmentDetailOut):
    notes: dict[str, str] = Field(
        default_factory=dict,
        description="Words for the learner who just enrolled, by kind: `goal_relevance` when the "
        "micro-credential closes none of the gaps to their career goal.",
    )


@router.post(
    "/enrolments",
    response={200: EnrolmentCreatedOut, 201: EnrolmentCreatedOut, **PROBLEMS_WRITE},
    summary="Enrol in a micro-credential",
)
def create_enrolment(request: HttpRequest, payload: EnrolmentIn) -> Status[EnrolmentCreatedOut]:
    """201 with the new enrolment; 200 with the existing one when already enrolled (re-activated
    after a withdrawal), so retrying is safe. Of several simultaneous requests exactly one gets 201."""
    actor = actor_of(request)
    try:
        mc = microcredential_get(pk=payload.microcredential_id)
    except NotFound as exc:
        # The body names something that does not exist: the request is invalid, the URL is fine.
        raise ValidationFailed(
            "There is no published micro-credential with this id.",
            errors={"body.microcredential_id": ["No published micro-credential with this id."]},
        ) from exc
    enrolment, created = enrolment_get_or_create(actor=actor, microcredential=mc)
    detail = enrolment_detail(access_enrolment(actor=actor, enrolment_id=enrolment.pk))
    notes = enrolment_notes(actor, mc) if created else {}
    return Status(201 if created else 200, EnrolmentCreatedOut(**detail.model_dump(), notes=notes))


@router.get("/enrolments", response={200: Page[EnrolmentOut], **PROBLEMS_AUTH}, summary="My enrolments")
def list_enrolments(request: HttpRequest, response: HttpResponse, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first, each with its progress; one page costs the same few queries at any size."""
    rows, count = page_of(request, response, enrolments_of(actor=actor_of(request)), page)
    progress = progress_for_many(rows)
    items = [EnrolmentOut(**_enrolment_fields(e, progress[e.pk])) for e in rows]
    return {"items": items, "count": count, "limit": page.limit, "offset": page.offset}


@router.get(
    "/enrolments/{enrolment_id}",
    response={200: EnrolmentDetailOut, **PROBLEMS_AUTH},
    summary="One of my enrolments, with lesson-level progress",
)
def get_enrolment(request: HttpRequest, enrolment_id: int) -> EnrolmentDetailOut:
    return enrolment_detail(access_enrolment(actor=actor_of(request), enrolment_id=enrolment_id))


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response={200: EnrolmentDetailOut, **PROBLEMS_WRITE},
    summary="Withdraw from an enrolment",
)
def withdraw_enrolment(request: HttpRequest, enrolment_id: int) -> EnrolmentDetailOut:
    """Progress is kept; enrolling again re-activates the enrolment. A completed one cannot be withdrawn (409).
    Withdrawing again changes nothing: 200 with the enrolment as it was, its first ``withdrawn_at`` kept."""
    actor = actor_of(request)
    enrolment = enrolment_withdraw(actor=actor, enrolment=access_enrolment(actor=actor, enrolment_id=enrolment_id))
    return enrolment_detail(enrolment)


@router.get(
    "/enrolments/{enrolment_id}/lessons/{lesson_id}",
    response={200: LessonContentOut, **PROBLEMS_AUTH},
    summary="A lesson's content",
)
def get_lesson(request: HttpRequest, enrolment_id: int, lesson_id: int) -> LessonContentOut:
    enrolment = access_enrolment(actor=actor_of(request), enrolment_id=enrolment_id)
    lesson = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    progress = enrolment_progress(enrolment)
    # The quiz's settings, so a client knows what starting an attempt means: read through the quiz's
    # link to its lesson (``Quiz.lesson``, related name "quiz"), since learning does not import assessment.
    quiz = getattr(lesson, "quiz", None) if lesson.kind == LessonKind.QUIZ else None
    return LessonContentOut(
        id=lesson.pk,
        title=lesson.title,
        kind=lesson.kind,
        module_id=lesson.module_id,
        module_title=lesson.module.title,
        estimated_minutes=lesson.estimated_minutes,
        required=lesson.required,
        done=_lesson_done(lesson, progress),
        body_html=lesson.body_html,
        video_url=lesson.video_url,
        transcript=lesson.transcript,
        instructions_html=lesson.instructions_html,
        quiz=QuizInfoOut(
            id=quiz.pk,
            title=quiz.title,
            passing_score=quiz.passing_score,
            max_attempts=quiz.max_attempts,
            time_limit_minutes=quiz.time_limit_minutes,
            opens_at=quiz.opens_at,
            closes_at=quiz.closes_at,
            attempt_delay_minutes=quiz.attempt_delay_minutes,
            grading_method=quiz.grading_method,
        )
        if quiz
        else None,
    )


@router.post(
    "/enrolments/{enrolment_id}/lessons/{lesson_id}/complete",
    response={200: LessonCompletedOut, **PROBLEMS_WRITE},
    summary="Mark a lesson done",
)
def complete_lesson(request: HttpRequest, enrolment_id: int, lesson_id: int) -> LessonCompletedOut:
    """Idempotent. Quiz lessons are done by passing the quiz (422 ``quiz_needs_attempt`` here).
    When this was the last requirement the response carries the new completion."""
    actor = actor_of(request)
    enrolment = access_enrolment(actor=actor, enrolment_id=enrolment_id)
    lesson = lesson_in_enrolment(enrolment=enrolment, lesson_id=lesson_id)
    done = lesson_complete(actor=actor, enrolment=enrolment, lesson=lesson)
    completion = completion_for(enrolment=enrolment)
    return LessonCompletedOut(
        lesson_id=lesson.pk,
        completed_at=done.completed_at,
        progress=progress_out(enrolment_progress(enrolment)),
        completion=completion_out(completion, enrolment) if completion else None,
    )


@router.get(
    "/enrolments/{enrolment_id}/completion",
    response={200: CompletionOut, **PROBLEMS_AUTH},
    summary="The completion record of an enrolment",
)
def get_completion(request: HttpRequest, enrolment_id: int) -> CompletionOut:
    """404 until every requirement is met, and for anyone else's enrolment."""
    completion = access_completion(actor=actor_of(request), enrolment_id=enrolment_id)
    return completion_out(completion, completion.enrolment)
