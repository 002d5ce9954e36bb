from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from debtordesk.ui.app import make_app
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.widgets.charts import (
    StackedBarChart,
    TrendChart,
    WeeklyBarChart,
    axis_money,
    bucket_colors,
    nice_ticks,
    render_image,
    render_png,
)

LABELS = ["Current", "1-30", "31-60", "61-90", "91+"]
SIZE = (600, 320)


@pytest.fixture(autouse=True)
def app(qapp):
    return make_app()


def close(a: QColor, b: QColor, tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def run_of(image: QImage, y: int, colors: list[QColor]) -> list[int]:
    """The x positions on line y painted in one of `colors`."""
    return [x for x in range(image.width()) if any(close(image.pixelColor(x, y), c) for c in colors)]


def centre(r) -> QPoint:
    return QPointF(r.center()).toPoint()


def stacked(qtbot, bars, size=SIZE) -> tuple[StackedBarChart, QImage]:
    chart = StackedBarChart()
    qtbot.addWidget(chart)
    chart.set_data("Aged receivables", LABELS, bars)
    return chart, render_image(chart, size)


def test_stacked_bars_paint_each_bucket_where_it_belongs(qtbot):
    chart, image = stacked(qtbot, [("Alder & Co", "GBP", [20000, 10000, 0, 0, 10000]),
                                   ("Birch Ltd", "GBP", [0, 20000, 0, 0, 0])])
    assert (image.width(), image.height()) == SIZE
    colors = bucket_colors(5)
    _, headings, rows = chart.layout_rows()
    assert headings == []  # one currency: no currency headings
    alder, birch = rows
    assert [b for b, _ in alder.segments] == [0, 1, 4]
    for b, r in alder.segments:  # each segment's colour in the middle of its rectangle
        assert close(image.pixelColor(centre(r)), colors[b]), b
    y = round(alder.bar.center().y())
    painted = run_of(image, y, colors)
    assert abs(painted[0] - alder.bar.left()) <= 1 and abs(painted[-1] - alder.bar.right()) <= 2
    # the current part is half of the bar: it ends half-way along
    assert abs(alder.segments[0][1].right() - (alder.bar.left() + alder.bar.width() / 2)) < 1
    # Birch owes half as much: about half as many pixels wide
    birch_px = len(run_of(image, round(birch.bar.center().y()), colors))
    assert birch_px == pytest.approx(len(painted) / 2, abs=3)
    assert close(image.pixelColor(centre(birch.segments[0][1])), colors[1])
    assert alder.value == "£400.00" and alder.value_rect.left() > alder.bar.right()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform, showing the tooltip
def test_tooltip_names_the_customer_the_bucket_and_the_amount(qtbot):
    chart, _ = stacked(qtbot, [("Alder & Co", "GBP", [0, 0, 120000, 30000, 0])])
    row = chart.layout_rows()[2][0]
    inside = centre(row.segments[0][1])
    assert chart.segment_at(inside) == (0, 2)
    assert chart.tooltip_at(inside) == "Alder & Co — 31-60 days: £1,200.00"
    assert chart.segment_at(centre(row.segments[1][1])) == (0, 3)
    assert chart.tooltip_at(centre(row.name_rect)) == "Alder & Co: £1,500.00 in all"
    assert chart.segment_at(QPoint(2, 2)) is None and chart.tooltip_at(QPoint(2, 2)) is None
    chart.show()
    qtbot.waitExposed(chart)
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, inside, chart.mapToGlobal(inside)))
    assert QToolTip.isVisible() and QToolTip.text() == "Alder & Co — 31-60 days: £1,200.00"
    QToolTip.hideText()
    chart2, _ = stacked(qtbot, [("Birch Ltd", "GBP", [5000, 0, 0, 0, 0])])
    seg = chart2.layout_rows()[2][0].segments[0][1]
    assert chart2.tooltip_at(centre(seg)) == "Birch Ltd — Current: £50.00"


