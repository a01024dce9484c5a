"""Scale benchmark: ``python bench/bench_scale.py [--n 200000] [--files 8] [--write-docs]``.

The seeded shop corpus (``bench/infer_corpus.py``) is written as ``--files`` gzip trace files
(the shape pods leave in object storage) and learned end to end by ``infer_sources``, each run
in a fresh subprocess:

* ``local ×1``  — one process;
* ``local ×2``  — the local executor, 2 processes;
* ``dask ×2``   — the Dask executor on a ``LocalCluster`` of 2 worker processes (cluster start
  included in the time, as a user running ``--engine dask`` without ``--scheduler`` pays it).

Every run's baseline must be byte-identical to ``local ×1``'s (checked here). Throughput is
exchanges per wall-clock second; peak memory is ``ru_maxrss`` of the largest process (the
client or one worker). The per-worker figure feeds the projection in ``docs/scale.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from infer_corpus import _exchange

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
DOCS = ROOT / "docs" / "benchmarks.md"
RUNS = {"local ×1": ("local", 1), "local ×2": ("local", 2), "dask ×2": ("dask", 2)}


def corpus(n: int, files: int) -> Path:
    """``files`` gzip parts of the seeded corpus of ``n`` exchanges (reused when present),
    written as it is generated: 1 M exchanges never sit in memory."""
    folder = OUT / f"scale-{n}-{files}"
    stamp = folder / "done"
    if stamp.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)  # the seed of ``write_corpus``: the same exchanges
    per = -(-n // files)
    for k in range(files):
        with gzip.open(folder / f"pod{k:02d}.jsonl.gz", "wb", compresslevel=6) as fh:
            for i in range(k * per, min(n, (k + 1) * per)):
                fh.write(orjson.dumps(_exchange(rng, i)) + b"\n")
    stamp.write_text("ok")
    return folder


def child(engine: str, workers: int, folder: Path, out: Path) -> None:
    from drift_diff.baseline import save_baseline
    from drift_diff.infer.parallel import infer_sources
    from drift_diff.traffic.sources import SourceStats

    stats = SourceStats()
    start = time.perf_counter()
    baseline = infer_sources(
        [str(folder)], workers=workers, stats=stats, engine=engine, parallel_min_bytes=0
    )
    seconds = time.perf_counter() - start
    save_baseline(baseline, out, force=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "seconds": seconds,
        "exchanges": stats.exchanges,
        "cpu": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
        "rss_mb": own.ru_maxrss / 1024,  # this process: the client, which infers units too
        "worker_rss_mb": kids.ru_maxrss / 1024,  # the largest worker process it waited for
    }
    print(json.dumps(result))


def measure(name: str, folder: Path) -> dict[str, float]:
    engine, workers = RUNS[name]
    out = OUT / f"scale-{engine}-{workers}.json"
    args = [sys.executable, __file__, "--child", engine, str(workers), str(folder), str(out)]
    result = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT)
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    data["bytes"] = float(len(out.read_bytes()))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="exchanges in the corpus")
    parser.add_argument("--files", type=int, default=8, help="gzip files to split it into")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--runs", default=",".join(RUNS), help="comma-separated run names")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, workers, folder, out = args.child
        child(engine, int(workers), Path(folder), Path(out))
        return
    folder = corpus(args.n, args.files)
    load_before = os.getloadavg()[0]
    names = [name for name in RUNS if name in args.runs.split(",")]
    results = {name: measure(name, folder) for name in names}
    load_after = os.getloadavg()[0]
    reference = (OUT / "scale-local-1.json").read_bytes()
    for name in names:
        engine, workers = RUNS[name]
        assert (OUT / f"scale-{engine}-{workers}.json").read_bytes() == reference, name
    base = results["local ×1"]
    one = base["exchanges"] / base["seconds"]
    rows = [
        "| run | seconds | exchanges/s | speed-up | CPU s | speed-up on free cores "
        "| peak RSS client · worker (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        rate = r["exchanges"] / r["seconds"]
        free = RUNS[name][1] * base["cpu"] / r["cpu"]  # if each worker had a core to itself
        rows.append(
            f"| {name} | {r['seconds']:.1f} | {rate:,.0f} | {rate / one:.2f}× | {r['cpu']:.1f} "
            f"| {free:.2f}× "
            f"| {r['rss_mb']:.0f} · {r['worker_rss_mb']:.0f} |"
        )
    text = (
        f"{int(base['exchanges']):,} exchanges in {args.files} gzip files; every run's baseline "
        f"byte-identical to local ×1 (checked); load average {load_before:.1f} before, "
        f"{load_after:.1f} after (a shared 2-core machine).\n\n" + "\n".join(rows)
    )
    print(text)
    if args.write_docs:
        command = f"python bench/bench_scale.py --n {args.n} --files {args.files} --write-docs"
        doc = DOCS.read_text(encoding="utf-8")
        head = "## Scale: workers and Dask (issue 15)\n"
        section = f"\nCommand: `{command}`\n\n{text}\n"
        if head in doc:
            start = doc.index(head) + len(head)
            end = doc.find("\n## ", start)
            end = len(doc) if end < 0 else end
            doc = doc[:start] + section + doc[end:]
        else:
            doc = doc.rstrip("\n") + "\n\n" + head + section
        DOCS.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
