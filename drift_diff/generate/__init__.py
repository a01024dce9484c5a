"""Writing pytest tests from recorded traffic (``driftdiff generate pytest``)."""

from drift_diff.generate.pytest_writer import GenerateStats, generate_pytest, match_endpoint

__all__ = ["GenerateStats", "generate_pytest", "match_endpoint"]
