"""The Today screen, where the week starts: what is open and overdue, how collection is going
(DSO, CEI, days late, with their trend), the aging chart, the cash expected over 13 weeks, and the
work waiting (follow-ups, promises, plan instalments, letters proposed: ui.views.worklist)."""

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
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.aging import chart_bars, most_overdue
from debtordesk.ui.formatting import day, money
from debtordesk.ui.views.worklist import INSTALMENT_DAYS, WorklistBox
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
    follow_ups: list = field(default_factory=list)  # FollowUp due by today
    promises: list = field(default_factory=list)  # PromiseRow due today or broken lately
    broken_promises: list = field(default_factory=list)  # promises found broken (and recorded) on this load
    owners: dict = field(default_factory=dict)  # customer id -> account owner (those that have one)


def load_today(db: Database, today: date, report=None) -> TodayData:
    """Today's figures; `report` is today's aging report when the window has it already."""
    from debtordesk.services.activity import account_owners, follow_ups_due
    from debtordesk.services.aging import aging_report
    from debtordesk.services.company import base_currency
    from debtordesk.services.kpi import collection_kpis, expected_receipts, kpi_trend
    from debtordesk.services.plan_tracking import instalments_due, record_breaches
    from debtordesk.services.promises import promises_to_watch, record_broken_promises
    from debtordesk.services.settlements import complete_paid_settlements

    with db.transaction() as s:  # plans and promises broken since the last look are recorded (once) first,
        breaches = record_breaches(s, today)  # and settlements paid since are completed
        broken_promises = record_broken_promises(s, today)
        complete_paid_settlements(s, today)
    with db.session() as s:
        if report is None:
            report = aging_report(s, today)
            report.totals()
        return TodayData(report, collection_kpis(s, today), kpi_trend(s, today), expected_receipts(s, today),
                         base=base_currency(s),
                         instalments=instalments_due(s, today, today + timedelta(days=INSTALMENT_DAYS - 1)),
                         breaches=breaches, follow_ups=follow_ups_due(s, today), promises=promises_to_watch(s, today),
                         broken_promises=broken_promises, owners=account_owners(s))


def count_letters(db: Database, today: date) -> int:
    from debtordesk.services.dunning import dunning_run

    with db.session() as s:
        return sum(1 for p in dunning_run(s, today) if p.proposed)


def load_accounts(db: Database, today: date) -> list:
    """Every overdue debt with its risk score, for the worklist (services.risk.worklist)."""
    from debtordesk.services.risk import worklist

    with db.session() as s:
        return worklist(s, today)


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
    customer_requested = Signal(int)
    log_call_requested = Signal(int)

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

        work = self.work_box = self.work = WorklistBox(body)
        work.page_requested.connect(self.page_requested)
        work.plan_requested.connect(self.plan_requested)
        work.customer_requested.connect(self.customer_requested)
        work.log_call_requested.connect(self.log_call_requested)
        work.follow_up_done.connect(self.follow_up_done)
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
        self.work.set_data(data, self.today)
        db, today = self.db, self.today
        self.tasks.run(lambda _r, _c: count_letters(db, today), label="Working out the reminders due…",
                       on_success=self._letters_arrived)
        self.tasks.run(lambda _r, _c: load_accounts(db, today), label="Ranking the accounts to chase…",
                       on_success=self._accounts_arrived)

    def _accounts_arrived(self, items: list) -> None:
        self.work.set_accounts(items)

    def _letters_arrived(self, count: int) -> None:
        if self.data is not None:
            self.data.letters = count
        self.letters_tile.set(str(count), "as of today, one per customer and currency")
        self.work.set_letters(count)

    def follow_up_done(self, activity_id: int) -> None:
        from debtordesk.services.activity import complete_follow_up

        with self.db.transaction() as s:
            complete_follow_up(s, activity_id)
        if self.data is not None:
            self.data.follow_ups = [f for f in self.data.follow_ups if f.activity_id != activity_id]
            self.work.show_data()

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
