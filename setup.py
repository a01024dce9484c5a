"""Optional compiled build of the inference hot path.

``pip install .`` (or ``-e .``) installs pure Python, as always. With ``DRIFTDIFF_COMPILE=1`` the
modules below are compiled to C extensions with mypyc (part of mypy), from the same typed
sources — the way black and mypy ship theirs. It needs mypy and a C compiler in the build
environment, so build without isolation::

    pip install -U mypy setuptools wheel
    DRIFTDIFF_COMPILE=1 pip install --no-build-isolation .

Editable installs stay pure Python: a compiled module would shadow edits to its source. The
compiled build is checked against the pure one (byte-identical baselines, same error lines) by
``tests/integration/test_compiled_build.py``; ``bench/bench_infer.py`` measures both.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

#: The per-exchange path of ``driftdiff baseline``: reading and checking lines, HAR entries turned
#: into exchanges (and learned on worker processes), path templating, batching, and the schema
#: strategies. Everything else stays interpreted (the SDK's redaction has its own ``setup.py``).
COMPILED = [
    "drift_diff/traffic/traces.py",
    "drift_diff/traffic/har.py",
    "drift_diff/traffic/_har_entry.py",
    "drift_diff/traffic/_har_classify.py",
    "drift_diff/infer/har_parts.py",
    "drift_diff/infer/har_pieces.py",
    "drift_diff/traffic/har_cut.py",
    "drift_diff/infer/paths.py",
    "drift_diff/infer/formats.py",
    "drift_diff/infer/strategies.py",
    "drift_diff/infer/containers.py",
    "drift_diff/infer/builder.py",
    "drift_diff/infer/messages.py",
    "drift_diff/infer/content.py",
    "drift_diff/infer/endpoint.py",
    "drift_diff/infer/engine.py",
    "drift_diff/infer/parallel.py",
    "drift_diff/infer/learned.py",
]


def _ext_modules() -> list[object]:
    if os.environ.get("DRIFTDIFF_COMPILE") != "1":
        return []
    if any("editable" in arg for arg in sys.argv):
        sys.exit(
            "DRIFTDIFF_COMPILE=1 is for regular installs: in an editable one, "
            "compiled modules would shadow edits to their sources"
        )
    from mypyc.build import mypycify

    return list(mypycify(["--config-file=pyproject.toml", *COMPILED], opt_level="3"))


setup(ext_modules=_ext_modules())
