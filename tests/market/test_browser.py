"""Skills in demand in a real browser: a visitor filters the demo's postings by industry, draws a
skill's months and opens its page; the SVG charts draw, styled from the kit's stylesheet, with no
Content-Security-Policy violation."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from microcred.core.actors import SYSTEM
from microcred.demo.job_postings import DEMO_POSTINGS_FILE
from microcred.demo.loader import catalog_files
from microcred.demo.taxonomy import demo_taxonomy_load
from microcred.market.postings_format import read_postings_file
from microcred.market.services import postings_import
from tests.assessment.stats.test_browser_statistics import RECORD_VIOLATIONS
from tests.web.browser import BROWSER_MARKS, CHROMIUM, LAUNCH_ARGS

pytestmark = BROWSER_MARKS


@pytest.fixture
def context(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_VIOLATIONS)
        yield context
        context.close()
        browser.close()


def test_a_visitor_reads_the_skills_in_demand(context, transactional_db):
    from playwright.sync_api import expect

    demo_taxonomy_load(catalog_files=catalog_files())
    postings_import(actor=SYSTEM, records=read_postings_file(DEMO_POSTINGS_FILE), source="demo")
    page = context.new_page()
    page.goto(reverse("market:demand"))
    expect(page.get_by_role("heading", level=1, name="Skills in demand")).to_be_visible()
    expect(page.get_by_role("img", name="Postings mentioning each skill")).to_be_visible()
    bar = page.locator("#top-skills-title").locator("xpath=..").locator("rect.chart-bar").first
    assert bar.evaluate("el => getComputedStyle(el).fill") == "rgb(79, 70, 229)"

    page.get_by_label("Industry").select_option("Energy")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("industry Energy.")).to_be_visible()
    table = page.get_by_role("table", name="Every skill mentioned")
    expect(table.get_by_role("link", name="Electrical safety procedures", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="Python (computer programming)", exact=True)).to_have_count(0)

    table.get_by_role("link", name="Month by month for Working at height").click()
    expect(page.get_by_role("heading", name="Month by month: Working at height")).to_be_visible()
    assert page.get_by_role("img", name="Postings mentioning the skill per month").bounding_box()["height"] > 100
    shots = os.environ.get("MICROCRED_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}-demand.png", full_page=True)

    page.get_by_role("link", name="More about Working at height").click()
    expect(page.get_by_role("heading", level=1, name="Working at height")).to_be_visible()
    expect(page.get_by_role("heading", name="By region")).to_be_visible()
    expect(page.get_by_text("industry Energy.")).to_be_visible()  # the filters came along
    if shots:
        page.screenshot(path=f"{shots}-skill.png", full_page=True)
    assert page.evaluate("window.__cspViolations") == []
