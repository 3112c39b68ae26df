"""No option id gives the answer away (issue 8, §1; ADR 0026, addendum).

Question files usually write the right answer first, and the ids answers are stored with run in
the order the author wrote (choice row ids) or are places in a list (matching, ordering, a cloze
gap's options). An attempt therefore shows every option under an id of its own. These tests read
each kind as a learner gets it, from the quiz page's HTML and from the API, over several attempts,
and fail if a stored id appears, if sorting by id gives back the author's order (or the stored
order), or if an id means the same option in two attempts."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.models import Attempt, Question
from microcred.assessment.questions.cloze import gap_options
from microcred.assessment.questions.matching import matching_options
from microcred.assessment.questions.ordering import item_ids
from microcred.assessment.services import attempt_answers_save, attempt_start, quiz_lesson_create
from microcred.catalog.services import microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.learning.services import enrolment_create
from tests.api.conftest import API, assert_problem
from tests.factories import OrganisationFactory, UserFactory, as_served, microcredential_fields

pytestmark = pytest.mark.django_db

ATTEMPTS = 5  # with four or more options, five attempts all sorted as authored by chance: < 1e-6

# As question files write them: the right answer first.
QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": "Which is the capital of Australia?",
        "choices": [{"text": t, "correct": n == 0} for n, t in enumerate(["Canberra", "Sydney", "Perth", "Hobart"])],
    },
    {
        "kind": "multiple",
        "text": "Which are noble gases?",
        "choices": [
            {"text": t, "correct": n < 2} for n, t in enumerate(["Neon", "Argon", "Oxygen", "Nitrogen", "Carbon"])
        ],
    },
    {"kind": "truefalse", "text": "The Moon orbits the Earth.", "data": {"correct": True}},
    {
        "kind": "matching",
        "text": "Match the rivers and countries.",
        "data": {
            "pairs": [
                {"prompt": "Nile", "answer": "Egypt"},
                {"prompt": "Loire", "answer": "France"},
                {"prompt": "Volga", "answer": "Russia"},
                {"prompt": "Tagus", "answer": "Portugal"},
            ],
            "distractors": ["Chile"],
        },
    },
    {
        "kind": "ordering",
        "text": "Order the planets from the Sun.",
        "data": {"items": ["Mercury", "Venus", "Earth", "Mars", "Jupiter"]},
    },
    {
        "kind": "cloze",
        "text": "The largest ocean is the {1:MULTICHOICE:=Pacific~Atlantic~Indian~Arctic}; "
        "its deepest point is the {1:SHORTANSWER:=Mariana Trench}.",
    },
    {"kind": "numeric", "text": "How many continents are there?", "data": {"answers": [{"value": "7"}]}},
    {"kind": "short", "text": "Name the red planet.", "data": {"alternatives": [{"text": "Mars"}]}},
    {"kind": "essay", "text": "Explain the tides."},
]
KINDS_WITH_IDS = ["single", "multiple", "matching", "ordering", "cloze"]
KINDS_WITHOUT_IDS = ["truefalse", "numeric", "short", "essay"]


@pytest.fixture
def quiz_lesson():
    provider = OrganisationFactory()
    mc = microcredential_create(actor=SYSTEM, provider=provider, **microcredential_fields(slug="option-ids"))
    module = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    lesson = quiz_lesson_create(actor=SYSTEM, module=module, title="Final", questions=QUESTIONS, max_attempts=3)
    microcredential_publish(actor=SYSTEM, microcredential=mc)
    lesson.refresh_from_db()
    return lesson


def learner_on(lesson) -> tuple[Client, Any]:
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=lesson.module.microcredential)
    client = Client()
    client.force_login(learner)
    return client, enrolment


def quiz_url(enrolment, lesson) -> str:
    return reverse("assessment:quiz", args=[enrolment.pk, lesson.pk])


# --- What the author wrote, and what answers are stored with ------------------------------------


def authored_parts(question: Question) -> dict[str, list[tuple[int, str]]]:
    """Each part of a question with options: its options in the author's order, each with the id
    a stored answer names it by."""
    data = question.data or {}
    if question.kind in ("single", "multiple"):
        return {"choices": [(c.pk, c.text) for c in question.choices.order_by("position", "pk")]}
    if question.kind == "matching":
        options = matching_options(data)
        answers = [p["answer"] for p in data["pairs"]] + data["distractors"]
        return {
            "prompts": [(n, p["prompt"]) for n, p in enumerate(data["pairs"])],
            "options": [(options.index(text), text) for text in answers],
        }
    if question.kind == "ordering":
        return {"items": list(zip(item_ids(data["items"]), data["items"], strict=True))}
    if question.kind == "cloze":
        parts = {}
        for number, gap in enumerate(data["gaps"], start=1):
            if gap["kind"] == "choice":
                alphabetical = [o["text"] for o in gap_options(gap)]
                parts[f"gap {number}"] = [(alphabetical.index(o["text"]), o["text"]) for o in gap["options"]]
        return parts
    return {}


def stored_ids_of_the_quiz(lesson) -> set[int]:
    return {i for q in lesson.quiz.bank.questions.all() for part in authored_parts(q).values() for i, _ in part}


# --- What a learner gets --------------------------------------------------------------------------


def api_parts(question: dict[str, Any]) -> dict[str, list[tuple[int, str]]]:
    """Each part's options as the API serves them, in the order served: (id, text)."""
    form = question["form"]
    pairs = lambda entries: [(e["id"], e["text"]) for e in entries]  # noqa: E731
    if form["type"] == "choice":
        assert pairs(question["choices"]) == pairs(form["choices"])  # both lists say the same
        return {"choices": pairs(form["choices"])}
    if form["type"] == "matching":
        return {"prompts": pairs(form["prompts"]), "options": pairs(form["options"])}
    if form["type"] == "ordering":
        return {"items": pairs(form["items"])}
    if form["type"] == "cloze":
        return {f"gap {p['gap']}": pairs(p["options"]) for p in form["parts"] if p.get("options")}
    assert not question["choices"], question
    return {}


