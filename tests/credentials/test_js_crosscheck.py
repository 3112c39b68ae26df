"""A credential issued through the learner journey verifies in the JavaScript reference stack
(Digital Bazaar's @digitalbazaar/vc + eddsa-rdfc-2022, pinned in bench/peer), and a tampered
copy does not. Skipped, with the reason, when Node or the pinned packages are unavailable."""

from __future__ import annotations

import copy

import pytest

from bench import peer
from microcred.credentials.models import Credential

from .conftest import complete, served_contexts

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def js_peer() -> None:
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def test_issued_credential_verifies_in_the_reference_stack(js_peer, world):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    document = credential.document
    proof = document["proof"][0]
    key = {
        "controller": document["issuer"]["id"],
        "vmId": proof["verificationMethod"],
        "publicKeyMultibase": credential.issuer_key.public_key_multibase,
    }
    served = served_contexts(document)
    # As stored and served (a one-element proof set, for the strict OB schema) and in the
    # usual single-object form.
    for presented in (document, {**document, "proof": proof}):
        result = peer.run_script("verify.mjs", {"key": key, "credential": presented, "served": served})
        assert result["verified"] is True, result.get("error")

    tampered = copy.deepcopy(presented)
    tampered["credentialSubject"]["achievement"]["name"] = "Data Mastery"
    assert peer.run_script("verify.mjs", {"key": key, "credential": tampered, "served": served})["verified"] is False
