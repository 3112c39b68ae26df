"""Pages anyone can see: home, catalog, a micro-credential, comparison, providers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from microcred.accounts.selectors import provider_get
from microcred.accreditation.selectors import current_accreditations
from microcred.core.clock import now
from microcred.core.markdown import render_markdown
from microcred.web.views.common import app_errors, is_htmx, safe_next

from ..forms import CatalogFilterForm
from ..parts import microcredential_context
from ..selectors import (
    microcredential_builds_on,
    microcredential_get_published,
    microcredential_outline,
    microcredential_programmes,
    microcredential_search_page,
    microcredential_skill_links,
    microcredential_stats,
    programme_get_public,
    programme_microcredentials,
    published_microcredentials,
)
from . import reads

PAGE_SIZE = 12
COMPARE_SESSION_KEY = "compare_ids"
COMPARE_MAX = 4


def compare_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(COMPARE_SESSION_KEY, []) if str(i).isdigit()]


@require_GET
@app_errors
def home(request: HttpRequest) -> HttpResponse:
    published = published_microcredentials()
    return render(
        request,
        "catalog/home.html",
        {
            "featured": reads.featured_microcredentials(6),
            "industries": reads.industries_with_counts()[:8],
            "providers": [p for p in reads.providers_with_counts() if p.published_count][:6],  # type: ignore[attr-defined]
            "stats": {
                "microcredentials": published.count(),
                "providers": published.values("provider").distinct().count(),
            },
            "compare_ids": compare_ids(request),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
@app_errors
def catalog(request: HttpRequest) -> HttpResponse:
    # Always bound: an empty query string is a valid search for everything.
    form = CatalogFilterForm(request.GET, **reads.catalog_choices())
    form.is_valid()
    filters = form.to_filters()
    page = microcredential_search_page(filters, number=request.GET.get("page"), per_page=PAGE_SIZE)
    results = reads.attach_card_notes(reads.attach_accreditations(list(page.object_list)), request.user)
    context = {
        "form": form,
        "page": page,
        # A few numbers around this page, not one link per page of a large catalog.
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "results": results,
        "filters": filters,
        "compare_ids": compare_ids(request),
        "active_filters": form.active_count(),
    }
    template = "catalog/_results.html" if is_htmx(request) else "catalog/index.html"
    return render(request, template, context)


@require_GET
@app_errors
def microcredential(request: HttpRequest, provider_slug: str, slug: str) -> HttpResponse:
    mc = microcredential_get_published(provider_slug=provider_slug, slug=slug)
    return render(
        request,
        "catalog/microcredential.html",
        {
            "mc": mc,
            # render_markdown sanitises with nh3, so the result is safe to insert as HTML.
            "description_html": mark_safe(render_markdown(mc.description)),
            "outline": microcredential_outline(mc),
            "stats": microcredential_stats(mc),
            "skill_links": microcredential_skill_links(mc),
            "builds_on": microcredential_builds_on(mc),
            "programmes": list(microcredential_programmes(mc)),
            "accreditations": list(current_accreditations(provider=mc.provider, today=now().date())),
            "compare_ids": compare_ids(request),
            # What higher apps add for the visitor: learning, their enrolment (none once withdrawn).
            **microcredential_context(request.user, mc),
        },
    )


@require_GET
@app_errors
def compare(request: HttpRequest) -> HttpResponse:
    raw = request.GET.getlist("ids")
    # Explicit ids make a shareable comparison link; without them, the visitor's own selection.
    # Ids past 18 digits cannot exist (and overflow SQLite's integers); they are ignored like junk.
    ids = list(dict.fromkeys(int(i) for i in raw if i.isdigit() and len(i) <= 18)) if raw else compare_ids(request)
    if len(ids) > COMPARE_MAX:
        messages.info(
            request, f"You can compare up to {COMPARE_MAX} micro-credentials; showing the first {COMPARE_MAX}."
        )
        ids = ids[:COMPARE_MAX]
    items = reads.compare_microcredentials(ids)
    return render(request, "catalog/compare.html", {"items": items, "compare_ids": compare_ids(request)})


@require_POST
@app_errors
def compare_toggle(request: HttpRequest) -> HttpResponse:
    """Adds or removes one micro-credential from the comparison kept in the session."""
    try:
        mc_id = int(request.POST.get("id", ""))
    except ValueError:
        messages.error(request, "Choose a micro-credential to compare.")
        return HttpResponseRedirect(safe_next(request, "catalog:catalog"))
    mc = published_microcredentials().filter(pk=mc_id).first()
    ids = compare_ids(request)
    wanted = request.POST.get("compare") == "on"
    error = ""
    if mc is None:
        error = "That micro-credential is not available to compare."
    elif wanted and mc_id not in ids:
        if len(ids) >= COMPARE_MAX:
            error = f"You can compare up to {COMPARE_MAX}; remove one first."
        else:
            ids.append(mc_id)
    elif not wanted and mc_id in ids:
        ids.remove(mc_id)
    request.session[COMPARE_SESSION_KEY] = ids
    if is_htmx(request) and mc is not None:
        context = {"mc": mc, "compare_ids": ids, "oob": True, "compare_error": error}
        return render(request, "catalog/_compare_toggle.html", context)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(safe_next(request, reverse("catalog:compare")))


@require_GET
@app_errors
def providers(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/providers/index.html", {"providers": reads.providers_with_counts()})


@require_GET
@app_errors
def provider(request: HttpRequest, slug: str) -> HttpResponse:
    org = provider_get(slug=slug)
    return render(
        request,
        "catalog/providers/detail.html",
        {
            "provider": org,
            "accreditations": list(current_accreditations(provider=org, today=now().date())),
            "microcredentials": reads.provider_microcredentials(org),
            "compare_ids": compare_ids(request),
        },
    )


@require_GET
@app_errors
def programme(request: HttpRequest, provider_slug: str, slug: str) -> HttpResponse:
    """A stackable programme: what it leads to and its micro-credentials, in order."""
    found = programme_get_public(provider_slug=provider_slug, slug=slug)
    members = reads.attach_accreditations(programme_microcredentials(found))
    return render(
        request,
        "catalog/programme.html",
        {"programme": found, "members": members, "compare_ids": compare_ids(request)},
    )
