"""The ``microcred`` command: Django's management commands with the settings already chosen.

``MICROCRED_ENV`` picks the settings module (prod by default, dev for ``make run``, test);
``DJANGO_SETTINGS_MODULE`` wins when it is set.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    env = os.environ.get("MICROCRED_ENV", "prod")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"microcred.config.settings.{env}")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["microcred", *argv])
    args[0] = "microcred"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
