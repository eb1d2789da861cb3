"""Start a child process as a terminal would, so that Ctrl-C reaches it.

A shell starting a job in the background (``cmd &`` in a script, ``nohup``) sets SIGINT to ignored,
and children inherit that: a test suite started so would see workforce ignore the Ctrl-C it sends,
and fail for a reason that is not workforce's. Tests that send SIGINT pass ``preexec_fn=terminal``.
"""

from __future__ import annotations

import signal


def terminal() -> None:
    """In the child, before it runs: SIGINT back to its default, as in a terminal's foreground job
    (Python then installs its own handler, which raises KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
