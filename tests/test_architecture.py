"""Contracts that keep the structure (issue 7, item 7) beside the import-linter ones in pyproject.toml.

No model-level cycle between apps: a foreign key from one app to another points down, never back
(`KNOWN_MODEL_CYCLE_EDGES` would list an exception; there is none).

No two apps ship a template at the same relative path: a page never depends on INSTALLED_APPS order.

Every ORM write goes through a service (issue 7, item 6).

It reads `microcred/` with `ast` and fails on a write call outside `services.py`, a `services/`
package or a migration. Today's known writes elsewhere are listed in `KNOWN_WRITES_OUTSIDE_SERVICES`
with the issue-7 item that removes them: the list can only shrink, because a stale entry fails too.

A call is a write when it is:
- `.save()` or `.delete()` on anything but a cache, a session or a file storage;
- `.create()`, `.get_or_create()`, `.update_or_create()`, `.bulk_create()`, `.bulk_update()`;
- `.update()` on a chain through a manager or a queryset (`X.objects.filter(...).update(...)`,
  `offer.lessons.update(...)`); a bare `qs.update()` on a variable is not seen (a dict has `.update` too);
- `.add()`, `.remove()`, `.set()`, `.clear()` on a related manager (`user.groups.add(...)`), known by
  the names of the models' many-to-many fields and reverse relations.
`super().save()` and `super().delete()` inside a model's own override are its definition, not a new write.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from django.apps import apps

PACKAGE = Path(__file__).resolve().parent.parent / "microcred"
ROOT = PACKAGE.parent

ALWAYS_WRITES = {"save", "delete", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
WRITES_ON_A_QUERYSET = {"update"}
WRITES_ON_A_RELATED_MANAGER = {"add", "remove", "set", "clear"}
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "only",
    "defer",
    "using",
    "annotate",
    "none",
}
# Receivers whose `.delete()` is not the database's: Django's cache, the session, file storages and fields.
NOT_THE_DATABASE = {"cache", "session", "storage", "default_storage", "file", "image", "badge_image", "logo"}

# file:function -> why it writes outside a service, and which issue-7 item removes it.
# A new write outside a service fails the test; so does an entry here that no longer matches.
KNOWN_WRITES_OUTSIDE_SERVICES: dict[str, str] = {
    # Django's `createsuperuser` and `create_user` call the manager: it stays the model's own write path.
    "microcred/accounts/models.py:UserManager._create": "Django's user manager (createsuperuser); permanent",
}


# app -> app relations that close a cycle, and the issue-7 item that removes them.
# An edge that closes a cycle, with the reason it is tolerated; empty since the assessment points at
# its lesson (ADR 0025), and a stale entry fails.
KNOWN_MODEL_CYCLE_EDGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Write:
    path: str  # relative to the repository root
    line: int
    function: str  # the enclosing function or method, dotted through classes ("Model.save")
    call: str  # ".save()", ".objects.create()", ...

    @property
    def key(self) -> str:
        return f"{self.path}:{self.function}"


def manager_and_relation_names() -> tuple[set[str], set[str]]:
    """The attribute names through which code reaches a manager: `objects`, custom managers, reverse
    relations (`offer.lessons`), and the subset that are many-to-many or reverse foreign keys, whose
    `.add()/.remove()/.set()/.clear()` write."""
    managers: set[str] = set()
    related: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        managers.update(manager.name for manager in model._meta.managers)
        for field in model._meta.get_fields(include_hidden=False):
            if field.many_to_many or field.one_to_many:
                name = field.get_accessor_name() if field.auto_created else field.name  # type: ignore[union-attr]
                if name:
                    related.add(name)
    return managers | related, related


def receiver_chain(node: ast.expr) -> list[str]:
    """Names along a call chain, receiver first: `Offer.objects.filter(x=1)` -> ["Offer", "objects", "filter"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            names.append(type(node).__name__)
            break
    return list(reversed(names))


def is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


class WriteFinder(ast.NodeVisitor):
    def __init__(self, path: str, managers: set[str], related: set[str]) -> None:
        self.path, self.managers, self.related = path, managers, related
        self.scope: list[str] = []
        self.writes: list[Write] = []

    def _visit_scope(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # `@router.delete(...)` declares an HTTP route; only the body can write.
        self.scope.append(node.name)
        for child in (node.args, *node.body):
            self.visit(child)
        self.scope.pop()

    visit_ClassDef = _visit_scope
    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        if not isinstance(node.func, ast.Attribute):
            return
        method, receiver = node.func.attr, node.func.value
        if is_super_call(receiver):
            return
        chain = receiver_chain(receiver)
        through_a_manager = any(name in self.managers or name in QUERYSET_METHODS for name in chain[1:])
        if method in ALWAYS_WRITES:
            if method in {"save", "delete"} and chain[-1] in NOT_THE_DATABASE:
                return
        elif method in WRITES_ON_A_QUERYSET:
            if not through_a_manager:
                return
        elif method in WRITES_ON_A_RELATED_MANAGER:
            if len(chain) < 2 or chain[-1] not in self.related:
                return
        else:
            return
        shown = ".".join([*chain[1:], method]) if len(chain) > 1 else method
        self.writes.append(Write(self.path, node.lineno, ".".join(self.scope) or "<module>", f".{shown}()"))


def is_allowed_to_write(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return path.name == "services.py" or "services" in parts[:-1] or "migrations" in parts


def cannot_write(path: Path) -> bool:
    """The credential core imports no Django (an import-linter contract says so): it has no ORM to write with."""
    return path.is_relative_to(PACKAGE / "credentials" / "vc")


def writes_outside_services() -> Iterator[Write]:
    managers, related = manager_and_relation_names()
    for path in sorted(PACKAGE.rglob("*.py")):
        if is_allowed_to_write(path) or cannot_write(path):
            continue
        relative = path.relative_to(ROOT).as_posix()
        finder = WriteFinder(relative, managers, related)
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=relative))
        yield from finder.writes


def hint(write: Write) -> str:
    app = Path(write.path).parts[1]
    return (
        f"{write.path}:{write.line} calls {write.call} in {write.function}, outside a service: "
        f"move the write into a function of microcred/{app}/services.py (`<entity>_<verb>`, keyword-only "
        f"arguments, an explicit actor, transaction.atomic) and call that."
    )


@pytest.fixture(scope="module")
def found() -> list[Write]:
    return list(writes_outside_services())


def test_orm_writes_only_in_services_and_migrations(found):
    new = [write for write in found if write.key not in KNOWN_WRITES_OUTSIDE_SERVICES]
    assert not new, "\n".join(hint(write) for write in new)


def test_the_list_of_known_writes_outside_services_only_shrinks(found):
    still_there = {write.key for write in found}
    stale = sorted(set(KNOWN_WRITES_OUTSIDE_SERVICES) - still_there)
    assert not stale, "These no longer write outside a service: remove them from KNOWN_WRITES_OUTSIDE_SERVICES:\n" + (
        "\n".join(stale)
    )


SAMPLE = """
from django.core.cache import cache

@router.delete("/tokens/{pk}")
def view(request, offer, user, qs, group):
    offer.save()
    offer.delete()
    Offer.objects.create(title="x")
    Offer.objects.filter(pk=1).update(title="y")
    offer.lessons.all().delete()
    user.groups.add(group)
    Offer.objects.bulk_create([])
    super().save()
    seen = set()
    seen.add(1)
    {}.update(a=1)
    cache.delete("key")
    request.session.delete("key")
    user.groups.filter(pk=1)
"""


def test_the_finder_sees_each_kind_of_write_and_nothing_else():
    managers, related = manager_and_relation_names()
    finder = WriteFinder("microcred/catalog/sample.py", managers, related)
    finder.visit(ast.parse(SAMPLE))
    assert [(write.line, write.call) for write in finder.writes] == [
        (6, ".save()"),
        (7, ".delete()"),
        (8, ".objects.create()"),
        (9, ".objects.filter.update()"),
        (10, ".lessons.all.delete()"),
        (11, ".groups.add()"),
        (12, ".objects.bulk_create()"),
    ]
    assert hint(finder.writes[0]) == (
        "microcred/catalog/sample.py:6 calls .save() in view, outside a service: move the write into a function "
        "of microcred/catalog/services.py (`<entity>_<verb>`, keyword-only arguments, an explicit actor, "
        "transaction.atomic) and call that."
    )


def model_relations_between_apps() -> dict[tuple[str, str], list[str]]:
    """(app, app) -> the fields through which the first app's models point at the second's."""
    relations: dict[tuple[str, str], list[str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("microcred."):
            continue
        for field in model._meta.get_fields():
            target = field.related_model
            if not field.is_relation or field.auto_created or target is None or isinstance(target, str):
                continue
            source_app, target_app = model._meta.app_label, target._meta.app_label
            if target.__module__.startswith("microcred.") and source_app != target_app:
                relations.setdefault((source_app, target_app), []).append(f"{model.__name__}.{field.name}")
    return relations


def a_cycle(edges: set[tuple[str, str]]) -> list[str]:
    """One cycle through the graph, as the list of its nodes, or [] when it has none."""
    successors: dict[str, set[str]] = {}
    for source, target in edges:
        successors.setdefault(source, set()).add(target)
    visiting: list[str] = []
    done: set[str] = set()

    def walk(node: str) -> list[str]:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return []
        visiting.append(node)
        for following in sorted(successors.get(node, ())):
            if cycle := walk(following):
                return cycle
        visiting.pop()
        done.add(node)
        return []

    for start in sorted(successors):
        if cycle := walk(start):
            return cycle
    return []


def test_no_model_level_cycle_between_apps():
    relations = model_relations_between_apps()
    cycle = a_cycle(set(relations) - set(KNOWN_MODEL_CYCLE_EDGES))
    through = [f"{a} -> {b} ({', '.join(relations[a, b])})" for a, b in pairwise(cycle)]
    assert not cycle, "The models of these apps point at each other in a cycle: " + "; ".join(through)
    stale = sorted(set(KNOWN_MODEL_CYCLE_EDGES) - set(relations))
    assert not stale, f"No longer related: remove {stale} from KNOWN_MODEL_CYCLE_EDGES"


def test_a_cycle_finds_a_cycle_and_only_a_cycle():
    assert a_cycle({("catalog", "assessment"), ("assessment", "learning"), ("learning", "catalog")}) == [
        "assessment",
        "learning",
        "catalog",
        "assessment",
    ]
    assert a_cycle({("learning", "catalog"), ("credentials", "learning"), ("credentials", "catalog")}) == []


# A page's template is its app's alone (issue 7, item 1; ADR 0023). Two apps shipping one relative path
# would make the page depend on the order of INSTALLED_APPS, the first one silently shadowing the other.


def templates_by_path(template_dirs: dict[str, Path]) -> dict[str, list[str]]:
    """Relative template path -> the apps (label -> templates directory) shipping it."""
    shipped: dict[str, list[str]] = {}
    for label, directory in sorted(template_dirs.items()):
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                shipped.setdefault(path.relative_to(directory).as_posix(), []).append(label)
    return shipped


def shadowed(template_dirs: dict[str, Path]) -> dict[str, list[str]]:
    return {path: labels for path, labels in templates_by_path(template_dirs).items() if len(labels) > 1}


def installed_template_dirs() -> dict[str, Path]:
    found = {config.label: Path(config.path) / "templates" for config in apps.get_app_configs()}
    return {label: directory for label, directory in found.items() if directory.is_dir()}


def test_no_two_apps_ship_a_template_at_the_same_path():
    clashes = shadowed(installed_template_dirs())
    assert not clashes, "Shipped by more than one app, so INSTALLED_APPS order picks one: " + "; ".join(
        f"{path} ({', '.join(labels)})" for path, labels in sorted(clashes.items())
    )


def test_shadowed_finds_a_template_two_apps_ship(tmp_path):
    for app, name in (("web", "web/learn/completion.html"), ("credentials", "web/learn/completion.html")):
        (tmp_path / app / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / app / name).write_text("{% block content %}{% endblock %}")
    (tmp_path / "credentials" / "credentials").mkdir()
    (tmp_path / "credentials" / "credentials" / "completion.html").write_text("")
    dirs = {"web": tmp_path / "web", "credentials": tmp_path / "credentials"}
    assert shadowed(dirs) == {"web/learn/completion.html": ["credentials", "web"]}
