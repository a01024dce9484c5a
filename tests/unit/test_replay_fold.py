from __future__ import annotations

from drift_diff.model import Change, Severity
from drift_diff.replay.fold import fold_replay_findings

B, W = Severity.BREAKING, Severity.WARNING


def _c(
    rule: str,
    location: str,
    sev: Severity = B,
    endpoint: str = "GET /items/{id}",
    before: object = None,
) -> Change:
    return Change(rule, sev, endpoint, location, f"msg {rule}", before=before, evidence="ev")


def test_type_change_seen_by_both_is_one_finding_with_both_evidences() -> None:
    replay = [_c("replay-type-changed", "response.body.items[].price")]
    schema = [_c("response-property-type-changed", "response.200.body.items[].price")]
    left, folded = fold_replay_findings(replay, schema)
    assert left == []
    assert folded[0].rule == "response-property-type-changed"
    assert folded[0].evidence == "ev; replay-type-changed: msg replay-type-changed (ev)"
    assert folded[0].fingerprint == schema[0].fingerprint


def test_status_change_folds_into_the_removed_status_it_explains() -> None:
    replay = [_c("replay-status-changed", "response.status", before=201)]
    schema = [
        _c("response-success-status-removed", "response.201"),
        _c("response-success-status-removed", "response.200"),
    ]
    left, folded = fold_replay_findings(replay, schema)
    assert left == []
    assert "replay-status-changed" in folded[0].evidence
    assert "replay-status-changed" not in folded[1].evidence


def test_unrelated_or_weaker_counterparts_do_not_absorb_a_replay_finding() -> None:
    replay = [
        _c("replay-field-missing", "response.body.name"),  # schema says optional: warning
        _c("replay-value-changed", "response.body.total", W),  # schema cannot see values
        _c("replay-type-changed", "response.body.id"),  # other endpoint in schema
        _c("replay-mock-not-found", "outbound GET http://x/y"),
    ]
    schema = [
        _c("response-optional-property-removed", "response.200.body.name", W),
        _c("response-property-type-changed", "response.200.body.id", endpoint="GET /other"),
    ]
    left, folded = fold_replay_findings(replay, schema)
    assert left == replay
    assert folded == schema
