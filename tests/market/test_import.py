"""Importing postings: skills found, re-imports idempotent, changed postings updated, nothing
half-imported, only staff, and extraction run again after a taxonomy change."""

from __future__ import annotations

import pytest

from microcred.core.actors import SYSTEM
from microcred.core.errors import AuthenticationRequired
from microcred.market.models import JobPosting, PostingSkill
from microcred.market.postings_format import read_postings
from microcred.market.services import (
    PostingsFileInvalid,
    PostingsImportRefused,
    postings_import,
    postings_reextract,
)
from tests.factories import SkillFactory, UserFactory

from .conftest import jsonl

pytestmark = pytest.mark.django_db


def found(posting: JobPosting) -> dict[str, str]:
    return {link.skill.slug: link.matched_text for link in posting.skill_links.select_related("skill")}


def test_extraction_finds_the_skills_a_posting_names(import_postings, taxonomy):
    report = import_postings(
        {
            "id": "a1",
            "title": "Python developer",
            "text": "You automate infrastructure with Terraform and show results with data visualization. "
            "Kubernetes is a plus.",
            "date": "2026-03-01",
            "location": "Delft, Netherlands",
            "industry": "Software",
        }
    )
    posting = JobPosting.objects.get()
    assert found(posting) == {
        "python": "Python",
        "terraform": "Terraform",
        "data-visualisation": "data visualization",
        "kubernetes": "Kubernetes",
    }
    assert posting.region == "NL"  # from the location's country
    assert (report.created, report.mentions, len(report.skills)) == (1, 4, 4)
    assert report.summary() == (
        "1 posting: 1 created, 0 updated, 0 unchanged; 4 skill mentions found (4 distinct skills)."
    )


def test_a_posting_that_names_no_skill_is_kept_without_skills(import_postings, taxonomy):
    import_postings({"title": "Receptionist", "text": "Greet visitors.", "date": "2026-03-01"})
    assert JobPosting.objects.count() == 1
    assert PostingSkill.objects.count() == 0


def test_a_second_import_of_the_same_postings_writes_nothing(hand_made, import_postings):
    from .conftest import HAND_MADE

    links = sorted(PostingSkill.objects.values_list("posting__external_id", "skill__slug", "id"))
    again = import_postings(
        *[
            {"id": pid, "date": day, "region": region, "industry": industry, "title": title, "text": text}
            for pid, day, region, industry, title, text in HAND_MADE
        ]
    )
    assert (again.created, again.updated, again.unchanged, again.mentions) == (0, 0, 13, 0)
    assert sorted(PostingSkill.objects.values_list("posting__external_id", "skill__slug", "id")) == links


def test_a_changed_posting_is_updated_and_its_skills_found_again(import_postings, taxonomy):
    import_postings({"id": "x", "title": "Developer", "text": "Python.", "date": "2026-01-01"})
    report = import_postings({"id": "x", "title": "Developer", "text": "Terraform only.", "date": "2026-01-01"})
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    posting = JobPosting.objects.get()
    assert posting.text == "Terraform only."
    assert set(found(posting)) == {"terraform"}


def test_postings_without_an_id_are_matched_by_content(import_postings, taxonomy):
    posting = {"title": "Developer", "text": "Python.", "date": "2026-01-01"}
    first = import_postings(posting, posting)
    assert (first.created, first.duplicates) == (1, 1)
    assert JobPosting.objects.get().external_id.startswith("sha256:")
    again = import_postings(posting)
    assert (again.created, again.unchanged) == (0, 1)


def test_the_same_id_in_two_sources_is_two_postings(import_postings, taxonomy):
    posting = {"id": "1", "title": "Developer", "text": "Python.", "date": "2026-01-01"}
    import_postings(posting, source="board-a")
    import_postings(posting, {**posting, "source": "board-c"}, source="board-b")
    assert sorted(JobPosting.objects.values_list("source", flat=True)) == ["board-a", "board-b", "board-c"]


def test_a_bad_row_anywhere_imports_nothing(import_postings, taxonomy):
    good = {"title": "Developer", "text": "Python.", "date": "2026-01-01"}
    postings = [{**good, "id": str(n)} for n in range(1, 1200)]  # more than two batches
    postings.append({"id": "bad", "title": "Developer", "date": "2026-02-30"})
    with pytest.raises(PostingsFileInvalid) as caught:
        import_postings(*postings)
    assert caught.value.message == "postings.jsonl, line 1200: date '2026-02-30' is not a date (YYYY-MM-DD)"
    assert caught.value.data == {"file": "postings.jsonl", "line": 1200}
    assert JobPosting.objects.count() == 0
    assert PostingSkill.objects.count() == 0


def test_an_id_listed_twice_is_an_error_naming_both_lines(import_postings, taxonomy):
    posting = {"id": "7", "title": "Developer", "date": "2026-01-01"}
    with pytest.raises(
        PostingsFileInvalid, match=r"line 3: id '7' of source 'test' is listed twice \(first at line 1\)"
    ):
        import_postings(posting, {**posting, "id": "8"}, {**posting, "title": "Other"})
    assert JobPosting.objects.count() == 0


def test_only_platform_staff_import(taxonomy):
    records = read_postings(jsonl({"title": "Developer", "date": "2026-01-01"}), format="jsonl", file="f.jsonl")
    with pytest.raises(PostingsImportRefused):
        postings_import(actor=UserFactory(), records=records, source="s")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AuthenticationRequired):
        postings_import(actor=AnonymousUser(), records=records, source="s")
    staff = UserFactory(is_staff=True)
    assert postings_import(actor=staff, records=records, source="s").created == 1


def test_occupations_are_linked_when_known_and_kept_for_later_when_not(import_postings, taxonomy):
    from microcred.skills.models import Occupation

    uri = "http://data.europa.eu/esco/occupation/software-developer"
    report = import_postings({"title": "Developer", "date": "2026-01-01", "occupation": uri})
    assert report.unknown_occupations == {uri}
    posting = JobPosting.objects.get()
    assert (posting.occupation_uri, posting.occupation) == (uri, None)
    occupation = Occupation.objects.create(framework=taxonomy["python"].framework, uri=uri, label="software developer")
    assert postings_reextract(actor=SYSTEM).occupations_linked == 1
    posting.refresh_from_db()
    assert posting.occupation == occupation


def test_reextract_follows_a_taxonomy_change(import_postings, taxonomy):
    import_postings({"id": "1", "title": "Engineer", "text": "Ansible and Python.", "date": "2026-01-01"})
    assert set(found(JobPosting.objects.get())) == {"python"}
    SkillFactory(label="Ansible", slug="ansible")  # a taxonomy import adds a skill
    taxonomy["python"].delete()
    report = postings_reextract(actor=SYSTEM)
    assert (report.postings, report.changed, report.added, report.removed) == (1, 1, 1, 0)
    assert set(found(JobPosting.objects.get())) == {"ansible"}
    again = postings_reextract(actor=SYSTEM)
    assert (again.changed, again.added, again.removed, again.updated) == (0, 0, 0, 0)


def test_a_posting_needs_a_source(taxonomy):
    records = read_postings(jsonl({"title": "Developer", "date": "2026-01-01"}), format="jsonl", file="f.jsonl")
    with pytest.raises(PostingsFileInvalid, match=r"f\.jsonl, line 1: no source"):
        postings_import(actor=SYSTEM, records=records, source=" ")
