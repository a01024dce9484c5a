"""Reports of findings whose fields hold hostile text, through ``driftdiff diff -o``.

Field names come from recorded traffic and documents: control characters, CR/LF, pipes,
backticks, ``@mentions`` and terminal escapes must not break the JUnit XML, split or add
Markdown table rows, mention anyone, or reach a CI log as escape sequences. Each output is read
back with a real parser (lxml, markdown-it-py) or the workflow-command grammar.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support import run_cli
from tests.unit._diff_cases import S, baseline, endpoint, obj, resp

HOSTILE = [
    "cr\rhere",
    "lf\nhere",
    "crlf\r\n| fake | row | x | y | z |",
    "pipe|a|b",
    "tick`code`",
    "ticks``` x",
    "@octocat",
    "hi @github/security-team",
    "esc\x1b[2J\x1b]8;;http://evil\x07link\x1b]8;;\x07",
    "nul\x00vt\x0bff\x0c",
    "bell\x07del\x7fcsi\x9b31m",
    "<script>alert(1)</script>",
    "%0A::error::forged, a:b",
    "line\u2028sep\u2029para\x85nel",
    "lone\ud800surrogate\ufffe",
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("reports")
    # one hostile field per endpoint: separate changes, so the reports show one entry each
    # (fields of one object on the same endpoints would be one group)
    base = [
        {**endpoint(responses=resp(obj({"id": S, name: S}))), "path": f"/pets{i}/{{id}}"}
        for i, name in enumerate(HOSTILE)
    ]
    cur = [{**e, "responses": resp(obj({"id": S}))} for e in base]
    b, c = tmp / "base.json", tmp / "current.json"
    # ensure_ascii: the lone surrogate is written as JSON's \ud800 escape
    b.write_text(json.dumps(baseline(*base).to_dict()), "utf-8")
    c.write_text(json.dumps(baseline(*cur).to_dict()), "utf-8")
    out: dict[str, str] = {}
    for fmt in ("junit", "markdown", "github"):
        target = tmp / f"report.{fmt}"
        result = run_cli("diff", str(b), str(c), "--format", fmt, "-o", str(target))
        assert result.code == 0, result.stderr
        out[fmt] = target.read_text("utf-8")
    return out


def test_junit_with_control_characters_is_valid_xml(reports: dict[str, str]) -> None:
    from lxml import etree

    root = etree.fromstring(reports["junit"].encode("utf-8"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(HOSTILE)
    names = " ".join(case.get("name") for case in cases)
    assert "nul\\x00vt\\x0bff" in names  # visible, not dropped
    assert "lone\\ud800surrogate\\ufffe" in names


def test_markdown_keeps_one_row_per_finding(reports: dict[str, str]) -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(reports["markdown"])
    body_rows = 0
    in_body = False
    for tok in tokens:
        if tok.type == "tbody_open":
            in_body = True
        elif tok.type == "tbody_close":
            in_body = False
        elif tok.type == "tr_open" and in_body:
            body_rows += 1
    assert body_rows == len(HOSTILE)
    cells = [t for t in tokens if t.type == "inline"]
    html = md.render(reports["markdown"])
    assert "<script>" not in html
    # a code span per location: the backticks inside did not end it early
    codes = [c.content for t in cells for c in (t.children or []) if c.type == "code_inline"]
    assert any("ticks``` x" in code for code in codes)
    assert any("pipe|a|b" in code for code in codes)
    # mentions are broken in text; code spans never mention
    plain = " ".join(c.content for t in cells for c in (t.children or []) if c.type == "text")
    assert not re.search(r"(?<![A-Za-z0-9])@[A-Za-z0-9]", plain), plain
    assert "\x1b" not in reports["markdown"] and "\r" not in reports["markdown"]


def test_github_annotations_carry_no_escape_codes(reports: dict[str, str]) -> None:
    text = reports["github"]
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    lines = text.splitlines()
    assert len(lines) == len(HOSTILE) + 1  # one command per finding, the headline last
    for line in lines:
        # a finding is anchored to the baseline file (and line, where known); the headline is not
        match = re.fullmatch(
            r"::(error|warning|notice) (?:file=[^,:]+,(?:line=\d+,)?)?title=([^:]*)::(.*)", line
        )
        assert match, line
        assert "," not in match.group(2).replace("%2C", "")  # the title property stays whole
    # the message keeps ':' and ',' (only properties encode them); '%' is encoded, so the
    # runner does not decode the recorded "%0A" into a new line and a second command
    forged = [line for line in lines if "forged" in line]
    assert len(forged) == 1 and "body.%250A::error::forged, a:b was removed" in forged[0]
