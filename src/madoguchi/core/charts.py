"""Server-rendered bar charts (SVG) for the console screens of every module: no script
and no inline style, so the Content-Security-Policy stays strict. The template
`core/includes/bar_chart.html` draws a chart; the screen puts it in a `<figure>` with
the same numbers as a table, which is what screen readers and printouts use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_label: str
    y: int
    width: int
    label_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int

    @property
    def label_x(self) -> int:
        return self.label_width - 8


def plain_number(value: float) -> str:
    """1,234 for whole numbers, 1,234.5 otherwise."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    data: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    value_label: Callable[[float], str] | None = None,
    width: int = 640,
    bar_height: int = 22,
    gap: int = 8,
    label_width: int = 220,
    value_room: int = 110,
) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value. A value of
    zero or less (more reversed than collected) has no bar but keeps its number, written
    by `value_label` or as the number followed by `unit`."""
    describe = value_label or (lambda value: f"{plain_number(value)}{unit}")
    plot_width = width - label_width - value_room
    largest = max((value for _label, value in data), default=0)
    bars = []
    for index, (label, value) in enumerate(data):
        y = 10 + index * (bar_height + gap)
        length = round(plot_width * value / largest) if largest > 0 and value > 0 else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                value_label=describe(value),
                y=y,
                width=max(length, 1 if value > 0 else 0),
                label_y=y + bar_height // 2 + 5,
            )
        )
    return BarChart(
        title=title,
        bars=bars,
        width=width,
        height=20 + len(data) * (bar_height + gap),
        label_width=label_width,
        bar_height=bar_height,
        plot_width=plot_width,
    )
