"""The geometry of the server-drawn SVG charts on statistics pages: columns (a histogram, counts per
week), horizontal bars (a count per named thing) and stacked bars (how a total splits). No script
draws them: the Content-Security-Policy allows none inline, and every chart's figures are also in a
table beside it. Python computes the coordinates; the template (``web/partials/chart_*.html``, or a
page's own markup) only writes them out.

Domain-free, like the rest of the kit: callers pass labels and counts, and say what is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

CHART_WIDTH = 640
#: How many series a stacked chart colours apart (``chart-series-0`` … in ``web/css/charts.css``);
#: further series reuse the colours.
SERIES_COLOURS = 6


class Band(Protocol):
    """A histogram band: ``count`` values in ``[lower, upper)``."""

    @property
    def lower(self) -> float: ...

    @property
    def upper(self) -> float: ...

    @property
    def count(self) -> int: ...


@dataclass(frozen=True)
class HistogramBar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label: str
    count: int


@dataclass(frozen=True)
class HistogramChart:
    width: int
    height: int
    left: int
    top: int
    bottom: float
    max_count: int
    bars: list[HistogramBar]


def column_chart(columns: Sequence[tuple[str, int]]) -> HistogramChart:
    """Vertical columns, one per ``(label, count)``, side by side across the width, scaled to the
    largest count (at least 1, so an empty chart keeps its axis)."""
    left, top, right, plot_height = 40, 16, 8, 200
    plot_width = CHART_WIDTH - left - right
    width = plot_width / max(1, len(columns))
    max_count = max([count for _label, count in columns] + [1])
    bars = []
    for i, (label, count) in enumerate(columns):
        height = plot_height * count / max_count
        bars.append(
            HistogramBar(
                x=round(left + i * width + 2, 1),
                y=round(top + plot_height - height, 1),
                width=round(width - 4, 1),
                height=round(height, 1),
                label_x=round(left + (i + 0.5) * width, 1),
                label=label,
                count=count,
            )
        )
    return HistogramChart(
        width=CHART_WIDTH,
        height=top + plot_height + 40,
        left=left,
        top=top,
        bottom=top + plot_height,
        max_count=max_count,
        bars=bars,
    )


def histogram_chart(bins: Sequence[Band]) -> HistogramChart:
    """A column per band, labelled ``lower–upper``."""
    return column_chart([(f"{b.lower:g}–{b.upper:g}", b.count) for b in bins])


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    y: float
    text_y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    max_value: float
    bars: list[Bar]


def bar_chart(rows: Sequence[tuple[str, float]], *, label_width: int = 200, row_height: int = 28) -> BarChart:
    """Horizontal bars, one per ``(label, value)``, scaled to the largest value; the value is written
    after its bar (as an integer when it is one). Labels longer than the label column should be cut
    by the caller (SVG text does not wrap)."""
    plot_width = CHART_WIDTH - label_width - 48
    max_value = max([value for _label, value in rows] + [1])
    bars = [
        Bar(
            label=label,
            value=value,
            text=f"{value:g}",
            y=8 + i * row_height,
            text_y=8 + i * row_height + 13,
            width=round(plot_width * value / max_value, 1),
        )
        for i, (label, value) in enumerate(rows)
    ]
    return BarChart(
        width=CHART_WIDTH,
        height=16 + row_height * len(rows),
        label_width=label_width,
        plot_width=plot_width,
        max_value=max_value,
        bars=bars,
    )


@dataclass(frozen=True)
class Segment:
    series: int
    name: str
    count: int
    x: float
    width: float
    css_class: str


@dataclass(frozen=True)
class StackedRow:
    label: str
    total: int
    y: float
    text_y: float
    segments: list[Segment]


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    rows: list[StackedRow]


def series_class(index: int) -> str:
    return f"chart-series-{index % SERIES_COLOURS}"


OTHER_CLASS = "chart-series-other"


def _ordinal_series(position: int, count: int) -> int:
    """Spread ``count`` ordered parts over the colour scale, the first lightest and the last darkest."""
    return 0 if count < 2 else round(position * (SERIES_COLOURS - 1) / (count - 1))


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    *,
    ordinal: bool = False,
    other: str | None = None,
    label_width: int = 160,
    row_height: int = 32,
) -> StackedChart:
    """One full-width bar per row, split into its ``(name, count)`` parts in proportion (a row with
    no count stays an empty track). Parts are coloured by position, so the same position reads alike
    from row to row; with ``ordinal`` (parts ordered from lowest to highest, as a rubric's levels)
    each row's parts spread from the lightest colour to the darkest, however many it has. A part
    named ``other`` is set apart in grey (and left out of the ordinal scale)."""
    plot_width = CHART_WIDTH - label_width - 8
    out = []
    for i, (label, parts) in enumerate(rows):
        total = sum(count for _name, count in parts)
        ranked = [name for name, _count in parts if name != other]
        x = float(label_width)
        segments = []
        for series, (name, count) in enumerate(parts):
            width = plot_width * count / total if total else 0.0
            if name == other:
                css_class = OTHER_CLASS
            elif ordinal:
                css_class = series_class(_ordinal_series(ranked.index(name), len(ranked)))
            else:
                css_class = series_class(series)
            if count:
                segments.append(Segment(series, name, count, round(x, 1), round(width, 1), css_class))
            x += width
        out.append(StackedRow(label, total, 8 + i * row_height, 8 + i * row_height + 15, segments))
    return StackedChart(
        width=CHART_WIDTH,
        height=16 + row_height * len(rows),
        label_width=label_width,
        plot_width=plot_width,
        rows=out,
    )
