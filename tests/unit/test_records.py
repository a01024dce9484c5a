"""The typed records (``drift_diff/records.py``) and the JSON Schemas (``schemas/``) agree, and
mypy strict catches a renamed exchange field."""

from __future__ import annotations

import json
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy_api

from drift_diff import records

ROOT = Path(__file__).resolve().parents[2]


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    return data


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        assert ref.startswith("#/$defs/"), ref
        return _resolve(root, root["$defs"][ref.removeprefix("#/$defs/")])
    return node


def _properties(root: dict[str, Any], node: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(every property, the required ones) of an object schema, ``allOf`` parts included."""
    node = _resolve(root, node)
    props, required = set(node.get("properties", {})), set(node.get("required", []))
    for part in node.get("allOf", []):
        more, more_required = _properties(root, part)
        props |= more
        required |= more_required
    return props, required


_EXCHANGE = _schema("exchange")
_BASELINE = _schema("baseline")
_ENDPOINT = _BASELINE["$defs"]["endpoint"]
_CONTENT = _BASELINE["$defs"]["content"]

#: (schema root, the object schema, its TypedDict)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], Any]] = {
    "exchange": (_EXCHANGE, _EXCHANGE, records.ExchangeRecord),
    "exchange request": (_EXCHANGE, _EXCHANGE["$defs"]["request"], records.RequestRecord),
    "exchange response": (_EXCHANGE, _EXCHANGE["$defs"]["response"], records.ResponseRecord),
    "exchange outbound": (_EXCHANGE, _EXCHANGE["$defs"]["outbound"], records.OutboundRecord),
    "exchange body": (_EXCHANGE, _EXCHANGE["$defs"]["body"], records.BodyFields),
    "baseline": (_BASELINE, _BASELINE, records.BaselineRecord),
    "baseline endpoint": (_BASELINE, _ENDPOINT, records.EndpointRecord),
    "endpoint request body": (
        _BASELINE,
        _ENDPOINT["properties"]["request"],
        records.RequestBodyRecord,
    ),
    "endpoint response": (
        _BASELINE,
        _ENDPOINT["properties"]["responses"]["additionalProperties"],
        records.ResponseContractRecord,
    ),
    "media": (_BASELINE, _CONTENT["additionalProperties"], records.MediaRecord),
    "endpoint deprecation": (
        _BASELINE,
        _BASELINE["$defs"]["deprecation"],
        records.DeprecationRecord,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_typed_dict_keys_are_the_schema_properties(name: str) -> None:
    root, node, typed = CASES[name]
    props, required = _properties(root, node)
    keys = set(typed.__required_keys__) | set(typed.__optional_keys__)
    assert keys == props, (
        f"{typed.__name__}: only in the TypedDict {keys - props}, only in the schema {props - keys}"
    )
    assert set(typed.__required_keys__) == required, typed.__name__


def test_nested_records_are_the_referenced_definitions() -> None:
    hints = typing.get_type_hints(records.ExchangeRecord)
    assert hints["request"] is records.RequestRecord
    assert hints["response"] is records.ResponseRecord
    assert typing.get_args(hints["outbound"]) == (records.OutboundRecord,)
    outbound = typing.get_type_hints(records.OutboundRecord)
    assert outbound["request"] is records.RequestRecord
    assert outbound["response"] is records.ResponseRecord
    baseline = typing.get_type_hints(records.BaselineRecord)
    assert typing.get_args(baseline["endpoints"]) == (str, records.EndpointRecord)
    endpoint = typing.get_type_hints(records.EndpointRecord)
    assert typing.get_args(endpoint["responses"]) == (str, records.ResponseContractRecord)
    assert endpoint["request"] is records.RequestBodyRecord
    assert endpoint["deprecation"] is records.DeprecationRecord


_FIXTURE = """
    from drift_diff.records import ExchangeRecord


    def status_of(exchange: ExchangeRecord) -> int:
        return exchange["response"]["{field}"]
"""


def _mypy(tmp_path: Path, field: str) -> tuple[str, int]:
    """mypy strict on a module using ``ExchangeRecord``; run from the repository root, where
    mypy finds ``drift_diff`` (it cannot follow an editable install's import hook)."""
    module = tmp_path / "uses_exchange.py"
    module.write_text(textwrap.dedent(_FIXTURE.replace("{field}", field)))
    stdout, stderr, status = mypy_api.run(
        [
            "--strict",
            "--python-version=3.10",
            "--no-incremental",
            f"--cache-dir={tmp_path / 'cache'}",
            "--config-file=",
            "--follow-imports=silent",
            str(module),
        ]
    )
    return (stdout + stderr).replace(str(tmp_path) + "/", ""), status


def test_mypy_strict_catches_a_renamed_exchange_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    # mypy raises the interpreter's recursion limit for good; later tests expect the default
    limit = sys.getrecursionlimit()
    try:
        _check_renamed_field(tmp_path)
    finally:
        sys.setrecursionlimit(limit)


def _check_renamed_field(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, "status_code")  # the field is ``status``
    assert status == 1, out
    assert (
        'uses_exchange.py:6: error: TypedDict "ResponseRecord" has no key "status_code"  '
        "[typeddict-item]"
    ) in out
    assert "import-not-found" not in out, out
    print(out)  # the note of issue 18 quotes it
    out, status = _mypy(tmp_path, "status")
    assert status == 0, out