def test_double_click_and_enter_open_a_bar(qtbot):
    chart, _ = stacked(qtbot, [("Alder & Co", "GBP", [100, 0, 0, 0, 0]), ("Birch Ltd", "GBP", [0, 50, 0, 0, 0])])
    chart.show()
    qtbot.waitExposed(chart)
    birch = chart.layout_rows()[2][1]
    with qtbot.waitSignal(chart.bar_activated) as signal:
        qtbot.mouseDClick(chart, Qt.MouseButton.LeftButton, pos=centre(birch.segments[0][1]))
    assert signal.args == [1]
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    with qtbot.waitSignal(chart.bar_activated) as signal:
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert signal.args == [0]


def test_currencies_are_scaled_separately_under_their_own_heading(qtbot):
    chart, image = stacked(qtbot, [("All customers (GBP)", "GBP", [1_000_000, 0, 0, 0, 0]),
                                   ("All customers (EUR)", "EUR", [0, 0, 0, 0, 500]),
                                   ("Ceder BV", "EUR", [0, 0, 0, 0, 250]),
                                   ("Alder & Co", "GBP", [0, 0, 0, 0, 500_000])])
    _, headings, rows = chart.layout_rows()
    assert [text for _, text in headings] == ["GBP", "EUR"]
    assert [r.index for r in rows] == [0, 3, 1, 2]  # grouped by currency, in the order they came
    gbp_total, alder, eur_total, ceder = rows
    assert eur_total.bar.width() == pytest.approx(gbp_total.bar.width())  # each the largest of its currency
    assert alder.bar.width() == pytest.approx(gbp_total.bar.width() / 2)
    assert ceder.bar.width() == pytest.approx(eur_total.bar.width() / 2)
    assert headings[1][0].bottom() <= eur_total.line.top()  # the heading sits above its bars
    assert close(image.pixelColor(centre(eur_total.bar)), bucket_colors(5)[4])
    assert eur_total.value == "€5.00"


