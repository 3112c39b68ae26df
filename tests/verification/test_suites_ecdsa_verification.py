"""ECDSA-signed Open Badges through the whole verifier: ecdsa-rdfc-2019 on P-256 and P-384 keys
named by did:key and by an HTTPS issuer's controller document (issue 10 §1, ADR 0038)."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials import vc
from microcred.credentials.vc.verifier import Outcome, StepStatus
from tests.verification.builders import Issuer, World, badge, controller_document, sign

CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}


def ecdsa_issuer(curve: str, *, https: bool) -> Issuer:
    key = ec.derive_private_key(0xC0FFEE + len(curve), CURVES[curve])
    if https:
        issuer_id = "https://ecdsa.example/issuers/1"
        return Issuer(id=issuer_id, name="ECDSA Academy", key=cast(Any, key), vm=f"{issuer_id}#key-1")
    public = key.public_key()
    return Issuer(
        id=vc.did_key_from_public(public), name="ECDSA Academy", key=cast(Any, key), vm=vc.did_key_vm_id(public)
    )


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
@pytest.mark.parametrize("https", [False, True], ids=["did-key", "https-profile"])
def test_an_ecdsa_badge_is_valid(world: World, curve: str, https: bool) -> None:
    issuer = ecdsa_issuer(curve, https=https)
    world.publish_issuer(issuer)
    report = world.verify(sign(badge(issuer), issuer, cryptosuite="ecdsa-rdfc-2019"))
    assert report.outcome is Outcome.VALID, report.step("proof").reason
    assert report.step("proof").status is StepStatus.PASSED


def test_a_tampered_ecdsa_badge_is_invalid(world: World) -> None:
    issuer = ecdsa_issuer("P-384", https=False)
    signed = sign(badge(issuer), issuer, cryptosuite="ecdsa-rdfc-2019")
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Something Else"
    report = world.verify(tampered)
    assert report.outcome is Outcome.INVALID and not report.valid
    assert report.step("proof").code == "invalid_proof"


def test_an_eddsa_proof_naming_an_ecdsa_key_is_a_wrong_key(world: World) -> None:
    # The controller document lists a P-256 key, the proof claims eddsa-rdfc-2022.
    issuer = ecdsa_issuer("P-256", https=True)
    world.publish(issuer.id, controller_document(issuer))
    forger = Issuer(id=issuer.id, name=issuer.name, key=Ed25519PrivateKey.generate(), vm=issuer.vm)
    report = world.verify(sign(badge(issuer), forger))
    assert report.outcome is Outcome.INVALID
    assert "wrong key" in report.step("proof").reason.lower()
