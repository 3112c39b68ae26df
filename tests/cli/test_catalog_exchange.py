"""`microcred catalog_export` / `catalog_import`, driven as an operator would run them."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from microcred.accounts.models import Organisation
from microcred.assessment.models import Question, Quiz
from microcred.catalog.models import Lesson, MicroCredential, Status
from microcred.learning.services import enrolment_create
from microcred.skills.models import Skill
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).parent / "data" / "small_catalog.json"
PUBLISHED_SLUG = "spreadsheets-for-analysis"


def run_import(path: Path | str, *args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("catalog_import", str(path), *args, stdout=out, **extra)
    return out.getvalue()


def run_export(slug: str, *args: str) -> str:
    out = io.StringIO()
    call_command("catalog_export", slug, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, MicroCredential, Lesson, Quiz, Question, Skill)
    }


def write(tmp_path: Path, document: dict, name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_export_then_import_into_a_fresh_database_gives_the_same_bytes(tmp_path):
    with transaction.atomic():
        run_import(SOURCE)
        first = run_export("harbour-college")
        transaction.set_rollback(True)  # back to an empty catalog, as on another installation

    assert not Organisation.objects.filter(slug="harbour-college").exists()
    exported = tmp_path / "exported.json"
    exported.write_bytes(first.encode("utf-8"))
    report = run_import(exported)
    assert "created: 2" in report
    assert run_export("harbour-college") == first

    # The export is the source document itself, in the exporter's (slug) order.
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    source["microcredentials"].sort(key=lambda mc: mc["slug"])
    assert json.loads(first) == source
    assert "café-grade" in first  # UTF-8, not \u escapes


def test_export_to_a_file_writes_utf8_json(tmp_path):
    run_import(SOURCE)
    target = tmp_path / "out.json"
    err = io.StringIO()
    call_command("catalog_export", "harbour-college", "-o", str(target), stderr=err)
    text = target.read_text(encoding="utf-8")
    assert text == run_export("harbour-college")
    assert text.endswith("}\n") and "\n  " in text  # pretty printed
    assert "Wrote 2 micro-credential(s)" in err.getvalue()


def test_importing_twice_leaves_everything_unchanged():
    run_import(SOURCE)
    before = counts()
    report = run_import(SOURCE)
    assert "created: 0" in report
    assert f"unchanged: 2 ({PUBLISHED_SLUG}, budgeting-basics)" in report
    assert counts() == before


def test_changed_published_content_becomes_a_new_version_and_the_old_one_is_kept(tmp_path):
    run_import(SOURCE)
    v1 = MicroCredential.objects.get(slug=PUBLISHED_SLUG)
    v1_lessons = list(Lesson.objects.filter(module__microcredential=v1).values_list("id", "title", "body"))
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=v1)

    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    changed = next(mc for mc in document["microcredentials"] if mc["slug"] == PUBLISHED_SLUG)
    changed["title"] = "Spreadsheets for Analysis (2026 edition)"
    changed["modules"][0]["lessons"][0]["body"] = "Use `XLOOKUP`, never `VLOOKUP`."
    report = run_import(write(tmp_path, document))

    assert f"new version (published one kept for enrolled learners): 1 ({PUBLISHED_SLUG})" in report
    versions = list(MicroCredential.objects.filter(slug=PUBLISHED_SLUG).order_by("version"))
    assert [(v.version, v.status) for v in versions] == [(1, Status.ARCHIVED), (2, Status.PUBLISHED)]
    old, new = versions
    assert old.title == "Spreadsheets for Analysis" and new.title.endswith("(2026 edition)")
    assert list(Lesson.objects.filter(module__microcredential=old).values_list("id", "title", "body")) == v1_lessons
    assert Lesson.objects.get(module__microcredential=new, title="Lookups").body.endswith("never `VLOOKUP`.")
    enrolment.refresh_from_db()
    assert enrolment.microcredential_id == old.pk
    # The new version is what gets exported from now on.
    assert json.loads(run_export("harbour-college"))["microcredentials"][1]["title"] == new.title


def test_unknown_field_is_named_and_nothing_is_written(tmp_path):
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    bad = copy.deepcopy(document)
    bad["microcredentials"][1]["modules"][0]["lessons"][0]["duration"] = 5
    before = counts()
    with pytest.raises(
        CommandError, match=r"microcredentials\[1\]\.modules\[0\]\.lessons\[0\]: unknown field\(s\) duration"
    ):
        run_import(write(tmp_path, bad))
    assert counts() == before


def test_malformed_json_reports_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "microcred.catalog/1",\n  "provider": {,\n}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json: not valid JSON at line 3, column 16"):
        run_import(path)
    assert not Organisation.objects.exists()


def test_missing_file_and_non_utf8_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nope.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"x": "café"}'.encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(latin)


def test_import_reads_standard_input():
    report = run_import("-", stdin=SOURCE.read_text(encoding="utf-8"))
    assert "created: 2" in report
    with pytest.raises(CommandError, match="stdin: not valid JSON at line 1, column 1"):
        run_import("-", stdin="nonsense")


def test_import_as_a_person_checks_their_role_at_the_provider(tmp_path):
    run_import(SOURCE)
    outsider = UserFactory(email="outsider@example.org")
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["microcredentials"][1]["title"] = "Budgeting Basics, revised"
    path = write(tmp_path, document)
    before = counts()

    with pytest.raises(CommandError, match=r"No active user with the email address nobody@example\.org"):
        run_import(path, "--as", "nobody@example.org")
    with pytest.raises(CommandError, match="do not have a role"):
        run_import(path, "--as", "outsider@example.org")
    assert counts() == before
    assert MicroCredential.objects.get(slug="budgeting-basics").title == "Budgeting Basics"

    MembershipFactory(user=outsider, organisation=Organisation.objects.get(slug="harbour-college"), role="instructor")
    report = run_import(path, "--as", "OUTSIDER@example.org")
    assert "updated (draft changed in place): 1 (budgeting-basics)" in report
    assert MicroCredential.objects.get(slug="budgeting-basics").title == "Budgeting Basics, revised"


def test_export_of_an_unknown_provider_is_an_error():
    with pytest.raises(CommandError, match="Provider not found"):
        run_export("no-such-provider")
