"""Every HAR of ../shared/conformance/har (Chrome, Firefox, Safari, Charles, Fiddler, Insomnia,
mitmproxy) through the real CLI. Expectations are facts measured on the data (kinds, counts that
do not depend on producer quirks), not snapshots of our output."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.support import REPO, run_cli

pytestmark = pytest.mark.conformance

SCHEMA = json.loads((REPO / "schemas" / "exchange.schema.json").read_text())
BROKEN = "broken-invalid-json.har"
SUMMARY = re.compile(
    r"^(?P<file>\S+\.har): (?P<n>\d+) exchanges? -> (?P<out>\S+); "
    r"skipped (?P<total>\d+)(?: \((?P<kinds>[^)]*)\))?$"
)


class Imported:
    """The result of one ``driftdiff import har`` over the whole corpus (minus the broken file)."""

    def __init__(self, stderr: str, out: Path) -> None:
        self.counts: dict[str, int] = {}
        self.skipped: dict[str, dict[str, int]] = {}
        for line in stderr.strip().splitlines():
            m = SUMMARY.match(line)
            assert m, f"unexpected summary line: {line!r}"
            self.counts[m["file"]] = int(m["n"])
            kinds = dict(k.rsplit(" ", 1) for k in m["kinds"].split(", ")) if m["kinds"] else {}
            self.skipped[m["file"]] = {k: int(v) for k, v in kinds.items()}
            assert sum(self.skipped[m["file"]].values()) == int(m["total"])
        self.out = out

    def exchanges(self, har: str) -> list[dict[str, Any]]:
        path = self.out / (har.removesuffix(".har") + ".jsonl")
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    from tests.support import CONFORMANCE

    if not CONFORMANCE.is_dir():
        pytest.skip("../shared/conformance is absent (CI always has it)")
    files = sorted(str(p) for p in (CONFORMANCE / "har").glob("*.har") if p.name != BROKEN)
    out = tmp_path_factory.mktemp("har-traces")
    res = run_cli("import", "har", *files, "--out", str(out))
    assert res.code == 0, res.stderr
    assert "Traceback" not in res.stderr
    return Imported(res.stderr, out)


def test_every_file_imports_and_every_line_is_a_valid_exchange(
    conformance_dir: Path, imported: Imported
) -> None:
    hars = {p.name for p in (conformance_dir / "har").glob("*.har")} - {BROKEN}
    assert set(imported.counts) == hars
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for har in hars:
        for ex in imported.exchanges(har):
            assert not list(validator.iter_errors(ex)), har
            assert ex["source"] == "har" and ex["service"] and ex["recorded_at"].endswith("Z")


def test_broken_file_is_one_clear_line(conformance_dir: Path, tmp_path: Path) -> None:
    res = run_cli("import", "har", str(conformance_dir / "har" / BROKEN), "--out", str(tmp_path))
    assert res.code == 2
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert re.match(rf"driftdiff: error: \S+{BROKEN}:line 5, column 1: not valid JSON", res.stderr)
    assert list(tmp_path.iterdir()) == []


def test_chrome_api_session_yields_hundreds_of_api_exchanges(imported: Imported) -> None:
    har = "chrome-requestgenerator-665.har"
    exchanges = imported.exchanges(har)
    # 665 fetch() calls; the 11 with status 0 (blocked by the browser) have no response
    assert imported.counts[har] == len(exchanges) >= 600
    assert imported.skipped[har] == {"no-response": 11}
    assert {e["service"] for e in exchanges} == {"requestgenerator.com"}
    assert len({e["response"]["status"] for e in exchanges}) >= 50
    assert sum("body" in e["response"] for e in exchanges) >= 500  # JSON bodies parsed
    assert {e["request"]["method"] for e in exchanges} >= {"GET", "POST", "DELETE"}
    pairs = [
        p.split("=", 1)
        for e in exchanges
        for c in e["request"]["headers"].get("cookie", [])
        for p in c.split("; ")
    ]
    names = Counter(name for name, _ in pairs)  # cookie names are kept, values are redacted
    assert set(names) == {"auth", "cf_ob_info", "cf_use_ob"} and names["auth"] >= 600
    assert ["auth", "true"] not in pairs


def test_static_site_has_no_api_and_counts_assets_by_kind(imported: Imported) -> None:
    har = "chrome-static-site.har"
    assert imported.counts[har] == 0
    kinds = imported.skipped[har]
    assert kinds["css"] >= 10 and kinds["image"] >= 9 and kinds["js"] >= 8
    assert kinds["html"] == 1 and kinds.get("sourcemap") == 1


def test_websocket_capture_counts_websockets(imported: Imported) -> None:
    har = "mitmproxy-export-websocket.har"
    assert imported.counts[har] == 0 and imported.skipped[har] == {"websocket": 3}


def test_bom_file_yields_its_beacon_call(imported: Imported) -> None:
    (ex,) = imported.exchanges("mitmproxy-suite-with-bom.har")
    assert ex["request"]["method"] == "POST" and ex["request"]["path"] == "/metrics"
    assert json.loads(ex["request"]["body_text"])["metadata"]["domain"] == "reqbin.com"


def test_event_stream_is_api_and_its_api_key_is_redacted(imported: Imported) -> None:
    exchanges = imported.exchanges("mitmproxy-export-event_stream.har")
    assert len(exchanges) == 2
    for ex in exchanges:
        assert ex["response"]["content_type"].startswith("text/event-stream")
        (auth,) = ex["request"]["headers"]["authorization"]
        assert auth.startswith("api_key ") and "82856bdd" not in auth


def test_same_call_from_firefox_and_fiddler_gives_the_same_contract(imported: Imported) -> None:
    (ff,) = imported.exchanges("firefox77-navigationmenu.har")
    (fd,) = imported.exchanges("fiddler5-navigationmenu.har")
    for ex in (ff, fd):
        assert ex["request"]["method"] == "POST" and isinstance(ex["response"]["body"], dict)
    assert ff["request"]["path"] == fd["request"]["path"]
    assert ff["response"]["body"].keys() == fd["response"]["body"].keys()


@pytest.mark.parametrize(
    ("har", "api", "kinds"),
    [
        ("altaproxy-html.har", 0, {"html": 1}),
        ("mitmproxy-suite-charles.har", 0, {"html": 1}),
        ("mitmproxy-suite-insomnia.har", 0, {"html": 1}),
        ("mitmproxy-export-corrupted_gzip_body.har", 0, {"html": 1}),
        ("mitmproxy-export-successful_log.har", 1, {"html": 1}),
        ("mitmproxy-export-diff_data.har", 2, {"image": 3}),
        ("mitmproxy-suite-chrome.har", 0, {"html": 1, "image": 1, "no-response": 1}),
        ("mitmproxy-suite-firefox.har", 2, {"html": 3, "image": 6, "js": 3}),
        ("mitmproxy-suite-safari.har", 2, {"html": 5, "image": 5, "js": 3, "font": 3, "css": 1}),
    ],
)
def test_per_file_kinds(imported: Imported, har: str, api: int, kinds: dict[str, int]) -> None:
    assert imported.counts[har] == api
    assert imported.skipped[har] == kinds


def test_browser_sessions_keep_their_json_and_xml_calls(imported: Imported) -> None:
    for har in ("mitmproxy-suite-firefox.har", "mitmproxy-suite-safari.har"):
        types = Counter(
            (e["response"]["content_type"] or "").split(";")[0] for e in imported.exchanges(har)
        )
        assert types == Counter({"application/json": 1, "application/xml": 1}), har
