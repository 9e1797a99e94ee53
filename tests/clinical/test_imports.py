"""selfcare/clinical imports only the standard library (its types are checked strictly by `make test`: pyproject's
mypy override for selfcare.clinical sets every per-module flag of --strict)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "selfcare" / "clinical"


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append(("selfcare.clinical", node.lineno))  # relative import stays inside
            elif node.module:
                found.append((node.module, node.lineno))
    return found


MODULES = sorted(PACKAGE.glob("*.py"))


def test_package_has_modules() -> None:
    """The scan below really sees the package."""
    assert len(MODULES) > 5


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_standard_library(path: Path) -> None:
    """Every import is stdlib, __future__ or selfcare.clinical itself (never flask, peewee...)."""
    for name, line in _imports(path):
        top = name.split(".")[0]
        inside = name == "selfcare.clinical" or name.startswith("selfcare.clinical.")
        assert inside or top == "__future__" or top in sys.stdlib_module_names, f"{path.name}:{line} imports {name}"


def test_importing_pulls_in_nothing_third_party() -> None:
    """A fresh interpreter importing selfcare.clinical loads no flask, peewee, werkzeug or jinja2."""
    code = (
        "import sys, importlib.util, types;"
        "sys.modules['selfcare'] = types.ModuleType('selfcare');"
        f"sys.modules['selfcare'].__path__ = [{str(PACKAGE.parent)!r}];"
        "import selfcare.clinical;"
        "bad = [m for m in ('flask', 'peewee', 'werkzeug', 'jinja2', 'markdown') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
