"""Template sources: mistakes Django does not report but prints on the page."""

from __future__ import annotations

import re
from pathlib import Path

import microcred

ROOT = Path(microcred.__file__).parent
# Django's {# #} comment ends on its own line: one that runs over several is printed as text
# (a credential page once showed its own comment above the header). {% comment %} spans lines.
UNCLOSED_SHORT_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.M)


def test_no_template_has_a_short_comment_over_several_lines():
    offenders = [
        f"{path.relative_to(ROOT)}:{source[: match.start()].count(chr(10)) + 1}"
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        for source in [path.read_text(encoding="utf-8")]
        for match in UNCLOSED_SHORT_COMMENT.finditer(source)
    ]
    assert offenders == [], "use {% comment %} for comments over several lines: " + ", ".join(offenders)


def test_the_check_finds_an_unclosed_comment():
    assert UNCLOSED_SHORT_COMMENT.search("<p>{# a comment that\n goes on #}</p>")
    assert not UNCLOSED_SHORT_COMMENT.search("<p>{# one line #}</p>\n{% comment %}\nmany\n{% endcomment %}")
