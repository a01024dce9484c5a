"""Inference benchmark: ``python bench/bench_infer.py [--n 200000] [--small 10000] [--write-docs]``.

Generates a seeded corpus (``bench/infer_corpus.py``) into ``bench/out/`` and measures, side by
side in one run and each in a fresh subprocess (so peak memory is that run's own):

* ``driftdiff``     — end to end, file → baseline (``infer_sources``: 2 processes, merged);
* ``driftdiff ×1``  — the same on one process;
* ``naive genson``  — ``orjson.loads`` each line, ``SchemaBuilder().add_object`` of the request
  and response bodies into one builder per endpoint (method + path with ids masked) and status;
* ``bare parse``    — ``orjson.loads`` of each line, nothing else.

Throughput is exchanges per wall-clock second. Peak memory is ``ru_maxrss`` of the run (the
largest of the process and its workers).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DOCS = HERE.parent / "docs" / "benchmarks.md"
RUNS = ("driftdiff", "driftdiff-1", "naive", "bare")
LABELS = {
    "driftdiff": "driftdiff (2 processes)",
    "driftdiff-1": "driftdiff (1 process)",
    "naive": "naive genson",
    "bare": "bare orjson.loads",
}
NOTES = """
Targets: ≥ 3× naive genson and ≥ 40 % of bare parse throughput; peak memory flat.
The machine is shared (2 cores, other test suites running): absolute figures move between runs,
the ratios less; the 2-process figure depends most on how free the second core is.

How inference works now (issue 3 follow-up): exchanges wait in a batch of 64 per endpoint; a full
batch is learned column by column — query and headers as one table per batch (one column per
name), bodies per media type as one column handed to the schema node, which splits it by type;
the object strategy gathers each property's values across the batch at C speed
(``map(itemgetter(key), objects)``), counts presence from the column lengths and recurses; leaf
strategies take a whole column (``set(column)`` against the value set, a format candidate checked
with one regex call over the column joined by newlines). Every batched operation equals adding
the values one by one (verified by differential tests against the per-value code and the
reference baselines, which stay byte-identical). Path templates, wire-typed values, media types
and header plans are cached per distinct string; the cyclic GC is paused while inferring (parsed
lines are acyclic and freed by reference counting); on 2 processes the parent infers one half of
the file itself and the worker's part is merged without re-validating it.

Before this work (same corpus and machine, earlier run): 11,632 exch/s on 1 process and 23,850
on 2 at 200,000 exchanges — 0.67× / 1.38× naive genson, 8 % / 17 % of bare parse, 32–41 MB.
The output is unchanged: the baselines of the bench corpus (200,000 exchanges, on 1 and 2
processes), of ``examples/traces`` and of every conformance HAR are byte-identical to the ones
the per-value code wrote.

Why the targets are still missed: per exchange (1 process, CPU time, 20,000 exchanges) about
7 µs go to ``orjson.loads``, 2 µs to reading and checking the line, ~12 µs to the bodies (~50
values and objects each: gathering, type split, value sets and ~3 format checks per body — work
naive genson does not do), ~4 µs to headers, query and path parameters, ~4 µs to grouping and
batching: about 5–5.5× the bare parse on one process, so even a perfect 2-process split stays
near 35–40 % of bare parse and ~2.5–2.8× naive genson on this 2-core machine (less when the
second core is busy). The floor with CPython is the per-value work (a dict lookup, a type check
and a set insertion per value, ≈ 100–200 ns with cache misses); going further needs compiled
code (a C/Rust walker) or sampling bodies, which would change the baseline.
""".strip()
_IDS = re.compile(r"/(?:\d+|[0-9a-f-]{36})(?=/|$)")


def _run_driftdiff(path: Path, workers: int) -> int:
    from drift_diff.infer.parallel import infer_sources
    from drift_diff.traffic.sources import SourceStats

    stats = SourceStats()
    infer_sources([path], workers=workers, stats=stats)
    return stats.exchanges


def _run_naive(path: Path) -> int:
    import genson
    import orjson

    builders: dict[tuple[Any, ...], genson.SchemaBuilder] = {}
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            raw = orjson.loads(line)
            request, response = raw["request"], raw["response"]
            endpoint = (request["method"], _IDS.sub("/{id}", request["path"]))
            for key, message in (("req", request), (response["status"], response)):
                if "body" in message:
                    builder = builders.get((*endpoint, key))
                    if builder is None:
                        builder = builders[(*endpoint, key)] = genson.SchemaBuilder()
                    builder.add_object(message["body"])
            n += 1
    for builder in builders.values():
        builder.to_schema()
    return n


def _run_bare(path: Path) -> int:
    import orjson

    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            orjson.loads(line)
            n += 1
    return n


def child(kind: str, path: Path) -> None:
    """One measurement (in its own process); prints a JSON result line."""
    start = time.perf_counter()
    if kind == "driftdiff":
        n = _run_driftdiff(path, 2)
    elif kind == "driftdiff-1":
        n = _run_driftdiff(path, 1)
    elif kind == "naive":
        n = _run_naive(path)
    else:
        n = _run_bare(path)
    seconds = time.perf_counter() - start
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({"n": n, "seconds": seconds, "rss_mb": rss / 1024}))


def measure(kind: str, path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["rate"] = result["n"] / result["seconds"]
    return result


def report(sizes: list[int], results: dict[int, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| run | " + " | ".join(f"{n:,} exchanges: exch/s · peak MB" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for kind in RUNS:
        cells = [
            f"{results[n][kind]['rate']:,.0f} · {results[n][kind]['rss_mb']:.0f}" for n in sizes
        ]
        lines.append(f"| {LABELS[kind]} | " + " | ".join(cells) + " |")
    lines.append("")
    for n in sizes:
        r = results[n]
        ours, one = r["driftdiff"]["rate"], r["driftdiff-1"]["rate"]
        lines.append(
            f"- {n:,}: driftdiff = **{ours / r['naive']['rate']:.2f}× naive genson** "
            f"(1 process: {one / r['naive']['rate']:.2f}×), "
            f"**{100 * ours / r['bare']['rate']:.0f} % of bare parse** "
            f"(1 process: {100 * one / r['bare']['rate']:.0f} %)"
        )
    return "\n".join(lines) + "\n\n" + NOTES


def write_docs(text: str, command: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    head = "## Inference (issue 3)\n"
    start = doc.index(head) + len(head)
    end = doc.find("\n## ", start)
    end = len(doc) if end < 0 else end
    section = f"\nCommand: `{command}`\n\n{text}\n"  # this section is ours; others are kept
    DOCS.write_text(doc[:start] + section + doc[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="large corpus size")
    parser.add_argument("--small", type=int, default=10_000, help="small corpus size")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sys.path.insert(0, str(HERE))
    from infer_corpus import write_corpus

    sizes = sorted({args.small, args.n})
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        path = write_corpus(OUT / f"corpus-{n}.jsonl", n)
        results[n] = {kind: measure(kind, path) for kind in RUNS}
        print(
            f"{n:,}: "
            + ", ".join(
                f"{k} {v['rate']:,.0f}/s {v['rss_mb']:.0f}MB" for k, v in results[n].items()
            ),
            file=sys.stderr,
        )
    text = report(sizes, results)
    print(text)
    if args.write_docs:
        write_docs(text, "python bench/bench_infer.py --write-docs")


if __name__ == "__main__":
    main()
