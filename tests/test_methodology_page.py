"""The readable methodology page: every rule appears with its evidence and source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest

from probation_rules.cli import main
from probation_rules.methodology import bundled_ids, load_methodology, methodology_from_dict
from probation_rules.methodology_page import to_html, to_markdown

ROOT = Path(__file__).resolve().parent.parent


def cited(node: Any, path: str = "") -> Iterator[tuple[str, Any, str, str]]:
    """Every object in a methodology that states a citation: (path, object, citation, evidence).

    Found by walking the data, not by listing the kinds of rule, so a new kind of cited object
    (a standard, its key questions, the in-force dates) is covered without editing the test.
    """
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if field.name.endswith("citation") and value is not None:
                evidence = getattr(node, field.name.replace("citation", "evidence"))
                yield f"{path}.{field.name}", node, value, evidence
            elif field.name not in ("source", "lineage"):
                yield from cited(value, f"{path}.{field.name}")
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from cited(item, f"{path}[{i}]")


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


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_every_cited_object_is_on_the_page_with_its_citation_and_evidence(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    lines = to_markdown(m).splitlines()
    found = list(cited(m))
    assert len(found) > len(list(m.rules())) // 2
    for path, _, citation, evidence in found:
        shown = citation.replace("|", "\\|")
        # a row citing its table's source says "as above"; the table's own line carries the citation
        with_citation = [line for line in lines if shown in line]
        assert with_citation, f"{methodology_id}{path}: citation not on the page: {citation!r}"
        assert any(evidence in line for line in with_citation), f"{methodology_id}{path}: evidence {evidence!r} not beside its citation"


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_every_standard_row_shows_its_evidence_and_source(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    page = to_markdown(m)
    assert "| Standard | Name | Rated by | Scored | Key questions | Evidence | Source |" in page
    for s in m.standards:
        (row,) = [line for line in page.splitlines() if line.startswith(f"| {s.id} | {s.name} |")]
        assert row.split(" | ")[-2].startswith(s.evidence or "not stated")
        assert (s.citation or "not stated") in row
        if s.key_questions_evidence and s.key_questions_evidence != s.evidence:
            assert f"key questions: {s.key_questions_evidence}" in row


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_the_evidence_tally_counts_rules_and_standards(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    page = to_markdown(m)
    assert "| Evidence level | Rules | Standards | Key questions (standards) |" in page
    for level in ("published", "data", "recalled", "inferred"):
        rules = sum(1 for r in m.rules() if r.evidence == level)
        standards = sum(1 for s in m.standards if s.evidence == level)
        questions = sum(1 for s in m.standards if s.key_questions and (s.key_questions_evidence or s.evidence) == level)
        assert f"| {level} | {rules} | {standards} | {questions} |" in page


@pytest.mark.parametrize("methodology_id", [i for i in bundled_ids() if not load_methodology(i).guidance])
def test_a_methodology_without_guidance_says_so_and_why(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    page = to_markdown(m)
    assert "guidance below" not in page
    assert "this methodology has no rating decision guidance, so that holds for every judged standard" in page
    assert "## Rating decision guidance\n\nNone:" in page
    assert m.description and m.description in page, f"{methodology_id}: say in its description why it has no guidance"
    assert "guidance" in m.description


def test_a_methodology_with_guidance_points_to_it() -> None:
    with_guidance = [load_methodology(i) for i in bundled_ids() if load_methodology(i).guidance]
    assert with_guidance
    for m in with_guidance:
        page = to_markdown(m)
        assert "unless the rating decision guidance below applies to it" in page
        assert "None:" not in page


def test_the_in_force_dates_show_their_evidence(pdu_data: dict[str, Any]) -> None:
    page = to_markdown(methodology_from_dict(pdu_data))
    (line,) = [line for line in page.splitlines() if line.startswith("In force from")]
    assert f"(evidence: **{pdu_data['in_force_evidence']}**; source: {pdu_data['in_force_citation']})" in line
    del pdu_data["in_force_evidence"], pdu_data["in_force_citation"]
    assert "(evidence: **not stated**; source: not stated)" in to_markdown(methodology_from_dict(pdu_data))


def test_in_force_provenance_comes_as_a_pair(pdu_data: dict[str, Any]) -> None:
    from probation_rules import MethodologyError

    del pdu_data["in_force_evidence"]
    with pytest.raises(MethodologyError, match="in_force_evidence: must be given with in_force_citation"):
        methodology_from_dict(pdu_data)


def test_the_site_navigation_lists_every_bundled_methodology_page() -> None:
    # Read as text: the tests run without the docs extras (no YAML parser). The nav is the last
    # top-level key's block; each page in it is "- Title: path" or "- path".
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:") :]
    listed = set(re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?([\w./\-]+\.md)\s*$", nav, re.MULTILINE))
    assert {f"methodologies/{i}.md" for i in bundled_ids()} | {"methodologies/index.md"} <= listed
    # With strict: true, a page left out of the nav then fails the build.
    assert re.search(r"^validation:\n(?:  .*\n)*  nav:\n(?:    .*\n)*    omitted_files: warn$", config, re.MULTILINE)
    assert re.search(r"^strict: true$", config, re.MULTILINE)


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
    assert f"{tmp_path / 'missing.toml'}: no such file" in capsys.readouterr().err
