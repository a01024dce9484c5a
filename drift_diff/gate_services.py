"""The gate over several services: one Action run, one summary, one pull-request comment.

When the Action's ``baseline`` input is empty, the config file (the ``config`` input, else the
one ``driftdiff.yaml``/``pyproject.toml`` found from the working directory up to the
repository root) lists the services under ``services:`` (format in
``schemas/config.schema.json``; paths relative to the config file's folder)::

    services:
      - name: orders
        baseline: services/orders/baseline.json
        traces: services/orders/traces
        start: uvicorn orders.app:app --port 8001
        target: http://127.0.0.1:8001
      - name: billing
        baseline: services/billing/baseline.json
        current: services/billing/openapi.yaml

Each service is gated as a single-service run would gate it (``gate.report_for``), one after
the other (each replay starts its own service: running them at once would fight over ports and
CPU). A service that cannot run is reported and counted as an error; the others still run.
Then, once for all of them:

* the log: each service's report and anchored annotations;
* ``$GITHUB_STEP_SUMMARY``: a table of the services' counts, then each service's Markdown report;
* the pull-request comment (marker ``services``, or the ``service`` input), the same Markdown;
* SARIF: one file, one run, every service's results located in its own baseline;
* ``$GITHUB_OUTPUT``: the totals, ``report`` (the folder of per-service JSON reports, named
  ``<service>.json``), ``sarif`` and ``service``;
* the exit code: 2 when a service could not run, else 1 when the totals reach ``fail-on``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drift_diff.errors import ConfigError, DriftDiffError, UsageError, quoted
from drift_diff.traffic.urls import is_url

__all__ = ["Service", "load_services", "run_services", "wants_services"]

_KINDS = ("breaking", "warning", "info")
#: the comment marker (and SARIF category) of a multi-service run without a ``service`` input
DEFAULT_NAME = "services"


@dataclass(frozen=True)
class Service:
    name: str
    baseline: str
    traces: tuple[str, ...] = ()
    start: str = ""
    target: str = ""
    current: str = ""


def _get(env: Mapping[str, str], name: str) -> str:
    upper = name.upper()
    for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
        if env.get(key, "").strip():
            return env[key].strip()
    return ""


def _config_path(env: Mapping[str, str]) -> Path | None:
    given = _get(env, "config")
    if given:
        return Path(given)
    from drift_diff.config import find_config

    found = find_config(".")
    if found is None or not found.source:
        return None
    return Path(found.source.split(" [tool.driftdiff]")[0])


def wants_services(env: Mapping[str, str]) -> bool:
    """True when no ``baseline`` input is given and the config lists ``services``."""
    if _get(env, "baseline"):
        return False
    path = _config_path(env)
    return path is not None and bool(_services_of(path))


def _services_of(path: Path) -> list[dict[str, Any]]:
    from drift_diff.config import load_config

    return list(load_config(path).services)


def load_services(path: Path) -> list[Service]:
    """The services listed in the config file ``path`` (validated by the config schema)."""
    base = path.parent

    def rel(value: str) -> str:
        if is_url(value):  # ``s3://bucket/traces/*.jsonl.gz``: not a path under the config's folder
            return value
        p = Path(value)
        return str(p if p.is_absolute() else base / p)

    services: list[Service] = []
    for raw in _services_of(path):
        traces = raw.get("traces", [])
        traces = [traces] if isinstance(traces, str) else list(traces)
        services.append(
            Service(
                name=raw["name"],
                baseline=rel(raw["baseline"]),
                traces=tuple(rel(t) for t in traces),
                start=raw.get("start", ""),
                target=raw.get("target", ""),
                current=rel(raw["current"]) if raw.get("current") else "",
            )
        )
    names = [s.name for s in services]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{path}: services: name {quoted(twice[0])} is used more than once")
    return services


def _summary_table(rows: list[tuple[str, dict[str, int] | None, str]]) -> str:
    lines = [
        f"## driftdiff: {len(rows)} services",
        "",
        "| service | breaking | warning | info | |",
        "|---|---:|---:|---:|---|",
    ]
    for name, counts, note in rows:
        if counts is None:
            lines.append(f"| {name} | | | | could not run: {note} |")
        else:
            lines.append(f"| {name} | {' | '.join(str(counts[k]) for k in _KINDS)} | |")
    return "\n".join(lines) + "\n\n"


def merge_sarif(docs: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One SARIF run holding every service's results (rule indexes re-numbered; each
    fingerprint and result says its service)."""
    first = docs[0][1]
    run = first["runs"][0]
    rules: list[dict[str, Any]] = run["tool"]["driver"]["rules"]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for service, doc in docs:
        other = doc["runs"][0]
        their_rules = other["tool"]["driver"]["rules"]
        for res in other.get("results", []):
            rule = their_rules[res["ruleIndex"]]
            if rule["id"] not in index:
                index[rule["id"]] = len(rules)
                rules.append(rule)
            res["ruleIndex"] = index[rule["id"]]
            fp = res["partialFingerprints"]["driftdiff/v1"]
            res["partialFingerprints"]["driftdiff/v1"] = f"{service}/{fp}"
            res["properties"]["service"] = service
            results.append(res)
    run["results"] = results
    return first


