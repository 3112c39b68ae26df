"""The skill index: every label of a taxonomy, normalised, for matching a phrase or a whole document.

``SkillIndex.build`` takes each skill's id, preferred label, alternative labels and type, and keeps
the labels' normal forms (``text.normalise``, the key) three ways: a dict from key to the skills
that carry it; a token trie for finding labels inside a document (with each label of two or three
words also under its other orders); and each key with its words sorted, for fuzzy matching. The label
words form a vocabulary against which a document's unknown words are corrected (a typo of a label
word), in one rapidfuzz batch per document, and remembered.

``match`` ranks candidates for a short phrase: an exact key first (100), then the same words in
another order, then rapidfuzz over every key (``token_sort_ratio``, the sorting done once). ``extract`` finds
the skills a longer text mentions: from each word of the text it walks the trie, a corrected
word standing for a label word, never across a phrase boundary; overlapping finds keep the
longest, then the best; each skill is reported once, with how often it was mentioned. A label
that several skills share names those whose preferred label it is, else all of them. The
thresholds were tuned on the labelled ESCO set of ``python -m bench --only matching``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process

from .text import content_words, scan, spans

# Tuned on the labelled ESCO set (bench/matching.py): the best F1 of the tuning half.
PHRASE_MIN_SCORE = 80.0
DOCUMENT_MIN_SCORE = 92.0
# A document's word is corrected towards a label word when it is at least this similar (fuzz.ratio).
WORD_MIN_SIMILARITY = 88.0
# Shorter words are never corrected: one letter off in a short word is another word.
WORD_MIN_LENGTH = 5
# The same words as a label in another order: below an exact key, above most fuzzy finds.
REORDERED_SCORE = 95.0
# Labels of up to this many words are found reordered in a document (rotated; a phrase: any label).
REORDERED_MAX_WORDS = 3
# Corrections remembered per index: a document's vocabulary repeats from one posting to the next.
_CORRECTIONS_KEPT = 200_000
# New words scored against the label vocabulary at once (rows of one cdist matrix).
_CORRECTION_BATCH = 64


class Reason(enum.StrEnum):
    """Why a skill was matched."""

    EXACT_LABEL = "exact label"
    ALT_LABEL = "alt label"
    TOKEN_OVERLAP = "token overlap"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """A skill as the index sees it: its id (a URI, a slug), labels and type."""

    id: str
    label: str
    alt_labels: tuple[str, ...] = ()
    type: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A skill a phrase may mean: ``score`` 0-100, ``matched_label`` the label that matched."""

    skill_id: str
    label: str
    matched_label: str
    score: float
    reason: Reason


@dataclass(frozen=True, slots=True)
class Mention:
    """A skill a document mentions: its best mention (the earliest of equals) with its characters
    (``start``, ``end``, ``text``), score and reason, and how many separate mentions there were."""

    skill_id: str
    label: str
    matched_label: str
    score: float
    reason: Reason
    start: int
    end: int
    text: str
    count: int


@dataclass(frozen=True, slots=True)
class _Owner:
    skill: int
    preferred: bool
    label: str


# The token trie is nested dicts, word to child, with the label key ending at a node under _END
# and _REORDERED present when the node is reached by a key's words in another order. Neither can
# be a word. (Dicts, not node objects: 14,000 skills make a few hundred thousand nodes.)
_Trie = dict[str, Any]
_END = "\x00"
_REORDERED = "\x01"


@dataclass(frozen=True, slots=True)
class _Hit:
    first: int  # index of the first content word (in ``scan``'s list)
    last: int  # index one past the last content word
    key: str
    score: float
    reason: Reason | None  # None: exact, the owner's label kind decides


