"""Every learner's name prints on their certificate (ADR 0050): in Chinese, Japanese, Korean,
Arabic, Hebrew, Devanagari, Thai and other scripts DejaVu lacks, in the right order and shaped.

Each PDF is read back the way a person's reader does (PDFium, through pypdfium2): which font
draws each character of the name, where it lands and what the pixels there look like, and the
embedded font subsets are opened with fontTools. fpdf2 itself logs "missing the following glyphs"
for every character it could only draw as the empty .notdef box; none may be logged."""

from __future__ import annotations

import ctypes
import io
import logging
import unicodedata
from dataclasses import dataclass, replace

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from microcred.accounts.services import profile_update
from microcred.core.clock import now
from microcred.credentials.certificates.content import certificate_content
from microcred.credentials.certificates.layout import CertificateContent, Signatory, render_certificate
from microcred.credentials.models import Credential

from .conftest import complete
from .test_certificate import holder_pdf

pytestmark = pytest.mark.django_db
SCALE = 4  # pixels per point

BUNDLED_SCRIPTS = {
    "arabic": "محمد عبد الله",
    "hebrew": "יעל כהן",
    "devanagari": "प्रिया शर्मा",
    "thai": "สมชาย ใจดี",
    "bengali": "প্রিয়াঙ্কা দাস",
    "tamil": "தமிழ்செல்வி",
}
CJK = {"chinese": "王芳", "japanese": "山田さくら", "korean": "김민준"}


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


@pytest.fixture
def content(world, issued) -> CertificateContent:
    return certificate_content(credential=issued, viewer=world.learner, now=now())


@dataclass(frozen=True)
class DrawnCharacter:
    char: str
    font: str
    box: tuple[float, float, float, float]  # left, bottom, right, top in points


def drawn(pdf: bytes, text: str) -> list[DrawnCharacter]:
    """The characters of ``text`` as PDFium finds them on page 1, with their font and box."""
    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    wanted = set(text) - {" "}
    found = []
    buffer = ctypes.create_string_buffer(256)
    for index in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        if char not in wanted:
            continue
        length = pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, len(buffer), None)
        font = buffer.raw[: max(length - 1, 0)].decode("utf-8", "replace")
        found.append(DrawnCharacter(char, font, textpage.get_charbox(index)))
    return found


def extracted(pdf: bytes) -> str:
    """Page 1's text as PDFium extracts it (logical order), without the control characters fpdf2
    leaves for the second glyph of a shaped cluster (it maps the cluster's text to its first)."""
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    return "".join(char for char in text if unicodedata.category(char) != "Cc" or char in "\r\n")


def embedded_fonts(pdf: bytes) -> dict[str, bytes]:
    """Each font on page 1 by its base name (subset prefix dropped): the embedded program."""
    fonts = {}
    for font in pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = program.get_object().get_data()
    return fonts


def glyph_image(page: Image.Image, box: tuple[float, float, float, float], page_height: float) -> Image.Image:
    left, bottom, right, top = box
    return page.crop(
        (
            int(left * SCALE),
            int((page_height - top) * SCALE),
            int(right * SCALE) + 1,
            int((page_height - bottom) * SCALE) + 1,
        )
    )


def render(content: CertificateContent, caplog, fonts=None, **changes) -> bytes:
    caplog.set_level(logging.WARNING)
    pdf = render_certificate(replace(content, **changes), paper="a4", fetched_fonts=fonts)
    missing = [
        record.getMessage() for record in caplog.records if "missing the following glyphs" in record.getMessage()
    ]
    assert not missing, missing
    assert not [record for record in caplog.records if "no font draws" in record.getMessage()]
    return pdf


def assert_printed(pdf: bytes, name: str) -> None:
    assert name in extracted(pdf)
    characters = drawn(pdf, name)
    assert {item.char for item in characters} == set(name) - {" "}
    # Drawn by a Noto font (and fpdf2 logged no missing glyph: see render), not DejaVu's .notdef.
    assert all("Noto" in item.font for item in characters), {(item.char, item.font) for item in characters}


@pytest.mark.parametrize("script", BUNDLED_SCRIPTS)
def test_a_name_in_a_bundled_script_prints_in_a_font_that_has_it(content, caplog, script):
    name = BUNDLED_SCRIPTS[script]
    pdf = render(content, caplog, learner_name=name)
    assert_printed(pdf, name)
    assert len(pdf) < 80_000  # subset: the fonts are 15-150 KB whole


