"""Run every benchmark and write bench/results.json and bench/results.md.

    python -m bench [--db LEDGER.sqlite3] [--customers 50000 --invoices 1000000] [--runs 5] [--only NAME ...]

Without --db a ledger is generated once (bench.generate, seed 1) into bench/data/ and reused.
Each operation runs in its own process, ours and the baseline separately: median of --runs timed
runs after one warm-up, and the peak memory (max RSS) of that process.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.core import Context, Result, evaluate

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["b_aging", "b_customers", "b_invoices", "b_import", "b_start", "b_stall", "b_stall_aging",
              "b_dunning", "b_letters", "b_kpi", "b_risk"]
PENDING: list[tuple[str, str, str]] = []


def ledger(args) -> Path:
    if args.db is not None:
        return args.db
    path = HERE / "data" / f"ledger-{args.customers}-{args.invoices}-s1.sqlite3"
    if not path.exists():
        from bench import generate

        path.parent.mkdir(exist_ok=True)
        generate.main([str(path), "--customers", str(args.customers), "--invoices", str(args.invoices),
                       "--seed", "1", "--today", args.today.isoformat()])
    return path


def counts(path: Path) -> str:
    con = sqlite3.connect(path)
    c, i, p = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("customer", "invoice", "payment"))
    con.close()
    return f"{c:,} customers, {i:,} invoices, {p:,} payments"


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f}"


def markdown(results: list[Result], about: str) -> str:
    lines = [about, "",
             "| operation | ours (ms) | baseline (ms) | ratio | target | met | peak memory ours / baseline (MB) |",
             "|---|---:|---:|---:|---|---|---:|"]
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        peak = f"{r.ours.peak_mb:.0f}" + (f" / {r.baseline.peak_mb:.0f}" if r.baseline else "")
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(f"| {r.title} | {ms(r.ours.median)} | {ms(r.baseline.median if r.baseline else None)} "
                     f"| {ratio} | {r.target} | {met} | {peak} |")
    for title, target, why in PENDING:
        lines.append(f"| {title} | — | — | — | {target} | not yet: {why} | — |")
    notes = [f"- **{r.title}**: {r.note}" for r in results if r.note]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path)
    p.add_argument("--customers", type=int, default=50_000)
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--only", nargs="*", choices=BENCHMARKS)
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    db = ledger(args)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="debtordesk-bench-") as tmp:
        ctx = Context(db, Path(tmp), args.today, args.runs)
        for name in args.only or BENCHMARKS:
            r = evaluate(f"bench.{name}", ctx)
            print(f"{r.title}: ours {ms(r.ours.median)} ms, baseline {ms(r.baseline.median if r.baseline else None)} ms"
                  + (f", ratio {r.ratio:.2f}" if r.ratio else ""), file=sys.stderr)
            results.append(r)
    about = (f"Ledger: {counts(db)} (`{db.name}`). Run {date.today().isoformat()} on {platform.platform()} "
             f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, SQLite "
             f"{sqlite3.sqlite_version}; median of {args.runs} runs after one warm-up, each side in its own "
             f"process; whole run {time.perf_counter() - started:.0f} s.")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(
        {"about": about, "results": [r.to_json() for r in results]}, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(results, about))
    print(markdown(results, about))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
