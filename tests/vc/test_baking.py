"""OB 3.0 baking into PNG and SVG, unbaking, and format detection."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from microcred.credentials.vc.baking import (
    OB_NAMESPACE,
    bake_png,
    bake_svg,
    detect_and_extract,
    unbake_png,
    unbake_svg,
)
from microcred.credentials.vc.errors import MalformedCredential

CREDENTIAL = {"id": "https://academy.example/credentials/1", "name": "Badge ]]> with CDATA end", "x": "é"}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 30, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        out.append((data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return out


def test_png_round_trip_json_and_layout() -> None:
    baked = bake_png(_png(), CREDENTIAL)
    assert json.loads(unbake_png(baked)) == CREDENTIAL
    chunks = _chunks(baked)
    assert [kind for kind, _ in chunks][-2:] == [b"iTXt", b"IEND"]
    body = chunks[-2][1]
    # keyword, NUL, compression flag 0, method 0, empty language tag, empty translated keyword
    assert body.startswith(b"openbadgecredential\x00\x00\x00\x00\x00{")
    with Image.open(io.BytesIO(baked)) as image:  # still a valid image for real decoders
        image.load()
        assert image.size == (8, 8)


def test_png_rebake_replaces_the_chunk() -> None:
    baked = bake_png(bake_png(_png(), CREDENTIAL), JWS)
    assert unbake_png(baked) == JWS
    keywords = [body.split(b"\0")[0] for kind, body in _chunks(baked) if kind == b"iTXt"]
    assert keywords == [b"openbadgecredential"]


def test_png_corrupt_crc_is_refused() -> None:
    baked = bytearray(bake_png(_png(), JWS))
    position = baked.index(b"openbadgecredential") + 30
    baked[position] ^= 0xFF
    with pytest.raises(MalformedCredential, match="bad CRC"):
        unbake_png(bytes(baked))
    with pytest.raises(MalformedCredential, match="bad CRC"):
        bake_png(bytes(baked), JWS)


def test_png_errors() -> None:
    with pytest.raises(MalformedCredential, match="no openbadgecredential"):
        unbake_png(_png())
    with pytest.raises(MalformedCredential, match="not a PNG"):
        unbake_png(b"GIF89a....")
    with pytest.raises(MalformedCredential, match=r"truncated|past the end"):
        unbake_png(bake_png(_png(), JWS)[:-20])
    with pytest.raises(MalformedCredential, match="larger than"):
        bake_png(_png(), JWS, max_bytes=50)


def test_png_compressed_chunk_is_read_with_a_cap() -> None:
    png = _png()
    text = zlib.compress(JWS.encode())
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + text
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    iend = png.rindex(b"IEND") - 4
    assert unbake_png(png[:iend] + chunk + png[iend:]) == JWS
    bomb = zlib.compress(b"a" * 5_000_000)
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    with pytest.raises(MalformedCredential, match="expands too far"):
        unbake_png(png[:iend] + chunk + png[iend:], max_bytes=1_000_000)


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- artwork -->\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-x="a>b">'
    '<circle cx="5" cy="5" r="4"/></svg>\n'
)


def test_svg_round_trip_json_and_jws() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    assert f'xmlns:openbadges="{OB_NAMESPACE}"' in baked
    assert '<openbadges:credential><![CDATA[{"id"' in baked
    assert baked.startswith(SVG.split("<svg")[0])  # prolog untouched
    assert baked.endswith('<circle cx="5" cy="5" r="4"/></svg>\n')
    assert json.loads(unbake_svg(baked)) == CREDENTIAL
    jws_baked = bake_svg(SVG, JWS)
    assert f'<openbadges:credential verify="{JWS}"/>' in jws_baked
    assert unbake_svg(jws_baked) == JWS


def test_svg_rebake_replaces_and_keeps_one_namespace_declaration() -> None:
    baked = bake_svg(bake_svg(SVG, CREDENTIAL), JWS)
    assert unbake_svg(baked) == JWS
    assert baked.count("openbadges:credential") == 1
    assert baked.count("xmlns:openbadges") == 1
    assert bake_svg(baked, CREDENTIAL) == bake_svg(SVG, CREDENTIAL)


def test_self_closing_svg() -> None:
    baked = bake_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert baked == (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB_NAMESPACE}">'
        f'<openbadges:credential verify="{JWS}"/></svg>'
    )


def test_svg_entities_and_bad_input_are_refused() -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    )
    with pytest.raises(MalformedCredential, match="refused"):
        unbake_svg(xxe)
    laughs = '<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg>&b;</svg>'
    with pytest.raises(MalformedCredential, match="refused"):
        bake_svg(laughs, JWS)
    with pytest.raises(MalformedCredential, match="not <svg>"):
        bake_svg("<html/>", JWS)
    with pytest.raises(MalformedCredential, match="well-formed"):
        bake_svg("<svg><g></svg>", JWS)
    with pytest.raises(MalformedCredential, match="no openbadges:credential"):
        unbake_svg(SVG)
    with pytest.raises(MalformedCredential, match="larger than"):
        unbake_svg(SVG, max_bytes=10)
    with pytest.raises(MalformedCredential, match="neither JSON nor"):
        bake_svg(SVG, "not a credential")


def test_credential_in_an_unexpected_place_is_not_silently_duplicated() -> None:
    odd = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="{OB_NAMESPACE}"><g/><ob:credential verify="{JWS}"/></svg>'
    assert unbake_svg(odd) == JWS
    with pytest.raises(MalformedCredential, match="cannot replace"):
        bake_svg(odd, CREDENTIAL)


def test_detect_and_extract() -> None:
    assert detect_and_extract(bake_png(_png(), JWS)) == ("png", JWS)
    assert detect_and_extract(bake_svg(SVG, JWS).encode()) == ("svg", JWS)
    text = json.dumps(CREDENTIAL)
    assert detect_and_extract(("\ufeff " + text + "\n").encode()) == ("json", text)
    assert detect_and_extract(f"{JWS}\n".encode()) == ("jwt", JWS)
    for garbage in (b"\x00\x01\x02", b"hello world", b"{not json", b"[1, 2]", b"\xff\xfe"):
        with pytest.raises(MalformedCredential):
            detect_and_extract(garbage)
    with pytest.raises(MalformedCredential, match="larger than"):
        detect_and_extract(b"{}" * 100, max_bytes=10)
