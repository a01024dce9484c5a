"""The rule catalogue: one module per rule family, each registering into ``registry.RULES``.

Importing this package registers every rule. Ids are kebab-case constants at the top of each
module; they reuse oasdiff's ids where the meaning is the same (``Rule.oasdiff`` names the
oasdiff id when ours differs).
"""

from __future__ import annotations

from drift_diff.diff.rules import (  # noqa: F401  (imported to register)
    branches,
    coverage,
    endpoints,
    enums,
    formats,
    headers,
    item_counts,
    lengths,
    lifecycle,
    maps,
    media_types,
    multiples,
    nullability,
    parameters,
    patterns,
    properties,
    ranges,
    request_body,
    requiredness,
    statuses,
    types,
)
