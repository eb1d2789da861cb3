"""Model stage: ModelData → Pyomo model."""

from workforce.model.build import build_model

__all__ = ["build_model"]
