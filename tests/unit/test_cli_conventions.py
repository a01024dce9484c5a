"""One option vocabulary on every command (issue 16, CLI conventions), through the real CLI.

``--version``, shell completion, ``-f/--format`` validated up front with its choices in
``--help``, ``-o/--output`` where a command writes a file, ``--fail-on`` in any case.
"""

from __future__ import annotations

import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any, get_args

import pytest

from drift_diff import __version__
from drift_diff.cli._console import SETTINGS, progress, use_colour
from drift_diff.report import FORMATS, ReportFormat
from tests.support import REPO, free_port, run_cli

BASELINE = REPO / "baselines" / "shop.json"
TRACES = REPO / "examples" / "traces"


def test_root_version_flag_prints_the_version() -> None:
    result = run_cli("--version")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == f"driftdiff {__version__}"


def test_shell_completion_is_offered() -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_shell_completion_completes_commands_and_options() -> None:
    """What the installed bash completion asks the program (``_DRIFTDIFF_COMPLETE``)."""
    script = run_cli("--show-completion", "bash", process=True)
    assert script.code == 0 and "_DRIFTDIFF_COMPLETE=complete_bash" in script.stdout
    for words, cword, expected in (
        ("driftdiff ch", "1", "check"),
        ("driftdiff diff --fo", "2", "--format"),
    ):
        env = {"_DRIFTDIFF_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
        done = run_cli(env=env, process=True)
        assert expected in done.stdout.split(), done.stdout + done.stderr


def test_report_format_type_lists_every_renderer() -> None:
    assert get_args(ReportFormat) == FORMATS


@pytest.mark.parametrize("command", ["check", "replay", "diff", "demo"])
def test_help_lists_every_format_choice(command: str) -> None:
    result = run_cli(command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, result.stderr
    assert "-f, --format" in result.stdout
    assert "|".join(FORMATS) in result.stdout
    assert "…" not in result.stdout


def test_check_refuses_an_unknown_format_before_replaying(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    start = f"{shlex.quote(sys.executable)} -c 'open({str(marker)!r}, \"w\")'"
    result = run_cli(
        "check",
        str(TRACES),
        "--baseline",
        str(BASELINE),
        "--target",
        f"http://127.0.0.1:{free_port()}",
        "--start",
        start,
        "--format",
        "bogus",
    )
    assert result.code == 2
    assert "bogus" in result.stderr
    assert not marker.exists()  # the service was never started


@pytest.mark.parametrize("level", ["BREAKING", "Breaking", "breaking"])
def test_diff_fail_on_any_case(level: str, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    data = json.loads(BASELINE.read_text())
    data["endpoints"].pop(next(iter(data["endpoints"])))  # a removed endpoint: breaking
    other.write_text(json.dumps(data))
    assert run_cli("diff", str(BASELINE), str(other), "--fail-on", level).code == 1
    assert run_cli("diff", str(BASELINE), str(BASELINE), "--fail-on", level).code == 0


@pytest.mark.parametrize("command", ["check", "replay", "demo"])
def test_fail_on_any_case_is_accepted_by_replaying_commands(command: str) -> None:
    result = run_cli(command, "--help")
    assert "info|warning|breaking" in result.stdout


def test_unknown_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("diff", str(BASELINE), str(BASELINE), "--fail-on", "fatal")
    assert result.code == 2
    assert "fatal" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("check",),
        ("replay",),
        ("diff",),
        ("demo",),
        ("baseline", "build"),
        ("baseline", "merge"),
        ("export", "openapi"),
        ("generate", "pytest"),
    ],
)
def test_commands_that_write_a_file_take_o_output(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, result.stderr
    assert "-o, --output" in result.stdout or "--output, -o" in result.stdout


def test_baseline_and_export_write_through_o(tmp_path: Path) -> None:
    learned = tmp_path / "b.json"
    assert run_cli("baseline", str(TRACES), "-o", str(learned)).code == 0
    assert json.loads(learned.read_text())["endpoints"]
    exported = run_cli("export", "openapi", str(learned), "--output", "-")
    assert exported.code == 0
    assert json.loads(exported.stdout)["openapi"].startswith("3.1")


def test_rules_format_choices_are_validated() -> None:
    result = run_cli("rules", "-f", "yaml")
    assert result.code == 2
    assert "yaml" in result.stderr


def _broken_copy(tmp_path: Path) -> Path:
    other = tmp_path / "broken.json"
    data = json.loads(BASELINE.read_text())
    for key in list(data["endpoints"])[:3]:  # removed endpoints: breaking findings
        data["endpoints"].pop(key)
    other.write_text(json.dumps(data))
    return other


def test_color_always_and_never(tmp_path: Path) -> None:
    other = _broken_copy(tmp_path)
    always = run_cli("--color", "always", "diff", str(BASELINE), str(other))
    assert always.code == 0, always.stderr
    assert "\x1b[" in always.stdout and "BREAKING" in always.stdout
    never = run_cli("--color", "never", "diff", str(BASELINE), str(other))
    assert "\x1b[" not in never.stdout and "BREAKING" in never.stdout


def test_auto_colour_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    SETTINGS.color = "auto"
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(Terminal())
    assert not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Terminal())
    SETTINGS.color = "always"
    assert use_colour(io.StringIO())
    SETTINGS.color = "auto"


def test_quiet_silences_narration_but_not_errors(tmp_path: Path) -> None:
    loud = run_cli("baseline", str(TRACES), "-o", str(tmp_path / "a.json"))
    assert loud.code == 0 and "endpoints" in loud.stderr
    quiet = run_cli("-q", "baseline", str(TRACES), "-o", str(tmp_path / "b.json"))
    assert quiet.code == 0 and quiet.stderr == ""
    assert (tmp_path / "b.json").is_file()
    failed = run_cli("-q", "diff", str(tmp_path / "missing.json"), str(BASELINE))
    assert failed.code == 2 and "missing.json" in failed.stderr


def test_verbose_names_the_config_in_use(tmp_path: Path) -> None:
    (tmp_path / "driftdiff.yaml").write_text("severity: {}\n")
    result = run_cli("-v", "diff", str(BASELINE), str(BASELINE), cwd=tmp_path)
    assert result.code == 0
    assert f"config: {tmp_path / 'driftdiff.yaml'}" in result.stderr or "driftdiff.yaml" in (
        result.stderr
    )
    assert "config:" not in run_cli("diff", str(BASELINE), str(BASELINE), cwd=tmp_path).stderr


def test_text_table_fits_the_terminal_width(tmp_path: Path) -> None:
    other = _broken_copy(tmp_path)
    widest = {}
    for columns in (80, 100, 200):
        result = run_cli("diff", str(BASELINE), str(other), env={"COLUMNS": str(columns)})
        assert result.code == 0, result.stderr
        widest[columns] = max(len(line) for line in result.stdout.splitlines())
        assert widest[columns] <= columns
    assert widest[80] < widest[200]  # a wide terminal gets a wider table, not a fixed one


def test_progress_is_silent_off_a_terminal() -> None:
    with progress("replaying") as advance:
        assert advance is None


def test_replay_and_check_declare_the_shared_options_once() -> None:
    """``replay`` and ``check`` take the same option set from one declaration
    (``cli/_replay_options.py``), and ``ReplayArgs`` holds exactly those options."""
    from dataclasses import fields

    from drift_diff.cli._replay_options import _OPTIONS, ReplayArgs

    assert [f.name for f in fields(ReplayArgs)] == [name for name, _, _ in _OPTIONS]
    helps = {}
    for command in ("replay", "check"):
        result = run_cli(command, "--help")
        assert result.code == 0, result.stderr
        helps[command] = result.stdout.split("Options:", 1)[1]
    flags = [option.param_decls[-1] for _, _, option in _OPTIONS]
    for command, text in helps.items():
        assert all(flag in text for flag in flags), command
    # word for word the same, the check's own --baseline aside

    def entries(text: str) -> list[str]:  # one per option, with its wrapped help lines
        found: list[str] = []
        for line in text.splitlines():
            if line.startswith("  -") or not found:
                found.append(line)
            else:
                found[-1] += "\n" + line
        return found

    check = [e for e in entries(helps["check"]) if not e.lstrip().startswith("--baseline")]
    assert check == entries(helps["replay"])


@pytest.mark.parametrize("command", [("rules",), ("show", str(BASELINE))])
def test_rules_and_show_tables_follow_the_terminal_width(command: tuple[str, ...]) -> None:
    """The catalogue's descriptions and a baseline's statuses/media types wrap to the width
    the terminal (here ``COLUMNS``) gives; ids and endpoints never wrap (they are copied into
    config), so a narrow terminal gets the narrowest table those allow."""
    widest = {}
    for columns in (80, 120, 200):
        result = run_cli(*command, env={"COLUMNS": str(columns)})
        assert result.code == 0, result.stderr
        widest[columns] = max(len(line) for line in result.stdout.splitlines())
    assert widest[80] < widest[120] <= 120
    assert widest[120] <= widest[200] <= 200
    narrowest = run_cli(*command, env={"COLUMNS": "40"})
    assert max(len(line) for line in narrowest.stdout.splitlines()) == widest[80]


@pytest.mark.parametrize("flag", ["-q", "--quiet", "-v", "--verbose"])
def test_quiet_and_verbose_mean_the_same_after_the_command(flag: str, tmp_path: Path) -> None:
    """``driftdiff diff A B -q`` is ``driftdiff -q diff A B`` (one declaration, every command)."""
    (tmp_path / "driftdiff.yaml").write_text("severity: {}\n")  # -v names it
    for command in (
        ("diff", str(BASELINE), str(_broken_copy(tmp_path))),
        ("baseline", str(TRACES), "-o", "-"),
    ):
        before = run_cli(flag, *command, cwd=tmp_path)
        after = run_cli(*command, flag, cwd=tmp_path)
        assert before.code == after.code == 0, after.stderr
        assert (before.stdout, before.stderr) == (after.stdout, after.stderr)
        plain = run_cli(*command, cwd=tmp_path)
        assert plain.stdout == after.stdout
        if flag.startswith("-v") or command[0] == "baseline":  # diff narrates nothing
            assert after.stderr != plain.stderr, command


def test_quiet_after_a_subcommand_silences_narration(tmp_path: Path) -> None:
    quiet = run_cli("baseline", str(TRACES), "-o", str(tmp_path / "b.json"), "-q")
    assert quiet.code == 0 and quiet.stderr == ""
    merged = run_cli("baseline", "merge", *[str(tmp_path / "b.json")] * 2, "-o", "-", "-q")
    assert merged.code == 0 and merged.stderr == "" and merged.stdout


def test_color_after_the_command(tmp_path: Path) -> None:
    other = _broken_copy(tmp_path)
    never = run_cli("diff", str(BASELINE), str(other), "--color", "never", env={"NO_COLOR": ""})
    assert never.code == 0 and "\x1b[" not in never.stdout and "BREAKING" in never.stdout
    always = run_cli("diff", str(BASELINE), str(other), "--color", "always")
    assert "\x1b[" in always.stdout
    # given on both sides, the one after the command (closer to it) wins
    both = run_cli("--color", "always", "diff", str(BASELINE), str(other), "--color", "never")
    assert "\x1b[" not in both.stdout
    # and a later run starts from the defaults again
    assert "\x1b[" not in run_cli("diff", str(BASELINE), str(other)).stdout
    bad = run_cli("diff", str(BASELINE), str(other), "--color", "sometimes")
    assert bad.code == 2 and "sometimes" in bad.stderr


def test_every_command_takes_color_quiet_and_verbose() -> None:
    from drift_diff.cli._reference import command_paths

    for path in command_paths():
        result = run_cli(*path.split()[1:], "--help")
        assert result.code == 0, path
        if "Commands:" in result.stdout and path != "driftdiff":
            continue  # a group only names its commands (baseline, export, generate, import)
        for flag in ("--color", "-q, --quiet", "-v, --verbose"):
            assert flag in result.stdout, (path, flag)


def test_replay_folder_is_out_dir_and_out_is_a_deprecated_alias(tmp_path: Path) -> None:
    """On check/replay the folder for replay.jsonl and service.log is ``--out-dir``; ``--out``
    (a file everywhere else) still works there, with one deprecation line on stderr."""
    inside = TRACES.parent / "traces-live"  # refused: inside the recording's folder
    argv = ["replay", str(TRACES), "--target", f"http://127.0.0.1:{free_port()}"]
    for flag in ("--out-dir", "--out"):
        result = run_cli(*argv, flag, str(TRACES / "live"))
        assert result.code == 2, result.stderr
        warnings = [line for line in result.stderr.splitlines() if "deprecated" in line]
        assert warnings == (["driftdiff: warning: --out is deprecated here; use --out-dir "
                             "(the folder)"] if flag == "--out" else [])  # fmt: skip
    assert not inside.exists()
    both = run_cli(*argv, "--out-dir", str(TRACES / "a"), "--out", str(TRACES / "b"))
    assert both.code == 2 and "--out-dir" in both.stderr
    help_text = run_cli("check", "--help").stdout
    assert "--out-dir" in help_text and "--out " not in help_text


def test_library_logs_are_one_line_under_verbose_and_silent_otherwise(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library logging an exception (gcsfs does when it gives up on a request) must not put
    a traceback on stderr: nothing by default, one note line under -v."""
    import logging

    from drift_diff.cli._console import LibraryLogs, quiet_library_logs

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # the process as a user runs it: no handler yet
    quiet_library_logs()
    quiet_library_logs()  # once per process, however often the CLI runs in it
    assert [type(h) for h in root.handlers] == [LibraryLogs]
    library = logging.getLogger("somelib.retry")

    def give_up() -> None:
        try:
            raise RuntimeError("Invalid Credentials, 401\nsecond line")
        except RuntimeError:
            library.exception("_request out of retries on exception: %s", "Invalid Credentials")

    for verbosity, expected in ((0, ""), (-1, "")):
        monkeypatch.setattr(SETTINGS, "verbosity", verbosity)
        give_up()
        assert capsys.readouterr().err == expected
    monkeypatch.setattr(SETTINGS, "verbosity", 1)
    give_up()
    library.info("not shown: below warning")
    library.warning("bad %s", "args", "too many")  # a record that does not format
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "driftdiff: note: somelib.retry: _request out of retries on exception: Invalid Credentials",
        "driftdiff: note: somelib.retry: bad %s",
    ]
    assert "Traceback" not in err


def test_the_cli_installs_the_library_log_handler() -> None:
    import logging

    from drift_diff.cli._console import LibraryLogs

    assert run_cli("--version").code == 0
    assert any(isinstance(h, LibraryLogs) for h in logging.getLogger().handlers)


def test_library_log_lines_are_redacted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library's warning quoting a URL with credentials or a token (a retry log of a store
    client) lands in CI logs under -v: it is redacted like every artifact."""
    import logging

    from drift_diff.cli._console import quiet_library_logs

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    quiet_library_logs()
    monkeypatch.setattr(SETTINGS, "verbosity", 1)
    logging.getLogger("somelib.http").warning(
        "retrying https://svc:hunter2pass@store.example.com/b?sig=abc123def456 "
        "with Bearer sk-livetokenvalue1234567890 for ops@example.com"
    )
    err = capsys.readouterr().err
    assert err.startswith("driftdiff: note: somelib.http: retrying https://")
    for secret in ("hunter2pass", "abc123def456", "livetokenvalue1234567890", "ops@example.com"):
        assert secret not in err, secret
    assert "store.example.com" in err  # the host stays: it says where


@pytest.mark.parametrize(
    ("source", "secrets"),
    [
        ("https://deploy:s3cr3tpass@127.0.0.1:9/x.har", ["s3cr3tpass"]),
        (
            "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY@bucket/x.jsonl",
            ["wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY"],
        ),
        ("/no/such/dir/ada.lovelace@example.com/x.jsonl", ["ada.lovelace@example.com"]),
    ],
)
def test_error_lines_are_redacted(tmp_path: Path, source: str, secrets: list[str]) -> None:
    """The error line quotes the source as given: credentials in it must not reach the log."""
    result = run_cli("baseline", source, "--out", str(tmp_path / "b.json"))
    assert result.code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("driftdiff: error: ")
    for secret in secrets:
        assert secret not in line, line


@pytest.mark.parametrize(
    ("args", "secret"),
    [
        # an argument too many: Click quotes it
        (("version", "s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIbPxRfiCYPLANTED@b/x"), "PLANTED"),
        # a bad value of a choice: Click quotes it
        (("--color", "https://deploy:s3cr3tpass@host/x", "version"), "s3cr3tpass"),
        (("show", "--format", "x?token=livetokenvalue1234567890"), "livetokenvalue1234567890"),
    ],
)
def test_usage_errors_are_redacted(args: tuple[str, ...], secret: str) -> None:
    """Click's own usage errors quote what was typed; they land in CI logs redacted, still
    with the usage line, the hint and exit code 2."""
    result = run_cli(*args)
    assert result.code == 2, result.stderr
    assert secret not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: driftdiff") and lines[-1].startswith("Error: ")
    assert result.stdout == ""


def test_an_internal_error_line_is_redacted() -> None:
    from drift_diff.errors import failure_message

    message = failure_message(
        KeyError("Authorization: Bearer ghp_0123456789abcdefABCDEF0123456789abcd")
    )
    assert message.startswith("internal error: KeyError: ")
    assert "0123456789abcdefABCDEF" not in message


def test_narration_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """A narration line names the source as given: a presigned URL's signature stays out."""
    from drift_diff.cli._console import narrate

    narrate("x.har?X-Amz-Signature=0123456789abcdef0123: 3 exchanges -> out/x.jsonl")
    line = capsys.readouterr().err
    assert line.startswith("x.har?X-Amz-Signature=") and line.endswith("\n")
    assert "0123456789abcdef0123" not in line


def test_a_line_that_cannot_be_redacted_is_withheld(monkeypatch: pytest.MonkeyPatch) -> None:
    from drift_diff import redaction

    class Broken:
        def redact_text(self, text: str) -> str:
            raise ValueError("broken")

    monkeypatch.setattr(redaction, "artifact_redactor", Broken)
    line = redaction.redact_line("https://deploy:s3cr3tpass@host/x.har: no such object")
    assert "s3cr3tpass" not in line and "host" not in line


def _exception_groups() -> Any:
    """The exception group classes: builtins from Python 3.11, else anyio's backport."""
    import builtins

    if hasattr(builtins, "BaseExceptionGroup"):
        return builtins
    return pytest.importorskip("exceptiongroup")


@pytest.mark.parametrize("nested", [False, True])
def test_an_interrupt_inside_an_exception_group_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], nested: bool
) -> None:
    """SIGTERM during ``check`` raises KeyboardInterrupt wherever the process is; inside an
    anyio task group (httpx connecting) it arrives wrapped in an exception group."""
    from drift_diff import cli

    groups = _exception_groups()
    group: BaseException = groups.BaseExceptionGroup(
        "unhandled errors in a TaskGroup", [KeyboardInterrupt("SIGTERM")]
    )
    if nested:
        group = groups.BaseExceptionGroup("outer", [group, RuntimeError("cancelled")])

    def boom(*args: object, **kwargs: object) -> None:
        raise group

    monkeypatch.setattr(cli, "app", boom)
    assert cli.main(["check"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_an_exception_group_without_an_interrupt_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from drift_diff import cli

    groups = _exception_groups()

    def boom(*args: object, **kwargs: object) -> None:
        raise groups.ExceptionGroup("grouped", [ValueError("x")])

    monkeypatch.setattr(cli, "app", boom)
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("driftdiff: error: ") and err.count("\n") == 1
