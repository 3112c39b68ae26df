"""The taxonomy parsers on their own (no database): each format's records, and a bad row's error
naming its file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from microcred.skills.importers.case import read_case
from microcred.skills.importers.esco import read_esco
from microcred.skills.importers.onet import importance_of, level_of, read_onet, relation_of
from microcred.skills.importers.records import (
    BroaderRecord,
    OccupationRecord,
    OccupationSkillRecord,
    SkillRecord,
    TaxonomyFormatError,
)
from microcred.skills.importers.simple import read_simple_csv

DATA = Path(__file__).parent / "data"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
PROGRAMMING = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"


def of(kind, records):
    return [r for r in records if isinstance(r, kind)]


def test_esco_reads_groups_skills_occupations_and_relations():
    records = list(read_esco(DATA / "esco"))
    skills = {r.uri: r for r in of(SkillRecord, records)}
    assert len(skills) == 9 and sum(r.skill_type == "group" for r in skills.values()) == 2
    python = skills[PYTHON]
    assert python.label == "Python (computer programming)"
    assert python.alt_labels == ("Python", "Python3", "Python 3k")  # newline-separated in one cell
    assert python.skill_type == "knowledge" and python.description.startswith("The techniques")
    assert skills["http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"].skill_type == "skill"
    occupations = of(OccupationRecord, records)
    assert [o.code for o in occupations] == ["2512.4", "2512.4.2", "2511.4"]
    broader = of(BroaderRecord, records)
    # ISCO groups are not occupations: the rows linking to them are left out.
    assert [(b.kind, b.uri == PYTHON and b.broader_uri == PROGRAMMING) for b in broader].count(("skill", True)) == 1
    assert sum(b.kind == "occupation" for b in broader) == 1
    links = of(OccupationSkillRecord, records)
    assert len(links) == 11 and {link.relation for link in links} == {"essential", "optional"}
    # A row's source is the line it starts on, multi-line cells included.
    assert python.source.line == 5 and python.source.file.endswith("skills_en.csv")


def test_without_the_skill_groups_file_the_rows_naming_groups_are_left_out(tmp_path):
    shutil.copytree(DATA / "esco", tmp_path / "esco")
    (tmp_path / "esco" / "skillGroups_en.csv").unlink()
    broader = of(BroaderRecord, read_esco(tmp_path / "esco"))
    assert {(b.uri, b.broader_uri) for b in broader if b.kind == "skill"} == {
        (PYTHON, PROGRAMMING),
        ("http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02", PROGRAMMING),
    }


def test_an_esco_row_with_an_unknown_skill_type_names_its_file_and_line(tmp_path):
    shutil.copytree(DATA / "esco", tmp_path / "esco")
    path = tmp_path / "esco" / "skills_en.csv"
    path.write_text(path.read_text().replace("knowledge,sector-specific,Haskell", "competence,sector-specific,Haskell"))
    with pytest.raises(TaxonomyFormatError) as caught:
        list(read_esco(tmp_path / "esco"))
    assert caught.value.file == str(path) and caught.value.line == 8
    assert "skillType 'competence'" in str(caught.value) and str(caught.value).startswith(f"{path}:8: ")


def test_an_esco_file_without_a_required_column_is_refused_at_its_header(tmp_path):
    (tmp_path / "occupations_en.csv").write_text("conceptUri,label\nhttp://x.example/o,cook\n")
    with pytest.raises(TaxonomyFormatError, match=r"occupations_en.csv:1: missing column\(s\) preferredLabel"):
        list(read_esco(tmp_path))


def test_a_directory_without_esco_files_is_refused(tmp_path):
    with pytest.raises(TaxonomyFormatError, match="holds none of ESCO's files"):
        list(read_esco(tmp_path))


def test_onet_scales_become_importance_relation_and_level():
    assert importance_of(1.0) == 0.0 and importance_of(5.0) == 1.0 and importance_of(3.0) == 0.5
    assert relation_of(3.0) == "essential" and relation_of(2.99) == "optional"
    assert [level_of(v) for v in (0.0, 2.99, 3.0, 4.99, 5.0, 7.0)] == [
        "beginner",
        "beginner",
        "intermediate",
        "intermediate",
        "expert",
        "expert",
    ]


def test_onet_merges_importance_and_level_rows_and_reads_technology():
    records = list(read_onet(DATA / "onet"))
    occupations = {o.code: o for o in of(OccupationRecord, records)}
    assert occupations["15-1242.00"].alt_labels == ("DBA", "Database Administrator")
    assert occupations["15-1252.00"].uri == "https://www.onetonline.org/link/summary/15-1252.00"
    skills = {s.uri: s for s in of(SkillRecord, records)}
    programming = skills["https://www.onetonline.org/find/descriptor/result/2.B.3.e"]
    assert (
        programming.skill_type == "skill"
        and programming.description == "Writing computer programs for various purposes."
    )
    assert {s.label for s in skills.values() if s.skill_type == "technology"} == {
        "Python",
        "Git",
        "Microsoft Excel",
        "Microsoft SQL Server",
        "C++",
    }
    links = {(link.occupation_uri[-10:], link.skill_uri): link for link in of(OccupationSkillRecord, records)}
    developer_programming = links[("15-1252.00", programming.uri)]
    assert developer_programming.importance_raw == 4.62 and developer_programming.importance == 0.905
    assert developer_programming.relation == "essential"
    assert (developer_programming.level_raw, developer_programming.level) == (5.5, "expert")
    dba_programming = links[("15-1242.00", programming.uri)]
    assert (dba_programming.relation, dba_programming.level) == ("optional", "beginner")
    # O*NET marks the level "not relevant": the raw figure stays, no level is claimed.
    dba_maths = links[("15-1242.00", "https://www.onetonline.org/find/descriptor/result/2.C.4.a")]
    assert (dba_maths.level_raw, dba_maths.level) == (0.0, "")
    technology = [link for link in links.values() if "skills.microcred.org/onet/technology" in link.skill_uri]
    assert len(technology) == 6 and all(link.relation == "" and link.importance is None for link in technology)
    # Python under the same commodity is one skill, named by two occupations.
    assert len({link.skill_uri for link in technology}) == 5


def test_an_onet_value_out_of_its_scale_names_the_line(tmp_path):
    shutil.copytree(DATA / "onet", tmp_path / "onet")
    path = tmp_path / "onet" / "Knowledge.txt"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace("\tLV\t3.98\t", "\tLV\t9.10\t")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TaxonomyFormatError, match=r"Knowledge.txt:5: Data Value 9.1 is outside LV's range 0–7"):
        list(read_onet(tmp_path / "onet"))


def test_case_items_become_skills_and_is_child_of_their_broader_skills():
    records = list(read_case(DATA / "case-package.json"))
    skills = {s.label: s for s in of(SkillRecord, records)}
    assert set(skills) == {
        "Data analysis",
        "Spreadsheet analysis",
        "Write SQL queries that join, filter and aggregate relational data, and read their execution plans to make "
        "them faster.",
        "Descriptive statistics",
    }
    spreadsheet = skills["Spreadsheet analysis"]
    assert spreadsheet.alt_labels == ("DATA.1", "pivot tables", "Excel analysis")
    assert spreadsheet.skill_type == "skill" and skills["Descriptive statistics"].skill_type == "knowledge"
    broader = of(BroaderRecord, records)
    # Three items are children of "Data analysis"; the top one is a child of the document; the
    # isRelatedTo association is not a hierarchy.
    assert len(broader) == 3 and {b.broader_uri for b in broader} == {skills["Data analysis"].uri}
    assert spreadsheet.source.line == 37


def test_a_case_association_to_an_unknown_item_names_its_line(tmp_path):
    package = json.loads((DATA / "case-package.json").read_text())
    package["CFAssociations"][1]["destinationNodeURI"] = {"identifier": "nowhere", "uri": "https://case.example.org/x"}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(package, indent=2))
    with pytest.raises(TaxonomyFormatError, match=r"CFAssociations\[1\]\.destinationNodeURI names no item") as caught:
        list(read_case(path))
    line = path.read_text().splitlines()[caught.value.line - 1]
    assert package["CFAssociations"][1]["identifier"] in line


def test_a_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "case.json"
    path.write_text('{\n  "CFDocument": {\n    "title": "x",\n  }\n}\n')
    with pytest.raises(TaxonomyFormatError, match=r"case.json:4: not JSON"):
        list(read_case(path))


def test_the_simple_csv_reads_labels_types_and_broader():
    records = list(read_simple_csv(DATA / "skills-simple.csv"))
    skills = {s.label: s for s in of(SkillRecord, records)}
    assert skills["Power BI"].skill_type == "technology" and skills["English (B2)"].skill_type == "language"
    assert skills["build dashboards"].alt_labels == ("dashboarding", "BI dashboards")
    assert len(of(BroaderRecord, records)) == 3


def test_a_simple_csv_with_a_bad_type_or_uri_names_the_line(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("uri,label,type\nhttps://s.example/a,a,skill\nhttps://s.example/b,b,talent\n")
    with pytest.raises(TaxonomyFormatError, match=r"skills.csv:3: type 'talent' is not one of"):
        list(read_simple_csv(path))
    path.write_text("uri,label\nhttps://s.example/a,a\nnot a uri,b\n")
    with pytest.raises(TaxonomyFormatError, match=r"skills.csv:3: uri 'not a uri' is not an http\(s\) URI"):
        list(read_simple_csv(path))
