"""``REV:path`` inputs: a baseline or document read from a git revision.

``driftdiff diff origin/main:baselines/shop.json baselines/shop.json`` compares against the
file as it is on ``origin/main``. The bytes come from ``git show REV:path`` run with an argv list
(never a shell) in the current folder's repository. A local file that exists wins over the
``REV:path`` reading (so ``C:\\data\\x.json`` or a file named ``a:b.json`` is read as a file); a
revision starting with ``-`` is refused so it can never be taken as a git option.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from drift_diff.errors import InputError

__all__ = ["read_git_bytes", "split_rev_path"]

#: a Windows drive (``C:``) is one letter; a URL has ``://``: neither is ``REV:path``
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def split_rev_path(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """``(rev, path)`` when ``path`` names a git revision's file rather than a local file."""
    text = os.fspath(path)
    if ":" not in text or "://" in text or _DRIVE.match(text) or Path(text).exists():
        return None
    rev, _, inner = text.partition(":")
    if not rev or not inner:
        return None
    return rev, inner


def read_git_bytes(rev: str, inner: str, limit: int) -> bytes:
    """The file ``inner`` at revision ``rev``; one clear ``InputError`` when it cannot be read."""
    name = f"{rev}:{inner}"
    if rev.startswith("-"):
        raise InputError(name, "a git revision cannot start with '-'")
    try:
        done = subprocess.run(
            ["git", "show", "--no-textconv", f"{rev}:{inner}"],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except FileNotFoundError:
        raise InputError(name, "git is not installed (needed to read REV:path)") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(name, f"cannot run git: {exc}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = lines[-1] if lines else f"git exited {done.returncode}"
        raise InputError(name, f"cannot read from git: {why}")
    if len(done.stdout) > limit:
        raise InputError(name, "larger than the input limit (raise it with DRIFTDIFF_MAX_INPUT_MB)")
    return done.stdout
