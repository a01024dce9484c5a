"""What learning reads of an exchange (``infer.learned.learned_part``): learning from the cut
exchange gives the baseline learning from the whole one gives, and a HAR cut before it is
redacted gives the baseline of the HAR redacted whole."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from drift_diff.baseline import dumps_baseline
from drift_diff.infer import infer_baseline
from drift_diff.infer.learned import learned_part
from drift_diff.traffic.har import read_har
from drift_diff.traffic.traces import iter_raw_exchanges
from tests.support import REPO
from tests.unit.test_har import SECRET_MARKERS, entry, planted_har, write_har
from tests.unit.test_har_parts import CONFORMANCE, mixed_entries

EXAMPLE_TRACES = REPO / "drift_diff" / "_examples" / "traces"


def _both_ways(har: Path) -> tuple[str, str]:
    """The baseline of ``har`` redacted whole, and cut down before redaction."""
    whole = infer_baseline(read_har(har))
    cut = infer_baseline(read_har(har, learn=learned_part))
    return dumps_baseline(whole), dumps_baseline(cut)


@pytest.mark.parametrize(
    "har", sorted(CONFORMANCE.glob("*.har")), ids=lambda p: p.name if isinstance(p, Path) else p
)
def test_every_conformance_har_learns_the_same_cut(har: Path) -> None:
    try:
        whole = dumps_baseline(infer_baseline(read_har(har)))
    except Exception as exc:  # a broken file: the cut path must fail alike
        with pytest.raises(type(exc)):
            infer_baseline(read_har(har, learn=learned_part))
        return
    assert dumps_baseline(infer_baseline(read_har(har, learn=learned_part))) == whole


def test_generated_har_with_secrets_learns_the_same_cut(tmp_path: Path) -> None:
    har = write_har(tmp_path / "mixed.har", mixed_entries(400))
    whole, cut = _both_ways(har)
    assert cut == whole
    assert "@example.org" not in cut  # e-mails masked either way


def test_planted_secrets_stay_out_of_the_cut_baseline(tmp_path: Path) -> None:
    whole, cut = _both_ways(planted_har(tmp_path))
    assert cut == whole
    for marker in SECRET_MARKERS:
        assert marker not in cut, marker


def test_example_traces_learn_the_same_cut() -> None:
    exchanges = list(iter_raw_exchanges([EXAMPLE_TRACES]))
    assert len(exchanges) > 20
    whole = dumps_baseline(infer_baseline(exchanges))
    cut = dumps_baseline(infer_baseline(learned_part(dict(e)) for e in exchanges))  # type: ignore[misc]
    assert cut == whole


def _header_mix(seed: int) -> list[dict[str, Any]]:
    """Entries whose volatile headers come and go from one request to the next (so a batch
    is learned as a table once they are cut, and row by row when they are not)."""
    rng = random.Random(seed)
    volatile = {
        "Cookie": "sid=abc123; theme=dark",
        "User-Agent": "curl/8",
        "Date": "Wed, 01 May 2024 12:00:00 GMT",
        "sec-fetch-mode": "cors",
        "X-Request-Id": "r-1",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    }
    kept = {"Accept": "application/json", "X-Api-Version": "2", "Deprecation": "true"}
    stable = seed % 2 == 1  # the kept headers always all there, in one order
    out = []
    for i in range(300):
        headers = {k: v for k, v in volatile.items() if rng.random() < 0.5}
        headers.update({k: v for k, v in kept.items() if stable or rng.random() < 0.8})
        names = list(headers)
        if not stable:
            rng.shuffle(names)
        resp = {k: volatile[k] for k in volatile if rng.random() < 0.3}
        if rng.random() < 0.2:
            resp["Sunset"] = "Sat, 01 Jun 2030 00:00:00 GMT"
        out.append(
            entry(
                f"https://api.example.com/items/{i % 9}?page={i % 3}",
                req_headers={k: headers[k] for k in names},
                resp_headers=resp,
                text=json.dumps({"id": i, "name": f"n{i % 5}"}),
            )
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_volatile_headers_that_come_and_go_learn_the_same(tmp_path: Path, seed: int) -> None:
    har = write_har(tmp_path / "h.har", _header_mix(seed))
    whole, cut = _both_ways(har)
    assert cut == whole
    learned = json.loads(cut)
    assert learned["endpoints"]  # something was learned, headers included
    assert "x-api-version" in cut and "sid=" not in cut and "curl/8" not in cut


def test_the_cut_keeps_what_learning_reads_and_shares_it() -> None:
    body = {"id": 1}
    exchange = {
        "format": "1.1",
        "id": "x",
        "service": "shop",
        "source": "har",
        "route": "/items/{id}",
        "recorded_at": "2024-01-01T00:00:00.000Z",
        "duration_ms": 3.0,
        "meta": {"har_entry": 0},
        "outbound": [{"kind": "http"}],
        "request": {
            "method": "GET",
            "url": "https://h/items/1?token=abc",
            "path": "/items/1",
            "query": {"token": ["abc"]},
            "headers": {"cookie": ["sid=1"], "accept": ["*/*"], "user-agent": ["x"]},
            "content_type": None,
            "truncated": False,
            "body": body,
            "body_layout": "compact",
        },
        "response": {
            "status": 200,
            "headers": {"x-request-id": ["r"], "deprecation": ["true"]},
            "content_type": "application/json",
            "truncated": False,
            "body_text": "{}",
        },
    }
    before = copy.deepcopy(exchange)
    cut = learned_part(exchange)
    assert exchange == before  # the input is not changed
    assert set(cut) == {"service", "source", "route", "request", "response"}
    assert cut["request"] == {
        "method": "GET",
        "path": "/items/1",
        "query": {"token": ["abc"]},
        "headers": {"accept": ["*/*"]},
        "content_type": None,
        "truncated": False,
        "body": body,
    }
    assert cut["request"]["body"] is body  # shared, not copied
    assert cut["response"]["headers"] == {"deprecation": ["true"]}
    only_kept = {"accept": ["*/*"]}
    assert learned_part({**exchange, "request": {"headers": only_kept}})["request"]["headers"] is (
        only_kept
    )
