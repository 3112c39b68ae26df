from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.crypto import salted_hmac

from microcred.catalog.models import Lesson, LessonKind, Status
from microcred.core.clock import now
from microcred.core.errors import Conflict, NotFound, ValidationFailed
from microcred.learning.models import EnrolmentStatus

from . import itemstats
from .attempt_rules import ReviewOptions, Shown, default_review, review_moment, review_options_parse
from .formats import export_gift
from .interchange import parsed_from_questions
from .models import Attempt, Question, QuestionBank, Quiz
from .questions import ServedIds, question_type


def access_attempt(*, actor: Any, attempt_id: int) -> Attempt:
    if actor is None or not actor.is_authenticated:
        raise NotFound("Attempt not found.")
    attempt = Attempt.objects.select_related("quiz", "enrolment").filter(pk=attempt_id, user=actor).first()
    if attempt is None:
        raise NotFound("Attempt not found.")
    return attempt


def served_seed(attempt: Attempt) -> str:
    """What fixes a kind's own shuffling (ordering items) for ``attempt``: its seed (ADR 0026),
    or its id for attempts made before seeds. The page and the API serve the same order."""
    return str(attempt.seed if attempt.seed is not None else attempt.pk)


def served_ids(attempt: Attempt) -> ServedIds:
    """The ids ``attempt`` shows for its questions' options (``questions.ServedIds``, ADR 0026
    addendum). Keyed by the attempt's seed, which never leaves the server, so the ids are new in
    every attempt and a replay from the seed shows the same ones. Attempts from before seeds are
    keyed by the server's secret and their id instead (their id is public, their seed absent)."""
    if attempt.seed is not None:
        return ServedIds(f"microcred.assessment.served-ids:{attempt.seed}".encode())
    return ServedIds(salted_hmac("microcred.assessment.served-ids", str(attempt.pk)).digest())


def answers_from_served(
    attempt: Attempt, answers: dict[Any, Any], *, questions: list[Question] | None = None
) -> dict[Any, Any]:
    """Answers as the page or the API sent them (served ids) with the authored ids the services
    take and store. An id this attempt did not serve is refused (``ValidationFailed`` naming the
    question); an answer to a question not served passes on for the service to refuse; a
    cleared one (None, []) stays cleared."""
    by_id = {q.pk: q for q in (questions if questions is not None else attempt_questions(attempt))}
    ids = served_ids(attempt)
    translated: dict[Any, Any] = {}
    for raw_qid, raw in (answers or {}).items():
        question = by_id.get(int(raw_qid)) if str(raw_qid).isdigit() else None
        if question is None or raw is None or raw == []:
            translated[raw_qid] = raw
        else:
            translated[raw_qid] = question_type(question.kind).answer_in(question, raw, ids)
    return translated


