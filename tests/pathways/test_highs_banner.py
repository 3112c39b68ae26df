"""HiGHS prints a banner to the process's stdout the first time a solver is made; pages and workers
must not get it. It is printed once per process, so each check runs in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

SOLVE_TWICE = """
from microcred.pathways.exact import new_highs
first = new_highs()
second = new_highs()
print("done", first.getOptionValue("output_flag")[1], second.getOptionValue("output_flag")[1])
"""

BARE_HIGHS = "import highspy\nhighspy.Highs()\n"


def _stdout_of(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_bare_constructor_prints_the_banner_so_the_check_below_means_something() -> None:
    assert "HiGHS" in _stdout_of(BARE_HIGHS)


def test_new_highs_prints_nothing_and_makes_quiet_solvers() -> None:
    assert _stdout_of(SOLVE_TWICE) == "done False False\n"
