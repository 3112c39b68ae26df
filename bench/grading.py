"""Grading quiz attempts: ``python -m bench --only grading [--attempts N]``.

N submitted attempts (10,000 by default) of a 20-question quiz of every auto-graded kind (3
single, 3 multiple of which 2 with partial credit, 2 true/false, 2 numeric with units and partial
credit, 2 short answer with wildcards, 2 matching, 2 ordering, 2 cloze of three gaps each, 2
calculated with each attempt's own values), with answers drawn from a fixed seed: right, wrong,
half right, unanswered. Each attempt is graded as ``services.attempt_points`` grades one: every
raw answer read by its kind's ``parse_answer`` (as submitted, JSON-decoded), graded by its kind's
``grade_for`` with the attempt's seed, summed and turned into a percent.

The questions are plain objects with the fields a kind reads (the kinds import no models, by
design), built once as ``attempt_submit`` loads them once per attempt; what is timed is the
grading itself, pinned to one core, not the database round trips around it. Target: at least
2,000 attempts per second per core (issue 8).
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TARGET_PER_SECOND = 2000.0


@dataclass
class _Choice:
    id: int
    text: str
    is_correct: bool
    fraction: Decimal
    feedback: str = ""


@dataclass
class _Choices:
    rows: list[_Choice]

    def all(self) -> list[_Choice]:
        return self.rows


@dataclass
class _Question:
    id: int
    kind: str
    text: str
    points: int
    data: dict[str, Any]
    choices: _Choices = field(default_factory=lambda: _Choices([]))


@dataclass(frozen=True)
class GradingFigures:
    attempts: int
    questions: int
    seconds: float
    mean_score: float

    @property
    def rate(self) -> float:
        return self.attempts / self.seconds if self.seconds else 0.0

    @property
    def verdict(self) -> str:
        return "PASS" if self.rate >= TARGET_PER_SECOND else "FAIL"


def build_quiz() -> list[_Question]:
    """The 20 questions, their specs cleaned by their kinds as the services store them."""
    from microcred.assessment.questions import question_type, validate_question

    specs: list[dict[str, Any]] = []
    for n in range(3):
        specs.append({"kind": "single", "text": f"s{n}", "choices": [{"text": t, "correct": t == "b"} for t in "abcd"]})
    for n in range(3):
        data = {"scoring": "partial"} if n else {}
        specs.append(
            {
                "kind": "multiple",
                "text": f"m{n}",
                "data": data,
                "choices": [{"text": t, "correct": t in "ac"} for t in "abcde"],
            }
        )
    for n in range(2):
        specs.append({"kind": "truefalse", "text": f"t{n}", "data": {"correct": bool(n)}})
    for n in range(2):
        specs.append(
            {
                "kind": "numeric",
                "text": f"n{n}",
                "data": {
                    "answers": [
                        {"value": "9.81", "tolerance": "0.01"},
                        {"value": "10", "tolerance": "0.5", "fraction": "0.5"},
                    ],
                    "units": [{"unit": "m/s2", "multiplier": 1}, {"unit": "cm/s2", "multiplier": 100}],
                },
            }
        )
    for n in range(2):
        specs.append(
            {
                "kind": "short",
                "text": f"a{n}",
                "data": {"alternatives": [{"text": "photo*synthesis"}, {"text": "chloro*", "fraction": "0.5"}]},
            }
        )
    for n in range(2):
        pairs = [{"prompt": p, "answer": a} for p, a in zip("wxyz", ["one", "two", "three", "four"], strict=True)]
        specs.append({"kind": "matching", "text": f"p{n}", "data": {"pairs": pairs, "distractors": ["five"]}})
    for n in range(2):
        specs.append(
            {"kind": "ordering", "text": f"o{n}", "data": {"items": ["mercury", "venus", "earth", "mars", "jupiter"]}}
        )
    for n in range(2):
        specs.append(
            {
                "kind": "cloze",
                "text": f"c{n}: {{1:SHORTANSWER:=Paris~%50%paris*}} is in {{1:MULTICHOICE:=France~Spain~Italy}}, "
                "{2:NUMERICAL:=2.1:0.1} million people.",
            }
        )
    for n in range(2):
        specs.append(
            {
                "kind": "calculated",
                "text": f"k{n}: what does {{mass}} kg weigh?",
                "data": {
                    "variables": {"mass": {"min": 1, "max": 50, "step": "0.5"}, "g": {"value": "9.81"}},
                    "answer": "mass * g",
                    "tolerance": {"relative": "0.01"},
                    "units": ["N", "newton"],
                },
            }
        )
    questions = []
    next_choice = 1
    for qid, spec in enumerate(specs, start=1):
        qt = validate_question(spec, where=f"q{qid}")
        data = qt.clean_data(spec, where=f"q{qid}")
        question = _Question(id=qid, kind=spec["kind"], text=qt.clean_text(spec, where=f"q{qid}"), points=2, data=data)
        if qt.uses_choices:
            fractions = qt.choice_fractions(spec["choices"], data)  # type: ignore[attr-defined]
            rows = []
            for c, fraction in zip(spec["choices"], fractions, strict=True):
                rows.append(_Choice(next_choice, c["text"], bool(c.get("correct")), fraction))
                next_choice += 1
            question.choices = _Choices(rows)
        questions.append(question)
        assert question_type(question.kind) is qt
    return questions


def _answer(question: _Question, rng: random.Random, seed: str) -> Any:
    """A raw answer as a learner's browser or API client submits it: right, partly right or wrong."""
    luck = rng.random()
    if luck < 0.05:
        return None
    right = luck < 0.6
    if question.kind == "calculated":
        from microcred.assessment.questions.calculated import right_answer

        worked_out = right_answer(question, seed=seed)
        return rng.choice([worked_out, f"{worked_out} N", f"{worked_out} newton"]) if right else "1 N"
    if question.kind in ("single", "multiple"):
        rows = question.choices.all()
        picked = [c.id for c in rows if c.is_correct] if right else [rng.choice(rows).id]
        return picked
    if question.kind == "truefalse":
        return "true" if right == bool(question.data["correct"]) else "false"
    if question.kind == "numeric":
        return rng.choice(["9.81 m/s2", "981 cm/s2", "9.8"]) if right else rng.choice(["10.2", "7 m/s2"])
    if question.kind == "short":
        return (
            rng.choice(["Photosynthesis", "photo-synthesis"]) if right else rng.choice(["chlorophyll", "respiration"])
        )
    if question.kind == "matching":
        return {str(i): rng.randrange(5) for i in range(4)} if not right else {"0": 2, "1": 4, "2": 3, "3": 1}
    if question.kind == "ordering":
        order = [3, 4, 0, 2, 1] if right else rng.sample(range(5), 5)  # ids: places in alphabetical order
        return order
    return {"1": "Paris" if right else "Lyon", "2": "0" if right else "2", "3": "2.05" if right else "3"}


