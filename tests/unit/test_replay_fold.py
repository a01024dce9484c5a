from __future__ import annotations

from drift_diff.model import Change, Severity
from drift_diff.replay.fold import file_under_templates, fold_replay_findings

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


def test_unrelated_counterparts_do_not_absorb_a_replay_finding() -> None:
    replay = [
        _c("replay-value-changed", "response.body.total", W),  # schema cannot see values
        _c("replay-type-changed", "response.body.id"),  # other endpoint in schema
        _c("replay-field-missing", "response.body.name"),  # unrelated rule at that place
        _c("replay-mock-not-found", "outbound GET http://x/y"),
    ]
    schema = [
        _c("response-property-type-changed", "response.200.body.id", endpoint="GET /other"),
        _c("response-property-enum-value-removed", "response.200.body.name", W),
    ]
    left, folded = fold_replay_findings(replay, schema)
    assert left == replay
    assert folded == schema


def test_per_request_evidence_outranks_a_weaker_schema_view_and_is_listed_once() -> None:
    # the same request returned ``name``; across the endpoint it is optional (a warning)
    replay = [_c("replay-field-missing", "response.body[0].name")]
    schema = [_c("response-optional-property-removed", "response.200.body[].name", W)]
    left, folded = fold_replay_findings(replay, schema)
    assert left == []
    assert [(c.rule, c.severity) for c in folded] == [("replay-field-missing", B)]
    assert "response-optional-property-removed: msg" in folded[0].evidence


def test_findings_of_concrete_paths_are_filed_under_the_template_once() -> None:
    replay = [
        _c("replay-type-changed", "response.body.price", endpoint="GET /items/7"),
        _c("replay-type-changed", "response.body.price", endpoint="GET /items/8"),
        _c("replay-value-changed", "response.body.note", W, endpoint="GET /items/7.json"),
    ]
    templates = ["GET /items/{id}", "GET /items/{id}.json", "GET /items/new"]
    filed = file_under_templates(replay, templates)
    assert [(c.rule, c.endpoint) for c in filed] == [
        ("replay-type-changed", "GET /items/{id}"),
        ("replay-value-changed", "GET /items/{id}.json"),
    ]
    assert filed[0].evidence.startswith("GET /items/7: ev; 2 occurrence(s)")
    schema = [_c("response-property-type-changed", "response.200.body.price")]
    left, folded = fold_replay_findings(filed, schema)
    assert [c.rule for c in left] == ["replay-value-changed"]
    assert [c.rule for c in folded] == ["response-property-type-changed"]
    assert "GET /items/7" in folded[0].evidence


def test_a_missing_header_folds_into_the_schema_header_change() -> None:
    replay = [_c("replay-header-missing", "response.headers.x-total-count")]
    schema = [_c("optional-response-header-removed", "response.200.headers.x-total-count", W)]
    left, folded = fold_replay_findings(replay, schema)
    assert left == []
    assert [(c.rule, c.severity) for c in folded] == [("replay-header-missing", B)]


def test_config_downgrades_apply_before_the_fold() -> None:
    # a missing count header, seen by the contract as a required header removed (breaking)
    replay = [_c("replay-header-missing", "response.headers.x-total-count")]
    schema = [_c("required-response-header-removed", "response.200.headers.x-total-count")]
    downgrade = {"replay-header-missing": W, "required-response-header-removed": W}
    left, folded = fold_replay_findings(replay, schema, downgrade)
    assert left == []
    assert [(c.rule, c.severity) for c in folded] == [("required-response-header-removed", W)]
    # only the replay rule downgraded: the contract's view of the same break stays breaking
    left, folded = fold_replay_findings(replay, schema, {"replay-header-missing": W})
    assert [(c.rule, c.severity) for c in folded] == [("required-response-header-removed", B)]


def test_a_content_type_change_folds_into_the_removed_media_type() -> None:
    replay = [_c("replay-content-type-changed", "response.content_type")]
    schema = [
        _c("response-media-type-removed", "response.200.content(application/json)"),
        _c("response-media-type-added", "response.200.content(text/html)", Severity.INFO),
    ]
    left, folded = fold_replay_findings(replay, schema)
    assert left == []
    assert "replay-content-type-changed" in folded[0].evidence
    assert folded[1] == schema[1]
