"""The Django-free cores of assessment (question files, peer review and problems) import the
standard library and themselves, nothing else; the import contracts in pyproject.toml say the same
for `make lint`, these tests say it for the suite."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

CORES = ["microcred.assessment.formats", "microcred.assessment.review"]


def _sources(core: str) -> list[Path]:
    return sorted(Path(importlib.import_module(core).__file__).parent.glob("*.py"))


@pytest.mark.parametrize("core", CORES)
def test_imports_only_the_standard_library_and_itself(core: str) -> None:
    foreign = []
    for path in _sources(core):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            foreign += [f"{path.name}: {name}" for name in names if name.split(".")[0] not in sys.stdlib_module_names]
    assert foreign == []


@pytest.mark.parametrize("core", CORES)
def test_importing_it_loads_no_django(core: str) -> None:
    code = f"import sys, {core}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_problem_core_never_evaluates_code() -> None:
    """The formula evaluator walks a checked tree: no eval, exec or compile anywhere in the package."""
    calls = []
    for path in _sources("microcred.assessment.review"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if named and node.func.id in {"eval", "exec", "compile", "__import__"}:
                calls.append(f"{path.name}:{node.lineno} {node.func.id}")
    assert calls == []
