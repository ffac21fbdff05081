"""The rules of the house, read from the source with ``ast`` (imports inside functions included).

1. ``rules-imports``: ``pipeline/rules/`` imports only ``pipeline.core``, ``pipeline.errors``,
   ``schemas``, its own sibling rules, the standard library and third-party libraries that are
   not I/O or orchestration frameworks (:data:`IO_FRAMEWORKS`: no Prefect, Dask, Typer, Rich,
   spreadsheet or XML writers).
2. ``core-imports``: ``pipeline/core/`` imports nothing in ``pipeline`` but ``pipeline.core`` and
   ``pipeline.errors``, and nothing in ``schemas`` (which is built on ``pipeline.core``).
3. ``prefect``: nothing outside ``flows/`` imports Prefect (tests may).
4. ``file-system``: only ``pipeline/jobs``, ``pipeline/cli.py``, ``pipeline/intake`` and
   ``pipeline/outputs`` touch the file system, with the exceptions of :data:`FILE_SYSTEM_EXCEPTIONS`
   (each with its reason). A call touches the file system when it is ``open(...)``, a
   ``pathlib`` method that reads or changes the disk (``read_*``, ``write_*``, ``open``, ``mkdir``,
   ``unlink``, ``rename``, ``exists``, ``iterdir``, ``glob``...), a call into ``os``, ``shutil`` or
   ``tempfile``, a polars reader or writer (``pl.read_*``, ``pl.scan_*``, ``.write_*``,
   ``.sink_*``) or ``lxml.etree.parse``.
5. ``io-proxy``: a module that may not touch the file system does not import the modules that do it
   for it either (``pipeline.jobs``, ``pipeline.outputs``, ``pipeline.intake.reading``): reading the
   run store or writing audit files is the job's part. ``flows/`` wraps the jobs, so it imports them.

Each violation is reported as ``file:line: [rule] what``. The tree does not follow every rule
yet: :data:`KNOWN_VIOLATIONS` lists what is being moved; an entry that no longer occurs fails
:func:`test_known_violations_still_occur`, so the list only shrinks.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"pipeline", "schemas", "flows", "tests", "scripts", "benchmarks"}
SCANNED = ("pipeline", "schemas", "flows", "scripts", "benchmarks")
"""Everything but tests (which may use any layer, and Prefect)."""

IO_FRAMEWORKS = {
    "prefect",
    "prefect_dask",
    "dask",
    "distributed",
    "typer",
    "click",
    "rich",
    "xlsxwriter",
    "openpyxl",
    "fastexcel",
    "lxml",
    "xmlschema",
    "yaml",
    "pyarrow",
    "fastapi",
    "sqlalchemy",
}
"""Third-party libraries that read or write files, or run or show programs: not for rules."""

FILE_SYSTEM_LAYERS = ("pipeline/jobs/", "pipeline/cli.py", "pipeline/intake/", "pipeline/outputs/")
"""Where the file system may be touched (``flows/`` only wraps the jobs: it does not)."""

FILE_SYSTEM_EXCEPTIONS = {
    "pipeline/core/params.py": "loads the packaged legal-parameter YAML files (read only, package data)",
    "pipeline/declarations/dmfa/xml.py": "loads the vendored DmfA XSD once to validate declarations (package data)",
    "pipeline/testing/": "synthetic batches for tests and benchmarks, written to files a test runs the CLI on; "
    "outside the code hash of a run",
    "scripts/": "developer tool: regenerates sample_data/",
    "benchmarks/": "developer tool: writes benchmark batches and timings",
}
"""Modules outside :data:`FILE_SYSTEM_LAYERS` that may touch the file system, and why."""

IO_PROXIES = ("pipeline.jobs", "pipeline.outputs", "pipeline.intake.reading")
"""Modules that touch the file system on a caller's behalf (run store, audit files, input files)."""
COMPOSERS = ("flows/",)
"""Wrappers whose part is to call the jobs (and so may import them) without touching files themselves."""

KNOWN_VIOLATIONS: set[tuple[str, str, str]] = set()
"""(file, rule, what) of the violations the tree has today; delete an entry when its move lands."""

PATH_METHODS = {
    "open",
    "mkdir",
    "unlink",
    "rmdir",
    "rename",
    "exists",
    "is_file",
    "is_dir",
    "iterdir",
    "glob",
    "rglob",
    "touch",
    "stat",
    "chmod",
    "symlink_to",
    "hardlink_to",
    "samefile",
}
IO_PREFIXES = ("read_", "write_", "scan_", "sink_")
OS_NOT_FILE_SYSTEM = {"environ", "getenv", "cpu_count", "getpid", "fspath", "sep", "linesep", "name"}
FILE_SYSTEM_MODULES = {"os", "shutil", "tempfile"}


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    rule: str
    what: str

    @property
    def known_as(self) -> tuple[str, str, str]:
        return (self.path, self.rule, self.what)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.what}"


