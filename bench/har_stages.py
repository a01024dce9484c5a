"""Per-stage CPU of HAR learning in one process: ``python bench/har_stages.py HAR [--rounds 3]``.

For every entry of ``HAR``: the parse of the file (``orjson``), conversion to exchanges, redaction
and learning, each timed alone (``perf_counter``, best of the rounds, GC off), once for the
exchanges cut to what learning reads (``infer.learned.learned_part``, what ``driftdiff baseline
x.har`` does) and once whole (what it did before stop 24); both baselines must be identical.
Then the JSON response bodies parsed by ``json.loads`` and by ``_har_entry.json_body``. Figures
in µs per entry of the file.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from drift_diff.baseline import dumps_baseline
from drift_diff.infer.engine import Inference
from drift_diff.infer.learned import learned_part
from drift_diff.records import as_exchange
from drift_diff.traffic._har_entry import json_body
from drift_diff.traffic.har import HarStats, LoadedHar, file_redactor, har_digest, har_exchanges


def best(rounds: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("har", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = args.har.read_bytes()
    gc.disable()
    digest = har_digest(data)
    took, doc = best(args.rounds, lambda: orjson.loads(data))
    entries = doc["log"]["entries"]
    n = len(entries)
    har = LoadedHar("x", entries, b"", "x")
    print(f"{n} entries; per entry, best of {args.rounds}")
    print(f"  parse the file        {took / n * 1e6:7.1f} µs")
    baselines = []
    for label, learn in (("cut (now)", learned_part), ("whole (before)", None)):

        def convert(learn: Any = learn) -> list[Any]:
            stats = HarStats()
            return list(
                har_exchanges(har, 0, n, service="api", redactor=None, stats=stats, learn=learn)
            )

        t_convert, exchanges = best(args.rounds, convert)

        def redact(exchanges: list[Any] = exchanges) -> list[Any]:
            redact_exchange = file_redactor(digest).redact_exchange  # a fresh memo each round
            return [as_exchange(redact_exchange(e)) for e in exchanges]

        t_redact, redacted = best(args.rounds, redact)

        def learn_all(redacted: list[Any] = redacted) -> str:
            inference = Inference(service="api")
            for exchange in redacted:
                inference.add(exchange)
            return dumps_baseline(inference.baseline())

        t_learn, baseline = best(args.rounds, learn_all)
        baselines.append(baseline)
        print(
            f"  {label:15s} convert {t_convert / n * 1e6:6.1f} µs, redact {t_redact / n * 1e6:6.1f}"
            f" µs, learn {t_learn / n * 1e6:6.1f} µs"
        )
    assert baselines[0] == baselines[1], "the cut exchanges learned another baseline"
    bodies = [
        text.encode("utf-8", "surrogatepass")
        for e in entries
        for text in ((e["response"].get("content") or {}).get("text"),)
        if isinstance(text, str) and text[:1] in ("{", "[")
    ]
    t_json, _ = best(args.rounds, lambda: [json.loads(b) for b in bodies])
    t_body, _ = best(args.rounds, lambda: [json_body(b) for b in bodies])
    print(
        f"  {len(bodies)} JSON response bodies: json.loads {t_json:.3f} s, json_body {t_body:.3f} s"
    )


if __name__ == "__main__":
    main()
