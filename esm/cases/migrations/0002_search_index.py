"""PostgreSQL only: a GIN index on the Danish tsvector for full-text search.

SQLite has no GIN indexes; search falls back to the stored plain text there.
"""

from django.db import migrations


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_case_search_vector_gin ON cases_case USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_case_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
