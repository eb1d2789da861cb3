"""Test-wide settings."""

from hypothesis import settings

# Property tests solve LPs and build pydantic models: on a shared 2-core machine a single example can
# take longer than hypothesis's default 200 ms deadline, which would make them flaky, not wrong.
settings.register_profile("workforce", deadline=None)
settings.load_profile("workforce")