def answers_served(
    attempt: Attempt, stored: dict[Any, Any], *, questions: list[Question] | None = None
) -> dict[str, Any]:
    """Stored answers (authored ids) in the ids ``attempt`` serves: what its page and API show."""
    by_id = {q.pk: q for q in (questions if questions is not None else attempt_questions(attempt))}
    ids = served_ids(attempt)
    shown: dict[str, Any] = {}
    for raw_qid, value in (stored or {}).items():
        question = by_id.get(int(raw_qid)) if str(raw_qid).isdigit() else None
        if value is None or question is None:
            continue
        shown[str(raw_qid)] = question_type(question.kind).answer_out(question, value, ids)
    return shown


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The served questions in served order, with choices. Callers must not expose ``is_correct``
    before the attempt is submitted; the API and page schemas leave it out."""
    by_id = {q.id: q for q in Question.objects.filter(id__in=attempt.question_ids).prefetch_related("choices")}
    served = [by_id[qid] for qid in attempt.question_ids if qid in by_id]
    for question in served:
        order = (attempt.choice_orders or {}).get(str(question.id))
        if order:
            # The options in the order this attempt served them (its seed): every reader, from the
            # quiz page to the review, goes through ``question.choices.all()``, which returns the
            # prefetched queryset, so its cached rows are put in that order once, here.
            cached = question.choices.all()
            rank = {cid: n for n, cid in enumerate(order)}
            cached._result_cache = sorted(cached, key=lambda c: rank.get(c.id, len(rank)))  # type: ignore[attr-defined]
    return served


def attempts_for(*, enrolment: Any, quiz_id: int) -> list[Attempt]:
    return list(Attempt.objects.filter(enrolment=enrolment, quiz_id=quiz_id).order_by("-started_at", "-id"))


def quiz_of(lesson: Lesson) -> Quiz | None:
    """The quiz that assesses ``lesson``: None for other kinds of lesson."""
    if lesson.kind != LessonKind.QUIZ:
        return None
    try:
        return lesson.quiz  # type: ignore[no-any-return]
    except Quiz.DoesNotExist:
        return None


def quiz_counts_towards_credential(quiz_id: int) -> bool:
    """Passing this quiz is required to complete a micro-credential (a required quiz lesson, as
    ``completion_requirements`` reads it), and completing one is what awards its credential."""
    return Quiz.objects.filter(pk=quiz_id, lesson__kind=LessonKind.QUIZ, lesson__required=True).exists()


def quiz_review_options(quiz: Quiz) -> ReviewOptions:
    """The quiz's review options: as set, or the default for its lesson (ADR 0026)."""
    if quiz.review_options is not None:
        return review_options_parse(quiz.review_options)
    return default_review(counts_towards_credential=quiz_counts_towards_credential(quiz.pk))


def _retake_can_still_count(attempt: Attempt) -> bool:
    """A passed quiz whose better score could still decide the completion: it weighs in a micro-
    credential's overall pass mark (ADR 0033) and the learner has not completed yet. Showing its
    answers once passed would let the learner retake it with them in hand to reach the mark."""
    if attempt.enrolment is None or attempt.enrolment.status == EnrolmentStatus.COMPLETED:
        return False
    return Quiz.objects.filter(
        pk=attempt.quiz_id,
        lesson__required=True,
        lesson__weight__isnull=False,
        lesson__module__microcredential__overall_pass_mark__isnull=False,
    ).exists()


def _settled(attempt: Attempt) -> bool:
    """The learner can no longer use the answers to pass: passed, out of attempts, or closed."""
    quiz = attempt.quiz
    if quiz.closes_at is not None and now() >= quiz.closes_at:
        return True
    siblings = Attempt.objects.filter(quiz_id=attempt.quiz_id, user_id=attempt.user_id)
    if attempt.enrolment_id is None:
        siblings = siblings.filter(enrolment__isnull=True)
    else:
        siblings = siblings.filter(enrolment_id=attempt.enrolment_id)
    if (attempt.passed or siblings.filter(passed=True).exists()) and not _retake_can_still_count(attempt):
        return True
    max_attempts = quiz.max_attempts
    return max_attempts is not None and siblings.filter(submitted_at__isnull=False).count() >= max_attempts


def attempt_shown(attempt: Attempt) -> frozenset[Shown]:
    """What the learner may see of ``attempt`` now, by the quiz's review options. Nothing graded
    while it is open: not the score, right or wrong, the right answers nor the explanations."""
    if not attempt.is_submitted:
        return frozenset()
    options = quiz_review_options(attempt.quiz)
    moment = review_moment(submitted_at=attempt.submitted_at, closes_at=attempt.quiz.closes_at, at=now())
    if not options.hold_until_settled:
        return options.at(moment)
    return options.shown(moment, settled=_settled(attempt))


def answers_revealed(attempt: Attempt) -> bool:
    """Whether a submitted attempt may show which choices were right.

    By default, for a quiz that counts towards a credential, only once the learner can no longer
    use them to pass: they have passed it, or every allowed attempt is submitted. Otherwise a
    learner could fail once on purpose, read the answers and pass with a spare attempt. Other
    quizzes are practice and show them straight away. A quiz's review options may say otherwise."""
    return Shown.ANSWERS in attempt_shown(attempt)


