"""``replay.clock`` travels from the config to the mock server's ``clock`` answer."""

from __future__ import annotations

import pytest

from drift_diff.config import Config
from drift_diff.errors import ConfigError, UsageError
from drift_diff.replay.check import with_config_paths
from drift_diff.replay.mockserver import MockStore
from drift_diff.replay.runner import ReplayOptions

EXCHANGES = [
    {"id": "a", "recorded_at": "2020-02-29T23:59:58.000Z", "outbound": []},
    {"id": "b", "outbound": []},  # no recorded time (a source that has none)
]


def test_config_chooses_the_clock() -> None:
    options = ReplayOptions(target="http://127.0.0.1:9")
    assert options.clock == "recorded"
    live = Config.from_dict({"replay": {"clock": "live"}})
    assert with_config_paths(options, live).clock == "live"
    assert with_config_paths(ReplayOptions(target="http://x:1"), Config()).clock == "recorded"


def test_unknown_clock_is_refused() -> None:
    with pytest.raises(ConfigError, match="clock"):
        Config.from_dict({"replay": {"clock": "frozen"}}, source="driftdiff.yaml")
    with pytest.raises(UsageError, match="replay.clock"):
        ReplayOptions(target="http://127.0.0.1:9", clock="frozen").validate()


def test_mock_server_answers_the_recorded_time_or_live() -> None:
    store = MockStore(EXCHANGES)
    assert store.handle({"op": "clock", "exchange": "a"}) == {
        "ok": True,
        "clock": "recorded",
        "recorded_at": "2020-02-29T23:59:58.000Z",
    }
    assert store.handle({"op": "clock", "exchange": "b"}) == {"ok": True, "clock": "live"}
    assert store.handle({"op": "clock", "exchange": "zz"}) == {"ok": True, "clock": "live"}
    live = MockStore(EXCHANGES, clock="live")
    assert live.handle({"op": "clock", "exchange": "a"}) == {"ok": True, "clock": "live"}