def python_files() -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob("*.py") if "vendor" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import in the module, at any depth.

    ``from a.b import c`` gives ``a.b.c`` when ``c`` is a module of the project, else ``a.b``.
    """
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((node.lineno, full if base.split(".")[0] in FIRST_PARTY and _is_module(full) else base))
    return out


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _top(name: str) -> str:
    return name.split(".")[0]


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def file_system_calls(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) of every call that touches the file system (see the module docstring)."""
    aliases: dict[str, str] = {}  # local name -> module or module.function it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else _top(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        dotted = _dotted(func)
        resolved = None
        if dotted:
            head, _, rest = dotted.partition(".")
            resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
        if isinstance(func, ast.Name) and func.id == "open" and "open" not in aliases:
            out.append((node.lineno, "open"))
            continue
        if resolved:
            module, _, attr = resolved.partition(".")
            if module in FILE_SYSTEM_MODULES and attr and attr.split(".")[0] not in OS_NOT_FILE_SYSTEM:
                out.append((node.lineno, resolved))
                continue
            if module == "polars" and attr.startswith(IO_PREFIXES):
                out.append((node.lineno, f"pl.{attr}"))
                continue
            if resolved in ("lxml.etree.parse", "io.open", "builtins.open"):
                out.append((node.lineno, resolved))
                continue
        if isinstance(func, ast.Attribute):
            name = func.attr
            if name == "rename" and node.args and isinstance(node.args[0], (ast.Dict, ast.DictComp)):
                continue  # DataFrame.rename({...}), not Path.rename
            if name in PATH_METHODS or name.startswith(IO_PREFIXES):
                if resolved and _top(resolved) in FIRST_PARTY:
                    continue  # a project function (e.g. reading.read_batch): io-proxy checks the import
                out.append((node.lineno, f".{name}"))
    return out


def _file_system_allowed(rel: str) -> bool:
    return rel.startswith(FILE_SYSTEM_LAYERS) or any(
        rel == place or (place.endswith("/") and rel.startswith(place)) for place in FILE_SYSTEM_EXCEPTIONS
    )


RULES_MAY_IMPORT = ("pipeline.core", "pipeline.errors", "pipeline.rules", "schemas")
CORE_MAY_IMPORT = ("pipeline.core", "pipeline.errors")


def _any_within(name: str, packages: tuple[str, ...]) -> bool:
    return any(_within(name, p) for p in packages)


def broken_import_rules(rel: str, name: str) -> list[str]:
    """The rules that importing ``name`` breaks in the module ``rel``."""
    top = _top(name)
    broken = []
    if rel.startswith("pipeline/rules/") and (
        (top in FIRST_PARTY and not _any_within(name, RULES_MAY_IMPORT)) or top in IO_FRAMEWORKS
    ):
        broken.append("rules-imports")
    if rel.startswith("pipeline/core/") and top in FIRST_PARTY and not _any_within(name, CORE_MAY_IMPORT):
        broken.append("core-imports")
    if top in ("prefect", "prefect_dask") and not rel.startswith("flows/"):
        broken.append("prefect")
    if not _file_system_allowed(rel) and not rel.startswith(COMPOSERS) and _any_within(name, IO_PROXIES):
        broken.append("io-proxy")
    return broken


