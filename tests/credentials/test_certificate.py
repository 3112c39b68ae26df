"""PDF certificates (issue 11 §3): drawn in the provider's design on A4 and Letter, with a QR code
to the verification page and the signed credential attached, so that the PDF itself verifies;
never made for a credential that does not hold; private ones for their holder only.

Each PDF is rasterised with PDFium (pypdfium2) and read back with pypdf, as a person's reader
and a verifier's would."""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pypdf
import pypdfium2 as pdfium
import pytest
import segno
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image

from microcred.accounts.services import organisation_update
from microcred.core.clock import now
from microcred.credentials.certificates.content import certificate_content
from microcred.credentials.certificates.layout import qr_box, render_certificate
from microcred.credentials.models import Credential
from microcred.credentials.services import credential_revoke, credential_sharing_update, credential_suspend
from microcred.verification.services import verify_credential
from tests.factories import UserFactory

from .conftest import SITE, complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db
SCALE = 4  # pixels per point when rasterising


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def download(client: Client, credential: Credential, paper: str | None = "a4"):
    query = f"?paper={paper}" if paper else ""
    return client.get(f"/credentials/{credential.uuid}/certificate.pdf{query}")


def holder_pdf(world, credential: Credential, paper: str = "a4") -> bytes:
    client = Client()
    client.force_login(world.learner)
    response = download(client, credential, paper)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def page_image(pdf: bytes) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    return document[0].render(scale=SCALE).to_pil().convert("RGB")


def page_text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def attachments(pdf: bytes) -> dict[str, pypdf.generic.EmbeddedFile]:
    return {item.name: item for item in pypdf.PdfReader(io.BytesIO(pdf)).attachment_list}


def pixels_near(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        count
        for count, colour in image.getcolors(maxcolors=image.width * image.height)
        if all(abs(a - b) <= tolerance for a, b in zip(colour, rgb, strict=True))
    )


def verify_url(credential: Credential) -> str:
    return f"{SITE}/verify/?" + urlencode({"url": f"{SITE}/credentials/{credential.uuid}"})


# --- The page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("a4", (842, 595)), ("letter", (792, 612))])
def test_each_paper_is_a_landscape_page_of_its_size(world, issued, paper, size):
    pdf = holder_pdf(world, issued, paper)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == size


def test_the_default_paper_is_a4_and_an_unknown_one_is_not_found(world, issued, client):
    client.force_login(world.learner)
    response = download(client, issued, paper=None)
    assert response.status_code == 200
    assert round(pdfium.PdfDocument(response.content)[0].get_size()[0]) == 842
    assert 'filename="certificate-' in response["Content-Disposition"]
    assert download(client, issued, "tabloid").status_code == 404


def test_the_page_says_what_was_achieved_by_whom_from_whom(world, issued):
    world.mc.refresh_from_db()
    text = page_text(holder_pdf(world, issued))
    assert issued.document["credentialSubject"]["achievement"]["name"] in re.sub(r"\s+", " ", text)
    assert "Example Academy" in text
    description = issued.document["credentialSubject"]["achievement"]["description"]
    assert " ".join(description.split()[:6]) in " ".join(text.split())
    assert "Ada Lovelace" in text
    assert f"EQF LEVEL\n{world.mc.eqf_level}" in text
    assert f"{world.mc.workload_hours} h" in text
    assert f"{SITE}/credentials/{issued.uuid}" in text
    # The name is the holder's claim: the page says what the signature identifies instead.
    assert "the signed credential identifies the holder of a hashed e-mail address" in text


def test_the_brand_colour_frames_the_page_and_defaults_to_the_site_palette(world, issued):
    teal = (15, 118, 110)
    default = page_image(holder_pdf(world, issued))
    assert pixels_near(default, (49, 46, 129)) > 20_000  # #312e81
    assert pixels_near(default, teal) == 0

    organisation_update(actor=world.owner, organisation=world.provider, brand_colour="#0f766e")
    branded = page_image(holder_pdf(world, issued))
    assert pixels_near(branded, teal) > 20_000
    assert pixels_near(branded, (49, 46, 129)) == 0


