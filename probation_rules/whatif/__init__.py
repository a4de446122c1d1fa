"""Policy what-if: compare two methodologies on inspections, or on their tables alone.

:func:`compare` rates a population (files, folders, or a :func:`simulated` one) under both and
reports what moved and why; :func:`diff` lists every input whose rating changes, with no
inspections; :func:`simulation` draws a reproducible synthetic population with stated
assumptions. Variants (small change files) are loaded by
:func:`probation_rules.load_methodology` like any methodology; see
:mod:`probation_rules.methodology.variants`.
"""

from probation_rules.whatif.compare import Comparison, compare
from probation_rules.whatif.diff import MethodologyDiff, diff
from probation_rules.whatif.population import Population, gather, simulated
from probation_rules.whatif.simulate import Rates, Simulation, load_rates, simulation

__all__ = [
    "Comparison",
    "MethodologyDiff",
    "Population",
    "Rates",
    "Simulation",
    "compare",
    "diff",
    "gather",
    "load_rates",
    "simulated",
    "simulation",
]
