"""Achievement URLs: only public achievements are served, at random ids; the sequential ids that
credentials issued before public ids were signed with keep answering for those credentials."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from microcred.catalog.models import MicroCredential, Status
from microcred.catalog.services import (
    microcredential_archive,
    microcredential_create,
    microcredential_new_version,
    microcredential_publish,
)
from microcred.credentials.keys import private_key_of
from microcred.credentials.models import Credential
from microcred.credentials.vc import make_key_resolver, validate_ob3_credential, verify
from microcred.credentials.vc.dataintegrity import sign
from microcred.credentials.vc.jwt import sign_vc_jwt
from tests.factories import microcredential_fields, published_microcredential

from .conftest import SITE, complete
from .test_hosting import BROWSER, fetcher_over

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _paths(key: object) -> tuple[str, str]:
    return f"/achievements/{key}", f"/achievements/{key}/image.svg"


def _served(client, key: object) -> list[int]:
    """Status codes of the achievement (as JSON and for a browser) and its image."""
    document, image = _paths(key)
    return [
        client.get(document, HTTP_ACCEPT=JSON).status_code,
        client.get(document, HTTP_ACCEPT=BROWSER).status_code,
        client.get(image).status_code,
    ]


def _anonymised(content: bytes, path: str) -> bytes:
    """An answer less what differs between any two: the path it names (the problem's "instance")
    and the per-response masking of the CSRF token."""
    return re.sub(rb'(CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', rb"\1", content.replace(path.encode(), b""))


def _draft(world, slug: str = "draft-course") -> MicroCredential:
    return microcredential_create(
        actor=world.owner, provider=world.provider, **microcredential_fields(slug=slug, title="Secret Plans")
    )


def _as_issued_before_public_ids(credential: Credential) -> Credential:
    """Rewrite an issued credential as it was signed before public ids (achievement, image and
    result description under ``/achievements/<pk>``) and sign it again with the same key: what
    the database holds for credentials issued by the previous release."""
    mc = credential.microcredential
    text = json.dumps({k: v for k, v in credential.document.items() if k != "proof"})
    unsigned = json.loads(text.replace(f"/achievements/{mc.public_id}", f"/achievements/{mc.pk}"))
    key = credential.issuer_key
    vm_url = f"{SITE}/issuers/{credential.issuer.slug}#{key.key_id}"
    document = sign(
        unsigned,
        private_key=private_key_of(key),
        verification_method=vm_url,
        created=credential.issued_at,
        proof_as_list=True,
    )
    token = sign_vc_jwt(unsigned, private_key=private_key_of(key), kid=vm_url)
    Credential.objects.filter(pk=credential.pk).update(document=document, jwt=token)
    credential.refresh_from_db()
    return credential


def test_a_draft_is_not_found_by_anyone_at_any_of_its_urls(world, client):
    draft = _draft(world)
    missing = _served(client, uuid.uuid4())
    assert missing == [404, 404, 404]
    assert _served(client, draft.public_id) == missing
    assert _served(client, draft.pk) == missing
    for draft_path, missing_path in zip(_paths(draft.public_id), _paths(uuid.uuid4()), strict=True):
        for accept in (JSON, BROWSER):
            answer, unknown = client.get(draft_path, HTTP_ACCEPT=accept), client.get(missing_path, HTTP_ACCEPT=accept)
            assert answer["Content-Type"] == unknown["Content-Type"]
            assert _anonymised(answer.content, draft_path) == _anonymised(unknown.content, missing_path)
    # Signed in as another provider's instructor, or as its own owner: the public URLs are for
    # public achievements only (authors preview drafts in their workspace).
    for person in (world.outsider_instructor, world.owner):
        client.force_login(person)
        assert _served(client, draft.public_id) == missing
        assert _served(client, draft.pk) == missing
    body = client.get(_paths(draft.public_id)[0], HTTP_ACCEPT=JSON).content.decode()
    assert "Secret Plans" not in body


def test_a_version_archived_without_ever_being_published_stays_private(world, client):
    draft = _draft(world)
    microcredential_archive(actor=world.owner, microcredential=draft)
    assert _served(client, draft.public_id) == [404, 404, 404]


def test_a_published_achievement_is_served_at_its_public_id(world, client):
    document_path, image_path = _paths(world.mc.public_id)
    response = client.get(document_path, HTTP_ACCEPT=JSON)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    achievement = response.json()
    assert achievement["id"] == f"{SITE}/achievements/{world.mc.public_id}"
    assert achievement["image"]["id"] == f"{SITE}{image_path}"
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Data Basics"
    (result_description,) = achievement["resultDescription"]
    assert result_description["id"] == f"{SITE}/achievements/{world.mc.public_id}/results/final-score"
    html = client.get(document_path, HTTP_ACCEPT=BROWSER)
    assert html.status_code == 302 and html["Location"] == f"/providers/example-academy/{world.mc.slug}/"
    image = client.get(image_path)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml" and b"Data Basics" in image.content
    # Its row id names nothing: no credential was ever signed with it.
    assert _served(client, world.mc.pk) == [404, 404, 404]


def test_counting_ids_finds_nothing(world, client):
    drafts = [_draft(world, slug=f"draft-{n}") for n in range(3)]
    other = published_microcredential(provider=world.provider, slug="other")
    complete(other, world.learner)  # issued today: its credential names the public id
    highest = max(mc.pk for mc in [*drafts, other, world.mc])
    for pk in range(0, highest + 3):
        assert _served(client, pk) == [404, 404, 404], pk


def test_an_issued_credentials_achievement_stays_served_after_new_versions_and_archiving(world, client):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    achievement = credential.document["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{SITE}/achievements/{world.mc.public_id}"
    served_before = client.get(achievement["id"].removeprefix(SITE), HTTP_ACCEPT=JSON)
    assert served_before.status_code == 200

    new_version = microcredential_new_version(actor=world.owner, microcredential=world.mc)
    assert new_version.public_id != world.mc.public_id
    assert _served(client, new_version.public_id) == [404, 404, 404]  # a draft still
    microcredential_publish(actor=world.owner, microcredential=new_version)
    world.mc.refresh_from_db()
    assert world.mc.status == Status.ARCHIVED
    served = client.get(achievement["id"].removeprefix(SITE), HTTP_ACCEPT=JSON)
    assert served.status_code == 200 and served.json()["id"] == achievement["id"]
    assert served.json() == served_before.json()
    assert client.get(achievement["image"]["id"].removeprefix(SITE)).status_code == 200
    # People following the old link learn it left the catalog; the new version is public.
    assert client.get(achievement["id"].removeprefix(SITE), HTTP_ACCEPT=BROWSER).status_code == 404
    assert _served(client, new_version.public_id) == [200, 302, 200]

    microcredential_archive(actor=world.owner, microcredential=new_version)
    assert _served(client, new_version.public_id) == [200, 404, 200]  # published once
    validate_ob3_credential(credential.document)
    issuer_id = f"{SITE}/issuers/example-academy"
    verify(credential.document, resolve_key=make_key_resolver(fetcher_over(client)), expected_controller=issuer_id)


def test_credentials_issued_with_the_row_id_keep_their_achievement_url(world, client):
    credential = _as_issued_before_public_ids(Credential.objects.get(completion=complete(world.mc, world.learner)))
    issuer_id = f"{SITE}/issuers/example-academy"
    validate_ob3_credential(credential.document)
    verify(credential.document, resolve_key=make_key_resolver(fetcher_over(client)), expected_controller=issuer_id)
    achievement = credential.document["credentialSubject"]["achievement"]
    legacy_id = f"{SITE}/achievements/{world.mc.pk}"
    assert achievement["id"] == legacy_id

    def served_achievement() -> dict:
        response = client.get(f"/achievements/{world.mc.pk}", HTTP_ACCEPT=JSON)
        assert response.status_code == 200
        return response.json()

    # The document at the id is the achievement the credential carries, under that same id.
    assert {k: v for k, v in served_achievement().items() if k != "@context"} == achievement
    assert client.get(achievement["image"]["id"].removeprefix(SITE)).status_code == 200
    new_version = microcredential_new_version(actor=world.owner, microcredential=world.mc)
    microcredential_publish(actor=world.owner, microcredential=new_version)
    microcredential_archive(actor=world.owner, microcredential=new_version)
    assert served_achievement()["id"] == legacy_id
    assert client.get(achievement["image"]["id"].removeprefix(SITE)).status_code == 200
    # The new version's row id was never signed into anything.
    assert _served(client, new_version.pk) == [404, 404, 404]
    # The credential itself is untouched and still verifies.
    assert client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT=JSON).json() == credential.document
    verify(credential.document, resolve_key=make_key_resolver(fetcher_over(client)), expected_controller=issuer_id)
