"""``microcred skills import-…``: a progress bar on stderr, one line of counts on stdout, nothing
changed by a second run, and a bad file's line in the error."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from microcred.skills.models import Occupation, OccupationSkill, Skill, SkillFramework
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("skills", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_esco_prints_counts_and_a_second_run_changes_nothing():
    out, err = run("import-esco", str(DATA / "esco"))
    assert out.strip().splitlines() == [
        f"ESCO {DATA / 'esco'} into 'esco' (done): skills: 9 created, 0 updated, 0 unchanged; "
        "occupations: 3 created, 0 updated, 0 unchanged; broader: 6 created, 0 updated, 0 unchanged; "
        "occupation skills: 11 created, 0 updated, 0 unchanged."
    ]
    assert "Skills" in err and "Occupation skills" in err  # the progress bars' stages
    out, _ = run("import-esco", str(DATA / "esco"))
    assert "(changed nothing): skills: 0 created, 0 updated, 9 unchanged" in out


def test_import_onet_creates_the_onet_framework():
    out, _ = run("import-onet", str(DATA / "onet"))
    assert "into 'onet' (done): skills: 10 created" in out and "occupation skills: 18 created" in out
    assert SkillFramework.objects.get(slug="onet").owner is None
    assert Occupation.objects.filter(framework__slug="onet").count() == 3


def test_import_case_names_the_framework_after_the_document():
    out, _ = run("import-case", str(DATA / "case-package.json"))
    assert "into 'northwind-data-skills' (done): skills: 4 created" in out
    framework = SkillFramework.objects.get(slug="northwind-data-skills")
    assert framework.name == "Northwind Data Skills" and framework.publisher == "Northwind Data Academy"


def test_import_csv_into_a_providers_new_framework():
    run("import-esco", str(DATA / "esco"))
    provider = OrganisationFactory(slug="northwind")
    out, _ = run("import-csv", str(DATA / "skills-simple.csv"), "--framework", "northwind", "--provider", "northwind")
    assert "into 'northwind' (done): skills: 4 created" in out
    assert SkillFramework.objects.get(slug="northwind").owner == provider


def test_a_bad_row_stops_the_import_with_its_file_and_line(tmp_path):
    shutil.copytree(DATA / "onet", tmp_path / "onet")
    path = tmp_path / "onet" / "Technology Skills.txt"
    path.write_text(path.read_text().replace("15-1242.00\tC++", "15-1242\tC++"))
    with pytest.raises(CommandError, match=r"Technology Skills.txt:7: O\*NET-SOC Code '15-1242' is not like"):
        run("import-onet", str(tmp_path / "onet"))
    assert not Skill.objects.exists() and not OccupationSkill.objects.exists()


def test_a_person_without_the_right_is_refused():
    UserFactory(email="someone@example.org")
    with pytest.raises(CommandError, match="Only platform staff import into the skill framework 'esco'"):
        run("import-esco", str(DATA / "esco"), "--as", "someone@example.org")


def test_missing_wheels_say_how_to_get_them(tmp_path):
    with pytest.raises(CommandError, match="Run `make esco-data` first"):
        run("import-esco-package", "--playground", "--dir", str(tmp_path))


def test_a_failed_import_leaves_no_new_framework_behind(tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("uri,label\nhttps://s.example/a,a\nhttps://s.example/b,\n")
    with pytest.raises(CommandError, match=r"skills.csv:3: label is empty"):
        run("import-csv", str(path), "--framework", "brand-new")
    assert not SkillFramework.objects.filter(slug="brand-new").exists()


def test_import_csv_takes_the_simple_occupation_files_with_the_skills():
    run("import-esco", str(DATA / "esco"))  # power-bi's broader skill is an ESCO one
    out, err = run(
        "import-csv",
        str(DATA / "skills-simple.csv"),
        "--occupations",
        str(DATA / "occupations-simple.csv"),
        "--occupation-skills",
        str(DATA / "occupation-skills-simple.csv"),
        "--framework",
        "northwind",
    )
    assert out.count("\n") == 1  # one line of counts
    assert "into 'northwind' (done): skills: 4 created" in out
    assert "occupations: 2 created" in out and "occupation skills: 4 created" in out
    assert "Occupations" in err and "Occupation skills" in err  # the progress bars' stages
    analyst = Occupation.objects.get(uri="https://skills.northwind.example/occupation/bi-analyst")
    assert analyst.code == "2511.4" and analyst.framework.slug == "northwind"
    needs = {link.skill.label: (link.relation, link.importance, link.level) for link in analyst.skill_links.all()}
    assert needs == {
        "build dashboards": ("essential", 0.9, "expert"),
        "Power BI": ("essential", 0.8, "intermediate"),
        "English (B2)": ("optional", None, ""),
    }
    # Occupations alone, later, into the same framework: nothing changes on a second run.
    out, _ = run("import-csv", "--occupations", str(DATA / "occupations-simple.csv"), "--framework", "northwind")
    assert "(changed nothing)" in out and "occupations: 0 created, 0 updated, 2 unchanged" in out


def test_a_bad_occupation_skill_row_leaves_nothing(tmp_path):
    path = tmp_path / "links.csv"
    good = (DATA / "occupation-skills-simple.csv").read_text()
    path.write_text(good.replace("essential,1,beginner", "essential,3,beginner"))
    with pytest.raises(CommandError, match=r"links.csv:5: importance '3' is not a number from 0 to 1"):
        run(
            "import-csv",
            str(DATA / "skills-simple.csv"),
            "--occupations",
            str(DATA / "occupations-simple.csv"),
            "--occupation-skills",
            str(path),
            "--framework",
            "brand-new",
        )
    assert not Occupation.objects.exists() and not SkillFramework.objects.filter(slug="brand-new").exists()


def test_import_csv_needs_a_file():
    with pytest.raises(CommandError, match="Give a skills CSV"):
        run("import-csv", "--framework", "northwind")
