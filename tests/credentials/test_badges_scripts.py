"""The default badge draws titles and providers in every script the certificates print (ADR 0044,
amended by ADR 0050): the same fallback fonts, chosen the same way; right to left where the
script says so; wrapped between clusters; and the SVG says its language, direction and fonts.

"Not boxes" is checked twice: every character is drawn by a font whose character map has it
(read with fontTools), and two different names of the same length draw different pixels (empty
boxes all look alike: without the CJK font two Chinese names draw the same pixels)."""

from __future__ import annotations

import io
import logging
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from microcred.credentials.badges.artwork import (
    PNG_SCALE,
    TITLE_MAX_WIDTH,
    badge_layout,
    default_badge_png,
    default_badge_svg,
    wrap_title,
)
from microcred.credentials.badges.lettering import Lettering, can_break, without_last_cluster
from microcred.credentials.certificates.fallback_fonts import CJK_FONT_FILE

BADGE = {"colour": "#0f766e", "eqf_level": 5}
SVG = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Two titles of one script with as many characters each, and a provider in it.
BUNDLED = {
    "arabic": ("مقدمة في البيانات", "أساسيات البرمجة", "جامعة القاهرة"),
    "hebrew": ("מבוא למדעי המחשב", "יסודות התכנות", "האוניברסיטה העברית"),
    "devanagari": ("कृत्रिम बुद्धिमत्ता", "डेटा विज्ञान परिचय", "भारतीय प्रौद्योगिकी संस्थान"),
    "thai": ("การเขียนโปรแกรม", "วิทยาศาสตร์ข้อมูล", "มหาวิทยาลัยมหิดล"),
}
CJK = {
    "chinese": ("数据分析基础", "机器学习入门", "北京大学"),
    "japanese": ("データ分析入門", "プログラミング", "東京大学"),
    "korean": ("데이터 과학 입문", "프로그래밍 기초", "서울대학교"),
}


def title_pixels(png: bytes) -> bytes:
    """The band of the badge where the title sits (SVG units 90..140), as raw pixels."""
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGBA").crop((0, 90 * PNG_SCALE, 240 * PNG_SCALE, 140 * PNG_SCALE)).tobytes()


def drawn_by_fonts_that_have_them(lettering: Lettering, text: str, *, bold: bool) -> None:
    for run in lettering.runs(text, bold=bold):
        with TTFont(run.path, fontNumber=run.face, lazy=True) as font:
            cmap = font.getBestCmap()
        missing = [char for char in run.text if ord(char) not in cmap and not char.isspace()]
        assert not missing, f"{run.path.name} has no glyph for {missing}"


def check_script(names: tuple[str, str, str], fetched) -> None:
    first, second, provider = names
    layout = badge_layout(title=first, provider=provider, fetched_fonts=fetched, **BADGE)
    for line in layout.title_lines:
        drawn_by_fonts_that_have_them(layout.lettering, line, bold=True)
    drawn_by_fonts_that_have_them(layout.lettering, layout.provider, bold=False)
    one = default_badge_png(title=first, provider=provider, fetched_fonts=fetched, **BADGE)
    other = default_badge_png(title=second, provider=provider, fetched_fonts=fetched, **BADGE)
    assert title_pixels(one) != title_pixels(other)


@pytest.mark.parametrize("script", BUNDLED)
def test_a_title_in_a_bundled_script_is_drawn_in_glyphs_not_boxes(script, caplog):
    with caplog.at_level(logging.WARNING):
        check_script(BUNDLED[script], fetched=None)
    assert not caplog.records


@pytest.mark.parametrize("script", CJK)
def test_a_cjk_title_is_drawn_with_the_fetched_font(script, cjk_fonts, caplog):
    with caplog.at_level(logging.WARNING):
        check_script(CJK[script], fetched=cjk_fonts)
    assert not caplog.records


def test_the_cjk_face_follows_the_certificates_choice(cjk_fonts):
    def faces(title: str) -> set[int]:
        layout = badge_layout(title=title, provider="Example Academy", fetched_fonts=cjk_fonts, **BADGE)
        return {run.face for run in layout.lettering.runs(title, bold=True) if run.path.name == CJK_FONT_FILE}

    # Kana: the Japanese face (0); Hangul: the Korean one (1); Han alone: Simplified Chinese (2).
    assert faces("データ分析") == {0}
    assert faces("데이터 과학") == {1}
    assert faces("数据分析") == {2}


def test_without_the_cjk_font_a_badge_still_draws_and_one_line_says_why(caplog):
    first, second, provider = CJK["chinese"]
    default_badge_png.cache_clear()
    with caplog.at_level(logging.WARNING):
        one = default_badge_png(title=first, provider=provider, fetched_fonts=None, **BADGE)
        other = default_badge_png(title=second, provider=provider, fetched_fonts=None, **BADGE)
    # Boxes: two different names of six characters draw the same pixels (what the checks above rule out).
    assert title_pixels(one) == title_pixels(other)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and all("make fonts" in line and line.startswith("Badge:") for line in lines)


