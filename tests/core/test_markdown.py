"""Author Markdown cannot embed images from other sites (tracking pixels): each becomes a link to
the image, on every page and API answer that shows author text, whichever way the text came in."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from microcred.assessment.services import quiz_lesson_create
from microcred.catalog.models import Lesson, LessonKind
from microcred.catalog.services import lesson_create, microcredential_create, microcredential_publish, module_create
from microcred.core.actors import SYSTEM
from microcred.core.markdown import is_same_origin, render_markdown
from microcred.exchange.services import catalog_import
from microcred.learning.services import enrolment_create
from tests.factories import (
    QUIZ_QUESTIONS,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    microcredential_fields,
    published_microcredential,
)

TRACKER = "https://tracker.example/p.gif"
SITE = "https://credentials.example.org"


def image_sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def test_a_remote_image_becomes_a_link_to_it():
    html = render_markdown(f'Before ![x]({TRACKER} "title") after.')
    assert image_sources(html) == []
    assert html == (
        f'<p>Before <a href="{TRACKER}" rel="noopener noreferrer nofollow">image: x (external)</a> after.</p>'
    )


@pytest.mark.parametrize(
    "markdown",
    [
        f"<img src='{TRACKER}' alt='raw html'>",
        "<IMG SRC=https://tracker.example/p.gif>",
        "![x](//tracker.example/p.gif)",
        "<img src='/\\tracker.example/p.gif'>",
        "<img src='\\\\tracker.example/p.gif'>",
        "<img src=' //tracker.example/p.gif'>",
        "<img src='/&#9;/tracker.example/p.gif'>",
        "![x](HTTPS://Tracker.Example/p.gif)",
        "![x](http://credentials.example.org.tracker.example/p.gif)",
        "![x](http://credentials.example.org/p.gif)",  # our host, but another origin (http)
    ],
)
def test_no_spelling_of_a_remote_image_survives(markdown):
    html = render_markdown(markdown)
    assert "<img" not in html, html
    assert "(external)</a>" in html


@pytest.mark.parametrize(
    "markdown, source",
    [
        ("![chart](/media/lessons/chart.png)", "/media/lessons/chart.png"),
        ("![chart](images/chart.png)", "images/chart.png"),
        (f"![chart]({SITE}/media/chart.png)", f"{SITE}/media/chart.png"),
    ],
)
def test_images_from_our_own_site_stay(markdown, source):
    assert image_sources(render_markdown(markdown)) == [source]


def test_an_image_inside_a_link_becomes_text_as_links_cannot_nest():
    html = render_markdown(f"[![badge]({TRACKER})](https://example.org/about) and ![y]({TRACKER})")
    assert html == (
        '<p><a href="https://example.org/about" rel="noopener noreferrer nofollow">image: badge (external)</a> '
        f'and <a href="{TRACKER}" rel="noopener noreferrer nofollow">image: y (external)</a></p>'
    )


def test_alt_text_is_escaped_and_images_without_alt_are_named():
    html = render_markdown(f'<img alt="a &quot;b&quot; > <c>" src="{TRACKER}?a=1&amp;b=2"> ![]({TRACKER})')
    assert f'href="{TRACKER}?a=1&amp;b=2"' in html
    assert "image: a &quot;b&quot; &gt; &lt;c&gt; (external)" in html
    assert ">image (external)</a>" in html
    assert image_sources(html) == []


def test_code_showing_an_image_tag_is_left_alone():
    html = render_markdown(f'```\n<img src="{TRACKER}">\n```\n\n`![x]({TRACKER})`')
    assert "&lt;img src=" in html and f"<code>![x]({TRACKER})</code>" in html
    assert "(external)" not in html


def test_data_and_script_sources_are_dropped_by_the_sanitiser():
    html = render_markdown("![d](data:image/png;base64,AAAA) <img src=javascript:alert(1) alt=j>")
    assert image_sources(html) == [] and "data:" not in html and "javascript" not in html


def test_same_origin_reads_urls_as_browsers_do():
    assert is_same_origin("/media/x.png", site_url=SITE)
    assert is_same_origin("x.png", site_url=SITE)
    assert is_same_origin(f"{SITE.upper()}/x.png", site_url=SITE)
    assert not is_same_origin("//evil.example/x.png", site_url=SITE)
    assert not is_same_origin("\\\\evil.example/x.png", site_url=SITE)
    assert not is_same_origin("\t/\n/evil.example/x.png", site_url=SITE)
    assert not is_same_origin("https://evil.example/x.png", site_url="")


def course_with_remote_images(*, provider, slug: str = "tidy-data", title: str = "Tidy Data"):
    """A published course whose author put remote images (tracking pixels) in the description and a lesson."""
    mc = microcredential_create(
        actor=SYSTEM,
        provider=provider,
        **microcredential_fields(
            slug=slug, title=title, description=f"A **short** course.\n\n![pixel]({TRACKER}?from=description)"
        ),
    )
    first = module_create(actor=SYSTEM, microcredential=mc, title="Getting started")
    lesson_create(
        actor=SYSTEM,
        module=first,
        title="What is tidy data?",
        kind="reading",
        body=f"# Tidy\n\nRows and columns.\n\n![chart of tidy data]({TRACKER}?from=lesson)\n\n"
        '<img src="//tracker.example/raw.gif" alt="raw">',
    )
    lesson_create(
        actor=SYSTEM,
        module=first,
        title="A short talk",
        kind="video",
        required=False,
        video_url="https://videos.example.org/talk.mp4",
        transcript="Welcome.",
    )
    second = module_create(actor=SYSTEM, microcredential=mc, title="Assessment")
    quiz_lesson_create(
        actor=SYSTEM, module=second, title="Final quiz", questions=QUIZ_QUESTIONS, passing_score=70, max_attempts=3
    )
    return microcredential_publish(actor=SYSTEM, microcredential=mc)


@pytest.mark.django_db
def test_the_lesson_page_and_api_show_no_remote_image():
    mc = course_with_remote_images(provider=OrganisationFactory())
    lesson = Lesson.objects.get(module__microcredential=mc, kind=LessonKind.READING)
    learner = UserFactory()
    enrolment = enrolment_create(actor=learner, microcredential=mc)
    client = Client()
    client.force_login(learner)

    page = client.get(reverse("learning:lesson", args=[enrolment.pk, lesson.pk])).content.decode()
    assert "Rows and columns." in page
    assert f'href="{TRACKER}?from=lesson"' in page and "image: chart of tidy data (external)" in page
    assert "image: raw (external)" in page
    assert [src for src in image_sources(page) if "tracker" in src] == []
    api = client.get(f"/api/v1/enrolments/{enrolment.pk}/lessons/{lesson.pk}")
    assert api.status_code == 200
    assert "image: raw (external)" in api.json()["body_html"] and "<img" not in api.json()["body_html"]


@pytest.mark.django_db
def test_the_microcredential_page_and_api_show_no_remote_image_in_the_description():
    mc = published_microcredential(description=f"About.\n\n![pixel]({TRACKER})")
    page = Client().get(reverse("catalog:microcredential", args=[mc.provider.slug, mc.slug])).content.decode()
    assert "image: pixel (external)" in page
    assert [src for src in image_sources(page) if "tracker" in src] == []
    api = Client().get(f"/api/v1/microcredentials/{mc.pk}").json()
    assert "image: pixel (external)" in api["description_html"] and "<img" not in api["description_html"]


@pytest.mark.django_db
def test_imported_lessons_show_no_remote_image():
    source = Path(__file__).resolve().parents[1] / "cli" / "data" / "small_catalog.json"
    document = json.loads(source.read_text(encoding="utf-8"))
    document = copy.deepcopy(document)
    lesson = document["microcredentials"][0]["modules"][0]["lessons"][0]
    lesson["body"] += f"\n\n![pixel]({TRACKER})"
    provider = OrganisationFactory(slug=document["provider"]["slug"], name=document["provider"]["name"])
    owner = MembershipFactory(organisation=provider, role="owner").user
    catalog_import(actor=owner, data=document)
    imported = Lesson.objects.get(
        module__microcredential__slug=document["microcredentials"][0]["slug"], title=lesson["title"]
    )
    assert "image: pixel (external)" in imported.body_html
    assert image_sources(imported.body_html) == []
