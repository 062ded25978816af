"""Figures frozen as approved: the sentence each 【数据:…】 marker showed when 审发 signed a
revision, kept with it (append-only, as the signatures are); 刷新数据 on the article's record."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "news_frozenfigure"
MESSAGE = "固定数据只能新增，不能修改"


def forwards(apps, schema_editor):
    # PostgreSQL keeps the trigger; SQLite's is put back after every migrate (portal.append_only).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only();")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0002_append_only_columns_chain'),
    ]

    operations = [
        migrations.CreateModel(
            name='FrozenFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=40, verbose_name='数据标记')),
                ('label', models.CharField(max_length=60, verbose_name='数据名称')),
                ('text', models.CharField(max_length=200, verbose_name='数据内容')),
                ('as_of', models.DateField(verbose_name='数据截至')),
            ],
            options={
                'verbose_name': '固定数据',
                'verbose_name_plural': '固定数据',
                'ordering': ['revision', 'key'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='articleevent',
            name='articleevent_kind_valid',
        ),
        migrations.AlterField(
            model_name='articleevent',
            name='kind',
            field=models.CharField(choices=[('created', '新建'), ('edited', '修改'), ('restored', '恢复旧版本'), ('submitted', '送审'), ('signed', '签批'), ('sent_back', '退回修改'), ('scheduled', '定时发布'), ('published', '发布'), ('withdrawn', '撤回'), ('figures', '刷新数据')], max_length=12, verbose_name='事项'),
        ),
        migrations.AddConstraint(
            model_name='articleevent',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['created', 'edited', 'restored', 'submitted', 'signed', 'sent_back', 'scheduled', 'published', 'withdrawn', 'figures'])), name='articleevent_kind_valid'),
        ),
        migrations.AddField(
            model_name='frozenfigure',
            name='revision',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='frozen_figures', to='news.revision', verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='frozenfigure',
            name='signature',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='frozen_figures', to='news.signature', verbose_name='审发签名'),
        ),
        migrations.AddConstraint(
            model_name='frozenfigure',
            constraint=models.UniqueConstraint(fields=('revision', 'key'), name='frozenfigure_one_per_key'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
