"""From our domain records to an unsigned Open Badges 3.0 credential (via ``vc.ob3``): the one
builder of credential documents, for a credential issued alone and for a cohort alike.

``CredentialDocuments`` reads what every credential of a micro-credential version shares (the
issuer profile with its endorsements, the achievement with its skills and final quiz) once, and
then assembles each credential from plain values without touching the database, so forked
signing workers can run it (``cohort/signing.py``). ``build_unsigned_credential`` is the same
for one completion.

Mapping of the EU elements (DIGEST §7): learner -> hashed e-mail identifier; title -> achievement
name; country -> issuer address and our ``awardingBodyCountry``; awarding body -> issuer; date ->
validFrom/awardedDate; learning outcomes -> description + skill alignments; workload -> ECTS
``creditsAvailable`` and our ``notionalWorkloadHours``; level -> EQF alignment and ``eqfLevel``;
assessment, participation, quality assurance, supervision/identity check, prerequisites and
stackability -> our extension context; grade -> result.

Results beyond the final score (ADR 0029): every other required assessed lesson (a quiz, a project
graded with a rubric) is described on the achievement (``vc.ob3.results``), and the completion's
snapshot of its parts (``Completion.summary["parts"]``, made by learning when the rules were met)
gives each credential its scores, rubric levels, project evidence and overall weighted score.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from microcred.accounts.models import Organisation
from microcred.assessment.models import Quiz
from microcred.catalog.models import Lesson, LessonKind, MicroCredential, MicroCredentialSkill
from microcred.catalog.models import Supervision as CatalogSupervision
from microcred.learning.models import Completion
from microcred.learning.selectors import ASSESSED_LESSONS
from microcred.projects.models import Assignment

from . import links
from .documents import achievement_image, issuer_description
from .selectors import current_endorsement_documents
from .vc.ob3 import (
    Achievement,
    Alignment,
    AssessedPart,
    EuMicroCredentialFields,
    Evidence,
    IssuerProfile,
    PartOutcome,
    Result,
    ResultDescription,
    RubricCriterionSpec,
    RubricLevelSpec,
    StatusEntry,
    Subject,
    build_credential,
    credential_contexts,
    part_evidence,
    part_results,
    weighted_score_description,
    weighted_score_result,
)

ESCO_PREFIX = "http://data.europa.eu/esco/"
EQF_URL = "http://data.europa.eu/snb/eqf/{level}"
EQF_FRAMEWORK = "European Qualifications Framework"


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def issuer_profile_for(organisation: Organisation, *, today: date) -> IssuerProfile:
    return IssuerProfile(
        id=links.issuer_url(organisation.slug),
        name=organisation.name,
        url=organisation.website or None,
        email=organisation.email or None,
        description=issuer_description(organisation, today=today),
        image=links.absolute(organisation.logo_url) if organisation.logo_url else None,
        address_country=organisation.country or None,
        endorsements=tuple(current_endorsement_documents(provider=organisation, today=today)),
    )


def _supervision(mc: MicroCredential) -> str:
    if mc.supervision == CatalogSupervision.ONLINE_PROCTORED:
        return "supervised-online-id-check" if mc.identity_verified else "supervised-no-id-check"
    if mc.supervision == CatalogSupervision.ONSITE:
        return "supervised-onsite-id-check" if mc.identity_verified else "supervised-no-id-check"
    return "unsupervised-no-id-check"


def _skill_alignment(link: MicroCredentialSkill) -> Alignment:
    skill = link.skill
    return Alignment(
        target_name=skill.label,
        target_url=skill.uri,
        target_type="ext:ESCOSkill" if skill.uri.startswith(ESCO_PREFIX) else "ext:Skill",
        target_framework=skill.framework.name,
        target_description=skill.description or None,
    )


def final_quiz(mc: MicroCredential) -> Quiz | None:
    """The required quiz whose score the completion records (the last one in the outline)."""
    return (
        Quiz.objects.filter(lesson__module__microcredential=mc, lesson__required=True)
        .order_by("-lesson__module__position", "-lesson__position", "-lesson__id")
        .first()
    )


def _points_text(points: Any) -> str:
    return _score_text(Decimal(str(points)))


def assessed_parts(mc: MicroCredential, *, final: Quiz | None) -> tuple[AssessedPart, ...]:
    """The required assessed lessons other than the final quiz (whose score is the "Final score"
    the credential always carried), in outline order, as the achievement describes them."""
    lessons = Lesson.objects.filter(ASSESSED_LESSONS, module__microcredential=mc, required=True)
    if final is not None:
        lessons = lessons.exclude(pk=final.lesson_id)
    lessons = lessons.select_related("quiz").order_by("module__position", "module_id", "position", "id")
    assignments = {
        lesson_id: (rubric, passing)
        for lesson_id, rubric, passing in Assignment.objects.filter(lesson__in=lessons).values_list(
            "lesson_id", "rubric", "passing_score"
        )
    }
    parts = []
    for lesson in lessons:
        key = f"lesson-{lesson.pk}"
        if lesson.kind == LessonKind.QUIZ:
            quiz = getattr(lesson, "quiz", None)
            if quiz is not None:
                required = max(quiz.passing_score, lesson.min_score or 0)
                parts.append(AssessedPart(key=key, name=lesson.title, genre="Quiz", required_value=str(required)))
            continue
        if lesson.pk not in assignments:
            continue
        rubric, passing_score = assignments[lesson.pk]
        criteria = tuple(
            RubricCriterionSpec(
                name=str(criterion["name"]).strip(),
                description=str(criterion.get("description", "")),
                levels=tuple(
                    RubricLevelSpec(
                        name=str(level["name"]).strip(),
                        points=_points_text(level["points"]),
                        descriptor=str(level.get("descriptor", "")),
                    )
                    for level in criterion.get("levels", [])
                ),
            )
            for criterion in (rubric or {}).get("criteria", [])
        )
        required = max(passing_score, lesson.min_score or 0)
        parts.append(
            AssessedPart(key=key, name=lesson.title, genre="Project", required_value=str(required), criteria=criteria)
        )
    return tuple(parts)


def is_weighted(mc: MicroCredential) -> bool:
    """Whether the completion rules weigh an overall score (a required assessed lesson has a weight)."""
    return Lesson.objects.filter(
        ASSESSED_LESSONS, module__microcredential=mc, required=True, weight__isnull=False
    ).exists()


def part_outcomes(summary: Mapping[str, Any] | None) -> dict[str, PartOutcome]:
    """The parts a completion recorded (``Completion.summary["parts"]``), by part key; a completion
    recorded before results were carried has none."""
    outcomes = {}
    for part in (summary or {}).get("parts", []):
        details = part.get("details") or {}
        score = part.get("score")
        key = f"lesson-{part['lesson']}"
        outcomes[key] = PartOutcome(
            key=key,
            score=None if score is None else _score_text(Decimal(score)),
            levels=tuple((str(k), str(v)) for k, v in (details.get("levels") or {}).items()),
            links=tuple(str(link) for link in details.get("links") or ()),
            graded_by=details.get("graded_by"),
            reviews=details.get("reviews"),
            aggregation=details.get("aggregation"),
        )
    return outcomes


def result_description_id(mc: MicroCredential, *, achievement_id: str | None = None) -> str:
    return f"{achievement_id or links.achievement_url(mc.public_id)}/results/final-score"


def _description(mc: MicroCredential) -> str:
    outcomes = [str(outcome).strip() for outcome in mc.learning_outcomes or [] if str(outcome).strip()]
    text = mc.summary.strip()
    if outcomes:
        text += "\n\nLearning outcomes:\n" + "\n".join(f"- {outcome}" for outcome in outcomes)
    return text


def _score_text(value: Decimal) -> str:
    normalised = value.normalize()
    return format(normalised.quantize(Decimal(1)) if normalised == normalised.to_integral() else normalised, "f")


def achievement_for(
    mc: MicroCredential,
    *,
    quiz: Quiz | None = None,
    achievement_id: str | None = None,
    parts: Sequence[AssessedPart] = (),
    weighted: bool = False,
) -> Achievement:
    """The version's Achievement; ``achievement_id`` overrides its id (and the URLs under it)
    for the legacy URL that credentials issued before public ids were signed with. ``parts`` and
    ``weighted`` add the descriptions of the other assessed parts and of the overall score."""
    achievement_id = achievement_id or links.achievement_url(mc.public_id)
    links_qs = mc.skill_links.select_related("skill__framework").order_by("skill__label")
    alignments = [_skill_alignment(link) for link in links_qs]
    alignments.append(
        Alignment(
            target_name=f"EQF level {mc.eqf_level}",
            target_url=EQF_URL.format(level=mc.eqf_level),
            target_type="ext:EQFLevel",
            target_framework=EQF_FRAMEWORK,
            target_code=str(mc.eqf_level),
        )
    )
    result_descriptions: tuple[ResultDescription, ...] = ()
    if quiz is not None:
        result_descriptions = (
            ResultDescription(
                id=result_description_id(mc, achievement_id=achievement_id),
                name="Final score",
                result_type="Percent",
                value_min="0",
                value_max="100",
                required_value=str(quiz.passing_score),
            ),
        )
    for part in parts:
        result_descriptions += part.descriptions(achievement_id)
    if weighted:
        pass_mark = None if mc.overall_pass_mark is None else str(mc.overall_pass_mark)
        result_descriptions += (weighted_score_description(achievement_id, required_value=pass_mark),)
    assessment = mc.get_assessment_type_display()
    if mc.assessment_description.strip():
        assessment += f": {mc.assessment_description.strip()}"
    stackability = "stackable" if mc.stackable else "stand-alone"
    return Achievement(
        id=achievement_id,
        name=mc.title,
        description=_description(mc),
        criteria_narrative=mc.criteria.strip() or f"Complete every required lesson and assessment of {mc.title}.",
        image=achievement_image(mc, achievement_id=achievement_id),
        image_caption=f"{mc.title} badge",
        achievement_type="MicroCredential",
        credits_available=float(mc.ects) if mc.ects is not None else None,
        field_of_study=mc.industry.name if mc.industry_id else None,
        in_language=mc.language or None,
        human_code=f"{mc.provider.slug}/{mc.slug}",
        version=str(mc.version),
        alignments=tuple(alignments),
        result_descriptions=result_descriptions,
        eu=EuMicroCredentialFields(
            assessment_type=assessment,
            participation_form=mc.participation_form,  # type: ignore[arg-type]
            quality_assurance=mc.quality_assurance or None,
            supervision=_supervision(mc),  # type: ignore[arg-type]
            stackability=stackability,  # type: ignore[arg-type]
            prerequisites=mc.prerequisites.strip() or None,
            eqf_level=mc.eqf_level,
            notional_workload_hours=Decimal(mc.workload_hours),
            awarding_body_country=mc.country or None,
        ),
    )


@dataclass(frozen=True)
class CredentialDocuments:
    """The parts every credential of one micro-credential version shares, read once; ``unsigned``
    assembles one credential from them with no query."""

    issuer: IssuerProfile
    achievement: Achievement  # for a completion without a result (no ResultDescription)
    # With every ResultDescription (the final quiz's, the other parts', the weighted score's); None
    # when there is nothing to describe.
    scored_achievement: Achievement | None
    quiz_title: str
    passing_score: str
    result_description_id: str
    credits_earned: float | None
    issued_at: datetime
    extension_context_url: str  # this installation's (ADR 0041), read once like the rest
    parts: tuple[AssessedPart, ...] = ()
    weighted: bool = False

    @classmethod
    def for_microcredential(cls, mc: MicroCredential, *, issued_at: datetime) -> CredentialDocuments:
        quiz = final_quiz(mc)
        parts = assessed_parts(mc, final=quiz)
        weighted = is_weighted(mc)
        scored = quiz is not None or bool(parts) or weighted
        return cls(
            issuer=issuer_profile_for(mc.provider, today=issued_at.date()),
            achievement=achievement_for(mc, quiz=None),
            scored_achievement=achievement_for(mc, quiz=quiz, parts=parts, weighted=weighted) if scored else None,
            quiz_title=quiz.title if quiz is not None else "",
            passing_score=str(quiz.passing_score) if quiz is not None else "",
            result_description_id=result_description_id(mc),
            credits_earned=float(mc.ects) if mc.ects is not None else None,
            issued_at=issued_at,
            extension_context_url=links.extension_context_url(),
            parts=parts,
            weighted=weighted,
        )

    def unsigned(
        self,
        *,
        credential_id: str,
        email: str,
        salt: str,
        status_entry: dict[str, Any],
        completed_at: datetime,
        score: Decimal | None,
        valid_until: datetime | None,
        summary: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The unsigned credential of a completion with these values; ``summary`` is the
        completion's, whose recorded parts give the results beyond the final score."""
        results: tuple[Result, ...] = ()
        evidence: tuple[Evidence, ...] = ()
        achievement = self.achievement
        if score is not None and self.passing_score and self.scored_achievement is not None:
            text = _score_text(score)
            results = (Result(result_description=self.result_description_id, value=text, status="Completed"),)
            evidence = (
                Evidence(
                    name=self.quiz_title,
                    description=f"Final assessment passed with {text} % (pass mark {self.passing_score} %).",
                    genre="Assessment",
                ),
            )
        outcomes = part_outcomes(summary)
        achievement_id = self.achievement.id
        for part in self.parts:
            outcome = outcomes.get(part.key)
            if outcome is None:
                continue
            results += part_results(part, outcome, achievement_id=achievement_id)
            item = part_evidence(part, outcome)
            if item is not None:
                evidence += (item,)
        weighted = (summary or {}).get("weighted_score")
        if self.weighted and weighted is not None:
            results += (weighted_score_result(achievement_id, _score_text(Decimal(weighted))),)
        if results and self.scored_achievement is not None:
            achievement = self.scored_achievement
        entry = StatusEntry(
            id=status_entry["id"],
            status_list_credential=status_entry["statusListCredential"],
            status_list_index=int(status_entry["statusListIndex"]),
            status_purpose=status_entry["statusPurpose"],
        )
        return build_credential(
            credential_id=credential_id,
            issuer=self.issuer,
            achievement=achievement,
            subject=Subject.from_email(email.strip().lower(), salt),
            valid_from=completed_at,
            valid_until=valid_until,
            awarded_date=self.issued_at,
            results=results,
            credits_earned=self.credits_earned,
            evidence=evidence,
            status=entry,
            extension_context_url=self.extension_context_url,
        )


