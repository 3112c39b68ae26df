"""The pathways bench on a tiny catalogue, in-process, so ``make bench`` cannot rot."""

from __future__ import annotations

import pytest

from bench import pathways
from bench.__main__ import main


def test_tiny_run_measures_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    size = pathways.Size(skills=400, occupations=30, offers=2500, plans=6)
    figures = pathways.run_pathways(size)
    assert len(figures.plan_ms) == len(figures.plan_cpu_ms) == 6
    assert sum(len(v) for v in figures.cpu_by_objective.values()) == 6
    assert figures.exact_finished == len(figures.ratios) and figures.exact_finished >= 5
    assert all(ratio >= 1 - 1e-9 for ratio in figures.ratios)  # nothing beats the optimum
    assert figures.worst_ratio <= pathways.TARGET_WORST_RATIO
    assert figures.ours_valid == figures.baseline_cases  # our plans always respect levels and prerequisites
    pathways.print_figures(figures)
    printed = capsys.readouterr().out
    assert "gap + plan p95 (ms CPU)" in printed and "plan equal to the exact optimum" in printed
    assert [name for name, _ in figures.verdicts()] == [
        "gap + plan p95 < 100 ms",
        "plan within 2% of exact",
        "plan equal on >= 95%",
    ]


def test_the_generator_is_deterministic_and_at_the_size_asked() -> None:
    size = pathways.Size(skills=200, occupations=10, offers=600, plans=2)
    first, second = pathways.generate(size), pathways.generate(size)
    assert len(first.index.offers) == 600 and len(first.occupations) == 10
    assert list(first.index.offers) == list(second.index.offers)
    assert all(12 <= len(o) <= 45 for o in first.occupations)
    assert first.index.programmes, "series that stack into programmes are generated"


def test_make_bench_runs_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--only", "pathways", "--quick", "--plans", "2"]) == 0
    assert "Pathways bench: 2 learning paths over 7,000" in capsys.readouterr().out
