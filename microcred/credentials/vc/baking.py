"""Open Badges 3.0 baking: a credential (JSON or compact JWS) carried inside its image.

* PNG: one ``iTXt`` chunk, keyword ``openbadgecredential``, uncompressed, empty language
  tag and translated keyword, inserted before ``IEND``. Re-baking replaces the chunk, and drops
  any other text chunk (``iTXt``, ``tEXt``, ``zTXt``) named ``openbadgecredential`` or OB 2.0's
  ``openbadges``, which would contradict the new credential: the image carries exactly one.
* SVG: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on ``<svg>`` and one
  ``<openbadges:credential>`` right after the opening tag: a JWS in ``verify="..."``, JSON
  as a CDATA body (characters XML cannot carry, which JSON can only hold inside strings, are
  written as JSON ``\\u`` escapes, so the SVG stays well-formed and the credential the same).

These are the rules of the OB 3.0 specification, section "Baked Badge" (checked against
1EdTech/openbadges-specification ``ob_v3p0/docformat.md``); its text is either the JSON of a
credential with an embedded proof or the compact JWS of a VC-JWT, never both.

Open Badges 2.0 (and 1.x) images are read too, when no OB 3.0 credential is baked: a PNG
``iTXt`` chunk with keyword ``openbadges`` (JSON, a JWS or the hosted assertion's URL), else a
legacy ``tEXt`` ``openbadges`` chunk (the URL); an SVG ``<openbadges:assertion>`` in the
``http://openbadges.org`` namespace (a JSON body, else its ``verify`` attribute: a JWS or a URL).
What the text is, and how it is verified, is the verifier's business (``vc/ob2/``).

SVG is parsed with defusedxml (no entity expansion, no external resources) to check it
and to read it; baking edits the text around the root start tag instead of
re-serialising the tree, so the rest of the artwork stays byte-for-byte intact.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any, Literal
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .errors import MalformedCredential
from .limits import load_json
from .pdf import extract_pdf_credential, is_pdf

OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE = "http://openbadges.org"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
_OB2_KEYWORD = b"openbadges"
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")  # each starts with its keyword and a NUL
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)
_CREDENTIAL_TAG = f"{{{OB_NAMESPACE}}}credential"
_OB2_ASSERTION_TAG = f"{{{OB2_NAMESPACE}}}assertion"
Kind = Literal["json", "jwt", "png", "svg", "pdf"]


def _payload_text(credential: str | Mapping[str, Any]) -> str:
    if isinstance(credential, Mapping):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    text = credential.strip()
    if not text:
        raise MalformedCredential("nothing to bake")
    return text


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no image format can carry it
        raise MalformedCredential("the credential text is not valid Unicode") from exc


# What XML 1.0 forbids in character data: C0 controls but tab, newline and carriage return,
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe_json(text: str) -> str:
    """JSON text that XML can carry: structural JSON is ASCII, so a forbidden character can only
    be inside a string, where ``\\uXXXX`` means the very same character."""
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# --- PNG -------------------------------------------------------------------------------


def _png_chunks(data: bytes, max_bytes: int) -> list[tuple[bytes, bytes]]:
    if len(data) > max_bytes:
        raise MalformedCredential(f"image is larger than {max_bytes} bytes")
    if not data.startswith(PNG_SIGNATURE):
        raise MalformedCredential("not a PNG image")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise MalformedCredential("PNG is truncated")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            raise MalformedCredential(f"PNG chunk {kind!r} runs past the end of the file")
        body = data[offset + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise MalformedCredential(f"PNG chunk {kind.decode('latin-1')} has a bad CRC")
        chunks.append((kind, body))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise MalformedCredential("PNG must start with IHDR and end with IEND")
    return chunks


def _chunk_bytes(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))


def _itxt_keyword(body: bytes) -> bytes:
    return body.split(b"\0", 1)[0]


def bake_png(image: bytes, credential: str | Mapping[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return ``image`` with the credential in an ``openbadgecredential`` iTXt chunk."""
    chunks = _png_chunks(image, max_bytes)
    text = _utf8(_payload_text(credential))
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty
    # translated keyword NUL, then the UTF-8 text.
    itxt = PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if kind in _TEXT_CHUNKS and _itxt_keyword(body) in (PNG_KEYWORD, _OB2_KEYWORD):
            continue
        if kind == b"IEND":
            out.append(_chunk_bytes(b"iTXt", itxt))
        out.append(_chunk_bytes(kind, body))
    return b"".join(out)


