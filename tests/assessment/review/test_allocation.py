"""Reviewer allocation: no self-review, full coverage where possible, loads as even as possible,
shortfalls reported, the same result for the same seed, and reallocation that keeps finished work.

The balance claim is checked against brute force on small cases: over every allocation with the
most coverage, none has a lower highest load, a higher lowest load or a lower sum of squares.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence

import pytest

from microcred.assessment.review import Allocation, AllocationError, Assignment, Shortfall, allocate, reallocate


def everyone_reviews(n: int) -> tuple[dict[str, int], list[int]]:
    """The usual case: person i wrote submission "s<i>" and reviews others."""
    return {f"s{i}": i for i in range(n)}, list(range(n))


def assert_valid(
    allocation: Allocation,
    submissions: Mapping[Hashable, Hashable],
    pool: Sequence[Hashable],
    k: int,
    kept: Iterable[tuple[Hashable, Hashable]] = (),
) -> None:
    """The rules that hold for every allocation, whatever the inputs."""
    kept = set(kept)
    pairs = [(a.submission, a.reviewer) for a in allocation.assignments]
    assert len(pairs) == len(set(pairs)), "a reviewer is on a submission twice"
    assert kept <= set(pairs), "a kept review was dropped"
    for submission, reviewer in pairs:
        assert submission in submissions
        assert reviewer != submissions[submission], f"self-review of {submission}"
        assert reviewer in pool or (submission, reviewer) in kept, "a reviewer from outside the pool"
    short = {}
    for submission, author in submissions.items():
        on = set(allocation.reviewers_of(submission))
        kept_here = {r for s, r in kept if s == submission}
        eligible = {r for r in pool if r != author} | kept_here
        assert len(on) == min(k, len(eligible)) or (len(kept_here) > k and on == kept_here)
        if len(on) < k:
            short[submission] = len(on)
    assert {s.submission: s.assigned for s in allocation.shortfalls} == short
    assert all(s.wanted == k for s in allocation.shortfalls)
    assert allocation.complete == (not short)


def best_possible(
    submissions: Mapping[Hashable, Hashable],
    pool: Sequence[Hashable],
    k: int,
    kept: Iterable[tuple[Hashable, Hashable]] = (),
) -> tuple[int, int, int]:
    """By brute force over every most-coverage allocation: (lowest max load, highest min load,
    lowest sum of squared loads)."""
    kept = list(kept)
    base = Counter(r for _, r in kept if r in pool)
    options = []
    for submission, author in submissions.items():
        taken = {r for s, r in kept if s == submission}
        eligible = [r for r in pool if r != author and r not in taken]
        need = max(0, min(k - len(taken), len(eligible)))
        options.append(list(itertools.combinations(eligible, need)))
    best = (10**9, -1, 10**9)
    for choice in itertools.product(*options):
        load = Counter(base)
        for group in choice:
            load.update(group)
        loads = [load[r] for r in pool]
        best = (min(best[0], max(loads)), max(best[1], min(loads)), min(best[2], sum(x * x for x in loads)))
    return best


def spread(allocation: Allocation) -> int:
    loads = allocation.loads().values()
    return max(loads) - min(loads)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10, 16, 31, 50, 101])
def test_everyone_reviews_k_others_and_is_reviewed_k_times(n: int) -> None:
    submissions, people = everyone_reviews(n)
    for k in range(1, min(n - 1, 6) + 1):
        for seed in range(3):
            allocation = allocate(submissions, people, k, seed)
            assert_valid(allocation, submissions, people, k)
            assert allocation.complete
            assert set(allocation.loads().values()) == {k}
            assert all(len(allocation.reviewers_of(s)) == k for s in submissions)


def test_more_reviews_than_others_is_a_reported_shortfall() -> None:
    submissions, people = everyone_reviews(3)

    allocation = allocate(submissions, people, 3, seed=1)

    assert not allocation.complete
    assert allocation.shortfalls == tuple(Shortfall(s, 3, 2) for s in ("s0", "s1", "s2"))
    assert set(allocation.loads().values()) == {2}


def test_a_lone_author_gets_no_reviewer() -> None:
    allocation = allocate({"only": "ann"}, ["ann"], 2, seed=0)

    assert allocation.assignments == ()
    assert allocation.shortfalls == (Shortfall("only", 2, 0),)
    assert allocation.loads() == {"ann": 0}


@pytest.mark.parametrize("extra", [1, 2, 5, 13])
def test_extra_reviewers_who_wrote_nothing_share_the_load(extra: int) -> None:
    for n in (3, 6, 11, 40):
        submissions, people = everyone_reviews(n)
        pool = people + [f"ta{i}" for i in range(extra)]
        for k in range(1, n):
            allocation = allocate(submissions, pool, k, seed=n + k)
            assert_valid(allocation, submissions, pool, k)
            assert allocation.complete
            assert spread(allocation) <= 1
            assert sum(allocation.loads().values()) == n * k


def test_authors_who_do_not_review_are_still_reviewed() -> None:
    submissions, people = everyone_reviews(30)
    pool = people[:8]

    allocation = allocate(submissions, pool, 3, seed=4)

    assert_valid(allocation, submissions, pool, 3)
    assert allocation.complete
    assert sorted(set(allocation.loads().values())) in ([11], [11, 12])  # 90 reviews over 8 people


def test_matches_brute_force_on_small_random_cases() -> None:
    rng = random.Random(20261205)
    for case in range(300):
        people = list(range(rng.randint(1, 5)))
        pool = [p for p in people if rng.random() < 0.8] + (["ta"] if rng.random() < 0.3 else [])
        submissions = {f"s{i}": rng.choice([*people, "outsider"]) for i in range(rng.randint(1, 4))}
        k = rng.randint(1, 3)
        allocation = allocate(submissions, pool, k, seed=case)

        assert_valid(allocation, submissions, pool, k)
        if pool:
            loads = list(allocation.loads().values())
            assert (max(loads), min(loads), sum(x * x for x in loads)) == best_possible(submissions, pool, k), case


def test_random_larger_cases_keep_the_rules() -> None:
    rng = random.Random(7)
    for case in range(60):
        people = list(range(rng.randint(2, 60)))
        # Some people wrote several submissions (resubmissions, group work), some none.
        submissions = {f"s{i}": rng.choice(people) for i in range(rng.randint(1, 80))}
        pool = rng.sample(people, rng.randint(1, len(people)))
        k = rng.randint(1, 5)

        allocation = allocate(submissions, pool, k, seed=case)

        assert_valid(allocation, submissions, pool, k)
        assert allocation == allocate(dict(reversed(submissions.items())), list(reversed(pool)), k, seed=case)


def test_a_seed_replays_and_another_seed_differs() -> None:
    submissions, people = everyone_reviews(20)

    first = allocate(submissions, people, 3, seed=42)

    assert allocate(submissions, people, 3, seed=42) == first
    shuffled = list(submissions.items())
    random.Random(1).shuffle(shuffled)
    assert allocate(dict(shuffled), sorted(people, reverse=True), 3, seed=42) == first
    others = {allocate(submissions, people, 3, seed=seed).assignments for seed in range(10)}
    assert len(others) == 10


def test_a_seed_gives_a_known_allocation() -> None:
    """Pinned: the allocation for a seed must not change between versions (it is stored, and replayed)."""
    submissions, people = everyone_reviews(5)

    allocation = allocate(submissions, people, 2, seed=2026)

    # Computed once, and checked by hand: nobody reviews their own, everyone reviews two.
    assert {s: allocation.reviewers_of(s) for s in submissions} == {
        "s0": (2, 4),
        "s1": (0, 3),
        "s2": (1, 3),
        "s3": (1, 4),
        "s4": (0, 2),
    }


def test_kept_reviews_count_and_never_move() -> None:
    submissions, people = everyone_reviews(6)
    kept = [("s0", 1), ("s0", 2), ("s1", 2), ("s3", "instructor")]

    allocation = allocate(submissions, people, 2, seed=3, existing=kept)

    assert_valid(allocation, submissions, people, 2, kept)
    assert set(allocation.reviewers_of("s0")) == {1, 2}
    assert "instructor" in allocation.reviewers_of("s3") and len(allocation.reviewers_of("s3")) == 2
    assert "instructor" not in allocation.loads()
    assert spread(allocation) <= 1


def test_kept_reviews_against_brute_force() -> None:
    rng = random.Random(99)
    for case in range(200):
        people = list(range(rng.randint(2, 5)))
        submissions = {f"s{i}": rng.choice(people) for i in range(rng.randint(1, 4))}
        possible = [(s, p) for s, a in submissions.items() for p in people if p != a]
        kept = rng.sample(possible, rng.randint(0, min(3, len(possible))))
        k = rng.randint(1, 3)

        allocation = allocate(submissions, people, k, seed=case, existing=kept)

        assert_valid(allocation, submissions, people, k, kept)
        loads = list(allocation.loads().values())
        assert (max(loads), min(loads), sum(x * x for x in loads)) == best_possible(submissions, people, k, kept)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"per_submission": 0}, "per_submission must be a whole number of at least 1, not 0"),
        ({"per_submission": True}, "per_submission must be a whole number of at least 1, not True"),
        ({"reviewers": [1, 2, 1]}, "reviewer 1 is listed twice"),
        ({"existing": [("s9", 1)]}, "kept review of unknown submission 's9'"),
        ({"existing": [("s1", 1)]}, "kept review is a self-review: 1 wrote submission 's1'"),
        ({"existing": [("s1", 2), Assignment("s1", 2)]}, "kept review listed twice: 2 on submission 's1'"),
        ({"seed": "x"}, "seed must be an integer, not 'x'"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(arguments: dict[str, object], message: str) -> None:
    call: dict[str, object] = {
        "submissions": {"s1": 1, "s2": 2},
        "reviewers": [1, 2, 3],
        "per_submission": 1,
        "seed": 0,
    } | arguments
    with pytest.raises(AllocationError) as raised:
        allocate(**call)  # type: ignore[arg-type]
    assert str(raised.value) == message
    assert raised.value.code == "review_allocation_invalid"


def test_reallocation_moves_only_the_dropped_reviewers_unfinished_reviews() -> None:
    submissions, people = everyone_reviews(12)
    allocation = allocate(submissions, people, 3, seed=5)
    dropped = 4
    theirs = allocation.submissions_of(dropped)
    finished = [Assignment(theirs[0], dropped)]

    after = reallocate(allocation, dropped, finished=finished, seed=6)

    kept = [a for a in allocation.assignments if a.reviewer != dropped] + finished
    pool = [p for p in people if p != dropped]
    assert_valid(after, submissions, pool, 3, [(a.submission, a.reviewer) for a in kept])
    assert set(kept) <= set(after.assignments)
    assert after.submissions_of(dropped) == (theirs[0],)
    # The finished review stays and counts: its submission still has 3, the other two moved.
    assert len(after.assignments) == len(allocation.assignments)
    assert after.complete
    assert dropped not in after.reviewers
    assert sorted(set(after.loads().values())) == [3, 4]


def test_reallocation_of_many_dropouts_keeps_the_rules() -> None:
    rng = random.Random(3)
    for case in range(40):
        n = rng.randint(3, 25)
        submissions, people = everyone_reviews(n)
        k = rng.randint(1, n - 1)
        allocation = allocate(submissions, people, k, seed=case)
        done: set[Assignment] = set()
        for step in range(rng.randint(1, n - 1)):
            before = allocation
            dropped = rng.choice(allocation.reviewers)
            finished = {a for a in before.assignments if a.reviewer == dropped and rng.random() < 0.5}
            done |= finished

            allocation = reallocate(before, dropped, finished=finished, seed=case * 100 + step)

            others = {a for a in before.assignments if a.reviewer != dropped}
            assert others | finished <= set(allocation.assignments)
            assert set(allocation.submissions_of(dropped)) == {a.submission for a in finished}
            assert_valid(
                allocation, submissions, allocation.reviewers, k, [(a.submission, a.reviewer) for a in others | done]
            )
            assert done <= set(allocation.assignments)


def test_reallocation_against_brute_force() -> None:
    rng = random.Random(11)
    for case in range(150):
        submissions, people = everyone_reviews(rng.randint(3, 5))
        k = rng.randint(1, 2)
        allocation = allocate(submissions, people, k, seed=case)
        dropped = rng.choice(people)
        finished = [a for a in allocation.assignments if a.reviewer == dropped and rng.random() < 0.5]

        after = reallocate(allocation, dropped, finished=finished, seed=case)

        pool = [p for p in people if p != dropped]
        kept = [(a.submission, a.reviewer) for a in allocation.assignments if a.reviewer != dropped or a in finished]
        loads = list(after.loads().values())
        assert (max(loads), min(loads), sum(x * x for x in loads)) == best_possible(submissions, pool, k, kept)


def test_reallocation_with_nobody_left_reports_the_shortfall() -> None:
    submissions, people = everyone_reviews(4)
    allocation = allocate(submissions, people, 3, seed=0)

    after = reallocate(allocation, 0, seed=0)

    # Each other submission had 0 among its three reviewers, and nobody else is left to take over.
    assert after.shortfalls == tuple(Shortfall(s, 3, 2) for s in ("s1", "s2", "s3"))
    assert after.reviewers_of("s0") == (1, 2, 3)


def test_reallocation_refuses_unknown_reviewers_and_reviews() -> None:
    submissions, people = everyone_reviews(4)
    allocation = allocate(submissions, people, 2, seed=0)
    not_theirs = next(a for a in allocation.assignments if a.reviewer != 1)
    never = next(Assignment(s, 1) for s in submissions if s not in allocation.submissions_of(1) and s != "s1")

    with pytest.raises(AllocationError, match="'someone' is not a reviewer of this allocation"):
        reallocate(allocation, "someone", seed=0)
    with pytest.raises(AllocationError, match="finished reviews that were never allocated: 1 on"):
        reallocate(allocation, 1, finished=[never], seed=0)
    # Someone else's finished review is theirs to keep anyway: accepted and unchanged.
    assert not_theirs in reallocate(allocation, 1, finished=[not_theirs], seed=0).assignments


def test_a_thousand_learners_are_allocated_quickly() -> None:
    submissions, people = everyone_reviews(1000)

    allocation = allocate(submissions, people, 4, seed=1)

    assert set(allocation.loads().values()) == {4}
    assert reallocate(allocation, 17, seed=2).complete
