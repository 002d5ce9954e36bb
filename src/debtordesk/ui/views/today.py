"""The Today screen, where the week starts: what is open and overdue, how collection is going
(DSO, CEI, days late, with their trend), the aging chart, the cash expected over 13 weeks, and the
work waiting (letters proposed; follow-ups, promises and instalments as those features land)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.aging import chart_bars, most_overdue
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.workers import TaskRunner


@dataclass
class TodayData:
    report: object = None  # AgingReport as of today
    kpis: list = field(default_factory=list)  # KpiResult per currency
    trend: dict = field(default_factory=dict)  # currency -> TrendPoints
    forecast: dict = field(default_factory=dict)  # currency -> WeekForecasts
    letters: int | None = None  # dunning letters proposed today
    base: str = ""  # the company's base currency, shown first
    instalments: list = field(default_factory=list)  # DueInstalment of plans being kept, due within a week
    breaches: list = field(default_factory=list)  # plans found broken (and recorded) on this load


INSTALMENT_DAYS = 7  # "due this week": today and the six days after it (and any still late)


def load_today(db: Database, today: date, report=None) -> TodayData:
    """Today's figures; `report` is today's aging report when the window has it already."""
    from debtordesk.services.aging import aging_report
    from debtordesk.services.company import base_currency
    from debtordesk.services.kpi import collection_kpis, expected_receipts, kpi_trend
    from debtordesk.services.plan_tracking import instalments_due, record_breaches

    with db.transaction() as s:  # a plan broken since the last look is recorded (once) before the figures
        breaches = record_breaches(s, today)
    with db.session() as s:
        if report is None:
            report = aging_report(s, today)
            report.totals()
        return TodayData(report, collection_kpis(s, today), kpi_trend(s, today), expected_receipts(s, today),
                         base=base_currency(s),
                         instalments=instalments_due(s, today, today + timedelta(days=INSTALMENT_DAYS - 1)),
                         breaches=breaches)


def instalment_line(d, today: date) -> str:
    """'Alder & Co — PP-0001 instalment 2: £300.00 due Tue 1 Dec' (late ones say so)."""
    which = "down payment" if d.number == 0 else f"instalment {d.number}"
    when = (f"was due {day(d.due)}, late" if d.due < today else "due today" if d.due == today
            else f"due {d.due:%a} {day(d.due)}")
    part = " (part-paid)" if d.status == "part-paid" else ""
    return f"{d.name} — {d.reference} {which}: {money(d.left_minor, d.currency)} {when}{part}"


def count_letters(db: Database, today: date) -> int:
    from debtordesk.services.dunning import dunning_run

    with db.session() as s:
        return sum(1 for p in dunning_run(s, today) if p.proposed)


def _fmt(value, unit: str) -> str:
    if value is None:
        return "not enough data"
    return f"{value:.1f}{unit}"


class Tile(QFrame):
    """A figure with its caption, as on a dashboard."""

    def __init__(self, caption: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.value = QLabel("…", self)
        font = self.value.font()
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        self.detail = QLabel("", self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.value, self.caption, self.detail):
            layout.addWidget(w)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class TodayView(QWidget):
    page_requested = Signal(str)
    plan_requested = Signal(int)  # a plan's id: open it on the Payment plans screen

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        from debtordesk.ui.widgets.charts import StackedBarChart, TrendChart, WeeklyBarChart

        self.db, self.today = db, today
        self.tasks: TaskRunner | None = None
        self.loaded = False
        self.data: TodayData | None = None
        self.report_source = None  # a function giving today's aging report if already worked out

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        top = QHBoxLayout()
        self.heading = QLabel(f"Today, {day(today)}", body)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel("Currency:", body))
        self.currency = QComboBox(body)
        self.currency.setAccessibleName("Currency")
        self.currency.currentIndexChanged.connect(lambda _i: self.show_data())
        top.addWidget(self.currency)
        layout.addLayout(top)

        tiles = QGridLayout()
        self.open_tile = Tile("open", body)
        self.overdue_tile = Tile("overdue", body)
        self.dso_tile = Tile("DSO, last 90 days", body)
        self.cei_tile = Tile("CEI, last 90 days", body)
        self.late_tile = Tile("average days late", body)
        self.letters_tile = Tile("reminders due", body)
        self.dso_tile.setToolTip("Days sales outstanding: what is owed at the end of the period divided by the "
                                 "credit sales of the period, times its 90 days (docs/kpi.md)")
        self.cei_tile.setToolTip("Collection effectiveness index: the share of what could be collected in the "
                                 "last 90 days that was collected (100% is perfect)")
        self.late_tile.setToolTip("How late invoices paid in the last 90 days were paid, weighted by amount")
        for i, t in enumerate((self.open_tile, self.overdue_tile, self.dso_tile, self.cei_tile, self.late_tile,
                               self.letters_tile)):
            tiles.addWidget(t, 0, i)
        layout.addLayout(tiles)

        charts = QGridLayout()
        self.aging_chart = StackedBarChart(body)
        self.forecast_chart = WeeklyBarChart(body)
        self.dso_trend = TrendChart(body)
        self.overdue_trend = TrendChart(body)
        for w in (self.aging_chart, self.forecast_chart):
            w.setMinimumHeight(240)
        for w in (self.dso_trend, self.overdue_trend):
            w.setMinimumHeight(160)
        charts.addWidget(self.aging_chart, 0, 0)
        forecast_box = QVBoxLayout()
        forecast_box.addWidget(self.forecast_chart, 1)
        self.export_forecast = QPushButton("Export the forecast…", body)
        self.export_forecast.clicked.connect(lambda: self.save_forecast())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_forecast)
        forecast_box.addLayout(row)
        charts.addLayout(forecast_box, 0, 1)
        charts.addWidget(self.dso_trend, 1, 0)
        charts.addWidget(self.overdue_trend, 1, 1)
        layout.addLayout(charts)

        work = self.work_box = QGroupBox("Waiting for you", body)
        wl = QGridLayout(work)
        self.letters_label = QLabel("Working out the reminders due…", work)
        open_dunning = QPushButton("Open Dunning", work)
        open_dunning.clicked.connect(lambda: self.page_requested.emit("Dunning"))
        wl.addWidget(self.letters_label, 0, 0)
        wl.addWidget(open_dunning, 0, 1)
        for r, text in enumerate(("Follow-ups due: none (calls and notes with a follow-up date will be listed here).",
                                  "Promises to pay due: none (promises recorded with customers will be listed here)."),
                                 start=1):
            label = QLabel(text, work)
            label.setWordWrap(True)
            wl.addWidget(label, r, 0, 1, 2)
        self.instalments_label = QLabel("Instalments due this week: working them out…", work)
        self.instalments_label.setWordWrap(True)
        open_plans = QPushButton("Open Payment plans", work)
        open_plans.clicked.connect(lambda: self.page_requested.emit("Payment plans"))
        wl.addWidget(self.instalments_label, 3, 0)
        wl.addWidget(open_plans, 3, 1)
        self.instalments = QListWidget(work)
        self.instalments.setAccessibleName("Instalments due this week")
        self.instalments.setToolTip("Double-click to open the plan")
        self.instalments.itemActivated.connect(
            lambda item: self.plan_requested.emit(int(item.data(Qt.ItemDataRole.UserRole))))
        self.instalments.hide()
        wl.addWidget(self.instalments, 4, 0, 1, 2)
        layout.addWidget(work)
        layout.addStretch(1)

    # --- loading -------------------------------------------------------------------------------------
    def ensure_loaded(self) -> None:
        if not self.loaded and self.tasks is not None:
            self.refresh()

    def refresh(self) -> None:
        if self.tasks is None:
            return
        self.loaded = True
        db, today, source = self.db, self.today, self.report_source

        def job(_r, _c):
            # the jobs run one after another: an aging report queued before this one is ready by now
            return load_today(db, today, source() if source is not None else None)

        self.tasks.run(job, label="Working out today's figures…", on_success=self._arrived)

    def _arrived(self, data: TodayData) -> None:
        self.data = data
        have = [self.currency.itemData(i) for i in range(self.currency.count())]
        currencies = [t.currency for t in data.report.totals()] or [k.currency for k in data.kpis]
        if have != currencies:
            self.currency.blockSignals(True)
            self.currency.clear()
            for c in currencies:
                self.currency.addItem(c, c)
            base = getattr(data, "base", "")
            self.currency.setCurrentIndex(max(0, self.currency.findData(base)))
            self.currency.blockSignals(False)
        self.show_data()
        self.show_instalments(data)
        db, today = self.db, self.today
        self.tasks.run(lambda _r, _c: count_letters(db, today), label="Working out the reminders due…",
                       on_success=self._letters_arrived)

    def _letters_arrived(self, count: int) -> None:
        if self.data is not None:
            self.data.letters = count
        self.letters_tile.set(str(count), "as of today, one per customer and currency")
        self.letters_label.setText(f"{count} reminder letter{'s are' if count != 1 else ' is'} due today."
                                   if count else "No reminder letters are due today.")

    def show_instalments(self, data: TodayData) -> None:
        rows = data.instalments
        self.instalments.clear()
        for d in rows:
            item = QListWidgetItem(instalment_line(d, self.today))
            item.setData(Qt.ItemDataRole.UserRole, d.plan_id)
            if d.due < self.today:
                item.setForeground(OVERDUE_COLOR)
            self.instalments.addItem(item)
        self.instalments.setVisible(bool(rows))
        if rows:
            self.instalments.setFixedHeight(self.instalments.sizeHintForRow(0) * min(len(rows), 6) + 6)
        total = len(rows)
        text = (f"Instalments due this week: {total} (to {day(self.today + timedelta(days=INSTALMENT_DAYS - 1))})."
                if total else "Instalments due this week: none.")
        if data.breaches:
            refs = ", ".join(b.reference for b in data.breaches)
            text += f" Broken since the last look: {refs} (recorded in the customers' activity)."
        self.instalments_label.setText(text)

    def show_data(self) -> None:
        data, cur = self.data, self.currency.currentData()
        if data is None or not cur:
            if data is not None and not data.report.totals():
                self.open_tile.set("Nothing is owed")
            return
        total = next((t for t in data.report.totals() if t.currency == cur), None)
        open_minor = total.total if total else 0
        overdue = open_minor - (total.buckets[0] if total else 0)
        self.open_tile.set(money(open_minor, cur), f"{sum(1 for r in data.report.rows if r.currency == cur)} customers")
        share = f"{overdue * 100 / open_minor:.0f}% of what is open" if open_minor else ""
        self.overdue_tile.set(money(overdue, cur), share)
        kpi = next((k for k in data.kpis if k.currency == cur), None)
        if kpi is not None:
            self.dso_tile.set(_fmt(kpi.dso, " days"), f"countback {_fmt(kpi.countback_dso, ' days')}")
            self.cei_tile.set(_fmt(kpi.cei, "%"), "of what could be collected")
            self.late_tile.set(_fmt(kpi.average_days_late, " days"), f"{_fmt(kpi.share_paid_late, '%')} paid late")
        self.aging_chart.set_data("Aged receivables", [x.capitalize() for x in data.report.labels],
                                  chart_bars(data.report, most_overdue(data.report, 6, cur), cur))
        weeks = data.forecast.get(cur, [])
        self.forecast_chart.set_data("Cash expected in the next 13 weeks", cur,
                                     [(w.week_start, w.expected_minor, w.overdue_minor) for w in weeks])
        points = data.trend.get(cur, [])
        self.dso_trend.set_data("DSO, last 12 months", [(p.month_end, p.dso) for p in points], "days")
        self.overdue_trend.set_data("Overdue share, last 12 months", [(p.month_end, p.overdue_share) for p in points],
                                    "%")

    def forecast_csv(self) -> str:
        from debtordesk.services.kpi import forecast_csv

        return forecast_csv(self.data.forecast if self.data is not None else {})

    def save_forecast(self, path: Path | None = None) -> Path | None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export the forecast",
                                                  str(Path.home() / f"forecast-{self.today.isoformat()}.csv"),
                                                  "CSV files (*.csv)")
            if not name:
                return None
            path = Path(name)
        path.write_text(self.forecast_csv(), encoding="utf-8")
        return path
