"""Importing credentials earned elsewhere on the portfolio page: every format the verifier reads,
each verified first and shown with its verdict; their skills join the learner's verified skills,
and one revoked later stops counting once re-checked (``microcred imports recheck``).

"Elsewhere" is our own issuer for the formats (the verifier resolves its keys in-process), and a
foreign did:key issuer whose status list is served by a StaticFetcher for the revocation."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from microcred.careers.models import ExternalCredential
from microcred.careers.selectors import skill_profile
from microcred.core.clock import now
from microcred.credentials import vc
from microcred.credentials.certificates.content import certificate_pdf
from microcred.credentials.vc import ob3
from microcred.credentials.vc.baking import bake_png, bake_svg
from microcred.credentials.vc.fetch import StaticFetcher
from microcred.credentials.vc.verifier.memo import MEMO
from microcred.portfolio.models import ShownCredential
from microcred.portfolio.services import portfolio_save
from microcred.verification import services as verification_services
from microcred.verification.fetching import SiteFetcher
from tests.vc import ob2_world
from tests.verification.builders import SALT, SVG_IMAGE, Issuer, did_key_issuer, png_image, sign

pytestmark = pytest.mark.django_db


def import_file(client, name: str, content: bytes, *, show: bool = True):
    data = {"file": SimpleUploadedFile(name, content)}
    if show:
        data["show"] = "on"
    return client.post("/me/portfolio/import/", data, follow=True)


def ours_as(kind: str, careers) -> tuple[str, bytes]:
    """Ada's Tidy Data credential, issued by the real services, in the file format ``kind``."""
    credential = careers.credential()
    document = credential.document
    if kind == "json":
        return "tidy-data.json", json.dumps(document).encode()
    if kind == "jwt":
        return "tidy-data.jwt", credential.jwt.encode()
    if kind == "png":
        return "tidy-data.png", bake_png(png_image(), document)
    if kind == "svg":
        return "tidy-data.svg", bake_svg(SVG_IMAGE, document).encode()
    assert kind == "pdf"
    return "tidy-data.pdf", certificate_pdf(credential=credential, viewer=careers.learner, paper="a4", now=now())


@pytest.mark.parametrize("kind", ["json", "jwt", "png", "svg", "pdf"])
def test_each_file_format_is_verified_imported_and_shown_with_its_verdict(careers, signed_in, kind):
    careers.earn_elsewhere()
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    client = signed_in(careers.learner)
    name, content = ours_as(kind, careers)
    response = import_file(client, name, content)
    body = response.content.decode()
    assert "Verified and imported “Tidy Data from Example Academy”" in body, body[:2000]
    assert "shown on your portfolio" in body
    external = ExternalCredential.objects.get(user=careers.learner)
    assert (external.outcome, external.headline) == ("valid", "Valid credential")
    # The credential inside is kept as the JSON or VC-JWT it is, never the container.
    assert external.document.lstrip()[:1] in ("{", "e")
    read = next(step for step in external.report_summary if step["name"] == "read")
    if kind in ("png", "svg"):
        assert f"baked into a {kind.upper()} image" in read["reason"]
    if kind == "pdf":
        assert "attached to a PDF" in read["reason"]
    # Shown with its verification status, on the editor and on the public page.
    row = body[body.index(f'data-import="{external.pk}"') :]
    assert "Valid" in row[:600] and "checked" in row[:600]
    [entry] = [e for e in client.get("/p/ada").context["page"].entries if e.kind == "imported"]
    assert entry.status.startswith("Verified valid on ")
    # A re-check reads the kept text again.
    assert client.post(f"/me/portfolio/imports/{external.pk}/recheck/", follow=True).status_code == 200
    assert ExternalCredential.objects.get(pk=external.pk).outcome == "valid"


@pytest.mark.parametrize("kind", ["json", "png"])
def test_a_credential_issued_here_is_not_imported_a_second_time(careers, signed_in, kind):
    careers.complete()
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    name, content = ours_as(kind, careers)
    response = import_file(signed_in(careers.learner), name, content)
    assert response.status_code == 409
    assert "This credential was issued to you here: it is already in My credentials." in response.content.decode()
    assert not ExternalCredential.objects.exists()


