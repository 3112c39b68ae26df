"""The page kit's links to the skills pages: "Skills in demand" in every page's footer, and the
signed-in learner's "My skills", "My goal" and "My plan" in the account menu. Each link is
followed, so a renamed page breaks the test, not the site."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def links_in(html: str, region: str) -> dict[str, str]:
    """The ``text -> href`` of the links inside the first element of class ``region``."""
    start = html.index(f'class="{region}"')
    end = html.index("</footer>" if region == "site-footer" else "</details>", start)
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html[start:end], flags=re.S)
    }


def test_every_page_footer_links_to_skills_in_demand():
    client = Client()
    footer = links_in(client.get("/catalog/").content.decode(), "site-footer")
    assert footer["Skills in demand"] == "/skills-in-demand/"
    page = client.get(footer["Skills in demand"])
    assert page.status_code == 200
    assert "Skills in demand" in page.content.decode()


def test_the_signed_in_learners_menu_reaches_skills_goal_and_plan():
    client = Client()
    assert 'class="user-menu"' not in client.get("/catalog/").content.decode()
    client.force_login(UserFactory())
    menu = links_in(client.get("/catalog/").content.decode(), "user-menu")
    assert (menu["My skills"], menu["My goal"], menu["My plan"]) == ("/me/skills/", "/me/goal/", "/me/plan/")
    for label in ("My skills", "My goal", "My plan"):
        assert client.get(menu[label]).status_code == 200, label
