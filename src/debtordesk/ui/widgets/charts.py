"""Charts drawn with QPainter: aging buckets as stacked bars, cash expected per week, a monthly KPI
trend. They follow the palette (dark mode too), paint the same offscreen, never put two currencies on
one scale, and have `set_data(...)`, hit-testing for tooltips (`segment_at`, `point_at`), an empty
state and an accessible description. `render_png` draws any of them to a PNG without showing it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from debtordesk.domain.money import minor_digits, to_decimal
from debtordesk.ui.formatting import OVERDUE_COLOR, money, user_locale

# green (current) through amber to red (oldest): mid-tone fills that read on light and dark backgrounds
BUCKET_RAMP = ("#2e9e5b", "#8db63c", "#e8ad1c", "#e8782c", "#d63a3a")
PAD = 8.0  # around the chart, in pixels
GAP = 6.0


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """The colour `t` of the way from a to b."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def bucket_colors(n: int) -> list[QColor]:
    """`n` colours from green (current) through amber to red (the oldest bucket)."""
    ramp = [QColor(c) for c in BUCKET_RAMP]
    if n <= 1:
        return ramp[:max(n, 0)]
    spots = [(x, min(int(x), len(ramp) - 2)) for x in (i * (len(ramp) - 1) / (n - 1) for i in range(n))]
    return [_mix(ramp[lo], ramp[lo + 1], x - lo) for x, lo in spots]


def nice_ticks(top: float, whole: bool = False) -> list[float]:
    """0 and up to four evenly spaced round steps (1, 2, 2.5 or 5 × 10ⁿ), the last at or above `top`;
    with `whole` the steps are whole numbers (minor units of money)."""
    top = top if top > 0 else 1
    k = math.floor(math.log10(top / 4)) - 1
    while True:
        for m in (1, 2, 2.5, 5):
            step = m * 10.0**k
            if whole and (step < 1 or step != int(step)):
                continue
            count = math.ceil(top / step - 1e-9)
            if count <= 4:
                return [i * step for i in range(max(count, 1) + 1)]
        k += 1


@cache
def _whole_pattern(locale: str) -> str:
    return re.sub(r"\.0+", "", Locale.parse(locale).currency_formats["standard"].pattern)


def axis_money(minor: int, currency: str) -> str:
    """Money for an axis: '£5,000' when there are no pence to show, else as `money` has it."""
    if minor % 10 ** minor_digits(currency):
        return money(minor, currency)
    loc = user_locale()
    return format_currency(to_decimal(minor, currency), currency, format=_whole_pattern(loc), locale=loc,
                           currency_digits=False)


def _fill_rounded(p: QPainter, outline: QRectF, parts: Sequence[tuple[QRectF, QColor]]) -> None:
    """Fill each part's rectangle with its colour, cut to the rounded outline."""
    shape = QPainterPath()
    shape.addRoundedRect(outline, 2.5, 2.5)
    for r, color in parts:
        if r.width() > 0 and r.height() > 0:
            part = QPainterPath()
            part.addRect(r)
            p.fillPath(shape.intersected(part), color)


def bucket_phrase(label: str) -> str:
    """'31-60' -> '31-60 days'; 'Current' stays as it is."""
    return f"{label} days" if any(ch.isdigit() for ch in label) else label


