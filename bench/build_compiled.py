"""Build the optional compiled modules into a folder: ``python bench/build_compiled.py DEST``.

Copies the package sources (``drift_diff``, the genson stubs, ``setup.py``, ``pyproject.toml``,
and the SDK with its own ``setup.py``) into DEST and runs ``DRIFTDIFF_COMPILE=1 setup.py build_ext
--inplace`` there, for the main package and then for the SDK — the same mypyc builds
``DRIFTDIFF_COMPILE=1 pip install .`` and ``... ./sdk`` make. The compiled SDK is then moved to
``DEST/driftdiff_sdk`` (with its shared mypyc library), so that ``PYTHONPATH=DEST`` imports the
compiled ``drift_diff`` and the compiled ``driftdiff_sdk`` while the checkout stays pure Python.
A build whose sources did not change is reused. Used by ``bench/bench_infer.py``,
``bench/bench_har.py`` and ``tests/integration/test_compiled_build.py``; needs mypy and a C
compiler.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = (
    "drift_diff",
    "schemas",
    "stubs",
    "sdk/driftdiff_sdk",
    "sdk/setup.py",
    "sdk/pyproject.toml",
    "sdk/LICENSE",
    "sdk/README.md",
    "setup.py",
    "pyproject.toml",
    "README.md",
)


def _sources() -> list[Path]:
    files: list[Path] = []
    for name in COPIED:
        path = REPO / name
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
            )
        else:
            files.append(path)
    return [f for f in files if not f.name.endswith(".so")]


def _stamp() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in _sources():
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_compiled(dest: Path) -> bool:
    return any((dest / "drift_diff" / "infer").glob("engine.*.so")) and any(
        (dest / "driftdiff_sdk").glob("redact.*.so")
    )


def _build_ext(folder: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=folder,
        env={**os.environ, "DRIFTDIFF_COMPILE": "1"},
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise RuntimeError(f"compiled build of {folder} failed (exit {proc.returncode}):\n{tail}")
    shutil.rmtree(folder / "build", ignore_errors=True)


def build_compiled(dest: Path) -> Path:
    """The folder to put on PYTHONPATH for the compiled build (built or reused)."""
    stamp_file = dest / ".stamp"
    stamp = _stamp()
    if is_compiled(dest) and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for path in _sources():
        target = dest / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for root, dirs, _ in os.walk(REPO / "drift_diff"):
        for name in dirs:  # drift_diff/_schemas -> ../schemas: links are kept as links
            link = Path(root, name)
            if link.is_symlink():
                os.symlink(os.readlink(link), dest / link.relative_to(REPO))
    _build_ext(dest)  # drift_diff, typed against the SDK's sources in dest/sdk
    sdk = dest / "sdk"
    _build_ext(sdk)
    for lib in sdk.glob("*__mypyc.*.so"):  # the SDK's shared library, imported top-level
        lib.rename(dest / lib.name)
    (sdk / "driftdiff_sdk").rename(dest / "driftdiff_sdk")
    shutil.rmtree(sdk)
    if not is_compiled(dest):
        raise RuntimeError(f"compiled build in {dest}: compiled modules missing")
    stamp_file.write_text(stamp)
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[0])
    print(build_compiled(Path(sys.argv[1]).resolve()))