@pytest.mark.parametrize("script", CJK)
def test_a_cjk_name_prints_in_the_fetched_font_and_each_character_is_its_own_glyph(content, caplog, cjk_fonts, script):
    name = CJK[script]
    pdf = render(content, caplog, cjk_fonts, learner_name=name)
    assert_printed(pdf, name)
    # .notdef is one box for every character: distinct characters must look distinct, and inked.
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=SCALE).to_pil().convert("L")
    glyphs = {item.char: glyph_image(image, item.box, page.get_height()) for item in drawn(pdf, name)}
    for char, glyph in glyphs.items():
        assert glyph.getextrema()[0] < 100, f"{char} left no ink"
    pictures = list(glyphs.values())
    for index, first in enumerate(pictures):
        for second in pictures[index + 1 :]:
            same_size = first.size == second.size
            assert not same_size or ImageChops.difference(first, second).getbbox() is not None
    # A subset of a 19 MB collection: a few glyphs, not the font.
    assert len(pdf) < 80_000


def test_japanese_kana_pick_the_japanese_face_and_hangul_the_korean_one(content, caplog, cjk_fonts):
    japanese = embedded_fonts(render(content, caplog, cjk_fonts, learner_name=CJK["japanese"]))
    korean = embedded_fonts(render(content, caplog, cjk_fonts, learner_name=CJK["korean"]))
    chinese = embedded_fonts(render(content, caplog, cjk_fonts, learner_name=CJK["chinese"]))
    assert "NotoSansCJKJP" in japanese and "NotoSansCJKKR" in korean and "NotoSansCJKSC" in chinese


@pytest.mark.parametrize("name", ["יעל כהן", "سمير خالد"])
def test_a_right_to_left_name_runs_from_right_to_left(content, caplog, name):
    # Names without a repeated letter, so a letter's box says where it went.
    pdf = render(content, caplog, learner_name=name)
    left_of = {item.char: item.box[0] for item in drawn(pdf, name)}
    first, last = name.split()
    # In reading order each letter sits left of the one before it...
    positions = [left_of[char] for char in first]
    assert positions == sorted(positions, reverse=True), list(zip(first, positions, strict=True))
    # ...and the first word (the given name) is the rightmost.
    assert min(left_of[char] for char in first) > max(left_of[char] for char in last if char not in first)


def test_arabic_letters_are_joined_and_devanagari_clusters_formed(content, caplog):
    arabic = embedded_fonts(render(content, caplog, learner_name="محمد"))["NotoSansArabicBold"]
    drawn_forms = set(TTFont(io.BytesIO(arabic)).getBestCmap())
    # محمد joined: meem initial, hah medial, meem medial, dal final (Unicode's presentation forms).
    assert {0xFEE3, 0xFEA4, 0xFEE4, 0xFEAA} <= drawn_forms
    assert not {0x0645, 0x062D, 0x062F} & drawn_forms  # no isolated letter was drawn

    devanagari = TTFont(
        io.BytesIO(embedded_fonts(render(content, caplog, learner_name="प्रिया"))["NotoSansDevanagariBold"])
    )
    # प्रि is one conjunct glyph with the vowel sign before it: glyphs no character maps to.
    unmapped = set(devanagari.getGlyphOrder()) - set(devanagari.getBestCmap().values()) - {".notdef"}
    assert unmapped


def test_every_printed_field_falls_back_not_only_the_name(content, caplog, cjk_fonts):
    pdf = render(
        content,
        caplog,
        cjk_fonts,
        achievement_name="تحليل البيانات",
        issuer_name="מכללת תל אביב",
        facts=(("Level", "ระดับ 5"),),
        design=replace(content.design, signatories=(Signatory("佐藤 ひろし", "학장"),)),
    )
    text = extracted(pdf)
    for printed in ("تحليل البيانات", "מכללת תל אביב", "ระดับ 5", "佐藤 ひろし", "학장"):
        assert printed in text


def test_a_latin_certificate_embeds_dejavu_alone(content, caplog, cjk_fonts):
    pdf = render(content, caplog, cjk_fonts, learner_name="Łucja Dvořák-Ελένη")
    assert set(embedded_fonts(pdf)) == {"DejaVuSansBook", "DejaVuSansBold"}
    assert "Łucja Dvořák-Ελένη" in extracted(pdf)


def test_without_the_fetched_font_a_cjk_name_still_renders_and_the_log_says_why(content, caplog, tmp_path):
    caplog.set_level(logging.WARNING)
    pdf = render_certificate(replace(content, learner_name="王芳"), paper="a4", fetched_fonts=tmp_path)
    assert pdf.startswith(b"%PDF-")
    ours = [record.getMessage() for record in caplog.records if "no font draws" in record.getMessage()]
    assert len(ours) == 1 and "\n" not in ours[0]
    assert "王 (U+738B)" in ours[0] and "make fonts" in ours[0]


def test_the_holder_downloads_a_certificate_with_their_name_in_their_script(world, issued, caplog):
    profile_update(actor=world.learner, user=world.learner, full_name="יעל כהן")
    caplog.set_level(logging.WARNING)
    pdf = holder_pdf(world, issued)
    assert not [record for record in caplog.records if "missing the following glyphs" in record.getMessage()]
    assert_printed(pdf, "יעל כהן")
