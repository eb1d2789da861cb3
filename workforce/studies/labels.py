"""What a study's charts and summary call things: the scenario's own names, units and years."""

from __future__ import annotations

from typing import Any

from workforce.scenario import Scenario


def scenario_labels(scenario: Scenario) -> dict[str, Any]:
    """The scenario's own names (and role units) by id, with its name and sha256, for charts."""
    labels = {
        "scenario": scenario.name, "scenario_sha256": scenario.sha256(),
        "roles": {k: {"name": r.name, "unit": r.unit} for k, r in scenario.roles.items()},
        "streams": {k: f.name for k, f in scenario.funding_streams.items()},
        "programmes": {k: p.name for k, p in scenario.programmes.items()},
    }
    h = scenario.horizon
    if h.plan_to is not None:  # section 10.4: results show the reported years, objectives cover the planned
        labels["horizon"] = {"reported_years": f"{h.first_year}-{h.last_year}",
                             "planned_years": f"{h.first_year}-{h.plan_to}"}
    return labels