class _Chart(QWidget):
    """Title, background, empty state, tooltips and size hints; a subclass provides `is_empty()`,
    `tooltip_at(pos)` and `_paint_chart(painter, area)`."""

    empty_text = "No data yet."
    hint, minimum_hint = (480, 260), (240, 140)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(*self.hint)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(*self.minimum_hint)

    def _empty_message(self) -> str:
        return self.empty_text

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        f = QFont(self.font())
        if f.pointSizeF() > 0:
            f.setPointSizeF(f.pointSizeF() * scale)
        else:
            f.setPixelSize(max(6, round(f.pixelSize() * scale)))
        f.setBold(bold)
        return f

    def _ink(self) -> tuple[QColor, QColor, QColor, QColor]:
        """Text, muted text, grid line and background colours from the palette."""
        pal = self.palette()
        text, bg = pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)
        return text, _mix(text, bg, 0.4), _mix(text, bg, 0.82), bg

    def _accent(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Highlight)

    def _content(self) -> QRectF:
        """The rectangle under the title."""
        th = QFontMetricsF(self._font(1.1, True)).height() if self.title else 0.0
        return QRectF(PAD, PAD + th + (GAP if th else 0), max(1.0, self.width() - 2 * PAD),
                      max(1.0, self.height() - 2 * PAD - th - (GAP if th else 0)))

    def _legend(self, items: Sequence[tuple[QColor, str]], area: QRectF):
        """Swatches and labels, wrapped to the width: ([(swatch, text rect, label, colour)], height)."""
        fm = QFontMetricsF(self._font(0.9))
        h, box = fm.height(), round(fm.height() * 0.6)
        out, x, y = [], area.left(), area.top()
        for color, label in items:
            w = box + 4 + fm.horizontalAdvance(label)
            if x > area.left() and x + w > area.right():
                x, y = area.left(), y + h + 2
            out.append((QRectF(x, y + (h - box) / 2, box, box), QRectF(x + box + 4, y, w - box - 4 + 1, h), label,
                        color))
            x += w + 14
        return out, (y - area.top() + h if items else 0.0)

    def _paint_legend(self, p: QPainter, legend) -> None:
        text = self._ink()[0]
        p.setFont(self._font(0.9))
        for swatch, rect, label, color in legend:
            p.fillRect(swatch, color)
            p.setPen(text)
            p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        text, muted, _, bg = self._ink()
        p.fillRect(self.rect(), bg)
        if self.title:
            p.setPen(text)
            p.setFont(self._font(1.1, True))
            fm = QFontMetricsF(p.font())
            p.drawText(QPointF(PAD, PAD + fm.ascent()),
                       fm.elidedText(self.title, Qt.TextElideMode.ElideRight, self.width() - 2 * PAD))
        area = self._content()
        if self.is_empty():
            p.setPen(muted)
            p.setFont(self.font())
            p.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_message())
        else:
            self._paint_chart(p, area)
        p.end()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            text = None if self.is_empty() else self.tooltip_at(e.pos())
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def _changed(self, parts: Sequence[str]) -> None:
        """New data: the accessible name and description (what a screen reader says), then repaint."""
        self.setAccessibleName(self.title or "Chart")
        body = "; ".join(parts[:20]) + ("; …" if len(parts) > 20 else "")
        self.setAccessibleDescription(f"{self.title}: {body if parts else self._empty_message()}")
        self.updateGeometry()
        self.update()


# ---- stacked bars ---------------------------------------------------------------------------------

@dataclass
class BarRow:
    """Where one bar went: its line, the name, the segments (bucket index, rectangle), the value."""
    index: int
    line: QRectF
    name: str
    name_rect: QRectF
    segments: list[tuple[int, QRectF]] = field(default_factory=list)
    bar: QRectF = field(default_factory=QRectF)
    value: str = ""
    value_rect: QRectF = field(default_factory=QRectF)


