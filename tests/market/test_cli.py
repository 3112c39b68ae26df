"""``microcred market import-postings`` and ``reextract``: a progress bar on stderr, one line of
counts on stdout, nothing changed by a second run, a bad file's line in the error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from microcred.market.models import JobPosting, PostingSkill
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CSV = """title,text,location,industry,date,id
Python developer,"Python, Terraform",Berlin,Software,2026-01-05,1
Roofer,Working at height,"Delft, Netherlands",Energy,2026-02-01,2
"""


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("market", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_csv_prints_counts_and_a_second_run_changes_nothing(tmp_path: Path, taxonomy):
    path = tmp_path / "board.csv"
    path.write_text(CSV)
    out, err = run("import-postings", str(path))
    assert out.strip() == "2 postings: 2 created, 0 updated, 0 unchanged; 3 skill mentions found (3 distinct skills)."
    assert "Importing postings" in err
    assert set(JobPosting.objects.values_list("source", flat=True)) == {"board"}  # the file's name
    out, _ = run("import-postings", str(path))
    assert out.strip().startswith("2 postings: 0 created, 0 updated, 2 unchanged; 0 skill mentions")


def test_json_with_a_source_and_a_format(tmp_path: Path, taxonomy):
    path = tmp_path / "export.txt"
    path.write_text('[{"title": "Developer", "text": "Python.", "date": "2026-01-01"}]')
    out, _ = run("import-postings", str(path), "--format", "json", "--source", "jobs-eu")
    assert out.startswith("1 posting: 1 created")
    assert JobPosting.objects.get().source == "jobs-eu"


def test_a_bad_row_names_its_line_and_imports_nothing(tmp_path: Path, taxonomy):
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "Welder,,Gdańsk,Energy,yesterday,3\n")
    with pytest.raises(CommandError, match=r"bad.csv, line 4: date 'yesterday' is not a date"):
        run("import-postings", str(path))
    assert JobPosting.objects.count() == 0


def test_errors_before_reading(tmp_path: Path, taxonomy):
    with pytest.raises(CommandError, match="no such file"):
        run("import-postings", str(tmp_path / "missing.csv"))
    other = tmp_path / "postings.txt"
    other.write_text("x")
    with pytest.raises(CommandError, match="cannot tell the format from the name"):
        run("import-postings", str(other))
    learner = UserFactory(email="learner@example.org")
    (tmp_path / "ok.csv").write_text(CSV)
    with pytest.raises(CommandError, match="Only platform staff"):
        run("import-postings", str(tmp_path / "ok.csv"), "--as", learner.email)


def test_reextract(tmp_path: Path, taxonomy):
    path = tmp_path / "board.csv"
    path.write_text(CSV)
    run("import-postings", str(path))
    PostingSkill.objects.all().delete()  # as if the postings were imported before the taxonomy
    out, err = run("reextract")
    assert out.strip() == (
        "2 postings read again: 2 with other skills than before (3 skill links added, 0 removed, 0 updated); "
        "0 linked to their occupation."
    )
    assert "Extracting skills" in err
