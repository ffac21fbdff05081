"""Where a Prefect worker runs the deployments: the project folder.

``prefect.yaml`` (``prefect deploy --all``) names :func:`project_directory` as its pull step: a
worker started anywhere runs each flow run in the project folder, so that the deployments'
relative paths (``inbox/``, ``run_store/``, ``out/``) and entry points resolve there. The folder
is ``PAYROLL_HOME`` when set, else the folder this code is installed from (the checkout, installed
with ``pip install -e .``, as ``scripts/setup.sh`` does). A folder that is not the project stops
the run with one line saying what to set.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import PayrollError

HOME_ENV = "PAYROLL_HOME"
MARKERS = ("prefect.yaml", "flows/deploy.py")
"""Files the project folder holds."""


def project_directory(directory: str | None = None) -> dict[str, str]:
    """Prefect pull step: change to the project folder and return it (``{"directory": ...}``).

    ``directory``: ``{{ $PAYROLL_HOME }}`` in ``prefect.yaml`` (empty when the variable is not set
    on the worker), else the environment variable, else the installed checkout.
    """
    chosen = (directory or os.environ.get(HOME_ENV, "")).strip()
    folder = Path(chosen).expanduser() if chosen else Path(__file__).resolve().parents[2]
    missing = [m for m in MARKERS if not (folder / m).is_file()]
    if missing:
        how = f"{HOME_ENV}={chosen}" if chosen else f"the installed code's folder {folder}"
        raise PayrollError(
            f"{how} is not the payroll project folder (no {', '.join(missing)}); set {HOME_ENV} to the project "
            "folder in the worker's environment (docs/operations.md, worker set-up)"
        )
    os.chdir(folder)
    return {"directory": str(folder)}
