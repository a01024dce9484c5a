from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
import pytest

from drift_diff.errors import FormatVersionError, InputError
from drift_diff.traffic.traces import ReadStats, iter_raw_exchanges, write_exchanges
from tests.support import REPO


def _line(i: int, **over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "format": "driftdiff.exchange/1",
        "id": f"ex{i}",
        "service": "svc",
        "source": "sdk",
        "request": {"method": "GET", "path": f"/items/{i}", "query": {}, "headers": {}},
        "response": {
            "status": 200,
            "headers": {},
            "content_type": "application/json",
            "body": {"id": i},
        },
        "outbound": [],
    }
    base.update(over)
    return base


@pytest.mark.parametrize("name", ["t.jsonl", "t.jsonl.gz"])
def test_round_trip_plain_and_gzip(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    assert write_exchanges(path, [_line(i) for i in range(5)]) == 5
    got = list(iter_raw_exchanges([path]))
    assert [g["id"] for g in got] == [f"ex{i}" for i in range(5)]
    assert got[3]["response"]["body"] == {"id": 3}


def test_written_lines_match_the_exchange_schema(tmp_path: Path) -> None:
    schema = json.loads((REPO / "schemas" / "exchange.schema.json").read_text())
    path = tmp_path / "t.jsonl"
    write_exchanges(path, [_line(1)])
    for line in path.read_text().splitlines():
        jsonschema.validate(json.loads(line), schema)


def test_partial_last_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "crash.jsonl"
    write_exchanges(path, [_line(1), _line(2)])
    with open(path, "ab") as fh:
        fh.write(json.dumps(_line(3)).encode()[:40])  # the crash left half a line
    stats = ReadStats()
    got = list(iter_raw_exchanges([path], stats))
    assert len(got) == 2
    assert stats.partial_lines == 1 and stats.exchanges == 2


def test_malformed_middle_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_line(1)) + "\n{not json\n" + json.dumps(_line(2)) + "\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:line 2: not valid JSON"):
        list(iter_raw_exchanges([path]))


def test_unknown_major_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v9.jsonl"
    path.write_text(json.dumps(_line(1, format="driftdiff.exchange/9")) + "\n")
    with pytest.raises(FormatVersionError, match="line 1.*not supported"):
        list(iter_raw_exchanges([path]))


def test_binary_and_invalid_utf8_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\x00\xff\xfe garbage\n\x89PNG\r\n")
    with pytest.raises(InputError, match="bin.jsonl:line 1"):
        list(iter_raw_exchanges([path]))


def test_deeply_nested_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 10000 + "]" * 10000 + "\n")
    with pytest.raises(InputError, match="deep.jsonl:line 1"):
        list(iter_raw_exchanges([path]))


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(b"".join(json.dumps(_line(i)).encode() + b"\n" for i in range(200)))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.jsonl.gz"):
        list(iter_raw_exchanges([path]))


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no trace files"):
        list(iter_raw_exchanges([tmp_path]))
    with pytest.raises(InputError, match="no such file"):
        list(iter_raw_exchanges([tmp_path / "nope.jsonl"]))


def test_not_an_exchange_object(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"hello": 1}\n')
    with pytest.raises(InputError, match="line 1: not a driftdiff exchange"):
        list(iter_raw_exchanges([path]))


def test_failed_write_keeps_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.jsonl"
    write_exchanges(path, [_line(1)])
    before = path.read_bytes()

    def boom():  # type: ignore[no-untyped-def]
        yield _line(2)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_exchanges(path, boom())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


@pytest.mark.parametrize("depth", [600, 2000])
def test_body_nested_past_the_limit_names_file_and_line(tmp_path: Path, depth: int) -> None:
    body: object = 1
    for _ in range(depth):
        body = {"a": body}
    path = tmp_path / "deep-body.jsonl"
    write_exchanges(path, [_line(1)])
    with open(path, "a") as fh:
        # json.dumps would hit its own recursion limit: build the nested text directly
        fh.write(
            json.dumps(_line(2, meta={"x": 1}))[:-1]
            + ', "extra": '
            + '{"a": ' * depth
            + "1"
            + "}" * depth
            + "}\n"
        )
    with pytest.raises(InputError, match=r"deep-body\.jsonl:line 2: JSON nested deeper than 128"):
        list(iter_raw_exchanges([path]))


def test_nesting_within_the_limit_is_read() -> None:
    from drift_diff.traffic.traces import too_deep

    line = b'{"a": ' * 100 + b"1" + b"}" * 100
    obj = json.loads(line)
    assert not too_deep(line, obj)
    many_siblings = json.dumps({"items": [[1], [2]] * 200}).encode()
    assert not too_deep(many_siblings, json.loads(many_siblings))