def build_unsigned_credential(
    *,
    credential_id: str,
    completion: Completion,
    email: str,
    salt: str,
    status_entry: dict[str, Any],
    issued_at: datetime,
    valid_until: datetime | None,
) -> dict[str, Any]:
    """One completion's unsigned credential, by the builder every issuance uses."""
    documents = CredentialDocuments.for_microcredential(completion.enrolment.microcredential, issued_at=issued_at)
    return documents.unsigned(
        credential_id=credential_id,
        email=email,
        salt=salt,
        status_entry=status_entry,
        completed_at=completion.completed_at,
        score=completion.score,
        valid_until=valid_until,
        summary=completion.summary,
    )


def achievement_document(mc: MicroCredential, *, achievement_id: str | None = None) -> dict[str, Any]:
    """The Achievement on its own, served at its id for people who follow the link (with the id
    of the URL it is served at, which is the one the credential names)."""
    quiz = final_quiz(mc)
    achievement = achievement_for(
        mc,
        quiz=quiz,
        achievement_id=achievement_id,
        parts=assessed_parts(mc, final=quiz),
        weighted=is_weighted(mc),
    )
    return {
        "@context": credential_contexts(
            with_ob_extensions=False,
            with_extension=achievement.uses_extension,
            extension_context_url=links.extension_context_url(),
        ),
        **achievement.to_json(),
    }
