"""Explain stage: marginal values, what-ifs and their text.

Owns ``explain_plan`` (:mod:`.marginal`: duals and ranging of every limit), the what-if re-solves
(:mod:`.whatif`) and the plain-English text (:mod:`.text`). May import the stages below it:
``workforce.solver``, ``workforce.plan``, ``workforce.model``, ``workforce.scenario`` (and
``workforce.errors``); never ``studies``, ``output``, ``plots`` or ``cli``.
"""

from workforce._moved import old_module_getattr
from workforce.explain.marginal import Explanation, Stage, explain_plan

__all__ = ["Explanation", "Stage", "explain_plan"]

# workforce.explain was the module now at workforce.explain.marginal: its other names still resolve.
__getattr__ = old_module_getattr(__name__, "workforce.explain.marginal")
