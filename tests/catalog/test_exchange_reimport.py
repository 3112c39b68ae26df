"""Re-importing a changed draft replaces its content through the content services."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from microcred.assessment.models import QuestionBank, Quiz
from microcred.catalog.models import MicroCredential, Status

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).parent.parent / "cli" / "data" / "small_catalog.json"


def _import(tmp_path: Path, document: dict, name: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    out = io.StringIO()
    call_command("catalog_import", str(path), stdout=out)
    return out.getvalue()


def _draft_with_quizzes() -> dict:
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    document["microcredentials"] = [
        mc for mc in document["microcredentials"] if mc["slug"] == "spreadsheets-for-analysis"
    ]
    document["microcredentials"][0]["status"] = Status.DRAFT
    return document


def _quiz_lessons(document: dict) -> int:
    return sum(
        lesson["kind"] == "quiz"
        for mc in document["microcredentials"]
        for module in mc["modules"]
        for lesson in module["lessons"]
    )


def test_reimporting_a_changed_draft_leaves_no_orphan_quiz_or_question_bank(tmp_path):
    document = _draft_with_quizzes()
    quizzes = _quiz_lessons(document)
    assert quizzes > 0

    _import(tmp_path, document, "first.json")
    assert (Quiz.objects.count(), QuestionBank.objects.count()) == (quizzes, quizzes)

    for round_number in (2, 3):
        document["microcredentials"][0]["title"] = f"Spreadsheets for Analysis, round {round_number}"
        report = _import(tmp_path, document, f"round{round_number}.json")
        assert "updated (draft changed in place): 1" in report
        assert (Quiz.objects.count(), QuestionBank.objects.count()) == (quizzes, quizzes)

    draft = MicroCredential.objects.get(slug="spreadsheets-for-analysis")
    assert draft.status == Status.DRAFT and draft.title.endswith("round 3")