class QuizForm(HTMLParser):
    """The quiz page's inputs: each input's name and value, each select's options, and every
    ``id``/``for``/``data-*`` attribute inside a question."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[tuple[str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self.attributes: list[tuple[str, str]] = []
        self._select: str | None = None
        self._in_question = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "fieldset" and "question" in found.get("class", ""):
            self._in_question += 1
        if self._in_question:
            self.attributes += [(k, v) for k, v in found.items() if k in ("id", "for") or k.startswith("data-")]
        if tag == "input" and found.get("type") in ("radio", "checkbox"):
            self.inputs.append((found["name"], found["value"]))
        elif tag == "select":
            self._select = found["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select and found.get("value"):
            self.selects[self._select].append(found["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "fieldset" and self._in_question:
            self._in_question -= 1


def page_ids(html: str, question: dict[str, Any]) -> dict[str, set[int]]:
    """Each part's option ids as the quiz page carries them for one question."""
    form = QuizForm()
    form.feed(html)
    name = f"q{question['id']}"
    suffixed = {n.removeprefix(f"{name}_"): values for n, values in form.selects.items() if n.startswith(f"{name}_")}
    kind = question["form"]["type"]
    if kind == "choice":
        return {"choices": {int(v) for n, v in form.inputs if n == name}}
    if kind == "matching":
        options = {int(v) for values in suffixed.values() for v in values}
        return {"prompts": {int(s) for s in suffixed}, "options": options}
    if kind == "ordering":
        return {"items": {int(s) for s in suffixed}}  # the options are positions 1, 2, …
    if kind == "cloze":
        return {f"gap {gap}": {int(v) for v in values} for gap, values in suffixed.items() if values}
    assert not suffixed and not [n for n, _ in form.inputs if n == name and kind != "truefalse"]
    return {}


def element_suffixes(html: str, question_id: int) -> set[int]:
    """The numbers after ``q<id>-`` in ``id``/``for`` attributes, and every ``data-*`` value."""
    form = QuizForm()
    form.feed(html)
    found = set()
    for key, value in form.attributes:
        if key.startswith("data-") and value.isdigit():
            found.add(int(value))
        elif value.startswith(f"q{question_id}-") and value.removeprefix(f"q{question_id}-").isdigit():
            found.add(int(value.removeprefix(f"q{question_id}-")))
    return found


