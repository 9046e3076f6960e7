"""Server-rendered bar charts (SVG) for the console: no script and no inline style, so
the Content-Security-Policy stays strict; the template puts the chart in a `<figure>`
with the same numbers as a table, which is what screen readers and printouts use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
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
    def value_x(self) -> int:
        return self.label_width + 6


def bar_chart(
    data: list[tuple[str, int]], *, title: str, unit: str = "", width: int = 640, bar_height: int = 28
) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value. Negative
    values (more reversed than collected) are drawn as empty bars with their number."""
    label_width = 200
    plot_width = width - label_width - 140
    largest = max((value for _label, value in data), default=0)
    gap = 10
    bars = []
    for index, (label, value) in enumerate(data):
        y = 10 + index * (bar_height + gap)
        length = round(plot_width * value / largest) if largest > 0 and value > 0 else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                value_label=f"{value:,}{unit}",
                y=y,
                width=max(length, 1 if value > 0 else 0),
                label_y=y + bar_height // 2 + 5,
            )
        )
    height = 20 + len(data) * (bar_height + gap)
    return BarChart(
        title=title,
        bars=bars,
        width=width,
        height=height,
        label_width=label_width,
        bar_height=bar_height,
        plot_width=plot_width,
    )
