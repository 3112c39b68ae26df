"""The pure cores behind the project statistics, without a database: ``projects.gradestats`` (the
figures, worked out by hand here) and the kit's chart geometry, ``web.charts``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from microcred.assessment.itemstats import Bin
from microcred.projects import gradestats
from microcred.projects.gradestats import GradedWork, GradingEvent
from microcred.projects.rubrics import rubric_from_spec
from microcred.web import charts

from .conftest import RUBRIC

# A Wednesday, 10:00 UTC: its week began on Monday 30 November.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_score_summary():
    works = [
        GradedWork(score=100.0, passed=True, levels={}, source="instructor"),
        GradedWork(score=45.5, passed=False, levels={}, source="instructor"),
        GradedWork(score=50.0, passed=True, levels={}, source="peer"),
        GradedWork(score=0.0, passed=False, levels={}, source="mentor"),
    ]
    summary = gradestats.score_summary(works)
    assert (summary.graded, summary.passed, summary.pass_rate) == (4, 2, 50.0)
    assert summary.mean == pytest.approx(48.875) and summary.median == pytest.approx(47.75)
    assert [b.count for b in summary.histogram] == [1, 0, 0, 0, 1, 1, 0, 0, 0, 1]  # 100 % in the last band
    empty = gradestats.score_summary([])
    assert (empty.graded, empty.pass_rate, empty.mean, empty.median) == (0, None, None, None)


def test_criterion_levels_count_rubric_levels_and_place_peer_points():
    rubric = rubric_from_spec(RUBRIC)
    works = [
        GradedWork(100.0, True, {"Analysis": "Thorough", "Clarity": "Clear"}, "instructor"),
        GradedWork(33.3, False, {"Analysis": "Missing", "Clarity": "Clear"}, "instructor"),
        GradedWork(83.3, True, {"Analysis": "3", "Clarity": "2"}, "peer"),  # 3: between Partial and Thorough
        GradedWork(66.7, True, {"Analysis": "2.00", "Clarity": "2"}, "peer"),  # exactly Partial
        GradedWork(100.0, True, {}, "mentor"),  # a confirmation: no levels
        GradedWork(50.0, True, {"Analysis": "Renamed", "Clarity": "Clear"}, "instructor"),  # a level gone since
    ]
    analysis, clarity = gradestats.criterion_levels(rubric, works)
    assert analysis.counts == (("Missing", 1), ("Partial", 1), ("Thorough", 1)) and analysis.between == 1
    assert analysis.counted == 4 and analysis.mean_points == pytest.approx((4 + 0 + 3 + 2) / 4)
    assert analysis.max_points == 4.0
    assert clarity.counts == (("Unclear", 0), ("Clear", 5)) and clarity.between == 0 and clarity.mean_points == 2.0


def test_review_figures():
    figures = gradestats.review_figures(
        statuses=[("done", True), ("done", True), ("assigned", True), ("assigned", False), ("dropped", True)],
        scores_by_submission={1: [100.0, 60.0, 80.0], 2: [50.0, 50.0], 3: [70.0]},
        quality=[80.0, None, 90.0],
        accuracy=[],
    )
    assert (figures.given, figures.done, figures.open, figures.overdue, figures.dropped) == (4, 2, 2, 1, 1)
    # Submission 1 spreads 40 points, submission 2 none; submission 3 has one review: no spread.
    assert (figures.spread_submissions, figures.spread_mean, figures.spread_max) == (2, 20.0, 40.0)
    assert figures.quality_mean == 85.0 and figures.accuracy_mean is None


def test_regrade_figures():
    figures = gradestats.regrade_figures(["open", "upheld", "upheld", "changed"])
    assert (figures.requested, figures.open, figures.decided) == (4, 1, 3)
    assert figures.upheld_share == pytest.approx(200 / 3)
    assert gradestats.regrade_figures(["open"]).upheld_share is None


@pytest.mark.parametrize(
    ("ago", "band"),
    [
        (timedelta(0), 0),
        (timedelta(hours=23, minutes=59), 0),
        (timedelta(days=1), 1),
        (timedelta(days=2, hours=23), 1),
        (timedelta(days=3), 2),
        (timedelta(days=6, hours=23), 2),
        (timedelta(days=7), 3),
        (timedelta(days=400), 3),
        (timedelta(hours=-1), 0),  # a clock a little ahead: not a negative band
    ],
)
def test_age_bands_hold_their_lower_bound(ago, band):
    assert gradestats.age_band(NOW, NOW - ago) == band


def test_age_counts():
    moments = [NOW - timedelta(hours=2), NOW - timedelta(days=2), NOW - timedelta(days=2.5), NOW - timedelta(days=9)]
    assert gradestats.age_counts(NOW, moments) == (1, 2, 0, 1)


def test_weeks_start_on_monday_in_nows_time_zone():
    assert gradestats.week_starts(NOW, 3) == (date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30))
    assert gradestats.window_start(NOW, 3) == datetime(2026, 11, 16, tzinfo=UTC)
    # 00:30 on Monday 7 December in UTC+2 is still Sunday in UTC: the week is the local one.
    local = datetime(2026, 12, 7, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert gradestats.week_starts(local, 1) == (date(2026, 12, 7),)


def test_grading_pace():
    events = [
        GradingEvent(NOW - timedelta(days=3), NOW - timedelta(days=1)),  # 48 h, this week (Mon 30 Nov)
        GradingEvent(NOW - timedelta(days=4), NOW - timedelta(days=3)),  # 24 h, Sun 29 Nov: last week
        GradingEvent(NOW - timedelta(days=11), NOW - timedelta(days=8, hours=18)),  # 54 h, Mon 23 Nov 16:00
        GradingEvent(NOW - timedelta(days=30), NOW - timedelta(hours=1), changed_on_regrade=True),  # counted, not timed
        GradingEvent(NOW - timedelta(days=40), NOW - timedelta(days=20)),  # Thu 12 Nov: before the window
    ]
    pace = gradestats.grading_pace(NOW, events, weeks=3)
    assert pace.weeks == ((date(2026, 11, 16), 0), (date(2026, 11, 23), 2), (date(2026, 11, 30), 2))
    assert (pace.median_hours, pace.timed) == (48.0, 3)
    assert gradestats.grading_pace(NOW, [], weeks=2) == gradestats.GradingPace(
        weeks=((date(2026, 11, 23), 0), (date(2026, 11, 30), 0)), median_hours=None, timed=0
    )


# -- The kit's chart geometry ----------------------------------------------------------------------


def test_histogram_chart_scales_columns_to_the_largest_band():
    chart = charts.histogram_chart([Bin(0, 50, 1), Bin(50, 100, 4)])
    assert (chart.width, chart.height, chart.bottom, chart.max_count) == (640, 256, 216, 4)
    low, high = chart.bars
    assert (low.label, low.count, low.height, low.y) == ("0–50", 1, 50.0, 166.0)
    assert (high.label, high.height, high.y) == ("50–100", 200.0, 16.0)
    # The plot is 592 wide (640 less 40 and 8): two columns of 296, 2 px apart from their neighbours.
    assert (low.x, low.width, high.x, low.label_x) == (42.0, 292.0, 338.0, 188.0)


def test_an_empty_column_chart_keeps_its_axis():
    chart = charts.column_chart([("a", 0), ("b", 0)])
    assert chart.max_count == 1 and [bar.height for bar in chart.bars] == [0.0, 0.0]


def test_bar_chart():
    chart = charts.bar_chart([("Capstone", 3), ("Essay", 1.5)], label_width=200)
    assert (chart.plot_width, chart.max_value, chart.height) == (392, 3, 16 + 2 * 28)
    first, second = chart.bars
    assert (first.width, first.text, first.y) == (392.0, "3", 8)
    assert (second.width, second.text, second.y) == (196.0, "1.5", 36)


def test_stacked_bar_chart_splits_each_row_and_colours_ordinal_parts_light_to_dark():
    chart = charts.stacked_bar_chart(
        [
            ("Analysis", [("Missing", 1), ("Partial", 0), ("Thorough", 2), ("between levels", 1)]),
            ("Clarity", [("Unclear", 0), ("Clear", 0)]),
        ],
        ordinal=True,
        other="between levels",
        label_width=160,
    )
    assert chart.plot_width == 472
    analysis, clarity = chart.rows
    assert analysis.total == 4 and [s.name for s in analysis.segments] == ["Missing", "Thorough", "between levels"]
    missing, thorough, between = analysis.segments
    assert (missing.x, missing.width) == (160.0, 118.0)
    assert (thorough.x, thorough.width) == (278.0, 236.0)  # Partial's empty part takes no room
    assert (between.x, between.width) == (514.0, 118.0)
    # Three levels spread over six colours: the lowest lightest, the highest darkest; the rest apart.
    assert [s.css_class for s in analysis.segments] == ["chart-series-0", "chart-series-5", "chart-series-other"]
    assert clarity.total == 0 and clarity.segments == []


def test_stacked_bar_chart_by_position():
    chart = charts.stacked_bar_chart([("x", [("a", 1), ("b", 1)] * 4)])
    assert [s.css_class for s in chart.rows[0].segments][-3:] == ["chart-series-5", "chart-series-0", "chart-series-1"]
