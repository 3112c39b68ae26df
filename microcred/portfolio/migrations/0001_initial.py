import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("careers", "0002_learningplan"),
        ("credentials", "0005_holder_sharing_choices"),
        ("skills", "0004_taxonomy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Portfolio",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "handle",
                    models.CharField(help_text="The page's address: /p/<handle>.", max_length=40, unique=True),
                ),
                (
                    "display_name",
                    models.CharField(blank=True, help_text="Empty: the account's name.", max_length=120),
                ),
                ("headline", models.CharField(blank=True, max_length=200)),
                (
                    "published",
                    models.BooleanField(default=False, help_text="Off: only the learner can open the page."),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portfolio",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="FormerHandle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("handle", models.CharField(max_length=40, unique=True)),
                ("retired_at", models.DateTimeField()),
                (
                    "portfolio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="former_handles",
                        to="portfolio.portfolio",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ShownCredential",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "credential",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="credentials.credential",
                    ),
                ),
                (
                    "external",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="careers.externalcredential",
                    ),
                ),
                (
                    "portfolio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shown_credentials",
                        to="portfolio.portfolio",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("credential__isnull", False), ("external__isnull", True)),
                            models.Q(("credential__isnull", True), ("external__isnull", False)),
                            _connector="OR",
                        ),
                        name="shown_credential_one_kind",
                    ),
                    models.UniqueConstraint(fields=("portfolio", "credential"), name="shown_credential_once"),
                    models.UniqueConstraint(fields=("portfolio", "external"), name="shown_external_once"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ShownSkill",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "portfolio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shown_skills",
                        to="portfolio.portfolio",
                    ),
                ),
                (
                    "skill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="skills.skill"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("portfolio", "skill"), name="shown_skill_once")],
            },
        ),
    ]
