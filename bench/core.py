"""The frame every benchmark uses: each side (ours, baseline) runs in its own process, one
warm-up and then N timed runs, and reports its times and peak memory (max RSS) as JSON.

A benchmark is a module `bench.b_<name>` with:
    TITLE    the operation, as the results table shows it
    TARGET   Target(ratio=1.5) (ours / baseline) or Target(seconds=2.0) (ours alone)
    ours(ctx), baseline(ctx)  return what to time: a callable, or (before, callable) where
             `before()` runs untimed ahead of each run (e.g. a fresh copy of the database).
             The callable may return Measured(seconds) to report a figure it measured itself
             (e.g. the longest stall of the event loop) instead of its wall time.
    prepare(ctx) (optional) builds shared inputs once, in the parent process.
`baseline` may be missing (absolute targets).
"""

from __future__ import annotations

import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Target:
    ratio: float | None = None
    seconds: float | None = None

    def text(self) -> str:
        return f"≤ {self.ratio:g}×" if self.ratio is not None else f"< {self.seconds * 1000:g} ms"


@dataclass(frozen=True)
class Measured:
    seconds: float


@dataclass
class Context:
    db: Path  # the large ledger (read-only for the benchmarks; copy it to write)
    work: Path  # a scratch folder shared by prepare() and the runs
    today: date
    runs: int = 5

    def args(self) -> list[str]:
        return ["--db", str(self.db), "--work", str(self.work), "--today", self.today.isoformat(),
                "--runs", str(self.runs)]


@dataclass
class Side:
    times: list[float]
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class Result:
    name: str
    title: str
    target: str
    ours: Side
    baseline: Side | None
    ratio: float | None = None
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self) | {"ours_median_s": self.ours.median,
                               "baseline_median_s": self.baseline.median if self.baseline else None}


def run_side(module_name: str, side: str, ctx: Context) -> Side:
    """Time one side of a benchmark in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.core", module_name, side, *ctx.args()],
        check=True, capture_output=True, text=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return Side(data["times"], data["peak_mb"])


def evaluate(module_name: str, ctx: Context) -> Result:
    mod = importlib.import_module(module_name)
    if hasattr(mod, "prepare"):
        mod.prepare(ctx)
    ours = run_side(module_name, "ours", ctx)
    base = run_side(module_name, "baseline", ctx) if hasattr(mod, "baseline") else None
    target: Target = mod.TARGET
    result = Result(module_name.rsplit(".", 1)[-1], mod.TITLE, target.text(), ours, base,
                    note=getattr(mod, "NOTE", ""))
    if base is not None and base.median > 0:
        result.ratio = ours.median / base.median
    if target.ratio is not None and result.ratio is not None:
        result.met = result.ratio <= target.ratio
    elif target.seconds is not None:
        result.met = ours.median < target.seconds
    return result


def _time_side(module_name: str, side: str, ctx: Context) -> dict:
    mod = importlib.import_module(module_name)
    made = getattr(mod, side)(ctx)
    before, fn = made if isinstance(made, tuple) else (None, made)
    times = []
    for i in range(ctx.runs + 1):  # the first run warms caches and is not counted
        if before is not None:
            before()
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
        if isinstance(value, Measured):
            elapsed = value.seconds
        if i:
            times.append(elapsed)
    return {"times": times, "peak_mb": round(peak_kb() / 1024, 1)}


def peak_kb() -> int:
    """This process's own peak resident memory. ru_maxrss of a child starts at its parent's
    peak on Linux, so the kernel's high-water mark is read where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.core")
    p.add_argument("module")
    p.add_argument("side", choices=("ours", "baseline"))
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--today", type=date.fromisoformat, required=True)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args(argv)
    ctx = Context(a.db, a.work, a.today, a.runs)
    print(json.dumps(_time_side(a.module, a.side, ctx)))
    return 0


if __name__ == "__main__":  # run as bench.core, so that Measured is the class benchmarks import
    from bench import core

    raise SystemExit(core.main(sys.argv[1:]))