class SkillIndex:
    """Labels of a taxonomy, ready for ``match`` (a phrase) and ``extract`` (a document)."""

    def __init__(self, skills: list[SkillEntry], owners: dict[str, tuple[_Owner, ...]]) -> None:
        self._skills = skills
        self._owners = owners
        self._keys = list(owners)
        self._sorted_keys = [" ".join(sorted(key.split(" "))) for key in self._keys]
        self._trie: _Trie = {}
        self._longest = 0
        vocabulary: set[str] = set()
        reorderable = []
        for key in self._keys:
            words = key.split(" ")
            self._longest = max(self._longest, len(words))
            vocabulary.update(words)
            self._insert(words)[_END] = key
            if 1 < len(words) <= REORDERED_MAX_WORDS:
                reorderable.append((key, words))
        # A document's words in another order than a label's walk the trie too (after every label
        # is in: a label's own order always wins). Two words swap; three rotate, as "analysis of
        # financial data" does "financial data analysis" (every order of three would double the trie).
        for key, words in reorderable:
            for turn in range(1, len(words)):
                node = self._insert(words[turn:] + words[:turn])
                if _END not in node:
                    node[_END] = key
                    node[_REORDERED] = True
        self._vocabulary = frozenset(vocabulary)
        self._words = sorted(vocabulary)
        self._corrections: dict[str, tuple[str, float] | None] = {}

    def _insert(self, words: Iterable[str]) -> _Trie:
        node = self._trie
        for word in words:
            child = node.get(word)
            if child is None:
                child = node[word] = {}
            node = child
        return node

    @classmethod
    def build(cls, entries: Iterable[SkillEntry]) -> SkillIndex:
        """An index of ``entries``; a label whose words are all stop words is left out."""
        skills: list[SkillEntry] = []
        owners: dict[str, list[_Owner]] = {}
        for entry in entries:
            position = len(skills)
            skills.append(entry)
            seen: set[str] = set()
            for label, preferred in ((entry.label, True), *((alt, False) for alt in entry.alt_labels)):
                key = " ".join(content_words(label))
                if key and key not in seen:
                    seen.add(key)
                    owners.setdefault(key, []).append(_Owner(position, preferred, label))
        return cls(skills, {key: tuple(found) for key, found in owners.items()})

    def __len__(self) -> int:
        return len(self._skills)

    @property
    def label_count(self) -> int:
        """Distinct normalised labels (preferred and alternative) in the index."""
        return len(self._keys)

    @property
    def longest_label(self) -> int:
        """Words in the longest normalised label: the longest phrase ``extract`` can find."""
        return self._longest

    # -- a phrase ---------------------------------------------------------------------------

    def match(self, text: str, limit: int = 5, *, min_score: float = PHRASE_MIN_SCORE) -> list[Candidate]:
        """Up to ``limit`` skills ``text`` may mean, best first, each scoring at least ``min_score``."""
        words = content_words(text)
        if not words or limit < 1:
            return []
        key = " ".join(words)
        best: dict[int, Candidate] = {}
        for owner in self._owners.get(key, ()):
            reason = Reason.EXACT_LABEL if owner.preferred else Reason.ALT_LABEL
            self._keep(best, owner, 100.0, reason)
        # token_sort_ratio, with every key's words sorted once at build time rather than per call.
        in_order = " ".join(sorted(words))
        wanted = set(words)
        found = process.extract(in_order, self._sorted_keys, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=min_score)
        for sorted_choice, score, position in found:
            choice = self._keys[position]
            if choice == key:
                continue
            if sorted_choice == in_order:  # the same words in another order
                score, reason = REORDERED_SCORE, Reason.TOKEN_OVERLAP
            else:
                # Only an exact key scores 100 (or the same words reordered, 95).
                score = min(float(score), REORDERED_SCORE - 1)
                chosen = set(choice.split(" "))
                reason = Reason.TOKEN_OVERLAP if wanted <= chosen or chosen <= wanted else Reason.FUZZY
            for owner in self._owners[choice]:
                self._keep(best, owner, score, reason)
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.reason != Reason.EXACT_LABEL, c.label))
        return [candidate for candidate in ranked if candidate.score >= min_score][:limit]

    def _keep(self, best: dict[int, Candidate], owner: _Owner, score: float, reason: Reason) -> None:
        current = best.get(owner.skill)
        if current is None or score > current.score:
            skill = self._skills[owner.skill]
            best[owner.skill] = Candidate(skill.id, skill.label, owner.label, score, reason)

    # -- a document -------------------------------------------------------------------------

    def extract(self, document: str, *, min_score: float = DOCUMENT_MIN_SCORE) -> list[Mention]:
        """The skills ``document`` mentions, best first; overlapping finds keep the longest."""
        words, positions = scan(document)
        self._correct_unknown(words)
        hits = self._walk(words, min_score)
        if not hits:
            return []
        hits.sort(key=lambda hit: (hit.first - hit.last, -hit.score, hit.first))
        where = spans(document)
        taken = bytearray(len(words))
        mentions: dict[int, Mention] = {}
        for hit in hits:
            if any(taken[hit.first : hit.last]):
                continue
            taken[hit.first : hit.last] = b"\x01" * (hit.last - hit.first)
            start, end = where[positions[hit.first]][0], where[positions[hit.last - 1]][1]
            for owner in self._chosen_owners(hit.key):
                seen = mentions.get(owner.skill)
                count = 1 if seen is None else seen.count + 1
                if seen is not None and (seen.score, -seen.start) >= (hit.score, -start):
                    mentions[owner.skill] = replace(seen, count=count)
                    continue
                reason = hit.reason or (Reason.EXACT_LABEL if owner.preferred else Reason.ALT_LABEL)
                skill = self._skills[owner.skill]
                mentions[owner.skill] = Mention(
                    skill.id, skill.label, owner.label, hit.score, reason, start, end, document[start:end], count
                )
        return sorted(mentions.values(), key=lambda m: (-m.score, m.start))

    def _chosen_owners(self, key: str) -> tuple[_Owner, ...]:
        """The skills a found label stands for: those whose preferred label it is, when there are any
        (an alternative label shared with other skills names them less surely), else all of them."""
        owners = self._owners[key]
        if len(owners) == 1:
            return owners
        preferred = tuple(owner for owner in owners if owner.preferred)
        return preferred or owners

    def _walk(self, words: list[str], min_score: float) -> list[_Hit]:
        """Every label (or reordered label) found in ``words`` (``scan``'s), from each position on."""
        hits: list[_Hit] = []
        root = self._trie
        corrections = self._corrections
        count = len(words)
        for first in range(count):
            node = root.get(words[first])
            missing = 0.0  # points lost to corrected words so far
            if node is None:
                corrected = corrections.get(words[first])
                if corrected is None:
                    continue
                node = root.get(corrected[0])
                if node is None:
                    continue
                missing = 100.0 - corrected[1]
            position = first + 1
            while True:
                key = node.get(_END)
                if key is not None:
                    reason: Reason | None
                    if _REORDERED in node:
                        score, reason = REORDERED_SCORE - missing / (position - first), Reason.TOKEN_OVERLAP
                    else:
                        score = 100.0 - missing / (position - first)
                        reason = Reason.FUZZY if missing else None
                    if score >= min_score:
                        hits.append(_Hit(first, position, key, score, reason))
                if position == count:
                    break
                word = words[position]
                if not word:  # a phrase boundary
                    break
                child = node.get(word)
                if child is None:
                    corrected = corrections.get(word)
                    if corrected is not None:
                        child = node.get(corrected[0])
                        missing += 100.0 - corrected[1]
                if child is None:
                    break
                node = child
                position += 1
        return hits

    def _correct_unknown(self, words: list[str]) -> None:
        """Remember, for each word of ``words`` outside the label vocabulary not seen before, the
        label word it is a typo of and how similar they are (fuzz.ratio), or None. All of a
        document's new words are scored in one batch (``cdist``), many times faster than one by one."""
        corrections = self._corrections
        vocabulary = self._vocabulary
        new = {word for word in words if word not in vocabulary and word not in corrections}
        if not new:
            return
        # Imported here, not with the module: every Django process imports this one (catalog's
        # selectors name its types) and numpy's ~18 MB would be carried, and copied into each
        # forked cohort signing worker, by processes that never match a word.
        import numpy as np

        if len(corrections) + len(new) > _CORRECTIONS_KEPT:
            corrections.clear()
        wanted = []
        for word in new:
            # No label words at all (an empty taxonomy): nothing to correct to, and cdist of nothing
            # has no best column.
            if self._words and len(word) >= WORD_MIN_LENGTH and word.isalpha():
                wanted.append(word)
            else:
                corrections[word] = None
        for first in range(0, len(wanted), _CORRECTION_BATCH):
            batch = wanted[first : first + _CORRECTION_BATCH]
            scores = process.cdist(
                batch, self._words, scorer=fuzz.ratio, score_cutoff=WORD_MIN_SIMILARITY, dtype=np.float32, workers=1
            )
            best = scores.argmax(axis=1)
            for row, word in enumerate(batch):
                similarity = float(scores[row, best[row]])
                corrections[word] = (self._words[best[row]], similarity) if similarity >= WORD_MIN_SIMILARITY else None
