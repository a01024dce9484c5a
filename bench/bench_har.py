"""HAR → baseline benchmark: ``python bench/bench_har.py [--n 50000] [--rounds 3] [--write-docs]``.

One generated HAR (the seeded shop corpus of ``bench/infer_corpus.py`` as a browser would save
it: Chrome-like request and response headers, cookies, ``_resourceType``, one page asset in ten)
is learned by every contestant, each in a fresh process, rounds interleaved:

* ``bare parse``      — ``orjson.loads`` of the file, then ``orjson.loads`` of every JSON body
  (request ``postData.text`` and response ``content.text``): the least any tool must do;
* ``plain genson``    — the bare parse plus one ``genson.SchemaBuilder`` per endpoint (ids in
  paths replaced by ``{id}``), body kind and status, ``add_object`` of each body: per-body
  genson with nothing else (no headers, query, formats, presence, redaction);
* ``driftdiff baseline x.har`` — the real CLI, end to end (redaction on, the default), on its
  default ``--workers`` (the machine's cores: the HAR's entries are shared out, ``har_parts``);
* ``driftdiff baseline x.har --workers 1`` — the same in one process;
* ``driftdiff baseline x.har, compiled build`` — the first again with the optional mypyc build of
  ``drift_diff`` and of the SDK's exchange and redaction modules (``setup.py``,
  ``sdk/setup.py``; built into ``bench/out/compiled`` by ``bench/build_compiled.py``, first on
  ``PYTHONPATH``); its baseline must be byte-identical to the pure build's;
* ``import + baseline`` — ``driftdiff import har`` then ``driftdiff baseline`` of its trace;
* with ``--rev REV``, ``driftdiff baseline x.har`` and ``import + baseline`` again with
  ``drift_diff`` and ``driftdiff_sdk`` as they are at git revision ``REV`` (extracted with
  ``git archive``, first on ``PYTHONPATH``): before/after in the same run, rounds interleaved,
  and their baselines must be byte-identical to this tree's.

Every contestant is timed as a whole process (interpreter start and imports included, for the
CLI as for the scripts): wall-clock seconds and CPU seconds (user + system, of the process and
its worker processes, from ``wait4``). Wall time is what a user waits (throughput); CPU time is
the steadier figure on a shared machine and what the work costs. Ratios use the medians of the
rounds; the "per round" columns pair each round's contestant with that round's plain genson
(median and range), since this machine's speed drifts between rounds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_compiled import build_compiled
from infer_corpus import _exchange
from rev_compare import extract

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
DOCS = ROOT / "docs" / "benchmarks.md"
HEAD = "## HAR → baseline (issue 15)\n"

_REQUEST_HEADERS = [
    ("Host", "api.example.com"),
    ("Connection", "keep-alive"),
    ("sec-ch-ua", '"Chromium";v="130", "Google Chrome";v="130", "Not?A_Brand";v="99"'),
    ("sec-ch-ua-mobile", "?0"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari"),
    ("sec-ch-ua-platform", '"Linux"'),
    ("Origin", "https://shop.example.com"),
    ("Sec-Fetch-Site", "same-site"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Dest", "empty"),
    ("Referer", "https://shop.example.com/"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
]
_RESPONSE_HEADERS = [
    ("server", "nginx/1.25.3"),
    ("date", "Wed, 01 May 2024 12:00:00 GMT"),
    ("vary", "Origin, Accept-Encoding"),
    ("access-control-allow-origin", "https://shop.example.com"),
    ("access-control-allow-credentials", "true"),
    ("cache-control", "no-store"),
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("x-content-type-options", "nosniff"),
]
_ASSETS = [
    ("/static/app.{n}.js", "application/javascript", "script"),
    ("/static/img/p{n}.webp", "image/webp", "image"),
    ("/static/site.{n}.css", "text/css", "stylesheet"),
]
_IDS = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/|$)")


def _pairs(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers]


def _entry(rng: random.Random, i: int) -> dict[str, Any]:
    """One HAR entry: an API call of the shop corpus, or (one in ten) a page asset."""
    started = f"2024-05-01T12:{i // 3600 % 60:02d}:{i // 60 % 60:02d}.{i % 1000:03d}+02:00"
    if rng.random() < 0.1:
        path, mime, rtype = rng.choice(_ASSETS)
        text, req_extra = "", [("Accept", "*/*")]
        url = "https://shop.example.com" + path.format(n=rng.randrange(40))
        method, status, post = "GET", 200, None
    else:
        ex = _exchange(rng, i)
        req, resp = ex["request"], ex["response"]
        query = "&".join(f"{k}={v[0]}" for k, v in req["query"].items())
        url = f"https://api.example.com{req['path']}" + (f"?{query}" if query else "")
        method, status, rtype = req["method"], resp["status"], "fetch"
        mime = "application/json" if "body" in resp else ""
        text = orjson.dumps(resp["body"]).decode() if "body" in resp else ""
        token = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLXtpfSJ9.{rng.getrandbits(64):x}"
        req_extra = [
            ("Accept", "application/json"),
            ("Authorization", f"Bearer {token}"),
            ("Cookie", f"session={rng.getrandbits(96):x}; theme=dark"),
        ]
        post = None
        if "body" in req:
            post = {"mimeType": "application/json", "text": orjson.dumps(req["body"]).decode()}
            req_extra.append(("Content-Type", "application/json"))
    resp_headers = [
        *_RESPONSE_HEADERS,
        ("x-request-id", f"{rng.getrandbits(64):016x}"),
        *([("content-type", mime)] if mime else []),
        ("content-length", str(len(text))),
    ]
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "http/2.0",
        "headers": _pairs([*_REQUEST_HEADERS, *req_extra]),
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(post["text"]) if post else 0,
    }
    if post:
        request["postData"] = post
    content = {"size": len(text), "mimeType": mime or "x-unknown", "text": text}
    return {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": rtype,
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": _pairs(resp_headers),
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
            "_transferSize": len(text) + 300,
        },
        "serverIPAddress": "203.0.113.7",
        "startedDateTime": started,
        "time": round(rng.uniform(5, 120), 3),
        "timings": {"blocked": 0.5, "dns": -1, "send": 0.1, "wait": 20.0, "receive": 0.4},
    }


def write_har(n: int, seed: int = 11) -> Path:
    """A HAR of ``n`` entries (reused when present): the same bytes for the same ``n``."""
    path = OUT / f"bench-{n}.har"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    doc = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [{"id": "page_1", "title": "shop", "startedDateTime": "2024-05-01T12:00Z"}],
            "entries": [_entry(rng, i) for i in range(n)],
        }
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    tmp.rename(path)
    return path


# --------------------------------------------------------------------------- contestants
def _bodies(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(kind, parsed body)`` of an entry's JSON request and response bodies."""
    found = []
    post = entry["request"].get("postData")
    if post and "json" in post.get("mimeType", "") and post.get("text"):
        found.append(("request", orjson.loads(post["text"])))
    content = entry["response"].get("content") or {}
    if "json" in content.get("mimeType", "") and content.get("text"):
        found.append((str(entry["response"]["status"]), orjson.loads(content["text"])))
    return found


