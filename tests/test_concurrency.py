"""Threads and many methodologies in one process: same results as sequential, nothing leaks."""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from probation_rules import compare, load_methodology, rate
from probation_rules.batch import rate_many
from probation_rules.engine import compiler
from probation_rules.errors import InspectionError
from probation_rules.methodology import methodology_from_dict

from .conftest import ROOT, YORK, pdu_2023_data

YORK_DOC = json.loads(YORK.read_text())


def _variant(limit: int) -> Any:
    data = pdu_2023_data()
    data["guidance"][0]["override"]["max_bands_up"] = limit
    data["version"] = f"test-{limit}"
    return methodology_from_dict(data)


def _documents(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """York and n-1 seeded random inspections (hypothesis is for properties, not fixtures)."""
    m = load_methodology("hmip-pdu-2023")
    rng = random.Random(seed)
    docs = [copy.deepcopy(YORK_DOC)]
    for i in range(n - 1):
        standards: dict[str, Any] = {}
        for s in m.standards:
            if s.kind == "case":
                standards[s.id] = {"key_questions": {q.id: {"yes": rng.randint(0, 20), "relevant": 20} for q in s.key_questions}}
            else:
                standards[s.id] = {"judgement": rng.choice(m.scale.ratings), "strengths": ["s"] * rng.randint(0, 2)}
        docs.append({"id": f"random-{i}", "unit": "Random unit", "standards": standards})
    return docs


def test_eight_threads_over_two_methodologies_match_sequential_runs() -> None:
    baseline, variant = load_methodology("hmip-pdu-2023"), _variant(0)
    docs = _documents(40)
    jobs = [(doc, m) for doc in docs for m in (baseline, variant)] * 3
    sequential = [rate(doc, m).to_dict() for doc, m in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda job: rate(*job).to_dict(), jobs))
    assert threaded == sequential
    assert sequential[0]["standards"]["P1.1"]["rating"] != sequential[1]["standards"]["P1.1"]["rating"]


def test_a_thousand_variants_leave_threads_and_memory_flat() -> None:
    def load_and_rate(i: int) -> None:
        data = pdu_2023_data()
        data["guidance"][0]["override"]["max_bands_up"] = i % 3  # York is Inadequate under every limit
        m = methodology_from_dict({**data, "version": f"v{i}"})
        assert rate(YORK_DOC, m).overall == "Inadequate"

    for i in range(50):  # warm up allocator pools
        load_and_rate(i)
    gc.collect()
    threads = threading.active_count()
    held = len(compiler._by_value)  # rulesets of methodologies other tests still reference
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(1000):
        load_and_rate(i)
    gc.collect()
    assert threading.active_count() == threads
    assert len(compiler._by_value) <= held  # no variant's ruleset outlives the variant
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert grown_mb < 40, f"peak memory grew by {grown_mb:.0f} MB over 1000 variants"


def test_rate_many_matches_rate_and_names_the_bad_position() -> None:
    docs = _documents(30)
    expected = [rate(doc, "hmip-pdu-2023").to_dict() for doc in docs]
    assert [r.to_dict() for r in rate_many(docs, "hmip-pdu-2023")] == expected
    bad = copy.deepcopy(docs)
    del bad[7]["unit"]
    try:
        rate_many(bad, "hmip-pdu-2023")
    except ValueError as error:
        assert "inspections[7].unit" in str(error)
    else:
        raise AssertionError("a bad inspection in a batch must raise")


def test_a_worker_count_below_one_is_a_usage_error() -> None:
    from probation_rules import UsageError

    for call in (lambda: rate_many([YORK_DOC], "hmip-pdu-2023", workers=0), lambda: compare("hmip-pdu-2023", "hmip-pdu-2023", [YORK_DOC], workers=0)):
        try:
            call()
        except UsageError as error:
            assert isinstance(error, ValueError)
            assert error.problems[0].path == "workers"
        else:
            raise AssertionError("workers=0 must be refused")


def test_rate_many_in_worker_processes_gives_what_one_process_gives() -> None:
    docs = _documents(30)
    assert [r.to_dict() for r in rate_many(docs, "hmip-pdu-2023", workers=2, chunk_size=7)] == [r.to_dict() for r in rate_many(docs, "hmip-pdu-2023")]
    bad = copy.deepcopy(docs)
    bad[23]["standards"]["P1.1"] = {"judgement": "Great"}
    with pytest.raises(InspectionError) as info:
        rate_many(bad, "hmip-pdu-2023", workers=2, chunk_size=7)
    assert info.value.problems[0].path.startswith("inspections[23].")


def test_a_script_without_a_main_guard_gets_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(
        "import json\n"
        "from probation_rules.batch import rate_many\n"
        "from probation_rules.errors import EngineError\n"
        f"doc = json.loads(open({str(YORK)!r}).read())\n"
        "try:\n"
        "    rate_many([doc] * 20, 'hmip-pdu-2023', workers=2, chunk_size=5)\n"
        "except EngineError as exc:\n"
        "    print('EngineError:', exc.one_line())\n"
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("EngineError:")]  # the parent's; the workers died re-running the script
    assert 'if __name__ == "__main__":' in line and "spawn" in line


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize(("sig", "status", "group"), [(signal.SIGINT, 130, True), (signal.SIGINT, 130, False), (signal.SIGTERM, 143, False)])
def test_an_interrupted_comparison_stops_its_workers_at_once(sig: signal.Signals, status: int, group: bool) -> None:
    """Ctrl-C (to the terminal's process group, or the command alone) or kill: exit at once, no worker left computing."""
    command = [sys.executable, "-m", "probation_rules.cli", "compare", "-a", "hmip-pdu-2023", "-b", str(ROOT / "examples/variants/good-from-70.toml")]
    run = subprocess.Popen([*command, "--simulate", "100000", "-w", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_children(run.pid)) < 3 and time.monotonic() < deadline:  # two workers and multiprocessing's resource tracker
            time.sleep(0.05)
        workers = _children(run.pid)
        assert len(workers) >= 3, "the comparison never started its workers"
        time.sleep(0.5)  # well into the work
        sent = time.monotonic()
        os.killpg(run.pid, sig) if group else run.send_signal(sig)
        _, err = run.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == status and took < 5, (run.returncode, took)
    assert err == b""  # no traceback from the command or a worker
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the command"