def test_the_qr_code_encodes_the_verification_page(world, issued):
    """Read the drawn code back module by module and compare it with the code of the
    verification URL: a blank, misplaced or different code fails."""
    image = page_image(holder_pdf(world, issued)).convert("L")
    expected = [list(row) for row in segno.make_qr(verify_url(issued), error="m").matrix]
    box = qr_box("a4")
    module = box.width / len(expected)
    drawn = [
        [
            image.getpixel(
                (int((box.x + (column + 0.5) * module) * SCALE), int((box.y + (row + 0.5) * module) * SCALE))
            )
            < 128
            for column in range(len(expected))
        ]
        for row in range(len(expected))
    ]
    assert drawn == [[bool(cell) for cell in row] for row in expected]
    assert verify_url(issued) in page_text(holder_pdf(world, issued))


def test_signatories_from_the_profile_are_printed(world, issued):
    organisation_update(
        actor=world.owner,
        organisation=world.provider,
        certificate_signatories=[
            {"name": "Dr. Ana Pérez", "title": "Dean of Studies"},
            {"name": "Jonas Müller", "title": "Programme director"},
        ],
    )
    text = page_text(holder_pdf(world, issued))
    assert "Dr. Ana Pérez" in text and "Dean of Studies" in text
    assert "Jonas Müller" in text and "Programme director" in text


def test_a_logo_served_by_the_site_is_drawn_and_one_elsewhere_is_skipped(world, issued):
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(logo, format="PNG")
    name = default_storage.save("logos/example-academy.png", ContentFile(logo.getvalue()))

    def images_on_page(pdf: bytes) -> int:
        return len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images)

    assert images_on_page(holder_pdf(world, issued)) == 0
    organisation_update(actor=world.owner, organisation=world.provider, logo_url=f"{SITE}/media/{name}")
    pdf = holder_pdf(world, issued)
    assert images_on_page(pdf) == 1
    assert pixels_near(page_image(pdf), (200, 30, 30)) > 1000
    organisation_update(actor=world.owner, organisation=world.provider, logo_url="https://cdn.example/logo.png")
    assert images_on_page(holder_pdf(world, issued)) == 0


# --- Names and who may download ------------------------------------------------------------


def test_a_hidden_name_is_left_off_for_visitors_but_the_holder_gets_theirs(world, issued):
    credential_sharing_update(actor=world.learner, credential=issued, holder_name="hidden", page_visibility="unlisted")
    visitor = Client().get(f"/credentials/{issued.uuid}/certificate.pdf")
    assert visitor.status_code == 200
    text = page_text(visitor.content)
    assert "Ada Lovelace" not in text
    assert "the holder of a hashed e-mail address" in text
    assert "Ada Lovelace" in page_text(holder_pdf(world, issued))


def test_a_private_credentials_certificate_is_for_its_holder_only(world, issued):
    credential_sharing_update(actor=world.learner, credential=issued, holder_name="shown", page_visibility="private")
    assert Client().get(f"/credentials/{issued.uuid}/certificate.pdf").status_code == 404
    stranger = Client()
    stranger.force_login(UserFactory())
    assert download(stranger, issued).status_code == 404
    assert holder_pdf(world, issued)[:5] == b"%PDF-"


def test_an_unknown_credential_has_no_certificate(db, client):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000/certificate.pdf").status_code == 404


# --- Status wins over celebration -----------------------------------------------------------


