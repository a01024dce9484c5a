"""HAR entry → exchange conversion before/after: ``python bench/har_convert_equiv.py --rev REV``.

Imports the same HAR files twice, redaction off (``read_har(path, redact=False)``), in two
fresh processes: once with ``driftdiff_sdk`` and ``drift_diff`` as they are at git revision
``REV`` (extracted with ``git archive``, first on ``PYTHONPATH``), once with the working tree.
Each run writes the ``repr`` of every exchange and of the ``HarStats`` (or of the error); the two
outputs must be byte-identical. A speed-up of the conversion must pass this against the revision
before it.

The HAR files, written once by the parent (the same bytes for both runs):

* every HAR of ``--conformance`` (default ``/work/shared/conformance/har``) and every ``--har``
  given (e.g. ``bench/out/bench-10000.har``);
* a seeded corpus of odd entries (``--n`` of them): timestamps in every shape (no fraction,
  1 to 9 fraction digits, ``Z``/``z``/offsets/no zone, out-of-range fields, leap seconds,
  overflowing years, compact and week forms, whitespace, non-strings, garbage), URLs (schemes in
  any case, ``#``, ``;``, ``?``, IPv6 and broken brackets, non-ASCII and NFKC-unsafe hosts,
  tabs, leading controls, no path, relative forms), headers (any case, duplicates, pseudo-headers,
  non-string values, missing names or values, non-objects, thousands of distinct names), bodies
  (JSON, text, binary, base64, gzip and corrupt gzip, ``postData`` text and params), statuses,
  methods, durations and resource types. The corpus is read whole (one ``read_har``) and entry
  by entry (one ``har_exchanges`` each, so an entry that raises does not hide the others).

With ``--time HAR`` (e.g. ``bench/out/bench-50000.har``), once the outputs are identical: the CPU
seconds of entries → exchanges (``har_exchanges``, redaction off, the file already parsed) at
``REV`` and in the working tree, in fresh processes, rounds interleaved, medians.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rev_compare import extract, run_and_compare

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = "/work/shared/conformance/har"

_ZONES = (
    "Z", "z", "+00:00", "-00:00", "+02:00", "-05:30", "+05:45", "+14:00", "-12:00", "+23:59",
    "+24:00", "+02:75", "+0200", "+02", "+02:00:30", "+02:00:30.5", "", " ", "UTC", "+2:00",
)  # fmt: skip
_FRACTIONS = ("", ".", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567",
              ".12345678", ".123456789", ".999999999", ".000", ".٣٤٥", ".12a")  # fmt: skip
_ODD_TIMES = (
    "2024-05-01", "2024-05-01T12", "2024-05-01T12:00", "2024-05-01T12:00Z", "20240501T120000Z",
    "2024-W18-3T12:00:00Z", "2024-122T12:00:00Z", "2024-05-01 12:00:00.123Z",
    "2024-05-01t12:00:00.123z", " 2024-05-01T12:00:00.123Z ", "2024-05-01T12:00:00.123Z\n",
    "2024-05-01T12:00:60.000Z", "2024-05-01T24:00:00.000Z", "2024-02-30T12:00:00.000Z",
    "2024-13-01T12:00:00Z", "0001-01-01T00:00:00.000Z", "0001-01-01T00:30:00.000+01:00",
    "9999-12-31T23:59:59.999Z", "9999-12-31T23:30:00.000-01:00", "0000-01-01T00:00:00Z",
    "２０２４-05-01T12:00:00Z", "2024-05-01T12:00:00.123ZZ", "2024.05.01T12:00:00.5Z", "Z", "z",
    "garbage", "", "   ", "Wed, 01 May 2024 12:00:00 GMT", "2024-05-01T12:00:00,123Z",
    "2024-05-01T12:00:00.123+02:00[Europe/Paris]", "1714564800000", "2024-05-01T12:00:00.Z",
)  # fmt: skip
_URLS = (
    "https://api.example.com/v1/items?x=1&y=2", "http://api.example.com/v1/items",
    "https://api.example.com", "https://api.example.com?q=1", "https://api.example.com#top",
    "https://api.example.com/a#frag?x=1", "https://api.example.com/a?x=1#frag",
    "https://api.example.com/a;param?x=1", "https://api.example.com/a?x=1?y=2",
    "https://api.example.com/a?", "https://api.example.com/?#", "https://api.example.com:8443/a",
    "https://user:pa:ss@api.example.com/a?b", "https://[::1]:8080/a?x=1", "https://[::1/a",
    "https://::1]/a", "https://[v1.fe]/a", "https://[fe80::1%25eth0]/a", "https://[zz]/a",
    "https://api.example.com/a[1]?x=[2]", "https://exämple.com/a?x=1", "https://ex.com/ä?ö=1",
    "https://a\u2100b.com/x", "https://ex.com/\u2100?x", "https://ex.com/a\tb?c\n=1\r",
    "\x00 https://ex.com/a?x", " https://ex.com/a", "HTTPS://EX.COM/A?X=1", "Https://ex.com/a",
    "ftp://ex.com/a?x=1", "ws://ex.com/socket", "https:ex.com/a?x", "https:///a?x", "https://",
    "http://", "https:", "/relative/path?x=1", "//ex.com/a?x=1", "relative?x", "?x=1", "#f",
    "https://ex.com/a%20b?q=a%20b&r=c+d&e", "https://ex.com/a?=&&=x&x&x=1&x=2", "mailto:a@b.c",
    "https://ex.com/static/app.js?v=1", "https://ex.com/img/a.PNG#x", "https://ex.com/a.json",
    "https://ex.com/favicon.ico", "1https://ex.com/a", "h\u0131ttps://ex.com/a", "https//ex.com",
    "https://ex.com\\a?b", "https://ex.com/a b?c d", "https://ex.com/\U0001f600?x=\x7f",
)  # fmt: skip
_NAMES = (
    "Content-Type", "content-type", "CONTENT-TYPE", "Accept", "accept", "Cookie", "Set-Cookie",
    "X-Requested-With", "Sec-Fetch-Dest", "sec-fetch-dest", "Upgrade", "Content-Encoding",
    ":authority", ":method", ":path", ":scheme", ":status", "", " ", "X-Ünïcode", "ǅ", "İ",
    "x-custom", "X-Custom",
)  # fmt: skip
_VALUES = (
    "application/json", "text/html", "gzip", "websocket", "empty", "document", "script",
    "XMLHttpRequest", "text/html,application/xhtml+xml", "", " ", "a=1; b=2", "é", 0, 1, 1.5,
    True, False, None, [], ["x"], {}, {"a": 1},
)  # fmt: skip
_MIMES = (
    "application/json", "application/json; charset=utf-8", "text/plain", "text/html",
    "application/octet-stream", "image/png", "application/x-www-form-urlencoded",
    "application/problem+json", "x-unknown", "", " ", None, 3, "TEXT/CSV", "font/woff2",
)  # fmt: skip
_RTYPES = ("fetch", "xhr", "XHR", "document", "script", "image", "websocket", "preflight",
           "other", "", None, 3, "ping", "eventsource", "font")  # fmt: skip


class Gen:
    """Seeded generator of odd HAR entries."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, items: tuple[Any, ...] | list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def time(self) -> Any:
        r = self.rng.random()
        if r < 0.15:
            return self.pick(_ODD_TIMES)
        if r < 0.2:
            return self.pick((None, 0, 1.5, True, [], {"t": 1}))
        # a few minutes and zones over and over (memoized conversions), seconds and fractions vary
        day = self.pick(("2024-05-01", "2024-12-31", "2000-02-29", "2023-02-28", "1999-01-01"))
        hour_min = self.pick(("00:00", "12:34", "23:59", "00:01", "13:05"))
        second = self.pick(("00", "07", "59", "30"))
        return f"{day}T{hour_min}:{second}{self.pick(_FRACTIONS)}{self.pick(_ZONES)}"

    def url(self) -> Any:
        r = self.rng.random()
        if r < 0.01:
            return self.pick((None, "", 3, ["https://ex.com"]))
        if r < 0.5:
            return self.pick(_URLS)
        host = self.pick(("api.example.com", "ex.com:8080", "[::1]", "a.b.c"))
        path = "/".join(self.pick(("v1", "items", str(self.rng.randrange(99)), "a.js", ""))
                        for _ in range(self.rng.randrange(4)))  # fmt: skip
        query = "&".join(f"{self.pick(('a', 'b', 'q', 'x%41'))}={self.rng.randrange(9)}"
                         for _ in range(self.rng.randrange(3)))  # fmt: skip
        scheme = self.pick(("https", "http", "https", "HTTP"))
        url = (
            f"{scheme}://{host}/{path}" if path or self.rng.random() < 0.5 else f"{scheme}://{host}"
        )
        if query:
            url += "?" + query
        if self.rng.random() < 0.1:
            url += "#" + self.pick(("", "x", "a?b", "#"))
        return url

    def headers(self, request: bool) -> Any:
        r = self.rng.random()
        if r < 0.01:
            return self.pick((None, {}, "x", 3))
        if r < 0.015:
            return [{"name": "a", "value": "b"}, self.pick(("x", None, 3, ["n"]))]
        if r < 0.02:
            return [{"name": self.pick((None, 3, ["x"]))}]
        out: list[Any] = []
        if request and self.rng.random() < 0.2:
            out += [{"name": ":method", "value": "GET"}, {"name": ":authority", "value": "ex.com"}]
        for _ in range(self.rng.randrange(12)):
            h: dict[str, Any] = {"name": self.pick(_NAMES)}
            if self.rng.random() < 0.5:  # mostly the usual: a few names, string values
                h = {"name": self.pick(_NAMES[:12]), "value": self.pick(_VALUES[:12])}
                out.append(h)
                continue
            if self.rng.random() < 0.05:
                h["name"] = f"X-Gen-{self.rng.randrange(6000)}"  # past the memo's bound
            if self.rng.random() < 0.95:
                h["value"] = self.pick(_VALUES)
            if self.rng.random() < 0.05:
                h["comment"] = "x"
            out.append(h)
        if self.rng.random() < 0.3:
            self.rng.shuffle(out)
        return out

    def body(self) -> tuple[Any, Any]:
        """``(text, encoding)`` of a body."""
        r = self.rng.random()
        doc = self.pick(({"a": 1, "b": [1, 2.5, None, True]}, [1, "x"], {"n": 1e300}, "s", 0))
        text = orjson.dumps(doc).decode()
        if r < 0.35:
            return self.pick((text, " " + text + " ", text + "x", '{"a": 1}', "{\n  \"a\": 1\n}",
                              '{"a":NaN}', "[1,2", "plain text", "", "é\x00")), None  # fmt: skip
        if r < 0.5:
            return base64.b64encode(text.encode()).decode(), self.pick(("base64", "BASE64"))
        if r < 0.6:
            return base64.b64encode(gzip.compress(text.encode())).decode(), "base64"
        if r < 0.65:
            return base64.b64encode(b"\x1f\x8b\x08corrupt").decode(), "base64"
        if r < 0.7:
            return self.pick(("!!notbase64", "YQ", "YQ=", "Y Q ==")), "base64"
        if r < 0.75:
            return base64.b64encode(bytes(range(256))).decode(), "base64"
        return self.pick((None, 3, "x" * 50, "<html></html>")), self.pick((None, "utf-8", 3))

    def entry(self) -> Any:
        if self.rng.random() < 0.01:
            return self.pick((None, [], "entry", 3))
        req: dict[str, Any] = {
            "method": self.pick(
                ("GET", "get", "POST", "Put", "PATCH", "", None, 3)[
                    : 8 if self.rng.random() < 0.1 else 5
                ]
            ),
            "url": self.url(),
            "headers": self.headers(True),
        }
        if self.rng.random() < 0.4:
            text, enc = self.body()
            post: dict[str, Any] = {"mimeType": self.pick(_MIMES)}
            if self.rng.random() < 0.25:
                post["params"] = self.pick((
                    [{"name": "a", "value": "1"}, {"name": "b c", "value": "é&"}, "x", {"v": 2}],
                    [], "notalist", [{"name": 1, "value": None}],
                ))  # fmt: skip
            else:
                post["text"] = text
                if enc is not None:
                    post["encoding"] = enc
            req["postData"] = self.pick((post, post, post, None, "x"))
        if self.rng.random() < 0.03:
            req.pop(self.pick(("headers", "url", "method")))
        status = self.pick((200, 201, 204, 404, 500, 302, 101, 0, 200.0, 99, 1000, 200.5,
                            True, "200", None)[: 15 if self.rng.random() < 0.1 else 9])  # fmt: skip
        resp: dict[str, Any] = {"status": status, "headers": self.headers(False)}
        if self.rng.random() < 0.9:
            text, enc = self.body()
            content: dict[str, Any] = {"mimeType": self.pick(_MIMES), "text": text}
            if enc is not None:
                content["encoding"] = enc
            resp["content"] = self.pick((content, content, content, None, "x", {}))
        entry: dict[str, Any] = {
            "request": self.pick((req, req, req, req, req, None, "x")) if self.rng.random() < 0.03
            else req,
            "response": resp if self.rng.random() > 0.02 else self.pick((None, [], "x")),
            "startedDateTime": self.time(),
            "time": self.pick((12.5, 0, -1, 3, None, "5", True, 1e308, float("1e-9"))),
        }  # fmt: skip
        if self.rng.random() < 0.3:
            entry["_resourceType"] = self.pick(_RTYPES)
        if self.rng.random() < 0.02:
            entry["_webSocketMessages"] = []
        if self.rng.random() < 0.05:
            entry.pop("startedDateTime")
        return entry


