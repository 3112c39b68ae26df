"""The unsigned credentials of one cohort, built from parts read from the database once.

``issuing.build_unsigned_credential`` reads the issuer profile (and its accreditations), the
achievement (skills, final quiz) for every credential: three or four queries each, the same
answer every time within a cohort. Here those parts are read once and each credential is
assembled by the same ``vc.ob3.build_credential`` call with the same arguments, so the output
is identical (``tests/credentials/test_cohort.py`` compares the two) while a credential costs a
few dictionaries instead of a few queries. Nothing below ``unsigned`` touches the database, so
forked signing workers can run it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from microcred.catalog.models import MicroCredential

from ..issuing import _score_text, achievement_for, final_quiz, issuer_profile_for, result_description_id
from ..vc.ob3 import Achievement, Evidence, IssuerProfile, Result, StatusEntry, Subject, build_credential


@dataclass(frozen=True)
class CohortDocuments:
    issuer: IssuerProfile
    achievement: Achievement  # for a completion without a score (no final-score description)
    scored_achievement: Achievement | None  # with the final quiz's ResultDescription; None without a quiz
    quiz_title: str
    passing_score: str
    result_description_id: str
    credits_earned: float | None
    issued_at: datetime

    @classmethod
    def for_microcredential(cls, mc: MicroCredential, *, issued_at: datetime) -> CohortDocuments:
        quiz = final_quiz(mc)
        return cls(
            issuer=issuer_profile_for(mc.provider, today=issued_at.date()),
            achievement=achievement_for(mc, quiz=None),
            scored_achievement=achievement_for(mc, quiz=quiz) if quiz is not None else None,
            quiz_title=quiz.title if quiz is not None else "",
            passing_score=str(quiz.passing_score) if quiz is not None else "",
            result_description_id=result_description_id(mc),
            credits_earned=float(mc.ects) if mc.ects is not None else None,
            issued_at=issued_at,
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
    ) -> dict[str, Any]:
        """Exactly ``build_unsigned_credential`` for a completion with these values."""
        results: tuple[Result, ...] = ()
        evidence: tuple[Evidence, ...] = ()
        achievement = self.achievement
        if score is not None and self.scored_achievement is not None:
            achievement = self.scored_achievement
            text = _score_text(score)
            results = (Result(result_description=self.result_description_id, value=text, status="Completed"),)
            evidence = (
                Evidence(
                    name=self.quiz_title,
                    description=f"Final assessment passed with {text} % (pass mark {self.passing_score} %).",
                    genre="Assessment",
                ),
            )
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
        )
