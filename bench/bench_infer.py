"""Inference benchmark: ``python bench/bench_infer.py [--n 200000] [--small 10000] [--write-docs]``.

Generates a seeded corpus (``bench/infer_corpus.py``) into ``bench/out/`` and measures, side by
side in one run and each in a fresh subprocess (so peak memory is that run's own):

* ``driftdiff``     — end to end, file → baseline (``infer_sources``: 2 processes, merged);
* ``driftdiff ×1``  — the same on one process;
* ``compiled``      — both again with the optional mypyc build (``setup.py``; built into
  ``bench/out/compiled`` by ``bench/build_compiled.py`` and put first on ``PYTHONPATH``);
* ``naive genson``  — ``orjson.loads`` each line, ``SchemaBuilder().add_object`` of the request
  and response bodies into one builder per endpoint (method + path with ids masked) and status;
* ``bare parse``    — ``orjson.loads`` of each line, nothing else.

Throughput is exchanges per wall-clock second. Peak memory is ``ru_maxrss`` of the run (the
largest of the process and its workers).
"""

from __future__ import annotations

import argparse
import json
import os
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
RUNS = ("driftdiff", "driftdiff-1", "compiled", "compiled-1", "naive", "bare")
LABELS = {
    "driftdiff": "driftdiff (2 processes)",
    "driftdiff-1": "driftdiff (1 process)",
    "compiled": "driftdiff, compiled build (2 processes)",
    "compiled-1": "driftdiff, compiled build (1 process)",
    "naive": "naive genson",
    "bare": "bare orjson.loads",
}
NOTES = """
Targets: ≥ 3× naive genson and ≥ 40 % of bare parse throughput; peak memory flat.
The machine is shared (2 cores): absolute figures move between runs by ±15 %, the ratios less;
the 2-process figures depend most on how free the second core is.

Two builds are measured: the default pure-Python install, and the optional compiled build
(``DRIFTDIFF_COMPILE=1 pip install --no-build-isolation .``: mypyc compiles the trace reader,
path templating, batching and the genson strategies from the same typed sources; see
``setup.py``). Both write byte-identical baselines and the same error lines
(``tests/integration/test_compiled_build.py``).

How inference works: exchanges wait in a batch of 64 per endpoint; a full batch is learned
column by column — query and headers as one table per batch (one column per name), bodies per
media type as one column handed to the schema node, which splits it by type; the object
strategy gathers each property's values across the batch at C speed
(``map(itemgetter(key), objects)``), counts presence from the column lengths and recurses; leaf
strategies take a whole column (``set(column)`` against the value set, a format candidate checked
with one regex call over the column joined by newlines). Every batched operation equals adding
the values one by one (differential tests against the per-value code; the reference baselines
stay byte-identical). Path templates, wire-typed values, media types and header plans are cached
per distinct string; the cyclic GC is paused while inferring; on 2 processes the parent infers
one half of the file itself and the worker's part is merged (the split costs ~0.15 s).

Why the targets are missed — the floor, measured with ``python bench/infer_floor.py`` (1
process, CPU time per exchange, a 50,000-exchange corpus; pure build, and compiled with
``PYTHONPATH=bench/out/compiled``): ``orjson.loads`` 6.5 µs; checking the line (the types of the
fields the pipeline relies on, nesting depth) 5.3 µs pure, 3.2 µs compiled; learning 36 µs pure,
32 µs compiled. A sampling profile (py-spy, native frames) of the compiled build put ~35 % of
its time in freeing parsed exchanges: a batch of 64 per endpoint keeps ~3,200 exchanges alive,
and freeing them once they have left the CPU cache costs far more than right after parsing (a
bare loop that keeps the last 3,200 parsed lines alive runs at 11.4 µs per line instead of 6.5).
Smaller batches free warm memory but pay each schema node's per-batch cost more often: 8 / 16 /
32 / 64 / 128 per endpoint gave 57 / 52 / 48 / 48 / 51 µs for parse, check and learn (pure). The
rest is the per-value work the issue asks for (a format checked on every new string, value sets,
presence counts), already done by C calls over columns; naive genson does none of it.
So one process needs ~48 µs (pure) or ~42 µs (compiled) per exchange against 6.5 µs for the
bare parse, and 2 processes scale ~1.7–1.9×: on this machine the ceiling
is about a third of bare parse and ~2.5× naive genson. The targets need ≤ 16 µs of wall time
per exchange on 2 cores — parse, check and learn in ≤ 2.5× a bare parse per core — which a
CPython program that builds and frees the parsed objects does not reach, whatever it learns
from them; it would take a native walker over the raw bytes (C, or Rust, whose crate registry
this machine cannot reach) or learning from a sample of bodies, which would change the baseline
the issue defines.

History (same corpus and machine): the per-value code ran at 11,632 exch/s on 1 process and
23,850 on 2 (0.67× / 1.38× naive genson, 8 % / 17 % of bare parse); columnar batching roughly
doubled that, per-line validation then cost 6–10 %, the compiled build adds ~1.3×.
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
    if kind.startswith("compiled"):
        import drift_diff.infer.engine

        if not drift_diff.infer.engine.__file__.endswith(".so"):
            raise SystemExit("the compiled build is not first on PYTHONPATH")
    start = time.perf_counter()
    if kind in ("driftdiff", "compiled"):
        n = _run_driftdiff(path, 2)
    elif kind in ("driftdiff-1", "compiled-1"):
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


def measure(kind: str, path: Path, compiled: Path) -> dict[str, float]:
    env = dict(os.environ)
    if kind.startswith("compiled"):
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(compiled), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
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
        for build, two, one in (
            ("driftdiff", "driftdiff", "driftdiff-1"),
            ("compiled build", "compiled", "compiled-1"),
        ):
            ours, single = r[two]["rate"], r[one]["rate"]
            lines.append(
                f"- {n:,}, {build}: **{ours / r['naive']['rate']:.2f}× naive genson** "
                f"(1 process: {single / r['naive']['rate']:.2f}×), "
                f"**{100 * ours / r['bare']['rate']:.0f} % of bare parse** "
                f"(1 process: {100 * single / r['bare']['rate']:.0f} %)"
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
    from build_compiled import build_compiled
    from infer_corpus import write_corpus

    compiled = build_compiled(OUT / "compiled")

    sizes = sorted({args.small, args.n})
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in sizes:
        path = write_corpus(OUT / f"corpus-{n}.jsonl", n)
        results[n] = {kind: measure(kind, path, compiled) for kind in RUNS}
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
