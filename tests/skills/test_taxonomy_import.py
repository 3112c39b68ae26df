"""``taxonomy_import``: the importers' records written into a framework, all or nothing, idempotent,
only by those who may curate the framework."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from microcred.core.actors import SYSTEM
from microcred.core.models import AuditLog
from microcred.skills.importers.case import read_case
from microcred.skills.importers.esco import read_esco
from microcred.skills.importers.onet import read_onet
from microcred.skills.importers.records import SkillRecord, Source
from microcred.skills.importers.simple import read_simple_csv
from microcred.skills.models import Level, Occupation, OccupationSkill, Relation, Skill, SkillFramework, SkillType
from microcred.skills.services import (
    TaxonomyClosed,
    TaxonomyConflict,
    TaxonomyFileInvalid,
    framework_get_or_create,
    taxonomy_import,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
APP_DEVELOPER = "http://data.europa.eu/esco/occupation/bd272aee-adc9-4a06-a15c-a73b4b4a46a7"


def esco() -> SkillFramework:
    return SkillFramework.objects.get(slug="esco")


def counts() -> dict[str, int]:
    return {
        "skills": Skill.objects.count(),
        "occupations": Occupation.objects.count(),
        "links": OccupationSkill.objects.count(),
        "skill_broader": Skill.broader.through.objects.count(),
        "occupation_broader": Occupation.broader.through.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def import_esco(directory: Path = DATA / "esco"):
    return taxonomy_import(actor=SYSTEM, framework=esco(), records=read_esco(directory))


def test_esco_import_writes_skills_occupations_hierarchy_and_links():
    stages: list[str] = []
    report = taxonomy_import(
        actor=SYSTEM, framework=esco(), records=read_esco(DATA / "esco"), progress=lambda s, d, t: stages.append(s)
    )
    assert (report.skills.created, report.occupations.created, report.links.created) == (9, 3, 11)
    assert report.broader.created == 6
    python = Skill.objects.get(uri=PYTHON)
    assert python.framework == esco() and python.skill_type == SkillType.KNOWLEDGE
    assert python.alt_labels == ["Python", "Python3", "Python 3k"] and python.slug == "python-computer-programming"
    assert list(python.broader.values_list("uri", flat=True)) == [PROGRAMMING]
    assert Skill.objects.get(uri=PROGRAMMING).broader.get().skill_type == SkillType.GROUP
    developer = Occupation.objects.get(uri=DEVELOPER)
    assert developer.code == "2512.4" and "software specialist" in developer.alt_labels
    assert list(Occupation.objects.get(uri=APP_DEVELOPER).broader.all()) == [developer]
    essential = developer.skill_links.filter(relation=Relation.ESSENTIAL).values_list("skill__uri", flat=True)
    assert set(essential) == {PYTHON, PROGRAMMING}
    assert {"Reading", "Skills", "Occupations", "Occupation skills"} <= set(stages)
    audit = AuditLog.objects.get(action="skill_taxonomy.import")
    assert audit.data["skills"]["created"] == 9 and audit.data["occupation_skills"]["created"] == 11


def test_importing_the_same_files_again_changes_nothing():
    import_esco()
    before = counts()
    report = import_esco()
    assert not report.changed
    assert (report.skills.unchanged, report.occupations.unchanged, report.links.unchanged) == (9, 3, 11)
    assert report.broader.unchanged == 6
    assert counts() == before  # not even an audit row


def test_a_changed_file_updates_what_changed_and_drops_what_it_no_longer_says(tmp_path):
    import_esco()
    shutil.copytree(DATA / "esco", tmp_path / "esco")
    skills = tmp_path / "esco" / "skills_en.csv"
    skills.write_text(skills.read_text().replace("Haskell techniques", "Haskell programming"))
    relations = tmp_path / "esco" / "occupationSkillRelations_en.csv"
    kept = [line for line in relations.read_text().splitlines() if "598de5b0" not in line or "258e46f9" in line]
    relations.write_text(
        "\n".join(kept).replace(
            "essential,knowledge,http://data.europa.eu/esco/skill/ccd0",
            "optional,knowledge,http://data.europa.eu/esco/skill/ccd0",
            1,
        )
        + "\n"
    )
    report = import_esco(tmp_path / "esco")
    assert (report.skills.updated, report.skills.unchanged) == (1, 8)
    assert Skill.objects.get(label="Haskell").alt_labels == ["Haskell programming"]
    assert (report.links.removed, report.links.updated) == (1, 1)
    assert not OccupationSkill.objects.filter(occupation__uri=DEVELOPER, skill__label="SQL").exists()
    assert OccupationSkill.objects.get(occupation__uri=DEVELOPER, skill__uri=PYTHON).relation == Relation.OPTIONAL


def test_a_bad_row_in_the_last_file_leaves_nothing_written(tmp_path):
    shutil.copytree(DATA / "esco", tmp_path / "esco")
    relations = tmp_path / "esco" / "occupationSkillRelations_en.csv"
    lines = relations.read_text().splitlines()
    lines[7] = lines[7].replace(",essential,", ",required,")
    relations.write_text("\n".join(lines) + "\n")
    before = counts()
    with pytest.raises(TaxonomyFileInvalid) as caught:
        import_esco(tmp_path / "esco")
    assert caught.value.message.startswith(f"{relations}:8: relationType 'required'")
    assert caught.value.data == {"file": str(relations), "line": 8}
    assert counts() == before


def test_a_link_to_a_skill_that_is_nowhere_is_refused_with_its_line(tmp_path):
    shutil.copytree(DATA / "esco", tmp_path / "esco")
    relations = tmp_path / "esco" / "occupationSkillRelations_en.csv"
    relations.write_text(
        relations.read_text() + f"{DEVELOPER},optional,knowledge,http://data.europa.eu/esco/skill/nope\n"
    )
    with pytest.raises(
        TaxonomyFileInvalid, match=r"occupationSkillRelations_en.csv:13: the skill .*/nope is in neither"
    ):
        import_esco(tmp_path / "esco")
    assert Skill.objects.count() == 0


def test_a_skill_listed_twice_is_refused_naming_both_lines():
    records = [
        SkillRecord(uri="https://s.example/a", label="a", source=Source("one.csv", 2)),
        SkillRecord(uri="https://s.example/a", label="a again", source=Source("one.csv", 9)),
    ]
    with pytest.raises(
        TaxonomyFileInvalid, match=r"one.csv:9: the skill https://s.example/a is listed twice \(first at one.csv:2\)"
    ):
        taxonomy_import(actor=SYSTEM, framework=esco(), records=records)


def test_onet_import_keeps_raw_figures_beside_ours():
    onet = SkillFramework.objects.create(slug="onet", name="O*NET")
    report = taxonomy_import(actor=SYSTEM, framework=onet, records=read_onet(DATA / "onet"))
    assert (report.skills.created, report.occupations.created, report.links.created) == (10, 3, 18)
    link = OccupationSkill.objects.get(occupation__code="15-1252.00", skill__label="Programming")
    assert (link.importance, link.importance_raw, link.level, link.level_raw) == (0.905, 4.62, Level.EXPERT, 5.5)
    assert Skill.objects.filter(framework=onet, skill_type=SkillType.TECHNOLOGY).count() == 5
    assert not taxonomy_import(actor=SYSTEM, framework=onet, records=read_onet(DATA / "onet")).changed


def test_case_and_simple_csv_import_into_provider_frameworks_by_their_staff():
    import_esco()
    provider = OrganisationFactory()
    instructor = UserFactory()
    MembershipFactory(user=instructor, organisation=provider, role="instructor")
    own = framework_get_or_create(actor=instructor, slug="northwind", name="Northwind", owner=provider)
    report = taxonomy_import(actor=instructor, framework=own, records=read_simple_csv(DATA / "skills-simple.csv"))
    assert report.skills.created == 4 and report.broader.created == 3
    power_bi = Skill.objects.get(label="Power BI")
    # A provider's skill may specialise a shared one: referencing is always allowed.
    assert {s.label for s in power_bi.broader.all()} == {"build dashboards", "use spreadsheets software"}
    case = framework_get_or_create(actor=instructor, slug="northwind-case", name="Northwind CASE", owner=provider)
    report = taxonomy_import(actor=instructor, framework=case, records=read_case(DATA / "case-package.json"))
    assert (report.skills.created, report.broader.created) == (4, 3)
    assert Skill.objects.get(label="Data analysis").narrower.count() == 3


def test_provider_staff_cannot_import_into_a_shared_framework():
    provider = OrganisationFactory()
    owner = UserFactory()
    MembershipFactory(user=owner, organisation=provider, role="owner")
    with pytest.raises(TaxonomyClosed):
        taxonomy_import(actor=owner, framework=esco(), records=read_esco(DATA / "esco"))
    assert Skill.objects.count() == 0


def test_an_import_cannot_rewrite_another_frameworks_skill(tmp_path):
    import_esco()
    provider = OrganisationFactory()
    own = SkillFramework.objects.create(slug="own", name="Own", owner=provider)
    path = tmp_path / "skills.csv"
    path.write_text(f"uri,label\nhttps://s.example/mine,mine\n{PYTHON},Python for us\n")
    with pytest.raises(TaxonomyConflict, match=r"skills.csv:3: the skill .* belongs to the framework 'esco'"):
        taxonomy_import(actor=SYSTEM, framework=own, records=read_simple_csv(path))
    assert not Skill.objects.filter(uri="https://s.example/mine").exists()
    assert Skill.objects.get(uri=PYTHON).label == "Python (computer programming)"


def test_new_skills_get_unique_slugs_even_when_labels_collide():
    Skill.objects.create(framework=esco(), uri="https://s.example/old", label="SQL", slug="sql")
    records = [
        SkillRecord(uri="https://s.example/a", label="Data models", source=Source("f", 2)),
        SkillRecord(uri="https://s.example/b", label="data-models", source=Source("f", 3)),
        SkillRecord(uri="https://s.example/c", label="SQL", source=Source("f", 4)),
    ]
    taxonomy_import(actor=SYSTEM, framework=esco(), records=records)
    slugs = dict(Skill.objects.values_list("uri", "slug"))
    assert slugs["https://s.example/a"] == "data-models"
    assert slugs["https://s.example/b"].startswith("data-models-") and slugs["https://s.example/c"].startswith("sql-")


def test_the_selectors_read_labels_and_an_occupations_requirements():
    from microcred.skills.selectors import occupation_requirements, skill_labels

    onet = SkillFramework.objects.create(slug="onet", name="O*NET")
    taxonomy_import(actor=SYSTEM, framework=onet, records=read_onet(DATA / "onet"))
    import_esco()
    labels = skill_labels(framework=esco())
    assert len(labels) == 9 and all(isinstance(row.alt_labels, list) for row in labels)
    python = next(row for row in labels if row.uri == PYTHON)
    assert python.label == "Python (computer programming)" and python.skill_type == "knowledge"
    needs = list(occupation_requirements(occupation_uri="https://www.onetonline.org/link/summary/15-1242.00"))
    assert [(n.skill.label, n.relation) for n in needs][:3] == [
        ("Computers and Electronics", "essential"),
        ("Reading Comprehension", "essential"),
        ("Programming", "optional"),
    ]
    assert needs[-1].relation == "" and needs[-1].importance is None
