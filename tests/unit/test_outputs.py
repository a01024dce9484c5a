"""Output files and bounded inputs through the real CLI (``drift_diff.cli.main``).

Each refusal is one ``driftdiff: error:`` line naming the file, exit 2, and the file that was
there (an input, a device node, a link's target, a hand-written file) is left as it was.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift_diff.cli import main
from tests.support import REPO

TRACES = REPO / "examples" / "traces" / "shop-000.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, name: str, words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("driftdiff: error:")]
    assert len(errors) == 1 and name in errors[0] and words in errors[0], err


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.json"
    assert main(["baseline", str(TRACES), "--out", str(path)]) == 0
    return path


def test_diff_output_onto_its_own_input_is_refused(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    before = base.read_bytes()
    code, _, err = run(capsys, "diff", str(base), str(TRACES), "-o", str(base))
    assert_refused(code, err, str(base), "is an input of this command")
    assert base.read_bytes() == before
    link = tmp_path / "hard.json"  # the same file under another name
    os.link(base, link)
    code, _, err = run(capsys, "diff", str(base), str(TRACES), "-o", str(link))
    assert_refused(code, err, str(link), "is an input")
    assert base.read_bytes() == before


def test_merge_onto_one_of_its_inputs_is_refused(
    capsys: pytest.CaptureFixture[str], base: Path
) -> None:
    before = base.read_bytes()
    code, _, err = run(capsys, "baseline", "merge", str(base), str(base), "--out", str(base))
    assert_refused(code, err, str(base), "is an input")
    assert base.read_bytes() == before


def test_non_regular_targets_are_refused(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    targets = {fifo: "a FIFO", folder: "a folder"}
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        targets[device] = "a character device"
    except PermissionError:
        pass  # no CAP_MKNOD here: the FIFO and folder still cover non-regular targets
    for target, kind in targets.items():
        for argv in (
            ["diff", str(base), str(TRACES), "-o", str(target)],
            ["baseline", str(TRACES), "--out", str(target)],
            ["export", "openapi", str(base), "--out", str(target)],
        ):
            code, _, err = run(capsys, *argv)
            assert_refused(code, err, str(target), kind)
        assert not stat.S_ISREG(target.lstat().st_mode)
    if device in targets:
        assert stat.S_ISCHR(device.lstat().st_mode)


def test_symlink_target_is_refused_and_its_file_kept(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n", "utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(precious)
    code, _, err = run(capsys, "diff", str(base), str(TRACES), "-f", "markdown", "-o", str(link))
    assert_refused(code, err, str(link), "symbolic link")
    assert precious.read_text("utf-8") == "keep me\n" and link.is_symlink()


def test_files_the_command_did_not_write_need_force(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    # baseline --out: an earlier baseline is replaced (the normal flow), other files need --force
    again = tmp_path / "again.json"
    shutil.copy(base, again)
    assert run(capsys, "baseline", str(TRACES), "--out", str(again))[0] == 0
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": true}\n', "utf-8")
    code, _, err = run(capsys, "baseline", str(TRACES), "--out", str(notes))
    assert_refused(code, err, str(notes), "--force")
    assert notes.read_text("utf-8") == '{"mine": true}\n'
    assert run(capsys, "baseline", str(TRACES), "--out", str(notes), "--force")[0] == 0
    assert json.loads(notes.read_text("utf-8"))["format"].startswith("driftdiff.baseline/")
    # generate: a hand-written test module is kept; a generated one is regenerated
    module = tmp_path / "test_contract.py"
    module.write_text("def test_mine():\n    pass\n", "utf-8")
    code, _, err = run(capsys, "generate", "pytest", str(TRACES), "--out", str(module))
    assert_refused(code, err, str(module), "--force")
    assert "test_mine" in module.read_text("utf-8")
    assert run(capsys, "generate", "pytest", str(TRACES), "--out", str(module), "--force")[0] == 0
    assert run(capsys, "generate", "pytest", str(TRACES), "--out", str(module))[0] == 0
    # a report does not replace a baseline (likely a mistyped argument) without --force
    code, _, err = run(capsys, "diff", str(base), str(TRACES), "-o", str(again))
    assert_refused(code, err, str(again), "--force")
    report = tmp_path / "report.txt"
    report.write_text("old report\n", "utf-8")
    assert run(capsys, "diff", str(base), str(TRACES), "-o", str(report))[0] == 0
    assert report.read_text("utf-8") != "old report\n"


def test_import_har_keeps_an_existing_trace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    har = tmp_path / "session.har"
    entry = {
        "request": {"method": "GET", "url": "http://api.test/items", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": "[]"},
        },
    }
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}), "utf-8")
    out = tmp_path / "traces"
    out.mkdir()
    existing = out / "session.jsonl"
    existing.write_text("recorded earlier\n", "utf-8")
    code, _, err = run(capsys, "import", "har", str(har), "--out", str(out))
    assert_refused(code, err, str(existing), "--force")
    assert existing.read_text("utf-8") == "recorded earlier\n"
    assert run(capsys, "import", "har", str(har), "--out", str(out), "--force")[0] == 0
    assert '"driftdiff.exchange/' in existing.read_text("utf-8")


def test_dash_means_standard_output(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "diff", str(base), str(TRACES), "-f", "json", "-o", "-")
    assert code == 0 and "summary" in json.loads(out)
    code, out, _ = run(capsys, "export", "openapi", str(base), "--out", "-")
    assert code == 0 and json.loads(out)["openapi"].startswith("3.1")
    assert not (Path.cwd() / "-").exists()


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_one_error_and_the_old_file_stays(
    capsys: pytest.CaptureFixture[str], base: Path, full_disk: Path
) -> None:
    target = full_disk / "base.json"
    target.write_text('{"format": "driftdiff.baseline/1"}\n', "utf-8")  # an old baseline
    with open(full_disk / "filler", "wb", buffering=0) as fh, pytest.raises(OSError):
        while True:  # the rest of the disk
            fh.write(b"x" * 4096)
    code, _, err = run(capsys, "baseline", str(TRACES), "--out", str(target))
    assert_refused(code, err, str(target), "No space left on device")
    assert target.read_text("utf-8") == '{"format": "driftdiff.baseline/1"}\n'
    assert sorted(p.name for p in full_disk.iterdir()) == ["base.json", "filler"]  # no temp file


# ----------------------------------------------------------------------------- inputs
def test_sparse_file_and_device_inputs_are_refused_by_size(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sparse = tmp_path / "huge.har"
    with open(sparse, "wb") as fh:
        fh.truncate(2 << 30)  # 2 GiB of zeros, no disk used
    code, _, err = run(capsys, "import", "har", str(sparse), "--out", str(tmp_path / "t"))
    assert_refused(code, err, str(sparse), "input limit")
    trace = tmp_path / "huge.jsonl"
    with open(trace, "wb") as fh:
        fh.truncate(1 << 30)  # one 1 GiB line of zeros
    code, _, err = run(capsys, "baseline", str(trace), "--out", str(tmp_path / "b.json"))
    assert_refused(code, err, str(trace), "input limit")
    assert "line 1" in err
    code, _, err = run(capsys, "diff", str(base), str(base), "--config", "/dev/zero")
    assert_refused(code, err, "/dev/zero", "a device")
    code, _, err = run(capsys, "import", "har", "/dev/zero", "--out", str(tmp_path / "t"))
    assert_refused(code, err, "/dev/zero", "a device")
    monkeypatch.setenv("DRIFTDIFF_MAX_INPUT_MB", "1")
    two = tmp_path / "two.har"
    two.write_bytes(b" " * (2 << 20))
    code, _, err = run(capsys, "import", "har", str(two), "--out", str(tmp_path / "t"))
    assert_refused(code, err, str(two), "1 MiB input limit")


def test_gzip_bomb_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        block = b" " * ((1 << 20) - 1) + b"\n"
        for _ in range(80):  # 80 MiB of blank lines in ~80 KiB
            fh.write(block)
    code, _, err = run(capsys, "baseline", str(bomb), "--out", str(tmp_path / "b.json"))
    assert_refused(code, err, str(bomb), "gzip bomb")
    one_line = tmp_path / "line.jsonl.gz"
    with gzip.open(one_line, "wb") as fh:
        fh.write(b"x" * (3 << 20))
    monkeypatch.setenv("DRIFTDIFF_MAX_LINE_MB", "2")
    code, _, err = run(capsys, "baseline", str(one_line), "--out", str(tmp_path / "c.json"))
    assert_refused(code, err, str(one_line), "2 MiB input limit")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        *((opt, v) for opt in ("--ready-timeout", "--timeout") for v in ("nan", "inf", "0", "-1")),
        ("--concurrency", "0"),
    ],
)
def test_numeric_options_must_be_finite_and_positive(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    argv = ["replay", str(TRACES), "--target", "http://127.0.0.1:9", option, value]
    code, _, err = run(capsys, *argv)
    assert code == 2 and option in err and "Traceback" not in err, err


def test_invalid_expires_date_is_a_config_error(
    capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path
) -> None:
    config = tmp_path / "driftdiff.yaml"
    config.write_text(
        "ignore:\n  - rule: endpoint-added\n    reason: x\n    expires: 2026-02-30\n", "utf-8"
    )
    code, _, err = run(capsys, "diff", str(base), str(base), "--config", str(config))
    assert_refused(code, err, str(config), '"2026-02-30" is not a valid date')


def test_replay_out_folder_stays_out_of_the_recording(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    traces = tmp_path / "traces"
    traces.mkdir()
    shutil.copy(TRACES, traces / "shop.jsonl")
    inside = traces / "live"
    argv = ["replay", str(traces), "--target", "http://127.0.0.1:9", "--out-dir"]
    code, _, err = run(capsys, *argv, str(inside))
    assert_refused(code, err, str(inside), "inside the input folder")
    assert not inside.exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", "utf-8")
    code, _, err = run(capsys, *argv, str(a_file))
    assert_refused(code, err, str(a_file), "is not a folder")
    out = tmp_path / "out"
    out.mkdir()
    (out / "service.log").symlink_to(a_file)
    code, _, err = run(capsys, *argv, str(out))
    assert_refused(code, err, "service.log", "symbolic link")
