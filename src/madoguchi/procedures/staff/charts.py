"""Server-rendered bar charts (SVG) for the 電子申請 console screens, as in
`payments.staff.charts`: no script and no inline style (the Content-Security-Policy stays
strict); the template puts each chart in a `<figure>` with the same numbers as a table,
which is what screen readers and printouts use. Values may be fractional (days)."""

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


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    data: list[tuple[str, float]],
    *,
    title: str,
    value_label: Callable[[float], str] = _plain,
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 220,
) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value; a value of
    zero has no bar but keeps its number."""
    plot_width = width - label_width - 110
    largest = max((value for _label, value in data), default=0)
    gap = 8
    bars = []
    for index, (label, value) in enumerate(data):
        y = 10 + index * (bar_height + gap)
        length = round(plot_width * value / largest) if largest > 0 and value > 0 else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                value_label=value_label(value),
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
