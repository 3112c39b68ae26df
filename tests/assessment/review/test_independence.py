"""The review package is a Django-free core: it imports the standard library and itself, nothing else."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import microcred.assessment.review as review

PACKAGE = Path(review.__file__).parent


def test_imports_only_the_standard_library_and_itself() -> None:
    foreign = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            foreign += [f"{path.name}: {name}" for name in names if name.split(".")[0] not in sys.stdlib_module_names]
    assert foreign == []


def test_importing_it_loads_no_django() -> None:
    code = (
        "import sys, microcred.assessment.review; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_it_never_evaluates_code() -> None:
    """The formula evaluator walks a checked tree: no eval, exec or compile anywhere in the package."""
    calls = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if named and node.func.id in {"eval", "exec", "compile", "__import__"}:
                calls.append(f"{path.name}:{node.lineno} {node.func.id}")
    assert calls == []
