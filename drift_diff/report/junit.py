"""JUnit XML: one testcase per underlying change (classname = endpoint, or "N endpoints" for a
group of findings, whose evidence lists them); breaking changes are failures.

Every field may hold what a recording or a document carried (field names, paths, messages), so
text and attributes go through ``xml_text``: characters XML 1.0 cannot hold (C0 controls other
than tab/CR/LF, lone surrogates, U+FFFE/U+FFFF) become visible ``\\xNN``/``\\uNNNN`` escapes,
keeping the document parseable by any JUnit consumer; so do DEL, the C1 controls, the Unicode
line/paragraph separators and the bidi controls, which a CI viewer would act on.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from drift_diff.model import DiffResult, Severity
from drift_diff.report._common import items

#: characters outside XML 1.0's ``Char`` production, and those a viewer would act on (DEL and
#: the C1 controls, the line/paragraph separators, bidi marks, embeddings, overrides, isolates)
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry written as a visible escape."""
    return _NOT_XML.sub(lambda m: ascii(m.group())[1:-1], text)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def render(result: DiffResult) -> str:
    found = items(result)
    breaking = sum(1 for c in found if c.severity is Severity.BREAKING)
    suite = ET.Element(
        "testsuite",
        name="driftdiff",
        tests="",  # set below: every testcase written, ignored (skipped) ones included
        failures=str(breaking),
        errors="0",
        skipped=str(len(result.ignored)),
    )
    if not result.changes:
        _element(suite, "testcase", classname="driftdiff", name="no contract changes")
    for c in found:
        case = _element(
            suite, "testcase", classname=c.endpoint, name=f"{c.rule} {c.location}".strip()
        )
        body = f"{c.message}\n{c.evidence}\nfingerprint: {c.fingerprint}".strip()
        if c.severity is Severity.BREAKING:
            _element(case, "failure", body, message=c.message, type=c.rule)
        else:
            _element(case, "system-out", f"[{c.severity.value}] {body}")
    for i in result.ignored:
        case = _element(
            suite,
            "testcase",
            classname=i.change.endpoint,
            name=f"{i.change.rule} {i.change.location}".strip(),
        )
        _element(case, "skipped", message=f"ignored by config: {i.reason}")
    suite.set("tests", str(len(suite.findall("testcase"))))
    suites = ET.Element("testsuites", name="driftdiff")
    suites.append(suite)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
