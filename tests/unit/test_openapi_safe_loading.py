"""OpenAPI loading opens nothing it was not given (issue 13.2), through ``driftdiff diff``.

Every case runs the real CLI in-process on a hostile document: the exit code is 2, the error
line names the reference, and nothing it points to appears in any output. A real listener on
127.0.0.1 must have no connection waiting afterwards (the diff is synchronous, so a connection
attempt would have completed its handshake before the CLI returned).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift_diff.cli import main
from drift_diff.openapi.refs import RefRefused, RefSource

SECRET = "TOPSECRET-d7f1c2"


def _doc(schema: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    }
                }
            }
        },
    }


def _write(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock
    sock.close()


def _no_connection(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(f"token: {SECRET}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_file_url_ref_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_file: Path, lenient: bool
) -> None:
    doc = _write(tmp_path / "api", "a.json", _doc({"$ref": secret_file.as_uri()}))
    flags = ["--lenient-openapi"] if lenient else []
    code, text = _diff(capsys, *flags, "--allow-file-refs", str(doc), str(doc))
    assert code == 2
    assert f'$ref "{secret_file.as_uri()}" at #/paths/~1pets/get' in text
    assert "refused" in text and SECRET not in text and len(text.strip().splitlines()) == 1


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_http_ref_makes_no_connection(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    listener: socket.socket,
    lenient: bool,
) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    doc = _write(tmp_path, "a.json", _doc({"$ref": url}))
    flags = ["--lenient-openapi"] if lenient else []
    code, text = _diff(capsys, *flags, str(doc), str(doc))
    assert code == 2 and f'$ref "{url}"' in text and "only local '#/...'" in text
    assert _no_connection(listener)


@pytest.mark.parametrize("where", ["$schema", "$dynamicRef", "$id"])
def test_31_keywords_naming_urls_make_no_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], listener: socket.socket, where: str
) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/meta"
    schema: dict[str, Any] = {"type": "object", where: url}
    if where == "$id":  # "#/$defs/a" now means {url}#/$defs/a to the validator's resolver
        schema["properties"] = {"a": {"$ref": "#/$defs/a"}}
    doc = _write(tmp_path, "a.json", _doc(schema, "3.1.0"))
    _diff(capsys, str(doc), str(doc))
    assert _no_connection(listener)


def test_the_validator_retrieval_handlers_refuse_every_scheme(
    tmp_path: Path, listener: socket.socket, secret_file: Path
) -> None:
    # the second line of defence: whatever URI the validator's resolver computes
    refs = RefSource({}, "doc.json", folder=tmp_path / "api", allow_file_refs=True)
    handlers = refs.handlers()
    port = listener.getsockname()[1]
    for uri in (f"http://127.0.0.1:{port}/x", secret_file.as_uri(), "ftp://h/x", "x.yaml"):
        scheme = uri.split(":", 1)[0] if ":" in uri else ""
        assert scheme in handlers
        with pytest.raises(RefRefused) as info:
            handlers[scheme](uri)
        assert SECRET not in str(info.value)
    assert _no_connection(listener)


def test_parent_folder_ref_is_refused_even_with_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_file: Path
) -> None:
    doc = _write(tmp_path / "a" / "b", "api.json", _doc({"$ref": "../../secret.yaml#/token"}))
    code, text = _diff(capsys, "--allow-file-refs", str(doc), str(doc))
    assert code == 2 and "leads outside the document's folder" in text and SECRET not in text
    code, text = _diff(capsys, str(doc), str(doc))
    assert code == 2 and "--allow-file-refs" in text and SECRET not in text


def test_symlink_out_of_the_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_file: Path
) -> None:
    folder = tmp_path / "api"
    doc = _write(folder, "api.json", _doc({"$ref": "common.yaml#/token"}))
    (folder / "common.yaml").symlink_to(secret_file)
    code, text = _diff(capsys, "--allow-file-refs", str(doc), str(doc))
    assert code == 2 and "leads outside the document's folder" in text and SECRET not in text


def test_absolute_path_ref_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_file: Path
) -> None:
    doc = _write(tmp_path / "api", "api.json", _doc({"$ref": f"{secret_file}#/token"}))
    code, text = _diff(capsys, "--allow-file-refs", str(doc), str(doc))
    assert code == 2 and "refused" in text and SECRET not in text


def test_relative_file_ref_under_the_folder_with_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "api"
    pet = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    _write(folder / "schemas", "pet.json", {"Pet": pet})
    base = _write(folder, "v1.json", _doc({"$ref": "schemas/pet.json#/Pet"}))
    code, text = _diff(capsys, str(base), str(base))
    assert code == 2 and "refused" in text and "--allow-file-refs" in text
    newer = {k: v for k, v in pet.items() if k != "required"}
    _write(folder / "schemas", "pet2.json", {"Pet": newer})
    current = _write(folder, "v2.json", _doc({"$ref": "schemas/pet2.json#/Pet"}))
    code, text = _diff(capsys, "--allow-file-refs", "--fail-on-breaking", str(base), str(current))
    assert code == 1 and "response-property-became-optional" in text