class StackedBarChart(_Chart):
    """Horizontal bars, one per entry, stacked by aging bucket; each currency has its own scale
    (with more than one currency the bars are grouped under a currency heading). Double-click or
    Enter on a bar emits `bar_activated(index)`."""

    bar_activated = Signal(int)
    empty_text = "Nothing is owed."

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.labels: list[str] = []
        self.bars: list[tuple[str, str, list[int]]] = []
        self.current = -1  # the bar the keyboard is on
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_data(self, title: str, labels: Sequence[str], bars: Sequence[tuple[str, str, Sequence[int]]]) -> None:
        self.title, self.labels = title, list(labels)
        self.bars = [(name, cur, list(values)) for name, cur, values in bars]
        self.current = -1
        self._changed([f"{name}: {money(self.total(i), cur)}" for i, (name, cur, _) in enumerate(self.bars)])

    def total(self, index: int) -> int:
        return sum(max(0, v) for v in self.bars[index][2])

    def groups(self) -> dict[str, list[int]]:
        """Bar indexes by currency, in the order the currencies first appear."""
        return {c: [i for i, b in enumerate(self.bars) if b[1] == c] for c in dict.fromkeys(b[1] for b in self.bars)}

    def is_empty(self) -> bool:
        return not any(self.total(i) for i in range(len(self.bars)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        heads = len(self.groups()) if len(self.groups()) > 1 else 0
        return QSize(480, round(2 * PAD + QFontMetricsF(self.font()).height() * (3.5 + 1.8 * max(len(self.bars), 3)
                                                                               + 1.2 * heads)))

    def layout_rows(self) -> tuple[list, list[tuple[QRectF, str]], list[BarRow]]:
        """The legend, the currency headings and the bars, laid out for the current size."""
        area = self._content()
        legend, lh = self._legend(list(zip(bucket_colors(len(self.labels)), self.labels, strict=True)), area)
        if not self.bars:
            return legend, [], []
        fm, groups = QFontMetricsF(self.font()), self.groups()
        multi, line, y = len(groups) > 1, fm.height(), area.top() + lh + GAP * 1.5
        head_h = QFontMetricsF(self._font(0.9, True)).height() + 6 if multi else 0.0
        room = area.bottom() - y - head_h * len(groups)
        row_h = max(line + 4, min(line * 1.9, room / len(self.bars)))
        bar_h = max(4.0, min(row_h - 5, line * 1.2))
        name_w = min(max(fm.horizontalAdvance(b[0]) for b in self.bars), area.width() * 0.34) + 10
        totals = [self.total(i) for i in range(len(self.bars))]
        values = [money(t, b[1]) for t, b in zip(totals, self.bars, strict=True)]
        value_w = max(fm.horizontalAdvance(v) for v in values) + 10
        x0 = area.left() + name_w
        span = max(10.0, area.right() - x0 - value_w)
        headings: list[tuple[QRectF, str]] = []
        rows: list[BarRow] = []
        for cur, indexes in groups.items():
            if multi:
                headings.append((QRectF(area.left(), y, area.width(), head_h), cur))
                y += head_h
            biggest = max(totals[i] for i in indexes)
            scale = span / biggest if biggest > 0 else 0.0
            for i in indexes:
                top = y + (row_h - bar_h) / 2
                row = BarRow(i, QRectF(area.left(), y, area.width(), row_h),
                             fm.elidedText(self.bars[i][0], Qt.TextElideMode.ElideRight, name_w - 10),
                             QRectF(area.left(), y, name_w - 10, row_h))
                x = x0
                for b, v in enumerate(self.bars[i][2]):
                    if v > 0 and b < len(self.labels):
                        row.segments.append((b, QRectF(x, top, v * scale, bar_h)))
                        x += v * scale
                row.bar = QRectF(x0, top, x - x0, bar_h)
                row.value, row.value_rect = values[i], QRectF(x + 6, y, value_w, row_h)
                rows.append(row)
                y += row_h
        return legend, headings, rows

    def segment_at(self, pos: QPoint | QPointF) -> tuple[int, int] | None:
        """(bar index, bucket index) of the segment under `pos`, or None."""
        pt = QPointF(pos)  # the whole height of the line counts, not only the bar's
        return next(((row.index, b) for row in self.layout_rows()[2] for b, r in row.segments
                     if r.left() <= pt.x() < r.right() and row.line.top() <= pt.y() < row.line.bottom()), None)

    def bar_at(self, pos: QPoint | QPointF) -> int | None:
        """The bar whose line (name, bar or value) is under `pos`, or None."""
        pt = QPointF(pos)
        return next((row.index for row in self.layout_rows()[2] if row.line.contains(pt)), None)

    def tooltip_at(self, pos: QPoint) -> str | None:
        hit = self.segment_at(pos)
        if hit is not None:
            name, cur, values = self.bars[hit[0]]
            return f"{name} — {bucket_phrase(self.labels[hit[1]])}: {money(values[hit[1]], cur)}"
        index = self.bar_at(pos)
        if index is not None:
            name, cur, _ = self.bars[index]
            return f"{name}: {money(self.total(index), cur)} in all"
        return None

    def _paint_chart(self, p: QPainter, area: QRectF) -> None:
        legend, headings, rows = self.layout_rows()
        text, muted, grid, _ = self._ink()
        self._paint_legend(p, legend)
        p.setFont(self._font(0.9, True))
        p.setPen(muted)
        for rect, label in headings:
            p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, label)
        colors = bucket_colors(len(self.labels))
        p.setFont(self.font())
        for row in rows:
            p.setPen(text)
            p.drawText(row.name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.name)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(row.bar.left(), row.line.top() + 2), QPointF(row.bar.left(), row.line.bottom() - 2))
            _fill_rounded(p, row.bar.adjusted(-3, 0, 0, 0), [(r, colors[b]) for b, r in row.segments])
            p.setPen(text)
            p.drawText(row.value_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.value)
            if row.index == self.current and self.hasFocus():
                p.setPen(QPen(self._accent(), 1, Qt.PenStyle.DotLine))
                p.drawRoundedRect(row.line.adjusted(-3, 0, 0, 0), 3, 3)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt's name
        index = self.bar_at(event.position())
        if index is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseDoubleClickEvent(event)
        self.current = index
        self.bar_activated.emit(index)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Up/Down/Home/End move between the bars, Enter opens the one the keyboard is on."""
        order = [i for idx in self.groups().values() for i in idx]  # the order on screen
        moves = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Home: -len(order), Qt.Key.Key_End: len(order)}
        if order and event.key() in moves:
            at = (order.index(self.current) if self.current in order else -1) + moves[event.key()]
            self.current = order[min(max(at, 0), len(order) - 1)]
            name, cur, _ = self.bars[self.current]
            self.setAccessibleDescription(f"{name}: {money(self.total(self.current), cur)}")
            self.update()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current in order:
            self.bar_activated.emit(self.current)
        else:
            super().keyPressEvent(event)


# ---- the weekly forecast -----------------------------------------------------------------------------

@dataclass
class _Plot:
    """A plot area with a y axis from 0 to the last tick."""
    rect: QRectF
    ticks: list[float]
    labels: list[str]

    def y(self, value: float) -> float:
        return self.rect.bottom() - value / (self.ticks[-1] or 1) * self.rect.height()


class _AxesChart(_Chart):
    def _plot(self, area: QRectF, top_value: float, whole: bool, fmt, legend_h: float = 0.0,
              right: float = 0.0) -> _Plot:
        small = QFontMetricsF(self._font(0.85))
        ticks = nice_ticks(top_value, whole)
        labels = [fmt(t) for t in ticks]
        axis_w = max(small.horizontalAdvance(x) for x in labels) + 8
        top = area.top() + legend_h + (GAP if legend_h else 0) + small.height() / 2
        bottom = area.bottom() - small.height() - 4
        return _Plot(QRectF(area.left() + axis_w, top, max(1.0, area.width() - axis_w - right), max(1.0, bottom - top)),
                     ticks, labels)

    def _paint_axes(self, p: QPainter, plot: _Plot, xlabels: Sequence[tuple[float, str]]) -> None:
        text, muted, grid, _ = self._ink()
        p.setFont(self._font(0.85))
        fm = QFontMetricsF(p.font())
        r = plot.rect
        for value, label in zip(plot.ticks, plot.labels, strict=True):
            y = round(plot.y(value)) + 0.5
            p.setPen(QPen(muted if value == 0 else grid, 1))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            p.setPen(muted)
            p.drawText(QRectF(0, y - fm.height() / 2, r.left() - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        p.setPen(muted)
        end = -math.inf
        for x, label in xlabels:
            w = fm.horizontalAdvance(label) + 2
            left = min(max(x - w / 2, r.left() - 4), self.width() - PAD - w)
            if left < end + 6:  # would touch the one before
                continue
            p.drawText(QRectF(left, r.bottom() + 3, w, fm.height()), Qt.AlignmentFlag.AlignHCenter, label)
            end = left + w

    def _xlabels(self, plot: _Plot, labels: Sequence[str]) -> list[tuple[float, str]]:
        """(x, label) under every k-th slot, k so that the labels do not touch."""
        slot = plot.rect.width() / max(len(labels), 1)
        widest = max((QFontMetricsF(self._font(0.85)).horizontalAdvance(x) for x in labels), default=0.0)
        k = max(1, math.ceil((widest + 10) / max(slot, 1.0)))
        return [(plot.rect.left() + (i + 0.5) * slot, t) for i, t in enumerate(labels) if i % k == 0]


class WeeklyBarChart(_AxesChart):
    """Cash expected per week (13 weeks, say): one bar per week; what is already overdue (in week 1)
    is drawn in the warning colour at the foot of its bar."""

    empty_text = "Nothing is owed."
    hint, minimum_hint = (520, 260), (260, 150)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.currency = ""
        self.weeks: list[tuple[date, int, int]] = []

    def set_data(self, title: str, currency: str, weeks: Sequence[tuple[date, int, int]]) -> None:
        """`weeks`: (week start, expected minor units, of which already overdue)."""
        self.title, self.currency = title, currency
        self.weeks = [(d, int(e), int(o)) for d, e, o in weeks]
        self._changed([self._week_text(i) for i in range(len(self.weeks))])

    def is_empty(self) -> bool:
        return not any(max(e, o) > 0 for _, e, o in self.weeks)

    def _empty_message(self) -> str:
        return self.empty_text if self.weeks else "No data yet."

    def _week_text(self, i: int) -> str:
        d, expected, overdue = self.weeks[i]
        when = format_date(d, "d MMM yyyy", locale=user_locale())
        text = f"Week of {when}: {money(max(expected, overdue), self.currency)} expected"
        return text + (f", of which {money(overdue, self.currency)} already overdue" if overdue > 0 else "")

    def layout_bars(self):
        """The legend, the plot, [(week, overdue rect, rest rect, column)] and the x labels."""
        area = self._content()
        items = [(self._accent(), "Falling due")]
        if any(o > 0 for _, _, o in self.weeks):
            items.append((OVERDUE_COLOR, "Already overdue"))
        legend, lh = self._legend(items, area)
        top = max((max(e, o) for _, e, o in self.weeks), default=0)
        plot = self._plot(area, top, True, lambda v: axis_money(int(v), self.currency), lh)
        slot = plot.rect.width() / max(len(self.weeks), 1)
        width = min(slot * 0.66, 56.0)
        bars = []
        for i, (_, expected, overdue) in enumerate(self.weeks):
            x = plot.rect.left() + i * slot + (slot - width) / 2
            total, due = max(expected, overdue), max(0, min(overdue, expected))
            y_due, y_top = plot.y(due), plot.y(total)
            bars.append((i, QRectF(x, y_due, width, plot.rect.bottom() - y_due), QRectF(x, y_top, width, y_due - y_top),
                         QRectF(plot.rect.left() + i * slot, plot.rect.top(), slot, plot.rect.height())))
        return legend, plot, bars, self._xlabels(plot, [format_date(d, "d MMM", locale=user_locale())
                                                        for d, _, _ in self.weeks])

    def segment_at(self, pos: QPoint | QPointF) -> tuple[int, int] | None:
        """(week index, 0 for the overdue part or 1 for the rest) under `pos`, or None."""
        pt = QPointF(pos)
        return next(((i, part) for i, due, rest, _ in self.layout_bars()[2] for part, r in ((0, due), (1, rest))
                     if r.height() > 0 and r.left() <= pt.x() < r.right() and r.top() <= pt.y() < r.bottom()), None)

    def tooltip_at(self, pos: QPoint) -> str | None:
        """The week whose column (its bar, or the room above it) is under `pos`."""
        index = next((i for i, _, _, column in self.layout_bars()[2] if column.contains(QPointF(pos))), None)
        return None if index is None else self._week_text(index)

    def _paint_chart(self, p: QPainter, area: QRectF) -> None:
        legend, plot, bars, xlabels = self.layout_bars()
        self._paint_legend(p, legend)
        self._paint_axes(p, plot, xlabels)
        accent = self._accent()
        for _, due, rest, _ in bars:  # rounded at the top, square on the axis
            _fill_rounded(p, due.united(rest).adjusted(0, 0, 0, 3),
                          [(due, OVERDUE_COLOR), (rest.adjusted(0, 0, 0, 0.5), accent)])


# ---- the monthly trend -----------------------------------------------------------------------------

class TrendChart(_AxesChart):
    """A monthly KPI as a line with axes (days or %); a month without a value leaves a gap."""

    hint, minimum_hint = (360, 180), (200, 120)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.points: list[tuple[date, Decimal | None]] = []
        self.unit = "days"

    def set_data(self, title: str, points: Sequence[tuple[date, Decimal | None]], unit: str) -> None:
        self.title, self.unit = title, unit
        self.points = [(d, None if v is None else Decimal(v)) for d, v in points]
        self._changed([self._point_text(i) for i in range(len(self.points))])

    def is_empty(self) -> bool:
        return all(v is None for _, v in self.points)

    def value_text(self, value: Decimal | float, digits: int = 1) -> str:
        """'45.2 days' or '23.4%' in the user's locale, with up to `digits` decimals."""
        loc, fraction = user_locale(), "." + "#" * digits if digits else ""
        value = Decimal(str(value)) if isinstance(value, float) else value
        if self.unit == "%":
            return format_percent(value / 100, f"#,##0{fraction}%", locale=loc)
        number = format_decimal(value, f"#,##0{fraction}", locale=loc)
        return f"{number} {self.unit}" if self.unit else number

    def _point_text(self, i: int) -> str:
        d, v = self.points[i]
        month = format_date(d, "MMMM yyyy", locale=user_locale())
        return f"{month}: {'no figure' if v is None else self.value_text(v)}"

    def layout_points(self):
        """The plot, [(index, centre or None)] and the x labels."""
        values = [float(v) for _, v in self.points if v is not None]
        latest = next((v for _, v in reversed(self.points) if v is not None), None)
        bold = QFontMetricsF(self._font(0.9, True))
        room = 0 if latest is None else bold.horizontalAdvance(self.value_text(latest)) + 10
        step = nice_ticks(max(values, default=0.0))[1]
        digits = next((d for d in (0, 1, 2) if abs(step * 10**d - round(step * 10**d)) < 1e-9), 2)
        plot = self._plot(self._content(), max(values, default=0.0), False, lambda v: self.value_text(v, digits),
                          right=room)
        slot = plot.rect.width() / max(len(self.points), 1)
        centres = [(i, None if v is None else QPointF(plot.rect.left() + (i + 0.5) * slot, plot.y(max(float(v), 0))))
                   for i, (_, v) in enumerate(self.points)]
        return plot, centres, self._xlabels(plot, [format_date(d, "MMM yyyy" if i == 0 or d.month == 1 else "MMM",
                                                               locale=user_locale())
                                                   for i, (d, _) in enumerate(self.points)])

    def point_at(self, pos: QPoint | QPointF) -> int | None:
        """The month whose column is under `pos`, or None."""
        plot, centres, _ = self.layout_points()
        pt = QPointF(pos)
        if not self.points or not plot.rect.adjusted(0, -PAD, 0, PAD).contains(pt):
            return None
        slot = plot.rect.width() / len(self.points)
        return min(int((pt.x() - plot.rect.left()) / slot), len(self.points) - 1)

    def tooltip_at(self, pos: QPoint) -> str | None:
        index = self.point_at(pos)
        return None if index is None else self._point_text(index)

    def _paint_chart(self, p: QPainter, area: QRectF) -> None:
        plot, centres, xlabels = self.layout_points()
        self._paint_axes(p, plot, xlabels)
        accent, bg = self._accent(), self._ink()[3]
        path = QPainterPath()  # a month without a figure breaks the line
        for (_, before), (_, c) in zip([(0, None), *centres], centres, strict=False):
            if c is not None:
                path.lineTo(c) if before is not None else path.moveTo(c)
        p.setPen(QPen(accent, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        p.drawPath(path)
        p.setBrush(accent)
        p.setPen(QPen(bg, 1))
        for _, c in centres:
            if c is not None:
                p.drawEllipse(c, 3, 3)
        last = next(((i, c) for i, c in reversed(centres) if c is not None), None)
        if last is not None:  # the latest figure beside its point
            text, c = self.value_text(self.points[last[0]][1]), last[1]  # type: ignore[arg-type]
            p.setFont(self._font(0.9, True))
            h, w = QFontMetricsF(p.font()).height(), QFontMetricsF(p.font()).horizontalAdvance(text) + 4
            p.setPen(self._ink()[0])
            x = min(c.x() + 6, self.width() - PAD - w)
            p.drawText(QRectF(x, c.y() - h / 2, w, h), Qt.AlignmentFlag.AlignCenter, text)


# ---- offscreen --------------------------------------------------------------------------------------

def render_image(widget: QWidget, size: QSize | tuple[int, int]) -> QImage:
    """The widget drawn at `size` into an image (it need not be shown)."""
    size = size if isinstance(size, QSize) else QSize(*size)
    widget.resize(size)
    widget.ensurePolished()
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(widget.palette().color(QPalette.ColorRole.Window))
    widget.render(image)
    return image


def render_png(widget: QWidget, path: str | Path, size: QSize | tuple[int, int]) -> Path:
    """Draw the widget at `size` into a PNG file (for documentation and tests)."""
    path = Path(path)
    if not render_image(widget, size).save(str(path), "PNG"):
        raise OSError(f"{path} could not be written")
    return path

