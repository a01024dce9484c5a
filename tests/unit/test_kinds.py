"""The one definition of value kinds, shared by inference, replay and redaction."""

from __future__ import annotations

from typing import Any

import pytest
from driftdiff_sdk.kinds import (
    is_mixed_token,
    is_timing_field,
    placeholder_kind,
    same_kind,
    value_kind,
)
from driftdiff_sdk.redact import Redactor

from drift_diff.infer.formats import string_format
from drift_diff.infer.paths import template_path

LOWER_ULID = "01arz3ndektsv4rrffq69g5fav"
HEX16 = "507f1f77bcf86cd7"


@pytest.mark.parametrize("value", [LOWER_ULID, LOWER_ULID.upper(), HEX16, HEX16 + "0a1b2c3d"])
def test_an_id_when_learning_is_an_id_when_replaying(value: str) -> None:
    # inference templates the segment, replay compares the value by kind: one answer
    assert template_path(f"/things/{value}") == "/things/{thing_id}"
    assert value_kind(value) is not None


def test_formats_and_kinds_agree_on_uuid_and_email() -> None:
    uuid = "6f1c3a0e-58a1-4a43-9f57-2b0b2f1e3a10"
    assert string_format(uuid) == "uuid" and value_kind(uuid) == "uuid"
    assert string_format("user-1a2b3c4d@redacted.invalid") == "email"
    assert placeholder_kind("user-1a2b3c4d@redacted.invalid") == "email"


@pytest.mark.parametrize(
    "name", ["query_ms", "elapsed", "took", "durationMs", "response_time", "latency", "elapsed_s"]
)
def test_timing_fields(name: str) -> None:
    assert is_timing_field(name)


@pytest.mark.parametrize("name", ["quantity", "time", "created_at", "timestamp", "items", "ms"])
def test_not_timing_fields(name: str) -> None:
    assert not is_timing_field(name)


@pytest.mark.parametrize(
    ("before", "after", "name"),
    [
        (3, 17, "query_ms"),
        (0.25, 1.5, "took"),
        ("12ms", "3.5ms", "elapsed"),
        ("PT0.5S", "PT2S", "duration"),
    ],
)
def test_durations_compare_by_kind_under_timing_names(before: Any, after: Any, name: str) -> None:
    assert same_kind(before, after, name)
    assert not same_kind(before, after, "price")


def test_redaction_placeholders_stand_for_their_kind() -> None:
    redactor = Redactor()
    email = redactor.redact_json({"email": "alice@example.com"})["email"]
    assert placeholder_kind(email) == "email"
    assert same_kind(email, "bob@example.org")
    assert not same_kind(email, "not an address")
    token = redactor.redact_json({"token": "s3cr3t-value-that-is-long-enough"})["token"]
    assert placeholder_kind(token) == "secret"
    assert same_kind(token, "another-live-secret")
    assert placeholder_kind("redacted") is None  # the bare word is content, not a placeholder


def test_a_name_with_a_number_is_not_a_token() -> None:
    assert not is_mixed_token("GetNavigationMenu2")
    assert is_mixed_token("a8Fk2LmQz9Xw3Rt7")
