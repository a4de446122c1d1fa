"""Methodologies: their schema and how they are loaded."""

from probation_rules.methodology.loader import DEFAULT_METHODOLOGY, bundled_ids, load_methodology, methodology_from_dict
from probation_rules.methodology.schema import EVIDENCE_LEVELS, Methodology, Rule

__all__ = ["DEFAULT_METHODOLOGY", "EVIDENCE_LEVELS", "Methodology", "Rule", "bundled_ids", "load_methodology", "methodology_from_dict"]
