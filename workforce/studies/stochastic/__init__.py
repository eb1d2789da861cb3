"""Two-stage stochastic plans: commit now only what must be committed now (models/stochastic.md)."""

from workforce.studies.stochastic.model import FIRST_STAGE, Risk
from workforce.studies.stochastic.plan import StochasticResult, stochastic_plan

__all__ = ["FIRST_STAGE", "Risk", "StochasticResult", "stochastic_plan"]
