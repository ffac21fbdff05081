"""One writer at a time: an advisory lock (``fcntl.flock``) on a lock file.

Two runs never write one run store or one output folder at once (data-contract "The run store of
a bureau"). The second run waits, with a message, for at most ``wait`` seconds (default
:data:`DEFAULT_WAIT_SECONDS`, env ``PAYROLL_LOCK_WAIT_SECONDS``), then stops with
:class:`BusyError` (exit 5) and one line naming the run that holds the lock. The lock file records
the holder (process id, host, since when); the lock itself is the kernel's, so it is released when
the holder ends, even by a crash: a stale lock file never blocks a run.

The lock is held by an open file description, not by a thread: a Prefect flow may take it in its
own thread and run the writing steps as tasks in others.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import OutputExistsError

DEFAULT_WAIT_SECONDS = 60.0
WAIT_ENV = "PAYROLL_LOCK_WAIT_SECONDS"
POLL_SECONDS = 0.2


class BusyError(OutputExistsError):
    """Another run holds the lock of a run store or an output folder (exit 5): nothing was written."""


def wait_seconds(wait: float | None = None) -> float:
    """``wait``, else env ``PAYROLL_LOCK_WAIT_SECONDS``, else :data:`DEFAULT_WAIT_SECONDS`."""
    if wait is not None:
        return max(0.0, float(wait))
    text = os.environ.get(WAIT_ENV, "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def _holder(fd: int) -> str:
    """Who holds the lock, as recorded in the lock file (best effort)."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another run"
    return f"process {info.get('pid', '?')} on {info.get('host', '?')}, since {info.get('since', '?')}"


@contextmanager
def held(
    path: Path, what: str, wait: float | None = None, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the lock file ``path`` (created ``0o600``) for the block; ``what`` names the locked
    thing in the messages ("the run store run_store", "the output folder out/2026-10")."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    limit = wait_seconds(wait)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + limit
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BusyError(
                        f"{what} is being written by {holder}; nothing was written: run again when that run has "
                        f"finished (waited {limit:g} s; {WAIT_ENV} sets the wait)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for {what}: {holder} is writing it (up to {limit:g} s)")
                    told = True
                time.sleep(min(POLL_SECONDS, left))
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def output_lock_path(out: Path) -> Path:
    """The lock file of an output folder: a hidden file beside it (``.<name>.lock``)."""
    out = Path(out).resolve()
    return out.parent / f".{out.name}.lock"
