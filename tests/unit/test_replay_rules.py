"""The replay rules are documented where users look them up, with their severities."""

from __future__ import annotations

from drift_diff.replay.rules import REPLAY_RULES
from tests.support import REPO


def test_every_replay_rule_is_in_the_docs_with_its_severity() -> None:
    doc = (REPO / "docs" / "formats.md").read_text("utf-8")
    for rule, (severity, _) in REPLAY_RULES.items():
        assert f"| `{rule}` | {severity.value} |" in doc, rule
