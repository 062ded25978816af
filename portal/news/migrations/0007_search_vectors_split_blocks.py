"""Search vectors written again: a paragraph's last character and the next paragraph's first no
longer make a pair (``portal.news.search.plain_text`` ends a run at every block), so a two-
character word is not found where it was never written. PostgreSQL only; SQLite has no vectors."""

import importlib

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    first = importlib.import_module("portal.news.migrations.0005_search_bigram_vector")
    first.backfill(apps, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("news", "0006_article_cover_related")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
