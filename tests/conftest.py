"""Test-wide settings."""

from hypothesis import settings

# Property tests solve LPs and build pydantic models: on a shared 2-core machine a single example can
# take longer than hypothesis's default 200 ms deadline, which would make them flaky, not wrong.
settings.register_profile("workforce", deadline=None)
settings.load_profile("workforce")

# The suite runs on pytest-xdist workers, one test file per worker at a time (`--dist loadfile` in
# pyproject.toml). Files are handed out in collection order, so the files that take longest (each
# over 30 s on an idle 2-core machine, from `--durations`) go first: a long file started last would
# leave the other worker idle at the end. Only the order changes; every test still runs.
LONGEST_FIRST = (
    "test_walkthrough.py", "test_examples.py", "test_arrays.py", "test_chart_checks.py", "test_output_safety.py",
    "test_study_allow_path.py", "test_invariants.py", "test_properties.py", "test_plots.py", "test_tiebreak.py",
    "test_authority_charts.py", "test_docs.py", "test_policy_invariants.py", "test_steady_state.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order kept otherwise
