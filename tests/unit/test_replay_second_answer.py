"""Where two live answers of one build differ, and what that forgives (values and arrays
only; never a missing field, a type, a status), and the mock store after a second answer."""

from __future__ import annotations

from typing import Any

from drift_diff.replay.compare import compare_exchange
from drift_diff.replay.mockserver import MockStore
from drift_diff.replay.noise import unstable_locations


def _answer(body: Any = None, *, status: int = 200, text: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"status": status, "content_type": "application/json"}
    if text is not None:
        response["body_text"], response["content_type"] = text, "text/html"
    else:
        response["body"] = body
    return {"id": "e1", "request": {"method": "GET", "path": "/x"}, "response": response}


def test_unstable_locations_are_generalised_and_arrays_named_whole() -> None:
    first = _answer({"n": 1, "tasks": [{"id": 1}], "rows": [{"v": 1}, {"v": 2}], "same": "x"})
    second = _answer({"n": 9, "tasks": [{"id": 1}, {"id": 2}], "rows": [{"v": 1}, {"v": 3}]})
    second["response"]["body"]["same"] = "x"
    assert unstable_locations(first, second) == {
        "response.body.n",
        "response.body.tasks",
        "response.body.rows[*].v",
    }


def test_another_status_or_content_type_forgives_nothing() -> None:
    assert unstable_locations(_answer({"n": 1}), _answer({"n": 2}, status=500)) == frozenset()
    assert unstable_locations(_answer({"n": 1}), _answer(text="<p>1</p>")) == frozenset()
    assert unstable_locations(_answer(text="<p>1</p>"), _answer(text="<p>2</p>")) == {
        "response.body"
    }


def _rules(recorded: dict[str, Any], live: dict[str, Any], unstable: frozenset[str]) -> set[str]:
    return {
        f"{c.severity.value} {c.location}" for c in compare_exchange(recorded, live, None, unstable)
    }


def test_unstable_values_are_forgiven_but_not_missing_fields_or_types() -> None:
    recorded = _answer({"n": 1, "tasks": [1, 2], "gone": 1, "t": 1, "fixed": "a"})
    live = _answer({"n": 2, "tasks": [1, 2, 3], "t": "one", "fixed": "b"})
    unstable = frozenset(
        {"response.body.n", "response.body.tasks", "response.body.gone", "response.body.t"}
    )
    before = _rules(recorded, live, frozenset())
    after = _rules(recorded, live, unstable)
    assert "warning response.body.n" in before and "warning response.body.tasks[2]" in before
    assert after == {
        "breaking response.body.gone",  # missing: never forgiven
        "breaking response.body.t",  # type changed: never forgiven
        "warning response.body.fixed",  # stable in both live answers: still a change
    }


def test_a_second_answer_leaves_the_store_as_the_first_left_it() -> None:
    call = {
        "kind": "http",
        "seq": 0,
        "request": {"method": "GET", "url": "http://up.local/a"},
        "response": {"status": 200, "body": {"ok": True}},
    }
    store = MockStore([{"id": "e1", "outbound": [call]}])
    wanted = {"kind": "http", "request": {"method": "GET", "url": "http://up.local/a"}}
    assert store.lookup("e1", wanted).entry is not None  # the first answer uses it
    assert store.unused("e1") == []
    with store.asked_again("e1") as within_recording:
        assert store.lookup("e1", wanted).entry is not None  # answered again
        assert within_recording()
        assert (
            store.lookup(
                "e1", {**wanted, "request": {"method": "GET", "url": "http://up.local/b"}}
            ).entry
            is None
        )
        assert not within_recording()  # a call the recording lacks
    assert store.events("e1") == []  # what the second answer reported is gone
    assert store.unused("e1") == []  # and the first answer's use stands
    with store.asked_again("e1"):
        pass
    assert store.unused("e1") == [] and store.events("e1") == []


def test_the_replay_table_keeps_a_hostile_path_one_row() -> None:
    """A recorded path with NUL, ESC, CR/LF and a bidi override: one row, shown escaped."""
    from drift_diff.replay.findings import ReplayRun, RequestOutcome
    from drift_diff.replay.summary import summary_table

    path = "/x\x00\x1b[2J\u202e\r\nimport os#"
    outcome = RequestOutcome("e1", f"GET {path}", "GET", path, 200, 200, error="boom\x1b[31m")
    table = summary_table(ReplayRun("http://127.0.0.1:1", [outcome], []))
    lines = table.splitlines()
    assert len(lines) == 3, table  # header, rule, one row
    assert not any(c in table for c in "\x00\x1b\u202e\r")
    assert "\\x00\\x1b[2J\\u202e import os#" in lines[2]
