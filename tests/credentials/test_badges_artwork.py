"""The default badge drawing (``credentials/badges/artwork.py``) and the OB 3.0 baking rules the
downloads rely on (``vc/baking.py``), without a database."""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest
from PIL import Image

from microcred.credentials.badges.artwork import (
    EQF_LEVELS,
    PNG_SCALE,
    SIZE,
    TITLE_MAX_LINES,
    TITLE_MAX_WIDTH,
    _pip_centres,
    badge_layout,
    default_badge_png,
    default_badge_svg,
    wrap_title,
)
from microcred.credentials.badges.artwork import _width as text_width
from microcred.credentials.vc.baking import OB_NAMESPACE, bake_png, bake_svg, unbake_png, unbake_svg
from microcred.credentials.vc.errors import MalformedCredential

BADGE = {"title": "Data Basics", "provider": "Example Academy", "colour": "#0f766e", "eqf_level": 5}


def _rgb(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    r, g, b, _alpha = image.getpixel((round(x * PNG_SCALE), round(y * PNG_SCALE)))
    return r, g, b


def _close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_the_same_inputs_give_the_same_bytes():
    default_badge_png.cache_clear()
    first = default_badge_png(**BADGE)
    default_badge_png.cache_clear()
    assert default_badge_png(**BADGE) == first
    assert default_badge_svg(**BADGE) == default_badge_svg(**BADGE)
    assert default_badge_png(**{**BADGE, "eqf_level": 6}) != first
    assert default_badge_png(**{**BADGE, "colour": "#312e81"}) != first


@pytest.mark.parametrize("level", [1, 4, 8])
def test_the_level_fills_that_many_pips_in_png_and_svg(level):
    layout = badge_layout(**{**BADGE, "eqf_level": level})
    with Image.open(io.BytesIO(default_badge_png(**{**BADGE, "eqf_level": level}))) as image:
        image = image.convert("RGBA")
        assert image.size == (SIZE * PNG_SCALE, SIZE * PNG_SCALE)
        centres = [_rgb(image, x, 193) for x in _pip_centres()]
    filled = [_close(colour, layout.foreground) for colour in centres]
    assert filled == [index < level for index in range(EQF_LEVELS)]
    svg = default_badge_svg(**{**BADGE, "eqf_level": level})
    assert svg.count(f'r="3.5" fill="{"#ffffff"}"') == level
    assert f"EQF LEVEL {level}" in svg


def test_text_reads_on_light_and_dark_brand_colours():
    assert badge_layout(**{**BADGE, "colour": "#fde047"}).foreground == (15, 23, 42)  # dark on yellow
    assert badge_layout(**{**BADGE, "colour": "#0f766e"}).foreground == (255, 255, 255)  # white on teal
    # A hand-edited, invalid colour draws the default rather than failing.
    assert badge_layout(**{**BADGE, "colour": "teal"}).background == (49, 46, 129)
    assert badge_layout(**{**BADGE, "eqf_level": 12}).level == EQF_LEVELS


def test_the_svg_is_well_formed_and_escapes_the_title():
    svg = default_badge_svg(**{**BADGE, "title": 'R&D <Basics> "101"', "provider": "A & B"})
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'R&D <Basics> "101"'
    assert "A &amp; B" in svg


def test_long_titles_wrap_within_the_ring_and_end_with_an_ellipsis():
    lines = wrap_title("Data Analysis with Python for Business Intelligence Professionals in Manufacturing")
    assert len(lines) == TITLE_MAX_LINES
    assert lines[-1].endswith("…")
    assert all(text_width(line, bold=True, size=18) <= TITLE_MAX_WIDTH for line in lines)
    (single,) = wrap_title("Welding")
    assert single == "Welding"
    split = wrap_title("Pneumonoultramicroscopicsilicovolcanoconiosis")
    assert "".join(split) == "Pneumonoultramicroscopicsilicovolcanoconiosis"
    assert all(text_width(line, bold=True, size=18) <= TITLE_MAX_WIDTH for line in split)


# --- Baking rules the downloads rely on (OB 3.0 "Baked Badge") ------------------------------


def _text_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _keywords(png: bytes) -> list[tuple[bytes, bytes]]:
    found, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, body = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        if kind in (b"iTXt", b"tEXt", b"zTXt"):
            found.append((kind, body.split(b"\0")[0]))
        offset += 12 + length
    return found


def test_rebaking_a_png_leaves_exactly_one_credential_chunk_whatever_was_there():
    png = default_badge_png(**BADGE)
    iend = png.rindex(b"IEND") - 4
    crowded = (
        png[:iend]
        + _text_chunk(b"tEXt", b"openbadges\0https://old.example/a")
        + _text_chunk(b"zTXt", b"openbadgecredential\0\0" + zlib.compress(b"{}"))
        + _text_chunk(b"iTXt", b"openbadges\0\0\0\0\0{}")
        + _text_chunk(b"tEXt", b"Comment\0kept")
        + png[iend:]
    )
    baked = bake_png(bake_png(crowded, {"id": "urn:a"}), {"id": "urn:b"})
    assert _keywords(baked) == [(b"tEXt", b"Comment"), (b"iTXt", b"openbadgecredential")]
    assert json.loads(unbake_png(baked)) == {"id": "urn:b"}


def test_a_json_string_with_characters_xml_cannot_carry_still_bakes_a_well_formed_svg():
    credential = {"id": "urn:x", "name": "bell\u0007 and \ufffe"}
    baked = bake_svg(default_badge_svg(**BADGE), credential)
    root = ET.fromstring(baked)  # would raise on a raw U+0007
    (element,) = root.iter(f"{{{OB_NAMESPACE}}}credential")
    assert json.loads(element.text) == credential
    assert json.loads(unbake_svg(baked)) == credential


def test_text_that_is_not_unicode_is_refused_with_a_reason():
    with pytest.raises(MalformedCredential, match="not valid Unicode"):
        bake_png(default_badge_png(**BADGE), '{"name": "\ud800"}')
