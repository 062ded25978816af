"""An ordinary request needs no triage class; a ledger case is settled only by a decision about it.

- The rule that every accepted case carries a class goes: 当场解决 / 台账 / 长期跟踪 are chosen on
  purpose. Open cases classed 当场解决 were never solved on the spot (the class stood in for
  "ordinary" while one was required): they become ordinary requests.
- A case records the deliberation meetings it was put to, and a leadership decision names the
  cases it is about; only those decisions can settle a 台账 case.
- Two timeline entries: 调整分类 and 提交议事协商会.

Changing petitions_caseevent's constraint rebuilds the table on SQLite, which drops its
append-only trigger: it is put back at the end (as in 0008).
"""

from django.conf import settings
from django.db import migrations, models

OPEN = ["registered", "accepted", "assigned", "in_progress"]

SQLITE_APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS petitions_caseevent_no_update
BEFORE UPDATE ON petitions_caseevent
BEGIN SELECT RAISE(ABORT, '办理记录只能追加，不能修改'); END;
"""


def open_on_the_spot_cases_are_ordinary(apps, schema_editor):
    Case = apps.get_model("petitions", "Case")
    Case.objects.filter(triage="on_the_spot", status__in=OPEN).update(triage="")


def restore_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_APPEND_ONLY)


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0002_chinese_messages_for_counts_and_times'),
        ('petitions', '0009_chinese_messages_for_lengths_and_dates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='case',
            name='case_triaged_once_accepted',
        ),
        migrations.RemoveConstraint(
            model_name='caseevent',
            name='caseevent_kind_valid',
        ),
        migrations.AddField(
            model_name='case',
            name='deliberations',
            field=models.ManyToManyField(blank=True, related_name='referred_cases', to='outreach.deliberation', verbose_name='提交议事协商会'),
        ),
        migrations.AddField(
            model_name='leadershipdecision',
            name='cases',
            field=models.ManyToManyField(blank=True, help_text='本决定针对的台账诉求；只有列在这里的诉求可以依据本决定办结', related_name='naming_decisions', to='petitions.case', verbose_name='涉及诉求'),
        ),
        migrations.AlterField(
            model_name='case',
            name='triage',
            field=models.CharField(blank=True, choices=[('on_the_spot', '当场解决'), ('ledger', '台账管理'), ('long_term', '长期跟踪')], help_text='一般诉求不分类；当场解决、台账管理、长期跟踪须有意选择，调整分类记入办理记录', max_length=12, verbose_name='分类办理'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('registered', '登记'), ('accepted', '受理'), ('not_accepted', '不予受理'), ('assigned', '交办'), ('signed', '签收'), ('bounced', '退单'), ('progress', '办理进展'), ('conversation', '谈心谈话'), ('mediation', '调解'), ('decision', '关联会议决定'), ('reclassified', '调整分类'), ('referred', '提交议事协商会'), ('extended', '延期'), ('paused', '中止计时'), ('resumed', '恢复计时'), ('concluded', '办结'), ('followed_up', '回访'), ('reopened', '重办'), ('supervised', '督办'), ('archived', '归档'), ('revealed', '查看个人信息'), ('exported', '导出'), ('edited', '修改')], max_length=14, verbose_name='事项'),
        ),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['registered', 'accepted', 'not_accepted', 'assigned', 'signed', 'bounced', 'progress', 'conversation', 'mediation', 'decision', 'reclassified', 'referred', 'extended', 'paused', 'resumed', 'concluded', 'followed_up', 'reopened', 'supervised', 'archived', 'revealed', 'exported', 'edited'])), name='caseevent_kind_valid'),
        ),
        migrations.RunPython(open_on_the_spot_cases_are_ordinary, migrations.RunPython.noop),
        migrations.RunPython(restore_append_only, migrations.RunPython.noop),
    ]
