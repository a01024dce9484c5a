"""A HAR file's bytes cut into pieces of its entries (``traffic.har_cut``) and learned piece by
piece (``infer.har_pieces``): whenever every piece parses, the pieces are exactly the file's
entries; a file the cut cannot hold for (hostile, odd layouts, invalid JSON) is parsed whole,
and the baseline is the single pass's either way. Real worker processes."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from drift_diff.errors import InputError
from drift_diff.infer import har_pieces
from drift_diff.traffic.har import har_bytes
from drift_diff.traffic.har_cut import cut_entries, entry_pieces, parse_piece
from tests.unit.test_har import entry, write_har
from tests.unit.test_har_parts import CONFORMANCE, assert_same_run, mixed_entries


def pieces(data: bytes, count: int) -> list[Any] | None:
    """The entries the cut gives, or ``None`` when it gives none or a piece does not parse."""
    spans = cut_entries(data, count)
    if spans is None:
        return None
    out: list[Any] = []
    for span in spans:
        entries = parse_piece(data, span)
        if entries is None:
            return None
        out.extend(entries)
    return out


def whole(data: bytes) -> Any:
    """The file's ``log.entries`` as one parse gives it, or ``None`` if it has none."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    log = doc.get("log") if isinstance(doc, dict) else None
    return log.get("entries") if isinstance(log, dict) else None


def assert_sound(data: bytes, count: int) -> list[Any] | None:
    """The property everything rests on: a cut that parses is the whole file's entries."""
    got = pieces(data, count)
    if got is not None:
        assert got == whole(data)
    return got


def layouts(doc: dict[str, Any]) -> dict[str, bytes]:
    return {
        "orjson indent 2": orjson.dumps(doc, option=orjson.OPT_INDENT_2),
        "minified": orjson.dumps(doc),
        "json indent 4": json.dumps(doc, indent=4).encode(),
        "tabs, CRLF": json.dumps(doc, indent="\t").replace("\n", "\r\n").encode(),
        "spaces around separators": json.dumps(doc, separators=(" , ", " : ")).encode(),
        "non-ASCII kept": json.dumps(doc, ensure_ascii=False, indent=1).encode(),
    }


def har_doc(entries: list[Any], **log: Any) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, **log,
                    "entries": entries}}  # fmt: skip


def test_every_conformance_har_cuts_into_its_entries() -> None:
    cut = 0
    for path in sorted(CONFORMANCE.glob("*.har")):
        try:
            data, _ = har_bytes(path)
        except InputError:  # an unreadable file has nothing to cut
            continue
        for count in (2, 3, 5, 8):
            got = assert_sound(data, count)
            if got is not None and len(cut_entries(data, count) or ()) > 1:
                cut += 1
    assert cut >= 20  # the multi-entry files really are cut, by every count


@pytest.mark.parametrize("count", [2, 4, 7, 16])
def test_every_layout_cuts_into_its_entries(count: int) -> None:
    doc = har_doc(mixed_entries(120, seed=count), pages=[{"id": "p", "title": "]},{"}])
    for name, data in layouts(doc).items():
        spans = cut_entries(data, count)
        assert spans is not None and len(spans) == count, name
        assert pieces(data, count) == doc["log"]["entries"], name


def test_lookalike_separators_inside_strings_are_not_cuts() -> None:
    # bodies and URLs full of what a separator looks like, keys and all
    text = '}, {"startedDateTime": 1}, {"request": 2}' * 50
    entries = [entry(text=json.dumps({"t": text, "i": i})) for i in range(60)]
    for e in entries:
        e["comment"] = text
    for data in layouts(har_doc(entries)).values():
        assert assert_sound(data, 6) == entries


def test_nested_objects_opening_with_the_same_key_fall_back_to_one_parse() -> None:
    entries = [{"request": {"x": [{"request": i}, {"request": i + 1}]}, "i": i} for i in range(80)]
    for data in layouts(har_doc(entries)).values():
        assert_sound(data, 8)  # pieces either are the entries or do not parse


