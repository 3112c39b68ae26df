"""Who reviews whom: reviewers allocated to submissions for peer review.

The rules, in order of priority:

1. **No self-review**, and a reviewer is on a submission at most once.
2. **Coverage:** every submission gets ``per_submission`` reviewers when enough people are
   eligible for it; a submission that cannot is reported in ``Allocation.shortfalls``, never
   left short silently. Coverage is the most possible: a short submission has every eligible
   reviewer.
3. **Balance:** the reviewers' loads are as even as the rules above allow. Among all allocations
   with the most coverage, the loads minimise the sum of their squares, which makes the highest
   load as low as it can be and the lowest as high as it can be. In the usual case (everyone
   reviews others, and there are more people than ``per_submission``) every load is within 1 of
   every other. Loads differ by more only when the rules force it: an author of many
   submissions can review few of them, a pool of three cannot spread four reviews each.

How: a greedy pass gives each open slot to the least-loaded eligible reviewer, then a repair
pass moves reviews along *improving paths* (reviewer ``a`` hands a submission to ``b``, who
hands another to ``c``, ... to a reviewer whose load is at least 2 below ``a``'s) until none is
left. With no improving path the allocation is optimal: in the flow network
submissions -> reviewers, such a path is exactly a negative cycle for the convex cost
"sum of squared loads".

Randomness comes from ``seed`` only, through SHA-256 ranks of the ids rather than
``random.Random``: the same inputs and seed give the same allocation on every Python version,
whatever order the submissions and reviewers were listed in.

Ids are any hashable values (``int``, ``str``, ``UUID``); ``str(id)`` must tell them apart,
since it orders them.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeAlias

from .errors import AllocationError

SubmissionId: TypeAlias = Hashable
PersonId: TypeAlias = Hashable


@dataclass(frozen=True)
class Assignment:
    """One review to write: ``reviewer`` reviews ``submission``."""

    submission: SubmissionId
    reviewer: PersonId


@dataclass(frozen=True)
class Shortfall:
    """A submission that could not get ``wanted`` reviewers: only ``assigned`` people could review it."""

    submission: SubmissionId
    wanted: int
    assigned: int


@dataclass(frozen=True, eq=True)
class Allocation:
    """The result: every assignment (kept ones included), the pool it was drawn from, and what fell short.

    ``assignments`` is sorted by submission then reviewer, so two allocations compare equal
    exactly when they assign the same reviews.
    """

    authors: Mapping[SubmissionId, PersonId]
    reviewers: tuple[PersonId, ...]
    per_submission: int
    seed: int
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]

    @property
    def complete(self) -> bool:
        """Whether every submission got ``per_submission`` reviewers."""
        return not self.shortfalls

    def reviewers_of(self, submission: SubmissionId) -> tuple[PersonId, ...]:
        return tuple(a.reviewer for a in self.assignments if a.submission == submission)

    def submissions_of(self, reviewer: PersonId) -> tuple[SubmissionId, ...]:
        return tuple(a.submission for a in self.assignments if a.reviewer == reviewer)

    def loads(self) -> dict[PersonId, int]:
        """Reviews per reviewer of the pool (0 for those with none)."""
        loads = dict.fromkeys(self.reviewers, 0)
        for assignment in self.assignments:
            if assignment.reviewer in loads:
                loads[assignment.reviewer] += 1
        return loads


def allocate(
    submissions: Mapping[SubmissionId, PersonId],
    reviewers: Sequence[PersonId],
    per_submission: int,
    seed: int,
    existing: Iterable[Assignment | tuple[SubmissionId, PersonId]] = (),
) -> Allocation:
    """Allocate ``per_submission`` reviewers from ``reviewers`` to each submission (id -> author id).

    ``existing`` assignments are kept as they are (already started or finished reviews, or
    reviews by people outside the pool such as instructors): they count towards their
    submission's reviewers and their reviewer's load, and are never moved.
    """
    if isinstance(per_submission, bool) or not isinstance(per_submission, int) or per_submission < 1:
        raise AllocationError(f"per_submission must be a whole number of at least 1, not {per_submission!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise AllocationError(f"seed must be an integer, not {seed!r}")
    seen: set[PersonId] = set()
    for reviewer in reviewers:
        if reviewer in seen:
            raise AllocationError(f"reviewer {reviewer!r} is listed twice")
        seen.add(reviewer)
    authors = dict(submissions)
    on: dict[SubmissionId, set[PersonId]] = {submission: set() for submission in authors}
    kept: list[Assignment] = []
    for item in existing:
        assignment = item if isinstance(item, Assignment) else Assignment(*item)
        if assignment.submission not in authors:
            raise AllocationError(f"kept review of unknown submission {assignment.submission!r}")
        if assignment.reviewer == authors[assignment.submission]:
            raise AllocationError(
                f"kept review is a self-review: {assignment.reviewer!r} wrote submission {assignment.submission!r}"
            )
        if assignment.reviewer in on[assignment.submission]:
            raise AllocationError(
                f"kept review listed twice: {assignment.reviewer!r} on submission {assignment.submission!r}"
            )
        on[assignment.submission].add(assignment.reviewer)
        kept.append(assignment)

    pool = sorted(seen, key=lambda reviewer: _rank(seed, "reviewer", reviewer))
    order = {reviewer: index for index, reviewer in enumerate(pool)}
    load = dict.fromkeys(pool, 0)
    for assignment in kept:
        if assignment.reviewer in load:
            load[assignment.reviewer] += 1
    movable: dict[PersonId, set[SubmissionId]] = {reviewer: set() for reviewer in pool}
    submission_order = sorted(authors, key=lambda submission: _rank(seed, "submission", submission))

    _fill(submission_order, authors, per_submission, on, load, order, movable)
    while (path := _improving_path(pool, authors, on, load, movable, submission_order)) is not None:
        for giver, submission, taker in path:
            movable[giver].remove(submission)
            movable[taker].add(submission)
            on[submission].remove(giver)
            on[submission].add(taker)
            load[giver] -= 1
            load[taker] += 1

    added = [Assignment(submission, reviewer) for reviewer in pool for submission in movable[reviewer]]
    shortfalls = [
        Shortfall(submission, per_submission, len(on[submission]))
        for submission in sorted(authors, key=_key)
        if len(on[submission]) < per_submission
    ]
    return Allocation(
        authors=MappingProxyType(authors),
        reviewers=tuple(sorted(seen, key=_key)),
        per_submission=per_submission,
        seed=seed,
        assignments=tuple(sorted(kept + added, key=lambda a: (_key(a.submission), _key(a.reviewer)))),
        shortfalls=tuple(shortfalls),
    )


def reallocate(
    allocation: Allocation,
    dropped_reviewer: PersonId,
    *,
    finished: Collection[Assignment | tuple[SubmissionId, PersonId]] = (),
    seed: int,
) -> Allocation:
    """Take ``dropped_reviewer`` out of the pool and give their unfinished reviews to others.

    Their ``finished`` reviews stay (and still count for their submissions). Every other
    assignment stays where it is, since its reviewer may have started on it; only the freed
    reviews move, under the same rules, to the least-loaded eligible reviewers. A freed review
    that nobody can take shows up in ``shortfalls``.
    """
    if dropped_reviewer not in allocation.reviewers:
        raise AllocationError(f"{dropped_reviewer!r} is not a reviewer of this allocation")
    done = {item if isinstance(item, Assignment) else Assignment(*item) for item in finished}
    unknown = done - set(allocation.assignments)
    if unknown:
        listed = ", ".join(f"{a.reviewer!r} on {a.submission!r}" for a in sorted(unknown, key=_assignment_key))
        raise AllocationError(f"finished reviews that were never allocated: {listed}")
    kept = [a for a in allocation.assignments if a.reviewer != dropped_reviewer or a in done]
    pool = [reviewer for reviewer in allocation.reviewers if reviewer != dropped_reviewer]
    return allocate(allocation.authors, pool, allocation.per_submission, seed, existing=kept)


def _fill(
    submission_order: Sequence[SubmissionId],
    authors: Mapping[SubmissionId, PersonId],
    per_submission: int,
    on: dict[SubmissionId, set[PersonId]],
    load: dict[PersonId, int],
    order: Mapping[PersonId, int],
    movable: dict[PersonId, set[SubmissionId]],
) -> None:
    """Greedy first pass: round by round, each submission takes the least-loaded eligible reviewer.

    Rounds (rather than filling one submission at a time) keep the loads level as it goes, so
    the repair pass has little to do. A reviewer is skipped only for being the author or already
    on the submission, so at most ``per_submission + 1`` are popped and pushed back per slot.
    """
    heap = [(count, order[reviewer], reviewer) for reviewer, count in load.items()]
    heapq.heapify(heap)
    for _round in range(per_submission):
        for submission in submission_order:
            if len(on[submission]) >= per_submission:
                continue
            skipped = []
            while heap:
                entry = heapq.heappop(heap)
                reviewer = entry[2]
                if reviewer == authors[submission] or reviewer in on[submission]:
                    skipped.append(entry)
                    continue
                on[submission].add(reviewer)
                movable[reviewer].add(submission)
                load[reviewer] += 1
                heapq.heappush(heap, (load[reviewer], entry[1], reviewer))
                break
            for entry in skipped:
                heapq.heappush(heap, entry)


def _improving_path(
    pool: Sequence[PersonId],
    authors: Mapping[SubmissionId, PersonId],
    on: Mapping[SubmissionId, set[PersonId]],
    load: Mapping[PersonId, int],
    movable: Mapping[PersonId, set[SubmissionId]],
    submission_order: Sequence[SubmissionId],
) -> list[tuple[PersonId, SubmissionId, PersonId]] | None:
    """A chain of hand-overs from a reviewer with load ``L`` to one with load ``L - 2`` or less.

    Breadth-first from all the reviewers of one load at a time, highest first. Each step
    ``(giver, submission, taker)`` is valid on the current allocation: ``taker`` is neither the
    author of ``submission`` nor on it. The intermediate reviewers give one and take one, so only
    the two ends change load, by 1 each, and the sum of squared loads drops by at least 2.
    """
    if not pool:
        return None
    lowest = min(load.values())
    position = {submission: index for index, submission in enumerate(submission_order)}
    for level in sorted(set(load.values()), reverse=True):
        if level < lowest + 2:
            break
        sources = [reviewer for reviewer in pool if load[reviewer] == level]
        parent: dict[PersonId, tuple[PersonId, SubmissionId]] = {}
        visited = set(sources)
        queue = deque(sources)
        while queue:
            giver = queue.popleft()
            for submission in sorted(movable[giver], key=position.__getitem__):
                for taker in pool:
                    if taker in visited or taker == authors[submission] or taker in on[submission]:
                        continue
                    visited.add(taker)
                    parent[taker] = (giver, submission)
                    if load[taker] <= level - 2:
                        return _path_to(taker, parent)
                    queue.append(taker)
    return None


def _path_to(
    end: PersonId, parent: Mapping[PersonId, tuple[PersonId, SubmissionId]]
) -> list[tuple[PersonId, SubmissionId, PersonId]]:
    path = []
    taker = end
    while taker in parent:
        giver, submission = parent[taker]
        path.append((giver, submission, taker))
        taker = giver
    return path


def _key(value: Hashable) -> str:
    return f"{type(value).__name__}:{value}"


def _assignment_key(assignment: Assignment) -> tuple[str, str]:
    return (_key(assignment.submission), _key(assignment.reviewer))


def _rank(seed: int, kind: str, value: Hashable) -> bytes:
    return hashlib.sha256(f"{seed}\x00{kind}\x00{_key(value)}".encode()).digest()