@dataclass(frozen=True)
class QuestionReview:
    question: Question
    chosen_ids: list[int]  # the choice kinds' picks; [] for the other kinds
    correct_ids: list[int]
    is_correct: bool
    points_awarded: Decimal | int
    # Question kinds (ADR 0027): the stored answer, it and the right answer in words, the
    # author's feedback for it, and a person's grade (essays) or that one is still awaited.
    answer: Any = None
    said: str = ""
    solution: str = ""
    feedback: tuple[str, ...] = ()
    pending: bool = False
    grader_feedback: str = ""
    # The text as this attempt showed it (a calculated question's own values).
    text: str = ""


def attempt_review(attempt: Attempt) -> list[QuestionReview]:
    """How each served question went, graded by its kind as ``attempt_submit`` grades it.
    Only for submitted attempts: before that it would reveal the answers."""
    if not attempt.is_submitted:
        raise Conflict("The attempt has not been submitted yet.", code="attempt_open")
    reviews = []
    hand = attempt.hand_grades or {}
    for question in attempt_questions(attempt):
        qt = question_type(question.kind)
        stored = (attempt.answers or {}).get(str(question.id))
        answer = None if stored is None else qt.load_answer(stored)
        seed = served_seed(attempt)
        grade = qt.grade_for(question, answer, seed=seed)
        graded = hand.get(str(question.id))
        points: Decimal | int = Decimal(graded["points"]) if graded else grade.points
        reviews.append(
            QuestionReview(
                question=question,
                chosen_ids=sorted(int(c) for c in stored or []) if qt.uses_choices else [],
                correct_ids=sorted(c.id for c in question.choices.all() if c.is_correct),
                is_correct=(points >= question.points) if graded else grade.correct,
                points_awarded=points,
                answer=stored,
                said=qt.describe_answer(question, answer),
                solution=qt.solution_for(question, seed=seed),
                text=qt.text_for(question, seed=seed),
                feedback=grade.feedback,
                pending=grade.pending and not graded,
                grader_feedback=graded["feedback"] if graded else "",
            )
        )
    return reviews


# --- Quiz statistics (issue 8, section 5): what the provider's statistics pages, API and CLI read.
# The math is the Django-free ``itemstats``; here the graded attempts are read and re-graded.


def access_provider_quiz(
    *, provider: Any, quiz_id: int | None = None, microcredential_id: int | None = None, lesson_id: int | None = None
) -> Quiz:
    """A quiz of one of ``provider``'s micro-credentials, by its id or by its lesson's (in that
    version, if given), else not-found: another organisation's quiz answers exactly like one that
    does not exist."""
    quizzes = Quiz.objects.select_related("lesson__module__microcredential", "bank").filter(
        lesson__module__microcredential__provider=provider
    )
    if quiz_id is not None:
        quizzes = quizzes.filter(pk=quiz_id)
    if lesson_id is not None:
        quizzes = quizzes.filter(lesson_id=lesson_id)
    if microcredential_id is not None:
        quizzes = quizzes.filter(lesson__module__microcredential_id=microcredential_id)
    quiz = quizzes.first() if quiz_id is not None or lesson_id is not None else None
    if quiz is None:
        raise NotFound("Quiz not found.")
    return quiz


@dataclass(frozen=True)
class QuizStatistics:
    quiz: Quiz
    stats: itemstats.QuizStats
    questions: dict[int, Question]  # by id: the bank's, and any served that left it since
    attempts: dict[int, Attempt]  # the counted attempts, by id
    waiting: int = 0  # submitted attempts not counted yet: an answer waits for a person's grade

    @property
    def rows(self) -> list[tuple[itemstats.ItemStats, Question]]:
        return [(item, self.questions[item.question_id]) for item in self.stats.items]

    @staticmethod
    def text_of(question: Question) -> str:
        """The question as learners read it (a cloze's gaps as blanks, not its answers)."""
        return question_type(question.kind).display_text(question)


