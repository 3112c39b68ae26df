"""The rules of a quiz attempt that need no database: what a learner may see of a graded attempt
at each moment (review options), how an attempt's questions and options are drawn and ordered
from its seed, and how a grading method turns several attempts into one score.

The services and selectors read the models and call these; the benchmark and the unit tests call
them directly (ADR 0026)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Final

from microcred.core.errors import ValidationFailed


class Moment(StrEnum):
    """When a learner looks at an attempt, as Moodle's review options name them."""

    DURING = "during"  # the attempt is open
    IMMEDIATELY = "immediately"  # within ``IMMEDIATELY_FOR`` of submitting
    OPEN = "open"  # later, while the quiz is still open
    CLOSED = "closed"  # after the quiz's close date


class Shown(StrEnum):
    """What a review may show."""

    SCORE = "score"  # the attempt's score and points
    CORRECTNESS = "correctness"  # right or wrong, and the points, per question
    ANSWERS = "answers"  # which choices were right
    FEEDBACK = "feedback"  # the questions' explanations


# Moodle's "immediately after the attempt" lasts two minutes; later looks are "later, while open".
IMMEDIATELY_FOR: Final = timedelta(minutes=2)
EVERYTHING: Final = frozenset(Shown)
# What ``hold_until_settled`` keeps back: everything that tells a learner how to answer next time.
HELD: Final = frozenset({Shown.CORRECTNESS, Shown.ANSWERS, Shown.FEEDBACK})


@dataclass(frozen=True)
class ReviewOptions:
    """For each moment, what the learner sees of a graded attempt. ``hold_until_settled`` keeps
    correctness, answers and feedback back, whatever the moments say, while the learner can still
    use them to pass: not passed yet, an attempt left and the quiz not closed (ADR 0008)."""

    during: frozenset[Shown] = frozenset()
    immediately: frozenset[Shown] = EVERYTHING
    open: frozenset[Shown] = EVERYTHING
    closed: frozenset[Shown] = EVERYTHING
    hold_until_settled: bool = False

    def at(self, moment: Moment) -> frozenset[Shown]:
        return {
            Moment.DURING: self.during,
            Moment.IMMEDIATELY: self.immediately,
            Moment.OPEN: self.open,
            Moment.CLOSED: self.closed,
        }[moment]

    def shown(self, moment: Moment, *, settled: bool) -> frozenset[Shown]:
        """What may be shown at ``moment``; ``settled``: the learner can no longer use the answers."""
        allowed = self.at(moment)
        if self.hold_until_settled and not settled:
            allowed = allowed - HELD
        return allowed

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {m.value: sorted(s.value for s in self.at(m)) for m in Moment}
        data["hold_until_settled"] = self.hold_until_settled
        return data


# A practice quiz shows everything once submitted; a quiz that counts towards a credential keeps
# its answers back until the learner has passed or cannot try again (ADR 0008, ADR 0026).
PRACTICE_REVIEW: Final = ReviewOptions()
CREDENTIAL_REVIEW: Final = ReviewOptions(hold_until_settled=True)


def default_review(*, counts_towards_credential: bool) -> ReviewOptions:
    return CREDENTIAL_REVIEW if counts_towards_credential else PRACTICE_REVIEW


def review_options_parse(data: Any, *, where: str = "review_options") -> ReviewOptions:
    """A quiz's stored or submitted review options, checked: a mapping of moment to a list of
    what is shown, and ``hold_until_settled``. Missing moments take the practice default.
    ``during`` must be empty: questions are graded when the attempt is submitted (deferred
    feedback), so nothing graded exists to show while it is open."""
    if not isinstance(data, Mapping):
        raise ValidationFailed(f"{where} must be an object.", errors={where: ["Not an object."]})
    unknown = set(data) - {m.value for m in Moment} - {"hold_until_settled"}
    if unknown:
        raise ValidationFailed(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; the moments are "
            + ", ".join(m.value for m in Moment)
            + ", plus hold_until_settled.",
            errors={where: ["Unknown keys."]},
        )
    moments: dict[str, frozenset[Shown]] = {}
    for moment in Moment:
        raw = data.get(moment.value, None)
        if raw is None:
            moments[moment.value] = PRACTICE_REVIEW.at(moment)
            continue
        if not isinstance(raw, list | tuple) or not all(isinstance(x, str) for x in raw):
            raise ValidationFailed(
                f"{where}.{moment.value} must be a list of: " + ", ".join(s.value for s in Shown) + ".",
                errors={f"{where}.{moment.value}": ["Not a list of names."]},
            )
        bad = sorted(set(raw) - {s.value for s in Shown})
        if bad:
            raise ValidationFailed(
                f"{where}.{moment.value}: unknown item(s) {', '.join(bad)}; choose from "
                + ", ".join(s.value for s in Shown)
                + ".",
                errors={f"{where}.{moment.value}": ["Unknown items."]},
            )
        moments[moment.value] = frozenset(Shown(x) for x in raw)
    if moments[Moment.DURING.value]:
        raise ValidationFailed(
            f"{where}.during must be empty: answers are graded when the attempt is submitted, "
            "so there is nothing to show while it is open.",
            errors={f"{where}.during": ["Must be empty."]},
        )
    hold = data.get("hold_until_settled", False)
    if not isinstance(hold, bool):
        raise ValidationFailed(
            f"{where}.hold_until_settled must be true or false.", errors={f"{where}.hold_until_settled": ["Not bool."]}
        )
    return ReviewOptions(
        during=moments["during"],
        immediately=moments["immediately"],
        open=moments["open"],
        closed=moments["closed"],
        hold_until_settled=hold,
    )


