"""``action.yml`` run locally: its ``run:`` steps, as the runner would run them, on real files.

The runner substitutes ``${{ inputs.* }}`` / ``${{ github.action_path }}`` expressions, exports
the step's ``env:``, and points ``GITHUB_STEP_SUMMARY`` / ``GITHUB_OUTPUT`` at files it reads
afterwards. This test does the same with temporary files and checks what they hold.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import REPO, free_port

pytestmark = pytest.mark.integration

ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
BASELINE = REPO / "baselines" / "shop.json"
TRACES = REPO / "examples" / "traces"
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _substitute(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr == "github.action_path":
            return str(REPO)
        if expr == "github.token":
            return ""  # tests pass ``github-token`` when they want a comment
        if expr.startswith("inputs."):
            name = expr.removeprefix("inputs.")
            assert name in ACTION["inputs"], f"action.yml uses undeclared input {name}"
            if name in inputs:
                return inputs[name]
            return _substitute(str(ACTION["inputs"][name].get("default", "")), inputs)
        raise AssertionError(f"unexpected expression in action.yml: {expr}")

    return _EXPR.sub(value, text)


def run_action(
    tmp_path: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None
) -> tuple[int, str, str, dict[str, str]]:
    """Run every ``run:`` step except the install (the repo is installed already)."""
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.touch()
    output.touch()
    env = {
        # the test's own CI job must not leak its GITHUB_* context (event, token) into the gate
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        # ``python3`` in the steps must be the interpreter that has this checkout installed
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_TEMP": str(tmp_path),
        **(extra_env or {}),
    }
    code, out, err = 0, "", ""
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step.get("id") == "install":
            continue
        assert step.get("shell") == "bash"
        step_env = {k: _substitute(str(v), inputs) for k, v in (step.get("env") or {}).items()}
        # the runner starts a step in the workspace, or its ``working-directory`` under it
        workspace = Path(env.get("GITHUB_WORKSPACE") or REPO)
        folder = _substitute(str(step.get("working-directory", ".")), inputs)
        done = subprocess.run(
            ["bash", "-e", "-c", _substitute(step["run"], inputs)],
            env={**env, **step_env},
            cwd=workspace / folder,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        code, out, err = done.returncode, out + done.stdout, err + done.stderr
        if code:
            break
    outputs = dict(
        line.split("=", 1) for line in output.read_text("utf-8").splitlines() if "=" in line
    )
    return code, out + err, summary.read_text("utf-8"), outputs


def broken_copy(tmp_path: Path) -> Path:
    """The committed baseline minus an endpoint and a response property: two breaking changes."""
    data: dict[str, Any] = json.loads(BASELINE.read_text("utf-8"))
    broken = copy.deepcopy(data)
    del broken["endpoints"]["GET /users/{user_id}/orders"]
    schema = broken["endpoints"]["GET /products/{product_id}"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    del schema["properties"]["description"]
    if "description" in schema.get("required", []):
        schema["required"].remove("description")
    path = tmp_path / "current.json"
    path.write_text(json.dumps(broken, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


def test_action_declares_what_the_issue_asks() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for name in ("baseline", "traces", "start", "target", "current", "fail-on", "format", "config"):
        assert name in ACTION["inputs"], name
    assert set(ACTION["outputs"]) >= {"breaking", "warning", "info"}
    install = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    assert '"${{ github.action_path }}/sdk" "${{ github.action_path }}"' in install["run"]
    setup = next(s for s in ACTION["runs"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["if"] == "inputs.python-version != ''"


def test_breaking_diff_fails_the_job_and_publishes(tmp_path: Path) -> None:
    current = broken_copy(tmp_path)
    code, log, summary, outputs = run_action(
        tmp_path, {"baseline": str(BASELINE), "current": str(current)}
    )
    assert code == 1, log
    assert int(outputs["breaking"]) >= 2
    assert {"warning", "info", "report"} <= set(outputs)
    assert "endpoint-removed" in summary
    assert "GET /users/{user_id}/orders" in summary
    assert "#" in summary  # Markdown, not the text renderer
    assert "::error" in log  # annotations for the runner
    # anchored to the baseline file at the removed endpoint's line: they show on the diff
    removed = next(
        x for x in log.splitlines() if x.startswith("::error") and "endpoint-removed" in x
    )
    baseline_lines = BASELINE.read_text("utf-8").splitlines()
    anchor = re.search(r"file=([^,]+),line=(\d+),", removed)
    assert anchor, removed
    assert anchor[1] == str(BASELINE).replace(":", "%3A")
    assert '"GET /users/{user_id}/orders"' in baseline_lines[int(anchor[2]) - 1]
    report = json.loads(Path(outputs["report"]).read_text("utf-8"))
    assert report["summary"]["breaking"] == int(outputs["breaking"])


def test_fail_on_none_reports_but_passes(tmp_path: Path) -> None:
    current = broken_copy(tmp_path)
    code, log, summary, outputs = run_action(
        tmp_path,
        {"baseline": str(BASELINE), "current": str(current), "fail-on": "none", "format": "json"},
    )
    assert code == 0, log
    assert int(outputs["breaking"]) >= 2
    assert "endpoint-removed" in summary


def test_unchanged_contract_passes(tmp_path: Path) -> None:
    code, log, summary, outputs = run_action(
        tmp_path, {"baseline": str(BASELINE), "current": str(BASELINE), "fail-on": "warning"}
    )
    assert code == 0, log
    assert outputs["breaking"] == "0" and outputs["warning"] == "0"
    assert summary.strip()


def test_bad_inputs_fail_with_one_clear_line(tmp_path: Path) -> None:
    code, log, _, outputs = run_action(tmp_path, {"baseline": str(BASELINE)})
    assert code == 2
    assert "current" in log and "Traceback" not in log
    assert outputs == {}


def test_replay_check_against_v2_with_committed_traces(tmp_path: Path) -> None:
    """The example workflow's job: replay the committed traces against shop v2."""
    port = free_port()
    start = (
        f"{sys.executable} -m uvicorn shop_v2.app:app --app-dir {REPO / 'examples'} --port {port}"
    )
    code, log, summary, outputs = run_action(
        tmp_path,
        {
            "baseline": str(BASELINE),
            "traces": str(TRACES),
            "start": start,
            "target": f"http://127.0.0.1:{port}",
        },
    )
    assert code == 1, log
    assert int(outputs["breaking"]) > 0
    assert "POST /orders" in summary