def make_attempts(questions: list[_Question], count: int, seed: int = 8) -> list[str]:
    """``count`` attempts' answers as the JSON bodies they were submitted with."""
    rng = random.Random(seed)
    bodies = []
    for n in range(count):
        # The attempt's seed (``served_seed``), from which its calculated questions' values come.
        attempt_seed = str(seed * 1_000_003 + n)
        answers = {str(q.id): a for q in questions if (a := _answer(q, rng, attempt_seed)) is not None}
        bodies.append(json.dumps({"answers": answers, "seed": attempt_seed}))
    return bodies


def grade_all(questions: list[_Question], bodies: list[str]) -> list[Decimal]:
    from microcred.assessment.questions import question_type

    by_id = {q.id: q for q in questions}
    types = {q.id: question_type(q.kind) for q in questions}
    possible = sum(q.points for q in questions)
    scores = []
    for body in bodies:
        submitted = json.loads(body)
        raw, seed = submitted["answers"], str(submitted.get("seed", "0"))
        earned = Decimal(0)
        parsed = {int(k): types[int(k)].parse_answer(by_id[int(k)], v) for k, v in raw.items()}
        for qid, question in by_id.items():
            earned += Decimal(types[qid].grade_for(question, parsed.get(qid), seed=seed).points)
        scores.append((earned * 100 / possible).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return scores


def run_grading(count: int = 10_000) -> GradingFigures:
    questions = build_quiz()
    bodies = make_attempts(questions, count)
    previous = None
    if hasattr(os, "sched_setaffinity"):
        previous = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {0 if 0 in previous else min(previous)})
    try:
        grade_all(questions, bodies[: min(200, count)])  # warm-up: imports, caches
        started = time.perf_counter()
        scores = grade_all(questions, bodies)
        seconds = time.perf_counter() - started
    finally:
        if previous is not None:
            os.sched_setaffinity(0, previous)
    mean = float(sum(scores) / len(scores)) if scores else 0.0
    return GradingFigures(attempts=count, questions=len(questions), seconds=seconds, mean_score=mean)


def print_figures(figures: GradingFigures) -> None:
    print(
        f"grading: {figures.attempts:,} attempts × {figures.questions} questions in {figures.seconds:.2f} s "
        f"= {figures.rate:,.0f} attempts/s on one core (target ≥ {TARGET_PER_SECOND:,.0f}) "
        f"{figures.verdict}; mean score {figures.mean_score:.1f} %"
    )
