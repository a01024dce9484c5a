"""Text bodies compare token by token: values of a kind (ids, times, durations after a timing
word, redaction placeholders and their live values) may differ, nothing else may."""

from __future__ import annotations

import pytest

from drift_diff.model import Severity
from drift_diff.replay.compare import compare_exchange
from drift_diff.replay.text_tokens import MAX_CHARS, same_text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # datasette's footer, and the same with the number and unit apart
        ("<p>Queries took 7.55ms</p>", "<p>Queries took 4.196ms</p>"),
        ("Rendered; took 12 ms.", "Rendered; took 7 ms."),
        (
            "request 3f1c9a2e-4b6d-4e8f-9a1b-2c3d4e5f6a7b done",
            "request 9b2e1c4d-5f6a-4b7c-8d9e-0f1a2b3c4d5e done",
        ),
        ("at 2026-12-07T12:00:01Z", "at 2026-12-07T12:03:59.120Z"),
        ("<td>a@b.example</td>", "<td>a@b.example</td>"),
    ],
)
def test_values_of_a_kind_may_differ(before: str, after: str) -> None:
    assert same_text(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>3 rows</p>", "<p>4 rows</p>"),  # a count: no timing word before it
        ("status: active", "status: deleted"),
        ("<li>a</li>", "<li>a</li><li>b</li>"),  # one more item
        ("took 7.55ms", "took 7.55ms extra"),
        ("Queries took 7.55ms", "Queries took a while"),  # a duration became prose
        ("id,name\n1,Ann", "id,name\n1,Bob"),
    ],
)
def test_anything_else_is_a_change(before: str, after: str) -> None:
    assert not same_text(before, after)


def test_huge_texts_compare_whole() -> None:
    base = "took 1ms " * (MAX_CHARS // 9 + 1)
    assert same_text(base, base)
    assert not same_text(base, base.replace("1ms", "2ms", 1))


def _exchange(text: str, method: str = "GET") -> dict[str, object]:
    return {
        "id": "e1",
        "request": {"method": method, "path": "/page"},
        "response": {"status": 200, "content_type": "text/html", "body_text": text},
    }


def test_an_html_page_whose_timing_changed_is_silent() -> None:
    rec = _exchange("<footer>Queries took 7.55ms</footer>")
    assert compare_exchange(rec, _exchange("<footer>Queries took 4.196ms</footer>")) == []


def test_an_html_page_whose_words_changed_is_a_warning() -> None:
    rec = _exchange("<h1>Books</h1><footer>Queries took 7.55ms</footer>")
    found = compare_exchange(rec, _exchange("<h1>Films</h1><footer>Queries took 4ms</footer>"))
    assert [(c.rule, c.severity, c.location) for c in found] == [
        ("replay-value-changed", Severity.WARNING, "response.body")
    ]