def _regraded(attempt: Attempt, questions: dict[int, Question]) -> dict[int, itemstats.ItemScore]:
    """Each served question's points in ``attempt``, graded by its kind from the stored answers as
    ``attempt_submit`` grades them (``services.attempt_points``): a hand-graded answer counts what
    its grader gave. One still waiting for a person (an essay) is left out of the attempt's
    figures rather than counted as nothing."""
    stored_answers = attempt.answers or {}
    hand = getattr(attempt, "hand_grades", None) or {}
    items = {}
    for qid in attempt.question_ids:
        question = questions.get(qid)
        if question is None:
            continue
        if str(qid) in hand:
            earned = float(hand[str(qid)]["points"])
            items[qid] = itemstats.ItemScore(earned=earned, possible=float(question.points))
            continue
        kind = question_type(question.kind)
        stored = stored_answers.get(str(qid))
        # Graded in its attempt: a calculated question's values come again from the attempt's seed.
        answer = None if stored is None else kind.load_answer(stored)
        grade = kind.grade_for(question, answer, seed=served_seed(attempt))
        if getattr(grade, "pending", False):
            continue
        items[qid] = itemstats.ItemScore(earned=float(grade.points), possible=float(question.points))
    return items


def in_category(category: str, *, prefix: str = "") -> models.Q:
    """Questions in ``category`` or below it ("Unit 1" takes "Unit 1/Fractions", not "Unit 10");
    blank: every question. ``prefix``: the lookup path to the question, as "questions__"."""
    if not category:
        return models.Q()
    return models.Q(**{f"{prefix}category": category}) | models.Q(**{f"{prefix}category__startswith": category + "/"})


def quiz_questions(quiz: Quiz) -> models.QuerySet[Question]:
    """What the quiz draws from: its bank's current questions in the quiz's category (ADR 0027)."""
    return quiz.bank.questions.filter(in_category(quiz.category), is_current=True)


def quiz_statistics(*, quiz: Quiz, which: itemstats.Which = itemstats.Which.FIRST) -> QuizStatistics:
    """Item statistics and the score distribution of ``quiz``'s submitted attempts: each learner's
    first (``Which.FIRST``, as Moodle's report by default) or all of them."""
    attempts = list(
        Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, score__isnull=False)
        .select_related("user")
        .order_by("submitted_at", "id")
    )
    served = {qid for attempt in attempts for qid in attempt.question_ids}
    questions = {
        q.id: q
        # A quiz drawing from a category of a shared bank reports on that category only.
        for q in Question.objects.filter(
            (models.Q(bank_id=quiz.bank_id) & in_category(quiz.category)) | models.Q(id__in=served)
        )
        .prefetch_related("choices")
        .order_by("position", "id")
    }
    in_bank = [qid for qid, q in questions.items() if q.bank_id == quiz.bank_id]
    scores = [
        itemstats.AttemptScores(attempt_id=a.pk, learner=str(a.user_id), order=a.number, items=_regraded(a, questions))
        for a in attempts
    ]
    stats = itemstats.quiz_stats(
        scores, which=which, question_ids=in_bank + sorted((served & questions.keys()) - set(in_bank))
    )
    counted = {s.attempt_id for s in stats.counted}
    return QuizStatistics(
        quiz=quiz,
        stats=stats,
        questions=questions,
        attempts={a.pk: a for a in attempts if a.pk in counted},
        waiting=Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, score__isnull=True).count(),
    )


# --- Question banks (ADR 0027) --------------------------------------------------------------------


def question_bank_gift(*, bank: QuestionBank) -> tuple[str, list[str]]:
    """The bank's current questions as Moodle GIFT, and a note for each one GIFT cannot hold."""
    questions = list(bank.questions.filter(is_current=True).prefetch_related("choices"))
    parsed, skipped = parsed_from_questions(questions)
    return (export_gift(parsed) if parsed.questions else ""), skipped


def provider_banks(*, provider: Any) -> list[QuestionBank]:
    """The provider's question banks, each with its number of current questions."""
    return list(
        QuestionBank.objects.filter(provider=provider)
        .annotate(question_total=models.Count("questions", filter=models.Q(questions__is_current=True)))
        .order_by("title", "id")
    )


def access_provider_bank(*, provider: Any, bank_id: int) -> QuestionBank:
    """One of ``provider``'s banks; another organisation's answers like one that does not exist."""
    bank = QuestionBank.objects.select_related("provider").filter(pk=bank_id, provider=provider).first()
    if bank is None:
        raise NotFound("Question bank not found.")
    return bank


