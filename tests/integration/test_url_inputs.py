"""Baselines, documents and HAR files read from object storage by every command that takes one.

The same files on local disk and in a real moto S3 server (``s3_env`` in conftest.py): each
command's output from the URL must be byte-identical to its output from the local file, and
every failure of the store (no bucket, no object, a prefix, refused credentials, an endpoint
that does not answer) is one error line naming the URL, exit 2, no traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from drift_diff.cli import main
from drift_diff.processes import free_port
from tests.integration.conftest import aws_env, moto_server
from tests.unit.infer_support import exchange
from tests.unit.test_har import entry, write_har

pytestmark = pytest.mark.integration

pytest.importorskip("s3fs", reason="the driftdiff[s3] extra is not installed")
boto3 = pytest.importorskip("boto3", reason="the dev extra (moto, boto3) is not installed")
pytest.importorskip("moto.server", reason="moto[server] is not installed")

BUCKET = "contracts"


def _traces(folder: Path, *, total: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        orjson.dumps(exchange("GET", f"/orders/{i}", body={"id": i, "total": total, "n": i}))
        for i in range(6)
    ]
    lines.append(orjson.dumps(exchange("POST", "/orders", status=201, body={"ok": True})))
    (folder / "pod.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def local(s3_env: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two baselines (the second changes a type), the OpenAPI export of the first, traces and a
    HAR file: on disk under the returned folder and at the same keys in the bucket."""
    root = tmp_path_factory.mktemp("contracts")
    v1 = _traces(root / "traces-v1", total="12.50")
    _traces(root / "traces-v2", total="x").joinpath("pod.jsonl").write_bytes(
        (root / "traces-v2" / "pod.jsonl").read_bytes().replace(b'"total":"x"', b'"total":7')
    )
    for name in ("v1", "v2"):
        code = main(
            [
                *("baseline", str(root / f"traces-{name}"), "--service", "shop"),
                *("-o", str(root / f"{name}.json")),
            ]
        )
        assert code == 0
    assert main(["export", "openapi", str(root / "v1.json"), "-o", str(root / "v1.yaml")]) == 0
    write_har(root / "shop.har", [entry(), entry("https://api.example.com/orders/8")])
    (root / "bad.json").write_bytes(b'{"format": "driftdiff.baseline/1",\n  "service": }')
    client = boto3.client("s3", endpoint_url=s3_env)
    client.create_bucket(Bucket=BUCKET)
    for path in [*root.glob("*.*"), *(v1.parent / "traces-v2").glob("*"), *v1.glob("*")]:
        client.put_object(Bucket=BUCKET, Key=str(path.relative_to(root)), Body=path.read_bytes())
    return root


