"""The verifier remembers only work that depends on a document's exact content (its canonical
form, its strict expansion, its schema verdict). A changed document is worked out afresh, and
keys, signatures, status bits and validity windows are checked on every verification."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from microcred.credentials import vc
from microcred.credentials.vc import ob3
from microcred.credentials.vc.jsonld import canonicalize
from microcred.credentials.vc.verifier import Outcome, StepStatus
from microcred.credentials.vc.verifier.memo import MEMO, ContentMemo, canonicalize_memoised
from tests.verification.builders import NOW, World, badge, controller_document, https_issuer, sign, status_list

LIST_URL = "https://academy.example/status/7-revocation"


def _credential(world: World, academy, *, set_bits=()):
    world.publish(LIST_URL, status_list(academy, LIST_URL, set_bits=set_bits))
    entry = ob3.StatusEntry(
        id=f"{LIST_URL}#3", status_list_credential=LIST_URL, status_list_index=3, status_purpose="revocation"
    )
    return sign(badge(academy, status=entry), academy)


def test_a_remembered_verification_reports_exactly_what_a_fresh_one_does(world, academy):
    credential = _credential(world, academy)
    MEMO.clear()
    fresh = world.verify(credential).to_json()
    assert MEMO.misses > 0 and MEMO.hits == 0
    remembered = world.verify(credential).to_json()
    assert MEMO.hits > 0
    assert remembered == fresh and remembered["valid"] is True


def test_a_changed_status_list_is_verified_afresh(world, academy):
    credential = _credential(world, academy)
    original = copy.deepcopy(world.documents[LIST_URL])
    assert world.verify(credential).valid  # the list's canonical form is now remembered

    # The same proof over other bits: other bytes, so it is canonicalized again, and fails.
    forged = copy.deepcopy(original)
    bits = vc.StatusList()
    bits.set(3)
    forged["credentialSubject"]["encodedList"] = bits.encode()
    world.publish(LIST_URL, forged)
    status = world.verify(credential).step("status")
    assert status.status is StepStatus.FAILED and "does not verify" in status.reason

    # The issuer revokes it: a newly signed list with the bit set.
    world.publish(LIST_URL, status_list(academy, LIST_URL, set_bits=(3,)))
    assert world.verify(credential).outcome is Outcome.REVOKED

    world.publish(LIST_URL, original)  # an old list, still within its validity window
    assert world.verify(credential).valid


def test_a_remembered_status_list_still_expires(world, academy):
    credential = _credential(world, academy)
    assert world.verify(credential).valid
    later = world.verify(credential, now=NOW + timedelta(days=8))  # the list is valid for 7 days
    status = later.step("status")
    assert status.status is not StepStatus.PASSED and "expired" in status.reason
    assert not later.valid


def test_a_remembered_credential_still_needs_its_issuers_key(world, academy):
    credential = _credential(world, academy)
    assert world.verify(credential).valid
    # The issuer's profile now lists another key under the same id: the remembered canonical
    # form does not spare the signature check against the key resolved now.
    impostor = https_issuer(seed=99)
    world.publish(academy.id, controller_document(impostor))
    report = world.verify(credential)
    assert report.step("proof").status is StepStatus.FAILED
    assert not report.valid


def test_a_schema_pass_is_not_lent_to_a_changed_credential(world, academy):
    credential = _credential(world, academy)
    assert world.verify(credential).step("schema").status is StepStatus.PASSED
    broken = {**credential, "validFrom": "2025-01-01"}  # no time: the schema refuses it
    schema = world.verify(broken).step("schema")
    assert schema.status is StepStatus.WARNING and schema.data["rules"] == [
        "/validFrom: '2025-01-01' is not a 'date-time'"
    ]
    assert world.verify(credential).step("schema").status is StepStatus.PASSED


def test_canonical_forms_are_remembered_by_exact_content():
    document = badge(https_issuer())
    MEMO.clear()
    assert canonicalize_memoised(document) == canonicalize(document)
    assert canonicalize_memoised(copy.deepcopy(document)) == canonicalize(document)
    assert (MEMO.misses, MEMO.hits) == (1, 1)
    renamed = copy.deepcopy(document)
    renamed["name"] = "Another badge"
    assert canonicalize_memoised(renamed) == canonicalize(renamed) != canonicalize(document)
    assert (MEMO.misses, MEMO.hits) == (2, 1)


def test_the_memo_is_bounded_and_forgets_the_least_recently_used():
    memo = ContentMemo(size=2)
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        memo.get_or_compute(key, lambda key=key: key.upper())
    assert list(memo.entries) == ["a", "c"]


def test_a_failure_is_not_remembered():
    memo = ContentMemo()
    calls = []

    def failing() -> str:
        calls.append(1)
        raise vc.MalformedCredential("no")

    for _ in range(2):
        with pytest.raises(vc.MalformedCredential):
            memo.get_or_compute("key", failing)
    assert len(calls) == 2 and not memo.entries
