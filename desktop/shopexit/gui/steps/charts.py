"""QtCharts in the app's look: bars by month, lines for shares, horizontal bars for products.

Amounts arrive as integer minor units and are turned into plain numbers only here, for drawing: an axis needs
a number, and no figure is ever computed from a chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from shopexit.core.money import from_minor
from shopexit.gui import style

PALETTE = (style.ACCENT, "#94a3b8", style.WARN, style.BAD, "#6366f1")
MAX_MONTHS = 24


def major(minor: int, currency: str) -> float:
    """For drawing only (see the module docstring)."""
    return float(from_minor(minor, currency))


def month_label(month: str) -> str:
    """'2026-05' → 'May 26'."""
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{names[int(month[5:7]) - 1]} {month[2:4]}"


def _value_axis(top: float, label_format: str) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1.0, top))
    axis.setTickCount(5)
    axis.applyNiceNumbers()  # round ticks (0, 250, 500 …) so the labels read cleanly
    axis.setLabelFormat(label_format)
    axis.setLabelsColor(QColor(style.MUTED))
    axis.setGridLineColor(QColor("#eef1f4"))
    return axis


def _category_axis(categories: Sequence[str], rotate: bool) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(list(categories))
    axis.setLabelsColor(QColor(style.MUTED))
    axis.setGridLineVisible(False)
    axis.setTruncateLabels(False)
    if rotate and len(categories) > 12:
        axis.setLabelsAngle(-60)
    return axis


class ChartBox(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None, height: int = 260) -> None:
        chart = QChart()
        chart.setTitle(title)
        font = QFont(parent.font() if parent else QFont())
        font.setBold(True)
        chart.setTitleFont(font)
        chart.setTitleBrush(QColor(style.INK))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        chart.setBackgroundBrush(QColor(style.CARD))
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.legend().setLabelColor(QColor(style.MUTED))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(title)
        self.setStyleSheet(f"background: {style.CARD}; border: 1px solid {style.LINE}; border-radius: 8px;")

    def reset(self) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        return chart

    def _axes(self, chart: QChart, categories: Sequence[str], top: float, label_format: str,
              horizontal: bool = False) -> tuple[QBarCategoryAxis, QValueAxis]:
        cat = _category_axis(categories, rotate=not horizontal)
        val = _value_axis(top, label_format)
        chart.addAxis(cat, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(val, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
        return cat, val

    def bars(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
             label_format: str = "%.0f", legend: bool = True) -> None:
        chart = self.reset()
        bars = QBarSeries()
        top = 0.0
        for index, (name, values) in enumerate(series):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[index % len(PALETTE)]))
            bar_set.setBorderColor(QColor(PALETTE[index % len(PALETTE)]))
            bar_set.append([float(v) for v in values])
            top = max(top, *(float(v) for v in values), 0.0)
            bars.append(bar_set)
        bars.setBarWidth(0.75)
        chart.addSeries(bars)
        cat, val = self._axes(chart, categories, top, label_format)
        bars.attachAxis(cat)
        bars.attachAxis(val)
        chart.legend().setVisible(legend and len(series) > 1)

    def lines(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              label_format: str = "%.0f%%") -> None:
        chart = self.reset()
        top = 0.0
        made: list[QLineSeries] = []
        for index, (name, values) in enumerate(series):
            line = QLineSeries()
            line.setName(name)
            pen = line.pen()
            pen.setColor(QColor(PALETTE[index % len(PALETTE)]))
            pen.setWidthF(2.5)
            line.setPen(pen)
            line.setPointsVisible(True)
            for x, v in enumerate(values):
                line.append(x, float(v))
                top = max(top, float(v))
            chart.addSeries(line)
            made.append(line)
        cat = _category_axis(categories, rotate=True)
        val = _value_axis(top, label_format)
        chart.addAxis(cat, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(val, Qt.AlignmentFlag.AlignLeft)
        for line in made:
            line.attachAxis(cat)
            line.attachAxis(val)
        chart.legend().setVisible(len(series) > 1)

    def horizontal(self, labels: Sequence[str], values: Sequence[float], name: str,
                   label_format: str = "%.0f") -> None:
        chart = self.reset()
        bars = QHorizontalBarSeries()
        bar_set = QBarSet(name)
        bar_set.setColor(QColor(style.ACCENT))
        bar_set.setBorderColor(QColor(style.ACCENT))
        # Qt draws the first category at the bottom; reverse so the best seller reads first.
        bar_set.append([float(v) for v in reversed(values)])
        bars.append(bar_set)
        bars.setBarWidth(0.7)
        chart.addSeries(bars)
        short = [label if len(label) <= 28 else label[:27] + "…" for label in reversed(labels)]
        cat, val = self._axes(chart, short, max([float(v) for v in values], default=0.0), label_format,
                              horizontal=True)
        bars.attachAxis(cat)
        bars.attachAxis(val)
        chart.legend().setVisible(False)
