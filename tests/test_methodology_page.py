"""The readable methodology page: every rule appears with its evidence and source."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from probation_rules.cli import main
from probation_rules.methodology import bundled_ids, load_methodology, methodology_from_dict
from probation_rules.methodology_page import to_html, to_markdown


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_every_rule_is_on_the_page_with_its_evidence(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    page = to_markdown(m)
    for rule in m.rules():
        lines = [line for line in page.splitlines() if f"`{rule.id}`" in line]
        assert lines, f"rule {rule.id} is missing from the page"
        assert any(rule.evidence in line for line in lines)
    for standard in m.standards:
        assert f"| {standard.id} | {standard.name} |" in page
        for question in standard.key_questions:
            assert question.text in page


def test_the_page_follows_the_data(pdu_data: dict[str, Any]) -> None:
    pdu_data["key_question_bands"]["bands"][2]["at_least"] = 70
    page = to_markdown(methodology_from_dict(pdu_data))
    assert "at least 50% and below 70%" in page
    assert "at least 70% and below 80%" in page


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped(pdu_data: dict[str, Any]) -> None:
    pdu_data["title"] = "Variant <script>alert(1)</script>"
    html = to_html(methodology_from_dict(pdu_data))
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags
    assert "Variant <script>alert(1)</script>" in "".join(parser.text)
    assert "http://" not in html and "https://" not in html
    assert parser.tags.count("table") >= 5


def test_render_command_accepts_a_file(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "hmip-pdu-2023", "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert main(["render", str(tmp_path / "missing.toml")]) == 2
    assert "no such methodology file" in capsys.readouterr().err
