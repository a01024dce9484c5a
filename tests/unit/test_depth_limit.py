"""One nesting limit (``driftdiff_sdk.limits``): what the SDK keeps, the diff still judges."""

from __future__ import annotations

from typing import Any

import pytest
from driftdiff_sdk.limits import MAX_DEPTH
from driftdiff_sdk.redact import Redactor

from drift_diff.diff import diff_baselines
from tests.unit._diff_cases import baseline, endpoint, obj, resp


def _nested(leaf: dict[str, Any], levels: int) -> dict[str, Any]:
    schema = obj({"leaf": leaf})
    for _ in range(levels - 1):
        schema = obj({"a": schema})
    return schema


@pytest.mark.parametrize("levels", [52, MAX_DEPTH - 8])
def test_a_change_deep_inside_a_body_the_sdk_keeps_is_found(levels: int) -> None:
    """Deeper than the structural diff's old cut-off (48), within the one limit."""
    base = endpoint(responses=resp(_nested({"type": "integer"}, levels)))
    current = endpoint(responses=resp(_nested({"type": "string"}, levels)))
    changes = diff_baselines(baseline(base), baseline(current)).changes
    assert [c.rule for c in changes] == ["response-property-type-changed"]
    assert changes[0].location.endswith(".a" * (levels - 1) + ".leaf")


def test_the_sdk_keeps_bodies_up_to_the_limit_and_cuts_deeper() -> None:
    def nest(levels: int) -> Any:
        body: Any = 1
        for _ in range(levels):
            body = {"a": body}
        return body

    assert Redactor().redact_json(nest(MAX_DEPTH - 1)) == nest(MAX_DEPTH - 1)
    assert Redactor().redact_json(nest(MAX_DEPTH + 5)) != nest(MAX_DEPTH + 5)
