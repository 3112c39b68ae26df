"""A provider's question banks in its workspace (ADR 0027): the banks, one bank's categories and
questions, importing a Moodle GIFT or Aiken file (into a new bank or a bank no learner has seen),
exporting a bank as GIFT; and the essays waiting for a person to grade them.

Banks are for owners and instructors; the essay queue also for graders. Anyone else gets the same
404 as an organisation or bank that does not exist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.selectors import access_organisation
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.core.errors import AppError, ValidationFailed
from microcred.web.views.common import app_errors

from .models import Attempt
from .questions import question_type
from .selectors import (
    access_provider_bank,
    attempt_review,
    attempts_needing_grading,
    bank_categories,
    provider_banks,
    question_bank_gift,
)
from .services import MAX_QUESTION_FILE_BYTES, attempt_answer_grade, bank_in_use, question_bank_import


class QuestionFileForm(forms.Form):
    file = forms.FileField(
        label="Question file", help_text="Moodle GIFT (.gift, .txt) or Aiken (.txt), UTF-8, up to 5 MB."
    )
    format = forms.ChoiceField(choices=[("gift", "Moodle GIFT"), ("aiken", "Moodle Aiken")], initial="gift")
    title = forms.CharField(
        required=False, max_length=200, label="New bank's title", help_text="Default: the file's name."
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_QUESTION_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


def _import(request: AuthenticatedRequest, provider: Any, *, bank: Any = None) -> tuple[Any, list[str]]:
    """Run the posted import; the result, or None and the problems (each with its line)."""
    form = QuestionFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return None, [str(e) for errors in form.errors.values() for e in errors]
    upload = form.cleaned_data["file"]
    try:
        result = question_bank_import(
            actor=request.user,
            provider=provider,
            content=upload.read(),
            file_format=form.cleaned_data["format"],
            bank=bank,
            title=form.cleaned_data["title"] or upload.name.rsplit(".", 1)[0],
        )
    except ValidationFailed as exc:
        listed = [f"{where}: {m}" for where, msgs in exc.errors.items() for m in msgs]
        return None, listed or [exc.message]
    except AppError as exc:
        return None, [exc.message]
    return result, []


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def banks(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    problems: list[str] = []
    form = QuestionFileForm()
    if request.method == "POST":
        result, problems = _import(request, provider)
        if result is not None:
            messages.success(request, f"Imported {result.created} question{'s' if result.created != 1 else ''}.")
            return HttpResponseRedirect(reverse("assessment:bank", args=[slug, result.bank.pk]))
        form = QuestionFileForm(request.POST)
    context = workspace_context(request, provider, "banks")
    context.update(banks=provider_banks(provider=provider), form=form, problems=problems)
    return render(request, "assessment/workspace/banks.html", context, status=422 if problems else 200)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def bank(request: AuthenticatedRequest, slug: str, bank_id: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    the_bank = access_provider_bank(provider=provider, bank_id=bank_id)
    problems: list[str] = []
    form = QuestionFileForm()
    if request.method == "POST":
        result, problems = _import(request, provider, bank=the_bank)
        if result is not None:
            messages.success(request, f"Imported {result.created} question{'s' if result.created != 1 else ''}.")
            return HttpResponseRedirect(reverse("assessment:bank", args=[slug, the_bank.pk]))
        form = QuestionFileForm(request.POST)
    category = request.GET.get("category")
    questions = the_bank.questions.filter(is_current=True).select_related("skill").prefetch_related("choices")
    if category is not None:
        questions = questions.filter(category=category)
    context = workspace_context(request, provider, "banks")
    context.update(
        bank=the_bank,
        categories=bank_categories(bank=the_bank),
        category=category,
        questions=[(q, question_type(q.kind).label) for q in questions],
        in_use=bank_in_use(bank=the_bank),
        form=form,
        problems=problems,
    )
    return render(request, "assessment/workspace/bank.html", context, status=422 if problems else 200)


@require_GET
@login_required
@app_errors
def bank_gift(request: AuthenticatedRequest, slug: str, bank_id: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    the_bank = access_provider_bank(provider=provider, bank_id=bank_id)
    text, _skipped = question_bank_gift(bank=the_bank)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bank-{the_bank.pk}.gift.txt"'
    return response


def _grader_provider(request: AuthenticatedRequest, slug: str) -> Any:
    return access_organisation(actor=request.user, slug=slug, kind="provider")


@require_GET
@login_required
@app_errors
def essays(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = _grader_provider(request, slug)
    context = workspace_context(request, provider, "essays")
    context.update(attempts=attempts_needing_grading(provider=provider))
    return render(request, "assessment/workspace/essays.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def essay_attempt(request: AuthenticatedRequest, slug: str, attempt_id: int) -> HttpResponse:
    provider = _grader_provider(request, slug)
    attempt = (
        Attempt.objects.select_related("quiz__bank", "user")
        .filter(pk=attempt_id, quiz__bank__provider=provider)
        .first()
    )
    if attempt is None or not attempt.is_submitted:
        raise Http404("Attempt not found.")
    error = ""
    if request.method == "POST":
        raw_question = request.POST.get("question", "")
        if not raw_question.isdigit():
            raise Http404("Question not found.")
        try:
            attempt = attempt_answer_grade(
                actor=request.user,
                attempt=attempt,
                question_id=int(raw_question),
                points=request.POST.get("points", "").strip(),
                feedback=request.POST.get("feedback", ""),
            )
        except ValidationFailed as exc:
            error = exc.message
        else:
            messages.success(request, "Graded." if not attempt.needs_grading else "Saved; more answers wait.")
            if not attempt.needs_grading:
                return HttpResponseRedirect(reverse("assessment:essays", args=[slug]))
            return HttpResponseRedirect(request.path)
    reviews = [r for r in attempt_review(attempt) if question_type(r.question.kind).graded_by_hand]
    context = workspace_context(request, provider, "essays")
    context.update(attempt=attempt, reviews=reviews, error=error, hand=attempt.hand_grades or {})
    return render(request, "assessment/workspace/essay_attempt.html", context, status=422 if error else 200)
