"""PostgreSQL only: the pg_trgm extension and a GIN trigram index on the buildings' search text.

It serves the typo-tolerant address search (word similarity, `%>`) and substring matches (LIKE).
SQLite has neither; the search scores candidates in Python there (esm.buildings.queries).
"""

from django.db import migrations


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS buildings_building_search_trgm "
            "ON buildings_building USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS buildings_building_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("buildings", "0003_registry")]
    operations = [migrations.RunPython(create_index, drop_index)]
