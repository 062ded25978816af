"""The record of every activity (活动记录): one append-only row per change of status or
publication and per edit of its counted figures.

Append-only in the database as the case timeline is (petitions 0002): a trigger refuses updates
and deletions on PostgreSQL, updates on SQLite (which empties tables with DELETE between some
tests). A later migration that changes this table rebuilds it on SQLite and must put the trigger
back (as petitions 0008 does); ``test_the_record_cannot_be_edited`` fails if it does not.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION outreach_activityevent_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '活动记录只能追加，不能修改或删除';
        END;
        $$ LANGUAGE plpgsql;
        """,
        """
        CREATE TRIGGER outreach_activityevent_no_update
        BEFORE UPDATE OR DELETE ON outreach_activityevent
        FOR EACH ROW EXECUTE FUNCTION outreach_activityevent_append_only();
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER IF NOT EXISTS outreach_activityevent_no_update
        BEFORE UPDATE ON outreach_activityevent
        BEGIN SELECT RAISE(ABORT, '活动记录只能追加，不能修改'); END;
        """,
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS outreach_activityevent_no_update ON outreach_activityevent;",
        "DROP FUNCTION IF EXISTS outreach_activityevent_append_only();",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS outreach_activityevent_no_update;"],
}


def append_only(apps, schema_editor):
    for statement in APPEND_ONLY.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_append_only(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('outreach', '0003_activity_change_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='活动编号')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor_unit', models.CharField(blank=True, max_length=60, verbose_name='操作单位')),
                ('kind', models.CharField(choices=[('recorded', '登记'), ('held', '记为已举办'), ('cancelled', '取消'), ('restored', '恢复为计划中'), ('published', '公开'), ('unpublished', '撤回公开'), ('figures_changed', '修改举办数据')], max_length=16, verbose_name='事项')),
                ('from_status', models.CharField(blank=True, choices=[('planned', '计划中'), ('held', '已举办'), ('cancelled', '已取消')], max_length=12, verbose_name='原状态')),
                ('to_status', models.CharField(blank=True, choices=[('planned', '计划中'), ('held', '已举办'), ('cancelled', '已取消')], max_length=12, verbose_name='新状态')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='变更')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='活动类别')),
            ],
            options={
                'verbose_name': '活动记录',
                'verbose_name_plural': '活动记录',
                'ordering': ['at', 'pk'],
                'indexes': [models.Index(fields=['content_type', 'object_id', 'at'], name='activityevent_obj_idx'), models.Index(fields=['actor', 'at'], name='activityevent_actor_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['recorded', 'held', 'cancelled', 'restored', 'published', 'unpublished', 'figures_changed'])), name='activityevent_kind_valid'), models.CheckConstraint(condition=models.Q(('from_status__in', ['', 'planned', 'held', 'cancelled']), ('to_status__in', ['', 'planned', 'held', 'cancelled'])), name='activityevent_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ('held', 'cancelled', 'restored')), _negated=True), models.Q(('to_status', ''), _negated=True), _connector='OR'), name='activityevent_status_change_has_status')],
            },
        ),
        migrations.RunPython(append_only, drop_append_only),
    ]
