"""The local worker pool of studies: spawned processes that die with the study process and leave
Ctrl-C to it (workforce.studies.sweep terminates them when it is interrupted)."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import threading
import time

from workforce.output_safety import pid_alive

QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def default_executor(workers: int | None) -> cf.Executor:
    """A local process pool of spawned workers (they start clean, without this process's
    threads). Each worker ends when this process ends, even by ``kill -9`` (:func:`watch_parent`),
    and the resource tracker then ends with them."""
    ctx = multiprocessing.get_context("spawn")
    # Ctrl-C can leave the pool's queue semaphores registered; the resource tracker (started with this
    # interpreter's -W options) unlinks them itself and would print a warning after the interrupted line
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)
    return cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=ctx,
                                  initializer=watch_parent, initargs=(os.getpid(),))


def watch_parent(pid: int) -> None:
    """Worker initializer: end this worker when process ``pid`` (the one running the study)
    ends, however it ends.

    On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (workers are spawned by that
    process, so it is their parent). Elsewhere a thread waits for it to end, then exits. Ctrl-C
    is that process's to handle (it terminates the workers): a worker it reached printed a line."""
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal sends Ctrl-C to the whole group

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != pid:  # the parent ended before the signal was armed
                os._exit(1)
            return

    def watch() -> None:
        while pid_alive(pid):
            time.sleep(1.0)
        os._exit(1)  # nothing of this worker's is worth keeping: results are written by the parent

    threading.Thread(target=watch, name="workforce-parent-watch", daemon=True).start()
