"""PostgreSQL only: a GIN trigram index on the articles' folded search text.

The suggestions match word stems anywhere in the text (`LIKE '%varm%'`), which the trigram
index serves; SQLite scans the (small) table of published articles instead.
"""

from django.db import migrations


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS knowledge_article_search_trgm "
            "ON knowledge_article USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial"), ("buildings", "0004_search_trigram")]
    operations = [migrations.RunPython(create_index, drop_index)]
