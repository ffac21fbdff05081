"""Runs a share of the fuzz cases in its own process (``test_fuzz_cli`` starts one per core).

usage: worker.py TODO.json DONE.jsonl WORKDIR -- TODO holds the seeds; one JSON line per finished
case is appended to DONE, so a process that dies leaves the cases it finished.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import apply, case  # this script's folder is on sys.path
from test_fuzz_cli import check_case


def run(todo: Path, done: Path, work: Path) -> None:
    with done.open("a", encoding="utf-8") as out:
        for seed in json.loads(todo.read_text(encoding="utf-8")):
            result = check_case(case(seed), work / str(seed), apply)
            out.write(json.dumps({"seed": seed, **result}) + "\n")
            out.flush()


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
