"""Engagement, counted respectfully (issue 11 §7, ADR 0047): page views, verifications, PDF
downloads and LinkedIn adds as daily counters per credential and kind, shown to the holder on
their page and through the API, and to the issuer's staff added up per micro-credential."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, connections
from django.test import Client

from microcred.core.clock import now
from microcred.credentials.engagement.rules import counts_as_download, counts_as_view, is_bot
from microcred.credentials.engagement.selectors import (
    WEEKS_SHOWN,
    credential_engagement,
    credential_id_for_url,
    first_monday,
    issuer_engagement,
)
from microcred.credentials.engagement.services import engagement_count, engagement_day, engagement_flush
from microcred.credentials.models import Credential, CredentialEngagement, EngagementKind
from microcred.credentials.selectors import linkedin_add_url
from microcred.credentials.services import credential_revoke, credential_sharing_update
from microcred.verification.services import verify_credential
from tests.api.conftest import API, assert_problem
from tests.factories import UserFactory

from .conftest import SITE, complete
from .test_hosting import BROWSER

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def issued(world) -> Credential:
    return Credential.objects.get(completion=complete(world.mc, world.learner))


def counts(credential: Credential) -> dict[str, int]:
    """Every counter of the credential, added up per kind (kinds never counted are left out)."""
    totals: dict[str, int] = {}
    for kind, count in CredentialEngagement.objects.filter(credential=credential).values_list("kind", "count"):
        totals[kind] = totals.get(kind, 0) + count
    return totals


def visit(client: Client, credential: Credential, **headers: str):
    return client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT=BROWSER, HTTP_USER_AGENT=CHROME, **headers)


# The rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "Sogou web spider/4.0",
        "Screaming Frog SEO Crawler",
        "Mozilla/5.0 (Macintosh) Skype Preview",
    ],
)
def test_robots_and_link_previewers_are_told_by_their_user_agent(agent):
    assert is_bot(agent)
    assert not counts_as_view(method="GET", status_code=200, user_agent=agent, viewer_is_holder=False)
    assert not counts_as_download(method="GET", status_code=200, user_agent=agent)


def test_what_counts_as_a_view():
    assert not is_bot(CHROME) and not is_bot("")
    assert counts_as_view(method="GET", status_code=200, user_agent=CHROME, viewer_is_holder=False)
    assert not counts_as_view(method="GET", status_code=200, user_agent=CHROME, viewer_is_holder=True)
    assert not counts_as_view(method="HEAD", status_code=200, user_agent=CHROME, viewer_is_holder=False)
    assert not counts_as_view(method="GET", status_code=304, user_agent=CHROME, viewer_is_holder=False)
    assert not counts_as_view(method="GET", status_code=404, user_agent=CHROME, viewer_is_holder=False)
    # A download by the holder counts: it is how they take the certificate somewhere.
    assert counts_as_download(method="GET", status_code=200, user_agent=CHROME)
    assert not counts_as_download(method="HEAD", status_code=200, user_agent=CHROME)


# The counter -------------------------------------------------------------------------------------


def test_a_counter_is_one_row_per_credential_day_and_kind(issued):
    monday = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    for _ in range(3):
        engagement_count(credential_id=issued.pk, kind=EngagementKind.VIEW, now=monday)
    engagement_count(credential_id=issued.pk, kind=EngagementKind.VIEW, now=monday + timedelta(minutes=1), by=2)
    engagement_count(credential_id=issued.pk, kind=EngagementKind.VERIFICATION, now=monday)
    rows = set(CredentialEngagement.objects.filter(credential=issued).values_list("day", "kind", "count"))
    assert rows == {
        (date(2026, 11, 30), "view", 3),
        (date(2026, 12, 1), "view", 2),  # the next UTC day
        (date(2026, 11, 30), "verification", 1),
    }
    with pytest.raises(ValueError, match="only grows"):
        engagement_count(credential_id=issued.pk, kind=EngagementKind.VIEW, now=monday, by=0)


def test_the_day_is_the_utc_day():
    from zoneinfo import ZoneInfo

    late_in_auckland = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("Pacific/Auckland"))  # 6 Dec 19:00 UTC
    assert engagement_day(late_in_auckland) == date(2026, 12, 6)


def test_a_counter_keeps_nothing_about_who():
    columns = {field.column for field in CredentialEngagement._meta.concrete_fields}
    assert columns == {"id", "credential_id", "day", "kind", "count"}


@pytest.mark.django_db(transaction=True)
def test_first_events_of_a_day_at_once_are_all_counted(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every writer; the insert race is exercised on PostgreSQL.")
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    threads_count, each = 8, 25
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []
    moment = now()

    def hammer() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                engagement_count(credential_id=credential.pk, kind=EngagementKind.VIEW, now=moment)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    (row,) = CredentialEngagement.objects.filter(credential=credential)
    assert row.count == threads_count * each


# Views -------------------------------------------------------------------------------------------


def test_an_anonymous_visit_counts_once_per_page_answered(issued, client):
    for _ in range(3):
        assert visit(Client(), issued).status_code == 200
    assert counts(issued) == {"view": 3}
    # The same page again with its ETag: a 304, which is no new view.
    first = visit(client, issued)
    again = visit(client, issued, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert counts(issued) == {"view": 4}


def test_robots_heads_machines_and_the_holder_are_not_counted(world, issued, client):
    bot = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
    assert client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER, HTTP_USER_AGENT=bot).status_code == 200
    assert client.head(f"/credentials/{issued.uuid}", HTTP_ACCEPT=BROWSER).status_code == 405
    # A verifier or wallet fetching the signed document is not a page view (it may be a verification).
    assert client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT="application/vc+ld+json").status_code == 200
    assert client.get(f"/credentials/{issued.uuid}?format=jwt").status_code == 200
    holder = Client()
    holder.force_login(world.learner)
    assert visit(holder, issued).status_code == 200
    assert counts(issued) == {}

    someone = Client()
    someone.force_login(UserFactory())
    assert visit(someone, issued).status_code == 200  # signed in, not the holder: a view
    assert counts(issued) == {"view": 1}


def test_a_private_page_counts_nothing_for_those_who_cannot_open_it(world, issued):
    credential_sharing_update(actor=world.learner, credential=issued, holder_name="shown", page_visibility="private")
    assert visit(Client(), issued).status_code == 404
    assert counts(issued) == {}


def test_the_anonymous_page_costs_its_light_read_and_one_update(issued, client):
    from django.test.utils import CaptureQueriesContext

    visit(client, issued)  # renders the page once, and inserts the day's counter
    with CaptureQueriesContext(connection) as queries:
        assert visit(Client(), issued).status_code == 200
    # The test runs in a transaction, so the count takes a savepoint here; served, it does not.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements
    assert '"document"' not in statements[0]
    assert statements[1].startswith("UPDATE") and "credentialengagement" in statements[1]
    assert counts(issued) == {"view": 2}


def test_views_are_held_in_the_process_and_written_together(issued, settings):
    from django.test.utils import CaptureQueriesContext

    settings.MICROCRED_ENGAGEMENT_FLUSH_SECONDS = 60
    try:
        visit(Client(), issued)  # renders the page once
        with CaptureQueriesContext(connection) as queries:
            for _ in range(2):
                assert visit(Client(), issued).status_code == 200
        assert len(queries) == 2  # the light read of each page, and no write
        assert counts(issued) == {}
    finally:
        written = engagement_flush()
    assert written == 3 and counts(issued) == {"view": 3}
    assert engagement_flush() == 0
    # Views only: the rarer events are written at once, so their holder sees them at once.
    Client().get(f"/credentials/{issued.uuid}/certificate.pdf")
    assert counts(issued) == {"view": 3, "pdf_download": 1}


@pytest.mark.django_db(transaction=True)
def test_held_views_are_written_by_the_timer(world, settings):
    credential = Credential.objects.get(completion=complete(world.mc, world.learner))
    settings.MICROCRED_ENGAGEMENT_FLUSH_SECONDS = 0.2
    try:
        for _ in range(2):
            visit(Client(), credential)
        waited = 0.0
        while counts(credential) != {"view": 2} and waited < 10:
            time.sleep(0.1)
            waited += 0.1
        assert counts(credential) == {"view": 2}
    finally:
        engagement_flush()


def test_unknown_credentials_count_nothing(client):
    response = client.get("/credentials/00000000-0000-4000-8000-000000000000", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 404
    assert not CredentialEngagement.objects.exists()


# Downloads and LinkedIn -------------------------------------------------------------------------


def test_pdf_downloads_count_the_holders_too_but_not_robots(world, issued):
    holder = Client()
    holder.force_login(world.learner)
    assert holder.get(f"/credentials/{issued.uuid}/certificate.pdf", HTTP_USER_AGENT=CHROME).status_code == 200
    anyone = Client()
    assert anyone.get(f"/credentials/{issued.uuid}/certificate.pdf?paper=letter").status_code == 200
    preview = "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"
    assert anyone.get(f"/credentials/{issued.uuid}/certificate.pdf", HTTP_USER_AGENT=preview).status_code == 200
    assert counts(issued) == {"pdf_download": 2}


def test_badge_downloads_count_but_not_their_revalidations(world, issued):
    anyone = Client()
    png = anyone.get(f"/credentials/{issued.uuid}/badge.png", HTTP_USER_AGENT=CHROME)
    assert png.status_code == 200
    assert anyone.get(f"/credentials/{issued.uuid}/badge.svg").status_code == 200
    again = anyone.get(f"/credentials/{issued.uuid}/badge.png", HTTP_IF_NONE_MATCH=png["ETag"])
    assert again.status_code == 304
    assert counts(issued) == {"badge_download": 2}


def test_a_revoked_credential_has_no_certificate_and_no_download_counted(world, issued, client):
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    assert client.get(f"/credentials/{issued.uuid}/certificate.pdf").status_code == 409
    assert counts(issued) == {}


def test_add_to_linkedin_goes_through_a_counting_redirect_to_the_same_url(world, issued):
    holder = Client()
    holder.force_login(world.learner)
    page = visit(holder, issued).content.decode()
    (via,) = re.findall(r'href="([^"]+)"[^>]*data-share="linkedin-add"', page)
    assert via == f"/credentials/{issued.uuid}/linkedin"
    mine = holder.get("/me/credentials/").content.decode()
    assert f'href="/credentials/{issued.uuid}/linkedin"' in mine
    for _ in range(2):
        response = holder.get(via)
        assert response.status_code == 302 and response["Location"] == linkedin_add_url(issued)
        assert response["Cache-Control"] == "no-store"
    assert counts(issued) == {"linkedin_add": 2}
    # The API still gives LinkedIn's own URL.
    item = holder.get(f"{API}/me/credentials").json()["items"][0]
    assert item["linkedin_url"] == linkedin_add_url(issued)


def test_only_the_holder_adds_it_to_linkedin_and_only_while_it_holds(world, issued):
    via = f"/credentials/{issued.uuid}/linkedin"
    anonymous = Client().get(via)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    other = Client()
    other.force_login(world.owner)  # the issuer's owner is not the holder
    assert other.get(via).status_code == 404
    assert Client().post(via).status_code in (302, 405)
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    holder = Client()
    holder.force_login(world.learner)
    response = holder.get(via, follow=True, HTTP_ACCEPT=BROWSER)
    assert response.redirect_chain == [(f"/credentials/{issued.uuid}", 302)]
    assert "revoked: it cannot be added to LinkedIn" in response.content.decode()
    assert counts(issued) == {}


# Verifications ----------------------------------------------------------------------------------


def test_verifying_one_of_our_credentials_counts_a_verification_whatever_the_verdict(world, issued, client):
    assert verify_credential(data=issued.document).verdict.value == "valid"
    response = client.post(f"{API}/verify", {"credential": issued.document}, content_type="application/json")
    assert response.status_code == 200
    assert client.post("/verify/", {"url": f"{SITE}/credentials/{issued.uuid}"}).status_code == 200
    assert counts(issued) == {"verification": 3}
    tampered = {**issued.document, "name": "Something else"}
    assert verify_credential(data=tampered).verdict.value == "invalid"
    assert counts(issued) == {"verification": 4}


def test_a_foreign_or_unknown_credential_counts_nothing(world, issued):
    foreign = {**issued.document, "id": "https://elsewhere.example/credentials/1"}
    verify_credential(data=foreign)
    unknown = {**issued.document, "id": f"{SITE}/credentials/00000000-0000-4000-8000-000000000000"}
    verify_credential(data=unknown)
    verify_credential(data="not a credential")
    assert not CredentialEngagement.objects.exists()
    assert credential_id_for_url(f"{SITE}/credentials/{issued.uuid}") == issued.pk
    assert credential_id_for_url(f"{SITE}/credentials/nope") is None
    assert credential_id_for_url(None) is None


# What is shown -----------------------------------------------------------------------------------


def test_the_weeks_and_totals_of_a_credential(issued):
    today = date(2026, 12, 10)  # a Thursday
    start = first_monday(today)
    assert start == date(2026, 9, 21) and start.weekday() == 0
    at = lambda day: datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # noqa: E731
    engagement_count(credential_id=issued.pk, kind=EngagementKind.VIEW, now=at(start - timedelta(days=1)), by=5)
    engagement_count(credential_id=issued.pk, kind=EngagementKind.VIEW, now=at(start), by=2)
    engagement_count(credential_id=issued.pk, kind=EngagementKind.PDF_DOWNLOAD, now=at(today))
    engagement_count(credential_id=issued.pk, kind=EngagementKind.LINKEDIN_ADD, now=at(date(2026, 12, 7)))
    summary = credential_engagement(credential=issued, today=today)
    assert summary.totals == {"view": 7, "verification": 0, "pdf_download": 1, "badge_download": 0, "linkedin_add": 1}
    assert len(summary.weeks) == WEEKS_SHOWN
    assert [week.monday for week in summary.weeks][-1] == date(2026, 12, 7)
    assert summary.weeks[0].counts["view"] == 2  # the 5 of the day before are in the totals only
    assert summary.weeks[-1].counts == {**dict.fromkeys(summary.totals, 0), "pdf_download": 1, "linkedin_add": 1}
    assert sum(week.total for week in summary.weeks) == 4


def test_the_holder_sees_the_counts_and_a_chart_and_nobody_else_does(world, issued):
    for _ in range(3):
        visit(Client(), issued)
    holder = Client()
    holder.force_login(world.learner)
    html = visit(holder, issued).content.decode()
    (panel,) = re.findall(r"<section[^>]*data-engagement>.*?</section>", html, flags=re.S)
    assert '<div data-kind="view"><dt>Page views</dt><dd>3</dd></div>' in panel
    assert '<svg class="chart"' in panel and "Views, verifications, downloads and LinkedIn adds per week" in panel
    assert panel.count("<tr><td") == WEEKS_SHOWN
    assert "web/css/charts.css" in html
    issuer_owner = Client()
    issuer_owner.force_login(world.owner)
    for viewer in (Client(), issuer_owner):
        other = visit(viewer, issued).content.decode()
        assert "data-engagement" not in other and "Page views" not in other


def test_the_holders_empty_panel_never_encourages_sharing_a_revoked_credential(world, issued):
    holder = Client()
    holder.force_login(world.learner)
    html = visit(holder, issued).content.decode()
    assert "data-engagement-empty>Nobody has opened, verified or downloaded it yet. Share its link" in html
    credential_revoke(actor=world.owner, credential=issued, reason="Issued in error")
    html = visit(holder, issued).content.decode()
    assert (
        "data-engagement-empty>Nothing has been counted for this credential." in html and "Share its link" not in html
    )


def test_the_holder_reads_the_counts_through_the_api(world, issued, client):
    visit(Client(), issued)
    url = f"{API}/me/credentials/{issued.uuid}/engagement"
    assert_problem(client.get(url), 401, "authentication_required")
    client.force_login(world.learner)
    body = client.get(url).json()
    assert body["uuid"] == str(issued.uuid)
    assert body["totals"] == {"view": 1, "verification": 0, "pdf_download": 0, "badge_download": 0, "linkedin_add": 0}
    assert len(body["weeks"]) == WEEKS_SHOWN and body["weeks"][-1]["counts"]["view"] == 1
    assert date.fromisoformat(body["weeks"][-1]["week_start"]).weekday() == 0
    client.force_login(world.owner)
    assert_problem(client.get(url), 404, "not_found")


def test_the_issuer_sees_totals_per_micro_credential_never_a_learner(world, issued, client):
    from tests.factories import published_microcredential

    second_mc = published_microcredential(provider=world.provider, slug="second-course")
    second = Credential.objects.get(completion=complete(second_mc, UserFactory(full_name="Grace Hopper")))
    for _ in range(2):
        visit(Client(), issued)
    visit(Client(), second)
    engagement_count(credential_id=second.pk, kind=EngagementKind.VERIFICATION, now=now(), by=4)

    figures = issuer_engagement(organisation=world.provider, today=engagement_day(now()))
    assert figures.summary.totals["view"] == 3 and figures.summary.totals["verification"] == 4
    assert [(row.microcredential_id, row.total) for row in figures.by_microcredential] == [
        (second_mc.pk, 5),
        (world.mc.pk, 2),
    ]

    page = f"/issuers/{world.provider.slug}/manage/engagement/"
    for outsider in (world.learner, world.outsider_instructor):
        client.force_login(outsider)
        assert client.get(page).status_code == 404
    client.force_login(world.instructor)
    assert f'href="{page}"' in client.get(f"/issuers/{world.provider.slug}/manage/").content.decode()
    html = client.get(page).content.decode()
    assert (
        f'<tr data-microcredential="{second_mc.pk}">' in html and f'<tr data-microcredential="{world.mc.pk}">' in html
    )
    assert '<svg class="chart"' in html and "data-engagement-by-microcredential" in html
    for private in ("Ada Lovelace", "Grace Hopper", world.learner.email, str(issued.uuid)):
        assert private not in html


def test_an_issuer_with_nothing_counted_gets_an_empty_state(world, client):
    client.force_login(world.owner)
    html = client.get(f"/issuers/{world.provider.slug}/manage/engagement/").content.decode()
    assert "data-engagement-empty" in html and "Nothing counted yet" in html and '<svg class="chart"' not in html
