"""The ``microcred`` command: Django's management commands with the settings already chosen.

``MICROCRED_ENV`` picks the settings module (prod by default, dev for ``make run``, test);
``DJANGO_SETTINGS_MODULE`` wins when it is set.

Production settings refuse to load without real secrets. Listing the commands, reading their
help and printing the version need no secret, so those run on the shared base settings then;
every other command stops with one line saying what to set, instead of a traceback.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

# Arguments after which Django only prints help or the version and touches nothing else.
SECRET_FREE = {"help", "--help", "-h", "version", "--version"}
BASE_SETTINGS = "microcred.config.settings.base"


def _reads_no_secret(args: list[str]) -> bool:
    return len(args) < 2 or args[1] in SECRET_FREE or any(arg in ("--help", "-h") for arg in args[2:])


def main(argv: list[str] | None = None) -> None:
    env = os.environ.get("MICROCRED_ENV", "prod")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"microcred.config.settings.{env}")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["microcred", *argv])
    args[0] = "microcred"
    if args[1:] in (["version"], ["--version"]):
        # Django's own `version` names Django's release, not ours.
        import django

        print(f"microcred {_installed_version()} (Django {django.get_version()})")
        return
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, so a refusal shows here
    except ImproperlyConfigured as exc:
        if not _reads_no_secret(args):
            sys.exit(
                f"microcred: {exc} Or, on a development machine, set MICROCRED_ENV=dev "
                f"(settings: {os.environ['DJANGO_SETTINGS_MODULE']})."
            )
        os.environ["DJANGO_SETTINGS_MODULE"] = BASE_SETTINGS
    execute_from_command_line(args)


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("microcred")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


if __name__ == "__main__":
    main()
