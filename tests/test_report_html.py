"""The HTML report as a person sees it: opened in headless Chromium, screenshotted, and read back.

How "no network requests" is guaranteed: the page carries a Content-Security-Policy that forbids
every fetch (``default-src 'none'``; inline styles and ``data:`` images only), so any request the
page tried would be blocked and logged to the browser console, and the test fails on any console
message at all; a planted page with one external image proves the check sees such a request. The
DOM Chromium builds is also searched for any external address. This needs no debugging protocol
client, only ``--dump-dom`` and ``--enable-logging=stderr``.

Chromium is Debian's ``chromium`` package; ``.ci/run`` installs it when it is missing, and in CI
(``CI`` set) a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from probation_rules import load_methodology
from probation_rules.testing.profiles import ci_requested
from probation_rules.whatif import Comparison, compare, simulated, simulation
from probation_rules.whatif.report_html import CSP
from tests.conftest import ROOT, YORK

EXAMPLE = ROOT / "examples" / "variants" / "good-from-70.toml"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if ci_requested():
        pytest.fail("chromium is required in CI: .ci/run installs Debian's chromium package when it is missing")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI installs it and runs this test")


def browse(page: Path, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """The DOM Chromium built for the page, and every console message it logged."""
    run = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout, [line for line in run.stderr.splitlines() if ":CONSOLE" in line]


class Page(HTMLParser):
    """What a reader of the report sees: matrices with their cells, and the changed-inspection rows."""

    def __init__(self) -> None:
        super().__init__()
        self.matrices: dict[str, list[int]] = {}
        self.current: str | None = None
        self.changed_rows = 0
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "figure" and "matrix" in (a.get("class") or ""):
            self.current = a["data-subject"] or ""
            self.matrices[self.current] = []
        if tag == "g" and a.get("class") == "cell" and self.current is not None:
            self.matrices[self.current].append(int(a["data-count"] or 0))
        if tag == "tr" and a.get("class") == "changed-inspection":
            self.changed_rows += 1


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    return compare(base, variant, simulated(simulation([base, variant], 300, seed=1)))


def test_the_report_renders_in_a_browser_with_no_console_errors_and_no_requests(comparison: Comparison, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(comparison.to_html(limit=10), encoding="utf-8")
    dom, console = browse(page, tmp_path / "profile", "--dump-dom")
    assert console == []
    assert not EXTERNAL.search(dom)
    seen = Page()
    seen.feed(dom)
    assert not {"script", "link", "iframe", "object", "embed"} & seen.tags
    assert list(seen.matrices) == ["overall", "P1.1", "P1.2", "P1.3", "P2.1", "P2.2", "P2.3", "P2.4"]
    for subject, cells in seen.matrices.items():
        assert len(cells) == 16 and sum(cells) == comparison.inspections, subject
    overall = [n for row in comparison.overall.counts for n in row]
    assert seen.matrices["overall"] == overall
    assert seen.changed_rows == 10 < len(comparison.changed)
    assert f"Showing 10 of {len(comparison.changed):,}" in dom

    shot = tmp_path / "report.png"
    _, console = browse(page, tmp_path / "profile", "--window-size=1200,4800", f"--screenshot={shot}", "--hide-scrollbars")
    assert console == []
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (1200, 4800)
    assert shot.stat().st_size > 60_000, "a blank or unstyled page compresses to far less"
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


def test_the_check_sees_a_page_that_makes_a_request(tmp_path: Path) -> None:
    page = tmp_path / "planted.html"
    page.write_text(
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}"></head>'
        '<body><p>hi</p><img src="http://example.invalid/pixel.png"></body></html>',
        encoding="utf-8",
    )
    dom, console = browse(page, tmp_path / "profile", "--dump-dom")
    assert EXTERNAL.search(dom)
    assert any("http://example.invalid/pixel.png" in line and "Content Security Policy" in line for line in console)


def test_the_page_is_self_contained_and_escapes_what_it_quotes(tmp_path: Path) -> None:
    doc = YORK.read_text().replace('"York PDU"', '"<script>alert(1)</script> & York"')
    c = compare("hmip-pdu-2023", EXAMPLE, [__import__("json").loads(doc)])
    html = c.to_html()
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; York" in html
    assert not EXTERNAL.search(html)
    assert html.count('class="changed-inspection"') == 1 and "override.leadership-strengths" in html


def test_where_a_change_began_shows_both_sides_inputs_that_differ(tmp_path: Path) -> None:
    variant = tmp_path / "nearest.toml"
    variant.write_text('extends = "hmip-pdu-2023"\nname = "nearest"\nrationale = "r"\n[change."kq-score"]\nrounding = "nearest"\n')
    doc = __import__("json").loads(YORK.read_text())
    doc["standards"]["P2.1"]["key_questions"] = {"engaging": {"yes": 11, "relevant": 17}, "desistance": 80, "keeping_safe": 80}
    html = compare("hmip-pdu-2023", variant, [doc]).to_html()
    (row,) = re.findall(r'<tr class="changed-inspection">.*?</tr>', html)
    assert "<code>kq-score</code>" in row  # the change it began at, then each side's decision and what each read
    assert '<span class="old">kq-bands.requires-improvement (band Requires improvement)</span> \u2192 <span class="new">kq-bands.good (band Good)</span>' in row
    assert 'banded_percent <span class="old">64.7058...</span> \u2192 <span class="new">65</span>' in row  # 11/17, cut and marked
    assert 'rounding <span class="old">exact</span> \u2192 <span class="new">nearest</span>' in row and "percent 64.7058...," in row
