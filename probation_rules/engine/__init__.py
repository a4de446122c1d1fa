"""The generic engine: methodologies compiled to durable-rules rulesets, and their evaluation."""

from probation_rules.engine.rater import evaluate

__all__ = ["evaluate"]
