"""Domain exceptions, the exit codes of the data contract ("Exit codes"), and the one-line
messages every failure is reported with.

0 everything computed; 3 some rows rejected (valid rows computed, rejects written); 4 a legal
parameter is missing for the period; 5 output exists and overwriting was not asked; 1 anything
else; 2 stays the CLI's usage error.

A failure reaches a person (console, Prefect log) only through :func:`one_line`: our own
messages (which name the file, the line and what to do), or, for anything else, a description
built from the exception's type, its ``errno`` and the place in our code, never the library's
own text. A polars, pyarrow, fastexcel or YAML message may quote the row it failed on (national
numbers, names, birth dates), so it is never passed through.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REJECTS = 3
EXIT_MISSING_PARAMETER = 4
EXIT_OUTPUT_EXISTS = 5

MAX_MESSAGE = 600
"""Longest message printed (characters); longer ones are cut with an ellipsis."""


class PayrollError(Exception):
    """Base class; ``exit_code`` is what the CLI returns. The message is ours: it must name the
    file (and line) at fault and say what to do, and never quote row content."""

    exit_code = EXIT_FAILURE


class ParameterFileError(PayrollError):
    """A legal-parameter file is malformed (gap, overlap, missing reference, out of range)."""


class MissingParameterError(PayrollError):
    """No value of a legal parameter is in force on the date asked."""

    exit_code = EXIT_MISSING_PARAMETER

    def __init__(self, name: str, on: dt.date):
        super().__init__(f"legal parameter {name!r} has no value in force on {on}")
        self.name = name
        self.on = on

    def __reduce__(self):  # pickled with its own arguments (a Dask worker's error reaches the driver)
        return type(self), (self.name, self.on)


class OutputExistsError(PayrollError):
    """The output folder already holds a run and overwriting was not asked."""

    exit_code = EXIT_OUTPUT_EXISTS


class InputError(PayrollError):
    """A whole input cannot be used (missing required file or column, the same header twice,
    an undecidable encoding or separator, an unreadable workbook or Parquet file...)."""


class RunStoreError(PayrollError):
    """The run store lacks what was asked (missing or unfinalised month)."""


class OutputWriteError(PayrollError):
    """The outputs could not be written (disk full, read-only folder, no permission); nothing
    was left behind."""


# What an operating-system error means for the person running the batch, and what to do.
_OS_ERRORS = {
    errno.ENOSPC: ("no space left on the device", "free some space or choose another folder, then run again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or choose another folder, then run again"),
    errno.EROFS: ("the file system is read-only", "choose a writable folder"),
    errno.EACCES: ("permission denied", "check the folder's permissions or choose another folder"),
    errno.EPERM: ("operation not permitted", "check the folder's permissions or choose another folder"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.EISDIR: ("is a folder, not a file", "check the path"),
    errno.ENAMETOOLONG: ("the path is too long", "choose a shorter path"),
    errno.EMFILE: ("too many open files", "raise the open-file limit (ulimit -n) and run again"),
    errno.EIO: ("input/output error on the device", "check the disk, then run again"),
    errno.EBUSY: ("the file or folder is busy", "close what uses it and run again"),
    errno.EXDEV: ("the folders are on different file systems", "put the output next to its parent folder"),
}

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{2}(?:[.\-\s/]?\d){9}(?!\d)")
"""Eleven digits, with the separators people type: the shape of a national (NISS/BIS) number."""


def mask_numbers(text: str) -> str:
    """``text`` with every run of eleven digits (a national number's shape, separators allowed)
    replaced by asterisks but its last two digits. Our messages never need such a number, so
    this is only a second line of defence."""
    return _ELEVEN_DIGITS.sub(lambda m: "*" * (len(m.group()) - 2) + m.group()[-2:], text)


_OS_ERROR_NUMBER = re.compile(r"\(os error (\d+)\)|\[Errno (\d+)\]")


def os_errno(exc: BaseException) -> int | None:
    """The operating-system error number behind ``exc``: its ``errno``, or the "(os error N)" /
    "[Errno N]" that polars puts in the I/O errors it re-raises (only the number is taken)."""
    number = getattr(exc, "errno", None)
    if isinstance(number, int):
        return number
    if isinstance(exc, OSError) or type(exc).__module__.startswith("polars"):
        found = _OS_ERROR_NUMBER.search(str(exc))
        if found:
            return int(found.group(1) or found.group(2))
    return None


def os_error_parts(exc: BaseException) -> tuple[str, str]:
    """(what an operating-system error means, what to do), from its number."""
    number = os_errno(exc) or 0
    meaning, todo = _OS_ERRORS.get(number, (None, "check the path and the disk, then run again"))
    return meaning or f"system error {errno.errorcode.get(number, number)}", todo


def os_error_text(exc: BaseException, doing: str = "") -> str:
    """One readable line for an operating-system error: what was being done, on which path, what
    it means and what to do (built from the error number, not from the system's text)."""
    meaning, todo = os_error_parts(exc)
    filename = getattr(exc, "filename", None)
    where = f" {filename}" if filename else ""
    what = f"{doing}{where}" if doing else f"cannot use{where}"
    return f"{what.strip()}: {meaning}; {todo}"


def _code_location(exc: BaseException) -> str:
    """``path:line`` of the innermost frame of the traceback that is in this project's code (this
    module's own frames, such as :func:`sanitising`'s, left out)."""
    here = Path(__file__).resolve()
    root = here.parents[1]
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        path = Path(tb.tb_frame.f_code.co_filename)
        if (
            path != here
            and path.is_relative_to(root)
            and path.relative_to(root).parts[:1] in (("pipeline",), ("schemas",), ("flows",))
        ):
            found = f"{path.relative_to(root).as_posix()}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _tidy(text: str) -> str:
    text = mask_numbers(" ".join(text.split()))
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def one_line(exc: BaseException) -> str:
    """The single line that reports ``exc`` to a person or a log: safe to print, never row content.

    Our own errors keep their message; operating-system errors are described from their
    ``errno``; anything else (a library's exception, a bug) is named by its type and the place in
    our code, with what to do.
    """
    if isinstance(exc, PayrollError):
        return _tidy(str(exc))
    if os_errno(exc) is not None:
        return _tidy(os_error_text(exc))
    if isinstance(exc, MemoryError):
        return "out of memory; run the batch on a larger machine or split it into partitions (--partitions)"
    where = _code_location(exc)
    at = f" at {where}" if where else ""
    return _tidy(
        f"unexpected internal error ({type(exc).__name__}{at}); run again with --debug for the details "
        "and report it with the batch's description (not its data)"
    )


def exit_code(exc: BaseException) -> int:
    """The exit code that reports ``exc``: a domain error's own, else 1."""
    return exc.exit_code if isinstance(exc, PayrollError) else EXIT_FAILURE


def sanitising(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` raising :func:`sanitised` errors: for the steps a framework runs and logs itself (a
    Prefect task logs its exception's text and traceback in the server's database)."""

    @functools.wraps(fn)
    def step(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise sanitised(exc) from None

    return step


def sanitised(exc: BaseException) -> PayrollError:
    """``exc`` as a :class:`PayrollError` whose message is :func:`one_line`: raise it ``from None``
    where a framework (Prefect) would otherwise log the original exception and its text."""
    if isinstance(exc, PayrollError):
        return exc
    safe = PayrollError(one_line(exc))
    safe.exit_code = EXIT_FAILURE
    return safe
