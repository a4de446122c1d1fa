"""The generic engine: methodologies compiled to durable-rules rulesets, and their evaluation."""

from probation_rules.engine.rater import evaluate, rate_score

__all__ = ["evaluate", "rate_score"]
