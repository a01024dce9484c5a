"""Redaction before/after: ``python bench/redact_equiv.py --rev REV [--har FILE...]``.

Runs the same redaction workload twice, in two fresh processes: once with ``driftdiff_sdk`` and
``drift_diff`` as they are at git revision ``REV`` (extracted with ``git archive`` and put first
on ``PYTHONPATH``), once with the working tree. Each run writes one ``repr`` per result (``repr``
shows types too: a tuple is not a list, a ``bytes`` is not a ``str``); the two files must be
byte-identical. A speed-up of the redactor must pass this against the revision before it.

The workload, seeded (the same inputs in both runs):

* strings harvested from the redaction and detector tests and the planted-secrets e2e, plus
  generated secrets of every kind (e-mails, Luhn-valid and invalid cards, JWTs, every vendor
  token prefix, PEM blocks, URLs with credentials, ``Bearer``/``Basic``, ``key=value`` and
  ``"key": value`` text, random path tokens) and benign look-alikes (UUIDs, timestamps, hex,
  epoch milliseconds, SKUs, slugs), alone and glued together with separators;
* every public entry point on them: ``redact_text``, ``redact_url``, ``redact_path``,
  ``redact_form``, ``redact_body_text`` (JSON, form, multipart, plain), ``redact_headers``,
  ``redact_json`` and ``mask_json`` of random JSON trees (secret keys in every spelling,
  non-string keys, tuples, bytes, nesting past ``MAX_DEPTH``), and ``redact_exchange`` of
  random exchanges (headers, cookies, queries, bodies of every kind, Redis/Postgres/HTTP
  outbound calls, ``meta.error``) — under the default config, extra keys and a user pattern;
* ``read_har`` (redaction on) of every HAR file given with ``--har`` (e.g. the conformance
  HARs and ``bench/out/bench-10000.har``).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from redact_corpus import Gen
from rev_compare import extract, run_and_compare


def workload(har_files: list[str], n: int) -> Iterator[str]:
    """``repr`` lines of every result (run in the child: imports what ``PYTHONPATH`` offers)."""
    import driftdiff_sdk
    from driftdiff_sdk.redact import RedactionConfig, Redactor

    yield f"# driftdiff_sdk from {Path(driftdiff_sdk.__file__).parent}"
    configs = {
        "default": RedactionConfig(key=b"equiv"),
        "extra": RedactionConfig(
            key=b"equiv", keys=RedactionConfig().keys | {"note", "zip"},
            headers=RedactionConfig().headers | {"x-custom"},
            patterns=(re.compile(r"SKU-\d+"), re.compile(r"internal-\w+")),
        ),
    }  # fmt: skip
    small = RedactionConfig(key=b"equiv")
    if hasattr(small, "cache_size"):  # memos of 50 entries: generations turn over constantly
        small.cache_size = 50
    configs["small-memo"] = small  # (a revision without the field: its defaults, same output)
    for label, config in configs.items():
        r = Redactor(config)
        gen = Gen(1234)
        for s in gen.harvest:
            yield repr((label, "h", r.redact_text(s), r.redact_url(s), r.redact_path(s),
                        r.redact_form(s), r.redact_body_text(s), r.mask_json(s)))  # fmt: skip
        for i in range(n):
            s = gen.text()
            yield repr((label, i, r.redact_text(s), r.redact_url(s), r.redact_path(s),
                        r.redact_form(s), r.redact_body_text(s, "application/json")))  # fmt: skip
            tree = gen.tree()
            yield repr((label, i, r.redact_json(tree), r.mask_json(tree)))
            yield repr((label, i, r.redact_headers(gen.headers())))
            yield repr((label, i, r.redact_exchange(gen.exchange(i))))
            if i % 20 == 0:  # around MAX_DEPTH (64), plain and under a secret key
                deep = gen.deep(58 + i // 20 % 12)
                wrapped = {"a": [deep], "token": deep}
                as_body = r.redact_exchange({"response": {"body": wrapped}})
                yield repr(
                    (
                        label,
                        i,
                        r.redact_json(deep),
                        r.redact_json(wrapped),
                        r.mask_json(deep),
                        as_body,
                    )
                )
        for i, s in enumerate(gen.near_misses()):  # around the fast paths' conditions
            headers = {"authorization": [s], "cookie": [f"a={s}; b"], "x-id": [s], "x-no": [],
                       "x-3": [s, "v", s], "x-str": s}  # fmt: skip
            shared = getattr(r, "share_headers", r.redact_headers)(headers)
            yield repr((label, "near", i, r.redact_text(s), r.mask_json(s), r.mask_json([s, s]),
                        r.redact_headers(headers), shared))  # fmt: skip
        for i in range(min(n, 500)):  # placeholders redacted again (already-redacted paths)
            once = r.redact_exchange(gen.exchange(i))
            yield repr((label, "twice", i, r.redact_exchange(once)))
        # the same inputs again: memoized results must equal fresh ones
        gen = Gen(1234)
        for _ in range(min(n, 300)):
            yield repr((label, "again", r.redact_text(gen.text()), r.redact_json(gen.tree())))
    if har_files:
        from drift_diff.traffic.har import read_har

        for name in har_files:
            yield f"# {name}"
            try:
                for ex in read_har(name):
                    yield repr(ex)
            except Exception as exc:  # the error itself is compared
                yield f"error {type(exc).__name__}: {exc}"


def _child(out: str, har: list[str], n: int) -> None:
    start = time.process_time()
    with open(out, "w", encoding="utf-8", errors="surrogatepass") as fh:
        for line in workload(har, n):
            fh.write(line + "\n")
    print(f"{time.process_time() - start:.2f}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", required=True, help="git revision to compare against")
    parser.add_argument("--har", nargs="*", default=[], help="HAR files to import both ways")
    parser.add_argument("--n", type=int, default=3000, help="generated cases per config")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.har, args.n)
        return
    with tempfile.TemporaryDirectory(prefix="redact-equiv-") as tmp:
        old = extract(args.rev, Path(tmp) / "old")

        def child(out: Path) -> list[str]:
            argv = [__file__, "--rev", args.rev, "--child", str(out)]
            return [*argv, "--n", str(args.n), "--har", *args.har]

        paths = {"old": old, "new": ""}
        run_and_compare(Path(tmp), paths, child, "results", drop_env=["DRIFTDIFF_REDACT_KEY"])


if __name__ == "__main__":
    main()