def run_bare(har: Path) -> None:
    for entry in orjson.loads(har.read_bytes())["log"]["entries"]:
        _bodies(entry)


def run_genson(har: Path) -> None:
    import genson

    builders: dict[tuple[str, ...], Any] = {}
    for entry in orjson.loads(har.read_bytes())["log"]["entries"]:
        request = entry["request"]
        path = _IDS.sub("/{id}", request["url"].split("?", 1)[0])
        for kind, body in _bodies(entry):
            key = (request["method"], path, kind)
            builder = builders.get(key)
            if builder is None:
                builder = builders[key] = genson.SchemaBuilder()
            builder.add_object(body)
    for builder in builders.values():
        builder.to_schema()


def _driftdiff(*args: str) -> list[str]:
    return [sys.executable, "-m", "drift_diff", *args]


def commands(name: str, har: Path, work: Path) -> list[list[str]]:
    """The processes one contestant runs, in order."""
    me = [sys.executable, __file__, "--child"]
    name, _, rev = name.partition(" @")
    tag = f"-{rev}" if rev else ""
    if name == "bare parse":
        return [[*me, "bare", str(har)]]
    if name == "plain genson":
        return [[*me, "genson", str(har)]]
    if name in ("driftdiff baseline x.har", COMPILED):
        out = work / f"direct{tag or ('-compiled' if name == COMPILED else '')}.json"
        return [_driftdiff("baseline", str(har), "--out", str(out), "--force")]
    if name == "driftdiff baseline x.har --workers 1":
        out = work / f"direct-w1{tag}.json"
        return [_driftdiff("baseline", str(har), "--out", str(out), "--force", "--workers", "1")]
    traces = work / f"traces{tag}"
    return [
        _driftdiff("import", "har", str(har), "--out", str(traces), "--force"),
        _driftdiff("baseline", str(traces), "--out", str(work / f"imported{tag}.json"), "--force"),
    ]


COMPILED = "driftdiff baseline x.har, compiled build"
CONTESTANTS = (
    "bare parse",
    "plain genson",
    "driftdiff baseline x.har",
    "driftdiff baseline x.har --workers 1",
    "import + baseline",
    COMPILED,
)
#: Contestants run again at ``--rev`` (before/after).
REV_CONTESTANTS = ("driftdiff baseline x.har", "import + baseline")


