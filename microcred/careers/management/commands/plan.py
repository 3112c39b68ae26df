"""``microcred plan --learner EMAIL [--occupation URI] [--objective ...] [--ics FILE]``: a learner's
gap and the best path to their goal, as tables.

With ``--occupation`` the plan is a what-if towards that occupation, under the learner's own
constraints: nothing is stored, and the learner's goal and plans stay as they are. Without it the
learner's goal is used. ``--ics`` writes the plan's study sessions as a calendar file.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from microcred.accounts.models import User
from microcred.careers.models import CareerGoal, GoalKind, Objective
from microcred.careers.planning import learner_plan
from microcred.careers.selectors import career_goal_of, occupation_by_reference
from microcred.core.clock import now


class Command(BaseCommand):
    help = "Print a learner's skill gap and the best learning path to their goal (or to an occupation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--learner", required=True, metavar="EMAIL", help="The learner's e-mail address.")
        parser.add_argument(
            "--occupation", metavar="URI", help="Plan towards this occupation (URI, code or id) instead of the goal."
        )
        parser.add_argument("--objective", choices=Objective.values, help="Default: the goal's objective.")
        parser.add_argument("--ics", metavar="FILE", help="Also write the plan's study sessions to this ICS file.")

    def handle(self, *args: Any, learner: str, occupation: str | None, objective: str | None, **options: Any) -> None:
        user = User.objects.filter(email__iexact=learner.strip()).first()
        if user is None:
            raise CommandError(f"No learner with e-mail {learner!r}.")
        goal = None
        if occupation:
            target = occupation_by_reference(occupation)
            if target is None:
                raise CommandError(f"No occupation {occupation!r}: give its URI, code or id.")
            goal = _what_if(career_goal_of(user), user, target)
        today = now().date()
        with _solver_banner_silenced():
            planned = learner_plan(user=user, today=today, objective=objective, goal=goal)
        if planned is None:
            raise CommandError(f"{user.email} has no goal that names skills: give --occupation, or set a goal.")
        console = Console(file=cast(IO[str], getattr(self.stdout, "_out", sys.stdout)), width=140)
        gap = Table(title=f"Gap of {user.email} to {planned.gap.target}")
        for column in ("Skill", "Required", "Verified", "Declared", "Status", "Weight"):
            gap.add_column(column)
        for item in planned.gap.items:
            gap.add_row(
                item.skill.label,
                item.required_level,
                item.verified_level or "-",
                item.unverified_level or "-",
                item.status,
                f"{item.weight:.2f}",
            )
        console.print(gap)
        plan = planned.plan
        steps = Table(title=f"Plan ({planned.objective.value}, {plan.quality})")
        for column in ("#", "Micro-credential", "Provider", "Start", "Finish", "Hours", "Price", "Closes"):
            steps.add_column(column)
        labels = {str(item.skill.pk): item.skill.label for item in planned.gap.items}
        for step in plan.steps:
            closes = ", ".join(
                f"{labels.get(c.skill, c.skill)} {c.after.name.lower()}" for c in step.closes if c.in_goal
            )
            steps.add_row(
                str(step.position),
                step.offer.title,
                step.offer.provider,
                step.start.isoformat(),
                step.finish.isoformat(),
                f"{step.hours:g}",
                str(step.price),
                closes,
            )
        console.print(steps)
        console.print(
            f"Total: {plan.total_hours:g} hours, EUR {plan.total_price}; {100 * plan.coverage:.0f}% of the gap."
        )
        for uncoverable in plan.uncoverable:
            skill = labels.get(uncoverable.step.skill, uncoverable.step.skill)
            console.print(f"Cannot cover {skill} at {uncoverable.step.level.name.lower()}.")
        if options.get("ics"):
            path = Path(options["ics"])
            try:
                path.write_text(plan.ics(now=now()), encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}.") from exc
            console.print(f"Wrote {len(plan.schedule.sessions)} study sessions to {path}.")


@contextlib.contextmanager
def _solver_banner_silenced() -> Iterator[None]:
    """HiGHS writes its banner straight to file descriptor 1 when a process makes its first solver,
    whatever its options: in a command whose stdout is the result, send that to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _what_if(goal: CareerGoal | None, user: User, occupation: Any) -> CareerGoal:
    """An unsaved goal towards ``occupation`` under the learner's own constraints."""
    what_if = CareerGoal(user=user, kind=GoalKind.OCCUPATION, occupation=occupation)
    if goal is not None:
        for field in (
            "hours_per_week",
            "budget_eur",
            "deadline",
            "languages",
            "participation_forms",
            "accredited_only",
            "objective",
        ):
            setattr(what_if, field, getattr(goal, field))
    return what_if