def unbake_png(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The credential text of the first ``openbadgecredential`` chunk; without one, the Open
    Badges 2.0 ``openbadges`` iTXt chunk, else a legacy ``openbadges`` tEXt chunk."""
    chunks = _png_chunks(data, max_bytes)
    for keyword in (PNG_KEYWORD, _OB2_KEYWORD):
        for kind, body in chunks:
            if kind == b"iTXt" and _itxt_keyword(body) == keyword:
                return _itxt_text(body, keyword, max_bytes)
    for kind, body in chunks:
        if kind == b"tEXt" and body.split(b"\0", 1)[0] == _OB2_KEYWORD:
            # tEXt is Latin-1 by definition; what OB 1.0 put there is an ASCII URL.
            return body[len(_OB2_KEYWORD) + 1 :].decode("latin-1").strip()
    raise MalformedCredential("the PNG carries no openbadgecredential chunk (nor an Open Badges 2.0 openbadges one)")


def _itxt_text(body: bytes, keyword: bytes, max_bytes: int) -> str:
    name = keyword.decode("ascii")
    rest = body[len(keyword) + 1 :]
    if len(rest) < 2:
        raise MalformedCredential(f"{name} chunk is truncated")
    flag, method = rest[0], rest[1]
    try:
        _language, _translated, text = rest[2:].split(b"\0", 2)
    except ValueError as exc:
        raise MalformedCredential(f"{name} chunk is malformed") from exc
    if flag == 1 and method == 0:
        # The spec says uncompressed; we still read compressed ones, capped.
        decompressor = zlib.decompressobj()
        try:
            text = decompressor.decompress(text, max_bytes)
        except zlib.error as exc:
            raise MalformedCredential(f"{name} chunk has bad zlib data") from exc
        if decompressor.unconsumed_tail:
            raise MalformedCredential(f"{name} chunk expands too far")
    elif flag != 0:
        raise MalformedCredential(f"{name} chunk uses an unknown compression")
    try:
        return text.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredential(f"{name} text is not UTF-8") from exc


# --- SVG -------------------------------------------------------------------------------


def _parse_svg(text: str, max_bytes: int) -> Element:
    if len(text) > max_bytes:
        raise MalformedCredential(f"SVG is larger than {max_bytes} characters")
    try:
        root: Element = SafeET.fromstring(text)
    except DefusedXmlException as exc:
        raise MalformedCredential(f"SVG refused: {type(exc).__name__} (entities or DTDs)") from exc
    except SafeET.ParseError as exc:
        raise MalformedCredential(f"SVG is not well-formed XML: {exc}") from exc
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise MalformedCredential(f"root element is {root.tag!r}, not <svg>")
    return root


def _skip_to_root(text: str) -> int:
    """Index of the ``<`` that opens the root element (the text is already well-formed)."""
    position = 0
    while True:
        position = text.index("<", position)
        if text.startswith("<?", position):
            position = text.index("?>", position) + 2
        elif text.startswith("<!--", position):
            position = text.index("-->", position) + 3
        elif text.startswith("<!", position):
            position = _end_of_markup(text, position)
        else:
            return position


def _end_of_markup(text: str, position: int) -> int:
    """Index just past the ``>`` closing the tag/declaration at ``position``, honouring
    quoted attribute values and a DOCTYPE internal subset."""
    quote = ""
    depth = 0
    for index in range(position + 1, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ">" and depth <= 0:
            return index + 1
    raise MalformedCredential("unterminated markup in SVG")


def _existing_credential_span(text: str, start: int) -> tuple[int, int] | None:
    """Span of a ``<x:credential>`` element right after the root start tag, if any."""
    match = re.compile(r"\s*<([A-Za-z_][\w.-]*):credential[\s/>]").match(text, start)
    if not match:
        return None
    element_start = text.index("<", start)
    tag_end = _end_of_markup(text, element_start)
    if text[tag_end - 2] == "/":
        return element_start, tag_end
    closing = re.compile(rf"</{re.escape(match.group(1))}:credential\s*>")
    position = tag_end
    while True:
        cdata = text.find("<![CDATA[", position)
        close = closing.search(text, position)
        if close is None:
            raise MalformedCredential("unterminated credential element in SVG")
        if cdata != -1 and cdata < close.start():
            position = text.index("]]>", cdata) + 3
            continue
        return element_start, close.end()


def bake_svg(svg_text: str, credential: str | Mapping[str, Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the SVG with ``<openbadges:credential>`` as the first child of ``<svg>``."""
    root = _parse_svg(svg_text, max_bytes)
    payload = _payload_text(credential)
    root_start = _skip_to_root(svg_text)
    tag_end = _end_of_markup(svg_text, root_start)
    start_tag = svg_text[root_start:tag_end]
    self_closing = start_tag.endswith("/>")
    declared = re.search(r"""\sxmlns:openbadges\s*=\s*(["'])(.*?)\1""", start_tag)
    if declared and declared.group(2) != OB_NAMESPACE:
        raise MalformedCredential("the SVG binds the openbadges prefix to another namespace")
    body_end = tag_end
    existing = list(root.iter(_CREDENTIAL_TAG))
    if existing:
        span = None if self_closing else _existing_credential_span(svg_text, tag_end)
        if span is None or len(existing) > 1 or root[0] is not existing[0]:
            raise MalformedCredential("the SVG already carries a credential we cannot replace safely")
        body_end = span[1]
    if payload_kind(payload) == "json":
        cdata = _xml_safe_json(payload).replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>"
    else:
        element = f'<openbadges:credential verify="{payload}"/>'
    head = start_tag[:-2] if self_closing else start_tag[:-1]
    if not declared:
        head += f' xmlns:openbadges="{OB_NAMESPACE}"'
    if self_closing:
        name = re.match(r"<([^\s/>]+)", start_tag)
        assert name is not None  # the parser accepted this start tag
        baked = f"{svg_text[:root_start]}{head}>{element}</{name.group(1)}>{svg_text[tag_end:]}"
    else:
        baked = f"{svg_text[:root_start]}{head}>{element}{svg_text[body_end:]}"
    # The text was edited, not re-serialised: prove the result is an SVG carrying exactly one
    # credential, the one just baked, before anyone downloads it.
    carried = list(_parse_svg(baked, max_bytes + len(element)).iter(_CREDENTIAL_TAG))
    if len(carried) != 1:
        raise MalformedCredential("the SVG would carry more than one credential")
    return baked


def unbake_svg(svg: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The credential carried by the first ``openbadges:credential`` element."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    root = _parse_svg(text, max_bytes)
    element = next(root.iter(_CREDENTIAL_TAG), None)
    if element is None:
        return _unbake_ob2_svg(root)
    value = element.get("verify") or (element.text or "")
    if not value.strip():
        raise MalformedCredential("the openbadges:credential element is empty")
    return value.strip()


def _unbake_ob2_svg(root: Element) -> str:
    """An Open Badges 2.0 ``<openbadges:assertion>``: its JSON body if it has one (the
    ``verify`` attribute then only repeats the hosted URL), else ``verify`` (a JWS or a URL)."""
    element = next(root.iter(_OB2_ASSERTION_TAG), None)
    if element is None:
        raise MalformedCredential(
            "the SVG carries no openbadges:credential element (nor an Open Badges 2.0 openbadges:assertion)"
        )
    value = (element.text or "").strip() or (element.get("verify") or "").strip()
    if not value:
        raise MalformedCredential("the openbadges:assertion element is empty")
    return value


# --- Detection -------------------------------------------------------------------------


def detect_and_extract(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Kind, str]:
    """Recognise a presented file: ``("png"|"svg"|"pdf"|"json"|"jwt", credential text)``.

    For images the text is what was baked (JSON or a compact JWS); see :func:`payload_kind`.
    """
    if len(data) > max_bytes:
        raise MalformedCredential(f"input is larger than {max_bytes} bytes")
    if data.startswith(PNG_SIGNATURE):
        return "png", unbake_png(data, max_bytes=max_bytes)
    if is_pdf(data):
        # A PDF certificate: the credential is an attached file, never the printed page (vc/pdf.py).
        return "pdf", extract_pdf_credential(data, max_bytes=max_bytes)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredential("input is neither a PNG nor UTF-8 text") from exc
    if text.startswith("{"):
        try:
            if isinstance(load_json(text, what="the credential"), dict):
                return "json", text
        except ValueError as exc:
            raise MalformedCredential(f"input looks like JSON but does not parse: {exc}") from exc
    if _COMPACT_JWS.fullmatch(text):
        return "jwt", text
    if text.startswith("<"):
        return "svg", unbake_svg(text, max_bytes=max_bytes)
    raise MalformedCredential("unrecognised credential format (expected JSON, JWT, PNG or SVG)")


def payload_kind(text: str) -> Literal["json", "jwt"]:
    """Whether a baked payload is credential JSON or a compact JWS."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            if isinstance(load_json(stripped, what="the baked credential"), dict):
                return "json"
        except ValueError as exc:
            raise MalformedCredential(f"payload looks like JSON but does not parse: {exc}") from exc
    if _COMPACT_JWS.fullmatch(stripped):
        return "jwt"
    raise MalformedCredential("baked payload is neither JSON nor a compact JWS")