def test_a_tampered_badge_is_refused_with_the_verifiers_reason_and_nothing_is_kept(careers, signed_in):
    careers.complete()
    document = careers.credential().document
    document["credentialSubject"]["achievement"]["name"] = "Advanced Data Science"
    response = import_file(signed_in(careers.learner), "badge.png", bake_png(png_image(), document))
    assert response.status_code == 422
    assert "Not valid" in response.content.decode()
    assert not ExternalCredential.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("plain.png", png_image()), ("empty.svg", SVG_IMAGE.encode()), ("broken.pdf", b"%PDF-1.7\n%%EOF")],
)
def test_a_file_without_a_credential_says_so(careers, signed_in, name, content):
    response = import_file(signed_in(careers.learner), name, content)
    assert response.status_code == 422
    form = response.context["import_form"]
    [problem] = form.errors["credential"]
    assert problem.endswith(". Upload the badge or certificate as you received it."), problem
    assert not ExternalCredential.objects.exists()


def test_a_file_over_the_limit_is_refused_before_verifying(careers, signed_in):
    response = import_file(signed_in(careers.learner), "huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "the limit is 2.0" in response.content.decode()


# -- an Open Badges 2.0 assertion, from an issuer that publishes its documents ---------------------


@pytest.fixture
def served(monkeypatch):
    """What other issuers publish, by URL: the verifier's document fetcher serves it (a
    StaticFetcher built afresh for each verification, so a document changed later is seen)."""
    documents: dict = {}
    monkeypatch.setattr(verification_services, "document_fetcher", lambda: SiteFetcher(remote=StaticFetcher(documents)))
    MEMO.clear()
    return documents


def test_an_open_badges_2_signed_assertion_is_imported_and_its_revocation_counts(careers, signed_in, served, settings):
    settings.MICROCRED_VERIFY_SANDBOX = False
    world = ob2_world.signed_world()
    served.update(world.documents)
    token = ob2_world.sign(ob2_world.signed_assertion(), ob2_world.rsa_key())
    portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    client = signed_in(careers.learner)
    body = import_file(client, "robot.jws", token.encode()).content.decode()
    assert "Verified and imported “Robot Wrangler from Example Robotics Guild”" in body, body[:3000]
    assert [e.title for e in client.get("/p/ada").context["page"].entries] == ["Robot Wrangler"]
    revocations = dict(served[ob2_world.REVOCATIONS_URL])
    revocations["revokedAssertions"] = [ob2_world.SIGNED_ID]
    served[ob2_world.REVOCATIONS_URL] = revocations
    out = io.StringIO()
    call_command("imports", "recheck", stdout=out, stderr=io.StringIO())
    assert "0 valid, 1 no longer counting (revoked: 1); 1 changed." in out.getvalue()
    assert client.get("/p/ada").context["page"].entries == ()


# -- a foreign OB 3.0 issuer whose status list flips to revoked --------------------------------------

LIST_URL = "https://lists.example/status/1"


def status_list(issuer: Issuer, *, revoked: bool) -> dict:
    bits = vc.StatusList()
    if revoked:
        bits.set(7)
    moment = now()
    unsigned = vc.build_status_list_credential(
        list_id=LIST_URL,
        issuer=issuer.id,
        status_list=bits,
        purpose="revocation",
        valid_from=moment - timedelta(days=1),
        valid_until=moment + timedelta(days=7),
    )
    return sign(unsigned, issuer)


def foreign_badge(issuer: Issuer, careers, *, valid_until: datetime | None = None) -> dict:
    """An OB 3.0 badge from another issuer, to Ada's address, aligned with the ESCO skill
    "Data cleaning", with a revocation entry in the issuer's status list."""
    achievement = ob3.Achievement(
        id="https://guild.example/achievements/cleaning",
        name="Clean Data Practitioner",
        description="Cleans messy tables.",
        criteria_narrative="Cleaned three real data sets.",
        alignments=(ob3.Alignment(target_name="Data cleaning", target_url=careers.cleaning.uri),),
    )
    moment = now()
    document = ob3.build_credential(
        credential_id="urn:uuid:3b9a7c55-1d1e-4a4f-9c1c-5e0b8a1f2e33",
        issuer=ob3.IssuerProfile(id=issuer.id, name="Data Guild", url="https://guild.example"),
        achievement=achievement,
        subject=ob3.Subject.from_email(careers.learner.email.lower(), SALT),
        valid_from=moment - timedelta(days=30),
        valid_until=valid_until or moment + timedelta(days=700),
        awarded_date=moment - timedelta(days=30),
        status=ob3.StatusEntry(id=f"{LIST_URL}#7", status_list_credential=LIST_URL, status_list_index=7),
    )
    return sign(document, issuer)


def test_an_imported_credentials_skills_count_until_its_issuer_revokes_it(careers, signed_in, served, settings):
    settings.MICROCRED_VERIFY_SANDBOX = False
    issuer = did_key_issuer(seed=9, name="Data Guild")
    served[LIST_URL] = status_list(issuer, revoked=False)
    portfolio = portfolio_save(actor=careers.learner, owner=careers.learner, handle="ada", published=True)
    client = signed_in(careers.learner)
    body = import_file(client, "cleaning.json", json.dumps(foreign_badge(issuer, careers)).encode()).content.decode()
    assert "1 skill now verified" in body, body[:3000]
    external = ExternalCredential.objects.get(user=careers.learner)
    assert ShownCredential.objects.filter(portfolio=portfolio, external=external).exists()
    # The skill is verified through the import alone (Ada has no credential of ours), so it can be shown.
    [cleaning] = [item for item in skill_profile(careers.learner, today=now().date()) if item.verified]
    assert (cleaning.skill, cleaning.verified_level) == (careers.cleaning, "beginner")
    response = client.post("/me/portfolio/choices/", {"externals": [external.pk], "skills": [careers.cleaning.pk]})
    assert response.status_code == 302
    page = client.get("/p/ada").context["page"]
    assert ([e.title for e in page.entries], [s.skill.label for s in page.skills]) == (
        ["Clean Data Practitioner"],
        ["Data cleaning"],
    )

    served[LIST_URL] = status_list(issuer, revoked=True)  # the issuer revokes it
    # Until re-checked, the stored outcome stands.
    assert len(client.get("/p/ada").context["page"].entries) == 1
    out, err = io.StringIO(), io.StringIO()
    call_command("imports", "recheck", "--learner", "ADA.lovelace@example.org", stdout=out, stderr=err)
    assert out.getvalue().strip() == (
        "Re-checked 1 imported credential(s): 0 valid, 1 no longer counting (revoked: 1); 1 changed."
    )
    assert "Re-checking imports" in err.getvalue()  # the progress bar, on standard error
    assert ExternalCredential.objects.get(pk=external.pk).outcome == "revoked"
    page = client.get("/p/ada")
    assert (page.context["page"].entries, page.context["page"].skills) == ((), ())
    assert "Clean Data Practitioner" not in page.content.decode()
    skills = client.get("/me/skills/").content.decode()
    assert "No longer counting" in skills and "Revoked" in skills
    editor = client.get("/me/portfolio/").content.decode()
    assert "Not shown on your portfolio while it is." in editor


def test_the_recheck_command_refuses_bad_arguments(careers):
    with pytest.raises(CommandError, match=r"No learner with e-mail 'nobody@example\.org'"):
        call_command("imports", "recheck", "--learner", "nobody@example.org")
    with pytest.raises(CommandError, match="--older-than must be 0 or more hours"):
        call_command("imports", "recheck", "--older-than", "-1")
    out = io.StringIO()
    call_command("imports", "recheck", "--older-than", "24", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "Re-checked 0 imported credential(s): 0 valid, 0 no longer counting; 0 changed."


class Published:
    """An OB 2.0 issuer's site: ``Ob2World`` answers 410 for an assertion it took down."""

    def __init__(self, world: ob2_world.Ob2World) -> None:
        self.world = world

    def fetch(self, url: str, *, accept: str = "application/json") -> bytes:
        return self.world.fetch(url)


def test_an_open_badges_2_image_holding_only_its_hosted_url_is_kept_as_that_url(
    careers, signed_in, monkeypatch, settings
):
    settings.MICROCRED_VERIFY_SANDBOX = False
    MEMO.clear()
    world = ob2_world.hosted_world()
    site = SiteFetcher(remote=Published(world))
    monkeypatch.setattr(verification_services, "document_fetcher", lambda: site)
    image = ob2_world.png_with_text_chunk(png_image(), b"iTXt", b"openbadges", ob2_world.ASSERTION_URL.encode())
    client = signed_in(careers.learner)
    body = import_file(client, "robot.png", image, show=False).content.decode()
    assert "Verified and imported “Robot Wrangler from Example Robotics Guild”" in body, body[:3000]
    external = ExternalCredential.objects.get(user=careers.learner)
    assert external.document == ob2_world.ASSERTION_URL
    call_command("imports", "recheck", stdout=io.StringIO(), stderr=io.StringIO())
    assert ExternalCredential.objects.get(pk=external.pk).outcome == "valid"
    world.gone.add(ob2_world.ASSERTION_URL)  # the issuer takes the assertion down: revoked
    out = io.StringIO()
    call_command("imports", "recheck", stdout=out, stderr=io.StringIO())
    assert "1 no longer counting (revoked: 1)" in out.getvalue()
