"""``exclude`` / ``default_excludes`` in the SDK configuration (env and keywords)."""

from __future__ import annotations

import logging

import pytest
from driftdiff_sdk.config import load_config
from driftdiff_sdk.scope import DEFAULT_EXCLUDES, Excluder


def test_env_patterns_split_on_semicolons_and_lines() -> None:
    config = load_config({"DRIFTDIFF_EXCLUDE": "GET,HEAD /static/**; /admin/*\nOPTIONS;;"})
    assert config.exclude == ("GET,HEAD /static/**", "/admin/*", "OPTIONS")
    assert config.default_excludes is True


def test_keywords_win_over_env_and_take_lists() -> None:
    config = load_config(
        {"DRIFTDIFF_EXCLUDE": "/a", "DRIFTDIFF_DEFAULT_EXCLUDES": "0"},
        exclude=["/b", "POST /c"],
        default_excludes=True,
    )
    assert config.exclude == ("/b", "POST /c") and config.default_excludes is True
    assert load_config({"DRIFTDIFF_DEFAULT_EXCLUDES": "no"}).default_excludes is False


def test_invalid_pattern_is_warned_and_left_out(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="driftdiff_sdk"):
        config = load_config({"DRIFTDIFF_EXCLUDE": "/ok;/a**;GE-T /x"})
        flag = load_config({"DRIFTDIFF_DEFAULT_EXCLUDES": "maybe"})
    assert config.exclude == ("/ok",)
    assert flag.default_excludes is True
    text = caplog.text
    assert "DRIFTDIFF_EXCLUDE" in text and "/a**" in text and "GE-T" in text
    assert "DRIFTDIFF_DEFAULT_EXCLUDES" in text


def test_fast_paths_agree_with_the_segment_walk() -> None:
    fast = Excluder(["/api/**", "/exact/x"])
    slow = Excluder(["GET,POST,PUT,HEAD,DELETE /api/**", "GET,POST,PUT,HEAD,DELETE /exact/x"])
    slow_defaults = Excluder(
        [f"GET,POST,PUT,HEAD,DELETE {p}" for p in DEFAULT_EXCLUDES], defaults=False
    )
    paths = ["/", "", "/api", "/api/", "/api/x/y", "/apix", "/exact/x", "/exact/x/", "/exact",
             "/health", "//health", "/health/x", "/static", "/static/a.css", "/staticx",
             "/favicon.ico", "/metrics?x=1", "/users/1"]  # fmt: skip
    for method in ("GET", "POST"):
        for path in paths:
            assert fast.excludes(method, path) is slow.excludes(method, path), path
            assert Excluder().excludes(method, path) is slow_defaults.excludes(method, path), path


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/f[0-9]/x", "/f1/x", True),
        ("/f[0-9]/x", "/fa/x", False),
        ("/g[!a]", "/gb", True),
        ("/g[!a]", "/g/", False),  # a class never matches the '/' between segments
        ("/h?/**", "/h1/a/b", True),
        ("/h?/**", "/h12", False),
        ("/a/**/z", "/a/z", True),
        ("/a/**/z", "/a/b/c/z", True),
        ("/a/{id}", "/a//", False),
        ("/", "/", True),
        ("/", "/x", False),
    ],
)
def test_wildcards(pattern: str, path: str, hit: bool) -> None:
    assert Excluder([pattern], defaults=False).excludes("GET", path) is hit
