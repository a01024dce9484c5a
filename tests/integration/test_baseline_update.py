"""``driftdiff baseline update``: an intended contract change rewrites the committed baseline."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.support import run_cli

REPO = Path(__file__).resolve().parents[2]
TRACES = REPO / "examples" / "traces" / "shop-000.jsonl"
PRODUCT = "GET /products/{product_id}"
ENDPOINTS = {
    "GET /orders/{order_id}",
    "GET /products",
    PRODUCT,
    "GET /users/{user_id}/orders",
    "POST /orders",
}


def _changed_traffic(tmp_path: Path) -> Path:
    """The changed service's traffic: product pages without ``description`` (on purpose) and a
    new ``DELETE /orders/{order_id}``; nothing else was exercised."""
    lines: list[dict[str, Any]] = [json.loads(line) for line in TRACES.read_text().splitlines()]
    out: list[dict[str, Any]] = []
    for ex in lines:
        if ex["route"] == "/products/{product_id}":
            body = ex["response"].get("body")
            if isinstance(body, dict):
                body.pop("description", None)
            out.append(ex)
        elif ex["route"] == "/orders/{order_id}" and ex["response"]["status"] == 200:
            gone = json.loads(json.dumps(ex))
            gone["id"] = uuid.uuid4().hex
            gone["request"]["method"] = "DELETE"
            out.append(gone)
    path = tmp_path / "v2.jsonl"
    path.write_text("".join(json.dumps(ex) + "\n" for ex in out))
    return path


def _baseline(tmp_path: Path) -> Path:
    path = tmp_path / "shop.json"
    shutil.copy(REPO / "baselines" / "shop.json", path)
    return path


def _endpoints(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["endpoints"]  # type: ignore[no-any-return]


def _props(path: Path) -> set[str]:
    answer = _endpoints(path)[PRODUCT]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    return set(schema["properties"])


def test_update_replaces_exercised_endpoints_and_the_gate_then_passes(tmp_path: Path) -> None:
    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    before = base.read_bytes()
    gate = ["diff", str(base), str(v2), "--fail-on-breaking"]
    assert run_cli(*gate).code == 1  # the change breaks the committed contract

    result = run_cli("baseline", "update", str(base), str(v2))
    assert result.code == 0, result.stderr
    assert "1 updated, 1 added, 0 dropped, 4 kept (not exercised)" in result.stderr
    # the accepted breaking change is listed for the reviewer
    assert "breaking" in result.stderr and "description" in result.stderr
    assert set(_endpoints(base)) == ENDPOINTS | {"DELETE /orders/{order_id}"}
    assert "description" not in _props(base)
    # endpoints the new traffic did not exercise are byte-for-byte what they were
    old = json.loads(before)["endpoints"]
    assert _endpoints(base)["POST /orders"] == old["POST /orders"]
    assert run_cli(*gate).code == 0, "the updated baseline accepts the change"


def test_merge_keeps_old_evidence_and_drop_retires(tmp_path: Path) -> None:
    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    out = tmp_path / "merged.json"
    result = run_cli(
        "baseline",
        "update",
        str(base),
        str(v2),
        "--merge",
        "--drop",
        "POST /orders",
        "-o",
        str(out),
    )
    assert result.code == 0, result.stderr
    assert "description" in _props(out)  # merged: still known, now optional
    assert "POST /orders" not in _endpoints(out) and "1 dropped" in result.stderr
    assert run_cli("baseline", "update", str(base), str(v2), "--drop", "/nothing").code == 2


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    before = base.read_bytes()
    result = run_cli("baseline", "update", str(base), str(v2), "--dry-run")
    assert result.code == 0 and "dry run" in result.stderr
    assert base.read_bytes() == before


def test_same_traffic_gives_the_same_file(tmp_path: Path) -> None:
    base = _baseline(tmp_path)
    before = base.read_bytes()
    assert run_cli("baseline", "update", str(base), str(TRACES)).code == 0
    assert base.read_bytes() == before


def test_refuses_symlinks_inputs_and_rev_without_output(tmp_path: Path) -> None:
    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    before, traffic = base.read_bytes(), v2.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(base)
    for args, needle in (
        ((str(link), str(v2)), "symbolic link"),
        ((str(base), str(v2), "-o", str(v2)), "is an input"),
        (("HEAD:shop.json", str(v2)), "name the file to write with -o"),
        ((str(base), str(v2), "--exclude", "/a/**b"), "--exclude"),
    ):
        result = run_cli("baseline", "update", *args, cwd=tmp_path)
        assert result.code == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr
    assert base.read_bytes() == before and v2.read_bytes() == traffic


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pull_request_flow_from_the_target_branch(tmp_path: Path) -> None:
    """Start from the baseline as committed (``HEAD:shop.json``), write the working copy: the
    pull request's diff of shop.json is the contract change."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    git("init", "-q")
    git("add", "shop.json")
    git("commit", "-q", "-m", "baseline")
    result = run_cli(
        "baseline", "update", "HEAD:shop.json", str(v2), "-o", "shop.json", cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    patch = git("diff", "--", "shop.json")
    removed = [line for line in patch.splitlines() if line.startswith("-")]
    assert any('"description": {' in line for line in removed), patch
    assert '+    "DELETE /orders/{order_id}": {' in patch
    assert run_cli("diff", "HEAD:shop.json", "shop.json", cwd=tmp_path).code == 0
    check = run_cli("diff", "HEAD:shop.json", "shop.json", "--fail-on-breaking", cwd=tmp_path)
    assert check.code == 1  # what the reviewer approves: a breaking change, stated
    assert base.is_file()


def test_statuses_not_provoked_again_are_kept(tmp_path: Path) -> None:
    base, v2 = _baseline(tmp_path), _changed_traffic(tmp_path)
    only_200 = [line for line in v2.read_text().splitlines() if '"status": 200' in line]
    v2.write_text("\n".join(only_200) + "\n")
    assert run_cli("baseline", "update", str(base), str(v2)).code == 0
    product = _endpoints(base)[PRODUCT]
    assert set(product["responses"]) == {"200", "404", "422"}
    assert "description" not in _props(base)
    assert product["samples"] == sum(r["samples"] for r in product["responses"].values())
