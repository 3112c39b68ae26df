"""The one write path for the catalog: micro-credentials, their versions, modules and lessons."""

from ._common import EDITABLE_FIELDS, LESSON_FIELDS, industry_get_or_create
from .content import (
    assessed_lesson_create,
    lesson_create,
    lesson_delete,
    lesson_update,
    lessons_removing,
    module_create,
    module_delete,
    module_update,
)
from .links import PROGRAMME_FIELDS, programme_create, programme_delete, programme_update
from .microcredentials import (
    microcredential_archive,
    microcredential_create,
    microcredential_delete,
    microcredential_fingerprint_record,
    microcredential_has_learners,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
)
from .skills import microcredential_skill_add

__all__ = [
    "EDITABLE_FIELDS",
    "LESSON_FIELDS",
    "PROGRAMME_FIELDS",
    "assessed_lesson_create",
    "industry_get_or_create",
    "lesson_create",
    "lesson_delete",
    "lesson_update",
    "lessons_removing",
    "microcredential_archive",
    "microcredential_create",
    "microcredential_delete",
    "microcredential_fingerprint_record",
    "microcredential_has_learners",
    "microcredential_new_version",
    "microcredential_publish",
    "microcredential_skill_add",
    "microcredential_update",
    "module_create",
    "module_delete",
    "module_update",
    "programme_create",
    "programme_delete",
    "programme_update",
]
