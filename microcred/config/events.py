"""Who reacts to which domain event: every built-in subscription, in one list.

The events are defined in ``microcred/core/events.py``; emitting apps import only that module,
never their subscribers. ``settings.MICROCRED_EVENT_SUBSCRIBERS`` names this list first, then any
subscriptions an installation adds (``MICROCRED_EVENT_SUBSCRIBERS`` in the environment).
"""

from __future__ import annotations

from typing import Any

from microcred.assessment.services import (
    quizzes_check_on_publishing,
    quizzes_copy_on_lessons_copied,
    quizzes_discard_on_lessons_removing,
)
from microcred.careers.services import (
    plan_refresh_on_credential_issued,
    plan_refresh_on_credential_status_changed,
    plan_refresh_on_placement_passed,
)
from microcred.core.events import (
    AccreditationChanged,
    AttemptGraded,
    CompletionRecorded,
    CredentialIssued,
    CredentialReinstated,
    CredentialRevoked,
    CredentialSuspended,
    EnrolmentWithdrawn,
    LessonsCopied,
    LessonsRemoving,
    MicroCredentialPublishing,
    Runs,
    Subscription,
)
from microcred.credentials.services import credential_award_on_completion, endorsement_sync_on_accreditation_changed
from microcred.projects.services import (
    assignments_copy_on_lessons_copied,
    assignments_discard_on_lessons_removing,
    peer_reviews_drop_on_enrolment_withdrawn,
)

SUBSCRIPTIONS: tuple[Subscription[Any], ...] = (
    # A slow or failing issuer must not undo the learner's completion.
    Subscription(CompletionRecorded, credential_award_on_completion, Runs.AFTER_COMMIT),
    # What the accreditation says and what the accreditor has signed never disagree.
    Subscription(AccreditationChanged, endorsement_sync_on_accreditation_changed, Runs.IN_TRANSACTION),
    # A quiz lesson never exists without its quiz: removed and copied with the lesson, or not at all.
    Subscription(LessonsRemoving, quizzes_discard_on_lessons_removing, Runs.IN_TRANSACTION),
    Subscription(LessonsCopied, quizzes_copy_on_lessons_copied, Runs.IN_TRANSACTION),
    # A required quiz is not published with unlimited attempts unless that was chosen (ADR 0026).
    Subscription(MicroCredentialPublishing, quizzes_check_on_publishing, Runs.IN_TRANSACTION),
    # An assignment lesson's assignment (its rubric and rules) is removed and copied with it too.
    Subscription(LessonsRemoving, assignments_discard_on_lessons_removing, Runs.IN_TRANSACTION),
    Subscription(LessonsCopied, assignments_copy_on_lessons_copied, Runs.IN_TRANSACTION),
    # A learner who withdraws stops peer reviewing; their unfinished reviews go to others (ADR 0030).
    Subscription(EnrolmentWithdrawn, peer_reviews_drop_on_enrolment_withdrawn, Runs.IN_TRANSACTION),
    # A credential earned, revoked, suspended or reinstated changes the learner's verified skills: a
    # learner with a plan is re-planned once it commits (in the transaction only a look-up, so a
    # cohort queues no task per credential; ADR 0037).
    Subscription(CredentialIssued, plan_refresh_on_credential_issued, Runs.IN_TRANSACTION),
    Subscription(CredentialRevoked, plan_refresh_on_credential_status_changed, Runs.IN_TRANSACTION),
    Subscription(CredentialSuspended, plan_refresh_on_credential_status_changed, Runs.IN_TRANSACTION),
    Subscription(CredentialReinstated, plan_refresh_on_credential_status_changed, Runs.IN_TRANSACTION),
    # A passed placement quiz proves its course's skills: the same re-plan (issue 9 §7).
    Subscription(AttemptGraded, plan_refresh_on_placement_passed, Runs.IN_TRANSACTION),
)