def violations_of(path: Path) -> list[Violation]:
    rel = _rel(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found = [
        Violation(rel, line, rule, name)
        for line, name in imports(path, tree)
        for rule in broken_import_rules(rel, name)
    ]
    if not _file_system_allowed(rel):
        found += [Violation(rel, line, "file-system", what) for line, what in file_system_calls(tree)]
    return found


@pytest.fixture(scope="module")
def all_violations() -> list[Violation]:
    return sorted({v for path in python_files() for v in violations_of(path)})


def test_the_house_rules_hold(all_violations):
    new = [str(v) for v in all_violations if v.known_as not in KNOWN_VIOLATIONS]
    assert not new, "layering violations:\n" + "\n".join(new)


def test_known_violations_still_occur(all_violations):
    seen = {v.known_as for v in all_violations}
    fixed = sorted(KNOWN_VIOLATIONS - seen)
    assert not fixed, f"no longer violated, delete from KNOWN_VIOLATIONS: {fixed}"


def test_every_layer_is_scanned():
    scanned = {_rel(p) for p in python_files()}
    for module in (
        "pipeline/cli.py",
        "pipeline/rules/withholding/decide.py",
        "pipeline/core/money.py",
        "schemas/inputs.py",
    ):
        assert module in scanned
    assert any(p.startswith("flows/") for p in scanned)


# --- the checker itself: each rule catches what it is meant to catch ---------------------------

CASES = {
    "pipeline/rules/example.py": (
        "import polars as pl\nimport holidays\nfrom pipeline.core.money import MONEY\nfrom pipeline.errors import X\n"
        "from schemas.inputs import INPUTS\nfrom . import contributions\n"
        "def f():\n    from pipeline.outputs.run_store import RunStore\n    import typer\n"
        "    with open('x') as fh:\n        pass\n    frame.write_parquet('y')\n    frame.rename({'a': 'b'})\n"
        "    return pl.read_csv('z'), pl.col('a').str.replace('a', 'b')\n"
    ),
    "pipeline/core/example.py": "from pipeline.intake import validation\nfrom schemas import inputs\nimport os\n"
    "os.environ.get('X')\nos.replace('a', 'b')\n",
    "schemas/example.py": "from pathlib import Path\nPath('a').read_text()\nshutil.rmtree('x')\nimport shutil\n",
    "pipeline/jobs/example.py": "import prefect\nopen('x')\n",
    "flows/example.py": "import prefect\n",
    "pipeline/declarations/dmfa/example.py": "from lxml import etree\netree.parse('a.xsd')\n"
    "from pipeline.outputs.audit import write_run\n",
}


@pytest.mark.parametrize("rel", sorted(CASES))
def test_the_checker_finds_each_kind_of_violation(tmp_path, rel, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / rel
    path.parent.mkdir(parents=True)
    path.write_text(CASES[rel], encoding="utf-8")
    for package in ("pipeline", "pipeline/rules", "pipeline/core", "pipeline/intake", "pipeline/outputs", "schemas"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    for module in ("pipeline/rules/contributions.py", "pipeline/intake/validation.py", "schemas/inputs.py"):
        (tmp_path / module).touch()
    found = {(v.line, v.rule, v.what) for v in violations_of(path)}
    expected = {
        "pipeline/rules/example.py": {
            (8, "rules-imports", "pipeline.outputs.run_store"),
            (8, "io-proxy", "pipeline.outputs.run_store"),
            (9, "rules-imports", "typer"),
            (10, "file-system", "open"),
            (12, "file-system", ".write_parquet"),
            (14, "file-system", "pl.read_csv"),
        },
        "pipeline/core/example.py": {
            (1, "core-imports", "pipeline.intake.validation"),
            (2, "core-imports", "schemas.inputs"),
            (5, "file-system", "os.replace"),
        },
        "schemas/example.py": {(2, "file-system", ".read_text"), (3, "file-system", "shutil.rmtree")},
        "pipeline/jobs/example.py": {(1, "prefect", "prefect")},
        "flows/example.py": set(),
        "pipeline/declarations/dmfa/example.py": {
            (2, "file-system", "lxml.etree.parse"),
            (3, "io-proxy", "pipeline.outputs.audit"),
        },
    }[rel]
    assert found == expected


# --- pipeline/testing is outside the code hash of a run ----------------------------------------


def _code_hash_module() -> Path:
    for candidate in ("pipeline/outputs/manifest.py", "pipeline/outputs/audit.py"):
        path = ROOT / candidate
        if path.is_file() and "def code_hash" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError("code_hash is in neither pipeline/outputs/manifest.py nor pipeline/outputs/audit.py")


def _code_hash_of(tree: Path, module: Path) -> str:
    """``code_hash()`` as computed by the copy of its module inside ``tree`` (it hashes the tree
    its own file lives in)."""
    copy = tree / module.relative_to(ROOT)
    name = f"_code_hash_probe_{hashlib.sha256(str(copy).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, copy)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    return probe.code_hash()


def test_pipeline_testing_is_outside_the_code_hash(tmp_path):
    module = _code_hash_module()
    tree = tmp_path / "tree"
    for package in ("pipeline", "schemas"):
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    before = _code_hash_of(tree, module)
    generator = tree / "pipeline" / "testing" / "synthetic.py"
    generator.write_text(generator.read_text(encoding="utf-8") + "\n# edited generator\n", encoding="utf-8")
    (tree / "pipeline" / "testing" / "new_builder.py").write_text("X = 1\n", encoding="utf-8")
    assert _code_hash_of(tree, module) == before
    rule = tree / "pipeline" / "rules" / "contributions.py"  # the hash can fail: a rule's edit changes it
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# edited rule\n", encoding="utf-8")
    assert _code_hash_of(tree, module) != before
