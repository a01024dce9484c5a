"""Number ranges (``minimum``/``maximum``, exclusive or not) narrowed or widened.

``exclusiveMinimum``/``exclusiveMaximum`` (3.0 booleans, 3.1 numbers) fold into the bound: an
inclusive bound made exclusive at the same value tightens it. See ``_bounds``.
"""

from __future__ import annotations

from drift_diff.diff.facts import BOUND_CHANGED
from drift_diff.diff.rules._bounds import register_bound

REQUEST_PARAMETER_MAX_DECREASED = "request-parameter-max-decreased"
RESPONSE_PROPERTY_MAX_INCREASED = "response-property-max-increased"

register_bound(BOUND_CHANGED["maximum"], "max", "maximum", upper=True)
register_bound(BOUND_CHANGED["minimum"], "min", "minimum", upper=False)
