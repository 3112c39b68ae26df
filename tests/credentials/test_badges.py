"""Baked badge images (issue 11 §4, ADR 0044): PNG and SVG downloads holding the signed credential
by the OB 3.0 baking rules, drawn from the provider's colour and the level when the author gave no
artwork; re-baking replaces; every download verifies in our verifier, in ``microcred verify`` and
in the JavaScript reference stack; never made for a credential that does not hold; a private
credential's badge for its holder only.

The baked credential is read back with other readers than ours where that is possible (Pillow's
PNG text chunks, the standard library's XML parser), so that a reader bug of ours cannot hide a
baking bug of ours."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import struct
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image

from bench import peer
from microcred.accounts.services import organisation_update
from microcred.catalog.models import MicroCredential
from microcred.core.clock import now
from microcred.credentials.badges.artwork import PNG_SCALE, SIZE
from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke, credential_sharing_update, credential_suspend
from microcred.credentials.vc.baking import OB_NAMESPACE, bake_png, bake_svg, unbake_png, unbake_svg
from microcred.verification.services import verify_credential
from tests.factories import UserFactory

from .conftest import SITE, complete, served_contexts
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db
INDIGO = (49, 46, 129)  # #312e81, the default
TEAL = (15, 118, 110)  # #0f766e


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def download(client: Client, credential: Credential, badge_format: str, **headers):
    return client.get(f"/credentials/{credential.uuid}/badge.{badge_format}", **headers)


def holder_badge(world, credential: Credential, badge_format: str) -> bytes:
    client = Client()
    client.force_login(world.learner)
    response = download(client, credential, badge_format)
    assert response.status_code == 200, response.content[:500]
    return response.content


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunks.append((data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def credential_chunks(data: bytes) -> list[bytes]:
    """Every text chunk naming an Open Badges credential, whatever its kind."""
    return [
        body
        for kind, body in png_chunks(data)
        if kind in (b"iTXt", b"tEXt", b"zTXt") and body.split(b"\0")[0] in (b"openbadgecredential", b"openbadges")
    ]


def pillow_text(png: bytes) -> str:
    """The credential as Pillow's PNG decoder reads the iTXt chunk (not our reader)."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return image.text["openbadgecredential"]


