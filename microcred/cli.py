"""The ``microcred`` command: Django's management commands with the settings already chosen.

``MICROCRED_ENV`` picks the settings module (prod by default, dev for ``make run``, test);
``DJANGO_SETTINGS_MODULE`` wins when it is set.

Production settings refuse to load without real secrets. Listing the commands, reading their
help, printing the version and verifying a credential need no secret, so those run on the shared
base settings then; every other command stops with one line saying what to set, instead of a
traceback.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Arguments after which Django only prints help or the version and touches nothing else.
SECRET_FREE = {"help", "--help", "-h", "version", "--version"}
# Commands that need no server secret: verifying signs nothing and decrypts no private key; it
# reads public keys and status lists (from the database for our own credentials, else fetched).
NEEDS_NO_SECRET = {"verify"}
BASE_SETTINGS = "microcred.config.settings.base"


def _reads_no_secret(args: list[str]) -> bool:
    return (
        len(args) < 2
        or args[1] in SECRET_FREE
        or args[1] in NEEDS_NO_SECRET
        or any(arg in ("--help", "-h") for arg in args[2:])
    )


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
        _without_secrets(settings)
    execute_from_command_line(args)


def _without_secrets(settings: Any) -> None:
    """The base settings, for a command that needs no secret, on a machine that has none.

    SECRET_KEY becomes a random throw-away value, never used to sign anything: these commands sign
    nothing and read no private key (and, being random, it could not decrypt one that was kept
    under the development key). A SQLite database that does not exist is opened read-only rather
    than created empty: a verification then reads nothing from it, and gets our issuers' documents
    as anyone would, from the site (see ``verification.fetching``), or says it cannot.
    """
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    database = settings.DATABASES["default"]
    name = str(database.get("NAME", ""))
    if database["ENGINE"] == "django.db.backends.sqlite3" and name != ":memory:" and not Path(name).exists():
        database["NAME"] = f"{Path(name).resolve().as_uri()}?mode=ro"
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "uri": True}
        database["OPTIONS"].pop("init_command", None)


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("microcred")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


if __name__ == "__main__":
    main()
