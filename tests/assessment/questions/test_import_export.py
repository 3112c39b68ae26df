"""GIFT and Aiken files into question banks, on real exported files, all or nothing; and banks
back out as GIFT. Through the service and the CLI."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from microcred.assessment.formats import parse_gift
from microcred.assessment.models import Question, QuestionBank
from microcred.assessment.questions import question_type
from microcred.assessment.selectors import bank_categories, question_bank_gift
from microcred.assessment.services import question_bank_import
from microcred.core.actors import SYSTEM
from microcred.core.errors import PermissionDenied, ValidationFailed
from tests.assessment.questions.conftest import MIXED
from tests.factories import OrganisationFactory, UserFactory, quiz_for

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "formats" / "data"


def imported(name: str, file_format: str = "gift"):
    provider = OrganisationFactory()
    return question_bank_import(
        actor=SYSTEM, provider=provider, content=(DATA / name).read_bytes(), file_format=file_format, title=name
    )


def test_moodles_own_fixture_imports_every_kind_with_feedback():
    result = imported("moodle_questions.gift.txt")
    kinds = [q.kind for q in result.bank.questions.order_by("position")]
    assert kinds == [
        "essay",
        "matching",
        "single",
        "multiple",
        "numeric",
        "short",
        "truefalse",
        "truefalse",
        "truefalse",
    ]
    multiple = result.bank.questions.get(kind="multiple")
    assert multiple.data == {"scoring": "partial"}
    assert {c.text: c.fraction for c in multiple.choices.all()} == {
        "yellow": Decimal("0.5"),
        "red": Decimal("-1"),
        "off-beige": Decimal("0.5"),
        "blue": Decimal("-1"),
    }
    yellow, red, _beige, _blue = (c.id for c in multiple.choices.all())
    assert question_type("multiple").grade(multiple, frozenset({yellow})).points == Decimal("0.50")
    assert question_type("multiple").grade(multiple, frozenset({yellow, red})).points == 0
    single = result.bank.questions.get(kind="single")
    assert any(c.feedback for c in single.choices.all())
    numeric = result.bank.questions.get(kind="numeric")
    assert any(a["value"] is None for a in numeric.data["answers"])  # "any other answer" feedback


def test_categories_escapes_and_ranges():
    result = imported("moodle_questions_in_category.gift.txt")
    assert result.categories and all("$course$" not in c for c in result.categories)
    assert bank_categories(bank=result.bank)[0][1] >= 1
    examples = imported("moodle_examples.gift.txt")
    numeric = list(examples.bank.questions.filter(kind="numeric"))
    # "3.141..3.142" is its midpoint with half the width as tolerance, kept as exact decimals.
    ranged = next(q for q in numeric if any(a["value"] == "3.1415" for a in q.data["answers"]))
    assert question_type("numeric").grade(ranged, "3.1419").correct
    assert not question_type("numeric").grade(ranged, "3.143").correct
    escaped = imported("peg_escapeAll.gift").bank.questions.get()
    assert [c.text for c in escaped.choices.all()] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert [c.is_correct for c in escaped.choices.all()][-1] and "(backslash)" in escaped.choices.all()[6].feedback


def test_uclouvain_export_with_html_and_partial_weights():
    result = imported("uclouvain_export_excerpt.gift.txt")
    assert result.created == 7
    assert not any("<p>" in q.text for q in result.bank.questions.all())
    thirds = [c.fraction for q in result.bank.questions.filter(kind="multiple") for c in q.choices.all()]
    assert Decimal("0.3333333") in thirds


def test_aiken():
    result = imported("moodle_questions.aiken.txt", "aiken")
    assert [q.kind for q in result.bank.questions.all()] == ["single", "single"]


def test_a_bad_file_lists_its_problems_by_line_and_writes_nothing():
    provider = OrganisationFactory()
    banks = QuestionBank.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        question_bank_import(
            actor=SYSTEM,
            provider=provider,
            content=(DATA / "moodle_aiken_errors.txt").read_bytes(),
            file_format="aiken",
        )
    assert list(refused.value.errors) == ["line 3", "line 5", "line 7", "line 14"]
    # A file that parses but holds a question our kinds refuse: the mapping error has its line too.
    bad = "::ok:: Fine? {T}\n\n::two right:: Pick {=a =b ~c}\n"
    with pytest.raises(ValidationFailed, match="line 3: a single-choice question has exactly one correct choice"):
        question_bank_import(actor=SYSTEM, provider=provider, content=bad, file_format="gift")
    assert QuestionBank.objects.count() == banks
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        question_bank_import(actor=SYSTEM, provider=provider, content=b"\xff\xfe\x00", file_format="gift")


def test_importing_needs_a_staff_role_and_an_open_bank():
    provider = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        question_bank_import(actor=UserFactory(), provider=provider, content="Q {T}", file_format="gift")
    other = quiz_for(questions=MIXED[:1]).bank
    with pytest.raises(Exception) as refused:
        question_bank_import(actor=SYSTEM, provider=provider, content="Q {T}", file_format="gift", bank=other)
    assert refused.type.__name__ == "NotFound"


def test_export_round_trips_through_gift():
    result = imported("moodle_questions.gift.txt")
    text, skipped = question_bank_gift(bank=result.bank)
    assert skipped == []
    again = question_bank_import(actor=SYSTEM, provider=result.bank.provider, content=text, file_format="gift")
    first = [(q.kind, q.text, q.data, q.category) for q in result.bank.questions.order_by("position")]
    second = [(q.kind, q.text, q.data, q.category) for q in again.bank.questions.order_by("position")]
    assert first == second


def test_export_leaves_out_what_gift_cannot_hold():
    quiz = quiz_for(questions=MIXED)
    text, skipped = question_bank_gift(bank=quiz.bank)
    assert len(skipped) == 2 and "ordering" in skipped[0] and "cloze" in skipped[1]
    assert len(parse_gift(text).questions) == len(MIXED) - 2


def test_the_cli_imports_with_a_summary_and_exports(tmp_path):
    provider = OrganisationFactory()
    out = StringIO()
    call_command(
        "questions", "import-gift", str(DATA / "moodle_questions.gift.txt"), "--provider", provider.slug, stdout=out
    )
    assert "Imported 9 questions into bank" in out.getvalue()
    bank = QuestionBank.objects.get(provider=provider)
    assert bank.title == "moodle_questions.gift"
    call_command(
        "questions", "import-aiken", str(DATA / "moodle_questions.aiken.txt"), "--bank", str(bank.pk), stdout=StringIO()
    )
    assert bank.questions.count() == 11
    target = tmp_path / "out.gift"
    call_command("questions", "export-gift", "--bank", str(bank.pk), "-o", str(target), stdout=StringIO())
    assert len(parse_gift(target.read_text()).questions) == 11


def test_the_cli_prints_each_problem_with_its_line_and_imports_nothing():
    provider = OrganisationFactory()
    with pytest.raises(CommandError) as refused:
        call_command("questions", "import-aiken", str(DATA / "moodle_aiken_errors.txt"), "--provider", provider.slug)
    assert "line 3: a question needs at least two choices" in str(refused.value)
    assert "line 14:" in str(refused.value)
    assert not Question.objects.filter(bank__provider=provider).exists()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("questions", "import-gift", str(DATA / "peg_category1.gift"), "--provider", "nobody")
