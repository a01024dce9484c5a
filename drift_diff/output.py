"""Writing output files: the one place every command that writes a file goes through.

Rules (each refusal is an ``OutputError``: one line naming the file, exit 2):

- only a regular file (or a new name) is written: a folder, device node, FIFO or socket is
  refused, and so is a symbolic link (it would be followed to, or replaced instead of, a file
  the user did not name);
- an input of the same command is never replaced (same resolved path or same inode, so a hard
  link counts);
- an existing file the command did not write is kept unless ``force`` (``owned`` tells, per
  command, whether the file there is one it wrote; ``owned=None`` means any regular file may be
  replaced, as ``-o`` does for reports);
- the data goes to a temporary file in the same folder that is renamed over the target, so a
  failure (a full disk) leaves the old file whole and no partial one; the new file keeps the old
  one's permissions, or gets the umask's;
- ``-`` means standard output.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from drift_diff.errors import OutputError

__all__ = [
    "STDOUT",
    "check_output",
    "check_output_folder",
    "has_marker",
    "head_and_tail",
    "is_baseline_output",
    "is_report_output",
    "is_stdout",
    "write_errors",
    "write_output",
]

#: the output name that means standard output
STDOUT = "-"

Owned = Callable[[Path], bool]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def is_stdout(path: str | os.PathLike[str] | None) -> bool:
    return path is not None and os.fspath(path) == STDOUT


def check_output(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
    owned: Owned | None = None,
) -> Path:
    """Raise ``OutputError`` unless ``path`` may be (re)written; returns it as a ``Path``."""
    target = Path(path)
    if is_stdout(path):
        return target
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(target, f"cannot write: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(
                target, "is a symbolic link; name the file itself (links are not followed)"
            )
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise OutputError(target, f"is {kind}, not a regular file; not written")
    for source in inputs:
        if _same_or_inside(target, info, Path(source)):
            raise OutputError(target, f"is an input of this command ({source}); not overwritten")
    if info is not None and not force and owned is not None and not owned(target):
        raise OutputError(
            target, "exists and was not written by this command; pass --force to replace it"
        )
    return target


def check_output_folder(
    folder: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    files: Iterable[str] = (),
) -> None:
    """Raise ``OutputError`` unless ``folder`` may receive ``files``: it is a folder (or not
    there yet), neither an input folder nor inside one (what is written there would be read as
    recorded traffic next time), and each of ``files`` passes ``check_output``."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputError(target, "is not a folder")
    sources = list(inputs)
    for source in sources:
        src = Path(source)
        if src.is_dir() and target.resolve().is_relative_to(src.resolve()):
            raise OutputError(
                target, f"is inside the input folder {source}; choose a folder of its own"
            )
    for name in files:
        check_output(target / name, inputs=sources)


def _same_or_inside(target: Path, info: os.stat_result | None, source: Path) -> bool:
    try:
        src = source.stat()
    except OSError:
        return False
    if info is not None and (src.st_dev, src.st_ino) == (info.st_dev, info.st_ino):
        return True
    if stat.S_ISDIR(src.st_mode) and info is not None:
        # an existing file under an input folder may be one of the inputs read from it
        return target.resolve().is_relative_to(source.resolve())
    return target.resolve() == source.resolve()


@contextlib.contextmanager
def write_errors(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn the file system's errors while writing ``path`` (full disk, no permission, a file
    where a folder should be) into one ``OutputError`` line."""
    try:
        yield
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from None


def write_output(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    force: bool = False,
    owned: Owned | None = None,
) -> None:
    """Write ``data`` (text is UTF-8) to ``path`` by the rules above; ``-`` is standard output.

    Text that cannot be UTF-8 (a lone surrogate from a hostile input) is written as a visible
    ``\\udXXX`` escape rather than failing the command.
    """
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "backslashreplace")
    if is_stdout(path):
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    target = check_output(path, inputs=inputs, force=force, owned=owned)
    with write_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _mode(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def head_and_tail(path: Path, size: int = 65536) -> bytes:
    """The first and last ``size`` bytes of ``path`` (empty when unreadable): enough to tell
    whether a file is one of ours without reading a large one whole."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(size)
            end = fh.seek(0, os.SEEK_END)
            if end <= size:
                return head
            fh.seek(max(size, end - size))
            return head + fh.read(size)
    except OSError:
        return b""


#: markers of the files driftdiff reads (baselines, traces, OpenAPI, HAR) and of what it writes
_BASELINE = b'"driftdiff.baseline/'
_DATA_MARKERS = (_BASELINE, b'"driftdiff.exchange/', b'"openapi"', b"openapi:", b'"log"')


def is_baseline_output(path: Path) -> bool:
    """A baseline file may replace an earlier baseline (the normal re-learn flow)."""
    return _BASELINE in head_and_tail(path)


def is_report_output(path: Path) -> bool:
    """A report may replace any regular file but one holding data driftdiff reads (a baseline,
    trace, OpenAPI document or HAR file): those need ``--force``."""
    data = head_and_tail(path, 4096)
    return not any(marker in data for marker in _DATA_MARKERS)


def has_marker(marker: bytes) -> Owned:
    """A file counts as written by the command when its first bytes hold ``marker``."""
    return lambda path: marker in head_and_tail(path, 4096)
