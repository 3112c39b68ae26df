"""Catalog search that stays fast on a large catalog.

On PostgreSQL, ``search_vector`` holds the weighted text of each micro-credential (title A;
summary, provider name and skill labels B; description C), kept by triggers whatever writes the
rows, and a GIN index serves ``@@`` queries and ranking without recomputing ``to_tsvector`` per
row or joining providers and skills.
SQLite keeps the empty column and searches word by word (``catalog.selectors``).

B-tree indexes let a page of published offers be read in title or newest-first order, and the
languages on offer be listed with one probe each.
"""

import django.contrib.postgres.search
from django.db import migrations, models

# The offer's own text, its provider's name and its skills' labels, weighted for ranking.
FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_microcredential_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(
            (SELECT o.name FROM accounts_organisation o WHERE o.id = NEW.provider_id), '')), 'B')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(s.label, ' ') FROM catalog_microcredentialskill l
             JOIN skills_skill s ON s.id = l.skill_id WHERE l.microcredential_id = NEW.id), '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_microcredential_search_vector
    BEFORE INSERT OR UPDATE ON catalog_microcredential
    FOR EACH ROW EXECUTE FUNCTION catalog_microcredential_search_vector();
"""
# Whatever else the vector reads refreshes it when it changes: skill links (once per statement,
# so a bulk insert costs one update per offer), a provider's name, a skill's label.
RELATED = """
CREATE OR REPLACE FUNCTION catalog_links_refresh_search() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE catalog_microcredential SET search_vector = NULL
        WHERE id IN (SELECT microcredential_id FROM changed_new);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE catalog_microcredential SET search_vector = NULL
        WHERE id IN (SELECT microcredential_id FROM changed_old);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_links_inserted_refresh_search AFTER INSERT ON catalog_microcredentialskill
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION catalog_links_refresh_search();
CREATE TRIGGER catalog_links_updated_refresh_search AFTER UPDATE ON catalog_microcredentialskill
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_links_refresh_search();
CREATE TRIGGER catalog_links_deleted_refresh_search AFTER DELETE ON catalog_microcredentialskill
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION catalog_links_refresh_search();

CREATE OR REPLACE FUNCTION catalog_provider_refresh_search() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_microcredential SET search_vector = NULL WHERE provider_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_provider_refresh_search AFTER UPDATE OF name ON accounts_organisation
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION catalog_provider_refresh_search();

CREATE OR REPLACE FUNCTION catalog_skill_refresh_search() RETURNS trigger AS $$
BEGIN
    UPDATE catalog_microcredential SET search_vector = NULL
    WHERE id IN (SELECT microcredential_id FROM catalog_microcredentialskill WHERE skill_id = NEW.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_skill_refresh_search AFTER UPDATE OF label ON skills_skill
    FOR EACH ROW WHEN (OLD.label IS DISTINCT FROM NEW.label) EXECUTE FUNCTION catalog_skill_refresh_search();
"""
INDEX = "CREATE INDEX mc_search_vector_gin ON catalog_microcredential USING gin (search_vector);"
BACKFILL = "UPDATE catalog_microcredential SET search_vector = NULL;"  # the row trigger fills each

DROP = """
DROP INDEX IF EXISTS mc_search_vector_gin;
DROP TRIGGER IF EXISTS catalog_skill_refresh_search ON skills_skill;
DROP FUNCTION IF EXISTS catalog_skill_refresh_search();
DROP TRIGGER IF EXISTS catalog_provider_refresh_search ON accounts_organisation;
DROP FUNCTION IF EXISTS catalog_provider_refresh_search();
DROP TRIGGER IF EXISTS catalog_links_inserted_refresh_search ON catalog_microcredentialskill;
DROP TRIGGER IF EXISTS catalog_links_updated_refresh_search ON catalog_microcredentialskill;
DROP TRIGGER IF EXISTS catalog_links_deleted_refresh_search ON catalog_microcredentialskill;
DROP FUNCTION IF EXISTS catalog_links_refresh_search();
DROP TRIGGER IF EXISTS catalog_microcredential_search_vector ON catalog_microcredential;
DROP FUNCTION IF EXISTS catalog_microcredential_search_vector();
"""


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (FUNCTION, RELATED, INDEX, BACKFILL):
        schema_editor.execute(statement)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_microcredential_public_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="microcredential",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_search, drop_search),
        migrations.AddIndex(
            model_name="microcredential",
            index=models.Index(fields=["status", "title"], name="mc_status_title"),
        ),
        migrations.AddIndex(
            model_name="microcredential",
            index=models.Index(fields=["status", "-published_at"], name="mc_status_newest"),
        ),
        migrations.AddIndex(
            model_name="microcredential",
            index=models.Index(fields=["status", "language"], name="mc_status_language"),
        ),
    ]
