"""Belgian payroll-integration batch processor for cross-border workers.

Business logic lives here, free of Prefect: every rule is a pure function on polars frames,
every legal figure comes from the dated parameters in ``pipeline/parameters``.
"""

__version__ = "0.1.0"
