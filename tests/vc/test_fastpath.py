"""The shape-compiled fast path returns exactly what ``jsonld.canonicalize`` returns.

Every comparison runs both paths on the same document: the same N-Quads text, or the
same error type and message. ``try_canonicalize_fast`` (no fallback) shows which
documents the fast path itself handled and which it refused.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import fastpath, ob3, pyld_accel
from microcred.credentials.vc.jsonld import canonicalize
from microcred.credentials.vc.multikey import did_key_public_key

from .conftest import (
    CREATED,
    EDDSA,
    OB_VECTOR,
    full_credential,
    random_credential,
    read_json,
    read_text,
    teamwork_badge,
)

CHAIN = EDDSA / "proof-set-chain"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    fastpath.clear_cache()
    yield
    fastpath.clear_cache()


def _outcome(function: Any, document: dict[str, Any]) -> tuple[str, str]:
    try:
        return ("ok", function(document))
    except Exception as exc:  # the error itself is part of what must be identical
        return (type(exc).__name__, str(exc))


def assert_same(document: dict[str, Any]) -> tuple[str, str]:
    pristine = copy.deepcopy(document)
    expected = _outcome(canonicalize, document)
    assert _outcome(fastpath.canonicalize_fast, document) == expected
    assert document == pristine, "the fast path must not modify its input"
    return expected


# --- official vectors ----------------------------------------------------------------


def _vector_documents() -> list[tuple[str, dict[str, Any]]]:
    unsigned = read_json(EDDSA / "unsigned.json")
    documents = [("vc-di-eddsa/unsigned.json", unsigned)]
    for suite, name in (("eddsa-rdfc-2022", "DataInt"), ("eddsa-jcs-2022", "JCS")):
        config = read_json(EDDSA / suite / f"proofConfig{name}.json")
        documents.append((f"{suite}/proofConfig", {**config, "@context": unsigned["@context"]}))
        signed = read_json(EDDSA / suite / f"signed{name}.json")
        proof = signed.pop("proof")
        documents.append((f"{suite}/signed minus proof", signed))
        options = {key: value for key, value in proof.items() if key != "proofValue"}
        documents.append((f"{suite}/signed proof config", {**options, "@context": unsigned["@context"]}))
    for path in sorted(CHAIN.glob("*.json")):
        if path.name == "multiKeyPairs.json":
            continue
        document = read_json(path)
        if "@context" in document:
            documents.append((f"proof-set-chain/{path.name}", document))
        if "proof" in document:
            unsecured = {key: value for key, value in document.items() if key != "proof"}
            documents.append((f"proof-set-chain/{path.name} minus proof", unsecured))
        elif "@context" not in document:
            documents.append((f"proof-set-chain/{path.name} as config", {**document, "@context": unsigned["@context"]}))
    documents.append(("ob-v3p0 Teamwork Badge", teamwork_badge()))
    documents.append(("OB 3.0 full credential", full_credential()))
    return documents


@pytest.mark.parametrize(("name", "document"), _vector_documents(), ids=lambda value: str(value)[:60])
def test_vector_documents_canonicalize_identically(name: str, document: dict[str, Any]) -> None:
    assert_same(document)
    # The second sight of the shape is a template fill, not the full path.
    assert fastpath.try_canonicalize_fast(copy.deepcopy(document)) == canonicalize(document)


def test_official_canonical_texts_come_out_of_a_template() -> None:
    unsigned = read_json(EDDSA / "unsigned.json")
    other = {**unsigned, "id": "urn:uuid:00000000-0000-4000-8000-000000000001"}
    fastpath.canonicalize_fast(other)  # a first sight: the full path, the shape noted
    fastpath.canonicalize_fast(other)  # the second sight compiles the shape
    assert fastpath.try_canonicalize_fast(unsigned) == read_text(EDDSA / "eddsa-rdfc-2022/canonDocDataInt.txt")
    badge = teamwork_badge()
    fastpath.canonicalize_fast({**badge, "name": "Another badge"})
    fastpath.canonicalize_fast({**badge, "name": "Another badge"})
    assert fastpath.try_canonicalize_fast(badge) == read_text(OB_VECTOR / "document-canon.txt")
    assert fastpath.stats().filled == 4


# --- generated OB 3.0 credentials ------------------------------------------------------

_TEXTS = [
    "plain",
    "Ünïcødé ✓ 日本語 עברית 🎓",
    "e\u0301 combining",
    'quote " and \\ backslash \\" mixed',
    "new\nline\r\ncarriage\rreturn\ttab",
    "".join(chr(code) for code in range(32)) + "\x7f",
    "form\x0cfeed back\x08space nul\x00",
    "x" * 10_000,
    "",
    " ",
    "@id",
    "@context",
    "_:b0",
    '{"@value": "json-looking"}',
    "2025-03-01T09:00:00Z",
    "<http://a.example/> <http://p.example/> <http://o.example/> .",
    "\u2028\u2029\ufeff",
]
_IRIS = [
    "https://academy.example/credentials/1",
    "HTTPS://Upper.Example/Path?q=a&b=c#frag",
    "https://例え.jp/ü/パス?q=ü#f",
    "https://a.example/%F0%9F%8E%93/%20",
    "urn:uuid:1d4b5d5e-0b8c-4c8e-9c1a-4e8a8f3b2a11",
    "did:example:ebfeb1f712ebc6f1c276e12ec21",
    "did:web:example.com%3A8443:user:alice",
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "mailto:learner@example.org",
    "tag:example.org,2025:badge",
    "ext:ESCOSkill",
    "xsd:string",
    "cred:foo",
    "urn:x:" + "a" * 5000,
    "relative/path",
    "../up",
    "#fragment",
    "",
    "_:b1",
    "https://a.example/with space",
    "https://a.example/><http://p.example/><http://o.example/>.<x",
    "https://a.example/\x00nul",
    "https://a.example/{curly}|^`",
    "http://[::1]:8080/ipv6",
    "https:no-slashes",
    "a:b:c",
]


def _leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, str):
        yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("@context", "type"):
                yield from _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaf_paths(value, (*path, index))


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _family(seed: int) -> ob3.Achievement:
    """An achievement (the shared part of a cohort's credentials) drawn from ``seed``."""
    rng = random.Random(seed)

    def text() -> str:
        return rng.choice(_TEXTS[:8]) + f" {rng.randint(0, 99)}"

    def maybe(value: Any) -> Any:
        return value if rng.random() < 0.6 else None

    base = f"https://p{seed}.example"
    return ob3.Achievement(
        id=f"{base}/achievements/{seed}",
        name=text(),
        description=text(),
        criteria_narrative=text(),
        criteria_id=maybe(f"{base}/criteria"),
        image=maybe(f"{base}/b.png"),
        image_caption=maybe(text()),
        credits_available=maybe(rng.choice([1, 2.0, 2.5, -3, 1e-7, 6.02e23, 0.1 + 0.2, 1e21, 123456789.125])),
        field_of_study=maybe(text()),
        in_language=maybe(rng.choice(["en", "de", "pt-BR"])),
        human_code=maybe(f"C-{seed}"),
        tags=tuple(text() for _ in range(rng.randint(0, 3))),
        alignments=tuple(
            ob3.Alignment(
                target_name=text(),
                target_url=f"http://data.europa.eu/esco/skill/{seed}-{i}",
                target_type=maybe("ext:ESCOSkill"),
                target_framework=maybe("ESCO"),
                target_code=maybe(str(i)),
            )
            for i in range(rng.randint(0, 3))
        ),
        result_descriptions=tuple(
            ob3.ResultDescription(
                id=f"{base}/rd/{i}",
                name=text(),
                result_type=rng.choice(["Percent", "LetterGrade", "ext:Points"]),
                value_min=maybe("0"),
                value_max=maybe("100"),
                allowed_value=tuple(rng.choice(["A", "B", "C"]) for _ in range(rng.randint(0, 2))),
            )
            for i in range(rng.randint(0, 2))
        ),
        eu=maybe(
            ob3.EuMicroCredentialFields(
                assessment_type=maybe(text()),
                participation_form=maybe("blended"),
                eqf_level=maybe(rng.randint(1, 8)),
                notional_workload_hours=maybe(Decimal(rng.randint(1, 400)) / 4),
                awarding_body_country=maybe("PT"),
            )
        ),
    )


def _learner_credential(achievement: ob3.Achievement, seed: int, learner: int) -> dict[str, Any]:
    rng = random.Random(seed * 1000 + learner)
    base = achievement.id.split("/achievements/")[0]
    subject = (
        ob3.Subject(id=rng.choice(_IRIS[:10]))
        if rng.random() < 0.4
        else ob3.Subject.from_email(f"learner{learner}@example.org", rng.choice(_TEXTS[:8]) or "s")
    )
    valid_from = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**9))
    credential = ob3.build_credential(
        credential_id=f"urn:uuid:00000000-0000-4000-8000-{seed:06d}{learner:06d}",
        issuer=ob3.IssuerProfile(id=f"{base}/issuer", name=f"Provider {seed}", url=base),
        achievement=achievement,
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=rng.randint(1, 4000)),
        awarded_date=valid_from,
        results=tuple(
            ob3.Result(result_description=rd.id, value=rng.choice(_TEXTS[:8]) or "0")
            for rd in achievement.result_descriptions
        ),
        evidence=tuple(ob3.Evidence(id=f"{base}/ev/{learner}/{i}", narrative="n") for i in range(rng.randint(0, 1))),
        status=ob3.StatusEntry(
            id=f"{base}/status/1#{learner}",
            status_list_credential=f"{base}/status/1",
            status_list_index=rng.randint(0, 131071),
        ),
    )
    # Now and then one arbitrary string becomes something odd (an IRI, control characters, ...).
    if rng.random() < 0.5:
        path = rng.choice(list(_leaf_paths(credential)))
        _set(credential, path, rng.choice(_IRIS + _TEXTS))
    if rng.random() < 0.1:
        credential["credentialSubject"]["identifier"] = [
            {**item, "hashed": rng.choice([True, False])}
            for item in credential["credentialSubject"].get("identifier", [])
        ] or [{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Ana"}]
    return credential


def test_generated_cohorts_canonicalize_identically() -> None:
    compared = outcomes = 0
    for seed in range(24):
        achievement = _family(seed)
        for learner in range(22):
            outcome = assert_same(_learner_credential(achievement, seed, learner))
            compared += 1
            outcomes += outcome[0] == "ok"
    stats = fastpath.stats()
    assert compared >= 500
    # Most credentials must actually have come out of a filled template...
    assert stats.filled > compared // 2, stats
    # ...and the odd values must have exercised the fallback too.
    assert stats.refused > 10, stats
    assert outcomes > compared // 2


@pytest.mark.parametrize("control_chars", [False, True])
def test_conftest_random_credentials_canonicalize_identically(control_chars: bool) -> None:
    for seed in range(60):
        document = random_credential(seed, control_chars=control_chars)
        assert_same(document)
        assert_same({**document, "id": f"urn:uuid:{seed:032d}"})  # compiles the shape
        assert_same(document)  # filled from the template


@pytest.mark.parametrize("value", [1, -1, 0, 2.5, -0.0, 1e-7, 1.5e300, 6.02e23, 10**22, True, False, None])
def test_numbers_and_booleans_are_part_of_the_shape(value: Any) -> None:
    credential = full_credential()
    credential["credentialSubject"]["creditsEarned"] = value
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = value
    assert_same(credential)
    assert_same({**credential, "id": "urn:uuid:00000000-0000-4000-8000-000000000002"})


def test_language_tagged_value_objects() -> None:
    credential = full_credential()
    achievement = credential["credentialSubject"]["achievement"]
    achievement["description"] = {"@value": "Liest Tabellen.", "@language": "de"}
    achievement["name"] = {"@value": "Daten", "@language": "de-AT"}
    first = assert_same(credential)
    assert first[0] == "ok" and '"Liest Tabellen."@de' in first[1]
    achievement["description"] = {"@value": 'Lê tabelas\n"com aspas"', "@language": "de"}
    assert_same(credential)
    achievement["name"] = {"@value": "{0} {{braces}}", "@language": "de-AT"}
    assert '"{0} {{braces}}"@de-at' in assert_same(credential)[1]
    assert fastpath.stats().filled == 2


# --- the fast path refuses what it cannot prove ------------------------------------------


def _refused(document: dict[str, Any]) -> None:
    assert fastpath.try_canonicalize_fast(document) is None
    assert_same(document)


def test_relative_iri_falls_back() -> None:
    credential = full_credential()
    fastpath.canonicalize_fast(credential)
    _refused({**credential, "id": "credentials/1"})
    outcome = _outcome(canonicalize, {**credential, "id": "credentials/1"})
    assert "<http://example.org/base/credentials/1>" in outcome[1]


def test_compact_iri_in_an_id_position_falls_back() -> None:
    # Inside a VC 1.1 credential the type-scoped context defines the prefix "cred".
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    fastpath.canonicalize_fast(document)
    compact = {**document, "issuer": "cred:issuer"}
    _refused(compact)
    assert "<https://www.w3.org/2018/credentials#issuer>" in canonicalize(compact).split("issuer> ", 1)[1]


@pytest.mark.parametrize("value", ["_:b1", "xsd:string", "tag:example.org,2025:x", "a b:c", "", "@id"])
def test_other_unprovable_iri_values_fall_back(value: str) -> None:
    credential = full_credential()
    fastpath.canonicalize_fast(credential)
    credential["credentialSubject"]["achievement"]["id"] = value
    _refused(credential)


def test_invalid_iri_falls_back_to_the_full_error() -> None:
    credential = full_credential()
    fastpath.canonicalize_fast(credential)
    credential["id"] = "https://a.example/><http://p.example/><http://o.example/>.<x"
    assert fastpath.try_canonicalize_fast(credential) is None
    assert assert_same(credential)[0] == "MalformedCredential"


def test_unknown_shape_features_fall_back() -> None:
    inline = {**teamwork_badge()}
    inline["@context"] = [*inline["@context"], {"kind": "@type"}]
    _refused(inline)
    with_tuple: dict[str, Any] = {**teamwork_badge(), "name": ("a", "b")}
    assert fastpath.try_canonicalize_fast(with_tuple) is None
    assert fastpath.try_canonicalize_fast([teamwork_badge()]) is None  # type: ignore[arg-type]
    keyword_like = {**teamwork_badge(), "@unknownKeyword": "x"}
    assert_same(keyword_like)
    assert_same({**keyword_like, "id": "urn:uuid:2"})
    nan = {**teamwork_badge(), "credentialSubject": {**teamwork_badge()["credentialSubject"], "x": float("nan")}}
    assert fastpath.try_canonicalize_fast(nan) is None


def test_a_shape_the_full_path_rejects_is_refused_with_the_same_error() -> None:
    undefined = {**teamwork_badge(), "notATerm": "x"}
    assert assert_same(undefined)[0] == "UndefinedTerm"
    assert fastpath.try_canonicalize_fast(undefined) is None
    unknown = {**teamwork_badge(), "@context": ["https://unknown.example/ctx"]}
    assert assert_same(unknown)[0] == "UnknownContext"


def test_lone_surrogate_falls_back() -> None:
    credential = full_credential()
    fastpath.canonicalize_fast(credential)
    credential["name"] = "bad \ud800 surrogate"
    assert fastpath.try_canonicalize_fast(credential) is None
    assert_same(credential)


def test_shape_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "SHAPE_CACHE_SIZE", 3)
    for index in range(6):
        credential = teamwork_badge()
        credential["credentialSubject"]["achievement"]["criteria"] = {"narrative": "n", "id": f"urn:x:{index}"}
        credential["credentialSubject"]["extra"] = None  # undefined, but null: no triple
        credential["credentialSubject"]["achievement"]["tag"] = ["t"] * index
        assert_same(credential)
        assert_same({**credential, "id": "urn:uuid:2"})  # the second sight compiles
    assert fastpath.stats().compiled == 6
    assert len(fastpath._CACHE.shapes) == 3


# --- signing and verifying ---------------------------------------------------------------


def test_sign_many_equals_dataintegrity_sign(issuer_key: Ed25519PrivateKey) -> None:
    achievement = _family(7)
    documents = [_learner_credential(achievement, 7, learner) for learner in range(12)]
    documents = [doc for doc in documents if _outcome(canonicalize, doc)[0] == "ok"]
    options: dict[str, Any] = {
        "private_key": issuer_key,
        "verification_method": "https://p7.example/issuer#key-1",
        "created": CREATED,
    }
    signed = list(fastpath.sign_many(documents, **options))
    assert signed == [di.sign(doc, **options) for doc in documents]
    public = issuer_key.public_key()
    for credential in signed:
        di.verify(credential, resolve_key=lambda vm: (public, "https://p7.example/issuer"))
        fastpath.verify_fast(credential, resolve_key=lambda vm: (public, "https://p7.example/issuer"))
    assert fastpath.stats().filled >= len(documents)


def test_sign_fast_reproduces_the_official_rdfc_vector(vector_key: Ed25519PrivateKey) -> None:
    unsigned = read_json(EDDSA / "unsigned.json")
    signed = read_json(EDDSA / "eddsa-rdfc-2022/signedDataInt.json")
    created = datetime.fromisoformat(signed["proof"]["created"])
    options = {"private_key": vector_key, "verification_method": signed["proof"]["verificationMethod"]}
    fastpath.sign_fast({**unsigned, "id": "urn:uuid:other"}, created=created, **options)
    assert fastpath.sign_fast(unsigned, created=created, **options) == signed
    (again,) = fastpath.sign_many([unsigned], created=created, **options)
    assert again == signed


@pytest.mark.parametrize(
    "path",
    [
        EDDSA / "eddsa-rdfc-2022/signedDataInt.json",
        EDDSA / "eddsa-jcs-2022/signedJCS.json",
        CHAIN / "signedProofSet2.json",
        CHAIN / "signedProofChain2.json",
    ],
    ids=lambda path: path.name,
)
def test_verify_fast_accepts_the_official_signed_vectors(path: Any) -> None:
    document = read_json(path)
    assert fastpath.verify_fast(document, resolve_key=did_key_public_key) == di.verify(
        document, resolve_key=did_key_public_key
    )


def test_verify_fast_rejects_tampering_like_verify(issuer_key: Ed25519PrivateKey) -> None:
    options: dict[str, Any] = {
        "private_key": issuer_key,
        "verification_method": "https://x.example/i#k",
        "created": CREATED,
    }
    (signed,) = fastpath.sign_many([full_credential()], **options)
    public = issuer_key.public_key()
    fastpath.verify_fast(signed, resolve_key=lambda vm: (public, "https://x.example/i"))
    for path in _leaf_paths(signed):
        if path[0] == "proof":
            continue
        tampered = copy.deepcopy(signed)
        _set(tampered, path, "tampered")
        expected = _outcome(lambda d: di.verify(d, resolve_key=lambda vm: (public, "x")), tampered)
        assert expected[0] != "ok"
        assert _outcome(lambda d: fastpath.verify_fast(d, resolve_key=lambda vm: (public, "x")), tampered) == expected


# --- first sight, text templates, shape keys ----------------------------------------------


def _count_to_rdf(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = pyld_accel.AcceleratedProcessor.to_rdf

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pyld_accel.AcceleratedProcessor, "to_rdf", counting)
    return calls


def test_a_first_sight_costs_one_full_path_run_and_the_second_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_to_rdf(monkeypatch)
    credential = full_credential()
    assert fastpath.canonicalize_fast(credential) == canonicalize(credential)
    assert calls[0] == 2  # canonicalize_fast's own run, then the reference's
    assert fastpath.stats() == fastpath.FastPathStats(refused=1, first_sights=1)
    other = {**credential, "id": "urn:uuid:00000000-0000-4000-8000-000000000003"}
    assert fastpath.canonicalize_fast(other) == canonicalize(other)
    assert calls[0] == 4  # the compile's run on the sentinel probe, then the reference's
    third = {**credential, "id": "urn:uuid:00000000-0000-4000-8000-000000000004"}
    assert fastpath.canonicalize_fast(third) == canonicalize(third)
    assert calls[0] == 5  # a fill: no pyld at all
    assert fastpath.stats() == fastpath.FastPathStats(compiled=1, refused=1, filled=2, first_sights=1)


def test_a_value_the_template_refuses_stays_on_the_full_path() -> None:
    relative = {**full_credential(), "id": "credentials/1"}
    for _ in range(3):
        assert_same(relative)
    assert fastpath.stats().compiled == 1  # the shape compiles: the *value* is refused each time
    assert fastpath.stats().filled == 0


@pytest.mark.parametrize("value", ["{0}", "{}", "{{0}}", "}{", "{" * 50, "{1000}", "{0!r:>10}"])
def test_format_fields_in_values_are_data(value: str) -> None:
    credential = full_credential()
    fastpath.canonicalize_fast(credential)
    fastpath.canonicalize_fast(credential)
    credential["name"] = value
    credential["credentialSubject"]["achievement"]["description"] = value
    assert fastpath.try_canonicalize_fast(credential) == canonicalize(credential)
    # Braces are not valid in an IRI: pyoxigraph refuses them, the full path reports it.
    credential["id"] = f"https://a.example/{value}"
    assert fastpath.try_canonicalize_fast(credential) is None
    assert assert_same(credential)[0] == "MalformedCredential"


def test_shape_valued_strings_and_lists_do_not_collide() -> None:
    # Types and contexts are part of the shape, compared as strings, lists of strings
    # or JSON text: a string that reads like the JSON of a list is another shape.
    base = teamwork_badge()
    achievement = base["credentialSubject"]["achievement"]
    variants = [
        ["Achievement"],
        "Achievement",
        '["Achievement"]',
        ["Achievement", "ext:Other"],
        ["Achievement", {"x": 1}],
        [["Achievement"]],
    ]
    for kind in variants:
        document = copy.deepcopy(base)
        document["credentialSubject"]["achievement"] = {**achievement, "type": kind}
        for name in ("a", "b", "c"):
            document["name"] = name
            assert_same(document)
    shapes = {fastpath._shape_of({**base, "type": kind})[0] for kind in variants}
    assert len(shapes) == len(variants)