@pytest.mark.parametrize(
    "data",
    [
        b'{"log": {"entries": [{"a": 1}, {"a": 2}], "entries": [{"a": 3}]}}',  # later duplicate
        b'{"log": {"entries": [{"a": 1}, {"a": 2}], "comment": "]"}}',  # not the last array
        b'{"log": {"entries": [{"a": 1}, {"a": 2}]}, "log": {"entries": []}}',
        b'{"other": {"entries": [{"a": 1}, {"a": 2}]}, "log": {"entries": [{"a": 9}]}}',
        b'{"log": {"entries": [{"a": 1}, {"a": 2}, ]}}',  # trailing comma: not JSON
        b'{"log": {"entries": [{"a": 1},, {"a": 2}]}}',
        b'{"log": {"entries": [{"a": 1}, {"a": 2}]',  # truncated
        b'{"log": {"entries": [{"a": 1}, {"a": "2]}}',
        b'["log", {"entries": [{"a": 1}, {"a": 2}]}]',
        b'{"log": {"entries": [{"a": 1} {"a": 2}]}}',
        b'{"log": {"entries": [{"a": 1}, {"a": 2}]}} trailing',
        b'{"log": {"entries": [{"a": 1}, {"a": \xff}]}}',  # not UTF-8
    ],
)
def test_hostile_frames_never_give_other_entries(data: bytes) -> None:
    for count in (2, 3):
        assert_sound(data, count)


def test_depth_is_the_whole_files() -> None:
    # an entry nested so deep that the whole file is past the parser's depth limit (1024)
    # must not parse in a piece either, which a shallower wrapper would allow
    deep = "[" * 1021 + "]" * 1021
    for depth_entry in (deep, "[" + deep + "]"):
        data = f'{{"log": {{"entries": [{{"a": 1}}, {{"a": {depth_entry}}}]}}}}'.encode()
        assert assert_sound(data, 2) == whole(data)


def test_mutated_files_are_sound() -> None:
    """Random damage to a real layout: whatever the cut makes of it, the property holds."""
    rng = random.Random(3)
    base = layouts(har_doc(mixed_entries(30, seed=4)))
    inserts = [b',{"request":', b"}", b"{", b'"', b"\\", b",", b"]", b"[", b" ", b"\x00"]
    sound = 0
    for n in range(600):
        data = bytearray(rng.choice(list(base.values())))
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[at:at] = rng.choice(inserts)
            else:
                del data[at : at + rng.randrange(1, 4)]
        if assert_sound(bytes(data), 2 + n % 5) is not None:
            sound += 1
    assert sound > 50  # damage outside the entries' seams leaves files the cut still serves


def test_first_entries_come_one_by_one() -> None:
    entries = mixed_entries(40, seed=8)
    data = orjson.dumps(har_doc(entries), option=orjson.OPT_INDENT_2)
    spans = cut_entries(data, 2)
    assert spans is not None
    runs = entry_pieces(data, spans[0])
    assert runs[0][0] == spans[0][0] and runs[-1][1] == spans[0][1]  # the piece, in runs
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(runs))  # cut at separators
    parsed = [parse_piece(data, run) for run in runs]
    assert [e for run in parsed for e in run or [None]] == parse_piece(data, spans[0])
    # an entry opening with another key than the first stays with the one before it
    assert sum(len(run or ()) == 1 for run in parsed) >= 0.8 * len(runs)


def test_a_large_har_is_learned_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    took: list[bool] = []
    real = har_pieces.learn_pieces

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        took.append(result is not None)
        return result

    monkeypatch.setattr("drift_diff.infer.har_parts.learn_pieces", spy)
    har = write_har(tmp_path / "shop.har", mixed_entries(400))
    assert_same_run([har])
    assert took == [True]
    # the same entries in a layout the cut does not serve (the last ``]`` of the file is not
    # the entries' but sits in a later string): parsed whole, the same baseline
    took.clear()
    doc = har_doc(mixed_entries(400))
    doc["log"]["comment"] = "see [1]"
    (tmp_path / "odd.har").write_bytes(orjson.dumps(doc))
    assert_same_run([tmp_path / "odd.har"])
    assert took == [False]


def test_first_api_entry_far_into_the_file(tmp_path: Path) -> None:
    # 300 page assets before the first API call: the service is found by parsing the file whole
    assets = [entry(f"https://cdn.example.com/a{i}.js", mime="application/javascript")
              for i in range(300)]  # fmt: skip
    har = write_har(tmp_path / "late.har", [*assets, *mixed_entries(100)])
    text, _ = assert_same_run([har])
    assert '"api.example.com"' in text
