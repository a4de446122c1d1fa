"""Measure the library against its speed goals and print the figures as JSON.

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py rate cli   # some of them

These are measurements, not tests: nothing here fails a build. Each figure is the median of
several runs on this machine; the goals are the project's (issue 7) for a 2-core machine.
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from probation_rules import load_methodology, rate  # noqa: E402
from probation_rules.engine import compiler, evaluate  # noqa: E402
from probation_rules.inspection import load_inspection, validate_against  # noqa: E402
from probation_rules.methodology import Methodology  # noqa: E402

YORK = ROOT / "examples" / "york-pdu-2024.json"
RUNS = 5


def population(m: Methodology, n: int, seed: int = 1, cases: int = 20) -> list[dict[str, Any]]:
    """Seeded inspections with counts at ``cases`` relevant cases and random judgements."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        standards: dict[str, Any] = {}
        for s in m.standards:
            if s.kind == "case":
                rate_ = rng.uniform(0.3, 0.95)
                standards[s.id] = {
                    "key_questions": {q.id: {"yes": sum(rng.random() < rate_ for _ in range(cases)), "relevant": cases} for q in s.key_questions}
                }
            else:
                standards[s.id] = {"judgement": rng.choice(m.scale.ratings), "strengths": ["recorded"] * rng.randint(0, 2)}
        docs.append({"id": f"sim-{i}", "unit": f"Unit {i}", "methodology": m.id, "standards": standards})
    return docs


def median_of(fn: Callable[[], float], runs: int = RUNS) -> float:
    return statistics.median(fn() for _ in range(runs))


def figure(name: str, value: float, unit: str, goal: str | None = None, met: bool | None = None, **extra: Any) -> dict[str, Any]:
    return {"benchmark": name, "value": round(value, 3), "unit": unit, "goal": goal, "met": met, **extra}


def bench_rate() -> list[dict[str, Any]]:
    m = load_methodology("hmip-pdu-2023")
    inspections = [load_inspection(d) for d in population(m, 2000)]
    for inspection in inspections[:200]:
        validate_against(inspection, m)
        evaluate(inspection, m)

    def engine_only() -> float:
        start = time.perf_counter()
        for inspection in inspections:
            evaluate(inspection, m)
        return len(inspections) / (time.perf_counter() - start)

    def validated() -> float:
        start = time.perf_counter()
        for inspection in inspections:
            rate(inspection, m)
        return len(inspections) / (time.perf_counter() - start)

    per_second = median_of(engine_only)
    out = [
        figure("rate: evaluate (durable-rules, with traces)", per_second, "inspections/s", ">= 3000", per_second >= 3000),
        figure("rate: rate() incl. validation", median_of(validated), "inspections/s"),
    ]
    try:
        from tests.reference import evaluate as reference
    except ImportError:
        return out
    docs = population(m, 2000)

    def reference_speed() -> float:
        start = time.perf_counter()
        for doc in docs:
            reference(m, doc)
        return len(docs) / (time.perf_counter() - start)

    ref = median_of(reference_speed)
    ratio = ref / per_second
    out.append(figure("rate: plain-Python reference evaluator", ref, "inspections/s"))
    out.append(figure("rate: reference / engine", ratio, "x", "<= 20", ratio <= 20))
    return out


def bench_cli() -> list[dict[str, Any]]:
    exe = Path(sys.executable).parent / "probation-rules"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "probation_rules.cli"]

    def once() -> float:
        start = time.perf_counter()
        subprocess.run([*command, "rate", str(YORK)], check=True, capture_output=True)
        return time.perf_counter() - start

    seconds = median_of(once)
    return [figure("cli: one-shot `probation-rules rate` (York)", seconds, "s", "<= 0.6", seconds <= 0.6)]


def bench_load() -> list[dict[str, Any]]:
    path = ROOT / "probation_rules" / "methodologies" / "hmip-pdu-2023.toml"

    def load_and_compile() -> float:
        start = time.perf_counter()
        m = load_methodology(path)
        compiler.compiled(m)
        elapsed = time.perf_counter() - start
        compiler.release(m)
        return elapsed

    return [figure("methodology: load + compile (PDU 2023, from file)", median_of(load_and_compile) * 1000, "ms")]


def bench_check() -> list[dict[str, Any]]:
    try:
        from probation_rules.check import check_methodology
    except ImportError:
        return [figure("check: exhaustive check (PDU 2023)", float("nan"), "s", "<= 2", None, note="check is not available")]
    m = load_methodology("hmip-pdu-2023")

    def once() -> float:
        start = time.perf_counter()
        check_methodology(m)
        return time.perf_counter() - start

    seconds = median_of(once)
    return [figure("check: exhaustive check (PDU 2023)", seconds, "s", "<= 2", seconds <= 2)]


def bench_memory() -> list[dict[str, Any]]:
    m = load_methodology("hmip-pdu-2023")
    inspections = [load_inspection(d) for d in population(m, 1000, seed=3)]
    for inspection in inspections:
        evaluate(inspection, m)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for _ in range(100):
        for inspection in inspections:
            evaluate(inspection, m)
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        figure("memory: peak RSS before 100,000 ratings", before, "MB"),
        figure("memory: peak RSS after 100,000 ratings", after, "MB", "flat", after - before < 20),
    ]


def bench_compare() -> list[dict[str, Any]]:
    """Issue 7's goal: a 100,000-inspection comparison of two methodologies in a minute on two cores.

    One run, not a median: it takes about a minute. ``COMPARE_COUNT`` sets a smaller population.
    """
    from probation_rules.whatif import compare, simulated, simulation

    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(ROOT / "examples" / "variants" / "good-from-70.toml")
    count = int(os.environ.get("COMPARE_COUNT", "100000"))
    population = simulated(simulation([base, variant], count, seed=1))
    start = time.perf_counter()
    result = compare(base, variant, population, workers=2)
    seconds = time.perf_counter() - start
    return [
        figure(f"compare: {count:,} simulated inspections, two methodologies, 2 workers", seconds, "s", "<= 60", seconds <= 60, changed=len(result.changed)),
        figure("compare: ratings per second (both methodologies)", 2 * count / seconds, "ratings/s"),
    ]


BENCHMARKS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "rate": bench_rate,
    "cli": bench_cli,
    "load": bench_load,
    "check": bench_check,
    "memory": bench_memory,
    "compare": bench_compare,
}


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    figures = []
    for name in chosen:
        figures += BENCHMARKS[name]()
    machine = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    print(json.dumps({"machine": machine, "figures": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
