"""Static analysis of a methodology: gaps, overlaps, monotonicity, reachability, provenance.

Policy staff change thresholds and rules; ``check`` tells them, before any inspection is rated,
whether a change leaves a percentage or score with no rating, gives one input two ratings, lets a
better result rate lower, or lets an exception run away. See :mod:`probation_rules.check.findings`
for every code and why it is an error or a warning.
"""

from probation_rules.check.checker import check_methodology
from probation_rules.check.findings import CODES, Code, Finding, Report

__all__ = ["CODES", "Code", "Finding", "Report", "check_methodology"]