def test_example_workflow_uses_the_action_with_declared_inputs() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "driftdiff.yml").read_text("utf-8"))
    uses = [s for job in workflow["jobs"].values() for s in job["steps"] if s.get("uses") == "./"]
    assert len(uses) >= 2
    for step in uses:
        assert set(step["with"]) <= set(ACTION["inputs"]), step["with"]
        assert (REPO / step["with"]["baseline"]).is_file()
        for source in step["with"].get("traces", "").split():
            assert (REPO / source).exists()


def test_pre_commit_hook_runs_driftdiff_diff() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    hook = next(h for h in hooks if h["id"] == "driftdiff-diff")
    assert hook["entry"].split()[:2] == ["driftdiff", "diff"]
    assert "--fail-on-breaking" in hook["entry"]
    assert hook["pass_filenames"] is False


class FakeGitHub(ThreadingHTTPServer):
    """A stand-in for the GitHub REST API's issue comments (one repository, in memory)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GitHubHandler)
        self.comments: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, str]] = []  # method, path, Authorization
        self.fail_with = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _GitHubHandler(BaseHTTPRequestHandler):
    server: FakeGitHub

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: Any) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self) -> None:
        gh = self.server
        gh.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
        if gh.fail_with:
            return self._answer(gh.fail_with, {"message": "Resource not accessible by integration"})
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length)) if length else None
        path = self.path.partition("?")[0]
        listing = re.fullmatch(r"/repos/acme/shop/issues/(\d+)/comments", path)
        one = re.fullmatch(r"/repos/acme/shop/issues/comments/(\d+)", path)
        if listing and self.command == "GET":
            return self._answer(
                200, [c for c in gh.comments.values() if c["issue"] == int(listing[1])]
            )
        if listing and self.command == "POST":
            new = {"id": 1000 + len(gh.comments), "issue": int(listing[1]), "body": payload["body"]}
            gh.comments[new["id"]] = new
            return self._answer(201, new)
        if one and self.command == "PATCH" and int(one[1]) in gh.comments:
            gh.comments[int(one[1])]["body"] = payload["body"]
            return self._answer(200, gh.comments[int(one[1])])
        return self._answer(404, {"message": "Not Found"})

    do_GET = do_POST = do_PATCH = _handle


@pytest.fixture
def github(tmp_path: Path) -> Iterator[tuple[FakeGitHub, dict[str, str]]]:
    server = FakeGitHub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    env = {
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_EVENT_NAME": "pull_request",
    }
    try:
        yield server, env
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


TOKEN = "ghs_test0nly0token0value0000000000000"


def test_pr_comment_is_created_once_then_updated_in_place(
    tmp_path: Path, github: tuple[FakeGitHub, dict[str, str]]
) -> None:
    server, env = github
    # someone else's comment on the same pull request stays untouched
    server.comments[1] = {"id": 1, "issue": 7, "body": "LGTM"}
    current = broken_copy(tmp_path)
    inputs = {"baseline": str(BASELINE), "current": str(current), "github-token": TOKEN}

    code, log, _, _ = run_action(tmp_path, inputs, env)
    assert code == 1, log
    ours = [c for c in server.comments.values() if "<!-- driftdiff:shop -->" in c["body"]]
    assert len(ours) == 1, server.comments
    assert (
        "endpoint-removed" in ours[0]["body"] and "GET /users/{user_id}/orders" in ours[0]["body"]
    )
    assert "comment created" in log
    first_id = ours[0]["id"]

    code, log, _, _ = run_action(tmp_path, {**inputs, "current": str(BASELINE)}, env)
    assert code == 0, log
    ours = [c for c in server.comments.values() if "<!-- driftdiff:shop -->" in c["body"]]
    assert [c["id"] for c in ours] == [first_id]  # the same comment, edited
    assert "endpoint-removed" not in ours[0]["body"]
    assert "comment updated" in log
    assert server.comments[1]["body"] == "LGTM"
    assert {auth for _, _, auth in server.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in log


def test_two_services_keep_separate_comments(
    tmp_path: Path, github: tuple[FakeGitHub, dict[str, str]]
) -> None:
    server, env = github
    base = {"baseline": str(BASELINE), "current": str(BASELINE), "github-token": TOKEN}
    for service in ("orders", "billing", "orders"):
        code, log, _, _ = run_action(tmp_path, {**base, "service": service}, env)
        assert code == 0, log
    bodies = sorted(c["body"].splitlines()[0] for c in server.comments.values())
    assert bodies == ["<!-- driftdiff:billing -->", "<!-- driftdiff:orders -->"]


def test_api_error_is_one_warning_and_keeps_the_verdict(
    tmp_path: Path, github: tuple[FakeGitHub, dict[str, str]]
) -> None:
    server, env = github
    server.fail_with = 403
    current = broken_copy(tmp_path)
    inputs = {"baseline": str(BASELINE), "current": str(current), "github-token": TOKEN}
    code, log, _, outputs = run_action(tmp_path, inputs, env)
    assert code == 1, log  # still failing on the breaking changes, not 2
    assert int(outputs["breaking"]) >= 2
    warnings = [line for line in log.splitlines() if "comment not posted" in line]
    assert len(warnings) == 1 and warnings[0].startswith("::warning"), log
    assert "HTTP 403" in warnings[0]
    assert TOKEN not in log and "Traceback" not in log

    server.fail_with = 0
    code, log, _, _ = run_action(tmp_path, {**inputs, "fail-on": "none"}, env)
    assert code == 0, log


def test_no_comment_outside_a_pull_request_or_when_turned_off(
    tmp_path: Path, github: tuple[FakeGitHub, dict[str, str]]
) -> None:
    server, env = github
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}))
    inputs = {"baseline": str(BASELINE), "current": str(BASELINE), "github-token": TOKEN}
    code, log, _, _ = run_action(tmp_path, inputs, {**env, "GITHUB_EVENT_PATH": str(push)})
    assert code == 0, log
    code, log, _, _ = run_action(tmp_path, {**inputs, "comment": "false"}, env)
    assert code == 0, log
    assert server.requests == []


def test_sarif_meets_code_scanning_rules(tmp_path: Path) -> None:
    """What GitHub code scanning requires beyond the 2.1.0 schema: full rule descriptors, a
    physical location per result (the baseline, relative to the repository, at the endpoint's
    line), fingerprints, and a real (not placeholder) informationUri."""
    current = broken_copy(tmp_path)
    env = {
        "GITHUB_WORKSPACE": str(REPO),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    }
    code, log, _, outputs = run_action(
        tmp_path, {"baseline": str(BASELINE), "current": str(current)}, env
    )
    assert code == 1, log
    assert outputs["service"] == "shop"
    doc = json.loads(Path(outputs["sarif"]).read_text("utf-8"))
    driver = doc["runs"][0]["tool"]["driver"]
    docs = "https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567/docs"
    assert driver["informationUri"] == docs + "/"
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"], rule
        assert rule["help"]["text"] and rule["help"]["markdown"], rule
        assert rule["helpUri"].startswith(docs + "/rules.md#"), rule
    replay = next(r for r in driver["rules"] if r["id"].startswith("replay-"))
    assert replay["helpUri"].endswith(f"/rules.md#{replay['id']}")  # the rule's own row
    results = doc["runs"][0]["results"]
    assert results
    baseline_lines = BASELINE.read_text("utf-8").splitlines()
    for res in results:
        assert res["partialFingerprints"]["driftdiff/v1"]
        physical = res["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "baselines/shop.json"
        line = physical["region"]["startLine"]
        endpoint = res["properties"]["endpoint"]
        assert f'"{endpoint}"' in baseline_lines[line - 1], (endpoint, line)


_PINNED = re.compile(r"^\s*-?\s*uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+(\.\d+)*\s*$")


def test_third_party_actions_pinned_checkouts_without_credentials_pip_cached() -> None:
    files = [REPO / "action.yml", *sorted((REPO / ".github" / "workflows").glob("*.y*ml"))]
    for path in files:
        text = path.read_text("utf-8")
        for line in text.splitlines():
            if re.match(r"^\s*-?\s*uses:", line) and "uses: ./" not in line:
                assert _PINNED.match(line), f"{path.name}: not pinned by SHA with a tag: {line}"
        doc = yaml.safe_load(text)
        steps = (
            doc["runs"]["steps"]
            if "runs" in doc
            else [s for job in doc["jobs"].values() for s in job["steps"]]
        )
        for step in steps:
            uses = step.get("uses", "")
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path
            if uses.startswith("actions/setup-python@") and "runs" not in doc:
                assert step["with"]["cache"] == "pip", path
                for dep in step["with"]["cache-dependency-path"].split():
                    assert (REPO / dep).is_file(), dep


def test_two_services_from_the_config_in_a_working_directory(
    tmp_path: Path, github: tuple[FakeGitHub, dict[str, str]]
) -> None:
    """``services:`` in the config of ``working-directory``: a replay check of shop v2 (breaking)
    and a plain diff that is clean; one summary, one comment, one SARIF for both."""
    server, env = github
    workspace = tmp_path / "repo"
    app = workspace / "apps" / "shop"
    (app / "contracts").mkdir(parents=True)
    (app / "contracts" / "shop.json").write_bytes(BASELINE.read_bytes())
    port = free_port()
    config = {
        "services": [
            {
                "name": "shop-v2",
                "baseline": "contracts/shop.json",
                "traces": [str(TRACES)],
                "start": f"{sys.executable} -m uvicorn shop_v2.app:app "
                f"--app-dir {REPO / 'examples'} --port {port}",
                "target": f"http://127.0.0.1:{port}",
            },
            {
                "name": "catalog",
                "baseline": "contracts/shop.json",
                "current": "contracts/shop.json",
            },
        ]
    }
    (app / "driftdiff.yaml").write_text(yaml.safe_dump(config), "utf-8")
    code, log, summary, outputs = run_action(
        tmp_path,
        {"working-directory": "apps/shop", "github-token": TOKEN},
        {**env, "GITHUB_WORKSPACE": str(workspace)},
    )
    assert code == 1, log
    assert "## driftdiff: 2 services" in summary
    assert summary.count("### shop-v2") == 1 and summary.count("### catalog") == 1
    assert re.search(r"\| catalog \| 0 \| 0 \| 0 \|", summary), summary
    reports = Path(outputs["report"])
    counts = {
        name: json.loads((reports / f"{name}.json").read_text("utf-8"))["summary"]
        for name in ("shop-v2", "catalog")
    }
    assert counts["catalog"]["breaking"] == 0 and counts["shop-v2"]["breaking"] > 0
    assert int(outputs["breaking"]) == counts["shop-v2"]["breaking"]
    assert outputs["service"] == "services"
    # one sticky comment for both services
    ours = [c for c in server.comments.values() if "<!-- driftdiff:services -->" in c["body"]]
    assert len(server.comments) == 1 and len(ours) == 1
    assert "### shop-v2" in ours[0]["body"] and "### catalog" in ours[0]["body"]
    # SARIF: one run, results located in the baseline relative to the repository root
    sarif = json.loads(Path(outputs["sarif"]).read_text("utf-8"))
    assert len(sarif["runs"]) == 1
    results = sarif["runs"][0]["results"]
    assert results and {r["properties"]["service"] for r in results} == {"shop-v2"}
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"]
    }
    assert uris == {"apps/shop/contracts/shop.json"}
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    anchored = [x for x in log.splitlines() if x.startswith("::error file=")]
    assert anchored and all("file=apps/shop/contracts/shop.json" in x for x in anchored)


def test_a_service_that_cannot_run_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    """Its error line goes to the log, the step summary and the PR comment; it quotes the
    source as given, here a URL with credentials and a signature: redacted everywhere."""
    secret = "https://deploy:hunter2secret@127.0.0.1:9/shop.json?X-Amz-Signature=0badc0ffee0123"
    config = tmp_path / "gate.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "services": [
                    {"name": "gone", "baseline": "missing.json", "current": secret},
                    {"name": "ok", "baseline": str(BASELINE), "current": str(BASELINE)},
                ]
            }
        ),
        "utf-8",
    )
    code, log, summary, outputs = run_action(tmp_path, {"config": str(config)})
    assert code == 2, log
    assert "| gone | | | | could not run:" in summary and "| ok | 0 | 0 | 0 |" in summary
    assert outputs["breaking"] == "0" and "Traceback" not in log
    assert any(x.startswith("::error title=driftdiff::gone:") for x in log.splitlines()), log
    for text in (log, summary):
        assert "hunter2secret" not in text and "0badc0ffee0123" not in text


def test_services_config_is_checked_by_the_schema(tmp_path: Path) -> None:
    config = tmp_path / "driftdiff.yaml"
    bad = {"services": [{"name": "x", "baseline": "b.json", "traces": "t", "current": "c"}]}
    config.write_text(yaml.safe_dump(bad), "utf-8")
    code, log, _, outputs = run_action(tmp_path, {"config": str(config)})
    assert code == 2 and "Traceback" not in log and outputs == {}
    assert str(config) in log and "services/0" in log
    twice = {"services": [{"name": "x", "baseline": "b", "current": "c"}] * 2}
    config.write_text(yaml.safe_dump(twice), "utf-8")
    code, log, _, _ = run_action(tmp_path, {"config": str(config)})
    assert code == 2 and '"x" is used more than once' in log
