"""JUnit XML: one testcase per change (classname = endpoint); breaking changes are failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from drift_diff.diff import DiffResult
from drift_diff.model import Severity


def render(result: DiffResult) -> str:
    breaking = result.count(Severity.BREAKING)
    suite = ET.Element(
        "testsuite",
        name="driftdiff",
        tests=str(max(1, len(result.changes))),
        failures=str(breaking),
        errors="0",
        skipped=str(len(result.ignored)),
    )
    if not result.changes:
        ET.SubElement(suite, "testcase", classname="driftdiff", name="no contract changes")
    for c in result.changes:
        case = ET.SubElement(
            suite, "testcase", classname=c.endpoint, name=f"{c.rule} {c.location}".strip()
        )
        body = f"{c.message}\n{c.evidence}\nfingerprint: {c.fingerprint}".strip()
        if c.severity is Severity.BREAKING:
            failure = ET.SubElement(case, "failure", message=c.message, type=c.rule)
            failure.text = body
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"[{c.severity.value}] {body}"
    for i in result.ignored:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=i.change.endpoint,
            name=f"{i.change.rule} {i.change.location}".strip(),
        )
        ET.SubElement(case, "skipped", message=f"ignored by config: {i.reason}")
    suites = ET.Element("testsuites", name="driftdiff")
    suites.append(suite)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
