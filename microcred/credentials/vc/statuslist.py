"""W3C Bitstring Status List v1.0: the bitstring codec, list credentials and entry checks.

The list is a bitstring of at least 131,072 entries (16 KB at one bit per entry). Entry
``i`` occupies bits ``i * statusSize`` onwards, counted from the most significant bit of
byte 0. ``encodedList`` is ``"u"`` + base64url-without-padding(GZIP(bitstring)).

Nothing here verifies the list credential's proof: callers verify it (Data Integrity or
VC-JWT) before they ask :func:`status_of` or :func:`check_entry` about an entry.

The two predecessors real credentials still carry are read too (:func:`check_legacy_entry`),
never written: W3C CCG StatusList2021 (``StatusList2021Entry``: ``statusListCredential``,
``statusListIndex``, ``statusPurpose`` revocation or suspension) and RevocationList2020
(``RevocationList2020Status``: ``revocationListCredential``, ``revocationListIndex``; always
revocation). Their ``encodedList`` is GZIP + base64url *without* the multibase ``u``
(Digital Bazaar's ``@digitalbazaar/bitstring``, which the DCC and most issuers use); some
issuers write standard base64 with padding, which is accepted too since the list's
signature, not its spelling, is what vouches for it.

Bit order: index 0 is the most significant bit of byte 0, as the StatusList2021 spec says
("the left-most bit") and as Bitstring Status List and ``@digitalbazaar/bitstring`` 3.x
(2023 on) do. Lists written with ``@digitalbazaar/bitstring`` 1.x/2.x put the bits of each
byte in the opposite order, and nothing in such a list says so: they are read by the spec.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import secrets
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from random import Random
from typing import Any

from .errors import Revoked, StatusError, Suspended

MIN_ENTRIES = 131_072
# 16 MiB of bitstring is 134 million one-bit entries: far beyond any real list, yet small
# enough that a gzip bomb cannot exhaust memory while we decode it.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
PURPOSES = ("revocation", "suspension", "refresh", "message")
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# GZIP level 6 (zlib's and Node's default) reproduces the spec's example byte for byte.
_GZIP_LEVEL = 6
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_BASE64_EITHER_ALPHABET = re.compile(r"[A-Za-z0-9_-]*|[A-Za-z0-9+/]*")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class StatusList:
    """A mutable bitstring of ``length`` entries of ``status_size`` bits each."""

    __slots__ = ("_bits", "status_size")

    def __init__(self, length: int = MIN_ENTRIES, *, status_size: int = 1) -> None:
        _check_status_size(status_size)
        if length < MIN_ENTRIES:
            raise StatusError(f"a status list needs at least {MIN_ENTRIES} entries, got {length}")
        self.status_size = status_size
        self._bits = bytearray(-(-length * status_size // 8))

    @classmethod
    def from_bytes(cls, bitstring: bytes, *, status_size: int = 1) -> StatusList:
        _check_status_size(status_size)
        if len(bitstring) * 8 // status_size < MIN_ENTRIES:
            raise StatusError(
                f"status list holds fewer than {MIN_ENTRIES} entries",
                problem="STATUS_LIST_LENGTH_ERROR",
            )
        instance = cls.__new__(cls)
        instance.status_size = status_size
        instance._bits = bytearray(bitstring)
        return instance

    @classmethod
    def decode(
        cls,
        encoded_list: str,
        *,
        status_size: int = 1,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> StatusList:
        return cls.from_bytes(decode_bitstring(encoded_list, max_bytes=max_bytes), status_size=status_size)

    def __len__(self) -> int:
        return len(self._bits) * 8 // self.status_size

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        return encode_bitstring(self._bits)

    def get(self, index: int) -> int:
        self._check_index(index)
        return _read_bits(self._bits, index * self.status_size, self.status_size)

    def set(self, index: int, value: int = 1) -> None:
        self._check_index(index)
        if not 0 <= value < 1 << self.status_size:
            raise StatusError(f"status value {value} does not fit in {self.status_size} bit(s)")
        start = index * self.status_size
        for offset in range(self.status_size):
            bit = (value >> (self.status_size - 1 - offset)) & 1
            position = start + offset
            mask = 0x80 >> (position % 8)
            if bit:
                self._bits[position // 8] |= mask
            else:
                self._bits[position // 8] &= ~mask & 0xFF

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self):
            raise StatusError(
                f"status list index {index} is outside 0..{len(self) - 1}",
                problem="RANGE_ERROR",
            )


def _check_status_size(status_size: int) -> None:
    # Eight bits allow 256 messages; the spec puts no bound on it, but wider values
    # would only serve to make a single check read a huge slice of an attacker's list.
    if not 1 <= status_size <= 8:
        raise StatusError(f"statusSize must be between 1 and 8, got {status_size}")


def _read_bits(bits: bytes | bytearray, start: int, size: int) -> int:
    value = 0
    for position in range(start, start + size):
        value = (value << 1) | ((bits[position // 8] >> (7 - position % 8)) & 1)
    return value


def encode_bitstring(bitstring: bytes | bytearray) -> str:
    """GZIP + multibase base64url (no padding); mtime 0 keeps the output deterministic."""
    compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    compressed = compressor.compress(bitstring) + compressor.flush()
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded_list: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Decode ``encodedList``, refusing anything but ``u``-prefixed unpadded base64url."""
    return _decode_cached(encoded_list, max_bytes)