def svg_credential_elements(svg: bytes) -> list[ET.Element]:
    """The credential elements as the standard library's parser finds them (not our reader)."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return list(root.iter(f"{{{OB_NAMESPACE}}}credential"))


def svg_text(svg: bytes) -> str:
    (element,) = svg_credential_elements(svg)
    return (element.text or "").strip()


def pixels_near(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 10) -> int:
    return sum(
        count
        for count, colour in image.getcolors(maxcolors=image.width * image.height)
        if all(abs(a - b) <= tolerance for a, b in zip(colour[:3], rgb, strict=True))
    )


def png_image(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGBA")


# --- What is downloaded --------------------------------------------------------------------


def test_the_png_carries_the_signed_credential_in_one_itxt_chunk(world, issued, client):
    client.force_login(world.learner)
    response = download(client, issued, "png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="badge-{issued.uuid}.png"'
    png = response.content
    (chunk,) = credential_chunks(png)
    # keyword, NUL, no compression (flag 0, method 0), empty language tag, empty translated keyword
    assert chunk.startswith(b"openbadgecredential\x00\x00\x00\x00\x00{")
    assert json.loads(pillow_text(png)) == issued.document
    assert unbake_png(png) == pillow_text(png)
    image = png_image(png)
    assert image.size == (SIZE * PNG_SCALE, SIZE * PNG_SCALE)


def test_the_svg_carries_the_signed_credential_in_one_element(world, issued):
    svg = holder_badge(world, issued, "svg")
    text = svg.decode("utf-8")
    assert f'xmlns:openbadges="{OB_NAMESPACE}"' in text
    # Directly after the <svg> start tag, the JSON wrapped in CDATA (no verify attribute: the
    # credential has an embedded proof, not a VC-JWT).
    start_tag_end = text.index(">", text.index("<svg")) + 1
    assert text[start_tag_end:].startswith("<openbadges:credential><![CDATA[{")
    (element,) = svg_credential_elements(svg)
    assert element.get("verify") is None
    assert json.loads(svg_text(svg)) == issued.document
    assert unbake_svg(svg) == svg_text(svg)


def test_downloads_are_deterministic_and_revalidated_by_etag(world, issued, client):
    client.force_login(world.learner)
    for badge_format in ("png", "svg"):
        first, second = download(client, issued, badge_format), download(client, issued, badge_format)
        assert first.content == second.content
        assert first["ETag"] == second["ETag"]
        assert first["Cache-Control"] == "private, no-cache"
        assert first["X-Content-Type-Options"] == "nosniff"
        again = download(client, issued, badge_format, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"]
    # The artwork follows the provider's colour, and so does the ETag.
    before = download(client, issued, "png")["ETag"]
    organisation_update(actor=world.owner, organisation=world.provider, brand_colour="#0f766e")
    changed = download(client, issued, "png", HTTP_IF_NONE_MATCH=before)
    assert changed.status_code == 200 and changed["ETag"] != before


def test_an_svg_download_may_not_run_anything(world, issued, client):
    client.force_login(world.learner)
    policy = download(client, issued, "svg")["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy


# --- It verifies ---------------------------------------------------------------------------


@pytest.mark.parametrize("badge_format", ["png", "svg"])
def test_every_download_verifies_in_our_verifier_and_the_cli(world, issued, tmp_path, badge_format):
    badge = holder_badge(world, issued, badge_format)
    report = verify_credential(data=badge)
    assert report.valid, [step.to_json() for step in report.steps]
    assert report.format == badge_format
    assert report.verdict.value == "valid"

    path = tmp_path / f"badge.{badge_format}"
    path.write_bytes(badge)
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # the exit code is the verdicts' business; read the report
        call_command("verify", str(path), "--json", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue())
    assert result["outcome"] == "valid" and result["format"] == badge_format
    assert result["credential_id"] == issued.document["id"]


@pytest.mark.parametrize("badge_format", ["png", "svg"])
def test_a_badge_baked_with_a_changed_credential_is_not_valid(world, issued, badge_format):
    forged = copy.deepcopy(issued.document)
    forged["credentialSubject"]["achievement"]["name"] = "Brain Surgery, Advanced"
    badge = holder_badge(world, issued, badge_format)
    rebaked = bake_png(badge, forged) if badge_format == "png" else bake_svg(badge.decode(), forged).encode()
    report = verify_credential(data=rebaked)
    assert not report.valid
    assert report.verdict.value == "invalid"


@pytest.fixture(scope="module")
def js_peer() -> None:
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def js_verify(credential: Credential, presented: dict) -> dict:
    proof = credential.document["proof"][0]
    key = {
        "controller": credential.document["issuer"]["id"],
        "vmId": proof["verificationMethod"],
        "publicKeyMultibase": credential.issuer_key.public_key_multibase,
    }
    return peer.run_script(
        "verify.mjs", {"key": key, "credential": presented, "served": served_contexts(credential.document)}
    )


def test_every_download_verifies_in_the_javascript_reference_stack(js_peer, world, issued):
    """The JavaScript stack has no baking library: the credential is taken out of each image by
    Pillow (PNG) and the standard library's XML parser (SVG), and verified there."""
    png, svg = holder_badge(world, issued, "png"), holder_badge(world, issued, "svg")
    for extracted in (json.loads(pillow_text(png)), json.loads(svg_text(svg))):
        result = js_verify(issued, extracted)
        assert result["verified"] is True, result.get("error")
    tampered = json.loads(pillow_text(bake_png(png, {**issued.document, "name": "Something else"})))
    assert js_verify(issued, tampered)["verified"] is False


# --- Re-baking replaces ---------------------------------------------------------------------


def test_rebaking_a_downloaded_badge_replaces_the_credential(world, issued):
    png = holder_badge(world, issued, "png")
    other = {**issued.document, "id": "urn:uuid:00000000-0000-4000-8000-000000000001"}
    rebaked = bake_png(png, other)
    assert len(credential_chunks(rebaked)) == 1
    assert json.loads(pillow_text(rebaked))["id"] == other["id"]
    assert bake_png(rebaked, issued.document) == bake_png(png, issued.document)

    svg = holder_badge(world, issued, "svg")
    rebaked_svg = bake_svg(svg.decode(), other).encode()
    assert len(svg_credential_elements(rebaked_svg)) == 1
    assert rebaked_svg.count(b"xmlns:openbadges") == 1
    assert json.loads(svg_text(rebaked_svg))["id"] == other["id"]


