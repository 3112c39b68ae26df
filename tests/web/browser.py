"""Shared set-up of the Playwright browser tests: Debian's Chromium, never Playwright's download."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are still plain sync calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is not installed (apt-get install chromium); in CI this test fails instead of skipping",
    ),
]


@pytest.fixture
def browser_context(live_server):
    """A fresh Chromium context on the live server, and the server's URL."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context, live_server.url
        context.close()
        browser.close()


def sign_in(context, base_url: str, user) -> None:
    """Sign ``user`` in by a session cookie, as whoever was signed in before is signed out."""
    from django.test import Client

    context.clear_cookies()
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


PHONE = {"width": 390, "height": 844}  # a common phone's viewport, in CSS pixels


@pytest.fixture
def phone(live_server, settings):
    """A phone-sized Chromium context (390 px, touch) on the live server, which SITE_URL points
    at (credential ids, links and CSRF origins are built from it), and the server's URL."""
    from playwright.sync_api import sync_playwright

    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        yield context, live_server.url
        context.close()
        browser.close()
