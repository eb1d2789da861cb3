"""Connect to a Dask scheduler for ``--scheduler``, with a limit on every wait.

Dask's own ``Client(address, timeout=...)`` can wait forever on a server that accepts the
connection and never answers, and fails with a multi-exabyte allocation on a server that is not
Dask. So before the client is made, the address is checked (``tcp://HOST:PORT`` or
``tls://HOST:PORT``), and one request (``identity``) is sent and its answer awaited under a hard
limit; then the cluster must show at least one worker within the limit. Each failure is one
message naming the address, what happened and what to check (exit code 1, like any input error).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from workforce.errors import WorkforceError

TIMEOUT = 30.0
"""Seconds each step may take (connect and answer; a first worker to appear): ``--scheduler-timeout``."""

_ADDRESS = re.compile(r"^(?P<scheme>[a-z]+)://(?P<host>\[[0-9a-fA-F:]+\]|[^/:\s]+):(?P<port>\d{1,5})/?$")


def check_address(address: str) -> str:
    """The scheduler address as Dask wants it, or a WorkforceError saying what is allowed."""
    text = address.strip()
    match = _ADDRESS.match(text)
    if match is None:
        scheme = text.split("://", 1)[0] if "://" in text else None
        if scheme is not None and scheme not in ("tcp", "tls"):
            raise WorkforceError(f"--scheduler {address!r}: {scheme}:// schedulers are not supported; "
                                 "give tcp://HOST:PORT or tls://HOST:PORT")
        host = text.split("://", 1)[-1].rstrip("/")
        hint = f" (e.g. tcp://{host}:8786, Dask's default port)" if host and ":" not in host else ""
        raise WorkforceError(f"--scheduler {address!r} is not a scheduler address: give tcp://HOST:PORT{hint}")
    if match["scheme"] not in ("tcp", "tls"):
        raise WorkforceError(f"--scheduler {address!r}: {match['scheme']}:// schedulers are not supported; "
                             "give tcp://HOST:PORT or tls://HOST:PORT")
    if not 0 < int(match["port"]) < 65536:
        raise WorkforceError(f"--scheduler {address!r}: port {match['port']} is not between 1 and 65535")
    if match["scheme"] == "tls" and not _tls_configured():
        raise WorkforceError(
            f"--scheduler {address!r}: a tls:// scheduler needs the client's certificates in Dask's configuration "
            "(distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and .key); none are set")
    return text


def _tls_configured() -> bool:
    import dask

    return bool(dask.config.get("distributed.comm.tls.ca-file", None))


async def _identity(address: str, timeout: float, connection_args: dict[str, Any]) -> dict[str, Any]:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout, **connection_args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()  # type: ignore[no-any-return]
    finally:
        comm.abort()


def probe(address: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Ask the scheduler who it is, under a hard limit of ``timeout`` seconds."""
    from distributed.security import Security

    args = Security().get_connection_args("client") if address.startswith("tls://") else {}
    try:
        answer = asyncio.run(asyncio.wait_for(_identity(address, timeout, args), timeout))
    except TimeoutError:
        raise WorkforceError(
            f"the Dask scheduler at {address} did not answer within {timeout:g} s (--scheduler-timeout); "
            "check the address and that a Dask scheduler (not another server) listens there") from None
    except OSError as exc:
        raise WorkforceError(f"cannot reach the Dask scheduler at {address}: {_reason(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a server that is not Dask fails in many ways (e.g. huge frames)
        raise WorkforceError(f"the server at {address} is not a Dask scheduler (its answer could not be read: "
                             f"{type(exc).__name__})") from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise WorkforceError(f"the server at {address} is not a Dask scheduler "
                             f"(it says it is {answer.get('type') if isinstance(answer, dict) else 'something else'})")
    return answer


def _reason(exc: OSError) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if "Timed out" not in text else text


def connect(address: str, timeout: float = TIMEOUT) -> Any:
    """A Dask client of the scheduler at ``address`` that has at least one worker."""
    try:
        from distributed import Client
    except ImportError:
        raise WorkforceError("--scheduler needs Dask: pip install 'workforce[distributed]'") from None
    address = check_address(address)
    probe(address, timeout)
    try:
        client = Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise WorkforceError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close()
        raise WorkforceError(f"the Dask scheduler at {address} has no workers (none joined within {timeout:g} s); "
                             f"start some with: dask worker {address} --nthreads 1") from None
    return client


# ----------------------------------------------------------------------------------------------
# Waits after the study started
# ----------------------------------------------------------------------------------------------

TASK_TIMEOUT = 600.0
"""Longest wait, in seconds, for the next task of a study on an executor of the caller's (Dask)
to come back (``--task-timeout``); at least twice a task's time limit (MAX_CHUNK points)."""


def task_limit(task_timeout: float | None, time_limit: float | None, points_per_task: int) -> float:
    """The wait limit for a task: ``task_timeout`` when given, else the default, raised to twice
    the longest a task may take when the study sets a time limit per point."""
    if task_timeout is not None:
        return float(task_timeout)
    return max(TASK_TIMEOUT, 2.0 * points_per_task * time_limit) if time_limit else TASK_TIMEOUT


class Stalled(Exception):
    """No task came back within the limit: ``futures`` were cancelled and never answered."""

    def __init__(self, futures: set[Any], limit: float):
        super().__init__(f"no task came back within {limit:g} s")
        self.futures, self.limit = futures, limit


def answered(futures: Any, limit: float | None) -> Any:
    """The futures as they finish (like ``concurrent.futures.as_completed``), but when none finishes
    within ``limit`` seconds the rest are cancelled and :class:`Stalled` is raised with them."""
    import concurrent.futures as cf

    pending = set(futures)
    while pending:
        done, pending = cf.wait(pending, timeout=limit, return_when=cf.FIRST_COMPLETED)
        if not done:
            for future in pending:
                future.cancel()
            raise Stalled(pending, float(limit or 0))
        yield from done


def stalled_message(limit: float) -> str:
    return (f"no answer from the workers within {limit:g} s (--task-timeout): a worker stopped answering or "
            "the cluster lost its workers; run the same command again to retry these points")