def shared_bank_of(*, provider: Any, bank_id: int) -> QuestionBank:
    """One of ``provider``'s shared banks, for a quiz to draw from; refused on the form otherwise."""
    bank = QuestionBank.objects.filter(pk=bank_id, provider=provider, is_shared=True).first()
    if bank is None:
        message = "No question bank of yours has that number."
        raise ValidationFailed(message, errors={"bank": [message]})
    return bank


def bank_categories(*, bank: QuestionBank) -> list[tuple[str, int]]:
    """The bank's category paths with their number of current questions, as a sorted list: the
    tree reads from the paths ("Unit 1", "Unit 1/Fractions")."""
    counts: dict[str, int] = {}
    for category in bank.questions.filter(is_current=True).values_list("category", flat=True):
        counts[category] = counts.get(category, 0) + 1
    return sorted(counts.items())


def attempts_needing_grading(*, provider: Any) -> list[Attempt]:
    """Submitted attempts at the provider's quizzes with an essay still to grade, oldest first."""
    return list(
        Attempt.objects.filter(quiz__bank__provider=provider, submitted_at__isnull=False, passed__isnull=True)
        .select_related("quiz", "user")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class DrawableBank:
    """A shared bank a quiz may draw from, with its current questions and, for each category path
    (parents included), how many questions a quiz drawing from it would have: its own and those
    in the categories below it."""

    bank: QuestionBank
    questions: int
    categories: tuple[tuple[str, int], ...]


def drawable_banks(*, provider: Any) -> list[DrawableBank]:
    """The provider's shared banks for the lesson editor's select, in two queries."""
    banks = list(QuestionBank.objects.filter(provider=provider, is_shared=True).order_by("title", "id"))
    counts: dict[int, dict[str, int]] = {bank.pk: {} for bank in banks}
    rows = (
        Question.objects.filter(bank__in=banks, is_current=True)
        .order_by()
        .values_list("bank_id", "category")
        .annotate(n=models.Count("id"))
    )
    for bank_id, category, n in rows:
        parts = [p for p in (category or "").split("/") if p]
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            counts[bank_id][path] = counts[bank_id].get(path, 0) + n
        counts[bank_id][""] = counts[bank_id].get("", 0) + n
    return [
        DrawableBank(
            bank=bank,
            questions=counts[bank.pk].get("", 0),
            categories=tuple(sorted((p, n) for p, n in counts[bank.pk].items() if p)),
        )
        for bank in banks
    ]


# --- Placement quizzes (issue 9 §7) ----------------------------------------------------------


def _open_placement_quizzes() -> models.QuerySet[Quiz]:
    return Quiz.objects.filter(placement=True, lesson__module__microcredential__status=Status.PUBLISHED).select_related(
        "lesson__module__microcredential__provider"
    )


def placement_quiz(*, quiz_id: int) -> Quiz:
    """A placement quiz anyone signed in may take: its micro-credential is published. Any other
    quiz id answers 404, as one that does not exist."""
    quiz = _open_placement_quizzes().filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFound("Placement quiz not found.")
    return quiz


def placement_quizzes_for(microcredential_ids: list[int]) -> dict[int, Quiz]:
    """The placement quiz of each of these published micro-credentials that has one (the first by
    position when a course has several)."""
    found: dict[int, Quiz] = {}
    quizzes = _open_placement_quizzes().filter(lesson__module__microcredential_id__in=microcredential_ids)
    for quiz in quizzes.order_by("lesson__module__position", "lesson__position", "pk"):
        found.setdefault(quiz.lesson.module.microcredential_id, quiz)
    return found


def placement_question_count(quiz: Quiz) -> int:
    """How many questions one attempt serves."""
    return quiz.question_count or quiz_questions(quiz).count()


def placement_attempts_of(*, user: Any, quiz: Quiz) -> list[Attempt]:
    """The learner's own placement attempts at ``quiz`` (outside any enrolment), newest first."""
    return list(Attempt.objects.filter(quiz=quiz, user=user, enrolment__isnull=True).order_by("-number"))
