"""Array sizes (``minItems``/``maxItems``) narrowed or widened; see ``_bounds``."""

from __future__ import annotations

from drift_diff.diff.facts import BOUND_CHANGED
from drift_diff.diff.rules._bounds import register_bound

REQUEST_PROPERTY_MAX_ITEMS_DECREASED = "request-property-max-items-decreased"
RESPONSE_PROPERTY_MIN_ITEMS_DECREASED = "response-property-min-items-decreased"

register_bound(BOUND_CHANGED["maxItems"], "max-items", "maxItems", upper=True)
register_bound(BOUND_CHANGED["minItems"], "min-items", "minItems", upper=False)