def review_moment(*, submitted_at: datetime | None, closes_at: datetime | None, at: datetime) -> Moment:
    if submitted_at is None:
        return Moment.DURING
    if closes_at is not None and at >= closes_at:
        return Moment.CLOSED
    if at - submitted_at <= IMMEDIATELY_FOR:
        return Moment.IMMEDIATELY
    return Moment.OPEN


# --- Fresh attempts: the questions and their options, drawn and ordered from a seed -------------


@dataclass(frozen=True)
class Layout:
    """One attempt's questions in served order, and each question's choices in served order."""

    question_ids: list[int]
    choice_orders: dict[int, list[int]] = field(default_factory=dict)


def attempt_layout(
    *,
    seed: int,
    choices_by_question: Mapping[int, Sequence[int]],
    question_count: int | None,
    shuffle_questions: bool,
    shuffle_options: bool,
) -> Layout:
    """The same seed and bank always give the same layout, so an attempt can be replayed exactly.
    ``choices_by_question``: every question of the bank in authored order, with its choices in
    authored order. Drawing uses the authored order as its population, so a replay does not
    depend on how the database happened to return the rows."""
    rng = random.Random(seed)
    population = list(choices_by_question)
    if question_count is not None and question_count < len(population):
        drawn = rng.sample(population, question_count)
        # Drawn questions keep their authored order unless the quiz shuffles them.
        question_ids = drawn if shuffle_questions else [q for q in population if q in set(drawn)]
    else:
        question_ids = list(population)
        if shuffle_questions:
            rng.shuffle(question_ids)
    orders: dict[int, list[int]] = {}
    for qid in question_ids:
        order = list(choices_by_question[qid])
        if shuffle_options:
            rng.shuffle(order)
        orders[qid] = order
    return Layout(question_ids=question_ids, choice_orders=orders)


# --- Grading methods: several attempts, one score for the lesson ------------------------------


class GradingMethod(StrEnum):
    HIGHEST = "highest"
    LAST = "last"
    AVERAGE = "average"
    FIRST = "first"


GRADING_METHOD_LABELS: Final[dict[str, str]] = {
    GradingMethod.HIGHEST: "Highest score",
    GradingMethod.LAST: "Last attempt",
    GradingMethod.AVERAGE: "Average of the attempts",
    GradingMethod.FIRST: "First attempt",
}


def grade_of(method: str, scores_in_order: Sequence[Decimal]) -> Decimal | None:
    """The quiz's score by ``method`` over the submitted attempts' scores, oldest first."""
    if not scores_in_order:
        return None
    match GradingMethod(method):
        case GradingMethod.HIGHEST:
            return max(scores_in_order)
        case GradingMethod.LAST:
            return scores_in_order[-1]
        case GradingMethod.FIRST:
            return scores_in_order[0]
        case GradingMethod.AVERAGE:
            total = sum(scores_in_order, Decimal(0))
            return (total / len(scores_in_order)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    raise AssertionError(method)  # pragma: no cover


# --- Time -------------------------------------------------------------------------------------


def attempt_deadline(
    *, started_at: datetime, time_limit_minutes: int | None, closes_at: datetime | None
) -> datetime | None:
    """When the attempt's time is up: its time limit, or the quiz closing, whichever is sooner."""
    ends = [started_at + timedelta(minutes=time_limit_minutes)] if time_limit_minutes else []
    if closes_at is not None:
        ends.append(closes_at)
    return min(ends) if ends else None
