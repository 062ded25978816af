"""The proofreading list (易错词、规范表述) and the dismissals of its findings. Dismissals are
append-only in the database like the article record (a trigger refuses updates and deletions on
PostgreSQL, updates on SQLite, put back after every migrate by portal.append_only). About thirty
entries are written once as a start; the office edits the list afterwards."""

import django.db.models.deletion
import portal.clock
from django.conf import settings
from django.db import migrations, models


DISMISSALS = ("news_proofdismissal", "已忽略的校对提示只能追加，不能修改")

# (wrong, right, kind, note): written fresh for this portal; the office keeps the list.
TERMS = [
    ("做为", "作为", "typo", "“作为”表示身份、行为；“做为”是常见误写"),
    ("既使", "即使", "typo", "表示假设让步用“即使”"),
    ("再接再励", "再接再厉", "typo", "“厉”同“砺”，磨快"),
    ("一愁莫展", "一筹莫展", "typo", "“筹”指计策"),
    ("按步就班", "按部就班", "typo", "“部”指门类、次序"),
    ("不径而走", "不胫而走", "typo", "“胫”指小腿"),
    ("迫不急待", "迫不及待", "typo", ""),
    ("谈笑风声", "谈笑风生", "typo", ""),
    ("甘败下风", "甘拜下风", "typo", ""),
    ("走头无路", "走投无路", "typo", ""),
    ("世外桃园", "世外桃源", "typo", ""),
    ("出谋化策", "出谋划策", "typo", ""),
    ("默守成规", "墨守成规", "typo", ""),
    ("针贬时弊", "针砭时弊", "typo", "“砭”指以石针治病"),
    ("情不自尽", "情不自禁", "typo", ""),
    ("震憾", "震撼", "typo", ""),
    ("布署", "部署", "typo", ""),
    ("既往不究", "既往不咎", "typo", ""),
    ("穿流不息", "川流不息", "typo", ""),
    ("一如继往", "一如既往", "typo", ""),
    ("坐阵", "坐镇", "typo", ""),
    ("十四五规划", "“十四五”规划", "standard", "简称加引号"),
    ("一带一路", "“一带一路”", "standard", "简称加引号"),
    ("两个维护", "“两个维护”", "standard", "加引号"),
    ("两个确立", "“两个确立”", "standard", "加引号"),
    ("四个意识", "“四个意识”", "standard", "加引号"),
    ("四个自信", "“四个自信”", "standard", "加引号"),
    ("枫桥经验", "“枫桥经验”", "standard", "加引号，如新时代“枫桥经验”"),
    ("放管服改革", "“放管服”改革", "standard", "简称加引号"),
    ("新冠肺炎", "新冠病毒感染", "standard", "2022年底起的规范名称"),
    ("街道书记", "街道党工委书记", "title", "写全职务名称"),
    ("社区主任", "社区居委会主任", "title", "写全职务名称"),
    ("信访条例", "信访工作条例", "formal_name", "2022年施行的《信访工作条例》"),
    ("政府网站发展指南", "政府网站发展指引", "formal_name", "国务院办公厅《政府网站发展指引》"),
    ("信息公开条例", "政府信息公开条例", "formal_name", "《中华人民共和国政府信息公开条例》"),
]


def forwards(apps, schema_editor):
    table, message = DISMISSALS
    vendor = schema_editor.connection.vendor
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
    ProofTerm = apps.get_model("news", "ProofTerm")
    for wrong, right, kind, note in TERMS:
        ProofTerm.objects.get_or_create(
            wrong=wrong, defaults={"right": right, "kind": kind, "note": note}
        )


def backwards(apps, schema_editor):
    table, _message = DISMISSALS
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0003_figures_frozen'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ProofDismissal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wrong', models.CharField(max_length=40, verbose_name='错误写法')),
                ('right', models.CharField(max_length=60, verbose_name='规范写法')),
                ('reason', models.CharField(max_length=200, verbose_name='理由')),
                ('dismissed_at', models.DateTimeField(default=portal.clock.now, verbose_name='忽略时间')),
            ],
            options={
                'verbose_name': '已忽略的校对提示',
                'verbose_name_plural': '已忽略的校对提示',
                'ordering': ['revision', 'dismissed_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ProofTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wrong', models.CharField(error_messages={'unique': '这个错误写法已在校对词表中'}, max_length=40, unique=True, verbose_name='错误写法')),
                ('right', models.CharField(max_length=60, verbose_name='规范写法')),
                ('kind', models.CharField(choices=[('typo', '易错词'), ('standard', '规范表述'), ('title', '领导姓名职务'), ('formal_name', '会议文件名称')], default='typo', max_length=12, verbose_name='类别')),
                ('note', models.CharField(blank=True, help_text='作者看到的提示，如出处或用法', max_length=200, verbose_name='说明')),
                ('is_active', models.BooleanField(default=True, help_text='停用的词条不再检查，已忽略的记录仍保留', verbose_name='启用')),
            ],
            options={
                'verbose_name': '校对词条',
                'verbose_name_plural': '校对词表（易错词、规范表述）',
                'ordering': ['kind', 'wrong'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='articleevent',
            name='articleevent_kind_valid',
        ),
        migrations.AlterField(
            model_name='articleevent',
            name='kind',
            field=models.CharField(choices=[('created', '新建'), ('edited', '修改'), ('restored', '恢复旧版本'), ('submitted', '送审'), ('signed', '签批'), ('sent_back', '退回修改'), ('scheduled', '定时发布'), ('published', '发布'), ('withdrawn', '撤回'), ('figures', '刷新数据'), ('proof_ignore', '忽略校对提示')], max_length=12, verbose_name='事项'),
        ),
        migrations.AddConstraint(
            model_name='articleevent',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['created', 'edited', 'restored', 'submitted', 'signed', 'sent_back', 'scheduled', 'published', 'withdrawn', 'figures', 'proof_ignore'])), name='articleevent_kind_valid'),
        ),
        migrations.AddField(
            model_name='proofdismissal',
            name='dismissed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='忽略人'),
        ),
        migrations.AddField(
            model_name='proofdismissal',
            name='revision',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proof_dismissals', to='news.revision', verbose_name='版本'),
        ),
        migrations.AddConstraint(
            model_name='proofterm',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['typo', 'standard', 'title', 'formal_name'])), name='proofterm_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='proofterm',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('wrong', ''), _negated=True), models.Q(('right', ''), _negated=True)), name='proofterm_forms_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='proofterm',
            constraint=models.CheckConstraint(condition=models.Q(('wrong', models.F('right')), _negated=True), name='proofterm_forms_differ'),
        ),
        migrations.AddConstraint(
            model_name='proofdismissal',
            constraint=models.UniqueConstraint(fields=('revision', 'wrong'), name='proofdismissal_one_per_form'),
        ),
        migrations.AddConstraint(
            model_name='proofdismissal',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='proofdismissal_has_reason'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
