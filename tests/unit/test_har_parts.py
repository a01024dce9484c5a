"""One HAR file learned on several processes (``infer.har_parts``): the same baseline, counts
and errors as one pass, with every secret still redacted; real worker processes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from driftdiff_sdk.writer import dump_line

from drift_diff.baseline import dumps_baseline
from drift_diff.errors import InputError
from drift_diff.infer import har_parts
from drift_diff.infer.har_parts import har_lines
from drift_diff.infer.parallel import infer_sources
from drift_diff.traffic.har import HarStats, read_har
from drift_diff.traffic.sources import SourceStats
from drift_diff.traffic.traces import write_exchanges
from tests.support import REPO, run_cli
from tests.unit.infer_support import exchange
from tests.unit.test_har import JWT, SECRET_MARKERS, entry, planted_har, write_har

CONFORMANCE = REPO.parent / "shared" / "conformance" / "har"


def mixed_entries(n: int, seed: int = 5) -> list[Any]:
    """API calls on two hosts with secrets in headers and bodies, page assets, malformed
    entries and entries without a response, in a seeded order."""
    rng = random.Random(seed)
    out: list[Any] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.05:
            out.append({"request": {"url": 7}, "response": {}})  # malformed
        elif roll < 0.08:
            out.append(entry(status=0, text=None, mime=""))  # no response
        elif roll < 0.15:
            out.append(entry(f"https://cdn.example.com/app.{i}.js", mime="application/javascript"))
        else:
            host = "api.example.com" if roll < 0.9 else "admin.example.com"
            body = {
                "id": i,
                "owner": f"user{i % 7}@example.org",
                "token": f"tok-{rng.getrandbits(48):x}",
                "tags": ["a", "b"][: i % 3],
                "price": rng.choice([1, 2.5, None]),
            }
            out.append(
                entry(
                    f"https://{host}/orders/{i}?limit={i % 4}",
                    method=rng.choice(["GET", "PUT"]),
                    status=rng.choice([200, 200, 404]),
                    text=json.dumps(body),
                    req_headers={
                        "Authorization": f"Bearer {JWT}" if i % 2 else f"Bearer sk-{i:08d}x",
                        "Cookie": f"sid=s{rng.getrandbits(40):x}; theme=dark",
                    },
                )
            )
    return out


def learn(sources: list[Path], workers: int, **kw: Any) -> tuple[str, SourceStats]:
    stats = SourceStats()
    baseline = infer_sources(sources, workers=workers, stats=stats, parallel_min_bytes=1, **kw)
    return dumps_baseline(baseline), stats


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(har_parts, "MIN_SLICE", 3)  # many slices from small files


def assert_same_run(sources: list[Path], **kw: Any) -> tuple[str, SourceStats]:
    one, one_stats = learn(sources, 1, **kw)
    two, two_stats = learn(sources, 2, **kw)
    assert two == one
    assert two_stats.summary() == one_stats.summary()
    assert two_stats.har == one_stats.har  # entries, API count, skips, first malformed entry
    assert (two_stats.files, two_stats.exchanges) == (one_stats.files, one_stats.exchanges)
    return two, two_stats


def test_slices_cover_every_entry_once() -> None:
    for n in (0, 1, 499, 500, 1001, 50_000):
        for workers in (1, 2, 8):
            pieces = har_parts._slices(n, workers)
            assert pieces, (n, workers)
            assert sorted(i for a, b in pieces for i in range(a, b)) == list(range(n))
            sizes = [b - a for a, b in pieces]
            assert sizes == sorted(sizes, reverse=True)  # largest first
            assert max(sizes) - min(sizes) <= 1


@pytest.mark.usefixtures("small_slices")
def test_generated_har_gives_the_single_pass_baseline_and_counts(tmp_path: Path) -> None:
    har = write_har(tmp_path / "shop.har", mixed_entries(400))
    text, stats = assert_same_run([har])
    assert stats.har.skipped["invalid"] > 0 and stats.har.first_invalid.startswith("entry ")
    assert '"api.example.com"' in text  # the first API entry's host names the service
    assert "tok-" not in text and "sk-0" not in text


@pytest.mark.usefixtures("small_slices")
def test_service_named_by_the_user_and_templates(tmp_path: Path) -> None:
    har = write_har(tmp_path / "shop.har", mixed_entries(120, seed=9))
    text, _ = assert_same_run([har], service="shop", templates=["/orders/{order}"])
    assert '"service": "shop"' in text and "/orders/{order}" in text


@pytest.mark.usefixtures("small_slices")
def test_every_conformance_har(tmp_path: Path) -> None:
    hars = sorted(p for p in CONFORMANCE.glob("*.har") if not p.name.startswith("broken"))
    assert len(hars) >= 10
    learned = 0
    for har in hars:
        try:
            learn([har], 1)
        except InputError as exc:  # a HAR without API traffic fails alike on both paths
            with pytest.raises(InputError) as again:
                learn([har], 2)
            assert str(again.value) == str(exc)
            continue
        assert_same_run([har])
        learned += 1
    assert learned >= 5


@pytest.mark.usefixtures("small_slices")
def test_hars_and_traces_together(tmp_path: Path) -> None:
    first = write_har(tmp_path / "a.har", mixed_entries(150, seed=1))
    second = write_har(tmp_path / "b.har", mixed_entries(90, seed=2))
    traces = tmp_path / "t.jsonl"
    write_exchanges(
        traces, [exchange("GET", f"/orders/{i}", body={"id": i, "x": "y"}) for i in range(30)]
    )
    assert_same_run([first, traces, second])


@pytest.mark.usefixtures("small_slices")
def test_planted_secrets_stay_out_of_a_split_baseline(tmp_path: Path) -> None:
    one = json.loads(planted_har(tmp_path).read_text())["log"]["entries"][0]
    har = write_har(tmp_path / "many.har", [one] * 40)
    text, _ = assert_same_run([har])
    for marker in SECRET_MARKERS:
        assert marker not in text, marker


@pytest.mark.usefixtures("small_slices")
def test_all_malformed_is_the_same_error(tmp_path: Path) -> None:
    har = write_har(tmp_path / "bad.har", [{"request": {}, "response": {}}] * 20)
    messages = []
    for workers in (1, 2):
        with pytest.raises(InputError) as err:
            learn([har], workers)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "no usable entry; first problem: entry 0:" in messages[0]


@pytest.mark.usefixtures("small_slices")
@pytest.mark.parametrize("redact", [True, False])
def test_import_lines_are_the_single_pass_lines(tmp_path: Path, redact: bool) -> None:
    hars = [write_har(tmp_path / "shop.har", mixed_entries(300, seed=4))]
    hars += sorted(p for p in CONFORMANCE.glob("*.har") if not p.name.startswith("broken"))
    for har in hars:
        one, two = HarStats(), HarStats()
        try:
            expected = b"".join(dump_line(x) for x in read_har(har, redact=redact, stats=one))
        except InputError as exc:
            with pytest.raises(InputError) as again:
                har_lines(har, service=None, redact=redact, workers=2, stats=two)
            assert str(again.value) == str(exc)
            continue
        lines = har_lines(har, service=None, redact=redact, workers=2, stats=two)
        assert b"".join(lines) == expected, har.name
        assert two == one
        if har == hars[0]:  # the generated one: its secrets, redacted or kept
            assert (b"sk-0" in expected) == (not redact)


def big_har(tmp_path: Path) -> Path:
    """A HAR above the parallel threshold (8 MiB): the real CLI uses worker processes."""
    entries = mixed_entries(1200, seed=3)
    pad = "x" * 6000  # page-asset bodies: skipped, but they make the file large
    for item in entries[::3]:
        if isinstance(item, dict) and "javascript" in json.dumps(item)[:2000]:
            item["response"]["content"]["text"] = pad
    entries.extend(
        entry(f"https://cdn.example.com/s{i}.css", mime="text/css", text=pad) for i in range(1200)
    )
    har = write_har(tmp_path / "big.har", entries)
    assert har.stat().st_size >= 8 * 1024 * 1024
    return har


def test_cli_splits_a_large_har_into_the_same_file(tmp_path: Path) -> None:
    har = big_har(tmp_path)
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        res = run_cli("baseline", str(har), "--out", str(out), "--workers", workers)
        assert res.code == 0, res.stderr
        outs.append((out.read_bytes(), res.stderr.split(" -> ")[0]))
    assert outs[0] == outs[1]
    assert b"sk-0" not in outs[0][0]


@pytest.mark.parametrize("redact", [[], ["--no-redact"]], ids=["redacted", "no-redact"])
def test_cli_imports_a_large_har_into_the_same_trace(tmp_path: Path, redact: list[str]) -> None:
    har = big_har(tmp_path)
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        res = run_cli("import", "har", str(har), "--out", str(out), "--workers", workers, *redact)
        assert res.code == 0, res.stderr
        outs.append(((out / "big.jsonl").read_bytes(), res.stderr.replace(str(out), "OUT")))
    assert outs[0] == outs[1]
    assert (b"sk-0" in outs[0][0]) == bool(redact)