def take(lesson) -> list[tuple[dict[str, Any], str]]:
    """``ATTEMPTS`` learners each start the quiz through the API and open its page."""
    taken = []
    for _ in range(ATTEMPTS):
        client, enrolment = learner_on(lesson)
        started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{lesson.pk}/attempts")
        assert started.status_code == 201, started.content
        html = client.get(quiz_url(enrolment, lesson)).content.decode()
        again = client.get(f"{API}/attempts/{started.json()['id']}").json()
        assert again["questions"] == started.json()["questions"]  # stable across reads
        taken.append((started.json(), html))
    return taken


# --- The tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS_WITH_IDS)
def test_no_stored_id_and_no_authored_order_can_be_read_from_the_api_or_the_page(quiz_lesson, kind):
    question = quiz_lesson.quiz.bank.questions.get(kind=kind)
    authored = authored_parts(question)
    every_stored_id = stored_ids_of_the_quiz(quiz_lesson)
    seen: dict[str, list[set[int]]] = {part: [] for part in authored}
    sorted_as_authored: dict[str, list[bool]] = {part: [] for part in authored}
    sorted_as_stored: dict[str, list[bool]] = {part: [] for part in authored}
    shown_as_authored: dict[str, list[bool]] = {part: [] for part in authored}

    for started, html in take(quiz_lesson):
        served = next(q for q in started["questions"] if q["id"] == question.pk)
        parts = api_parts(served)
        assert set(parts) == set(authored), kind
        on_page = page_ids(html, served)
        for part, options in parts.items():
            ids = [i for i, _ in options]
            texts = {text for _, text in options}
            assert texts == {text for _, text in authored[part]}, (kind, part)
            assert len(set(ids)) == len(ids), (kind, part, "ids repeat")
            assert not set(ids) & every_stored_id, (kind, part, "a stored id is served")
            # The page carries the very ids the API serves, and no others.
            assert on_page[part] == set(ids), (kind, part)
            by_id = [text for _, text in sorted(options)]
            sorted_as_authored[part].append(by_id == [text for _, text in authored[part]])
            sorted_as_stored[part].append(by_id == [text for _, text in sorted(authored[part])])
            shown_as_authored[part].append([text for _, text in options] == [text for _, text in authored[part]])
            seen[part].append(set(ids))
        # Element ids and labels name options by their served ids too (a cloze's by gap number).
        gaps = {p["gap"] for p in served["form"].get("parts", []) if p.get("gap")}
        assert element_suffixes(html, question.pk) <= {i for part in parts.values() for i, _ in part} | gaps, kind

    for part in authored:
        assert not all(sorted_as_authored[part]), (kind, part, "sorting by id gives the author's order")
        assert not all(sorted_as_stored[part]), (kind, part, "sorting by id gives the stored order")
        for n, ids in enumerate(seen[part]):
            for other in seen[part][n + 1 :]:
                assert not ids & other, (kind, part, "an id means the same option in two attempts")
    if kind in ("single", "multiple", "ordering"):  # the options a learner sees shuffled
        part = "choices" if kind != "ordering" else "items"
        assert not all(shown_as_authored[part]), (kind, "shown in the author's order")


@pytest.mark.parametrize("kind", KINDS_WITHOUT_IDS)
def test_kinds_without_options_serve_no_ids(quiz_lesson, kind):
    question = quiz_lesson.quiz.bank.questions.get(kind=kind)
    started, html = take(quiz_lesson)[0]
    served = next(q for q in started["questions"] if q["id"] == question.pk)
    assert served["choices"] == [] and "id" not in keys_in(served["form"])
    assert page_ids(html, served) == {}
    assert element_suffixes(html, question.pk) == set()  # no element named by an option


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def right_answers_by_text(question: dict[str, Any], stored: Question) -> Any:
    """What a learner who knows the answers picks from what is served: texts, never ids."""
    data = stored.data or {}
    form = question["form"]
    if stored.kind in ("single", "multiple"):
        right = {c.text for c in stored.choices.all() if c.is_correct}
        return [c["id"] for c in form["choices"] if c["text"] in right]
    if stored.kind == "matching":
        wanted = {p["prompt"]: p["answer"] for p in data["pairs"]}
        option = {o["text"]: o["id"] for o in form["options"]}
        return {str(p["id"]): option[wanted[p["text"]]] for p in form["prompts"]}
    if stored.kind == "ordering":
        by_text = {i["text"]: i["id"] for i in form["items"]}
        return [by_text[text] for text in data["items"]]
    if stored.kind == "cloze":
        options = next(p for p in form["parts"] if p.get("options"))["options"]
        return {"1": str(next(o["id"] for o in options if o["text"] == "Pacific")), "2": "Mariana Trench"}
    return {"truefalse": True, "numeric": "7", "short": "mars", "essay": "The Moon pulls."}[stored.kind]


