"""Draw a certificate: one landscape page, A4 or Letter, with the signed credential attached.

No Django here: :func:`render_certificate` takes plain data (``CertificateContent``) and returns
the PDF's bytes, so the layout is tested and benchmarked without a database (ADR 0043).

What a verifier checks is the attachment, never the page: ``credential.json`` (the signed
document, ``AFRelationship /Data``: the page is drawn from it) and ``credential.jwt`` (the same
credential as a VC-JWT, ``/Alternative``). ``microcred verify certificate.pdf`` reads the former.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .fallback_fonts import BUNDLED_FONTS, choose_fonts

if TYPE_CHECKING:
    from fpdf import FPDF

Paper = Literal["a4", "letter"]
PAPERS: tuple[Paper, ...] = ("a4", "letter")
# Landscape page sizes in points (1/72 inch), as PDF readers report them.
PAGE_SIZES: dict[Paper, tuple[float, float]] = {"a4": (841.89, 595.28), "letter": (792.0, 612.0)}
DEFAULT_BRAND_COLOUR = "#312e81"  # the site palette's deep indigo (web/css: --c-primary-deep)
CREDENTIAL_JSON_NAME = "credential.json"
CREDENTIAL_JWT_NAME = "credential.jwt"
CREDENTIAL_JSON_TYPE = "application/vc+ld+json"
CREDENTIAL_JWT_TYPE = "application/vc+jwt"
MAX_SIGNATORIES = 3
QR_SIZE = 92.0  # points: 3.2 cm, well above the ~2 cm a phone needs from a printed page

_FONT = "DejaVu"
_MARGIN = 54.0  # inside the frame
_TEXT = (15, 23, 42)  # --c-text
_MUTED = (71, 85, 105)  # --c-text-muted
_RULE = (203, 213, 225)  # --c-border-strong

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str


@dataclass(frozen=True)
class CertificateDesign:
    """A provider's look: a brand colour (``#rrggbb``), a logo already read (PNG or JPEG bytes,
    or None), and up to three signatories."""

    brand_colour: str = DEFAULT_BRAND_COLOUR
    logo: bytes | None = None
    signatories: tuple[Signatory, ...] = ()


@dataclass(frozen=True)
class CertificateContent:
    """Everything the page shows, already worded, and the signed credential it carries."""

    achievement_name: str
    issuer_name: str
    # None: the page names no one and says who the credential was awarded to instead.
    learner_name: str | None
    recipient_description: str
    facts: tuple[tuple[str, str], ...]  # (label, value): dates, level, workload, ECTS
    credential_id: str
    verification_url: str
    credential_json: bytes
    credential_jwt: str
    issued_at: datetime
    design: CertificateDesign = field(default_factory=CertificateDesign)
    description: str = ""  # the achievement's, as signed; the page shows its first lines


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def qr_box(paper: Paper) -> Box:
    """Where the QR code is drawn on the page (points from the top left), so tests can read it."""
    width, height = PAGE_SIZES[paper]
    return Box(width - _MARGIN - QR_SIZE, height - _MARGIN - QR_SIZE - 30, QR_SIZE, QR_SIZE)


def render_certificate(content: CertificateContent, *, paper: Paper, fetched_fonts: Path | None = None) -> bytes:
    """The certificate's PDF; ``fetched_fonts`` is where ``scripts/fetch-fonts.sh`` put the fonts
    too big to bundle (Noto Sans CJK), None to do without them."""
    if paper not in PAGE_SIZES:
        raise ValueError(f"unknown paper {paper!r}; use one of {', '.join(PAPERS)}")
    pdf = _new_document(content, paper)
    _fallback_fonts(pdf, content, fetched_fonts)
    brand = hex_to_rgb(content.design.brand_colour)
    _frame(pdf, brand)
    y = _heading(pdf, content, brand)
    y = _recipient(pdf, content, y)
    _facts(pdf, content.facts, y + 30)
    _description(pdf, content.description, y + 84)
    _signatories(pdf, content.design.signatories, paper)
    _qr(pdf, content, paper)
    _footer(pdf, content)
    _attach(pdf, content)
    return bytes(pdf.output())


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.strip().lstrip("#")
    if len(value) != 6 or any(char not in "0123456789abcdefABCDEF" for char in value):
        raise ValueError(f"{colour!r} is not a #rrggbb colour")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def readable_on_white(rgb: tuple[int, int, int]) -> bool:
    """Whether text in ``rgb`` on white reaches WCAG's 4.5:1 contrast; a pale brand colour still
    draws the frame, and the text that would carry it falls back to the body colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return 1.05 / (luminance + 0.05) >= 4.5


