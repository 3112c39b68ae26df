"""Writing one question of a bank in the workspace (ADR 0027, addendum on authoring): pick a kind,
fill in its form, preview it as a learner sees it, edit it (a new version once learners may have
been served it) and retire it, after a confirmation. A new bank to write into, too.

For the bank's owners and instructors; anyone else gets the 404 of a bank that does not exist.
The views only read the form and call the services; refusals come back as messages on the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.core.errors import Conflict, ValidationFailed
from microcred.web.views.common import app_errors

from .models import Question, QuestionBank
from .question_form import KIND_FIELDS, QuestionForm, initial_from_spec
from .questions import question_kind_choices, question_type
from .selectors import access_provider_bank, bank_categories
from .services import (
    bank_in_use,
    question_bank_create,
    question_create,
    question_retire,
    question_revise,
    question_spec,
)
from .views import ServedChoice, ServedQuestion

# What the kind picker says of each kind, beside its label.
KIND_SUMMARIES = {
    "single": "One right option among several.",
    "multiple": "Several right options; all or nothing, or partial credit.",
    "truefalse": "A statement that is true or false.",
    "numeric": "A number, with a tolerance and units.",
    "short": "A word or phrase; alternatives and * wildcards.",
    "matching": "Match each prompt with its answer.",
    "ordering": "Put items in the right order.",
    "cloze": "Gaps in a text, each a small question.",
    "essay": "Free text, graded by a person.",
    "calculated": "A formula: each learner gets their own values.",
}
PREVIEW_SEED = "preview"


def _bank(request: AuthenticatedRequest, slug: str, bank_id: int) -> tuple[Any, QuestionBank]:
    provider = provider_for_staff(request.user, slug)
    return provider, access_provider_bank(provider=provider, bank_id=bank_id)


def _question(bank: QuestionBank, question_id: int) -> Question:
    """The bank's current version of a question; a retired version or another bank's answers 404."""
    question = (
        bank.questions.filter(pk=question_id, is_current=True).select_related("skill").prefetch_related("choices")
    ).first()
    if question is None:
        raise Http404("Question not found.")
    return question


def _bank_url(slug: str, bank: QuestionBank) -> str:
    return reverse("assessment:bank", args=[slug, bank.pk])


def _form_page(
    request: AuthenticatedRequest, provider: Any, bank: QuestionBank, form: QuestionForm, question: Question | None
) -> HttpResponse:
    context = workspace_context(request, provider, "banks")
    context.update(
        bank=bank,
        form=form,
        question=question,
        in_use=bank_in_use(bank=bank),
    )
    return render(request, "assessment/workspace/question_form.html", context, status=422 if form.errors else 200)


def _categories(bank: QuestionBank) -> list[str]:
    return [path for path, _n in bank_categories(bank=bank) if path]


@require_POST
@login_required
@app_errors
def bank_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    try:
        bank = question_bank_create(actor=request.user, provider=provider, title=request.POST.get("title", ""))
    except ValidationFailed as exc:
        messages.error(request, f"The bank needs a title (at most 200 characters). {exc.message}")
        return HttpResponseRedirect(reverse("assessment:banks", args=[slug]))
    messages.success(request, f"Bank “{bank.title}” created: add its questions.")
    return HttpResponseRedirect(_bank_url(slug, bank))


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def question_new(request: AuthenticatedRequest, slug: str, bank_id: int) -> HttpResponse:
    provider, bank = _bank(request, slug, bank_id)
    kind = request.GET.get("kind", "")
    if kind not in KIND_FIELDS:
        context = workspace_context(request, provider, "banks")
        kinds = [(k, label, KIND_SUMMARIES.get(k, "")) for k, label in question_kind_choices() if k in KIND_FIELDS]
        context.update(bank=bank, kinds=kinds)
        return render(request, "assessment/workspace/question_kinds.html", context, status=404 if kind else 200)
    form = QuestionForm(request.POST or None, kind=kind, categories=_categories(bank))
    if request.method == "POST" and form.is_valid() and form.spec is not None:
        try:
            question = question_create(actor=request.user, bank=bank, spec=form.spec)
        except ValidationFailed as exc:
            form.service_error(exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Question added.")
            return HttpResponseRedirect(reverse("assessment:question_preview", args=[slug, bank.pk, question.pk]))
    return _form_page(request, provider, bank, form, None)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def question_edit(request: AuthenticatedRequest, slug: str, bank_id: int, question_id: int) -> HttpResponse:
    provider, bank = _bank(request, slug, bank_id)
    question = _question(bank, question_id)
    form = QuestionForm(
        request.POST or None,
        kind=question.kind,
        categories=_categories(bank),
        initial=initial_from_spec(question_spec(question=question)),
    )
    if request.method == "POST" and form.is_valid() and form.spec is not None:
        try:
            revised = question_revise(actor=request.user, question=question, spec=form.spec)
        except ValidationFailed as exc:
            form.service_error(exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Saved as version {revised.version}; past attempts keep the version they were served."
                if revised.version > question.version and Question.objects.filter(pk=question.pk).exists()
                else "Question saved.",
            )
            return HttpResponseRedirect(reverse("assessment:question_preview", args=[slug, bank.pk, revised.pk]))
    return _form_page(request, provider, bank, form, question)


@require_GET
@login_required
@app_errors
def question_preview(request: AuthenticatedRequest, slug: str, bank_id: int, question_id: int) -> HttpResponse:
    """The question as a learner is served it (the kind's ``served`` form and answer template, a
    preview seed for any shuffling or values), and below it, marked for staff, its answer."""
    provider, bank = _bank(request, slug, bank_id)
    question = _question(bank, question_id)
    qt = question_type(question.kind)
    form = qt.served(question, seed=PREVIEW_SEED)
    served = ServedQuestion(
        pk=question.pk,
        number=1,
        text=qt.text_for(question, seed=PREVIEW_SEED),
        type=qt,
        points=question.points,
        # The choices as the quiz page builds them: from the served form, never from the rows.
        choices=[ServedChoice(c["id"], c["text"], False) for c in form.get("choices", [])],
        form=form,
        hints=list(question.hints or []),
    )
    context = workspace_context(request, provider, "banks")
    context.update(
        bank=bank,
        question=question,
        q=served,
        solution=qt.solution_for(question, seed=PREVIEW_SEED),
        choices=list(question.choices.all()) if qt.uses_choices else [],
        kind_label=qt.label,
    )
    return render(request, "assessment/workspace/question_preview.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def question_remove(request: AuthenticatedRequest, slug: str, bank_id: int, question_id: int) -> HttpResponse:
    """GET asks for confirmation; POST retires the question (or deletes one nobody was served)."""
    provider, bank = _bank(request, slug, bank_id)
    question = _question(bank, question_id)
    error = ""
    if request.method == "POST":
        try:
            retired = question_retire(actor=request.user, question=question)
        except Conflict as exc:
            error = exc.message
        else:
            messages.success(
                request,
                "Question retired: new attempts no longer draw it; past attempts keep it."
                if retired
                else "Question deleted.",
            )
            return HttpResponseRedirect(_bank_url(slug, bank))
    context = workspace_context(request, provider, "banks")
    context.update(bank=bank, question=question, error=error, in_use=bank_in_use(bank=bank))
    return render(request, "assessment/workspace/question_remove.html", context, status=409 if error else 200)
