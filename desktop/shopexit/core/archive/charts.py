"""Charts of sales and money by month, drawn with reportlab graphics (vector, so they print sharply).

Amounts are plotted in major units. Converting to float happens here and only here, for drawing coordinates;
every figure a person reads as a number comes from the integer minor units elsewhere.
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from shopexit.core.archive import fonts
from shopexit.core.money import from_minor

MAX_MONTHS = 24
SALES = colors.HexColor("#0f766e")
SETTLED = colors.HexColor("#2563eb")
WITHDRAWN = colors.HexColor("#f59e0b")


def _months(series: dict[str, dict[str, int]]) -> list[str]:
    """Every month from the first with activity to the last (quiet months show as gaps), at most 24."""
    known = sorted(m for values in series.values() for m in values if len(m) == 7 and m[4] == "-")
    if not known:
        return []
    year, month = int(known[-1][:4]), int(known[-1][5:])
    first = known[0]
    out: list[str] = []
    while len(out) < MAX_MONTHS:
        label = f"{year:04d}-{month:02d}"
        out.append(label)
        if label <= first:
            break
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def _label(month: str) -> str:
    # "2026-05" → "May 26": short enough for 24 bars across a page
    names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    try:
        year, mon = month.split("-")
        return f"{names[int(mon) - 1]} {year[2:]}"
    except (ValueError, IndexError):
        return month


def _chart(width: float, height: float, title: str, currency: str, months: list[str],
           rows: list[tuple[str, colors.Color, dict[str, int]]]) -> Drawing:
    fonts.register_fonts()
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.REGULAR  # the renderer's starting font; else Helvetica, never embedded
    drawing.add(String(0, height - 12, title, fontName=fonts.BOLD, fontSize=10,
                       fillColor=colors.HexColor("#1f2933")))
    chart = VerticalBarChart()
    chart.x = 48
    chart.y = 42
    chart.width = width - 60
    chart.height = height - 80
    chart.data = [[float(from_minor(values.get(m, 0), currency)) for m in months] for _, _, values in rows]
    for i, (_, colour, _) in enumerate(rows):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 4
    chart.categoryAxis.categoryNames = [_label(m) for m in months]
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45 if len(months) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(months) > 8 else "n"
    chart.categoryAxis.labels.dy = -2
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = min(0.0, *(v for series in chart.data for v in series))
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e5e7eb")
    chart.valueAxis.visibleGrid = True
    drawing.add(chart)
    legend = Legend()
    legend.x = width - 6
    legend.y = height - 6
    legend.alignment = "right"
    legend.boxAnchor = "ne"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.fontName = fonts.REGULAR
    legend.fontSize = 8
    legend.colorNamePairs = [(colour, f"{name} ({currency})") for name, colour, _ in rows]
    drawing.add(legend)
    return drawing


def monthly_charts(monthly: dict[str, dict[str, dict[str, int]]], width: float) -> list[Drawing]:
    """Two charts per currency that has data: sales by month, and money settled and withdrawn by month."""
    out: list[Drawing] = []
    for currency in sorted(monthly):
        series = monthly[currency]
        sales = series.get("sales", {})
        if sales:
            months = _months({"sales": sales})
            out.append(_chart(width, 210, f"Sales by month ({currency}, orders placed, not cancelled)", currency,
                              months, [("Sales", SALES, sales)]))
        money = {k: v for k, v in series.items() if k in ("settled", "withdrawn") and v}
        if money:
            months = _months(money)
            out.append(_chart(width, 210, f"Money by month ({currency})", currency, months, [
                ("Settled", SETTLED, money.get("settled", {})),
                ("Withdrawn", WITHDRAWN, money.get("withdrawn", {})),
            ]))
    return out
