"""String lengths (``minLength``/``maxLength``) narrowed or widened; see ``_bounds``."""

from __future__ import annotations

from drift_diff.diff.facts import BOUND_CHANGED
from drift_diff.diff.rules._bounds import register_bound

REQUEST_PROPERTY_MAX_LENGTH_DECREASED = "request-property-max-length-decreased"
RESPONSE_PROPERTY_MAX_LENGTH_INCREASED = "response-property-max-length-increased"

register_bound(BOUND_CHANGED["maxLength"], "max-length", "maxLength", upper=True)
register_bound(BOUND_CHANGED["minLength"], "min-length", "minLength", upper=False)
