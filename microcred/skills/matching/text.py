"""Normalising text for matching: the same rules for a taxonomy's labels and for the text matched to them.

A word is a run of letters and digits, keeping what makes technology names differ: inner dots
(``node.js``, ``asp.net``) and trailing ``+``/``#`` (``c++``, ``c#``). Hyphens and slashes split
(``mark-up`` and ``mark up`` meet). Each word is case-folded, stripped of accents and lightly
stemmed (Harman's S-stemmer: ``tables`` → ``table``, ``libraries`` → ``library``; never a word of
three letters or fewer, so ``aws`` and ``ios`` stay). Stop words drop out.

A document is read phrase by phrase: a label is never found across a ``.``, ``,``, ``;``, ``:``,
``!``, ``?``, a line break or a bullet. Extraction is on the hot path of a posting import (1,000
postings a second per core), so a document's words and boundaries come from one ``findall`` and a
dict of normal forms; their character offsets are worked out again only when a skill was found.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*[+#]*")
# A word (group 1), or a phrase boundary (no group).
_SCAN = re.compile(r"([^\W_]+(?:\.[^\W_]+)*[+#]*)|[.,;:!?\n•·|]")

STOP_WORDS = frozenset(
    {
        *("a", "an", "the", "and", "or", "of", "for", "in", "on", "to", "with", "by", "at", "as", "from"),
        *("into", "via", "about", "its", "their", "our", "your", "s", "&", "etc"),
    }
)

# Normal forms already worked out, by raw word: a document's words repeat, within it and across
# documents. Bounded, since documents bring new words forever.
_NORMAL_FORMS: dict[str, str] = {}
_NORMAL_FORMS_KEPT = 500_000


def normal_form(word: str) -> str:
    """The normal form of one raw word: case-folded, without accents, singular."""
    known = _NORMAL_FORMS.get(word)
    if known is not None:
        return known
    folded = unicodedata.normalize("NFKD", word.casefold())
    if not folded.isascii():
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    norm = _singular(folded)
    if len(_NORMAL_FORMS) >= _NORMAL_FORMS_KEPT:
        _NORMAL_FORMS.clear()
    _NORMAL_FORMS[word] = norm
    return norm


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """The normal forms of ``text``'s words, stop words left out: what a label's key is made of."""
    forms = _NORMAL_FORMS
    norms = [forms.get(word) or normal_form(word) for word in _WORD.findall(text)]
    return [norm for norm in norms if norm not in STOP_WORDS]


def normalise(text: str) -> str:
    """The key of a label or phrase: its content words joined by single spaces."""
    return " ".join(content_words(text))


def scan(text: str) -> tuple[list[str], list[int]]:
    """The normal forms of ``text``'s content words in order, with ``""`` at each phrase boundary,
    and where each of them is among all of ``text``'s words and boundaries (for ``spans``)."""
    forms = _NORMAL_FORMS
    norms = [(forms.get(word) or normal_form(word)) if word else "" for word in _SCAN.findall(text)]
    kept = [at for at, norm in enumerate(norms) if norm not in STOP_WORDS]
    return [norms[at] for at in kept], kept


def spans(text: str) -> list[tuple[int, int]]:
    """The character span of each of ``text``'s words and boundaries (indexed as ``scan`` says)."""
    return [found.span() for found in _SCAN.finditer(text)]
