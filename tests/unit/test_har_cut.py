"""A HAR file's bytes cut into pieces of its entries (``traffic.har_cut``) and learned piece by
piece (``infer.har_pieces``): whenever every piece parses, the pieces are exactly the file's
entries; a file the cut cannot hold for (hostile, odd layouts, invalid JSON) is parsed whole,
and the baseline is the single pass's either way. Real worker processes."""

from __future__ import annotations

import itertools
import json
import random
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from driftdiff_sdk.writer import dump_line

from drift_diff.errors import InputError
from drift_diff.infer import har_parts, har_pieces
from drift_diff.infer.har_parts import har_lines
from drift_diff.traffic.har import HarStats, har_bytes, read_har
from drift_diff.traffic.har_cut import cut_entries, entry_pieces, parse_piece, span_counts
from tests.unit.test_har import entry, write_har
from tests.unit.test_har_parts import CONFORMANCE, assert_same_run, learn, mixed_entries

#: Tests that watch or break the pieces path by replacing a module attribute: under the
#: optional compiled build (``compiled_job``) calls between compiled modules are bound when the
#: build is made, so a replaced attribute is not seen there.
pure_only = pytest.mark.skipif(
    Path(har_pieces.__file__ or "").suffix != ".py",
    reason="replaces module attributes, which calls between compiled modules do not see",
)


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
    for name, data in layouts(har_doc(entries)).items():
        # seams are found (inside the first entries' lists), but the pieces do not parse
        assert cut_entries(data, 8) is not None, name
        assert pieces(data, 8) is None, name


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


@pytest.fixture
def took(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """``(job, whether the file was done in pieces)`` of each HAR the next calls work on."""
    seen: list[tuple[str, bool]] = []
    real = har_pieces.run_pieces

    def spy(shared: Any, job: Any, **kwargs: Any) -> Any:
        result = real(shared, job, **kwargs)
        seen.append((job[0], result is not None))
        return result

    monkeypatch.setattr("drift_diff.infer.har_parts.run_pieces", spy)
    return seen


def uniform_entries(n: int, seed: int) -> list[Any]:
    """``mixed_entries`` with its malformed entries opening with the others' first key, so
    that every entry is counted at its seam (what ``import har`` needs to work in pieces)."""
    return [
        e if "startedDateTime" in e else {"startedDateTime": "2024-01-01T00:00:00Z", **e}
        for e in mixed_entries(n, seed=seed)
    ]


@pure_only
def test_a_har_is_learned_in_pieces(tmp_path: Path, took: list[tuple[str, bool]]) -> None:
    har = write_har(tmp_path / "shop.har", mixed_entries(400))
    _, stats = assert_same_run([har])
    assert took == [("learn", True)]
    assert stats.har.first_invalid and stats.har.first_invalid.startswith("entry ")
    # the same entries in a layout the cut does not serve (the last ``]`` of the file is not
    # the entries' but sits in a later string): parsed whole, the same baseline
    took.clear()
    doc = har_doc(mixed_entries(400))
    doc["log"]["comment"] = "see [1]"
    (tmp_path / "odd.har").write_bytes(orjson.dumps(doc))
    assert_same_run([tmp_path / "odd.har"])  # (other bytes: placeholders keyed otherwise)
    assert took == [("learn", False)]


@pure_only
def test_parts_merged_before_a_piece_fails_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, took: list[tuple[str, bool]]
) -> None:
    # parts are merged as they end (``har_parts._Merging``); when a later piece does not parse,
    # the file is learned again whole, and what was merged of the cut must not count twice
    har = write_har(tmp_path / "shop.har", mixed_entries(600))
    last = max(cut_entries(har_bytes(har)[0], 8) or [(0, 0)])
    real, merged = har_pieces.parse_piece, []

    def failing(data: bytes, span: Any) -> Any:
        return None if span == last else real(data, span)

    def counted(self: Any, part: Any) -> None:
        merged.append(part[0])
        real_take(self, part)

    real_take = har_parts._Merging.take
    monkeypatch.setattr(har_pieces, "parse_piece", failing)
    monkeypatch.setattr(har_parts._Merging, "take", counted)
    one, _ = learn([har], 1)
    two, _ = learn([har], 2)
    assert took == [("learn", False)]  # the cut failed: the file was learned whole
    assert merged and last[0] not in merged[: len(merged) - 1]  # parts were merged before it
    assert two == one


@pure_only
@pytest.mark.parametrize("redact", [True, False])
def test_a_har_is_imported_in_pieces(
    tmp_path: Path, took: list[tuple[str, bool]], redact: bool
) -> None:
    for seed in (1, 2, 3):
        har = write_har(tmp_path / f"shop{seed}.har", uniform_entries(300 + seed * 37, seed))
        one = HarStats()
        expected = b"".join(dump_line(x) for x in read_har(har, redact=redact, stats=one))
        two = HarStats()
        lines = har_lines(har, service=None, redact=redact, workers=2, stats=two)
        assert b"".join(lines) == expected  # ids, order, redaction: all the single pass's
        assert two == one and one.invalid_at is not None
    assert took == [("lines", True)] * 3


@pure_only
def test_entries_that_open_with_other_keys_are_imported_whole(
    tmp_path: Path, took: list[tuple[str, bool]]
) -> None:
    # the malformed entries open with "request": counted short at their seams, so a piece's
    # parse gives more entries than counted and the file is parsed whole instead
    har = write_har(tmp_path / "mixed.har", mixed_entries(300, seed=6))
    one, two = HarStats(), HarStats()
    expected = b"".join(dump_line(x) for x in read_har(har, stats=one))
    assert b"".join(har_lines(har, service=None, redact=True, workers=2, stats=two)) == expected
    assert two == one
    assert took == [("lines", False)]


def test_counts_are_checked_not_trusted() -> None:
    data = orjson.dumps(har_doc(uniform_entries(200, 9)), option=orjson.OPT_INDENT_2)
    spans = cut_entries(data, 4)
    assert spans is not None
    counts = span_counts(data, spans)
    assert counts == [len(parse_piece(data, span) or ()) for span in spans]
    odd = orjson.dumps(har_doc(mixed_entries(200, seed=9)), option=orjson.OPT_INDENT_2)
    odd_spans = cut_entries(odd, 4) or []
    assert span_counts(odd, odd_spans) != [len(parse_piece(odd, s) or ()) for s in odd_spans]


def test_first_api_entry_far_into_the_file(tmp_path: Path) -> None:
    # 300 page assets before the first API call: the service is found by parsing the file whole
    assets = [entry(f"https://cdn.example.com/a{i}.js", mime="application/javascript")
              for i in range(300)]  # fmt: skip
    har = write_har(tmp_path / "late.har", [*assets, *mixed_entries(100)])
    text, _ = assert_same_run([har])
    assert '"api.example.com"' in text


@pure_only
def test_a_digest_that_cannot_be_computed_fails_the_run_without_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes) -> bytes:
        raise MemoryError("no room for the digest")

    monkeypatch.setattr(har_pieces, "har_digest", broken)
    # a worker that waited on it would wait this long (forked: the workers see it too)
    monkeypatch.setattr(har_pieces, "DIGEST_WAIT", 120.0)
    har = write_har(tmp_path / "shop.har", mixed_entries(300))
    started = time.monotonic()
    with pytest.raises(MemoryError):
        learn([har], 2)
    assert time.monotonic() - started < 60  # the workers were told, not left waiting
