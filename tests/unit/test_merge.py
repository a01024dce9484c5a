"""merge(infer(A), infer(B)) == infer(A + B), exactly, for generated traffic (hypothesis)."""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift_diff.baseline import dumps_baseline
from drift_diff.infer import infer_baseline, merge_baselines
from drift_diff.schemas import validation_error
from tests.unit.infer_support import exchange

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(
        [
            "a",
            "b",
            "",
            "2024-05-01",
            "2024-05-01T10:00:00Z",
            "ada@example.com",
            "https://x.example/p",
            "10.0.0.1",
            "::1",
            str(uuid.UUID(int=7)),
            "x" * 70,
        ]
    ),
)
keys = st.sampled_from(["id", "name", "tags", "when", "42", "0190f0a2-1c2b-7d3e-8f4a-5b6c7d8e9f00"])
bodies = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)
ids = st.one_of(
    st.integers(1, 999).map(str),
    st.integers(0, 9).map(lambda n: f"x{n}"),  # id-like literals: the cardinality pass
    st.integers(0, 3).map(lambda n: str(uuid.UUID(int=n))),
    st.just("me"),
)
# few path families, so that parts share endpoints (and literal groups reach the fold threshold)
paths = st.one_of(
    ids.map(lambda i: f"/users/{i}"),
    ids.map(lambda i: f"/{i}/items"),
    st.tuples(ids, ids).map(lambda t: f"/v1/orders/{t[0]}/lines/{t[1]}"),
)


# The strategies each exchange draws from, built once: building them on every draw (and
# validating them again) cost a third of the property tests' time; what is drawn is the same.
_QUERIES = st.dictionaries(
    st.sampled_from(["page", "q", "tag"]),
    st.lists(st.sampled_from(["1", "x", "true", "2.5"]), min_size=1, max_size=2),
    max_size=2,
)
_HEADERS = st.dictionaries(
    st.sampled_from(["accept", "x-tenant", "date"]),
    st.lists(st.sampled_from(["a", "7"]), min_size=1, max_size=1),
    max_size=2,
)
_METHODS = st.sampled_from(["GET", "GET", "POST"])
_STATUSES = st.sampled_from([200, 200, 404])
_RESPONSE_BODIES = st.one_of(st.none(), st.dictionaries(keys, bodies, max_size=3), bodies)
_REQUEST_BODIES = st.one_of(st.none(), bodies)
_SERVICES = st.sampled_from(["shop", "cart", None])
_FORMS = st.sampled_from([None, None, "urlencoded", "multipart"])
_FORM_FIELDS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "file"]), st.sampled_from(["1", "x", ""])),
    max_size=4,
)


@st.composite
def exchanges(draw: st.DrawFn) -> dict[str, Any]:
    path = draw(paths)
    query = draw(_QUERIES)
    headers = draw(_HEADERS)
    raw = exchange(
        draw(_METHODS),
        path,
        status=draw(_STATUSES),
        body=draw(_RESPONSE_BODIES),
        request_body=draw(_REQUEST_BODIES),
        query=query,
        headers=headers,
        service=draw(_SERVICES),
    )
    if draw(st.booleans()) and draw(st.booleans()):
        raw["response"]["body_text"] = raw["response"].pop("body", "text")
        raw["response"]["content_type"] = "text/plain"
    form = draw(_FORMS)
    if form is not None:
        fields = draw(_FORM_FIELDS)
        raw["request"].pop("body", None)
        raw["request"].update(form_body(form, fields))
    return raw


def form_body(kind: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    """A request's body fields for a form of ``fields`` (a ``file`` field is a file part)."""
    if kind == "urlencoded":
        text = urlencode(fields)
        return {"content_type": "application/x-www-form-urlencoded", "body_text": text}
    parts = []
    for name, value in fields:
        head = f'Content-Disposition: form-data; name="{name}"'
        if name == "file":
            head += '; filename="f.bin"\r\nContent-Type: application/octet-stream'
        parts.append(f"--XB\r\n{head}\r\n\r\n{value}\r\n")
    data = ("".join(parts) + "--XB--\r\n").encode()
    return {
        "content_type": "multipart/form-data; boundary=XB",
        "body_b64": base64.b64encode(data).decode(),
    }


def assert_mergeable(traffic: list[dict[str, Any]], cut1: int, cut2: int) -> None:
    parts = [traffic[:cut1], traffic[cut1:cut2], traffic[cut2:]]
    whole = dumps_baseline(infer_baseline(traffic))
    learned = [infer_baseline(p) for p in parts]
    assert dumps_baseline(merge_baselines(learned)) == whole
    assert dumps_baseline(merge_baselines(learned[::-1])) == whole
    nested = merge_baselines([merge_baselines(learned[:2]), learned[2]])
    assert dumps_baseline(nested) == whole


def _cut_anywhere(traffic: list[dict[str, Any]], data: st.DataObject) -> None:
    cut1 = data.draw(st.integers(0, len(traffic)))
    assert_mergeable(traffic, cut1, data.draw(st.integers(cut1, len(traffic))))


_TRAFFIC = st.lists(exchanges(), min_size=3, max_size=40)
_SLOW_OK = [HealthCheck.too_slow]


# Most of each example's time is hypothesis drawing the traffic; the README's pytest runs 60,
# CI's ``-m heavy`` run 500 more.
@settings(max_examples=60, deadline=None, suppress_health_check=_SLOW_OK)
@given(_TRAFFIC, st.data())
def test_merge_of_parts_equals_inference_of_the_whole(
    traffic: list[dict[str, Any]], data: st.DataObject
) -> None:
    _cut_anywhere(traffic, data)


@pytest.mark.heavy
@settings(max_examples=500, deadline=None, suppress_health_check=_SLOW_OK)
@given(_TRAFFIC, st.data())
def test_merge_of_parts_equals_inference_of_the_whole_many_examples(
    traffic: list[dict[str, Any]], data: st.DataObject
) -> None:
    _cut_anywhere(traffic, data)


def test_empty_objects_count_across_parts() -> None:
    traffic = [
        exchange("GET", "/a", body={}),
        exchange("GET", "/a", body={}),
        exchange("GET", "/a", body={"id": 1}),
        exchange("GET", "/a", body={"id": None}),
    ]
    assert_mergeable(traffic, 2, 3)


def test_a_folded_position_absorbs_literals_of_later_parts() -> None:
    traffic = [exchange("GET", f"/users/x{i}") for i in range(8)]
    assert_mergeable(traffic, 6, 7)
    assert_mergeable(traffic, 3, 5)  # neither part alone reaches the threshold


def test_maps_and_formats_across_parts() -> None:
    traffic = [
        exchange("GET", "/m", body={"by": {"name": "2024-01-01"}}),
        exchange("GET", "/m", body={"by": {"42": "soon"}}),
        exchange("GET", "/m", body={"by": {"other": "2024-01-02"}}),
    ]
    assert_mergeable(traffic, 1, 2)
    assert_mergeable(traffic, 0, 2)


@settings(max_examples=60, deadline=None)
@given(st.lists(exchanges(), max_size=20))
def test_learned_baselines_validate_and_merging_one_is_identity(
    traffic: list[dict[str, Any]],
) -> None:
    baseline = infer_baseline(traffic)
    assert validation_error("baseline", baseline.to_dict()) is None
    assert dumps_baseline(merge_baselines([baseline])) == dumps_baseline(baseline)
