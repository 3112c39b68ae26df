"""The Django-free matcher (``microcred.skills.matching``): phrases and documents against a small
taxonomy written here, so each rule shows on its own."""

from __future__ import annotations

import pytest

from microcred.skills.matching import Reason, SkillEntry, SkillIndex, normalise
from microcred.skills.matching.text import content_words, scan, spans

SKILLS = [
    SkillEntry("esco:python", "Python (computer programming)", ("Python",), "knowledge"),
    SkillEntry("esco:sql", "SQL", ("Structured Query Language",), "knowledge"),
    SkillEntry("esco:k8s", "Kubernetes", (), "knowledge"),
    SkillEntry("esco:spreadsheets", "use spreadsheets software", ("pivot tables", "Excel"), "skill"),
    SkillEntry("esco:data-analysis", "data analysis", ("analyse data",), "skill"),
    SkillEntry("esco:project-management", "project management", (), "skill"),
    SkillEntry("esco:project-management-software", "project management software", (), "knowledge"),
    SkillEntry("esco:cpp", "C++", (), "knowledge"),
    SkillEntry("esco:csharp", "C#", (), "knowledge"),
    SkillEntry("esco:web-apps", "web application development", (), "skill"),
]


@pytest.fixture(scope="module")
def index():
    return SkillIndex.build(SKILLS)


def test_normalising_folds_case_accents_plurals_hyphens_and_stop_words():
    assert normalise("Pivot-Tables") == normalise("pivot tables") == "pivot table"
    assert normalise("Analysis of the Data") == "analysi data"
    assert normalise("Libraries") == "library" and normalise("Résumés") == normalise("resume")
    # Short words and technology names keep their letters.
    assert content_words("AWS, iOS, C++ and C# on Node.js") == ["aws", "ios", "c++", "c#", "node.js"]


def test_a_document_scan_marks_phrase_boundaries_and_maps_back_to_characters():
    text = "Python, SQL. The data"
    words, positions = scan(text)
    assert words == ["python", "", "sql", "", "data"]
    where = spans(text)
    assert [text[slice(*where[at])] for at in positions] == ["Python", ",", "SQL", ".", "data"]


def test_an_exact_label_scores_100(index):
    [top, *_] = index.match("SQL")
    assert (top.skill_id, top.score, top.reason) == ("esco:sql", 100.0, Reason.EXACT_LABEL)
    assert index.match("kubernetes")[0].reason == Reason.EXACT_LABEL


def test_an_alternative_label_names_its_skill(index):
    [top, *_] = index.match("Pivot tables")
    assert top.skill_id == "esco:spreadsheets"
    assert (top.reason, top.matched_label, top.label) == (Reason.ALT_LABEL, "pivot tables", "use spreadsheets software")


def test_a_typo_matches_fuzzily_below_an_exact_label(index):
    [top, *_] = index.match("Kubernets")
    assert top.skill_id == "esco:k8s" and top.reason == Reason.FUZZY and 80 < top.score < 100


def test_the_same_words_in_another_order_are_a_token_overlap(index):
    [top, *_] = index.match("analysis of data")
    assert (top.skill_id, top.reason) == ("esco:data-analysis", Reason.TOKEN_OVERLAP)


def test_python_programming_finds_python(index):
    candidates = index.match("python programming")
    assert candidates[0].skill_id == "esco:python"


def test_candidates_are_ranked_and_limited(index):
    candidates = index.match("project management", limit=2)
    assert [c.skill_id for c in candidates] == ["esco:project-management", "esco:project-management-software"]
    assert candidates[0].score > candidates[1].score
    assert len(index.match("project management", limit=1)) == 1


def test_no_match_is_an_empty_list(index):
    assert index.match("quarterly team lunch") == []
    assert index.match("") == index.match("the of and") == []
    assert index.extract("We offer a friendly team and free lunch on Fridays.") == []
    assert index.extract("") == []


def test_extraction_finds_each_skill_once_with_its_characters(index):
    posting = (
        "We are looking for a Python developer. You know SQL, kubernets and pivot tables; "
        "analysis of data is daily work. More Python later."
    )
    found = {m.skill_id: m for m in index.extract(posting)}
    assert set(found) == {"esco:python", "esco:sql", "esco:k8s", "esco:spreadsheets", "esco:data-analysis"}
    python = found["esco:python"]
    assert python.count == 2 and python.text == "Python" and posting[python.start : python.end] == "Python"
    assert found["esco:k8s"].reason == Reason.FUZZY and found["esco:k8s"].text == "kubernets"
    assert found["esco:spreadsheets"].reason == Reason.ALT_LABEL
    assert found["esco:data-analysis"].reason == Reason.TOKEN_OVERLAP
    assert found["esco:data-analysis"].text == "analysis of data"


def test_overlapping_finds_keep_the_longest(index):
    found = index.extract("Experience with project management software is required.")
    assert [m.skill_id for m in found] == ["esco:project-management-software"]
    # Three words rotated: "development of web applications".
    rotated = index.extract("You lead the development of web applications.")
    assert [m.skill_id for m in rotated] == ["esco:web-apps"]


def test_a_label_is_not_found_across_a_phrase_boundary(index):
    assert [m.skill_id for m in index.extract("Data. Analysis.")] == []
    assert [m.skill_id for m in index.extract("Project, management.")] == []


def test_technology_names_with_symbols_stay_apart(index):
    assert {m.skill_id for m in index.extract("C++ and C# developers")} == {"esco:cpp", "esco:csharp"}


def test_a_label_shared_by_skills_names_the_one_it_is_preferred_for():
    index = SkillIndex.build(
        [SkillEntry("a", "databases", ("data stores",)), SkillEntry("b", "data stores", ("databases",))]
    )
    assert [m.skill_id for m in index.extract("Know your data stores.")] == ["b"]
    both = SkillIndex.build([SkillEntry("a", "x", ("data stores",)), SkillEntry("b", "y", ("data stores",))])
    assert {m.skill_id for m in both.extract("Know your data stores.")} == {"a", "b"}


def test_a_short_unknown_word_is_never_corrected():
    # "Scla" and "Scalla" are both one letter from "Scala", but a short word one letter off is another word.
    index = SkillIndex.build([SkillEntry("scala", "Scala")])
    assert index.extract("Scla", min_score=85) == []
    assert index.extract("Scalla", min_score=85)[0].reason == Reason.FUZZY
    # Below the default threshold a correction this far is not reported.
    assert index.extract("Scalla") == []


def test_an_index_of_fourteen_thousand_skills_holds_every_label():
    skills = [
        SkillEntry(
            f"s{n}",
            f"operate machine {n} safely",
            tuple(
                f"{verb} machine {n} {noun}"
                for verb, noun in zip(["run", "use", "handle", "work", "drive"], "abcde", strict=True)
            ),
        )
        for n in range(14_000)
    ]
    # How long building takes is the benchmark's business (`python -m bench --only matching`).
    index = SkillIndex.build(skills)
    assert len(index) == 14_000 and index.label_count == 14_000 * 6


def test_an_empty_taxonomy_finds_nothing_and_does_not_fail():
    empty = SkillIndex.build([])
    assert empty.extract("Clean spreadsheets of customer records with Python") == []
    assert empty.match("python programming") == []
