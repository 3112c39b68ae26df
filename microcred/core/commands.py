"""What the ``microcred`` commands share: a progress bar on standard error, so that standard output
keeps only the one-line summary a script may read."""

from __future__ import annotations

import sys
from typing import IO, cast

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn


def progress_on_stderr(command: BaseCommand, *columns: ProgressColumn | str, transient: bool = False) -> Progress:
    """A rich progress bar writing to the command's standard error (Django's wrapper around it, so
    tests capture it); by default: what is being done, the bar, done of total and the time taken."""
    console = Console(file=cast(IO[str], getattr(command.stderr, "_out", sys.stderr)))
    shown = columns or (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*shown, console=console, transient=transient)
