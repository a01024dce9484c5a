"""infer_baseline end to end: grouping, parameters, bodies, determinism, schema, parallel runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.baseline import dumps_baseline
from drift_diff.infer import infer_baseline
from drift_diff.infer.parallel import infer_sources
from drift_diff.schemas import validation_error
from drift_diff.traffic.sources import SourceStats
from drift_diff.traffic.traces import write_exchanges
from tests.unit.infer_support import exchange


def shop_traffic(n: int = 40) -> list[dict]:
    out = []
    for i in range(n):
        out.append(
            exchange(
                "GET",
                f"/api/v1/orders/{1000 + i}",
                body={"id": 1000 + i, "status": "paid", "note": None if i % 2 else "x"},
                query={"expand": ["items"]} if i % 3 == 0 else {},
                headers={"accept": ["application/json"], "user-agent": ["curl"], "date": ["now"]},
            )
        )
        out.append(
            exchange(
                "POST", "/api/v1/orders", status=201, request_body={"qty": i}, body={"id": 5000 + i}
            )
        )
    out.append(exchange("GET", "/api/v1/orders/999", status=404, body={"error": "not_found"}))
    return out


def test_groups_by_endpoint_status_and_media_type() -> None:
    baseline = infer_baseline(shop_traffic())
    assert sorted(baseline.endpoints) == ["GET /api/v1/orders/{order_id}", "POST /api/v1/orders"]
    get = baseline.endpoints["GET /api/v1/orders/{order_id}"]
    assert get["samples"] == 41
    assert get["responses"]["200"]["samples"] == 40
    assert get["responses"]["404"]["content"]["application/json"]["samples"] == 1
    body = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["note"]["type"] == ["null", "string"]
    assert body["properties"]["status"]["x-values"] == ["paid"]
    assert get["path_params"]["properties"]["order_id"]["type"] == "integer"
    assert get["query"]["properties"]["expand"]["x-seen"] == [14, 41]
    assert "expand" not in get["query"].get("required", [])
    assert set(get["headers"]["properties"]) == {"accept"}  # volatile headers left out
    post = baseline.endpoints["POST /api/v1/orders"]
    assert post["request"]["samples"] == 40 and post["request"]["required"] is True
    assert "application/json" in post["request"]["content"]


def test_text_and_truncated_bodies_count_samples() -> None:
    text = exchange("GET", "/page")
    text["response"].update(body_text="<html>", content_type="text/html; charset=utf-8")
    cut = exchange("GET", "/page")
    cut["response"].update(body_text='{"a": [1, 2', content_type="application/json", truncated=True)
    baseline = infer_baseline([text, cut])
    content = baseline.endpoints["GET /page"]["responses"]["200"]["content"]
    assert content["text/html"] == {"samples": 1, "schema": {"type": "string"}}
    assert content["application/json"] == {"samples": 1, "schema": {}}


def test_route_from_the_sdk_wins_over_shape() -> None:
    raw = exchange("GET", "/o/abc", route="/o/{code}")
    assert list(infer_baseline([raw]).endpoints) == ["GET /o/{code}"]


def test_service_and_sources() -> None:
    baseline = infer_baseline(shop_traffic(3))
    assert baseline.service == "shop"
    assert baseline.sources == {"exchanges": 7, "sdk": 7}
    assert infer_baseline(shop_traffic(1), service="other").service == "other"


def test_deterministic_and_valid() -> None:
    traffic = shop_traffic()
    text = dumps_baseline(infer_baseline(traffic))
    assert dumps_baseline(infer_baseline(list(traffic))) == text
    assert validation_error("baseline", json.loads(text)) is None


def test_parallel_inference_equals_sequential(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    write_exchanges(trace, shop_traffic(300))
    stats = SourceStats()
    parallel = infer_sources([trace], workers=2, parallel_min_bytes=1, stats=stats)
    assert stats.exchanges == 601
    sequential = infer_sources([trace], workers=1)
    assert dumps_baseline(parallel) == dumps_baseline(sequential)


def test_parallel_over_many_units_equals_sequential(tmp_path: Path) -> None:
    """Several files and a large file cut into pieces, handed out from one queue."""
    traffic = shop_traffic(400)
    for k in range(5):
        write_exchanges(tmp_path / f"pod{k}.jsonl", traffic[k * 100 : (k + 1) * 100])
    stats = SourceStats()
    parallel = infer_sources([tmp_path], workers=3, parallel_min_bytes=1, stats=stats)
    assert stats.exchanges == 500
    assert dumps_baseline(parallel) == dumps_baseline(infer_sources([tmp_path], workers=1))


def test_parallel_falls_back_to_the_exact_error(tmp_path: Path) -> None:
    from drift_diff.errors import InputError

    trace = tmp_path / "t.jsonl"
    write_exchanges(trace, shop_traffic(50))
    with open(trace, "ab") as fh:
        fh.write(b"{not json}\n" + trace.read_bytes()[:200])
    with pytest.raises(InputError, match=r"t\.jsonl:line 102"):
        infer_sources([trace], workers=2, parallel_min_bytes=1)


def test_bad_line_is_named_by_the_worker_without_a_second_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad line in the second byte range (and one in a gzip file) is named with its line
    number in the whole file by the unit that read it; the sequential reader never runs."""
    import gzip

    from drift_diff.errors import InputError
    from drift_diff.infer import parallel

    def no_second_pass(*args: object, **kwargs: object) -> None:
        raise AssertionError("the input was read a second time")

    monkeypatch.setattr(parallel, "_sequential", no_second_pass)
    lines = write_exchanges(tmp_path / "t.jsonl", shop_traffic(100))
    data = (tmp_path / "t.jsonl").read_bytes().splitlines(keepends=True)
    assert lines == len(data) == 201
    data[150] = b'{"format": "driftdiff.exchange/1", "request": []}\n'
    (tmp_path / "t.jsonl").write_bytes(b"".join(data))
    with pytest.raises(InputError, match=r"t\.jsonl:line 151: exchange needs 'request'"):
        infer_sources([tmp_path / "t.jsonl"], workers=2, parallel_min_bytes=1)
    data[150] = b"{not json\n"
    (tmp_path / "g.jsonl.gz").write_bytes(gzip.compress(b"".join(data)))
    with pytest.raises(InputError, match=r"g\.jsonl\.gz:line 151: not valid JSON"):
        infer_sources(
            [tmp_path / "g.jsonl.gz", tmp_path / "g.jsonl.gz"], workers=2, parallel_min_bytes=1
        )


@pytest.mark.conformance
def test_chrome_har_baseline(conformance_dir: Path) -> None:
    har = conformance_dir / "har" / "chrome-requestgenerator-665.har"
    baseline = infer_sources([har])
    assert validation_error("baseline", baseline.to_dict()) is None
    keys = set(baseline.endpoints)
    assert "GET /api/status/{status_id}" in keys
    assert "GET /api/status/{status_id}/get" in keys  # 59 "208methods"-like literals folded
    assert "GET /api/methods/get" in keys  # words stay
    assert len(keys) < 30
    assert baseline.service == "requestgenerator.com"