@pytest.mark.parametrize("change", ["revoke", "suspend", "expire"])
def test_a_credential_that_does_not_hold_gets_its_status_not_a_certificate(world, issued, client, change):
    if change == "revoke":
        credential_revoke(actor=world.owner, credential=issued, reason="Assessment misconduct")
        expected = "The issuer revoked this credential (Assessment misconduct)"
    elif change == "suspend":
        credential_suspend(actor=world.owner, credential=issued, reason="Under review")
        expected = "The issuer has suspended this credential (Under review)"
    else:
        Credential.objects.filter(pk=issued.pk).update(valid_until=now() - timedelta(days=1))
        expected = "This credential has expired"
    client.force_login(world.learner)
    response = download(client, issued)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert expected in response.content.decode()
    assert "no certificate to download" in response.content.decode()
    # Nor do the pages offer one.
    page = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert "certificate.pdf" not in page
    assert "certificate.pdf" not in client.get("/me/credentials/").content.decode()


def test_the_pages_offer_the_certificate_to_holder_and_visitors(world, issued, client):
    link = f"/credentials/{issued.uuid}/certificate.pdf?paper="
    anonymous = Client().get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert link + "a4" in anonymous and link + "letter" in anonymous
    client.force_login(world.learner)
    assert link + "a4" in client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).content.decode()
    assert link + "a4" in client.get("/me/credentials/").content.decode()


# --- The PDF verifies itself ---------------------------------------------------------------


def test_the_attached_credential_is_the_stored_document_and_the_pdf_verifies(world, issued, tmp_path):
    pdf = holder_pdf(world, issued)
    files = attachments(pdf)
    assert set(files) == {"credential.json", "credential.jwt"}
    assert files["credential.json"].subtype == "/application/vc+ld+json"
    assert files["credential.json"].associated_file_relationship == "/Data"
    assert json.loads(files["credential.json"].content) == issued.document
    assert files["credential.jwt"].content.decode() == issued.jwt
    assert files["credential.jwt"].subtype == "/application/vc+jwt"

    report = verify_credential(data=pdf)
    assert report.valid, [step.to_json() for step in report.steps]
    assert report.format == "pdf"
    assert "attached to a PDF" in report.steps[0].reason

    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # the exit code is the verdicts' business; read the report
        call_command("verify", str(path), "--json", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue())
    assert result["outcome"] == "valid" and result["format"] == "pdf"
    assert result["credential_id"] == issued.document["id"]


def test_a_pdf_whose_attached_credential_was_changed_is_invalid(world, issued):
    forged = json.loads(json.dumps(issued.document))
    forged["credentialSubject"]["achievement"]["name"] = "Brain Surgery, Advanced"
    content = certificate_content(credential=issued, viewer=world.learner, now=now())
    pdf = render_certificate(
        replace(content, credential_json=json.dumps(forged).encode(), credential_jwt=""), paper="a4"
    )
    assert "Brain Surgery" not in page_text(pdf)  # the page still shows the real name...
    report = verify_credential(data=pdf)  # ...but what is verified is the attachment
    assert not report.valid
    assert report.outcome.value not in ("valid", "malformed")


def test_a_pdf_without_an_attached_credential_is_unreadable_with_a_reason(db):
    from fpdf import FPDF

    plain = FPDF()
    plain.add_page()
    plain.set_font("helvetica", size=20)
    plain.cell(text="Certificate of Achievement: trust me")
    report = verify_credential(data=bytes(plain.output()))
    assert report.outcome.value == "malformed"
    assert "no embedded credential" in report.steps[0].reason


def test_the_page_prints_the_descriptions_first_paragraph_as_text_not_its_markdown(world, issued):
    description = (
        "Tidy **real** data with [pandas](https://pandas.pydata.org) — no prior experience needed.\n\n"
        "Learning outcomes:\n- Load CSV data.\n- Reshape tables."
    )
    issued.document["credentialSubject"]["achievement"]["description"] = description
    content = certificate_content(credential=issued, viewer=world.learner, now=now())
    assert content.description == "Tidy real data with pandas — no prior experience needed."
    text = " ".join(page_text(render_certificate(content, paper="a4")).split())
    assert "Tidy real data with pandas — no prior experience needed." in text
    assert "Learning outcomes" not in text and "**" not in text and "https://pandas" not in text
