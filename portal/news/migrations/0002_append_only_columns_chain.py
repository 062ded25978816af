"""Revisions, signatures and the article record are append-only in the database, as the case
timeline is (a trigger refuses updates and deletions on PostgreSQL, updates on SQLite; SQLite's
are put back after every migrate by portal.append_only). The default columns and the default
review chain (三审: 初审 by the news editor, 审核 by the area leader, 审发 by the party
secretary) are written once; the office edits both afterwards."""

from django.db import migrations

TABLES = {
    "news_revision": "稿件版本只能新增，不能修改",
    "news_signature": "审核签名只能追加，不能修改",
    "news_articleevent": "稿件记录只能追加，不能修改",
}

COLUMNS = [
    ("组织建设", "zuzhi-jianshe", "基层党组织建设、党员教育管理"),
    ("党建引领", "dangjian-yinling", "党建引领基层治理的做法和成效"),
    ("基层治理", "jiceng-zhili", "四下基层、网格治理、矛盾化解"),
    ("通知公告", "tongzhi-gonggao", "街道和社区的通知、公示、公告"),
    ("为民服务", "weimin-fuwu", "办事指南、便民服务和为民办实事"),
]
CHAIN = [(1, "初审", "editor"), (2, "审核", "area_leader"), (3, "审发", "secretary")]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, message in TABLES.items():
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    Column = apps.get_model("news", "Column")
    for order, (name, slug, description) in enumerate(COLUMNS):
        Column.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
    ReviewStep = apps.get_model("news", "ReviewStep")
    for order, name, role in CHAIN:
        ReviewStep.objects.get_or_create(order=order, defaults={"name": name, "role": role})


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("news", "0001_articles_and_review")]

    operations = [migrations.RunPython(forwards, backwards)]
