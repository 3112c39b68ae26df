"""Text of the default badge in any script: which font draws each character, in which order and
direction, measured and drawn with Pillow (ADR 0044, amended for ADR 0050's fonts).

The fonts and the choice of font per script are the certificates' (``certificates/
fallback_fonts.py``): DejaVu first, then the bundled Noto fonts and the fetched Noto Sans CJK.
Pillow has no font fallback, so a line is cut into runs of one font and one direction: the
Unicode bidirectional algorithm (fpdf2's, the one the certificates run) orders the runs, and
Pillow's Raqm layout (HarfBuzz and FriBiDi) shapes each run, right to left where it says so. A
line DejaVu draws alone takes the same single call as before ADR 0050, so Latin badges keep
their bytes.

No Django here.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..certificates.fallback_fonts import (
    BUNDLED_FONTS,
    CJK_FACES,
    Typeface,
    choose_fonts,
    cjk_region,
    code_points,
)

if TYPE_CHECKING:  # Pillow loads when a badge is drawn, not with every process
    from PIL import ImageDraw, ImageFont

logger = logging.getLogger(__name__)

REGULAR = BUNDLED_FONTS / "DejaVuSans.ttf"
BOLD = BUNDLED_FONTS / "DejaVuSans-Bold.ttf"
BASE_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"  # the SVG's, for the scripts DejaVu draws
# What the CJK face says about the text's language: the same guess as the face itself (kana say
# Japanese, Hangul Korean, Han alone prints in Simplified Chinese forms).
CJK_LANGUAGES = {"japanese": "ja", "korean": "ko", "simplified-chinese": "zh-Hans"}
_CJK_FAMILIES = {"japanese": "Noto Sans CJK JP", "korean": "Noto Sans CJK KR", "simplified-chinese": "Noto Sans CJK SC"}
# ISO 15924 codes of the bundled typefaces' scripts, for the SVG's ``xml:lang="und-Arab"``: the
# script is known, the language is not (Arabic script writes Persian and Urdu too).
_SCRIPT_CODES = {
    "Arabic": "Arab",
    "Hebrew": "Hebr",
    "Devanagari": "Deva",
    "Thai": "Thai",
    "Bengali": "Beng",
    "Tamil": "Taml",
    "Telugu": "Telu",
    "Gujarati": "Gujr",
    "Gurmukhi": "Guru",
    "Kannada": "Knda",
    "Malayalam": "Mlym",
    "Georgian": "Geor",
    "Armenian": "Armn",
}
_VIRAMA = 9  # canonical combining class of the Indic viramas, which join the next consonant
_ZWJ = "\u200d"  # joins the letters on either side


@lru_cache(maxsize=1)
def has_raqm() -> bool:
    """Whether Pillow lays text out with Raqm. Its wheels carry Raqm and HarfBuzz but load
    FriBiDi from the system (Debian's ``libfribidi0``); without it, Pillow's basic layout."""
    from PIL import features

    return bool(features.check_feature("raqm"))


@lru_cache(maxsize=64)
def font(path: Path, size: int, face: int = 0) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if has_raqm() else ImageFont.Layout.BASIC  # Pillow's own default
    return ImageFont.truetype(str(path), size, index=face, layout_engine=engine)


@lru_cache(maxsize=1)
def base_code_points() -> frozenset[int]:
    return code_points(REGULAR)  # the bold face has the same characters


def is_plain(text: str) -> bool:
    """Whether DejaVu draws all of ``text`` on its own."""
    base = base_code_points()
    return all(ord(char) in base for char in text)


@dataclass(frozen=True)
class Run:
    text: str  # in logical order, for Raqm
    visual: str  # in display order, for Pillow's basic layout (no Raqm)
    path: Path
    face: int
    direction: str  # "ltr" or "rtl", as Raqm takes it
    language: str | None  # a hint for Raqm's localised forms, only where the face implies one

    def layout(self) -> tuple[str, str | None, str | None]:
        """The text to give Pillow, its direction and its language."""
        if has_raqm():
            return self.text, self.direction, self.language
        return self.visual, None, None  # Pillow's basic layout refuses either


class Lettering:
    """The fonts for one badge's strings: DejaVu, then the fallback typefaces those strings need,
    chosen once for all of them as a certificate chooses them."""

    def __init__(self, texts: Iterable[str], *, fetched_fonts: Path | None) -> None:
        texts = [text for text in texts if not is_plain(text)]
        self.typefaces: tuple[Typeface, ...] = ()
        if texts:
            choice = choose_fonts(texts, base=base_code_points(), fetched_dir=fetched_fonts, document="Badge")
            if choice.missing:
                logger.warning(choice.missing)
            self.typefaces = choice.typefaces
            if not has_raqm():
                logger.warning(
                    "Badge: Pillow has no Raqm layout (install libfribidi0): right-to-left text is "
                    "reordered but letters are not joined or shaped"
                )

    def width(self, text: str, *, bold: bool, size: int) -> float:
        if is_plain(text):
            return float(font(BOLD if bold else REGULAR, size).getlength(text))
        return sum(self._run_width(run, size) for run in self.runs(text, bold=bold))

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        centre: float,
        baseline: float,
        text: str,
        *,
        bold: bool,
        size: int,
        fill: tuple[int, int, int],
    ) -> None:
        """``text`` centred on ``centre``, sitting on ``baseline`` (pixels)."""
        if is_plain(text):
            draw.text((centre, baseline), text, font=font(BOLD if bold else REGULAR, size), fill=fill, anchor="ms")
            return
        runs = self.runs(text, bold=bold)
        x = centre - sum(self._run_width(run, size) for run in runs) / 2
        for run in runs:
            value, direction, language = run.layout()
            run_font = font(run.path, size, run.face)
            # Every run on the same baseline, whatever its font's ascent.
            draw.text(
                (x, baseline), value, font=run_font, fill=fill, anchor="ls", direction=direction, language=language
            )
            x += self._run_width(run, size)

    def runs(self, text: str, *, bold: bool) -> list[Run]:
        """``text`` as runs of one font and one direction, left to right as they are drawn."""
        from fpdf.bidi import BidiParagraph

        fonts = self._fonts_by_character(text, bold=bold)
        runs: list[Run] = []
        group: list[int] = []
        group_level = 0
        # Joiners (class BN) kept: they decide how Arabic and Indic letters join.
        for character in BidiParagraph(text, preserve_bn_chars=True).get_reordered_characters():
            index, level = character.character_index, character.embedding_level
            if group and (fonts[index] != fonts[group[-1]] or level != group_level):
                runs.append(self._run(text, group, fonts, rtl=group_level % 2 == 1))
                group = []
            group.append(index)
            group_level = level
        if group:
            runs.append(self._run(text, group, fonts, rtl=group_level % 2 == 1))
        return runs

    def _run(self, text: str, group: list[int], fonts: list[tuple[Path, int, str | None]], *, rtl: bool) -> Run:
        # The algorithm gives a right-to-left run in display order; Raqm wants it logical.
        logical = sorted(group)
        path, face, language = fonts[group[0]]
        return Run(
            text="".join(text[index] for index in logical),
            visual="".join(text[index] for index in group),
            path=path,
            face=face,
            direction="rtl" if rtl else "ltr",
            language=language,
        )

    def _fonts_by_character(self, text: str, *, bold: bool) -> list[tuple[Path, int, str | None]]:
        base = base_code_points()
        dejavu: tuple[Path, int, str | None] = (BOLD if bold else REGULAR, 0, None)
        chosen: list[tuple[Path, int, str | None]] = []
        previous: Typeface | None = None
        for char in text:
            point = ord(char)
            typeface = None
            # A mark or joiner stays with the letter it belongs to, so the run shapes as one.
            if previous and _attaches(char) and point in code_points(previous.regular, previous.face):
                typeface = previous
            elif point not in base:
                typeface = next(
                    (each for each in self.typefaces if point in code_points(each.regular, each.face)), None
                )
            previous = typeface
            if typeface is None:
                chosen.append(dejavu)  # DejaVu's, or an empty box when no font has it (logged)
            else:
                path = typeface.bold if bold and typeface.bold else typeface.regular
                chosen.append((path, typeface.face, _language(typeface)))
        return chosen

    @staticmethod
    def _run_width(run: Run, size: int) -> float:
        value, direction, language = run.layout()
        return float(font(run.path, size, run.face).getlength(value, direction=direction, language=language))


def _attaches(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")


def _language(typeface: Typeface) -> str | None:
    if typeface.family != "noto-cjk":
        return None  # the script's default forms: the text does not say its language
    region = next(name for name, face in CJK_FACES.items() if face == typeface.face)
    return CJK_LANGUAGES[region]


def can_break(text: str, index: int) -> bool:
    """Whether a word too long for a line may be split before ``text[index]``: never inside a
    cluster (a letter and its marks, a consonant joined by a virama or a joiner)."""
    if not 0 < index < len(text):
        return False
    char, before = text[index], text[index - 1]
    return not (_attaches(char) or before == _ZWJ or unicodedata.combining(before) == _VIRAMA)


def without_last_cluster(text: str) -> str:
    cut = len(text) - 1
    while cut > 0 and not can_break(text, cut):
        cut -= 1
    return text[:cut]


@dataclass(frozen=True)
class SvgText:
    """What an SVG ``<text>`` says about its characters, for the viewer's fonts to draw them."""

    language: str | None = None
    rtl: bool = False
    font_family: str = BASE_FAMILY

    def attributes(self) -> str:
        parts = []
        if self.language:
            parts.append(f'xml:lang="{self.language}"')
        if self.rtl:
            parts.append('direction="rtl"')
        if self.font_family != BASE_FAMILY:
            parts.append(f'font-family="{self.font_family}"')
        return "".join(f" {part}" for part in parts)


def svg_text(text: str) -> SvgText:
    """The language, direction and font list of a string drawn by the viewer. DejaVu's scripts
    keep the badge's own list (and the SVG its bytes); another script puts the Noto family the
    PNG draws it with first, and says its script, or for CJK its language, as the PNG guesses it.
    The same on every server: the fetched CJK font is not looked for."""
    from fpdf.bidi import TextDirection, auto_detect_base_direction

    if is_plain(text):
        return SvgText()
    choice = choose_fonts([text], base=base_code_points(), fetched_dir=None, document="Badge")
    families = [f"Noto Sans {typeface.script}" for typeface in choice.typefaces]
    scripts = [_SCRIPT_CODES[typeface.script] for typeface in choice.typefaces]
    han = [ord(char) for char in text if _is_cjk(char)]
    if han:
        region = cjk_region(han)
        families.append(_CJK_FAMILIES[region])
    if han and not scripts:
        language: str | None = CJK_LANGUAGES[region]
    elif len(scripts) == 1 and not han:
        language = f"und-{scripts[0]}"
    else:
        language = None  # several scripts: no one tag is true of the whole string
    return SvgText(
        language=language,
        rtl=auto_detect_base_direction(text) == TextDirection.RTL,
        font_family=", ".join([*families, BASE_FAMILY]),
    )


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "FULLWIDTH"))
