"""A credential's baked badge, read from the models (ADR 0044).

Only a credential that holds gets a badge: a revoked, suspended, expired or not yet valid one is
refused with its status, as its certificate is (a badge is shown off; it must not show off what
no longer holds). The image carries the signed credential as its JSON (the Data Integrity proof
every credential has), by the OB 3.0 baking rules in ``vc/baking.py``.

The artwork is the micro-credential's own when this site serves it (a static or media file; an
image elsewhere is never fetched): a PNG, JPEG, GIF or WebP becomes the PNG download and is
embedded in the SVG one; an SVG becomes the SVG download (and the PNG one falls back to the
default, since rendering SVG would need system libraries). Without usable artwork, the default
badge of ``artwork.py`` is drawn from the provider's brand colour and the EQF level; the
achievement's ``image.svg`` serves the same default.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any, Literal

from microcred.catalog.models import MicroCredential
from microcred.core.errors import Conflict

from .. import links
from ..certificates.content import fetched_fonts_dir, local_logo
from ..models import Credential
from ..selectors import display_status
from ..vc.baking import PNG_SIGNATURE, bake_png, bake_svg
from ..vc.errors import MalformedCredential
from .artwork import DEFAULT_BADGE_COLOUR, SIZE, default_badge_png, default_badge_svg

BadgeFormat = Literal["png", "svg"]
BADGE_FORMATS: tuple[BadgeFormat, ...] = ("png", "svg")
CONTENT_TYPES: dict[BadgeFormat, str] = {"png": "image/png", "svg": "image/svg+xml"}
# An author's raster artwork larger than this is scaled down (a badge is shown small; a huge
# image would make every download heavy).
MAX_ARTWORK_PIXELS = 1024
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class BadgeRefused(Conflict):
    code = "badge_refused"


@dataclass(frozen=True)
class BakedBadge:
    body: bytes
    content_type: str
    filename: str


def baked_badge(*, credential: Credential, badge_format: BadgeFormat, now: datetime) -> BakedBadge:
    """The badge image of ``credential`` with the signed credential baked in; the caller has
    checked the viewer may open the credential. Raises :class:`BadgeRefused` unless it holds."""
    status = display_status(credential, now=now)
    if not status.is_valid:
        raise BadgeRefused(status.no_download("badge image"))
    payload = baked_credential_text(credential.document)
    microcredential = credential.microcredential
    if badge_format == "png":
        body = _bake_png(artwork_png(microcredential), payload, fallback=lambda: default_png(microcredential))
    else:
        body = _bake_svg(artwork_svg(microcredential), payload, fallback=lambda: default_svg(microcredential))
    return BakedBadge(
        body=body, content_type=CONTENT_TYPES[badge_format], filename=f"badge-{credential.uuid}.{badge_format}"
    )


def baked_credential_text(document: dict[str, Any]) -> str:
    """The credential as baked: compact JSON with sorted keys, so the bytes (and the download's
    ETag) do not depend on the database's key order; key order means nothing to the proof."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _bake_png(image: bytes, payload: str, *, fallback: Callable[[], bytes]) -> bytes:
    try:
        return bake_png(image, payload)
    except MalformedCredential:
        # The author's file is not a PNG we can bake (truncated, bad CRC...): the default instead.
        return bake_png(fallback(), payload)


def _bake_svg(svg: str, payload: str, *, fallback: Callable[[], str]) -> bytes:
    try:
        return bake_svg(svg, payload).encode("utf-8")
    except MalformedCredential:
        # Not well-formed, a DTD, or an odd credential already inside: the default instead.
        return bake_svg(fallback(), payload).encode("utf-8")


def _colour(microcredential: MicroCredential) -> str:
    return microcredential.provider.brand_colour or DEFAULT_BADGE_COLOUR


def default_svg(microcredential: MicroCredential) -> str:
    """The default badge as SVG; also the achievement's ``image.svg`` (``documents.badge_svg``)."""
    return default_badge_svg(
        title=microcredential.title,
        provider=microcredential.provider.name,
        colour=_colour(microcredential),
        eqf_level=microcredential.eqf_level,
        fetched_fonts=fetched_fonts_dir(),  # the certificates' Noto Sans CJK (ADR 0050)
    )


def default_png(microcredential: MicroCredential) -> bytes:
    return default_badge_png(
        title=microcredential.title,
        provider=microcredential.provider.name,
        colour=_colour(microcredential),
        eqf_level=microcredential.eqf_level,
        fetched_fonts=fetched_fonts_dir(),
    )


def _uploaded(microcredential: MicroCredential) -> bytes | None:
    """The author's artwork when this site serves it, else None (never fetched from elsewhere)."""
    if not microcredential.image_url:
        return None
    return local_logo(links.absolute(microcredential.image_url))


def _is_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")) and b"<svg" in data[:4096].lower()


def _raster_as_png(data: bytes) -> bytes | None:
    """A raster image Pillow reads, as an RGBA PNG at most ``MAX_ARTWORK_PIXELS`` square; None
    when it is not one."""
    from PIL import Image, UnidentifiedImageError  # on use: not every process draws badges

    if data.startswith(PNG_SIGNATURE) and _png_small_enough(data):
        return data
    try:
        with Image.open(io.BytesIO(data)) as source:
            if source.width * source.height > MAX_SOURCE_PIXELS:
                return None
            image = source.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    image.thumbnail((MAX_ARTWORK_PIXELS, MAX_ARTWORK_PIXELS))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _png_small_enough(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width <= MAX_ARTWORK_PIXELS and image.height <= MAX_ARTWORK_PIXELS
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


def artwork_png(microcredential: MicroCredential) -> bytes:
    """The PNG to bake: the author's raster artwork, else the default badge."""
    uploaded = _uploaded(microcredential)
    if uploaded is not None and not _is_svg(uploaded):
        png = _raster_as_png(uploaded)
        if png is not None:
            return png
    return default_png(microcredential)


def artwork_svg(microcredential: MicroCredential) -> str:
    """The SVG to bake: the author's SVG; their raster artwork inside an SVG; else the default."""
    uploaded = _uploaded(microcredential)
    if uploaded is not None:
        if _is_svg(uploaded):
            try:
                return uploaded.decode("utf-8-sig")
            except UnicodeDecodeError:
                return default_svg(microcredential)
        png = _raster_as_png(uploaded)
        if png is not None:
            return _svg_around(png, title=microcredential.title)
    return default_svg(microcredential)


def _svg_around(png: bytes, *, title: str) -> str:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    scale = SIZE / max(width, height)
    shown_w, shown_h = round(width * scale), round(height * scale)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shown_w}" height="{shown_h}" '
        f'viewBox="0 0 {shown_w} {shown_h}" role="img" aria-label="{escape(title)} badge">'
        f"<title>{escape(title)}</title>"
        f'<image width="{shown_w}" height="{shown_h}" href="data:image/png;base64,{data}"/></svg>'
    )
