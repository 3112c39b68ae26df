""" "My skills" and "My goal", through the Django test client, as a signed-in learner."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from microcred.careers.models import CareerGoal, DeclaredSkill, ExternalCredential
from microcred.careers.services import external_credential_upload
from microcred.core.clock import now, shifted_to
from microcred.credentials.services import credential_revoke

pytestmark = pytest.mark.django_db

SKILLS = reverse("careers:skills")
GOAL = reverse("careers:goal")


def test_both_pages_need_a_sign_in(careers):
    for url in (SKILLS, GOAL):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_dashboard_links_to_both_pages(careers, signed_in):
    page = signed_in(careers.learner).get(reverse("learning:dashboard")).content.decode()
    assert f'href="{SKILLS}"' in page and f'href="{GOAL}"' in page


def test_an_empty_profile_says_what_to_do(careers, signed_in):
    page = signed_in(careers.learner).get(SKILLS).content.decode()
    assert "No skills on your profile yet" in page
    assert "Credentials from elsewhere" in page and "None yet." in page


def test_search_then_declare_then_stop_declaring(careers, signed_in):
    client = signed_in(careers.learner)
    page = client.get(SKILLS, {"q": "excel"}).content.decode()  # an alternative label
    assert "Use spreadsheets software" in page
    assert "No skill matches" in client.get(SKILLS, {"q": "basket weaving"}).content.decode()
    response = client.post(
        reverse("careers:declare"), {"skill": careers.spreadsheets.pk, "level": "intermediate", "note": "Budgets"}
    )
    assert response.status_code == 302
    page = client.get(SKILLS).content.decode()
    assert "is on your profile as self-declared" in page
    assert "Self-declared, unverified" in page and 'id="group-unverified"' in page
    assert 'id="group-verified"' not in page
    # A bad level is a message, not a 500, and nothing changes.
    client.post(reverse("careers:declare"), {"skill": careers.spreadsheets.pk, "level": "guru"})
    assert DeclaredSkill.objects.get().level == "intermediate"
    assert client.post(reverse("careers:declare"), {"skill": 999999, "level": "beginner"}).status_code == 404
    client.post(reverse("careers:undeclare"), {"skill": careers.spreadsheets.pk})
    assert not DeclaredSkill.objects.exists()


def test_verified_skills_show_their_sources(careers, signed_in):
    careers.complete()
    page = signed_in(careers.learner).get(SKILLS).content.decode()
    assert 'id="group-verified"' in page
    assert "Our credential" in page and "Assessment" in page
    assert reverse("credentials:credential", args=[careers.credential().uuid]) in page


def test_a_revoked_credential_is_shown_as_such_never_celebrated(careers, signed_in):
    careers.complete()
    credential_revoke(actor=careers.owner, credential=careers.credential(), reason="Issued in error")
    page = signed_in(careers.learner).get(SKILLS).content.decode()
    assert 'id="group-lapsed"' in page and 'id="group-verified"' not in page
    assert "Our credential: Revoked, no longer counts" in page
    assert "Issued in error" in page


def test_an_expired_credential_is_shown_as_such(careers, signed_in):
    careers.complete()
    with shifted_to(careers.credential().valid_until + timedelta(days=2)):
        page = signed_in(careers.learner).get(SKILLS).content.decode()
    assert "Our credential: Expired, no longer counts" in page and 'id="group-verified"' not in page


def test_uploading_a_credential_from_elsewhere(careers, signed_in):
    careers.earn_elsewhere()
    client = signed_in(careers.learner)
    document = json.dumps(careers.credential().document)
    tampered = document.replace("Tidy Data", "Tidy Data Deluxe")
    response = client.post(reverse("careers:upload"), {"credential": tampered})
    assert response.status_code == 422
    assert "Not valid" in response.content.decode() and not ExternalCredential.objects.exists()
    assert client.post(reverse("careers:upload"), {}).status_code == 400
    response = client.post(reverse("careers:upload"), {"credential": document}, follow=True)
    page = response.content.decode()
    assert "Verified and added “Tidy Data from Example Academy”: 2 skills now verified." in page
    assert "Credential from elsewhere" in page
    # Twice: a clear refusal on the page.
    response = client.post(reverse("careers:upload"), {"credential": document})
    assert response.status_code == 409 and "You have already added this credential." in response.content.decode()


def test_a_recheck_that_finds_a_revocation_says_so(careers, signed_in):
    careers.earn_elsewhere()
    external = external_credential_upload(
        actor=careers.learner, learner=careers.learner, document=careers.credential().document
    )
    credential_revoke(actor=careers.owner, credential=careers.credential(), reason="Issued in error")
    client = signed_in(careers.learner)
    page = client.post(reverse("careers:recheck", args=[external.pk]), follow=True).content.decode()
    assert "Revoked by the issuer. Its skills no longer count as verified." in page
    assert 'class="badge badge-danger">Revoked</span>' in page


def test_another_learners_credential_answers_404(careers, signed_in):
    careers.earn_elsewhere()
    external = external_credential_upload(
        actor=careers.learner, learner=careers.learner, document=careers.credential().document
    )
    intruder = signed_in(careers.other)
    assert intruder.post(reverse("careers:recheck", args=[external.pk])).status_code == 404
    assert intruder.post(reverse("careers:remove_external", args=[external.pk])).status_code == 404
    assert "Tidy Data" not in intruder.get(SKILLS).content.decode()
    assert ExternalCredential.objects.filter(pk=external.pk).exists()


def test_the_goal_page_empty_then_an_occupation(careers, signed_in):
    client = signed_in(careers.learner)
    page = client.get(GOAL).content.decode()
    assert "No goal yet" in page
    page = client.get(GOAL, {"occupation_q": "analyst"}).content.decode()
    assert "Data analyst" in page
    client.post(reverse("careers:goal_occupation"), {"occupation": careers.analyst.pk})
    page = client.get(GOAL).content.decode()
    assert "Your goal is now: Data analyst." in page
    assert "SQL" in page and "essential" in page and "not yet" in page
    assert client.post(reverse("careers:goal_occupation"), {"occupation": 999999}).status_code == 404


def test_a_posting_and_picked_skills_on_the_goal_page(careers, signed_in):
    client = signed_in(careers.learner)
    response = client.post(reverse("careers:goal_posting"), {"posting_title": "Analyst", "posting_text": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    page = client.post(
        reverse("careers:goal_posting"), {"posting_text": "You write SQL every day."}, follow=True
    ).content.decode()
    assert "we found 1 skill in it" in page
    page = client.post(reverse("careers:goal_posting"), {"posting_text": "Nice team."}, follow=True).content.decode()
    assert "we found no skill we know in it" in page
    client.post(reverse("careers:goal_skill_add"), {"skill": careers.python.pk, "level": "expert"})
    goal = CareerGoal.objects.get(user=careers.learner)
    assert goal.kind == "skills" and [link.skill for link in goal.skill_links.all()] == [careers.python]
    client.post(reverse("careers:goal_skill_remove"), {"skill": careers.python.pk})
    assert not goal.skill_links.exists()


def test_the_constraints_form(careers, signed_in):
    client = signed_in(careers.learner)
    response = client.post(
        reverse("careers:goal_constraints"),
        {"hours_per_week": "8", "deadline": str(now().date() - timedelta(days=1)), "objective": "least_cost"},
    )
    assert response.status_code == 422 and "The deadline must be in the future." in response.content.decode()
    response = client.post(
        reverse("careers:goal_constraints"),
        {
            "hours_per_week": "8",
            "budget_eur": "300",
            "languages": "en, fr",
            "participation_forms": ["online"],
            "preferred_providers": [careers.provider.pk],
            "objective": "most_coverage",
        },
        follow=True,
    )
    assert "Your constraints are saved." in response.content.decode()
    goal = CareerGoal.objects.get(user=careers.learner)
    assert (goal.hours_per_week, goal.languages, goal.objective) == (8, ["en", "fr"], "most_coverage")
    assert 'value="en, fr"' in client.get(GOAL).content.decode()


def test_uploads_and_rechecks_count_against_the_verifiers_rate(careers, signed_in, settings):
    from django.core.cache import cache

    cache.clear()
    settings.MICROCRED_VERIFY_RATE_AUTHENTICATED = "1/m"
    careers.earn_elsewhere()
    client = signed_in(careers.learner)
    document = json.dumps(careers.credential().document)
    assert client.post(reverse("careers:upload"), {"credential": document}).status_code == 302
    response = client.post(reverse("careers:upload"), {"credential": document + " "})
    assert response.status_code == 429 and "try again in" in response.content.decode()
    external = ExternalCredential.objects.get()
    page = client.post(reverse("careers:recheck", args=[external.pk]), follow=True).content.decode()
    assert "You have verified many credentials in a short time" in page


def test_a_file_upload_and_an_oversized_paste(careers, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    careers.earn_elsewhere()
    client = signed_in(careers.learner)
    response = client.post(reverse("careers:upload"), {"credential": "x" * (600 * 1024)})
    assert response.status_code == 422 and "Credentials are far smaller than 512 KB" in response.content.decode()
    response = client.post(
        reverse("careers:upload"), {"file": SimpleUploadedFile("badge.jwt", careers.credential().jwt.encode())}
    )
    assert response.status_code == 302
    assert ExternalCredential.objects.get().document == careers.credential().jwt
