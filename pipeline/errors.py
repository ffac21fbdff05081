"""Domain exceptions and the exit codes of the data contract ("Exit codes").

0 everything computed; 3 some rows rejected (valid rows computed, rejects written); 4 a legal
parameter is missing for the period; 5 output exists and overwriting was not asked; 1 anything
else; 2 stays the CLI's usage error.
"""

from __future__ import annotations

import datetime as dt

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_REJECTS = 3
EXIT_MISSING_PARAMETER = 4
EXIT_OUTPUT_EXISTS = 5


class PayrollError(Exception):
    """Base class; ``exit_code`` is what the CLI returns."""

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


class OutputExistsError(PayrollError):
    """The output folder already holds a run and overwriting was not asked."""

    exit_code = EXIT_OUTPUT_EXISTS


class InputError(PayrollError):
    """A whole input cannot be used (missing required file, undecidable CSV dialect...)."""


class RunStoreError(PayrollError):
    """The run store lacks what was asked (missing or unfinalised month)."""
