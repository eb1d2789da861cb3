"""The scenario schema: frozen pydantic models that reject unknown keys.

Units: people or FTE as the role says; money in thousands of pounds (£k); rates as fractions
(0.09 = 9% a year); years are academic years (2026 = 2026/27).
Cross-references (a programme's role, a cost's funding stream, table regions and years) are
checked in :mod:`workforce.scenario.checks` once the whole scenario is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from workforce.conveniences import provider
from workforce.scenario.schema_base import ENGLAND_REGIONS as ENGLAND_REGIONS
from workforce.scenario.schema_base import SPOOFING as SPOOFING
from workforce.scenario.schema_base import TERMS as TERMS
from workforce.scenario.schema_base import Base as Base
from workforce.scenario.schema_base import Fraction as Fraction
from workforce.scenario.schema_base import Horizon as Horizon
from workforce.scenario.schema_base import Id as Id
from workforce.scenario.schema_base import Money as Money
from workforce.scenario.schema_base import Name as Name
from workforce.scenario.schema_base import Region as Region
from workforce.scenario.schema_base import Term as Term
from workforce.scenario.schema_base import TerminalValue as TerminalValue
from workforce.scenario.schema_base import Text as Text
from workforce.scenario.schema_base import spoofing_character as spoofing_character
from workforce.scenario.schema_policy import Equity as Equity
from workforce.scenario.schema_policy import Objective as Objective
from workforce.scenario.schema_policy import PlaceShare as PlaceShare
from workforce.scenario.schema_policy import SolverSettings as SolverSettings
from workforce.scenario.schema_policy import SurplusGroup as SurplusGroup
from workforce.scenario.schema_policy import Target as Target
from workforce.scenario.schema_roles import DemandForecast as DemandForecast
from workforce.scenario.schema_roles import Exits as Exits
from workforce.scenario.schema_roles import FlexibleOption as FlexibleOption
from workforce.scenario.schema_roles import Hiring as Hiring
from workforce.scenario.schema_roles import Role as Role
from workforce.scenario.schema_roles import StatutoryDeadline as StatutoryDeadline
from workforce.scenario.schema_roles import Tenure as Tenure
from workforce.scenario.schema_training import Calendar as Calendar
from workforce.scenario.schema_training import Cohorts as Cohorts
from workforce.scenario.schema_training import FundingStream as FundingStream
from workforce.scenario.schema_training import Programme as Programme

"""Bidirectional controls and zero-width characters: invisible, they make a name look on screen and in
a spreadsheet unlike what it is (Trojan Source, CVE-2021-42574), so names may not hold them."""

"""Free-text label. It may not start with a character that spreadsheets treat as a formula, nor hold
control characters (a carriage return would split a CSV row) or invisible bidirectional and
zero-width characters."""

"""Longer free text (a description): new lines and tabs allowed, other control characters and
invisible bidirectional or zero-width characters not."""

"""Identifier used as a key: lower-case letters, digits and underscores, starting with a letter."""

"""Objective terms, in the order the formulation document lists them."""

"""England's nine regions (ONS codes), the default geography."""

class Scenario(Base):
    name: Name
    """Scenario name, shown on outputs."""
    description: Text = ""
    """What the scenario is for."""
    horizon: Horizon
    """Years to plan for."""
    regions: list[Region] = Field(default=list(ENGLAND_REGIONS), min_length=1)
    """Areas to plan for; defaults to England's nine regions."""
    roles: dict[Id, Role] = Field(min_length=1)
    """Workforce stocks that carry demand, keyed by an id."""
    programmes: dict[Id, Programme] = {}
    """Training routes into roles, keyed by an id."""
    funding_streams: dict[Id, FundingStream] = {}
    """Who pays for training and other costs, keyed by an id."""
    surplus_groups: dict[Id, SurplusGroup] = {}
    """Caps on surplus shared by several roles."""
    targets: dict[Id, Target] = {}
    """Policy targets on completions or intake, keyed by an id."""
    place_shares: dict[Id, PlaceShare] = {}
    """Least or most share of a programme's starters for a group of regions, keyed by an id."""
    objective: Objective = Objective()
    """What the plan minimises: a weighted sum of the terms, or groups of terms in order."""
    solver: SolverSettings = SolverSettings()
    """HiGHS settings."""

    # Set by the loader: where each value came from (file, line), sha256 of each input file.
    _sources: dict[tuple[Any, ...], tuple[str, int | None]] = PrivateAttr(default_factory=dict)
    _inputs: dict[str, str] = PrivateAttr(default_factory=dict)
    _origin: str = PrivateAttr(default="<python>")
    _validated: bool = PrivateAttr(default=False)
    """True once every check has passed; False for ``model_construct``, which the solver refuses."""

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        from workforce.scenario.checks import check_scenario

        check_scenario(self)
        self._validated = True
        return self

    def derive(self, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> Scenario:
        """A changed copy, validated like a scenario read from YAML: ``changes`` merges in as a variant
        file would (mappings key by key, tables and lists replaced, None removes a key), e.g.
        ``scenario.derive({"roles": {"ep": {"attrition": 0.12}}}, name="Higher EP attrition")``."""
        from workforce.scenario.derive import derive

        return derive(self, changes, **fields)

    @property
    def years(self) -> list[int]:
        return self.horizon.years

    def region_keys(self) -> dict[str, str]:
        """Every accepted region key (code or name) mapped to its code."""
        keys = {r.code: r.code for r in self.regions}
        keys.update({r.name: r.code for r in self.regions})
        return keys

    def source_of(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        """File and line a key path was read from (the nearest enclosing key that has one)."""
        for depth in range(len(path), -1, -1):
            if path[:depth] in self._sources:
                return self._sources[path[:depth]]
        return (self._origin, None)

    @property
    def input_hashes(self) -> dict[str, str]:
        """sha256 of every file the scenario was read from."""
        return dict(self._inputs)

    def __repr__(self) -> str:
        return provider("scenario.text")(self)

    __str__ = __repr__  # print(scenario) gives the summary too, not pydantic's dump of every field

    def _repr_html_(self) -> str:
        return provider("scenario.html")(self)

    def sha256(self) -> str:
        """Hash of the validated scenario's content (independent of file layout and comments)."""
        import hashlib

        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()