@functools.lru_cache(maxsize=16)
def _decode_cached(encoded_list: str, max_bytes: int) -> bytes:
    # Verifiers check many credentials against the same few lists; the cache makes
    # every check after the first a dictionary lookup instead of a gunzip.
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded_list[1:]
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise StatusError("encodedList is not unpadded base64url")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusError("encodedList is not valid base64url") from exc
    return _gunzip(compressed, max_bytes)


def decode_legacy_bitstring(encoded_list: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Decode a StatusList2021 / RevocationList2020 ``encodedList``: GZIP in base64url or
    base64, padded or not, with no multibase prefix."""
    return _decode_legacy_cached(encoded_list, max_bytes)


@functools.lru_cache(maxsize=16)
def _decode_legacy_cached(encoded_list: str, max_bytes: int) -> bytes:
    body = encoded_list.rstrip("=")
    if len(encoded_list) - len(body) > 2 or not _BASE64_EITHER_ALPHABET.fullmatch(body) or len(body) % 4 == 1:
        raise StatusError("encodedList is not base64 (StatusList2021 and RevocationList2020 lists are base64url)")
    try:
        compressed = base64.urlsafe_b64decode(body.replace("+", "-").replace("/", "_") + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusError("encodedList is not valid base64") from exc
    return _gunzip(compressed, max_bytes)


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(_GZIP_WBITS)
    try:
        bitstring = decompressor.decompress(compressed, max_bytes)
    except zlib.error as exc:
        raise StatusError(f"encodedList is not valid GZIP data: {exc}") from exc
    if decompressor.unconsumed_tail:
        raise StatusError(f"status list expands beyond {max_bytes} bytes; refusing it")
    if not decompressor.eof:
        raise StatusError("encodedList GZIP data is truncated")
    if decompressor.unused_data:
        raise StatusError("encodedList has trailing data after the GZIP stream")
    return bitstring


def allocate_random_indexes(
    used: Collection[int], *, length: int, count: int = 1, rng: Random | None = None
) -> list[int]:
    """Pick ``count`` distinct unused indexes in ``0..length-1`` uniformly at random.

    Random (not sequential) indexes stop anyone from learning issue order or volume from
    a credential's position in the list. Rejection sampling costs O(1) per index while
    the list is sparse; once it is more than half full we enumerate the free slots once.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    randbelow: Callable[[int], int] = rng.randrange if rng is not None else secrets.randbelow
    taken = set(used) if not isinstance(used, (set, frozenset)) else used
    free = length - sum(1 for index in taken if 0 <= index < length)
    if count > free:
        raise StatusError(f"status list has {free} free entries, {count} requested")
    picked: set[int] = set()
    if (len(taken) + count) * 2 <= length:
        while len(picked) < count:
            candidate = randbelow(length)
            if candidate not in taken:
                picked.add(candidate)
        return list(picked)
    candidates = [index for index in range(length) if index not in taken]
    for position in range(count):
        # Partial Fisher-Yates: each pick is uniform among the slots not yet picked.
        swap = position + randbelow(len(candidates) - position)
        candidates[position], candidates[swap] = candidates[swap], candidates[position]
    return candidates[:count]


def build_status_list_credential(
    *,
    list_id: str,
    issuer: str | Mapping[str, Any],
    status_list: StatusList,
    purpose: str | Sequence[str],
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential``; sign it like any other credential."""
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    for item in purposes:
        if item not in PURPOSES:
            raise StatusError(f"unknown statusPurpose {item!r}")
    if not purposes:
        raise StatusError("a status list needs at least one statusPurpose")
    if valid_until is not None and valid_until <= valid_from:
        raise StatusError("validUntil must be after validFrom")
    subject: dict[str, Any] = {
        "id": f"{list_id}#list",
        "type": LIST_TYPE,
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": status_list.encode(),
    }
    if ttl_ms is not None:
        if ttl_ms <= 0:
            raise StatusError("ttl must be a positive number of milliseconds")
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": _timestamp(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = _timestamp(valid_until)
    credential["credentialSubject"] = subject
    return credential


def build_status_entry(*, list_id: str, index: int, purpose: str, entry_id: str | None = None) -> dict[str, Any]:
    """A ``credentialStatus`` entry; OB 3.0 requires an ``id``, so one is always set."""
    if purpose not in PURPOSES:
        raise StatusError(f"unknown statusPurpose {purpose!r}")
    return {
        "id": entry_id or f"{list_id}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
    }


def status_of(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    require_list_id: bool = True,
    require_min_length: bool = True,
) -> int:
    """The status value of ``entry`` in an already verified ``list_credential``.

    With ``now`` the list's own validity window is checked too: a stale list must not
    vouch for a credential that may have been revoked since.
    """
    if entry.get("type") != ENTRY_TYPE:
        raise StatusError(f"credentialStatus type must be {ENTRY_TYPE}, got {entry.get('type')!r}")
    purpose = entry.get("statusPurpose")
    if purpose not in PURPOSES:
        raise StatusError(f"unknown statusPurpose {purpose!r}")
    index = _index_of(entry, "statusListIndex")
    size = entry.get("statusSize", 1)
    if not isinstance(size, int) or isinstance(size, bool):
        raise StatusError("statusSize must be an integer")
    list_url = entry.get("statusListCredential")
    if require_list_id:
        _require_list_id(list_credential, list_url)
    types = list_credential.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        raise StatusError(f"status list credential is not a {LIST_CREDENTIAL_TYPE}")
    subject = list_credential.get("credentialSubject")
    subject_type = subject.get("type") if isinstance(subject, Mapping) else None
    if not isinstance(subject, Mapping) or LIST_TYPE not in _as_list(subject_type):
        raise StatusError(f"status list credentialSubject must be a {LIST_TYPE}")
    list_purposes = subject.get("statusPurpose")
    if isinstance(list_purposes, str):
        list_purposes = [list_purposes]
    if not isinstance(list_purposes, list) or purpose not in list_purposes:
        raise StatusError(
            f"entry purpose {purpose!r} is not among the list's purposes {list_purposes!r}",
            problem="STATUS_VERIFICATION_ERROR",
        )
    if now is not None:
        _check_window(list_credential, now)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusError("status list has no encodedList")
    _check_status_size(size)
    bitstring = decode_bitstring(encoded, max_bytes=max_bytes)
    entries = len(bitstring) * 8 // size
    if require_min_length and entries < MIN_ENTRIES:
        raise StatusError(
            f"status list holds {entries} entries, fewer than {MIN_ENTRIES}",
            problem="STATUS_LIST_LENGTH_ERROR",
        )
    if index >= entries:
        raise StatusError(
            f"statusListIndex {index} is past the list end ({entries})",
            problem="RANGE_ERROR",
        )
    return _read_bits(bitstring, index * size, size)


def check_entry(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    require_list_id: bool = True,
    require_min_length: bool = True,
) -> int:
    """Raise :class:`Revoked` or :class:`Suspended` when the entry's bit is set.

    ``refresh`` and ``message`` purposes never fail a credential; their value is returned
    for the caller to act on (with ``statusMessage`` when ``statusSize`` > 1).
    """
    value = status_of(
        entry,
        list_credential,
        now=now,
        max_bytes=max_bytes,
        require_list_id=require_list_id,
        require_min_length=require_min_length,
    )
    purpose = entry["statusPurpose"]
    if value and purpose == "revocation":
        raise Revoked(
            "the credential has been revoked",
            status_list=entry.get("statusListCredential"),
        )
    if value and purpose == "suspension":
        raise Suspended("the credential is suspended", status_list=entry.get("statusListCredential"))
    return value


def _index_of(entry: Mapping[str, Any], field: str) -> int:
    raw_index = entry.get(field)
    # The specs make the index a base-10 string; ints are a common foreign mistake we
    # tolerate because their meaning is unambiguous.
    if isinstance(raw_index, bool) or not (
        isinstance(raw_index, int) or (isinstance(raw_index, str) and _DECIMAL.fullmatch(raw_index))
    ):
        raise StatusError(f"{field} must be a base-10 integer string, got {raw_index!r}")
    return int(raw_index)


# --- StatusList2021 and RevocationList2020 (read only) ------------------------------------


@dataclass(frozen=True)
class LegacyStatusMethod:
    """The field and type names of one predecessor of Bitstring Status List."""

    name: str
    entry_type: str
    list_credential_type: str
    list_type: str
    url_field: str
    index_field: str
    # None: the method has no statusPurpose and only revokes (RevocationList2020).
    purposes: tuple[str, ...] | None


STATUS_LIST_2021 = LegacyStatusMethod(
    name="StatusList2021",
    entry_type="StatusList2021Entry",
    list_credential_type="StatusList2021Credential",
    list_type="StatusList2021",
    url_field="statusListCredential",
    index_field="statusListIndex",
    purposes=("revocation", "suspension"),
)
REVOCATION_LIST_2020 = LegacyStatusMethod(
    name="RevocationList2020",
    entry_type="RevocationList2020Status",
    list_credential_type="RevocationList2020Credential",
    list_type="RevocationList2020",
    url_field="revocationListCredential",
    index_field="revocationListIndex",
    purposes=None,
)
LEGACY_METHODS = {method.entry_type: method for method in (STATUS_LIST_2021, REVOCATION_LIST_2020)}


def legacy_entry_purpose(entry: Mapping[str, Any], method: LegacyStatusMethod) -> str:
    """The entry's purpose: its ``statusPurpose`` (StatusList2021) or revocation (RevocationList2020)."""
    if method.purposes is None:
        return "revocation"
    purpose = entry.get("statusPurpose")
    if purpose not in method.purposes:
        raise StatusError(f"{method.entry_type} statusPurpose must be one of {list(method.purposes)}, got {purpose!r}")
    return str(purpose)


def legacy_status_of(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    require_list_id: bool = True,
) -> int:
    """The bit of a StatusList2021 / RevocationList2020 ``entry`` in its already verified list.

    Unlike Bitstring Status List no minimum length is enforced: it protects holders' privacy
    and is the issuer's duty, while a verifier only needs the index to be inside the list.
    """
    method = LEGACY_METHODS.get(str(entry.get("type")))
    if method is None:
        raise StatusError(f"credentialStatus type {entry.get('type')!r} is not StatusList2021 or RevocationList2020")
    purpose = legacy_entry_purpose(entry, method)
    index = _index_of(entry, method.index_field)
    list_url = entry.get(method.url_field)
    if require_list_id:
        _require_list_id(list_credential, list_url)
    if method.list_credential_type not in _as_list(list_credential.get("type")):
        raise StatusError(f"status list credential is not a {method.list_credential_type}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or method.list_type not in _as_list(subject.get("type")):
        raise StatusError(f"status list credentialSubject must be a {method.list_type}")
    if method.purposes is not None and subject.get("statusPurpose") != purpose:
        raise StatusError(
            f"entry purpose {purpose!r} differs from the list's statusPurpose {subject.get('statusPurpose')!r}"
        )
    if now is not None:
        _check_window(list_credential, now)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusError("status list has no encodedList")
    bitstring = decode_legacy_bitstring(encoded, max_bytes=max_bytes)
    if index >= len(bitstring) * 8:
        raise StatusError(f"{method.index_field} {index} is past the list end ({len(bitstring) * 8})")
    return _read_bits(bitstring, index, 1)


def check_legacy_entry(
    entry: Mapping[str, Any],
    list_credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    require_list_id: bool = True,
) -> int:
    """Raise :class:`Revoked` or :class:`Suspended` when a StatusList2021 / RevocationList2020
    entry's bit is set; return the bit (0) otherwise."""
    value = legacy_status_of(entry, list_credential, now=now, max_bytes=max_bytes, require_list_id=require_list_id)
    method = LEGACY_METHODS[str(entry.get("type"))]
    list_url = entry.get(method.url_field)
    if value and legacy_entry_purpose(entry, method) == "suspension":
        raise Suspended("the credential is suspended", status_list=list_url)
    if value:
        raise Revoked("the credential has been revoked", status_list=list_url)
    return value


def _require_list_id(list_credential: Mapping[str, Any], list_url: object) -> None:
    """The list must name itself by the address the entry gives for it (callers that read such a
    list anyway, with a warning, skip this: verifier/status.py)."""
    if list_credential.get("id") is not None and list_url != list_credential.get("id"):
        raise StatusError(
            f"entry points at {list_url!r} but the list credential is {list_credential.get('id')!r}",
            substituted_list=True,
        )


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _check_window(list_credential: Mapping[str, Any], now: datetime) -> None:
    if now.tzinfo is None:
        raise StatusError("now must be timezone-aware")
    # VC 1.1 lists (StatusList2021, RevocationList2020) carry the same window as
    # issuanceDate / expirationDate.
    for field, must_be_before in (
        ("validFrom", True),
        ("validUntil", False),
        ("issuanceDate", True),
        ("expirationDate", False),
    ):
        raw = list_credential.get(field)
        if raw is None:
            continue
        moment = _parse_timestamp(raw, field)
        if must_be_before and now < moment:
            raise StatusError(f"status list credential is not valid before {raw}")
        if not must_be_before and now > moment:
            raise StatusError(f"status list credential expired at {raw}; fetch a fresh one")


def _parse_timestamp(raw: object, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise StatusError(f"status list {field} is not a date-time: {raw!r}") from exc
    if moment.tzinfo is None:
        raise StatusError(f"status list {field} has no time zone: {raw!r}")
    return moment


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise StatusError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def list_entries(
    list_credential: Mapping[str, Any], *, status_size: int = 1, max_bytes: int = DEFAULT_MAX_BYTES
) -> int:
    """How many entries a (checked) BitstringStatusList credential holds."""
    subject = list_credential.get("credentialSubject")
    encoded = subject.get("encodedList") if isinstance(subject, Mapping) else None
    if not isinstance(encoded, str):
        raise StatusError("status list has no encodedList")
    return len(decode_bitstring(encoded, max_bytes=max_bytes)) * 8 // status_size
