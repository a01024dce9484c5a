"""Error lines say what is wrong by location and type, never by echoing an input's values.

jsonschema's own messages quote the offending value as a Python repr (``{'password': '...'}``),
which the line redaction (``"key": value``, ``key=value``) does not recognise, and a cut at a
fixed length can leave half a secret that no longer looks like one. Every case here is a
hostile file in ``tmp_path`` through the real CLI (in process): exit 2, one line on stderr
naming the file and the position, no traceback, and the secret nowhere in the output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift_diff.errors import UsageError
from tests.support import REPO, CliResult, run_cli

BASELINE = REPO / "baselines" / "shop.json"


def _one_error_line(result: CliResult, *secrets: str, names: str = "") -> str:
    """The one error line of ``result``, after checking no secret reached any output."""
    assert result.code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for secret in secrets:
        assert secret not in result.stderr and secret not in result.stdout, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("driftdiff: error: ") and names in line, line
    assert "\r" not in result.stderr and "\x00" not in result.stderr and "\x1b" not in line
    return line


@pytest.mark.parametrize(
    ("yaml_text", "secret", "says"),
    [
        (
            "exclude: [{password: CfgErrPw99abcdef}]\n",
            "CfgErrPw99abcdef",
            "exclude/0: expected a string, got an object",
        ),
        (
            "default_excludes: {password: CfgErrPw98abcdef}\n",
            "CfgErrPw98abcdef",
            "default_excludes: expected a boolean, got an object",
        ),
        (
            'replay: {clock: "DB_PASSWORD=CfgClockPw97abc"}\n',
            "CfgClockPw97abc",
            'replay/clock: expected one of "recorded", "live"',
        ),
        (
            "ignore: [{rule: response-property-removed, reason: r, "
            'expires: "password: CfgExpPw96abc"}]\n',
            "CfgExpPw96abc",
            "ignore/0/expires: expected a string matching",
        ),
        (
            '"token: CfgKeyTok95abcdef\\r\\nfake row": 1\n',
            "CfgKeyTok95abcdef",
            "unknown key",
        ),
        ('exclude: ["password: CfgPatPw94abcdef"]\n', "CfgPatPw94abcdef", "exclude/0: "),
        (
            "exclude: [{note: " + "y" * 280 + ", password: CfgCutPw93abcdef}]\n",
            "CfgCutPw93",
            "exclude/0: expected a string, got an object",
        ),
    ],
)
def test_config_errors_quote_no_secret(
    tmp_path: Path, yaml_text: str, secret: str, says: str
) -> None:
    (tmp_path / "driftdiff.yaml").write_text(yaml_text)
    result = run_cli("diff", str(BASELINE), str(BASELINE), cwd=tmp_path)
    line = _one_error_line(result, secret, names="driftdiff.yaml")
    assert says in line, line
    assert "'password'" not in line and "{'" not in line


@pytest.mark.parametrize(
    ("name", "text", "secret"),
    [
        (".env", 'DB_PASSWORD="EnvQuotedPw12abc"\nAPI_TOKEN=EnvTok34abcdefgh\n', "EnvQuotedPw12"),
        ("netrc", "machine api.example.com login bob password NetrcPw34abcdef\n", "NetrcPw34"),
    ],
)
def test_a_secrets_file_given_as_config_is_not_echoed(
    tmp_path: Path, name: str, text: str, secret: str
) -> None:
    config = tmp_path / name
    config.write_text(text)
    result = run_cli("diff", "--config", str(config), str(BASELINE), str(BASELINE), cwd=tmp_path)
    line = _one_error_line(result, secret, names=name)
    assert "(top level): expected an object, got a string" in line, line


def test_invalid_baseline_names_the_type_not_the_value(tmp_path: Path) -> None:
    data = json.loads(BASELINE.read_text())
    data["service"] = {"password": "BaseErrPw77abc", "note": "x" * 400}
    bad = tmp_path / "bad1.json"
    bad.write_text(json.dumps(data))
    line = _one_error_line(run_cli("show", str(bad)), "BaseErrPw77", names="bad1.json")
    assert "invalid baseline: service: expected a string, got an object" in line, line


def test_invalid_baseline_format_is_quoted_redacted(tmp_path: Path) -> None:
    data = json.loads(BASELINE.read_text())
    data["format"] = "driftdiff.baseline/9 password: BaseFmtPw76abc"
    bad = tmp_path / "bad2.json"
    bad.write_text(json.dumps(data))
    _one_error_line(run_cli("show", str(bad)), "BaseFmtPw76", names="bad2.json")


def test_invalid_openapi_names_the_type_not_the_value(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": {"password": "OapiErrPw55abcdef"}}],
        "paths": {},
    }
    api = tmp_path / "api.json"
    api.write_text(json.dumps(doc))
    line = _one_error_line(run_cli("diff", str(api), str(api)), "OapiErrPw55", names="api.json")
    assert "#/servers/0/url" in line and "got an object" in line, line


def test_a_cut_comes_after_redaction() -> None:
    from drift_diff.redaction import quote_value, shown_name

    url = "https://deploy:CutAfterPw42abcdef@example.com/" + "a" * 200
    shown = quote_value(url, limit=40)
    assert "CutAfterPw42" not in shown and len(shown) <= 40 and shown.endswith("…")
    # a value under a secret's name is masked whole, whatever its shape
    assert "plain" not in quote_value("plainvalue", key="password")
    # a name alone stays (a field called password is no secret)
    assert shown_name("password") == "password"
    assert "\n" not in shown_name("a\nb") and "\\n" in shown_name("a\nb")


def test_header_without_colon_is_not_echoed() -> None:
    from drift_diff.cli._common import parse_headers

    with pytest.raises(UsageError) as info:
        parse_headers(["Authorization Bearer HdrTok31abcdefgh"])
    assert "HdrTok31" not in str(info.value) and "header #1" in str(info.value)
