"""Which fonts a certificate needs beyond DejaVu, so every learner's name prints (ADR 0050).

DejaVu (bundled, subset to Latin, Greek and Cyrillic) draws most names. A name, title or
signatory in another script falls back, character by character (fpdf2's fallback fonts), to a
Noto font: the small ones are bundled beside DejaVu (``fonts/``); Noto Sans CJK (19 MB) is
fetched at install by ``scripts/fetch-fonts.sh`` into ``var/fonts``. A font is added to a
document only when its text needs it, so a certificate in Latin script is the same bytes as
before, and costs nothing more. Scripts that join or reorder letters (Arabic, Hebrew, the Indic
scripts, Thai) are shaped with HarfBuzz, which also lays right-to-left text out in its order.

No Django here: plain paths and strings in, a :class:`FontChoice` out.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BUNDLED_FONTS = Path(__file__).resolve().parent / "fonts"
CJK_FONT_FILE = "NotoSansCJK-Regular.ttc"  # what scripts/fetch-fonts.sh puts in var/fonts
# The faces of the Noto Sans CJK collection: the same characters, drawn each region's way.
CJK_FACES = {"japanese": 0, "korean": 1, "simplified-chinese": 2}
FETCH_HINT = "run `make fonts` (scripts/fetch-fonts.sh) to fetch Noto Sans CJK into var/fonts"


@dataclass(frozen=True)
class Typeface:
    family: str  # the name fpdf2 knows it by
    script: str  # what it is for, in words
    regular: Path
    bold: Path | None = None  # without one, bold text falls back to the regular face
    face: int = 0  # the font's index in a collection (.ttc)
    shaped: bool = True  # letters join, reorder or stack: HarfBuzz lays them out


def _bundled(script: str, name: str, *, bold: bool = False) -> Typeface:
    return Typeface(
        family=f"noto-{name.lower()}",
        script=script,
        regular=BUNDLED_FONTS / f"NotoSans{name}-Regular.ttf",
        bold=BUNDLED_FONTS / f"NotoSans{name}-Bold.ttf" if bold else None,
    )


# In the order fpdf2 tries them. Each covers its own script only, so the order matters little.
BUNDLED_TYPEFACES: tuple[Typeface, ...] = (
    _bundled("Arabic", "Arabic", bold=True),
    _bundled("Hebrew", "Hebrew", bold=True),
    _bundled("Devanagari", "Devanagari", bold=True),
    _bundled("Thai", "Thai", bold=True),
    _bundled("Bengali", "Bengali"),
    _bundled("Tamil", "Tamil"),
    _bundled("Telugu", "Telugu"),
    _bundled("Gujarati", "Gujarati"),
    _bundled("Gurmukhi", "Gurmukhi"),
    _bundled("Kannada", "Kannada"),
    _bundled("Malayalam", "Malayalam"),
    _bundled("Georgian", "Georgian"),
    _bundled("Armenian", "Armenian"),
)


def cjk_typeface(fonts_dir: Path, region: str) -> Typeface:
    return Typeface(
        family="noto-cjk",
        script="Chinese, Japanese and Korean",
        regular=fonts_dir / CJK_FONT_FILE,
        face=CJK_FACES[region],
        # Han, kana and Hangul need no shaping: left to right, one glyph a character.
        shaped=False,
    )


@dataclass(frozen=True)
class FontChoice:
    typefaces: tuple[Typeface, ...] = ()  # to add as fallbacks, in this order
    shaping: bool = False  # whether the document needs HarfBuzz (a script in a shaped typeface)
    missing: str = ""  # the characters no font draws, as a log line; "" when every one prints


def choose_fonts(
    texts: Iterable[str], *, base: frozenset[int], fetched_dir: Path | None, document: str = "Certificate"
) -> FontChoice:
    """The fallback typefaces that ``texts`` need beyond the ``base`` font's code points, the
    fetched ones looked for in ``fetched_dir``; ``document`` names what is drawn in the log line.
    The default badge artwork draws with the same choice (``badges/lettering.py``)."""
    needed = sorted({ord(char) for text in texts for char in text if not char.isspace()} - base)
    if not needed:
        return FontChoice()
    candidates = list(BUNDLED_TYPEFACES)
    cjk_file = fetched_dir / CJK_FONT_FILE if fetched_dir else None
    if cjk_file and cjk_file.is_file():
        candidates.append(cjk_typeface(cjk_file.parent, cjk_region(needed)))
    chosen: list[Typeface] = []
    uncovered = set(needed)
    for typeface in candidates:
        covered = uncovered & code_points(typeface.regular, typeface.face)
        if covered:
            chosen.append(typeface)
            uncovered -= covered
    return FontChoice(
        typefaces=tuple(chosen),
        shaping=any(typeface.shaped for typeface in chosen),
        missing=_missing_line(sorted(uncovered), cjk_fetched=bool(cjk_file and cjk_file.is_file()), document=document),
    )


@functools.cache
def code_points(path: Path, face: int = 0) -> frozenset[int]:
    """The characters a font has glyphs for (read once a process: the CJK collection's table
    takes ~0.2 s)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=face, lazy=True) as font:
        return frozenset(font.getBestCmap())


def cjk_region(code_points: Iterable[int]) -> str:
    """Kana say Japanese and Hangul Korean; Han characters alone print in the Simplified Chinese
    forms (a text does not say which language its Han characters are)."""
    points = list(code_points)
    if any(0x3040 <= point <= 0x30FF or 0x31F0 <= point <= 0x31FF for point in points):
        return "japanese"
    if any(0x1100 <= point <= 0x11FF or 0x3130 <= point <= 0x318F or 0xAC00 <= point <= 0xD7AF for point in points):
        return "korean"
    return "simplified-chinese"


def _missing_line(points: list[int], *, cjk_fetched: bool, document: str) -> str:
    if not points:
        return ""
    shown = ", ".join(f"{chr(point)} (U+{point:04X})" for point in points[:8])
    more = f" and {len(points) - 8} more" if len(points) > 8 else ""
    hint = "" if cjk_fetched else f"; for Chinese, Japanese or Korean, {FETCH_HINT}"
    return f"{document}: no font draws {shown}{more}: they print as empty boxes{hint}"
