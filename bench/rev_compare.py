"""Old against new for the equivalence scripts (``redact_equiv.py``, ``har_convert_equiv.py``).

``extract`` puts ``drift_diff`` and ``driftdiff_sdk`` of a git revision into a folder (what
``bench_har.py --rev`` runs too); ``run_and_compare`` runs a script's child mode once with
that revision first on ``PYTHONPATH`` and once with this tree, and compares their outputs line
by line. A child writes a header line (where it imported from) and then one line per result.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def extract(rev: str, dest: Path) -> str:
    """``drift_diff`` and ``driftdiff_sdk`` of ``rev`` under ``dest``; the ``PYTHONPATH`` that
    imports them."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", rev, "sdk/driftdiff_sdk", "drift_diff"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return f"{dest}{os.pathsep}{dest / 'sdk'}"


def run_and_compare(
    tmp: Path,
    paths: dict[str, str],
    child: Callable[[Path], list[str]],
    what: str,
    drop_env: Iterable[str] = (),
) -> None:
    """Run ``[python, *child(out)]`` for ``old`` and ``new`` (``paths``: their ``PYTHONPATH``,
    ``""`` for this tree); print ``identical: N {what}``, or the first difference and exit 1."""
    outs = {}
    for label, path in paths.items():
        out = tmp / f"{label}.txt"
        env = {**os.environ, "PYTHONPATH": path}
        for name in drop_env:
            env.pop(name, None)
        proc = subprocess.run(
            [sys.executable, *child(out)], env=env, capture_output=True, text=True
        )
        if proc.returncode:
            raise SystemExit(f"{label} run failed:\n{proc.stderr}")
        outs[label] = out.read_bytes()
        head, _, rest = outs[label].partition(b"\n")
        print(f"{label}: {head.decode()[2:]}: {len(rest):,} bytes, {proc.stderr.strip()} CPU s,"
              f" sha256 {hashlib.sha256(rest).hexdigest()[:16]}")  # fmt: skip
    old_lines, new_lines = outs["old"].splitlines(), outs["new"].splitlines()
    same = [a == b for a, b in zip(old_lines[1:], new_lines[1:], strict=False)]
    if len(old_lines) == len(new_lines) and all(same):
        print(f"identical: {len(old_lines) - 1:,} {what}")
        return
    bad = same.index(False) + 1 if not all(same) else min(len(old_lines), len(new_lines))
    print(f"DIFFERENT at line {bad} ({sum(not s for s in same)} differ)")
    for label, lines in (("old", old_lines), ("new", new_lines)):
        shown = lines[bad][:3000].decode(errors="replace") if bad < len(lines) else "<end>"
        print(f"{label}: {shown}")
    raise SystemExit(1)