def test_an_authors_artwork_that_was_already_baked_gets_only_our_credential(world, issued):
    stale = bake_png(_png_bytes((200, 30, 30)), {"id": "urn:uuid:stale"})
    # An OB 1.0 legacy chunk too: it would contradict the credential.
    iend = stale.rindex(b"IEND") - 4
    legacy = b"openbadges\x00https://old.example/assertion"
    chunk = struct.pack(">I", len(legacy)) + b"tEXt" + legacy + struct.pack(">I", _crc(b"tEXt" + legacy))
    stale = stale[:iend] + chunk + stale[iend:]
    _use_artwork(world.mc, "badges/stale.png", stale)
    png = holder_badge(world, issued, "png")
    assert len(credential_chunks(png)) == 1
    assert json.loads(pillow_text(png)) == issued.document
    assert pixels_near(png_image(png), (200, 30, 30)) > 50


# --- Who may download, and when ------------------------------------------------------------


def test_a_private_credentials_badge_is_for_its_holder_only(world, issued):
    credential_sharing_update(actor=world.learner, credential=issued, holder_name="shown", page_visibility="private")
    stranger = Client()
    stranger.force_login(UserFactory())
    for badge_format in ("png", "svg"):
        assert download(Client(), issued, badge_format).status_code == 404
        assert download(stranger, issued, badge_format).status_code == 404
        assert holder_badge(world, issued, badge_format)


def test_a_visitor_may_download_an_unlisted_credentials_badge(issued):
    response = download(Client(), issued, "png")
    assert response.status_code == 200
    assert json.loads(pillow_text(response.content)) == issued.document


def test_an_unknown_credential_has_no_badge(db, client):
    for badge_format in ("png", "svg"):
        assert client.get(f"/credentials/00000000-0000-4000-8000-000000000000/badge.{badge_format}").status_code == 404
    assert client.get("/credentials/not-a-uuid/badge.png").status_code == 404