def write_corpus(path: Path, n: int, seed: int = 7) -> Path:
    """The corpus at ``path``, and beside it the same without the entries of years 1 and 9999
    (whose conversion to UTC overflows: an error for the whole file) for a whole-file read."""
    gen = Gen(seed)
    entries = [gen.entry() for _ in range(n)]
    path.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": entries}}))
    tame = [e for e in entries if not str(e.get("startedDateTime", "") if isinstance(e, dict)
                                          else "").startswith(("0001", "9999"))]  # fmt: skip
    whole = path.with_name("tame-" + path.name)
    whole.write_bytes(orjson.dumps({"log": {"version": "1.2", "entries": tame}}))
    return whole


def workload(files: list[str], corpus: str) -> Iterator[str]:
    """``repr`` lines of every result (run in the child: imports what ``PYTHONPATH`` offers)."""
    import driftdiff_sdk

    import drift_diff
    from drift_diff.traffic import har

    where = Path(driftdiff_sdk.__file__).parent, Path(drift_diff.__file__).parent
    yield f"# driftdiff_sdk from {where[0]}, drift_diff from {where[1]}"
    tame = str(Path(corpus).with_name("tame-" + Path(corpus).name))
    for name in [*files, tame, corpus]:
        yield f"# {Path(name).name}"
        stats = har.HarStats()
        try:
            for ex in har.read_har(name, redact=False, stats=stats):
                yield repr(ex)
        except Exception as exc:  # the error itself is compared
            yield f"error {type(exc).__name__}: {exc}"
        yield repr(stats)
    loaded = har.load_har(corpus)
    yield f"# {Path(corpus).name}, entry by entry"
    for index, entry in enumerate(loaded.entries):
        one = har.LoadedHar(loaded.path, [entry], loaded.digest, loaded.id_seed, index)
        stats = har.HarStats()
        try:
            out = list(har.har_exchanges(one, index, index + 1, service=None, redactor=None,
                                         stats=stats))  # fmt: skip
            yield repr((index, out, stats))
        except Exception as exc:
            yield repr((index, "error", type(exc).__name__, str(exc), stats))


