"""The Content-Security-Policy: every page carries a strict one, and no page or template holds what
it would block (inline script or style, event handler attributes, javascript: URLs)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from microcred.assessment.models import Attempt
from microcred.catalog.models import Lesson, LessonKind
from microcred.credentials.models import Credential
from microcred.learning.services import enrolment_create, lesson_complete
from microcred.web.templatetags.web_tags import percent_class
from tests.credentials.conftest import complete
from tests.factories import MembershipFactory, UserFactory, correct_answers

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2] / "microcred"
# Script types a browser does not run: data blocks the CSP does not govern.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
EXPECTED_DIRECTIVES = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "connect-src": {"'self'"},
}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP blocks; a nonce makes an inline <script> or <style> acceptable."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = f"line {self.getpos()[0]} <{tag}>"
        runs = (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        if tag == "script" and runs and "src" not in attributes and "nonce" not in attributes:
            self.found.append(f"{where}: inline script")
        if tag == "style" and "nonce" not in attributes:
            self.found.append(f"{where}: inline <style>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"{where}: style attribute")
            elif re.fullmatch(r"on[a-z]+|hx-on.*|data-hx-on.*", name):
                self.found.append(f"{where}: {name} handler")
            elif name in URL_ATTRIBUTES and re.sub(r"\s", "", value or "").lower().startswith("javascript:"):
                self.found.append(f"{where}: javascript: URL")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def template_markup(source: str) -> str:
    """A template as the HTML it renders to, near enough: tags and comments gone, variables as text."""
    source = re.sub(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}", "", source, flags=re.S)
    return re.sub(r"{{.*?}}", "x", source, flags=re.S)


def assert_strict_policy(response, what: str) -> None:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        directives[name] = set(sources)
    for name, sources in EXPECTED_DIRECTIVES.items():
        assert directives.get(name) == sources, f"{what}: {name} is {directives.get(name)} in {header!r}"
    assert "unsafe" not in header, f"{what}: {header!r}"


@pytest.fixture
def pages(catalog, learner, client):
    """Every main page, as (name, client, path): public, a learner's, a staff member's."""
    mc = catalog.mcs["python"]
    # A provider's logo on its own site would tell that site who browses the catalog.
    mc.provider.logo_url = "https://logos.example/northbridge.png"
    mc.provider.save(update_fields=["logo_url"])
    catalog.plain.logo_url = "/media/logos/forge.png"
    catalog.plain.save(update_fields=["logo_url"])
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    lessons = Lesson.objects.filter(module__microcredential=mc)
    reading = lessons.get(kind=LessonKind.READING)
    lesson_complete(actor=learner, enrolment=enrolment, lesson=reading)
    quiz = lessons.get(kind=LessonKind.QUIZ)
    credential = Credential.objects.get(completion=complete(catalog.mcs["ml"], learner))

    from django.test import Client

    learner_client = Client()
    learner_client.force_login(learner)
    quiz_url = reverse("assessment:quiz", args=[enrolment.pk, quiz.pk])
    learner_client.post(quiz_url, {"action": "start"})
    attempt = Attempt.objects.get(enrolment=enrolment, submitted_at__isnull=True)
    answers = {f"q{qid}": choices for qid, choices in correct_answers(attempt, served=True).items()}
    learner_client.post(quiz_url, {"action": "submit", "attempt": attempt.pk, **answers})
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    owner = Client()
    owner.force_login(MembershipFactory(organisation=mc.provider, role="owner").user)
    slug = mc.provider.slug
    return [
        ("home", client, "/"),
        ("catalog", client, "/catalog/?q=data&level=beginner"),
        ("microcredential", client, reverse("catalog:microcredential", args=[mc.provider.slug, mc.slug])),
        ("compare", client, f"/compare/?ids={mc.pk},{catalog.mcs['ml'].pk}"),
        ("providers", client, "/providers/"),
        ("provider", client, reverse("catalog:provider", args=[mc.provider.slug])),
        ("other provider", client, reverse("catalog:provider", args=[catalog.plain.slug])),
        ("other microcredential", client, reverse("catalog:microcredential", args=[catalog.plain.slug, "terraform"])),
        ("login", client, "/login/"),
        ("signup", client, "/signup/"),
        ("verify", client, "/verify/"),
        ("credential", client, reverse("credentials:credential", args=[credential.uuid])),
        ("not found", client, "/no-such-page/"),
        ("dashboard", learner_client, "/dashboard/"),
        ("lesson", learner_client, reverse("learning:lesson", args=[enrolment.pk, reading.pk])),
        ("quiz", learner_client, reverse("learning:lesson", args=[enrolment.pk, quiz.pk])),
        ("result", learner_client, reverse("assessment:attempt_result", args=[enrolment.pk, attempt.pk])),
        ("my credentials", learner_client, reverse("credentials:mine")),
        ("profile", learner_client, reverse("accounts:profile")),
        ("tokens", learner_client, reverse("accounts:tokens")),
        ("workspace", owner, reverse("accounts:workspace")),
        ("workspace catalog", owner, reverse("catalog:workspace_catalog", args=[slug])),
        ("workspace micro-credential", owner, reverse("catalog:workspace_mc", args=[slug, mc.pk])),
        ("workspace accreditations", owner, reverse("accreditation:workspace_accreditations", args=[slug])),
        ("workspace members", owner, reverse("accounts:workspace_members", args=[slug])),
        ("issued credentials", owner, reverse("credentials:manage", args=[slug])),
        ("admin", staff, "/admin/"),
        ("admin change list", staff, "/admin/catalog/microcredential/"),
        ("API docs", client, "/api/v1/docs"),
    ]


def test_every_main_page_carries_a_strict_policy_and_holds_nothing_it_blocks(pages):
    shown_images = set()
    for name, client, path in pages:
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code in {200, 404}, f"{name}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), name
        assert_strict_policy(response, name)
        html = response.content.decode()
        assert inline_code(html) == [], name
        images = set(re.findall(r'<img[^>]*\ssrc="([^"]*)"', html))
        assert {src for src in images if not src.startswith(("/", "data:"))} == set(), name
        shown_images |= images
    assert "/media/logos/forge.png" in shown_images  # a logo on our own site is still shown


def test_htmx_fragments_carry_the_policy_too(catalog, client):
    response = client.get("/catalog/?level=expert", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content
    assert_strict_policy(response, "catalog fragment")
    assert inline_code(response.content.decode()) == []


def test_htmx_is_configured_to_need_no_inline_style_or_eval(client, db):
    html = client.get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert json.loads(config[1]) == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}
    # The indicator styles htmx would have injected live in our stylesheet instead.
    css = (PACKAGE / "web/static/web/css/microcred.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))


def test_templates_are_found():
    assert len(TEMPLATES) > 40


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_holds_inline_code(template):
    assert inline_code(template_markup(template.read_text(encoding="utf-8"))) == []


def test_the_scanner_finds_what_the_policy_blocks():
    found = inline_code(
        "<script>alert(1)</script><script nonce='n'>ok()</script><script type='application/json'>{}</script>"
        "<style>p{}</style><p style='color:red' onclick='x()' hx-on:click='y()'><a href=' JavaScript:go()'>a</a>"
        "<script src='/static/app.js'></script>"
    )
    assert [entry.split(": ", 1)[1] for entry in found] == [
        "inline script",
        "inline <style>",
        "style attribute",
        "onclick handler",
        "hx-on:click handler",
        "javascript: URL",
    ]
    assert template_markup('{% include "x.html" with style="btn" %}<b class="{{ a }}">') == '<b class="x">'


@pytest.mark.parametrize(
    "value, expected",
    [(0, "pct-0"), (Decimal("66.67"), "pct-67"), ("50", "pct-50"), (140, "pct-100"), (-5, "pct-0"), (None, "pct-0")],
)
def test_percentages_become_whole_classes_within_bounds(value, expected):
    assert percent_class(value) == expected
    css = (PACKAGE / "web/static/web/css/microcred.css").read_text()
    assert f".{expected} {{\n  --pct: {expected[4:]};\n}}" in css
