"""The results core (``vc.ob3.results``, ADR 0029): descriptions, results and evidence from plain
values, valid under the strict OB 3.0 schema, every term defined, signed and verified."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.credentials.vc import dataintegrity as di
from microcred.credentials.vc import ob3
from microcred.credentials.vc.jsonld import expand_strict
from microcred.credentials.vc.multikey import did_key_public_key, did_key_vm_id

from .conftest import CREATED, assert_strict_ob3

ACHIEVEMENT = "https://academy.example/achievements/dlf"
PROJECT = ob3.AssessedPart(
    key="lesson-7",
    name="Capstone",
    genre="Project",
    required_value="50",
    criteria=(
        ob3.RubricCriterionSpec(
            name="Analysis",
            levels=(
                ob3.RubricLevelSpec("Missing", "0", "No analysis."),
                ob3.RubricLevelSpec("Thorough", "4", "Every claim supported."),
            ),
        ),
        ob3.RubricCriterionSpec(name="Clarity", levels=(ob3.RubricLevelSpec("Clear", "2"),)),
    ),
)
PEER_REVIEWED = ob3.PartOutcome(
    key="lesson-7",
    score="83.5",
    levels=(("Analysis", "Thorough"), ("Clarity", "Gone from the rubric")),
    links=("ftp://old.example/x", "https://git.example.org/work", "https://bad link.example"),
    graded_by="peer",
    reviews=3,
    aggregation="median",
)


def _credential(results: tuple[ob3.Result, ...], evidence: tuple[ob3.Evidence, ...]) -> dict:
    achievement = ob3.Achievement(
        id=ACHIEVEMENT,
        name="Data Literacy",
        description="Data.",
        criteria_narrative="Pass.",
        result_descriptions=(*PROJECT.descriptions(ACHIEVEMENT), ob3.weighted_score_description(ACHIEVEMENT)),
    )
    return ob3.build_credential(
        credential_id="https://academy.example/credentials/1",
        issuer=ob3.IssuerProfile(id="https://academy.example/issuers/1", name="Example Academy"),
        achievement=achievement,
        subject=ob3.Subject.from_email("learner@example.org", "s4lt"),
        valid_from=datetime(2026, 3, 1, 9, tzinfo=UTC),
        results=results,
        evidence=evidence,
    )


def test_a_peer_reviewed_project_with_a_level_gone_from_its_rubric(issuer_key: Ed25519PrivateKey) -> None:
    results = ob3.part_results(PROJECT, PEER_REVIEWED, achievement_id=ACHIEVEMENT)
    evidence = ob3.part_evidence(PROJECT, PEER_REVIEWED)

    part = f"{ACHIEVEMENT}/results/lesson-7"
    assert [r.to_json() for r in results] == [
        {"type": ["Result"], "resultDescription": part, "value": "83.5", "status": "Completed"},
        # Clarity's level is not in the rubric any more: no result pointing at nothing.
        {"type": ["Result"], "resultDescription": f"{part}/criteria/1", "achievedLevel": f"{part}/criteria/1/levels/2"},
    ]
    assert evidence is not None
    assert evidence.to_json() == {
        "id": "https://git.example.org/work",  # the first web link; ftp and a spaced URL are left out
        "type": ["Evidence"],
        "name": "Capstone",
        "description": "Project graded 83.5 % against its rubric (pass mark 50 %). "
        "Peer reviewed: 3 peer reviews, combined by their median.",
        "narrative": "Submitted work:\n- <https://git.example.org/work>",
        "genre": "Project",
    }

    credential = _credential((*results, ob3.weighted_score_result(ACHIEVEMENT, "80")), (evidence,))
    expand_strict(credential)  # every term (RubricCriterionLevel, achievedLevel, ...) is defined
    signed = di.sign(
        credential,
        private_key=issuer_key,
        verification_method=did_key_vm_id(issuer_key.public_key()),
        created=CREATED,
        proof_as_list=True,
    )
    assert_strict_ob3(signed)
    di.verify(signed, resolve_key=did_key_public_key)
    level = signed["credentialSubject"]["achievement"]["resultDescription"][1]["rubricCriterionLevel"][1]
    assert level == {
        "id": f"{part}/criteria/1/levels/2",
        "type": ["RubricCriterionLevel"],
        "name": "Thorough",
        "description": "Every claim supported.",
        "level": "2 of 2",
        "points": "4",
    }


def test_mentor_sign_off_and_work_without_links_or_score() -> None:
    mentor = ob3.part_evidence(PROJECT, ob3.PartOutcome(key="lesson-7", graded_by="mentor"))
    assert mentor is not None
    assert mentor.to_json() == {
        "type": ["Evidence"],
        "name": "Capstone",
        "description": "Signed off by a workplace mentor.",
        "genre": "Project",
    }
    quiz = replace(PROJECT, genre="Quiz", criteria=())
    assert ob3.part_evidence(quiz, PEER_REVIEWED) is None
    assert ob3.part_results(quiz, ob3.PartOutcome(key="lesson-7"), achievement_id=ACHIEVEMENT) == ()


def test_peers_combined_points_name_the_level_worth_them() -> None:
    combined = ob3.PartOutcome(key="lesson-7", score="66.67", levels=(("Analysis", "4.00"), ("Clarity", "1.5")))
    results = ob3.part_results(PROJECT, combined, achievement_id=ACHIEVEMENT)
    part = f"{ACHIEVEMENT}/results/lesson-7"
    # Analysis: 4 points is "Thorough"; Clarity: 1.5 is between levels, so no level is claimed.
    assert [r.achieved_level for r in results] == [None, f"{part}/criteria/1/levels/2"]
    for odd in ("sNaN", "Infinity", "not a number"):
        outcome = ob3.PartOutcome(key="lesson-7", levels=(("Analysis", odd),))
        assert ob3.part_results(PROJECT, outcome, achievement_id=ACHIEVEMENT) == ()
