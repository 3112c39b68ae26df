"""Bitstring Status List v1.0 codec, list credentials and entry checks."""

from __future__ import annotations

import base64
import gzip
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from microcred.credentials.vc.errors import Revoked, StatusError, Suspended
from microcred.credentials.vc.statuslist import (
    MIN_ENTRIES,
    StatusList,
    allocate_random_indexes,
    build_status_entry,
    build_status_list_credential,
    check_entry,
    check_legacy_entry,
    decode_bitstring,
    decode_legacy_bitstring,
    encode_bitstring,
    legacy_status_of,
    status_of,
)

# The example encodedList of the Bitstring Status List REC (DIGEST §4): 16,384 zero bytes.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_ID = "https://academy.example/status/1"
ISSUER = "https://academy.example/issuers/1"
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _encode_raw(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


def _list_credential(status_list: StatusList, purpose: str | list[str] = "revocation") -> dict[str, Any]:
    return build_status_list_credential(
        list_id=LIST_ID,
        issuer=ISSUER,
        status_list=status_list,
        purpose=purpose,
        valid_from=T0,
        valid_until=T0 + timedelta(days=7),
        ttl_ms=86_400_000,
    )


def test_spec_example_decodes_to_16kb_of_zeros() -> None:
    assert decode_bitstring(SPEC_EXAMPLE) == bytes(16_384)


def test_empty_list_encodes_exactly_like_the_spec_example() -> None:
    assert StatusList().encode() == SPEC_EXAMPLE


def test_index_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    status_list = StatusList()
    status_list.set(0)
    status_list.set(9)
    raw = status_list.to_bytes()
    assert raw[0] == 0x80
    assert raw[1] == 0x40
    assert status_list.get(0) == 1 and status_list.get(1) == 0 and status_list.get(9) == 1


def test_set_and_clear_round_trip_through_encoding() -> None:
    status_list = StatusList(1_000_000)
    chosen = random.Random(7).sample(range(1_000_000), 500)
    for index in chosen:
        status_list.set(index)
    status_list.set(chosen[0], 0)
    decoded = StatusList.decode(status_list.encode())
    assert len(decoded) == 1_000_000
    assert decoded.get(chosen[0]) == 0
    assert all(decoded.get(index) == 1 for index in chosen[1:])
    assert sum(bin(byte).count("1") for byte in decoded.to_bytes()) == 499


def test_multi_bit_entries_are_read_msb_first() -> None:
    status_list = StatusList(MIN_ENTRIES, status_size=2)
    status_list.set(1, 0b10)
    assert status_list.to_bytes()[0] == 0b0010_0000
    assert status_list.get(1) == 2
    with pytest.raises(StatusError, match="does not fit"):
        status_list.set(2, 4)


def test_minimum_size_is_enforced() -> None:
    with pytest.raises(StatusError, match="at least 131072"):
        StatusList(MIN_ENTRIES - 1)
    with pytest.raises(StatusError) as info:
        StatusList.decode(encode_bitstring(bytes(1024)))
    assert info.value.data["problem"] == "STATUS_LIST_LENGTH_ERROR"


def test_out_of_range_index_is_a_range_error() -> None:
    status_list = StatusList()
    with pytest.raises(StatusError) as info:
        status_list.get(MIN_ENTRIES)
    assert info.value.data["problem"] == "RANGE_ERROR"
    with pytest.raises(StatusError):
        status_list.set(-1)


@pytest.mark.parametrize(
    ("encoded", "reason"),
    [
        ("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "prefix 'u'"),
        (SPEC_EXAMPLE + "==", "unpadded base64url"),
        ("u" + base64.b64encode(gzip.compress(bytes(16_384), mtime=0)).decode(), "unpadded base64url"),
        ("u" + "A" * 5, "unpadded base64url"),
        (_encode_raw(b"not gzip at all"), "not valid GZIP"),
        (_encode_raw(gzip.compress(bytes(16_384), mtime=0)[:-12]), "truncated"),
        (_encode_raw(gzip.compress(bytes(16_384), mtime=0) + b"junk"), "trailing data"),
    ],
)
def test_bad_encodings_are_refused(encoded: str, reason: str) -> None:
    with pytest.raises(StatusError, match=reason):
        decode_bitstring(encoded)


def test_gzip_bomb_is_capped() -> None:
    bomb = _encode_raw(gzip.compress(bytes(64 * 1024 * 1024)))
    assert len(bomb) < 100_000
    with pytest.raises(StatusError, match="beyond"):
        decode_bitstring(bomb, max_bytes=1024 * 1024)
    with pytest.raises(StatusError, match="beyond"):
        decode_bitstring(bomb)


def test_list_credential_shape() -> None:
    credential = _list_credential(StatusList(), ["revocation", "suspension"])
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["validFrom"] == "2025-03-01T00:00:00Z"
    assert credential["validUntil"] == "2025-03-08T00:00:00Z"
    subject = credential["credentialSubject"]
    assert subject == {
        "id": LIST_ID + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": ["revocation", "suspension"],
        "encodedList": SPEC_EXAMPLE,
        "ttl": 86_400_000,
    }
    with pytest.raises(StatusError, match="unknown statusPurpose"):
        _list_credential(StatusList(), "revoked")


def test_check_entry_reports_revoked_and_suspended() -> None:
    status_list = StatusList()
    status_list.set(4711)
    credential = _list_credential(status_list, ["revocation", "suspension"])
    revoked = build_status_entry(list_id=LIST_ID, index=4711, purpose="revocation")
    assert revoked["statusListIndex"] == "4711" and revoked["id"] == LIST_ID + "#4711"
    with pytest.raises(Revoked):
        check_entry(revoked, credential)
    with pytest.raises(Suspended):
        check_entry(build_status_entry(list_id=LIST_ID, index=4711, purpose="suspension"), credential)
    assert check_entry(build_status_entry(list_id=LIST_ID, index=4712, purpose="revocation"), credential) == 0


def test_entry_checks_refuse_mismatches() -> None:
    credential = _list_credential(StatusList(), "revocation")
    entry = build_status_entry(list_id=LIST_ID, index=1, purpose="revocation")
    with pytest.raises(StatusError, match="not among the list's purposes"):
        status_of({**entry, "statusPurpose": "suspension"}, credential)
    with pytest.raises(StatusError, match="points at"):
        status_of({**entry, "statusListCredential": "https://evil.example/list"}, credential)
    with pytest.raises(StatusError, match="base-10"):
        status_of({**entry, "statusListIndex": "0x10"}, credential)
    with pytest.raises(StatusError, match="past the list end"):
        status_of({**entry, "statusListIndex": str(MIN_ENTRIES)}, credential)
    with pytest.raises(StatusError, match="type must be"):
        status_of({**entry, "type": "StatusList2021Entry"}, credential)
    with pytest.raises(StatusError, match="not a BitstringStatusListCredential"):
        status_of(entry, {**credential, "type": ["VerifiableCredential"]})
    wrong_subject = {**credential["credentialSubject"], "type": "StatusList2021"}
    with pytest.raises(StatusError, match="must be a BitstringStatusList"):
        status_of(entry, {**credential, "credentialSubject": wrong_subject})
    listed_subject = {**credential["credentialSubject"], "type": ["BitstringStatusList"]}
    assert status_of(entry, {**credential, "credentialSubject": listed_subject}) == 0


def test_multi_bit_entry_status_value() -> None:
    status_list = StatusList(MIN_ENTRIES, status_size=2)
    status_list.set(10, 3)
    credential = _list_credential(status_list, "message")
    entry = {**build_status_entry(list_id=LIST_ID, index=10, purpose="message"), "statusSize": 2}
    assert check_entry(entry, credential) == 3
    assert status_of({**entry, "statusListIndex": "11"}, credential) == 0


def test_stale_list_is_refused_when_now_is_given() -> None:
    credential = _list_credential(StatusList())
    entry = build_status_entry(list_id=LIST_ID, index=1, purpose="revocation")
    assert status_of(entry, credential, now=T0 + timedelta(days=1)) == 0
    with pytest.raises(StatusError, match="expired"):
        status_of(entry, credential, now=T0 + timedelta(days=8))
    with pytest.raises(StatusError, match="not valid before"):
        status_of(entry, credential, now=T0 - timedelta(seconds=1))


def test_random_indexes_are_unused_distinct_and_in_range() -> None:
    rng = random.Random(1)
    used = set(rng.sample(range(MIN_ENTRIES), 50_000))
    picked = allocate_random_indexes(used, length=MIN_ENTRIES, count=1000, rng=rng)
    assert len(set(picked)) == 1000
    assert not used.intersection(picked)
    assert all(0 <= index < MIN_ENTRIES for index in picked)
    # Indexes must not come out in issue order: a sorted result would leak it.
    assert picked != sorted(picked)


def test_random_indexes_fill_a_nearly_full_list_exactly() -> None:
    length = MIN_ENTRIES
    used = set(range(length)) - {5, 77_000, length - 1}
    picked = allocate_random_indexes(used, length=length, count=3, rng=random.Random(3))
    assert sorted(picked) == [5, 77_000, length - 1]
    with pytest.raises(StatusError, match="free entries"):
        allocate_random_indexes(used, length=length, count=4)


# --- StatusList2021 and RevocationList2020 -------------------------------------------------

# Digital Bazaar's reference vectors: 100,000 entries, all clear / entry 50,000 set.
# https://github.com/digitalbazaar/vc-status-list/blob/1d9d4ccba4efbf65862578ad6a6513129bb76267/tests/10-StatusList.spec.js
# (BSD-3-Clause), written by @digitalbazaar/bitstring 3.x, whose bit order is the spec's.
DB_100K_CLEAR = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQsvoAAAAAAAAAAAAAAAAP4GcwM92tQwAAA"
DB_100K_50000_SET = "H4sIAAAAAAAAA-3OMQ0AAAgDsElHOh72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFvRitn7UMAAA"
# The same list as written before 2023 by @digitalbazaar/bitstring 1.x (bits of each byte
# reversed): https://github.com/digitalbazaar/vc-revocation-list/blob/10f48beeb72acc52aa536287f047bac0ee3dd5b6/tests/20-RevocationList.spec.js
DB_100K_50000_SET_PRE_2023 = "H4sIAAAAAAAAA-3OMQ0AAAgDsOHfNB72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFrc4zDzUMAAA"
SL2021_LIST = "https://example.com/status/1"


def _sl2021_list(encoded: str, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"],
        "id": SL2021_LIST,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER,
        "issuanceDate": "2021-03-10T04:24:12.164Z",
        "credentialSubject": {
            "id": f"{SL2021_LIST}#list",
            "type": "StatusList2021",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }


def _sl2021_entry(index: int | str, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{SL2021_LIST}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": SL2021_LIST,
    }


def _rl2020(encoded: str) -> tuple[dict[str, Any], dict[str, Any]]:
    listing = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc-revocation-list-2020/v1"],
        "id": SL2021_LIST,
        "type": ["VerifiableCredential", "RevocationList2020Credential"],
        "issuer": ISSUER,
        "issuanceDate": "2020-03-10T04:24:12.164Z",
        "credentialSubject": {"id": f"{SL2021_LIST}#list", "type": "RevocationList2020", "encodedList": encoded},
    }
    entry = {
        "id": f"{SL2021_LIST}#50000",
        "type": "RevocationList2020Status",
        "revocationListIndex": "50000",
        "revocationListCredential": SL2021_LIST,
    }
    return listing, entry


def test_legacy_lists_decode_the_reference_vectors() -> None:
    assert decode_legacy_bitstring(DB_100K_CLEAR) == bytes(12_500)
    bits = decode_legacy_bitstring(DB_100K_50000_SET)
    assert len(bits) == 12_500 and bits[6250] == 0x80 and sum(bits) == 0x80
    # Written with the pre-2023 order, entry 50,000 is the low bit of its byte, which the
    # spec's order reads as entry 50,007: such lists cannot be told apart (module docstring).
    old = decode_legacy_bitstring(DB_100K_50000_SET_PRE_2023)
    assert old[6250] == 0x01 and sum(old) == 0x01


def test_status_list_2021_reads_the_entrys_bit() -> None:
    listing = _sl2021_list(DB_100K_50000_SET)
    assert legacy_status_of(_sl2021_entry(49_999), listing) == 0
    assert legacy_status_of(_sl2021_entry(50_000), listing) == 1
    with pytest.raises(Revoked) as raised:
        check_legacy_entry(_sl2021_entry(50_000), listing)
    assert raised.value.data["status_list"] == SL2021_LIST
    assert check_legacy_entry(_sl2021_entry(50_001), listing) == 0
    with pytest.raises(Suspended):
        check_legacy_entry(_sl2021_entry(50_000, "suspension"), _sl2021_list(DB_100K_50000_SET, "suspension"))


def test_status_list_2021_tolerates_base64_padding_and_integer_indexes() -> None:
    bitstring = decode_legacy_bitstring(DB_100K_50000_SET)
    standard = base64.b64encode(gzip.compress(bitstring, mtime=0)).decode()
    assert "+" in standard and standard.endswith("=")  # the standard alphabet, padded
    entry = _sl2021_entry(50_000)
    entry["statusListIndex"] = 50_000
    assert legacy_status_of(entry, _sl2021_list(standard)) == 1


def test_revocation_list_2020_reads_the_entrys_bit() -> None:
    listing, entry = _rl2020(DB_100K_50000_SET)
    with pytest.raises(Revoked):
        check_legacy_entry(entry, listing)
    clear_listing, _ = _rl2020(DB_100K_CLEAR)
    assert check_legacy_entry(entry, clear_listing) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda listing, entry: entry.update(statusPurpose="refresh"), "statusPurpose must be one of"),
        (lambda listing, entry: entry.update(statusPurpose="suspension"), "differs from the list"),
        (lambda listing, entry: entry.update(statusListIndex="-1"), "base-10 integer"),
        (lambda listing, entry: entry.update(statusListIndex="100000"), "past the list end"),
        (lambda listing, entry: entry.update(statusListCredential="https://other.example/1"), "points at"),
        (lambda listing, entry: listing.update(type=["VerifiableCredential"]), "StatusList2021Credential"),
        (lambda listing, entry: listing["credentialSubject"].update(type="BitstringStatusList"), "StatusList2021"),
        (lambda listing, entry: listing["credentialSubject"].update(encodedList="u" + DB_100K_CLEAR), "GZIP"),
        (lambda listing, entry: listing["credentialSubject"].update(encodedList="H4sI%%"), "not base64"),
        (lambda listing, entry: listing["credentialSubject"].pop("encodedList"), "no encodedList"),
        (lambda listing, entry: listing.update(expirationDate="2025-01-01T00:00:00Z"), "expired"),
    ],
)
def test_status_list_2021_refuses_mismatches(change: Any, reason: str) -> None:
    listing, entry = _sl2021_list(DB_100K_CLEAR), _sl2021_entry(7)
    change(listing, entry)
    with pytest.raises(StatusError, match=reason):
        check_legacy_entry(entry, listing, now=T0)


def test_legacy_gzip_bomb_is_capped() -> None:
    bomb = base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(StatusError, match="beyond"):
        decode_legacy_bitstring(bomb, max_bytes=1024 * 1024)