def test_right_to_left_text_runs_right_to_left_and_latin_inside_it_left_to_right():
    title = "מבוא ל-Python 3"
    lettering = Lettering([title], fetched_fonts=None)
    runs = lettering.runs(title, bold=True)
    # Drawn left to right: the embedded Latin first, the Hebrew that starts the title last.
    hebrew = [run for run in runs if run.path.name.startswith("NotoSansHebrew")]
    latin = [run for run in runs if run.text.strip() and run.path.name.startswith("DejaVu")]
    assert hebrew[-1] is runs[-1] and hebrew[-1].text == "מבוא" and hebrew[-1].direction == "rtl"
    assert latin[0].text.startswith("Python") and latin[0].direction == "ltr"
    assert runs.index(latin[0]) < runs.index(hebrew[0])


def test_a_latin_only_line_is_one_call_as_before():
    lettering = Lettering(["Data Basics"], fetched_fonts=None)
    assert lettering.typefaces == ()
    (run,) = lettering.runs("Data Basics", bold=True)
    assert run.path.name == "DejaVuSans-Bold.ttf" and run.direction == "ltr"


def test_text_without_spaces_wraps_between_clusters_within_the_line(cjk_fonts):
    lettering = Lettering(["数据分析" * 6], fetched_fonts=cjk_fonts)
    lines = wrap_title("数据分析" * 4, lettering=lettering)
    assert len(lines) > 1 and "".join(lines) == "数据分析" * 4
    assert all(lettering.width(line, bold=True, size=18) <= TITLE_MAX_WIDTH for line in lines)

    thai = "การเขียนโปรแกรมคอมพิวเตอร์สำหรับผู้เริ่มต้น"
    lines = wrap_title(thai, lettering=Lettering([thai], fetched_fonts=None))
    assert len(lines) > 1 and "".join(lines) == thai
    for line in lines[1:]:
        # A line never starts with a vowel sign or tone mark torn from its consonant.
        assert not unicodedata.category(line[0]).startswith("M"), line


def test_a_too_long_title_ends_with_an_ellipsis_at_a_cluster_boundary():
    title = "कृत्रिम बुद्धिमत्ता " * 6
    lettering = Lettering([title], fetched_fonts=None)
    lines = wrap_title(title, lettering=lettering)
    assert lines[-1].endswith("…")
    assert lines[-1][-2] != "\u094d"  # not a virama left dangling, joined to nothing
    assert all(lettering.width(line, bold=True, size=18) <= TITLE_MAX_WIDTH for line in lines)


def test_the_svg_says_the_language_direction_and_fonts_of_its_text():
    svg = default_badge_svg(title="مقدمة في البيانات", provider="東京大学", fetched_fonts=None, **BADGE)
    root = ET.fromstring(svg)
    texts = {element.text: element for element in root.iter(f"{SVG}text")}
    title_lines = [
        element for element in texts.values() if element.get("font-weight") == "700" and element.text != "EQF LEVEL 5"
    ]
    assert title_lines
    for line in title_lines:
        assert line.get("direction") == "rtl" and line.get(XML_LANG) == "und-Arab"
        assert line.get("font-family").startswith("Noto Sans Arabic, DejaVu Sans")
    provider = texts["東京大学"]
    assert provider.get(XML_LANG) == "zh-Hans" and provider.get("direction") is None
    assert provider.get("font-family").startswith("Noto Sans CJK SC")

    japanese = ET.fromstring(default_badge_svg(title="データ分析入門", provider="x", **BADGE))
    (title,) = [element for element in japanese.iter(f"{SVG}text") if element.text == "データ分析入門"]
    assert title.get(XML_LANG) == "ja" and title.get("font-family").startswith("Noto Sans CJK JP")


def test_a_latin_svg_declares_nothing_new():
    svg = default_badge_svg(title="Data Basics", provider="Example Academy", **BADGE)
    assert "xml:lang" not in svg and "direction" not in svg and "Noto" not in svg


def test_clusters_are_never_torn_apart():
    # प्रि is one cluster (प, virama, र, vowel sign i): nothing in it is a place to break.
    assert [index for index in range(1, 4) if can_break("प्रि", index)] == []
    assert without_last_cluster("नमस्ते") == "नम"  # स्ते goes whole, not its vowel sign alone
    assert without_last_cluster("ผู้ใหญ่") == "ผู้ให"  # ญ่: the tone mark goes with its consonant
    assert can_break("विद्यालय", 2)  # after a vowel sign, before the next consonant
    assert without_last_cluster("Basics") == "Basic"
