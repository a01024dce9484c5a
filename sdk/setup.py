"""Optional compiled build of the SDK's redaction and exchange modules.

``pip install ./sdk`` (or ``-e ./sdk``) installs pure Python, as always. With
``DRIFTDIFF_COMPILE=1`` the modules below are compiled to C extensions with mypyc (part of mypy),
from the same typed sources, as the main package does (its ``setup.py``). It needs mypy and a C
compiler in the build environment, so build without isolation::

    pip install -U mypy setuptools wheel
    DRIFTDIFF_COMPILE=1 pip install --no-build-isolation ./sdk

The compiled modules need nothing but the standard library at run time. Editable installs stay
pure Python: a compiled module would shadow edits to its source.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

#: What ``driftdiff baseline x.har`` and ``driftdiff import har`` run per entry: building the
#: exchange (bodies, queries) and redacting it. Everything else stays interpreted.
COMPILED = [
    "driftdiff_sdk/exchange.py",
    "driftdiff_sdk/detectors.py",
    "driftdiff_sdk/_masks.py",
    "driftdiff_sdk/_text_patterns.py",
    "driftdiff_sdk/_redact_pairs.py",
    "driftdiff_sdk/_redact_markup.py",
    "driftdiff_sdk/_redact_blocks.py",
    "driftdiff_sdk/_redact_text.py",
    "driftdiff_sdk/_redact_names.py",
    "driftdiff_sdk/_redact_fields.py",
    "driftdiff_sdk/_disposition.py",
    "driftdiff_sdk/_redact_http.py",
    "driftdiff_sdk/_share.py",
    "driftdiff_sdk/redact.py",
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