def run_services(env: Mapping[str, str]) -> int:
    """Gate every service of the config file; see the module docstring."""
    from drift_diff import gate, gate_publish
    from drift_diff.pr_comment import marker_name

    path = _config_path(env)
    if path is None:
        raise UsageError("input 'baseline' is required, or list 'services' in the config file")
    fail_on = (_get(env, "fail-on") or "breaking").lower()
    fmt = (_get(env, "format") or "text").lower()
    # the inputs every service shares, checked once before any runs
    gate.GateInputs(baseline="-", current="-", traces=[], fail_on=fail_on, format=fmt).validate()
    comment = _get(env, "comment").lower() not in ("false", "0", "no", "off")
    name = _get(env, "service") or DEFAULT_NAME
    temp = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    reports_dir = temp / "driftdiff-reports"
    reports_dir.mkdir(parents=True, exist_ok=True)

    rows: list[tuple[str, dict[str, int] | None, str]] = []
    sections: list[str] = []
    sarifs: list[tuple[str, dict[str, Any]]] = []
    totals = dict.fromkeys(_KINDS, 0)
    failed = False
    for service in load_services(path):
        inputs = gate.GateInputs(
            baseline=service.baseline,
            traces=list(service.traces),
            start=service.start,
            target=service.target,
            current=service.current,
            fail_on=fail_on,
            format=fmt,
            config=str(path),
            service=service.name,
            comment=False,
        )
        sys.stdout.write(f"::group::driftdiff: {service.name}\n")
        try:
            inputs.validate()
            report_path = reports_dir / f"{service.name}.json"
            report = gate.report_for(inputs, report_path)
        except DriftDiffError as exc:
            from drift_diff.redaction import redact_line
            from drift_diff.report.github import escape_data

            # it quotes the service's sources as given, and goes to the log, the step summary
            # and the PR comment: redacted like the single-service gate's error line
            reason = redact_line(str(exc))
            message = f"{service.name}: {reason}"
            sys.stdout.write(f"::error title=driftdiff::{escape_data(message)}\n::endgroup::\n")
            rows.append((service.name, None, reason.replace("|", "\\|")))
            failed = True
            continue
        counts = gate.summary_counts(report)
        for k in _KINDS:
            totals[k] += counts[k]
        rows.append((service.name, counts, ""))
        if fmt != "github":
            sys.stdout.write(gate_publish.render_report(report, fmt))
        sys.stdout.write(gate_publish.anchored_annotations(report, inputs, env))
        sys.stdout.write("::endgroup::\n")
        sections.append(f"### {service.name}\n\n" + gate_publish.render_report(report, "markdown"))
        sarif_path = reports_dir / f"{service.name}.sarif"
        gate_publish.write_sarif(report, inputs, env, sarif_path)
        sarifs.append((service.name, json.loads(sarif_path.read_text("utf-8"))))
        sarif_path.unlink()

    markdown = _summary_table(rows) + "\n".join(sections)
    gate_publish.append_file(env.get("GITHUB_STEP_SUMMARY"), markdown)
    sarif_out = temp / "driftdiff.sarif"
    outputs = "".join(f"{k}={totals[k]}\n" for k in _KINDS) + f"report={reports_dir}\n"
    if sarifs:
        sarif_out.write_text(json.dumps(merge_sarif(sarifs), indent=2) + "\n", "utf-8")
        outputs += f"sarif={sarif_out}\n"
    gate_publish.append_file(env.get("GITHUB_OUTPUT"), outputs + f"service={marker_name(name)}\n")
    if comment:
        gate_publish.post_comment(env, name, markdown)
    code = 2 if failed else gate.exit_code(totals, fail_on)
    title = "driftdiff: " + ", ".join(f"{totals[k]} {k}" for k in _KINDS)
    verdict = {0: "passing", 1: "failing the job", 2: "failing: a service could not run"}[code]
    sys.stdout.write(f"{title} over {len(rows)} services (fail-on: {fail_on}) -> {verdict}\n")
    return code
