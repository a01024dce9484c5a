"""Coverage-aware judgement when the current side is traffic: each case asserts the exact set
of rules that fire, under observed semantics and (where it differs) under strict ones."""

from __future__ import annotations

from typing import Any

from drift_diff.contracts import SideKind, load_input
from drift_diff.diff import Semantics, diff_baselines
from drift_diff.diff.coverage import MIN_EVIDENCE, evidenced
from drift_diff.diff.facts import Presence
from tests.unit._diff_cases import S, baseline, content, endpoint, obj, resp


def _rules(base: dict[str, Any], cur: dict[str, Any], semantics: Semantics) -> set[str]:
    result = diff_baselines(baseline(base), baseline(cur), semantics=semantics)
    return {c.rule for c in result.changes}


def _observed(base: dict[str, Any], cur: dict[str, Any]) -> set[str]:
    return _rules(base, cur, Semantics.OBSERVED)


def _strict(base: dict[str, Any], cur: dict[str, Any]) -> set[str]:
    return _rules(base, cur, Semantics.STRICT)


def _statuses(**counts: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, n in counts.items():
        out.update(resp(obj({"id": S}, total=n), status.removeprefix("s"), samples=n))
    return out


def test_a_status_always_given_and_gone_from_enough_answers_is_removed() -> None:
    base = endpoint(samples=20, responses=_statuses(s200=20))
    cur = endpoint(samples=20, responses=_statuses(s404=20))
    got = {"response-success-status-removed", "response-non-success-status-added"}
    assert _observed(base, cur) == got == _strict(base, cur)


def test_a_rare_status_not_seen_again_is_unobserved() -> None:
    base = endpoint(samples=30, responses=_statuses(s200=29, s201=1))
    cur = endpoint(samples=29, responses=_statuses(s200=29))
    assert _strict(base, cur) == {"response-success-status-removed"}
    assert _observed(base, cur) == {"response-status-unobserved"}


def test_too_few_current_answers_is_unobserved() -> None:
    base = endpoint(samples=50, responses=_statuses(s200=50))
    cur = endpoint(samples=MIN_EVIDENCE - 1, responses=_statuses(s500=MIN_EVIDENCE - 1))
    assert _observed(base, cur) == {
        "response-status-unobserved",
        "response-non-success-status-added",
    }


def test_304_revalidations_are_not_a_removed_200() -> None:
    base = endpoint(samples=20, responses=_statuses(s200=20))
    cur = endpoint(samples=20, responses=_statuses(s304=20))
    assert "response-success-status-removed" in _strict(base, cur)
    assert _observed(base, cur) == {
        "response-status-unobserved",
        "response-non-success-status-added",
    }
    # and a 304 the current side's clients did not ask for is never removed
    base = endpoint(samples=40, responses=_statuses(s200=20, s304=20))
    cur = endpoint(samples=40, responses=_statuses(s200=40))
    assert _observed(base, cur) == {"response-status-unobserved"}


def test_endpoint_not_called_is_unobserved_not_removed() -> None:
    ok = resp(obj({"id": S}))
    other = {**endpoint(responses=ok), "path": "/other"}
    base_b = baseline(endpoint(responses=ok), other)
    cur_b = baseline(other)
    strict = {c.rule for c in diff_baselines(base_b, cur_b).changes}
    observed = diff_baselines(base_b, cur_b, semantics=Semantics.OBSERVED).changes
    assert strict == {"endpoint-removed"}
    assert [c.rule for c in observed] == ["endpoint-unobserved"]
    assert observed[0].evidence.startswith("seen in 100 requests; not called")


def _accept(seen: int, total: int) -> dict[str, Any]:
    return endpoint(
        samples=total,
        headers={
            "type": "object",
            "properties": {"accept": {**S, "x-seen": [seen, total]}},
            "required": ["accept"] if seen == total else [],
        },
        responses=_statuses(s200=total),
    )


def test_a_header_every_client_sent_is_not_the_server_requiring_it() -> None:
    base, cur = _accept(25, 29), _accept(29, 29)
    assert _strict(base, cur) == {"request-parameter-became-required"}
    assert _observed(base, cur) == set()
    # a header clients newly send every time is an optional parameter, never a required one
    none = endpoint(samples=29, responses=_statuses(s200=29))
    assert _strict(none, cur) == {"new-required-request-parameter"}
    assert _observed(none, cur) == {"new-optional-request-parameter"}
    # clients no longer sending it says nothing about the server
    assert _strict(cur, none) == {"request-parameter-removed"}
    assert _observed(cur, none) == {"request-part-unobserved"}


def _field(props: dict[str, Any], seen: dict[str, int], n: int) -> dict[str, Any]:
    return endpoint(samples=n, responses=resp(obj(props, seen, total=n), samples=n))


def test_a_response_field_gone_from_enough_answers_is_removed() -> None:
    base = _field({"id": S, "name": S}, {}, 20)
    cur = _field({"id": S}, {}, 20)
    assert _observed(base, cur) == {"response-required-property-removed"} == _strict(base, cur)


def test_a_response_field_gone_from_few_answers_is_unobserved() -> None:
    base = _field({"id": S, "name": S}, {}, 20)
    cur = _field({"id": S}, {}, 2)
    assert _observed(base, cur) == {"response-part-unobserved"}
    # a field the base rarely saw is not evidenced by 20 answers without it
    base = _field({"id": S, "name": S}, {"name": 1}, 100)
    cur = _field({"id": S}, {}, 20)
    assert _strict(base, cur) == {"response-optional-property-removed"}
    assert _observed(base, cur) == {"response-part-unobserved"}


def test_observed_values_still_break() -> None:
    base = _field({"id": S}, {}, 3)
    cur = _field({"id": {"type": "integer"}}, {}, 3)
    assert _observed(base, cur) == {"response-property-type-changed"}


def test_request_narrowing_in_traffic_is_unobserved() -> None:
    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return endpoint(
            request={"samples": 50, "content": content(schema, 50)}, responses=resp(obj({}))
        )

    two = obj({"q": {"type": ["integer", "string"]}})
    one = obj({"q": {"type": "integer"}})
    assert _strict(body(two), body(one)) == {"request-property-type-narrowed"}
    assert _observed(body(two), body(one)) == {"request-part-unobserved"}
    assert _observed(body(one), body(two)) == {"request-property-type-widened"}


def test_evidence_floor() -> None:
    assert evidenced(Presence(True, 5, 5), 5)
    assert not evidenced(Presence(True, 4, 4), 50)  # too few in the base
    assert not evidenced(Presence(True, 50, 50), 4)  # too few now
    assert not evidenced(Presence(False, 5, 100), 50)  # 5 % share: 50 misses are plausible
    assert evidenced(Presence(False, 50, 100), 50)
    assert evidenced(Presence(True), 5)  # declared required
    assert not evidenced(Presence(False), 500)  # declared optional: no share to test


def test_input_kinds(tmp_path: Any) -> None:
    har = tmp_path / "t.har"
    har.write_text(
        '{"log": {"entries": [{"startedDateTime": "2024-01-01T00:00:00Z", "request": '
        '{"method": "GET", "url": "http://h/api/x", "headers": []}, "response": {"status": 200, '
        '"headers": [{"name": "Content-Type", "value": "application/json"}], "content": '
        '{"mimeType": "application/json", "text": "{\\"a\\": 1}"}}}]}}'
    )
    assert load_input(har).kind is SideKind.TRAFFIC
    base = tmp_path / "b.json"
    from drift_diff.cli import main

    assert main(["baseline", str(har), "-o", str(base)]) == 0
    assert load_input(base).kind is SideKind.BASELINE


def test_a_field_gone_from_every_status_is_judged_on_pooled_counts() -> None:
    def ep(props: dict[str, Any], statuses: tuple[str, ...]) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for status in statuses:
            responses.update(resp(obj(props, total=1), status, samples=1))
        return endpoint(samples=len(statuses), responses=responses)

    many = tuple(str(200 + i) for i in range(8))
    base = ep({"id": S, "name": S}, many)
    cur = ep({"id": S}, many)
    assert _observed(base, cur) == {"response-required-property-removed"}
    result = diff_baselines(baseline(base), baseline(cur), semantics=Semantics.OBSERVED)
    assert len(result.changes) == 8
    assert result.changes[0].evidence == "present in 8 of 8 responses; now in 0 of 8"
    # too few statuses even pooled: unobserved
    few = many[:3]
    assert _observed(ep({"id": S, "name": S}, few), ep({"id": S}, few)) == {
        "response-part-unobserved"
    }
