"""Belgian payroll-integration batch processor for cross-border workers.

Business logic lives here, free of Prefect: every rule is a pure function on polars frames,
every legal figure comes from the dated parameters in ``pipeline/parameters``.
"""

import os

__version__ = "0.1.0"

ALLOCATOR_TUNING = "dirty_decay_ms:200,muzzy_decay_ms:0"
"""How polars' memory allocator (the jemalloc built into its library, configured through
``_RJEM_MALLOC_CONF``) gives freed memory back: pages freed by a step are returned to the system
after 0.2 s, where polars' build keeps them 0.5 s and then 1 s more as "muzzy" pages (marked free,
still resident). A tuning knob, not a legal figure: at a million employee-months it lowers the
peak resident memory by about 0.1–0.2 GB at the same wall time (docs/performance.md). jemalloc
reads the variable once, when polars is first imported: it is set here, before any module of the
package imports polars, and left alone when it is set already (``_RJEM_MALLOC_CONF=`` with an empty
value keeps polars' own settings)."""

os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_TUNING)
