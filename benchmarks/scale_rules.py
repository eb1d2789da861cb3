"""Every policy family on a synthetic national-scale scenario (issue 19, section 3).

``add_policy_rules`` adds to a scenario dict of ``national_scale.synthetic_scenario`` the rules of
sections 12-14 of models/cohort_planning.md, at magnitudes the scenario can meet:

* retention by tenure: the EP doctorate's completers from the first year of the horizon owe three
  years of service (as the England baseline: 3% a year, then 8%); SENCOs, who may also leave the
  role (exits, so ``tenure_established`` has rows), get a two-band profile;
* a statutory deadline: SENCO posts without a qualified holder are held by unqualified appointees
  who must qualify within three years (penalised, as the baseline);
* targets: national EP completions over the horizon's years 4-6, and an annual intake target for
  SENCO training in the first ten authorities;
* place shares: the first third of authorities get between 20% and 60% of SENCO training places;
* equity: the worst regional shortfall rate over the horizon, minimised before cost.
"""

from __future__ import annotations

from typing import Any


def add_policy_rules(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with tenure, a deadline, targets, place shares and equity (changed in place, returned)."""
    roles, programmes = spec["roles"], spec["programmes"]
    first = spec["horizon"]["first_year"]
    last = spec["horizon"]["last_year"]
    codes = [r["code"] for r in spec["regions"]]
    if "ep" in roles:
        roles["ep"]["tenure"] = {"programmes": ["ep_training"], "from_intake_year": first,
                                 "attrition": [0.03, 0.03, 0.03, 0.08]}
    senco = roles["senco"]
    senco["tenure"] = {"attrition": [0.05, 0.06]}
    senco["exits"] = {"enabled": True, "cost": 1.0, "stream": "la"}
    senco["statutory_deadline"] = {"within_years": 3, "mode": "penalise", "penalty": 20.0,
                                   "initial_shares": [0.4, 0.3, 0.2, 0.1]}
    targets: dict[str, Any] = {}
    if "ep" in roles:
        starters = sum(programmes["ep_training"]["intake_min"].values())
        completion = programmes["ep_training"]["completion_rate"]
        targets["ep_completions"] = {"programme": "ep_training", "from_year": min(first + 3, last),
                                     "by_year": min(first + 5, last),
                                     "at_least": round(2.0 * starters * completion, 1)}
    targets["senco_local"] = {"programme": "senco_training", "measure": "intake", "scope": "region",
                              "regions": codes[:10], "annual": True, "from_year": first + 1,
                              "by_year": min(first + 4, last), "at_least": 0.2}
    spec["targets"] = targets
    spec["place_shares"] = {"first_third": {"programme": "senco_training", "regions": codes[: len(codes) // 3],
                                            "min_share": 0.2, "max_share": 0.6}}
    spec["objective"] = {"equity": {"mode": "before_cost", "basis": "horizon"}}
    return spec
