"""The shared frameworks the catalog format names exist from the start, owned by no provider, so
the first provider to import a file naming them cannot claim them."""

from typing import Any

from django.db import migrations

SHARED = [
    {
        "slug": "esco",
        "name": "ESCO (European Skills, Competences, Qualifications and Occupations)",
        "publisher": "European Commission",
        "url": "https://esco.ec.europa.eu",
    },
    {
        "slug": "microcred-skills",
        "name": "Microcred Skills",
        "publisher": "Microcred",
        "url": "https://skills.microcred.org",
    },
]


def create_shared_frameworks(apps: Any, schema_editor: Any) -> None:
    framework_model = apps.get_model("skills", "SkillFramework")
    for spec in SHARED:
        framework_model.objects.get_or_create(slug=spec["slug"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("skills", "0002_framework_owner")]

    operations = [migrations.RunPython(create_shared_frameworks, migrations.RunPython.noop)]
