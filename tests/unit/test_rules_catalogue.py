"""The catalogue is pinned: every rule fires in a test, is documented, has a mirror or a reason."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import drift_diff.diff.rules as rules_pkg
from drift_diff.diff import Semantics, diff_baselines
from drift_diff.diff.messages import MESSAGES
from drift_diff.diff.registry import RULES, Registry, all_rules, rules_markdown
from drift_diff.model import Direction
from tests.support import REPO
from tests.unit._diff_cases import OBSERVED_CASES, POLICY_CASES, RULE_CASES, baseline
from tests.unit._replay_cases import REPLAY_CASES

#: The rules a case fires beside its own, where the case cannot avoid them: an endpoint case
#: renames the only endpoint (one side added, one removed); a map that became an object also
#: shows the object's property as new.
_ALSO_FIRED = {
    "endpoint-added": {"endpoint-removed"},
    "endpoint-removed": {"endpoint-added"},
    "endpoint-retired": {"endpoint-added"},
    "request-map-became-object": {"new-optional-request-property"},
    "response-map-became-object": {"response-optional-property-added"},
    "response-map-became-object-retyped": {"response-optional-property-added"},
}


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_fires(rule_id: str) -> None:
    """The case fires its rule and exactly the rules ``_ALSO_FIRED`` names beside it."""
    base, current = RULE_CASES[rule_id]
    changes = diff_baselines(baseline(base), baseline(current)).changes
    fired = {c.rule: c for c in changes}
    assert set(fired) == {rule_id} | _ALSO_FIRED.get(rule_id, set()), sorted(fired)
    assert fired[rule_id].severity is RULES[rule_id].severity
    assert fired[rule_id].message and "{location}" not in fired[rule_id].message


@pytest.mark.parametrize("rule_id", sorted(POLICY_CASES))
def test_policy_rule_fires_only_under_its_policy(rule_id: str) -> None:
    base, current, config = POLICY_CASES[rule_id]
    assert rule_id not in {
        c.rule for c in diff_baselines(baseline(base), baseline(current)).changes
    }
    changes = diff_baselines(baseline(base), baseline(current), config=config).changes
    assert [c.rule for c in changes] == [rule_id]
    assert changes[0].severity is RULES[rule_id].severity


@pytest.mark.parametrize("rule_id", sorted(OBSERVED_CASES))
def test_coverage_rule_fires_alone_on_traffic(rule_id: str) -> None:
    """The unobserved rules fire only when the current side is traffic, and nothing else does."""
    base, current = OBSERVED_CASES[rule_id]
    strict = diff_baselines(baseline(base), baseline(current)).changes
    assert rule_id not in {c.rule for c in strict}
    observed = diff_baselines(baseline(base), baseline(current), semantics=Semantics.OBSERVED)
    # an endpoint case renames the only endpoint: the new name is an added endpoint
    also = {"endpoint-added"} if rule_id == "endpoint-unobserved" else set()
    assert sorted(c.rule for c in observed.changes) == sorted({rule_id} | also)
    fired = next(c for c in observed.changes if c.rule == rule_id)
    assert fired.severity is RULES[rule_id].severity


@pytest.mark.parametrize("rule_id", sorted(REPLAY_CASES))
def test_replay_rule_fires_alone(rule_id: str) -> None:
    """Each replay rule fires from the real comparison or findings collector, and only it."""
    changes = REPLAY_CASES[rule_id]()
    assert [c.rule for c in changes] == [rule_id]
    assert changes[0].severity is RULES[rule_id].severity
    assert changes[0].message and changes[0].location


def test_every_rule_has_a_firing_case() -> None:
    cases = [set(RULE_CASES), set(OBSERVED_CASES), set(POLICY_CASES), set(REPLAY_CASES)]
    assert {r.id for r in all_rules()} == set().union(*cases)
    assert sum(map(len, cases)) == len(set().union(*cases))


def test_every_rule_has_a_message_and_kebab_id() -> None:
    for r in all_rules():
        # replay rules word their messages from the values they compared (see REPLAY_CASES)
        assert r.id in MESSAGES or r.id in REPLAY_CASES, r.id
        assert r.id == r.id.lower() and " " not in r.id and "_" not in r.id


def test_module_constants_are_registered() -> None:
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        module = importlib.import_module(f"drift_diff.diff.rules.{info.name}")
        for name, value in vars(module).items():
            if (
                name.isupper()
                and not name.startswith("_")
                and isinstance(value, str)
                and " " not in value
                and "-" in value
            ):
                assert value in RULES, f"{info.name}.{name} = {value!r} is not registered"


def test_request_response_rules_are_symmetric_or_say_why_not() -> None:
    for r in all_rules():
        if r.direction is Direction.ENDPOINT:
            continue
        assert r.mirror, f"{r.id} names no mirror and no reason"
        if r.mirror in RULES:
            other = RULES[r.mirror]
            assert other.direction is not r.direction, f"{r.id} mirrors a rule of its own direction"
        else:
            assert " " in r.mirror, f"{r.id}: mirror {r.mirror!r} is neither a rule nor a reason"


def test_docs_rules_md_is_current() -> None:
    doc = REPO / "docs" / "rules.md"
    assert doc.read_text("utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `driftdiff rules --format markdown > docs/rules.md`"
    )
    for r in all_rules():
        assert f"`{r.id}`" in doc.read_text("utf-8")


def test_registry_refuses_duplicates() -> None:
    reg: Registry[int] = Registry("thing")
    reg.register("a", 1)
    with pytest.raises(ValueError, match="duplicate thing id 'a'"):
        reg.register("a", 2)

    @reg.decorator("b")
    def _b() -> None: ...

    assert reg.keys() == ["a", "b"] and "b" in reg and len(reg) == 2


def test_severities_follow_design() -> None:
    expect = {
        "endpoint-removed": "breaking",
        "response-required-property-removed": "breaking",
        "response-optional-property-removed": "warning",
        "response-property-became-optional": "breaking",
        "request-property-became-required": "breaking",
        "new-required-request-property": "breaking",
        "request-property-removed": "warning",
        "request-parameter-removed": "warning",
        "response-property-enum-value-added": "warning",
        "request-parameter-enum-value-removed": "breaking",
        "request-property-became-enum": "breaking",
        "response-property-format-changed": "breaking",
        "response-property-format-removed": "warning",
        "response-property-became-nullable": "breaking",
        "request-property-became-nullable": "info",
        "request-property-became-not-nullable": "breaking",
        "response-media-type-removed": "breaking",
        "request-body-removed": "breaking",
        "request-body-became-required": "breaking",
        "response-optional-property-added": "info",
        "endpoint-added": "info",
        "endpoint-retired": "info",
        "endpoint-deprecated": "info",
        "api-sunset-date-too-small": "warning",
    }
    assert {k: RULES[k].severity.value for k in expect} == expect


def test_rules_cli_lists_catalogue(tmp_path: Path) -> None:
    from tests.support import run_cli

    res = run_cli("rules")
    assert res.code == 0 and "response-property-became-optional" in res.stdout
    assert "replay-mock-not-found" in res.stdout
    res = run_cli("rules", "--format", "json")
    assert res.code == 0 and '"id": "endpoint-removed"' in res.stdout
    assert '"id": "replay-field-missing"' in res.stdout
    res = run_cli("rules", "--format", "markdown")
    assert res.code == 0 and res.stdout == rules_markdown()