@pytest.mark.parametrize("change", ["revoke", "suspend", "expire"])
def test_a_credential_that_does_not_hold_gets_its_status_not_a_badge(world, issued, client, change):
    client.force_login(world.learner)
    etag = download(client, issued, "png")["ETag"]
    if change == "revoke":
        credential_revoke(actor=world.owner, credential=issued, reason="Assessment misconduct")
        expected = "The issuer revoked this credential (Assessment misconduct)"
    elif change == "suspend":
        credential_suspend(actor=world.owner, credential=issued, reason="Under review")
        expected = "The issuer has suspended this credential (Under review)"
    else:
        Credential.objects.filter(pk=issued.pk).update(valid_until=now() - timedelta(days=1))
        expected = "This credential has expired"
    for badge_format in ("png", "svg"):
        response = download(client, issued, badge_format, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 409  # never a 304 for a copy cached while it held
        assert response["Content-Type"].startswith("text/html")
        assert expected in response.content.decode()
        assert "no badge image to download" in response.content.decode()
    page = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert "badge.png" not in page and "badge.svg" not in page
    assert "badge.png" not in client.get("/me/credentials/").content.decode()


def test_the_pages_offer_the_badge_to_holder_and_visitors(world, issued, client):
    anonymous = Client().get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert f"/credentials/{issued.uuid}/badge.png" in anonymous
    assert f"/credentials/{issued.uuid}/badge.svg" in anonymous
    client.force_login(world.learner)
    mine = client.get("/me/credentials/").content.decode()
    assert f"/credentials/{issued.uuid}/badge.png" in mine


# --- The artwork ---------------------------------------------------------------------------


def _png_bytes(rgb: tuple[int, int, int], size: tuple[int, int] = (64, 64), image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, rgb).save(buffer, format=image_format)
    return buffer.getvalue()


def _crc(data: bytes) -> int:
    import zlib

    return zlib.crc32(data)


def _use_artwork(mc: MicroCredential, name: str, data: bytes) -> str:
    stored = default_storage.save(name, ContentFile(data))
    MicroCredential.objects.filter(pk=mc.pk).update(image_url=f"{SITE}/media/{stored}")
    return stored


def test_without_artwork_the_badge_is_drawn_in_the_providers_colour(world, issued):
    default = png_image(holder_badge(world, issued, "png"))
    assert pixels_near(default, INDIGO) > 50_000
    assert pixels_near(default, TEAL) == 0
    assert 'fill="#312e81"' in holder_badge(world, issued, "svg").decode()

    organisation_update(actor=world.owner, organisation=world.provider, brand_colour="#0f766e")
    branded = png_image(holder_badge(world, issued, "png"))
    assert pixels_near(branded, TEAL) > 50_000
    assert pixels_near(branded, INDIGO) == 0
    svg = holder_badge(world, issued, "svg").decode()
    assert 'fill="#0f766e"' in svg
    assert f"EQF LEVEL {world.mc.eqf_level}" in svg
    assert world.mc.title in svg


@pytest.mark.parametrize(
    ("title", "provider"), [("مقدمة في علم البيانات", "جامعة القاهرة"), ("מבוא למדעי המחשב", "כל אקדמיה")]
)
def test_a_badge_titled_in_another_script_is_drawn_and_still_verifies(world, issued, title, provider):
    MicroCredential.objects.filter(pk=world.mc.pk).update(title=title)
    type(world.provider).objects.filter(pk=world.provider.pk).update(name=provider)
    png = holder_badge(world, issued, "png")
    svg = holder_badge(world, issued, "svg").decode()
    assert title.split()[0] in svg and 'direction="rtl"' in svg
    for badge in (png, svg.encode()):
        report = verify_credential(data=badge)
        assert report.valid, [step.to_json() for step in report.steps]


def test_the_achievement_image_is_the_same_default_design(world, issued, client):
    organisation_update(actor=world.owner, organisation=world.provider, brand_colour="#0f766e")
    image = client.get(f"/achievements/{world.mc.public_id}/image.svg")
    assert image.status_code == 200
    baked = holder_badge(world, issued, "svg").decode()
    # The baked SVG is the achievement's image with the credential inserted after the start tag.
    start_tag_end = baked.index(">") + 1
    element_end = baked.index("</openbadges:credential>") + len("</openbadges:credential>")
    unbaked = baked[:start_tag_end].replace(f' xmlns:openbadges="{OB_NAMESPACE}"', "") + baked[element_end:]
    assert unbaked == image.content.decode()


def test_the_authors_raster_artwork_is_baked_when_this_site_serves_it(world, issued):
    _use_artwork(world.mc, "badges/red.jpg", _png_bytes((200, 30, 30), (300, 200), "JPEG"))
    png = holder_badge(world, issued, "png")
    image = png_image(png)
    assert image.size == (300, 200)
    assert pixels_near(image, (200, 30, 30), tolerance=16) > 50_000
    assert json.loads(pillow_text(png)) == issued.document
    # The SVG carries the same artwork as an embedded image, and the credential.
    svg = holder_badge(world, issued, "svg")
    assert b'href="data:image/png;base64,' in svg
    assert json.loads(svg_text(svg)) == issued.document


def test_the_authors_svg_artwork_is_baked_into_the_svg_and_the_png_falls_back(world, issued):
    artwork = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect id="authors-own" width="10" height="10"/></svg>'
    _use_artwork(world.mc, "badges/own.svg", artwork.encode())
    svg = holder_badge(world, issued, "svg")
    assert b'id="authors-own"' in svg
    assert json.loads(svg_text(svg)) == issued.document
    assert pixels_near(png_image(holder_badge(world, issued, "png")), INDIGO) > 50_000  # the default


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("badges/broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
        ("badges/broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>"),
        ("badges/text.txt", b"not an image at all"),
    ],
)
def test_unusable_artwork_falls_back_to_the_default(world, issued, name, data):
    _use_artwork(world.mc, name, data)
    assert pixels_near(png_image(holder_badge(world, issued, "png")), INDIGO) > 50_000
    svg = holder_badge(world, issued, "svg")
    assert b'fill="#312e81"' in svg
    assert json.loads(svg_text(svg)) == issued.document


def test_artwork_elsewhere_is_never_fetched(world, issued):
    MicroCredential.objects.filter(pk=world.mc.pk).update(image_url="https://cdn.example/badge.png")
    # No network in tests: a fetch would fail loudly; the default is baked instead.
    assert pixels_near(png_image(holder_badge(world, issued, "png")), INDIGO) > 50_000