def _same(args: list[str], local: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``args`` with ``{}`` as the local root, then as the bucket: same code and stdout."""
    here = _run([a.replace("{}", str(local)) for a in args], capsys)
    there = _run([a.replace("{}", f"s3://{BUCKET}") for a in args], capsys)
    assert here[0] == there[0], (here[2], there[2])
    assert there[1] == here[1]
    return there[1]


def test_diff_of_two_baselines_in_the_bucket(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _same(["diff", "{}/v1.json", "{}/v2.json", "--format", "json"], local, capsys)
    report = json.loads(out)
    assert report["summary"]["breaking"] >= 1  # the type change was read from the objects


def test_diff_mixes_a_url_and_a_local_file(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    here = _run(["diff", str(local / "v1.json"), str(local / "v2.json"), "-f", "json"], capsys)
    mixed = _run(["diff", f"s3://{BUCKET}/v1.json", str(local / "v2.json"), "-f", "json"], capsys)
    assert mixed[:2] == here[:2]


def test_diff_against_an_openapi_document_in_the_bucket(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _same(["diff", "{}/v1.yaml", "{}/v2.json", "--format", "markdown"], local, capsys)


def test_diff_with_traffic_in_the_bucket(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _same(["diff", "{}/v1.json", "{}/traces-v2", "--format", "json"], local, capsys)
    _same(["diff", "{}/v1.json", "{}/traces-v2/*.jsonl", "--format", "json"], local, capsys)
    _same(["diff", "{}/shop.har", "{}/v1.json", "--format", "json"], local, capsys)


def test_export_and_show_read_a_baseline_url(
    local: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert '"openapi": "3.1' in _same(["export", "openapi", "{}/v1.json", "-o", "-"], local, capsys)
    assert "GET /orders/{" in _same(["show", "{}/v2.json"], local, capsys)


def test_merge_update_generate_and_import_har_from_urls(
    local: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs: dict[str, list[bytes]] = {}
    for root in (str(local), f"s3://{BUCKET}"):
        out = tmp_path / ("a" if root == str(local) else "b")
        out.mkdir()
        assert (
            main(["baseline", "merge", f"{root}/v1.json", f"{root}/v2.json", "-o", f"{out}/m.json"])
            == 0
        )
        code = main(
            [
                *("generate", "pytest", f"{root}/traces-v1", "--baseline", f"{root}/v1.json"),
                *("-o", f"{out}/test_gen.py"),
            ]
        )
        assert code == 0, capsys.readouterr().err
        assert main(["import", "har", f"{root}/shop.har", "-o", f"{out}/traces"]) == 0
        code = main(
            [*("baseline", "update", f"{root}/v1.json", f"{root}/traces-v2/pod.jsonl"),
             *("-o", f"{out}/u.json")]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        outputs[root] = [
            (out / name).read_bytes()
            for name in ("m.json", "test_gen.py", "traces/shop.jsonl", "u.json")
        ]
    here, there = outputs.values()
    assert there == here


def test_update_never_writes_to_the_store(local: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        ["baseline", "update", f"s3://{BUCKET}/v1.json", str(local / "traces-v2")], capsys
    )
    assert code == 2
    assert "read from a store (read-only): name the file to write with -o" in err


def test_check_reads_its_baseline_from_a_url_first(
    local: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the baseline is read before anything is replayed: a missing one stops the run at once
    code, _, err = _run(
        [
            *("check", str(local / "traces-v1"), "--baseline", f"s3://{BUCKET}/nothing.json"),
            *("--target", f"http://127.0.0.1:{free_port()}"),
        ],
        capsys,
    )
    assert code == 2
    assert err.strip() == f"driftdiff: error: s3://{BUCKET}/nothing.json: no such object"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"s3://{BUCKET}/nothing.json", "no such object"),
        ("s3://no-such-bucket/v1.json", "no such object"),
        (f"s3://{BUCKET}/traces-v1", "is a prefix (a folder), not an object"),
        (f"s3://{BUCKET}/bad.json", "line 2 column 14: not valid JSON: Expecting value"),
    ],
)
def test_store_failures_are_one_line_naming_the_url(
    local: Path, url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["show", url], capsys)
    assert code == 2
    assert out == ""
    line = err.strip()
    assert line.startswith(f"driftdiff: error: {url}"), line
    assert message in line
    assert "\n" not in line and "Traceback" not in err


@pytest.fixture(scope="module")
def strict_s3() -> Iterator[str]:
    """A second moto server that checks credentials (moto's IAM: unknown keys are refused)."""
    with moto_server({"INITIAL_NO_AUTH_ACTION_COUNT": "0"}) as url:
        yield url


def test_refused_credentials_are_one_line(
    local: Path, strict_s3: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with aws_env(strict_s3, key="not-a-known-key"):
        for args in (
            ["show", f"s3://{BUCKET}/v1.json"],
            ["baseline", f"s3://{BUCKET}/traces-v1/*.jsonl", "-o", str(local / "never.json")],
        ):
            code, _, err = _run(args, capsys)
            assert code == 2
            assert "access denied" in err and "check the credentials" in err, err
            assert len(err.strip().splitlines()) == 1
            assert "not-a-known-key" not in err


def test_an_endpoint_that_does_not_answer_is_one_line(
    local: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with aws_env(f"http://127.0.0.1:{free_port()}"):  # nothing listens there
        code, _, err = _run(["export", "openapi", f"s3://{BUCKET}/v1.json"], capsys)
    assert code == 2
    line = err.strip()
    assert line.startswith(f"driftdiff: error: s3://{BUCKET}/v1.json: cannot read: "), line
    assert "internal error" not in line and len(line.splitlines()) == 1
