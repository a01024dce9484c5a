"""OpenAPI 3.0/3.1 <-> baseline.

``import_openapi`` normalises a document (named schemas converted once and referenced,
``allOf`` merged, ``nullable`` folded into type lists) into a ``Baseline``; ``export_openapi``
writes a baseline as an OpenAPI 3.1 document that openapi-spec-validator accepts.
"""

from __future__ import annotations

from drift_diff.openapi.exporter import dumps_openapi, export_openapi
from drift_diff.openapi.importer import (
    import_openapi,
    load_document,
    load_openapi,
)
from drift_diff.openapi.validation import validate_openapi

__all__ = [
    "dumps_openapi",
    "export_openapi",
    "import_openapi",
    "load_document",
    "load_openapi",
    "validate_openapi",
]
