"""Credentials we issue verify in the JavaScript reference stack, and the other way round.

The peer is Digital Bazaar's ``@digitalbazaar/vc`` + eddsa-rdfc-2022 cryptosuite pinned
in ``bench/peer`` and served our bundled contexts. Skipped, with the reason, when Node
is missing or ``npm ci`` cannot install the pinned packages (npm's availability is
outside our control).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench import credential as bench_credential
from bench import peer
from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import fastpath
from microcred.credentials.vc.errors import InvalidProof

from .conftest import full_credential

CREATED_TEXT = bench_credential.CREATED.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="session")
def js_peer() -> None:
    try:
        peer.ensure_installed()
    except peer.PeerUnavailable as exc:
        pytest.skip(f"JavaScript reference stack unavailable: {exc}")


def _options() -> dict[str, Any]:
    return {
        "private_key": bench_credential.SIGNING_KEY,
        "verification_method": bench_credential.VERIFICATION_METHOD,
        "created": bench_credential.CREATED,
    }


def _js_verify(credential: dict[str, Any]) -> dict[str, Any]:
    return peer.run_script(
        "verify.mjs", {"key": bench_credential.key_info(with_secret=False), "credential": credential}
    )


def _resolve(_vm: str) -> tuple[Any, str]:
    return bench_credential.SIGNING_KEY.public_key(), bench_credential.ISSUER_ID


def _issuer(credential: dict[str, Any]) -> dict[str, Any]:
    # The peer checks that the key's controller is the issuer.
    credential = copy.deepcopy(credential)
    credential["issuer"]["id"] = bench_credential.ISSUER_ID
    return credential


@pytest.mark.parametrize("fast", [False, True], ids=["full-path", "fast-path"])
def test_our_credentials_verify_in_the_javascript_stack(js_peer: None, fast: bool) -> None:
    documents = [bench_credential.credential(1), bench_credential.credential(2), _issuer(full_credential())]
    signed = (
        list(fastpath.sign_many(documents, **_options())) if fast else [di.sign(d, **_options()) for d in documents]
    )
    for credential in signed:
        assert _js_verify(credential) == {"verified": True}


def test_the_javascript_stack_rejects_our_tampered_credential(js_peer: None) -> None:
    signed = di.sign(bench_credential.credential(3), **_options())
    signed["credentialSubject"]["result"][0]["value"] = "100"
    result = _js_verify(signed)
    assert result["verified"] is False


def test_javascript_credentials_verify_with_ours(js_peer: None) -> None:
    unsigned = _issuer(full_credential())
    signed = peer.run_script(
        "sign.mjs",
        {"key": bench_credential.key_info(with_secret=True), "created": CREATED_TEXT, "credential": unsigned},
    )
    (verified,) = di.verify(signed, resolve_key=_resolve, expected_controller=bench_credential.ISSUER_ID)
    assert verified.cryptosuite == "eddsa-rdfc-2022"
    assert fastpath.verify_fast(signed, resolve_key=_resolve) == (verified,)
    # Ed25519 is deterministic: both stacks produce the very same proof.
    assert signed["proof"]["proofValue"] == di.sign(unsigned, **_options())["proof"]["proofValue"]
    signed["name"] = "Changed"
    with pytest.raises(InvalidProof):
        di.verify(signed, resolve_key=_resolve)