def test_answers_picked_by_text_through_the_api_score_full_marks_and_are_stored_with_stored_ids(quiz_lesson):
    client, enrolment = learner_on(quiz_lesson)
    started = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz_lesson.pk}/attempts").json()
    questions = {q.pk: q for q in quiz_lesson.quiz.bank.questions.prefetch_related("choices")}
    answers = {str(q["id"]): right_answers_by_text(q, questions[q["id"]]) for q in started["questions"]}
    # Saved first (autosave), read back in the ids served, then submitted.
    saved = client.put(f"{API}/attempts/{started['id']}/answers", {"answers": answers}, content_type="application/json")
    assert saved.status_code == 200, saved.content
    read_back = saved.json()["saved_answers"]
    for qid, answer in answers.items():
        if questions[int(qid)].kind in ("single", "multiple"):
            answer = sorted(answer)  # a set of choices
        assert read_back[qid] == answer, questions[int(qid)].kind
    attempt = Attempt.objects.get(pk=started["id"])
    single = next(q for q in questions.values() if q.kind == "single")
    assert attempt.answers[str(single.pk)] == [single.choices.get(is_correct=True).pk]  # stored: row ids
    ordering = next(q for q in questions.values() if q.kind == "ordering")
    assert attempt.answers[str(ordering.pk)] == item_ids(ordering.data["items"])
    graded = client.post(f"{API}/attempts/{started['id']}/submit", {"answers": {}}, content_type="application/json")
    assert graded.status_code == 200, graded.content
    attempt.refresh_from_db()
    essay = next(q for q in questions.values() if q.kind == "essay")
    assert attempt.points_earned == attempt.points_possible - essay.points  # all right but the essay


def test_the_quiz_page_takes_answers_picked_by_label_and_shows_them_back(quiz_lesson):
    client, enrolment = learner_on(quiz_lesson)
    client.post(quiz_url(enrolment, quiz_lesson), {"action": "start"})
    attempt = Attempt.objects.get(enrolment=enrolment)
    served = client.get(f"{API}/attempts/{attempt.pk}").json()
    questions = {q.pk: q for q in quiz_lesson.quiz.bank.questions.prefetch_related("choices")}
    form: dict[str, Any] = {"action": "save", "attempt": attempt.pk}
    for question in served["questions"]:
        right = right_answers_by_text(question, questions[question["id"]])
        name = f"q{question['id']}"
        kind = question["kind"]
        if kind == "matching":
            form.update({f"{name}_{prompt}": option for prompt, option in right.items()})
        elif kind == "ordering":
            form.update({f"{name}_{item}": position for position, item in enumerate(right, start=1)})
        elif kind == "cloze":
            form.update({f"{name}_{gap}": value for gap, value in right.items()})
        elif kind == "truefalse":
            form[name] = "true"
        else:
            form[name] = right
    assert client.post(quiz_url(enrolment, quiz_lesson), form).status_code == 302
    attempt.refresh_from_db()
    single = next(q for q in questions.values() if q.kind == "single")
    assert attempt.answers[str(single.pk)] == [single.choices.get(is_correct=True).pk]
    # The reload shows the saved answers under the served ids.
    html = client.get(quiz_url(enrolment, quiz_lesson)).content.decode()
    right_single = right_answers_by_text(next(q for q in served["questions"] if q["id"] == single.pk), single)
    assert f'name="q{single.pk}" value="{right_single[0]}" checked' in html
    submitted = client.post(quiz_url(enrolment, quiz_lesson), {**form, "action": "submit"})
    assert submitted.status_code == 302
    attempt.refresh_from_db()
    essay = next(q for q in questions.values() if q.kind == "essay")
    assert attempt.needs_grading and attempt.points_earned == attempt.points_possible - essay.points


