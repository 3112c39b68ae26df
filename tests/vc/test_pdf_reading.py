"""Reading the credential a PDF carries as an attachment (vc/pdf.py), through the verifier's
READ step: which attachment is the credential, and a clear reason for every PDF that has none."""

from __future__ import annotations

import json

import pytest
from fpdf import FPDF

from microcred.credentials.vc.baking import detect_and_extract
from microcred.credentials.vc.errors import MalformedCredential
from microcred.credentials.vc.pdf import extract_pdf_credential, is_pdf
from microcred.credentials.vc.verifier.reading import read_presented

CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "id": "urn:x"}
TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"
LIMIT = 1024 * 1024


def pdf_with(*files: tuple[str, bytes, str | None], password: str | None = None) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=14)
    document.cell(text="Certificate")
    for name, content, mime in files:
        document.embed_file(bytes=content, basename=name, mime_type=mime)
    if password is not None:
        document.set_encryption(owner_password=password, user_password=password)
    return bytes(document.output())


def test_our_certificates_attachment_is_read_and_the_read_step_says_it_came_from_a_pdf():
    pdf = pdf_with(
        ("credential.jwt", TOKEN.encode(), "application/vc+jwt"),
        ("credential.json", json.dumps(CREDENTIAL).encode(), "application/vc+ld+json"),
    )
    assert detect_and_extract(pdf) == ("pdf", json.dumps(CREDENTIAL))
    presented = read_presented(pdf)
    assert presented.container == "pdf" and presented.payload == "json"
    assert presented.credential == CREDENTIAL
    assert presented.description == "Extracted a JSON credential attached to a PDF (its printed text is not verified)."


def test_another_issuers_names_are_recognised_by_type_or_extension_json_first():
    by_type = pdf_with(
        ("readme.txt", b"hello", "text/plain"), ("badge", json.dumps(CREDENTIAL).encode(), "application/ld+json")
    )
    assert extract_pdf_credential(by_type, max_bytes=LIMIT) == json.dumps(CREDENTIAL)
    jwt_then_json = pdf_with(("vc.jwt", TOKEN.encode(), None), ("vc.json", json.dumps(CREDENTIAL).encode(), None))
    assert extract_pdf_credential(jwt_then_json, max_bytes=LIMIT) == json.dumps(CREDENTIAL)


def test_a_pdf_with_only_a_vc_jwt_gives_the_token():
    pdf = pdf_with(("credential.jwt", TOKEN.encode() + b"\n", "application/vc+jwt"))
    presented = read_presented(pdf)
    assert presented.payload == "jwt" and presented.token == TOKEN
    assert "VC-JWT" in presented.description and "PDF" in presented.description


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (pdf_with(), "carries no embedded credential"),
        (pdf_with(("photo.png", b"\x89PNG....", "image/png")), "carries no embedded credential"),
        (pdf_with(("credential.json", b"\xff\xfe\x00bad", None)), "is not UTF-8 text"),
        (pdf_with(("credential.json", b"  \n", None)), "is empty"),
        (pdf_with(("credential.json", b"{}", None), password="secret"), "encrypted"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "the PDF"),
    ],
    ids=["no-attachment", "no-credential-among-them", "not-utf8", "empty", "encrypted", "garbage"],
)
def test_a_pdf_without_a_readable_credential_is_malformed_with_its_reason(pdf, reason):
    with pytest.raises(MalformedCredential, match=reason):
        read_presented(pdf)


def test_an_attachment_past_the_limit_is_refused():
    pdf = pdf_with(("credential.json", b"{" + b" " * 5000 + b"}", None))
    with pytest.raises(MalformedCredential, match="larger than"):
        extract_pdf_credential(pdf, max_bytes=4000)


def test_only_a_file_that_opens_as_a_pdf_is_taken_for_one():
    assert is_pdf(b"%PDF-1.4\n...") and is_pdf(b"\n  %PDF-1.7\n")
    # A JSON credential that mentions the header is still JSON.
    text = json.dumps({**CREDENTIAL, "name": "%PDF-1.4 for beginners"}).encode()
    assert not is_pdf(text)
    assert detect_and_extract(text)[0] == "json"
