"""The matcher's quality on a slice of the labelled ESCO set, and the matching bench's smoke run.

Floors, not targets: they sit a little under what the matcher scores today (``python -m bench
--only matching`` prints the full figures), so a change that makes matching worse fails here.
"""

from __future__ import annotations

import pytest

from bench import matching as bench
from bench.__main__ import main as bench_main
from microcred.skills.matching import SkillIndex
from microcred.skills.matching.index import DOCUMENT_MIN_SCORE, PHRASE_MIN_SCORE
from tests.skills.esco_data import EXTRACTOR, PLAYGROUND, esco_skills, playground_skills, require_esco_wheel


@pytest.fixture(scope="module")
def labelled():
    require_esco_wheel(PLAYGROUND)
    require_esco_wheel(EXTRACTOR)
    data = bench.labelled_set(playground_skills(), esco_skills(), perturbed=300, postings=60)
    return data, SkillIndex.build(data.index_entries), bench.ExactBaseline(data.index_entries)


def _phrase_counts(index, cases, *, baseline=None):
    answers = []
    for case in cases:
        if baseline is not None:
            answers.append((baseline.match(case.query), 100.0))
        else:
            top = index.match(case.query, limit=1)
            answers.append((top[0].skill_id, top[0].score) if top else (None, 0.0))
    return bench._phrase_counts(cases, answers, PHRASE_MIN_SCORE if baseline is None else 0)


def test_the_esco_labels_are_read_from_the_wheels():
    require_esco_wheel(PLAYGROUND)
    require_esco_wheel(EXTRACTOR)
    real = playground_skills()
    assert len(real) == 877 and sum(len(skill.alt_labels) for skill in real) > 3000
    everything = esco_skills()
    assert len({skill.id for skill in everything}) >= 13_939
    # The real labels replace the guessed ones where both wheels have the skill.
    haskell = next(skill for skill in everything if skill.label == "Haskell")
    assert haskell.type == "knowledge"


def test_phrases_match_above_the_floor_and_far_above_exact_lookup(labelled):
    data, index, baseline = labelled
    ours = _phrase_counts(index, data.phrases)
    exact = _phrase_counts(index, data.phrases, baseline=baseline)
    assert ours.precision >= 0.8 and ours.recall >= 0.65, (ours.precision, ours.recall)
    assert ours.f1 > 2 * exact.f1
    held_out = _phrase_counts(index, [case for case in data.phrases if case.kind == "held-out alt label"])
    assert held_out.f1 >= 0.55
    for kind in ("typo", "word order", "plural", "case"):
        changed = _phrase_counts(index, [case for case in data.phrases if case.kind == kind])
        assert changed.recall >= 0.9, kind


def test_postings_extract_above_the_floor(labelled):
    data, index, baseline = labelled
    found = [{m.skill_id: m.score for m in index.extract(case.text)} for case in data.postings]
    ours = bench._posting_counts(data.postings, found, DOCUMENT_MIN_SCORE)
    assert ours.precision >= 0.8 and ours.recall >= 0.85, (ours.precision, ours.recall)
    exact = bench._posting_counts(
        data.postings, [dict.fromkeys(baseline.extract(case.text), 100.0) for case in data.postings], 0
    )
    assert ours.f1 > exact.f1


def test_the_labelled_set_is_the_same_every_time():
    require_esco_wheel(PLAYGROUND)
    first = bench.labelled_set(playground_skills()[:200], (), perturbed=50, postings=3)
    again = bench.labelled_set(playground_skills()[:200], (), perturbed=50, postings=3)
    assert first.phrases == again.phrases and first.postings == again.postings
    assert all(4 <= len(case.expected) <= 10 for case in first.postings)


def test_the_matching_bench_runs_small(capsys):
    require_esco_wheel(PLAYGROUND)
    require_esco_wheel(EXTRACTOR)
    assert bench_main(["--only", "matching", "--postings", "20"]) == 0
    out = capsys.readouterr().out
    assert "phrases (top candidate)" in out and "postings (skills extracted)" in out
    assert "postings/s per core (target ≥ 1,000)" in out