def test_ids_from_another_attempt_or_stored_ids_are_refused(quiz_lesson):
    client, enrolment = learner_on(quiz_lesson)
    first = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz_lesson.pk}/attempts").json()
    single = quiz_lesson.quiz.bank.questions.get(kind="single")
    served_single = next(q for q in first["questions"] if q["id"] == single.pk)
    copied = {str(single.pk): [served_single["choices"][0]["id"]]}
    client.post(f"{API}/attempts/{first['id']}/submit", {"answers": copied}, content_type="application/json")

    retake = client.post(f"{API}/enrolments/{enrolment.pk}/quizzes/{quiz_lesson.pk}/attempts").json()
    url = f"{API}/attempts/{retake['id']}/submit"
    # Copying the first attempt's ids does not carry over: they mean nothing in the retake.
    body = assert_problem(
        client.post(url, {"answers": copied}, content_type="application/json"), 422, "validation_failed"
    )
    assert body["errors"][0]["field"] == f"body.answers.{single.pk}"
    # Nor are the stored ids (row ids, places) taken for served ones.
    row_id = {str(single.pk): [single.choices.get(is_correct=True).pk]}
    assert_problem(client.post(url, {"answers": row_id}, content_type="application/json"), 422, "validation_failed")
    ordering = quiz_lesson.quiz.bank.questions.get(kind="ordering")
    places = {str(ordering.pk): item_ids(ordering.data["items"])}
    assert_problem(client.post(url, {"answers": places}, content_type="application/json"), 422, "validation_failed")
    matching = quiz_lesson.quiz.bank.questions.get(kind="matching")
    by_place = {str(matching.pk): {"0": 0}}
    assert_problem(client.post(url, {"answers": by_place}, content_type="application/json"), 422, "validation_failed")
    assert not Attempt.objects.get(pk=retake["id"]).is_submitted

    # On the page, a tampered form is a message on the page, and nothing is graded.
    tampered = {"action": "submit", "attempt": retake["id"], f"q{single.pk}": single.choices.first().pk}
    response = client.post(quiz_url(enrolment, quiz_lesson), tampered)
    assert response.status_code == 200 and "Unknown choice" in response.content.decode()
    assert not Attempt.objects.get(pk=retake["id"]).is_submitted


def test_an_attempt_from_before_seeds_still_shows_its_saved_answers_and_grades(quiz_lesson):
    """Attempts made before served ids keep their stored answers (row ids, places); they are
    shown under ids keyed by the server's secret, and graded as before."""
    client, enrolment = learner_on(quiz_lesson)
    learner = enrolment.user
    attempt = attempt_start(actor=learner, quiz=quiz_lesson.quiz, enrolment=enrolment)
    Attempt.objects.filter(pk=attempt.pk).update(seed=None, choice_orders={})  # as migrated from before seeds
    attempt.refresh_from_db()
    single = quiz_lesson.quiz.bank.questions.get(kind="single")
    right = single.choices.get(is_correct=True)
    attempt_answers_save(actor=learner, attempt=attempt, answers={str(single.pk): [right.pk]})

    api = client.get(f"{API}/attempts/{attempt.pk}").json()
    shown = api["saved_answers"][str(single.pk)]
    served_single = next(q for q in api["questions"] if q["id"] == single.pk)
    assert shown == [c["id"] for c in served_single["choices"] if c["text"] == right.text]
    assert shown == as_served(attempt, {str(single.pk): [right.pk]})[str(single.pk)]
    assert shown != [right.pk]
    html = client.get(quiz_url(enrolment, quiz_lesson)).content.decode()
    assert f'name="q{single.pk}" value="{shown[0]}" checked' in html

    graded = client.post(f"{API}/attempts/{attempt.pk}/submit", {"answers": {}}, content_type="application/json")
    assert graded.status_code == 200
    attempt.refresh_from_db()
    assert attempt.answers[str(single.pk)] == [right.pk] and attempt.points_earned == single.points
