"""No module of ``drift_diff`` reaches into another package's private parts.

docs/ARCHITECTURE.md's layering rule: a package's modules may use each other freely; from
another package, a module imports only public names — never a module whose name starts with
``_``, never a name starting with ``_``, and only names the imported module lists in its
``__all__`` (so a module imported from another package must have one). Every ``from drift_diff...
import`` is checked, the ones inside functions (lazy imports) included.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "drift_diff"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(module: str) -> str:
    """The package ``module`` belongs to (itself when it is a package)."""
    path = ROOT.joinpath(*module.split("."))
    return module if (path / "__init__.py").exists() else module.rpartition(".")[0]


def _is_submodule(module: str, name: str) -> bool:
    path = ROOT.joinpath(*module.split("."), name)
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def reach_ins_of(here: str, source: str, where: str) -> list[str]:
    """The reach-ins of module ``here`` (its ``source``), each named ``where:line``."""
    found: list[str] = []
    own = _package_of(here)
    for node in ast.walk(ast.parse(source, where)):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        target = node.module
        if not target.startswith("drift_diff."):
            continue
        package = _package_of(target)
        if own == package or own.startswith(package + "."):
            continue  # within its own package (or from a package it is inside)
        exported = getattr(importlib.import_module(target), "__all__", None)
        for alias in node.names:
            name, at = alias.name, f"{where}:{node.lineno}"
            if any(part.startswith("_") for part in target.split(".")):
                found.append(f"{at}: private module {target}")
            elif name.startswith("_"):
                found.append(f"{at}: private name {target}.{name}")
            elif _is_submodule(target, name):
                continue
            elif exported is None:
                found.append(f"{at}: {target} has no __all__ (imports {name})")
            elif name not in exported:
                found.append(f"{at}: {target}.{name} is not in its __all__")
    return found


def test_no_import_reaches_into_another_package() -> None:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        found += reach_ins_of(_module_name(path), path.read_text("utf-8"), where)
    assert found == []


def test_each_kind_of_reach_in_is_found() -> None:
    source = (
        "from drift_diff.report._common import headline\n"  # private module
        "from drift_diff.diff.structural import _PARAM, match_key\n"  # private name; fine
        "from drift_diff.replay.runner import ReplayOptions, capture_env\n"  # not in __all__
        "from drift_diff.cli import _common\n"  # a private module, imported by name
        "from drift_diff.diff import DiffResult, structural\n"  # re-export, submodule: fine
        "def lazy() -> None:\n"
        "    from drift_diff.report.text import _line\n"  # inside a function too
    )
    assert reach_ins_of("drift_diff.gate", source, "m.py") == [
        "m.py:1: private module drift_diff.report._common",
        "m.py:2: private name drift_diff.diff.structural._PARAM",
        "m.py:3: drift_diff.replay.runner.capture_env is not in its __all__",
        "m.py:4: private name drift_diff.cli._common",
        "m.py:7: private name drift_diff.report.text._line",
    ]
    # the same imports are fine inside their own package
    assert reach_ins_of("drift_diff.report.markdown", source.splitlines()[0], "m.py") == []


#: what ``diff/`` may not import, even lazily: it judges contracts, it does not load them
#: (configuration files, traffic, OpenAPI documents) or run later stages
_ABOVE_DIFF = (
    "drift_diff.config",
    "drift_diff.config_ignore",
    "drift_diff.contracts",
    "drift_diff.baseline",
    "drift_diff.traffic",
    "drift_diff.infer",
    "drift_diff.openapi",
    "drift_diff.replay",
    "drift_diff.report",
    "drift_diff.cli",
    "drift_diff.gate",
)


def _runtime_imports(source: str, where: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``drift_diff`` import outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(source, where)
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, m) for line, m in found if m.startswith("drift_diff.")]


def test_diff_imports_nothing_above_it() -> None:
    """docs/ARCHITECTURE.md: ``diff/`` depends on the model and the catalogue; the config it
    applies is a type only (``drift_diff.config`` checks rule ids against ``diff/``'s registry:
    a runtime import back would be a cycle)."""
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((PACKAGE / "diff").rglob("*.py"))
        for line, module in _runtime_imports(path.read_text("utf-8"), str(path))
        if any(module == above or module.startswith(above + ".") for above in _ABOVE_DIFF)
    ]
    assert found == []
