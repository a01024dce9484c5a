"""Objects that are not JSON in a recorded value (a ``Decimal`` or ``UUID`` from a database row,
a ``datetime``, an application's own class): the writer writes their ``str`` (``json.dumps``
with ``default=str``), so redaction scans that text. They were kept as they were, unscanned,
even under a secret name: an ``api_key`` held as a ``UUID`` reached the trace."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from driftdiff_sdk.redact import Redactor
from driftdiff_sdk.writer import dump_line

KEY = uuid.UUID("0f6c1b4e-8d2a-4c3b-9a7e-5d1f2e3c4b5a")
CARD = decimal.Decimal("4111111111111111")


class Account:
    """An application's own class whose text holds an e-mail address."""

    def __str__(self) -> str:
        return "Account(owner=alice.smith@corp.example)"


class Broken:
    def __str__(self) -> str:
        raise RuntimeError("no text")


def written(value: Any) -> str:
    """What the trace holds of ``value`` once redacted (the writer's own serialization)."""
    line = dump_line({"body": Redactor().redact_json(value)})
    return line.decode("utf-8") if isinstance(line, bytes) else str(line)


def test_objects_under_secret_names_are_masked() -> None:
    text = written({"api_key": KEY, "pin": decimal.Decimal("4921"), "token": Account()})
    assert str(KEY) not in text and "4921" not in text and "alice.smith" not in text
    assert '"api_key":"' in text and '"pin":"' in text  # masked, the key kept


def test_secrets_inside_an_objects_text_are_masked() -> None:
    text = written({"card": CARD, "owner": Account(), "rows": [[1, CARD]]})
    assert "4111111111111111" not in text and "alice.smith@corp.example" not in text
    assert "Account(owner=" in text  # the rest of the text is kept


def test_clean_objects_are_kept_as_they_are() -> None:
    r = Redactor()
    body = {"price": decimal.Decimal("12.50"), "id": KEY, "day": datetime.date(2024, 5, 1)}
    shared = r.share_json(body)
    assert shared is body  # nothing changed: the input itself, objects and all
    copied = r.redact_json(body)
    assert copied == body and copied["price"] is body["price"] and copied["id"] is KEY


def test_an_object_whose_text_fails_is_kept() -> None:
    broken = Broken()
    assert Redactor().redact_json({"x": broken})["x"] is broken
    assert Redactor().redact_json({"password": broken})["password"] is broken


def test_exchange_bodies_and_outbound_rows_are_scanned() -> None:
    exchange = {
        "request": {"method": "GET", "path": "/a", "headers": {}, "body": {"api_key": KEY}},
        "response": {"status": 200, "headers": {}, "body": {"card": CARD}},
        "outbound": [{"kind": "postgres", "command": "SELECT 1", "result": [[CARD, Account()]]}],
    }
    line = dump_line(Redactor().redact_exchange(exchange))
    text = line.decode("utf-8") if isinstance(line, bytes) else str(line)
    assert str(KEY) not in text and "4111111111111111" not in text
    assert "alice.smith@corp.example" not in text
