"""Chinese search on PostgreSQL: each article's live text as characters and character pairs in
a tsvector column with a GIN index (``portal.news.search``). The column exists everywhere (unused
on SQLite); the index and the backfill of already published articles are PostgreSQL only."""

import django.contrib.postgres.search
from django.db import migrations

from portal.news.search import lexemes, plain_text

INDEX = "article_search_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON news_article USING gin (search_vector)"
    )
    backfill(apps, schema_editor.connection)


def backfill(apps, connection):
    """Write the vector of every article already public."""
    Article = apps.get_model("news", "Article")
    public = Article.objects.filter(live__isnull=False).exclude(status="withdrawn")
    with connection.cursor() as cursor:
        for pk, title, summary, body in public.values_list(
            "pk", "live__title", "live__summary", "live__body"
        ).iterator():
            text = " ".join((title, summary, plain_text(body)))
            cursor.execute(
                "UPDATE news_article SET search_vector = array_to_tsvector(%s::text[]) "
                "WHERE id = %s",
                [lexemes(text), pk],
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("news", "0004_proofreading_list")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
