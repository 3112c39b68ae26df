"""The default badge image: drawn from the achievement's title, the provider's name and brand
colour, and the EQF level, for micro-credentials whose author gave no artwork (ADR 0044).

No Django here. One layout (:func:`badge_layout`: colours, wrapped title lines measured with the
fonts the PDF certificates use, level pips) is drawn twice: as SVG text (:func:`default_badge_svg`)
and as a PNG through Pillow (:func:`default_badge_png`), so both look the same on every machine.
A title or provider in a script DejaVu lacks (Chinese, Arabic, Hindi, ...) is drawn with the
certificates' Noto fallback fonts, shaped and right to left where its script says so
(``lettering.py``, ADR 0050). The same inputs always give the same bytes (no timestamps, no
randomness), so a download's ETag only changes with its content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from pathlib import Path

from .lettering import Lettering, can_break, svg_text, without_last_cluster

DEFAULT_BADGE_COLOUR = "#312e81"  # the site palette's deep indigo, as the certificates' default
SIZE = 240  # the SVG's user units; the PNG is PNG_SCALE times larger
PNG_SCALE = 2
EQF_LEVELS = 8
TITLE_FONT_SIZE = 18
TITLE_MAX_WIDTH = 176.0  # inside the inner ring where the title sits
TITLE_MAX_LINES = 3
_SUPERSAMPLE = 2  # Pillow draws shapes without anti-aliasing: draw larger, then scale down
_FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
_DARK_TEXT = (15, 23, 42)  # --c-text
_WHITE = (255, 255, 255)
RGB = tuple[int, int, int]


def parse_colour(colour: str) -> RGB:
    """``#rrggbb`` as (r, g, b); anything else is the default colour (a hand-edited row must
    not break an image)."""
    value = colour.strip().lstrip("#") if colour else ""
    if len(value) != 6 or any(char not in "0123456789abcdefABCDEF" for char in value):
        value = DEFAULT_BADGE_COLOUR.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: RGB, b: RGB) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(a: RGB, b: RGB, share_of_b: float) -> RGB:
    r, g, bl = (round(x + (y - x) * share_of_b) for x, y in zip(a, b, strict=True))
    return r, g, bl


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@dataclass(frozen=True)
class BadgeLayout:
    """What the badge shows and in which colours, in SVG user units (0..240)."""

    title: str
    title_lines: tuple[str, ...]
    provider: str
    level: int  # 1..8, the number of filled pips
    background: RGB  # the provider's colour
    foreground: RGB  # white or dark, whichever reads better on the background
    ring: RGB
    muted: RGB
    lettering: Lettering = field(compare=False, repr=False)  # the fonts that draw the text


def _width(text: str, *, bold: bool, size: int, lettering: Lettering | None = None) -> float:
    return (lettering or Lettering([text], fetched_fonts=None)).width(text, bold=bold, size=size)


def _fit(text: str, *, bold: bool, size: int, max_width: float, lettering: Lettering, cut: bool = False) -> str:
    """``text`` cut with an ellipsis so that it fits ``max_width`` (``cut``: ends with one even
    when it fits, because what followed it was left off)."""
    if not cut and lettering.width(text, bold=bold, size=size) <= max_width:
        return text
    while text and lettering.width(text + "…", bold=bold, size=size) > max_width:
        text = without_last_cluster(text)
    return text.rstrip() + "…"


def wrap_title(
    title: str,
    *,
    size: int = TITLE_FONT_SIZE,
    max_width: float = TITLE_MAX_WIDTH,
    lettering: Lettering | None = None,
) -> tuple[str, ...]:
    """Greedy word wrap measured with the fonts that draw it (bold); a word wider than a line is
    split, between clusters (Chinese and Thai, written without spaces, are split so); more than
    :data:`TITLE_MAX_LINES` lines end with an ellipsis."""
    lettering = lettering or Lettering([title], fetched_fonts=None)

    def _width(text: str, *, bold: bool, size: int) -> float:
        return lettering.width(text, bold=bold, size=size)

    lines: list[str] = []
    current = ""
    for word in title.split():
        candidate = f"{current} {word}" if current else word
        if _width(candidate, bold=True, size=size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while _width(current, bold=True, size=size) > max_width:
            cut = len(current)
            while cut > 1 and (_width(current[:cut], bold=True, size=size) > max_width or not can_break(current, cut)):
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > TITLE_MAX_LINES:
        lines = lines[:TITLE_MAX_LINES]
        lines[-1] = _fit(lines[-1], bold=True, size=size, max_width=max_width, lettering=lettering, cut=True)
    return tuple(lines) or ("",)


def badge_layout(
    *, title: str, provider: str, colour: str, eqf_level: int, fetched_fonts: Path | None = None
) -> BadgeLayout:
    """``fetched_fonts``: where ``make fonts`` put Noto Sans CJK (without it, CJK draws as boxes
    and one log line says so)."""
    background = parse_colour(colour)
    foreground = _WHITE if _contrast(background, _WHITE) >= _contrast(background, _DARK_TEXT) else _DARK_TEXT
    lettering = Lettering([title, provider], fetched_fonts=fetched_fonts)
    return BadgeLayout(
        title=title,
        title_lines=wrap_title(title, lettering=lettering),
        provider=_fit(provider, bold=False, size=12, max_width=170.0, lettering=lettering),
        level=min(max(int(eqf_level), 1), EQF_LEVELS),
        background=background,
        foreground=foreground,
        ring=_mix(background, foreground, 0.45),
        muted=_mix(background, foreground, 0.8),
        lettering=lettering,
    )


# Positions shared by both renderers (SVG user units; text y is the baseline).
_CENTRE = SIZE / 2
_OUTER_R = 116.0
_RING_R = 104.0
_RING_WIDTH = 4.0
_EYEBROW_Y = 64.0
_PROVIDER_Y = 176.0
_PIPS_Y = 193.0
_PIP_R = 3.5
_PIP_GAP = 12.0
_LEVEL_Y = 214.0


def _title_baselines(count: int) -> list[float]:
    return [124.0 + index * 22.0 - (count - 1) * 11.0 for index in range(count)]


def _pip_centres() -> list[float]:
    first = _CENTRE - (EQF_LEVELS - 1) * _PIP_GAP / 2
    return [first + index * _PIP_GAP for index in range(EQF_LEVELS)]


def _level_text(level: int) -> str:
    return f"EQF LEVEL {level}"


def default_badge_svg(
    *, title: str, provider: str, colour: str, eqf_level: int, fetched_fonts: Path | None = None
) -> str:
    """The default badge as a standalone SVG document (UTF-8 text). The viewer's fonts draw its
    text; a title or provider outside DejaVu's scripts says its language or script, its direction
    and the Noto family the PNG uses (``lettering.svg_text``)."""
    layout = badge_layout(
        title=title, provider=provider, colour=colour, eqf_level=eqf_level, fetched_fonts=fetched_fonts
    )
    fg, ring, muted = _hex(layout.foreground), _hex(layout.ring), _hex(layout.muted)
    # The title is one paragraph: one direction for all its lines.
    title_says = svg_text(title).attributes()
    provider_says = svg_text(layout.provider).attributes()
    title_text = "".join(
        f'<text x="{_CENTRE:g}" y="{y:g}" font-size="{TITLE_FONT_SIZE}" font-weight="700"{title_says}>'
        f"{escape(line)}</text>"
        for line, y in zip(layout.title_lines, _title_baselines(len(layout.title_lines)), strict=True)
    )
    pips = "".join(
        f'<circle cx="{x:g}" cy="{_PIPS_Y:g}" r="{_PIP_R:g}" '
        + (f'fill="{fg}"/>' if index < layout.level else f'fill="none" stroke="{muted}" stroke-width="1.2"/>')
        for index, x in enumerate(_pip_centres())
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{escape(title)} badge, EQF level {layout.level}">'
        f"<title>{escape(title)}</title>"
        f'<circle cx="{_CENTRE:g}" cy="{_CENTRE:g}" r="{_OUTER_R:g}" fill="{_hex(layout.background)}"/>'
        f'<circle cx="{_CENTRE:g}" cy="{_CENTRE:g}" r="{_RING_R:g}" fill="none" stroke="{ring}" '
        f'stroke-width="{_RING_WIDTH:g}"/>'
        f'<g font-family="{_FONT_FAMILY}" text-anchor="middle">'
        f'<text x="{_CENTRE:g}" y="{_EYEBROW_Y:g}" font-size="12" fill="{muted}">MICRO-CREDENTIAL</text>'
        f'<g fill="{fg}">{title_text}</g>'
        f'<text x="{_CENTRE:g}" y="{_PROVIDER_Y:g}" font-size="12" fill="{muted}"{provider_says}>'
        f"{escape(layout.provider)}</text>"
        f"<g>{pips}</g>"
        f'<text x="{_CENTRE:g}" y="{_LEVEL_Y:g}" font-size="11" font-weight="700" fill="{fg}">'
        f"{_level_text(layout.level)}</text>"
        "</g></svg>"
    )


@lru_cache(maxsize=64)
def default_badge_png(
    *, title: str, provider: str, colour: str, eqf_level: int, fetched_fonts: Path | None = None
) -> bytes:
    """The same badge as a PNG of ``SIZE * PNG_SCALE`` pixels square, transparent outside the disc."""
    from PIL import Image, ImageDraw

    layout = badge_layout(
        title=title, provider=provider, colour=colour, eqf_level=eqf_level, fetched_fonts=fetched_fonts
    )
    scale = PNG_SCALE * _SUPERSAMPLE
    canvas = Image.new("RGBA", (SIZE * scale, SIZE * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)

    def circle(
        cx: float, cy: float, r: float, *, fill: RGB | None = None, outline: RGB | None = None, width: float = 0
    ) -> None:
        box = ((cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale)
        draw.ellipse(box, fill=fill, outline=outline, width=round(width * scale))

    def text(y: float, value: str, *, size: int, bold: bool, fill: RGB) -> None:
        layout.lettering.draw(draw, _CENTRE * scale, y * scale, value, bold=bold, size=size * scale, fill=fill)

    circle(_CENTRE, _CENTRE, _OUTER_R, fill=layout.background)
    # The stroke straddles the ring's radius, as SVG draws it.
    circle(_CENTRE, _CENTRE, _RING_R + _RING_WIDTH / 2, outline=layout.ring, width=_RING_WIDTH)
    text(_EYEBROW_Y, "MICRO-CREDENTIAL", size=12, bold=False, fill=layout.muted)
    for line, y in zip(layout.title_lines, _title_baselines(len(layout.title_lines)), strict=True):
        text(y, line, size=TITLE_FONT_SIZE, bold=True, fill=layout.foreground)
    text(_PROVIDER_Y, layout.provider, size=12, bold=False, fill=layout.muted)
    for index, x in enumerate(_pip_centres()):
        if index < layout.level:
            circle(x, _PIPS_Y, _PIP_R, fill=layout.foreground)
        else:
            circle(x, _PIPS_Y, _PIP_R + 0.6, outline=layout.muted, width=1.2)
    text(_LEVEL_Y, _level_text(layout.level), size=11, bold=True, fill=layout.foreground)
    image = canvas.resize((SIZE * PNG_SCALE, SIZE * PNG_SCALE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
