"""Fault injection for the SDK tests, chosen by ``APP_FAULT`` in the server's environment.

``serializer``: ``dump_line`` raises; ``redactor``: redaction raises; ``slow-writer``: each line
takes 50 ms to serialize, so a small queue fills up and must drop instead of blocking.

The faults are applied in the host process (the thread writer) and, through
``_writer_child.CHILD_MODULE``, in the writer process, which then runs this module.
"""

from __future__ import annotations

import os
import time
from typing import Any


def apply() -> None:
    fault = os.environ.get("APP_FAULT", "")
    if not fault:
        return
    from driftdiff_sdk import _writer_child, redact, writer

    _writer_child.CHILD_MODULE = __name__  # the writer process runs the fault too

    real_dump = writer.dump_line

    if fault == "serializer":

        def broken_dump(obj: dict[str, Any]) -> bytes:
            raise ValueError("injected serializer fault")

        writer.dump_line = broken_dump
    elif fault == "redactor":

        def broken_redact(self: Any, exchange: dict[str, Any]) -> dict[str, Any]:
            raise RuntimeError("injected redactor fault")

        redact.Redactor.redact_exchange = broken_redact  # type: ignore[method-assign]
    elif fault == "slow-writer":

        def slow_dump(obj: dict[str, Any]) -> bytes:
            time.sleep(0.05)
            return real_dump(obj)

        writer.dump_line = slow_dump


if __name__ == "__main__":  # the writer process, with the fault applied
    from driftdiff_sdk._writer_proc import main

    apply()
    main()