def _new_document(content: CertificateContent, paper: Paper) -> FPDF:
    # Imported here: fpdf2 (with fontTools) takes most of a second to import, which the site's
    # start-up and the verifier's command line should not pay for a page they may never draw.
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="pt", format="A4" if paper == "a4" else "Letter")
    pdf.set_auto_page_break(False)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.add_font(_FONT, "", str(BUNDLED_FONTS / "DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", str(BUNDLED_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{content.achievement_name} · {content.issuer_name}")
    pdf.set_author(content.issuer_name)
    pdf.set_subject(f"Certificate of a verifiable credential: {content.credential_id}")
    pdf.set_creator("Microcred")
    pdf.set_lang("en")
    # The issue time, not the download time: the same credential gives the same bytes.
    pdf.set_creation_date(content.issued_at)
    pdf.add_page()
    return pdf


def _fallback_fonts(pdf: FPDF, content: CertificateContent, fetched_fonts: Path | None) -> None:
    """Add the fonts for the characters DejaVu lacks, and HarfBuzz shaping for the scripts that
    need it (ADR 0050); a certificate in DejaVu's scripts gets neither, and stays as it was."""
    base = frozenset(pdf.fonts[_FONT.lower()].cmap)  # type: ignore[union-attr]
    choice = choose_fonts(_texts(content), base=base, fetched_dir=fetched_fonts)
    if choice.missing:
        logger.warning(choice.missing)
    if not choice.typefaces:
        return
    for typeface in choice.typefaces:
        pdf.add_font(typeface.family, "", str(typeface.regular), collection_font_number=typeface.face)
        if typeface.bold:
            pdf.add_font(typeface.family, "B", str(typeface.bold))
    # Not an exact match: a bold name in a script with only a regular face prints regular.
    pdf.set_fallback_fonts([typeface.family for typeface in choice.typefaces], exact_match=False)
    if choice.shaping:
        pdf.set_text_shaping(True)


@contextlib.contextmanager
def _unshaped(pdf: FPDF) -> Iterator[None]:
    """Letter-spaced Latin drawn without HarfBuzz, which places each glyph on its own and so
    splits the words for text extraction ("C E R T I F I C A T E")."""
    shaped = bool(pdf.text_shaping)
    pdf.set_text_shaping(False)
    try:
        yield
    finally:
        if shaped:
            pdf.set_text_shaping(True)


def _texts(content: CertificateContent) -> Iterator[str]:
    """Every string the page prints, whoever chose it."""
    yield from (content.achievement_name, content.issuer_name, content.recipient_description)
    yield from (content.learner_name or "", content.description, content.credential_id, content.verification_url)
    for label, value in content.facts:
        yield from (label, value)
    for person in content.design.signatories[:MAX_SIGNATORIES]:
        yield from (person.name, person.title)


def _frame(pdf: FPDF, brand: tuple[int, int, int]) -> None:
    pdf.set_draw_color(*brand)
    pdf.set_line_width(6)
    pdf.rect(18, 18, pdf.w - 36, pdf.h - 36)
    pdf.set_line_width(0.75)
    pdf.rect(30, 30, pdf.w - 60, pdf.h - 60)
    pdf.set_fill_color(*brand)
    pdf.rect(pdf.w / 2 - 60, 30, 120, 5, style="F")


def _logo(pdf: FPDF, logo: bytes | None) -> float:
    """Draw the logo centred at the top; the height it took (0 without one or if unreadable)."""
    if not logo:
        return 0.0
    # Pillow and segno load only when a certificate is drawn: every process imports this module.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(logo)) as image:
            image.load()
            width, height = image.size
            picture = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return 0.0
    box_height = 44.0
    box_width = min(180.0, box_height * width / max(height, 1))
    drawn_height = box_width * height / max(width, 1)
    pdf.image(picture, x=(pdf.w - box_width) / 2, y=_MARGIN, w=box_width, h=drawn_height)
    return drawn_height + 10


def _heading(pdf: FPDF, content: CertificateContent, brand: tuple[int, int, int]) -> float:
    accent = brand if readable_on_white(brand) else _TEXT
    y = _MARGIN + 12 + _logo(pdf, content.design.logo)
    pdf.set_xy(_MARGIN, y)
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, "B", 13)
    pdf.cell(pdf.epw, 18, content.issuer_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_text_color(*accent)
    pdf.set_font(_FONT, "B", 11)
    pdf.set_char_spacing(3)
    with _unshaped(pdf):
        pdf.cell(pdf.epw, 14, "CERTIFICATE OF ACHIEVEMENT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)
    pdf.ln(10)
    pdf.set_text_color(*_TEXT)
    _fitted(pdf, content.achievement_name, sizes=(30, 26, 22, 19, 16), max_lines=2)
    return pdf.get_y()


def _fitted(pdf: FPDF, text: str, *, sizes: Sequence[int], max_lines: int, style: str = "B") -> None:
    """Centred text in the largest size that fits ``max_lines``; the smallest size wraps on."""
    for size in sizes:
        pdf.set_font(_FONT, style, size)
        lines = pdf.multi_cell(pdf.epw - 40, size * 1.2, text, align="C", dry_run=True, output="LINES")
        if isinstance(lines, list) and len(lines) <= max_lines:
            break
    pdf.set_x(_MARGIN + 20)
    pdf.multi_cell(pdf.epw - 40, pdf.font_size_pt * 1.2, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _recipient(pdf: FPDF, content: CertificateContent, y: float) -> float:
    pdf.set_xy(_MARGIN, y + 18)
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, "", 11)
    pdf.cell(pdf.epw, 16, "awarded to", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(*_TEXT)
    if content.learner_name:
        _fitted(pdf, content.learner_name, sizes=(24, 20, 16), max_lines=1)
        # As on the credential's page: the name is the holder's, the signature names no one.
        pdf.set_text_color(*_MUTED)
        pdf.set_font(_FONT, "", 7.5)
        note = (
            f"Name as the holder's account gives it; the signed credential identifies {content.recipient_description}."
        )
        pdf.cell(pdf.epw, 11, note, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        _fitted(pdf, content.recipient_description, sizes=(15,), max_lines=2, style="")
    return pdf.get_y()


def _facts(pdf: FPDF, facts: Sequence[tuple[str, str]], y: float) -> None:
    if not facts:
        return
    column = min(130.0, (pdf.epw - 40) / len(facts))
    x = (pdf.w - column * len(facts)) / 2
    for index, (label, value) in enumerate(facts):
        left = x + index * column
        if index:
            pdf.set_draw_color(*_RULE)
            pdf.set_line_width(0.5)
            pdf.line(left, y + 2, left, y + 30)
        pdf.set_xy(left, y)
        pdf.set_text_color(*_MUTED)
        pdf.set_font(_FONT, "", 7.5)
        pdf.cell(column, 12, label.upper(), align="C")
        pdf.set_xy(left, y + 13)
        pdf.set_text_color(*_TEXT)
        pdf.set_font(_FONT, "B", 11)
        pdf.cell(column, 16, value, align="C")


def _description(pdf: FPDF, text: str, y: float, max_lines: int = 3) -> None:
    words = " ".join(text.split())
    if not words:
        return
    pdf.set_font(_FONT, "", 9.5)
    width = min(560.0, pdf.epw - 80)
    lines = pdf.multi_cell(width, 13, words, align="C", dry_run=True, output="LINES")
    if isinstance(lines, list) and len(lines) > max_lines:
        shown = lines[:max_lines]
        shown[-1] = _clip(pdf, shown[-1] + "…", width)
        words = " ".join(shown)
    pdf.set_text_color(*_MUTED)
    pdf.set_xy((pdf.w - width) / 2, y)
    pdf.multi_cell(width, 13, words, align="C")


def _signatories(pdf: FPDF, signatories: Sequence[Signatory], paper: Paper) -> None:
    shown = list(signatories)[:MAX_SIGNATORIES]
    if not shown:
        return
    qr = qr_box(paper)
    right = qr.x - 24
    slot = min(190.0, (right - _MARGIN) / len(shown))
    baseline = qr.y + 40
    for index, person in enumerate(shown):
        left = _MARGIN + index * slot
        pdf.set_draw_color(*_TEXT)
        pdf.set_line_width(0.6)
        pdf.line(left + 8, baseline, left + slot - 16, baseline)
        pdf.set_xy(left + 8, baseline + 5)
        pdf.set_text_color(*_TEXT)
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(slot - 24, 13, _clip(pdf, person.name, slot - 24))
        pdf.set_xy(left + 8, baseline + 19)
        pdf.set_text_color(*_MUTED)
        pdf.set_font(_FONT, "", 8.5)
        pdf.cell(slot - 24, 11, _clip(pdf, person.title, slot - 24))


def _clip(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _qr(pdf: FPDF, content: CertificateContent, paper: Paper) -> None:
    import segno

    box = qr_box(paper)
    code = segno.make_qr(content.verification_url, error="m")
    matrix = [list(row) for row in code.matrix]
    module = box.width / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # A hair taller than a module, so rasterisers leave no seams between rows.
            pdf.rect(box.x + start * module, box.y + row_index * module, (column - start) * module, module + 0.05, "F")
    pdf.set_xy(box.x - 20, box.y + box.height + 4)
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, "", 7)
    pdf.cell(box.width + 40, 9, "Scan to verify", align="C")


def _footer(pdf: FPDF, content: CertificateContent) -> None:
    width = qr_box("a4").x - _MARGIN  # the same text block on both papers
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, "", 7)
    pdf.set_xy(_MARGIN, pdf.h - _MARGIN - 26)
    pdf.cell(width, 9, _clip(pdf, f"Credential id: {content.credential_id}", width))
    pdf.set_xy(_MARGIN, pdf.h - _MARGIN - 17)
    pdf.cell(width, 9, _clip(pdf, f"Verify: {content.verification_url}", width), link=content.verification_url)
    pdf.set_xy(_MARGIN, pdf.h - _MARGIN - 8)
    pdf.cell(
        width,
        9,
        "This PDF carries the issuer's signed credential (credential.json). Verifiers check that file, "
        "never the printed text.",
    )


def _attach(pdf: FPDF, content: CertificateContent) -> None:
    pdf.embed_file(
        bytes=content.credential_json,
        basename=CREDENTIAL_JSON_NAME,
        mime_type=CREDENTIAL_JSON_TYPE,
        associated_file_relationship="Data",
        modification_date=content.issued_at,
        desc="The signed credential (Open Badges 3.0, W3C VC 2.0 with a Data Integrity proof) this page shows.",
    )
    if content.credential_jwt:
        pdf.embed_file(
            bytes=content.credential_jwt.encode("ascii"),
            basename=CREDENTIAL_JWT_NAME,
            mime_type=CREDENTIAL_JWT_TYPE,
            associated_file_relationship="Alternative",
            modification_date=content.issued_at,
            desc="The same credential as a VC-JWT.",
        )
