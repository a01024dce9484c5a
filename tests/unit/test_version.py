"""One version: ``pyproject.toml`` states it; the SDK's distribution and the pre-commit examples
carry the same (both packages' ``__version__`` is their installed metadata's)."""

from __future__ import annotations

import re

from tests.support import REPO


def _version(pyproject: str) -> str:
    found = re.search(r'^version = "([^"]+)"$', (REPO / pyproject).read_text("utf-8"), re.M)
    assert found is not None, pyproject
    return found.group(1)


def test_the_sdk_and_the_pre_commit_examples_carry_the_project_version() -> None:
    version = _version("pyproject.toml")
    assert _version("sdk/pyproject.toml") == version
    for doc in (".pre-commit-hooks.yaml", "docs/ci.md"):
        assert set(re.findall(r"rev: (\S+)", (REPO / doc).read_text("utf-8"))) == {f"v{version}"}
