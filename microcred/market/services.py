"""Writing job postings and the skills found in them.

``postings_import`` takes the records a posting file yields (``postings_format``) and upserts them
by ``(source, id)``, a posting without an id by the hash of its content, in batches, finding each
new or changed posting's skills with the matcher (``selectors.skill_index``, built once). All of
it is one transaction: a bad row anywhere, even the last, and nothing is imported.
``postings_reextract`` finds the skills of every stored posting again, after a taxonomy import.

Who may: platform staff and the system (the CLI, the demo loader), as for the shared taxonomy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, TypeVar

from django.db import transaction

from microcred.accounts.permissions import Actor, is_system, require_authenticated
from microcred.core.errors import PermissionDenied, ValidationFailed
from microcred.skills.matching import Mention, SkillIndex
from microcred.skills.models import Occupation
from microcred.skills.services import is_platform_staff

from .models import JobPosting, PostingSkill
from .postings_format import MAX_LENGTHS, PostingFormatError, PostingRecord
from .selectors import skill_index

BATCH: Final = 500
# Under SQLite's 999 bound variables per query.
LOOKUP_CHUNK: Final = 900
POSTING_FIELDS: Final = ("title", "text", "location", "region", "industry", "posted_on", "occupation_uri")

Progress = Callable[[str, int, int | None], None]
T = TypeVar("T")


class PostingsFileInvalid(ValidationFailed):
    code = "postings_file_invalid"
    title = "Job postings not importable"


class PostingsImportRefused(PermissionDenied):
    code = "postings_import_refused"
    title = "Only platform staff import job postings"


@dataclass
class PostingsImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # the same content again in the file, without an id: counted once
    mentions: int = 0  # posting–skill links written for new and changed postings
    skills: set[int] = field(default_factory=set)  # distinct skills among them
    unknown_occupations: set[str] = field(default_factory=set)

    def summary(self) -> str:
        total = self.created + self.updated + self.unchanged
        line = (
            f"{total} posting{'s' if total != 1 else ''}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.mentions} skill mention{'s' if self.mentions != 1 else ''} "
            f"found ({len(self.skills)} distinct skill{'s' if len(self.skills) != 1 else ''})"
        )
        if self.duplicates:
            line += f"; {self.duplicates} duplicate{'s' if self.duplicates != 1 else ''} skipped"
        if self.unknown_occupations:
            line += f"; {len(self.unknown_occupations)} occupation URI(s) not on the platform, kept for later"
        return line + "."


@dataclass
class ReextractReport:
    postings: int = 0
    changed: int = 0  # postings whose skills changed
    added: int = 0
    removed: int = 0
    updated: int = 0  # links kept with a new score or matched text
    occupations_linked: int = 0

    def summary(self) -> str:
        return (
            f"{self.postings} postings read again: {self.changed} with other skills than before "
            f"({self.added} skill links added, {self.removed} removed, {self.updated} updated); "
            f"{self.occupations_linked} linked to their occupation."
        )


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


def _require_staff(actor: Actor) -> None:
    if not is_system(actor):
        require_authenticated(actor)
    if not is_platform_staff(actor=actor):
        raise PostingsImportRefused("Only platform staff import job postings and extract their skills.")


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _document(title: str, text: str) -> str:
    # The title on a line of its own: a label is never found across it and the first sentence.
    return f"{title}\n{text}"


def _links(posting_id: int, mentions: list[Mention]) -> list[PostingSkill]:
    limit = PostingSkill._meta.get_field("matched_text").max_length or 200
    return [
        PostingSkill(
            posting_id=posting_id,
            skill_id=int(mention.skill_id),
            score=round(mention.score, 2),
            matched_text=mention.text[:limit],
            mentions=mention.count,
        )
        for mention in mentions
    ]


class _Occupations:
    """Occupation ids by URI, looked up once per URI per run."""

    def __init__(self) -> None:
        self._known: dict[str, int | None] = {}

    def ids(self, uris: Iterable[str]) -> dict[str, int | None]:
        new = sorted({uri for uri in uris if uri and uri not in self._known})
        for start in range(0, len(new), LOOKUP_CHUNK):
            chunk = new[start : start + LOOKUP_CHUNK]
            found = dict(Occupation.objects.filter(uri__in=chunk).values_list("uri", "pk"))
            self._known.update({uri: found.get(uri) for uri in chunk})
        return self._known


def _invalid(exc: PostingFormatError) -> PostingsFileInvalid:
    return PostingsFileInvalid(str(exc), file=exc.file, line=exc.line)


def _checked(records: Iterable[PostingRecord], source: str, report: PostingsImportReport) -> Iterator[PostingRecord]:
    """The records with their source filled in, each key once: an id twice is an error naming both
    lines; the same content twice without an id is one posting, the repeat counted as a duplicate."""
    seen: dict[tuple[str, str], int] = {}
    try:
        for record in records:
            record_source = record.source or source
            if not record_source:
                raise PostingFormatError("no source: give one for the file", file=record.file, line=record.line)
            if len(record_source) > MAX_LENGTHS["source"]:
                raise PostingFormatError(
                    f"source is longer than {MAX_LENGTHS['source']} characters", file=record.file, line=record.line
                )
            key = (record_source, record.key)
            if key in seen:
                if record.external_id:
                    raise PostingFormatError(
                        f"id {record.external_id!r} of source {record_source!r} is listed twice "
                        f"(first at line {seen[key]})",
                        file=record.file,
                        line=record.line,
                    )
                report.duplicates += 1
                continue
            seen[key] = record.line
            yield record if record.source else _with_source(record, record_source)
    except PostingFormatError as exc:
        raise _invalid(exc) from exc


def _with_source(record: PostingRecord, source: str) -> PostingRecord:
    return replace(record, source=source)


@transaction.atomic
def postings_import(
    *, actor: Actor, records: Iterable[PostingRecord], source: str, progress: Progress | None = None
) -> PostingsImportReport:
    """Import job postings: new ones created, changed ones (another content hash) updated and their
    skills found again, equal ones left alone, so importing the same file twice writes nothing.
    ``source`` names where postings without a ``source`` field come from. All or nothing: a bad
    record raises ``PostingsFileInvalid`` naming its file and line, and the database is as before.
    ``progress`` is called with a stage name, the postings done, and None (a stream's length is not
    known in advance)."""
    _require_staff(actor)
    progress = progress or _no_progress
    report = PostingsImportReport()
    index = skill_index()
    occupations = _Occupations()
    done = 0
    for batch in _batches(_checked(records, source.strip(), report), BATCH):
        _import_batch(batch, index, occupations, report)
        done += len(batch)
        progress("Importing postings", done, None)
    progress("Importing postings", done, done)
    return report


def _existing(batch: list[PostingRecord]) -> dict[tuple[str, str], tuple[int, str]]:
    by_source: dict[str, list[str]] = {}
    for record in batch:
        by_source.setdefault(record.source, []).append(record.key)
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for source, keys in by_source.items():
        for start in range(0, len(keys), LOOKUP_CHUNK):
            rows = JobPosting.objects.filter(source=source, external_id__in=keys[start : start + LOOKUP_CHUNK])
            for pk, external_id, content_hash in rows.values_list("pk", "external_id", "content_hash"):
                found[(source, external_id)] = (pk, content_hash)
    return found


def _import_batch(
    batch: list[PostingRecord], index: SkillIndex, occupations: _Occupations, report: PostingsImportReport
) -> None:
    existing = _existing(batch)
    occupation_ids = occupations.ids(record.occupation_uri for record in batch)
    new: list[tuple[JobPosting, list[Mention]]] = []
    changed: list[tuple[JobPosting, list[Mention]]] = []
    for record in batch:
        known = existing.get((record.source, record.key))
        content_hash = record.content_hash
        if known is not None and known[1] == content_hash:
            report.unchanged += 1
            continue
        occupation_id = occupation_ids.get(record.occupation_uri) if record.occupation_uri else None
        if record.occupation_uri and occupation_id is None:
            report.unknown_occupations.add(record.occupation_uri)
        posting = JobPosting(
            source=record.source,
            external_id=record.key,
            title=record.title,
            text=record.text,
            location=record.location,
            region=record.region,
            industry=record.industry,
            posted_on=record.posted_on,
            occupation_uri=record.occupation_uri,
            occupation_id=occupation_id,
            content_hash=content_hash,
        )
        mentions = index.extract(_document(record.title, record.text))
        if known is None:
            new.append((posting, mentions))
        else:
            posting.pk = known[0]
            changed.append((posting, mentions))
    if new:
        JobPosting.objects.bulk_create([posting for posting, _ in new])
        report.created += len(new)
    if changed:
        JobPosting.objects.bulk_update(
            [posting for posting, _ in changed], [*POSTING_FIELDS, "occupation", "content_hash"]
        )
        PostingSkill.objects.filter(posting_id__in=[posting.pk for posting, _ in changed]).delete()
        report.updated += len(changed)
    links = [link for posting, mentions in (*new, *changed) for link in _links(posting.pk, mentions)]
    PostingSkill.objects.bulk_create(links)
    report.mentions += len(links)
    report.skills.update(link.skill_id for link in links)


@transaction.atomic
def postings_reextract(*, actor: Actor, progress: Progress | None = None) -> ReextractReport:
    """Find every stored posting's skills again with the current taxonomy (after a taxonomy import),
    and link postings to occupations imported since. Links that are still found keep their row
    (updated if the score or the matched words changed); the others are removed, new ones added.
    One transaction."""
    _require_staff(actor)
    progress = progress or _no_progress
    report = ReextractReport()
    index = skill_index()
    occupations = _Occupations()
    total = JobPosting.objects.count()
    last_pk = 0
    while True:
        rows = list(
            JobPosting.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "title", "text", "occupation_uri", "occupation_id")[:BATCH]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        _reextract_batch(rows, index, occupations, report)
        progress("Extracting skills", report.postings, total)
    return report


def _reextract_batch(
    rows: Sequence[tuple[int, str, str, str, int | None]],
    index: SkillIndex,
    occupations: _Occupations,
    report: ReextractReport,
) -> None:
    current: dict[int, dict[int, PostingSkill]] = {}
    for link in PostingSkill.objects.filter(posting_id__in=[row[0] for row in rows]):
        current.setdefault(link.posting_id, {})[link.skill_id] = link
    occupation_ids = occupations.ids(row[3] for row in rows)
    to_create: list[PostingSkill] = []
    to_update: list[PostingSkill] = []
    to_delete: list[int] = []
    relinked: list[JobPosting] = []
    for pk, title, text, occupation_uri, occupation_id in rows:
        report.postings += 1
        found = {link.skill_id: link for link in _links(pk, index.extract(_document(title, text)))}
        before = current.get(pk, {})
        added = [link for skill_id, link in found.items() if skill_id not in before]
        removed = [link.pk for skill_id, link in before.items() if skill_id not in found]
        updated = []
        for skill_id, old in before.items():
            new = found.get(skill_id)
            if new is not None and (old.score, old.matched_text, old.mentions) != (
                new.score,
                new.matched_text,
                new.mentions,
            ):
                old.score, old.matched_text, old.mentions = new.score, new.matched_text, new.mentions
                updated.append(old)
        if added or removed:
            report.changed += 1
        to_create += added
        to_delete += removed
        to_update += updated
        wanted_occupation = occupation_ids.get(occupation_uri) if occupation_uri else None
        if wanted_occupation is not None and wanted_occupation != occupation_id:
            relinked.append(JobPosting(pk=pk, occupation_id=wanted_occupation))
    for start in range(0, len(to_delete), LOOKUP_CHUNK):
        PostingSkill.objects.filter(pk__in=to_delete[start : start + LOOKUP_CHUNK]).delete()
    PostingSkill.objects.bulk_create(to_create)
    if to_update:
        PostingSkill.objects.bulk_update(to_update, ["score", "matched_text", "mentions"])
    if relinked:
        JobPosting.objects.bulk_update(relinked, ["occupation"])
    report.added += len(to_create)
    report.removed += len(to_delete)
    report.updated += len(to_update)
    report.occupations_linked += len(relinked)