def checkout(rev: str) -> Path:
    """``drift_diff`` and ``driftdiff_sdk`` of ``rev``, extracted under ``bench/out``."""
    dest = OUT / f"rev-{rev}"
    if not dest.exists():
        tmp = OUT / f"rev-{rev}.tmp"
        extract(rev, tmp)
        tmp.rename(dest)
    return dest


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    start = time.perf_counter()
    # not from the repository's root: ``python -m`` puts the working directory first on
    # ``sys.path``, where this tree's ``drift_diff`` would shadow a revision's on ``PYTHONPATH``
    proc = subprocess.Popen(
        argv, cwd=OUT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="HAR entries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--rev", help="also run driftdiff as of this git revision (before/after)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, har = args.child
        (run_bare if kind == "bare" else run_genson)(Path(har))
        return
    har = write_har(args.n)
    work = OUT / f"har-run-{args.n}"  # one per size: a folder of traces is read whole
    work.mkdir(parents=True, exist_ok=True)
    contestants = list(CONTESTANTS)
    envs: dict[str, dict[str, str] | None] = {name: None for name in contestants}
    envs[COMPILED] = {**os.environ, "PYTHONPATH": str(build_compiled(OUT / "compiled"))}
    if args.rev:
        old = checkout(args.rev)
        env = {**os.environ, "PYTHONPATH": f"{old}{os.pathsep}{old / 'sdk'}"}
        for name in REV_CONTESTANTS:
            contestants.append(f"{name} @{args.rev}")
            envs[contestants[-1]] = env
    # bytecode for every tree a contestant imports, written now: with PYTHONDONTWRITEBYTECODE
    # set (as on this machine) a tree without it would be compiled again in every run
    trees = [ROOT / "drift_diff", ROOT / "sdk" / "driftdiff_sdk"]
    if args.rev:
        trees.append(checkout(args.rev))
    compileall = [sys.executable, "-m", "compileall", "-q", *map(str, trees)]
    subprocess.run(compileall, check=True, stdout=subprocess.DEVNULL)
    load_before = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in contestants}
    for _ in range(args.rounds):
        for name in contestants:
            runs = [timed(argv, envs[name]) for argv in commands(name, har, work)]
            times[name].append((sum(w for w, _ in runs), sum(c for _, c in runs)))
    load_after = os.getloadavg()[0]
    direct = (work / "direct.json").read_bytes()
    assert direct == (work / "imported.json").read_bytes()
    assert direct == (work / "direct-w1.json").read_bytes()
    assert direct == (work / "direct-compiled.json").read_bytes()
    if args.rev:  # the same baseline before and after
        assert direct == (work / f"direct-{args.rev}.json").read_bytes()
        assert direct == (work / f"imported-{args.rev}.json").read_bytes()
    med = {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }
    g_wall, g_cpu = med["plain genson"]
    genson = times["plain genson"]

    def paired(name: str, k: int) -> str:
        """Plain genson's time over this contestant's, round by round: median (min-max)."""
        ratios = sorted(g[k] / t[k] for g, t in zip(genson, times[name], strict=True))
        return f"{statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f})"

    rows = [
        "| contestant | wall s | CPU s | entries/s (CPU) | vs plain genson (wall · CPU) "
        "| per round, wall | per round, CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (wall, cpu) in med.items():
        rows.append(
            f"| {name} | {wall:.2f} | {cpu:.2f} | {args.n / cpu:,.0f} "
            f"| {g_wall / wall:.2f}× · {g_cpu / cpu:.2f}× | {paired(name, 0)} | {paired(name, 1)} |"
        )
    size = har.stat().st_size / 1e6
    text = (
        f"{args.n:,} entries ({size:.0f} MB, one in ten a page asset), median of {args.rounds} "
        f"interleaved rounds; load average {load_before:.1f} before, {load_after:.1f} after "
        "(a shared 2-core machine).\n\n" + "\n".join(rows)
    )
    print(text)
    if args.write_docs:
        rev = f" --rev {args.rev}" if args.rev else ""
        command = f"python bench/bench_har.py --n {args.n} --rounds {args.rounds}{rev} --write-docs"
        doc = DOCS.read_text(encoding="utf-8")
        section = f"\nCommand: `{command}`\n\n{text}\n"
        if HEAD in doc:
            start = doc.index(HEAD) + len(HEAD)
            end = doc.find("\n## ", start)
            end = len(doc) if end < 0 else end
            doc = doc[:start] + section + doc[end:]
        else:
            doc = doc.rstrip("\n") + "\n\n" + HEAD + section
        DOCS.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