def test_empty_charts_say_so(qtbot):
    chart, image = stacked(qtbot, [])
    assert chart.is_empty()
    assert "Nothing is owed." in chart.accessibleDescription()
    assert chart.accessibleName() == "Aged receivables"
    background = chart.palette().color(QPalette.ColorRole.Window)
    middle = [image.pixelColor(x, image.height() // 2 + 10) for x in range(image.width())]
    assert any(not close(c, background, 20) for c in middle)  # the words are painted
    week = WeeklyBarChart()
    qtbot.addWidget(week)
    week.set_data("Cash expected", "GBP", [])
    render_image(week, (300, 160))
    assert week.is_empty() and "No data yet." in week.accessibleDescription()
    trend = TrendChart()
    qtbot.addWidget(trend)
    trend.set_data("DSO", [(date(2026, 10, 31), None)], "days")
    render_image(trend, (300, 160))
    assert trend.is_empty()
    trend.set_data("DSO", [], "days")
    assert "No data yet." in trend.accessibleDescription()


def test_weekly_bars_put_the_overdue_part_under_the_rest(qtbot):
    chart = WeeklyBarChart()
    qtbot.addWidget(chart)
    start = date(2026, 11, 23)
    chart.set_data("Cash expected in the next 13 weeks", "GBP",
                   [(start + timedelta(weeks=i), amount, 1_500_000 if i == 0 else 0)
                    for i, amount in enumerate([2_400_000, 1_200_000] + [300_000] * 11)])
    image = render_image(chart, (640, 300))
    _, plot, bars, xlabels = chart.layout_bars()
    assert plot.labels == ["£0", "£10,000", "£20,000", "£30,000"]
    assert xlabels[0][1] == "23 Nov"
    first, overdue, rest, _ = bars[0]
    assert close(image.pixelColor(centre(overdue)), OVERDUE_COLOR)
    assert close(image.pixelColor(centre(rest)), chart.palette().color(QPalette.ColorRole.Highlight))
    assert overdue.bottom() == pytest.approx(plot.rect.bottom()) and rest.bottom() == pytest.approx(overdue.top())
    assert (rest.height() + overdue.height()) == pytest.approx(2 * (bars[1][1].height() + bars[1][2].height()))
    assert chart.segment_at(centre(overdue)) == (0, 0) and chart.segment_at(centre(rest)) == (0, 1)
    assert chart.tooltip_at(centre(rest)) == ("Week of 23 Nov 2026: £24,000.00 expected, "
                                              "of which £15,000.00 already overdue")
    assert chart.tooltip_at(centre(bars[1][2])) == "Week of 30 Nov 2026: £12,000.00 expected"


def test_trend_line_breaks_where_a_month_has_no_figure(qtbot):
    chart = TrendChart()
    qtbot.addWidget(chart)
    points = [(date(2026, 1, 31), Decimal("40")), (date(2026, 2, 28), Decimal("50")), (date(2026, 3, 31), None),
              (date(2026, 4, 30), Decimal("45.25")), (date(2026, 5, 31), Decimal("30"))]
    chart.set_data("DSO, last 12 months", points, "days")
    image = render_image(chart, (400, 200))
    plot, centres, xlabels = chart.layout_points()
    assert plot.labels == ["0 days", "20 days", "40 days", "60 days"]
    assert xlabels[0][1] == "Jan 2026"
    accent = chart.palette().color(QPalette.ColorRole.Highlight)

    def midpoint(a, b):
        return ((centres[a][1] + centres[b][1]) / 2).toPoint()

    assert close(image.pixelColor(midpoint(0, 1)), accent, 40)  # joined
    assert not close(image.pixelColor(midpoint(1, 3)), accent, 60)  # a gap for March
    assert centres[2][1] is None
    assert chart.point_at(centres[1][1].toPoint()) == 1
    assert chart.tooltip_at(centres[3][1].toPoint()) == "April 2026: 45.2 days"
    middle_of_march = QPoint(round(plot.rect.left() + 2.5 * plot.rect.width() / 5), round(plot.rect.center().y()))
    assert chart.tooltip_at(middle_of_march) == "March 2026: no figure"
    chart.set_data("Overdue share", [(date(2026, 1, 31), Decimal("23.44"))], "%")
    render_image(chart, (300, 150))
    assert chart.value_text(Decimal("23.44")) == "23.4%"
    assert chart.layout_points()[0].labels == ["0%", "10%", "20%", "30%"]


def test_charts_follow_a_dark_palette(qtbot):
    chart, _ = stacked(qtbot, [("Alder & Co", "GBP", [100, 0, 0, 0, 0])])
    palette = QPalette(chart.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    chart.setPalette(palette)
    image = render_image(chart, SIZE)
    assert close(image.pixelColor(SIZE[0] - 3, SIZE[1] - 3), QColor("#202124"))
    title = [image.pixelColor(x, y) for x in range(8, 120) for y in range(8, 24)]
    assert max(c.lightness() for c in title) > 200  # light text on the dark background


def test_render_png_writes_a_picture_of_the_requested_size(qtbot, tmp_path):
    chart = WeeklyBarChart()
    qtbot.addWidget(chart)
    chart.set_data("Cash expected", "EUR", [(date(2026, 11, 23), 12345, 0)])
    path = render_png(chart, tmp_path / "weekly.png", (320, 200))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loaded = QImage(str(path))
    assert (loaded.width(), loaded.height()) == (320, 200)


def test_sizes_ticks_and_colours():
    for chart in (StackedBarChart(), WeeklyBarChart(), TrendChart()):
        hint, least = chart.sizeHint(), chart.minimumSizeHint()
        assert 0 < least.width() <= hint.width() and 0 < least.height() <= hint.height()
        chart.deleteLater()
    assert nice_ticks(23_456, whole=True) == [0, 10_000, 20_000, 30_000]
    assert nice_ticks(100) == [0, 25, 50, 75, 100]
    assert nice_ticks(7, whole=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0, 0.25, 0.5, 0.75, 1]
    assert axis_money(500_000, "GBP") == "£5,000" and axis_money(250, "GBP") == "£2.50"
    colors = bucket_colors(5)
    assert colors[0].green() > colors[0].red() and colors[-1].red() > colors[-1].green()  # green to red
    assert len(bucket_colors(8)) == 8 and bucket_colors(8)[0] == colors[0]
