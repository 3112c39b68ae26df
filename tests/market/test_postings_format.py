"""The posting-file parser (Django-free): the three layouts, normalised regions, and each error
naming its file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from microcred.market.postings_format import (
    PostingFormatError,
    guess_format,
    normalise_region,
    read_postings,
    read_postings_file,
)

CSV = """title,text,location,industry,date,id,region
Python developer,"Python, Django
and PostgreSQL",Berlin,Software,2026-01-05,a1,
Roofer,Working at height,"Delft, Netherlands",Energy,2026-02-01T09:00:00Z,a2,nl32
"""


def test_csv_rows_become_records_with_their_line():
    first, second = read_postings(CSV.splitlines(keepends=True), format="csv", file="jobs.csv")
    assert (first.title, first.text, first.external_id, first.line) == (
        "Python developer",
        "Python, Django\nand PostgreSQL",
        "a1",
        2,
    )
    assert (first.region, first.posted_on) == ("", date(2026, 1, 5))
    # The quoted text spans two lines: the next record starts on line 4.
    assert (second.line, second.region, second.posted_on) == (4, "NL32", date(2026, 2, 1))


def test_a_json_list_gives_each_object_its_line():
    text = '[\n  {"title": "A", "date": "2026-01-01"},\n\n  {"title": "B", "description": "x",\n   "posted_on": "2026-01-02"}\n]\n'
    records = list(read_postings(text.splitlines(keepends=True), format="json", file="jobs.json"))
    assert [(r.title, r.text, r.line) for r in records] == [("A", "", 2), ("B", "x", 4)]


def test_json_lines_and_a_json_file_that_is_not_a_list():
    lines = ['{"title": "A", "date": "2026-01-01", "id": 17}\n', "\n", '{"title": "B", "date": "2026-01-02"}\n']
    for layout in ("jsonl", "json"):
        records = list(read_postings(lines, format=layout, file="jobs"))
        assert [(r.title, r.external_id, r.line) for r in records] == [("A", "17", 1), ("B", "", 3)]


@pytest.mark.parametrize(
    ("lines", "layout", "message"),
    [
        (['{"title": "A", "date": "2026-01-01"}\n', '{"date": "2026-01-01"}\n'], "jsonl", "jobs, line 2: no title"),
        (['{"title": "A", "date": "2026-13-01"}\n'], "jsonl", "jobs, line 1: date '2026-13-01' is not a date"),
        (['{"title": "A"}\n'], "jsonl", "jobs, line 1: no date (YYYY-MM-DD)"),
        (['{"title": "A", "date": "2026-01-01"}\n', "{oops\n"], "jsonl", "jobs, line 2: not valid JSON"),
        (['["A"]\n'], "jsonl", "jobs, line 1: a posting must be an object, not list"),
        (['{"title": ["A"], "date": "2026-01-01"}\n'], "jsonl", "jobs, line 1: title must be text, not list"),
        (['{"title": "' + "x" * 301 + '", "date": "2026-01-01"}\n'], "jsonl", "jobs, line 1: title is longer than 300"),
        (["title,text\n", "A,b\n"], "csv", "jobs, line 1: the header has no date column"),
        (["title,date\n", "A,2026-01-01\n", "B,2026-01-01,extra\n"], "csv", "jobs, line 3: 3 values for 2 columns"),
        (
            ["[\n", '{"title": "A", "date": "2026-01-01"}\n', '{"title": "B"}\n', "]\n"],
            "json",
            "jobs, line 3: expected , or ]",
        ),
        (
            ["[\n", '{"title": "A", "date": "2026-01-01"},\n', '{"title": "B", "date": "x"}\n', "]\n"],
            "json",
            "jobs, line 3: date 'x'",
        ),
        (["[\n", '{"title": "A", "date": "2026-01-01"}\n'], "json", "jobs, line 3: the list is not closed"),
    ],
)
def test_errors_name_the_file_and_line(lines, layout, message):
    with pytest.raises(PostingFormatError) as caught:
        list(read_postings(lines, format=layout, file="jobs"))
    assert str(caught.value).startswith(message)


def test_records_before_a_bad_one_are_handed_out_first():
    lines = ['{"title": "A", "date": "2026-01-01"}\n', '{"title": "", "date": "2026-01-01"}\n']
    records = read_postings(lines, format="jsonl", file="jobs")
    assert next(records).title == "A"
    with pytest.raises(PostingFormatError, match="line 2: no title"):
        next(records)


@pytest.mark.parametrize(
    ("region", "location", "expected"),
    [
        ("de", "", "DE"),
        ("nl32", "", "NL32"),
        ("Germany", "", "DE"),
        ("Île-de-France", "", "Île-de-France"),
        ("", "Delft, Netherlands", "NL"),
        ("", "Lyon, FR", "FR"),
        ("", "Lyon", ""),
        ("", "Somewhere, Atlantis", ""),
        ("  Greater   Manchester ", "", "Greater Manchester"),
    ],
)
def test_regions_are_normalised(region, location, expected):
    assert normalise_region(region, location) == expected


def test_content_hash_ignores_the_id_and_the_place_in_the_file():
    a, b = read_postings(
        ['{"title": "A", "date": "2026-01-01", "id": "1"}\n', '{"title": "A", "date": "2026-01-01", "id": "2"}\n'],
        format="jsonl",
        file="jobs",
    )
    assert a.content_hash == b.content_hash
    assert (a.key, b.key) == ("1", "2")


def test_files_by_name(tmp_path: Path):
    assert [guess_format(Path(n)) for n in ("a.csv", "a.JSONL", "a.ndjson", "a.json")] == [
        "csv",
        "jsonl",
        "jsonl",
        "json",
    ]
    with pytest.raises(PostingFormatError, match="cannot tell the format"):
        guess_format(Path("a.txt"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,date\nCaf\xe9,2026-01-01\n".encode("latin-1"))
    with pytest.raises(PostingFormatError, match=r"latin\.csv: not UTF-8 text"):
        list(read_postings_file(latin))
    bom = tmp_path / "bom.csv"
    bom.write_text("\ufefftitle,date\nCafé,2026-01-01\n", encoding="utf-8")
    assert [r.title for r in read_postings_file(bom)] == ["Café"]