def _child(out: str, files: list[str], corpus: str) -> None:
    start = time.process_time()
    with open(out, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for line in workload(files, corpus):
            fh.write(line + "\n")
    print(f"{time.process_time() - start:.2f}", file=sys.stderr)


def _time_child(har_file: str, reps: int) -> None:
    """CPU seconds of entries → exchanges (``har_exchanges``, redaction off), ``reps`` times."""
    import gc

    from drift_diff.traffic import har

    loaded = har.load_har(har_file)
    gc.disable()  # as on the import and baseline paths (infer.pool.gc_paused)
    for _ in range(reps):
        start = time.process_time()
        exchanges = list(har.har_exchanges(loaded, 0, len(loaded.entries), service=None,
                                           redactor=None, stats=har.HarStats()))  # fmt: skip
        print(f"{time.process_time() - start:.3f}")
        del exchanges


def _time(har_file: str, rounds: int, paths: dict[str, str]) -> None:
    """Old and new interleaved, ``rounds`` processes each (3 timings in each): the medians."""
    times: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(rounds):
        for label, path in paths.items():
            argv = [sys.executable, __file__, "--rev", "-", "--time-child", har_file]
            env = {**os.environ, "PYTHONPATH": path}
            out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
            times[label] += [float(v) for v in out.stdout.split()]
    for label, values in times.items():
        median, least = statistics.median(values), min(values)
        name = Path(har_file).name
        print(f"{label}: entries -> exchanges of {name}: median {median:.3f} CPU s"
              f" (min {least:.3f}, n={len(values)})")  # fmt: skip
    ratio = statistics.median(times["new"]) / statistics.median(times["old"])
    print(f"new/old: {ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", required=True, help="git revision to compare against")
    parser.add_argument("--conformance", default=CONFORMANCE, help="a folder of HAR files")
    parser.add_argument("--har", nargs="*", default=[], help="more HAR files to import")
    parser.add_argument("--n", type=int, default=20000, help="generated odd entries")
    parser.add_argument("--time", help="then time entries -> exchanges of this HAR, old and new")
    parser.add_argument("--rounds", type=int, default=3, help="processes per side for --time")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--time-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_child:
        _time_child(args.time_child, 3)
        return
    if args.child:
        _child(args.child, args.har, args.corpus)
        return
    files = sorted(str(p) for p in Path(args.conformance).glob("*.har")) + list(args.har)
    with tempfile.TemporaryDirectory(prefix="har-equiv-") as tmp:
        corpus = Path(tmp) / "odd-entries.har"
        write_corpus(corpus, args.n)
        paths = {"old": extract(args.rev, Path(tmp) / "old"), "new": ""}

        def child(out: Path) -> list[str]:
            argv = [__file__, "--rev", args.rev, "--child", str(out)]
            return [*argv, "--corpus", str(corpus), "--har", *files]

        what = f"lines ({len(files)} files + corpus)"
        run_and_compare(Path(tmp), paths, child, what)
        if args.time:
            _time(args.time, args.rounds, paths)


if __name__ == "__main__":
    main()
