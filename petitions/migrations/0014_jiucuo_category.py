"""网站纠错: a category of its own, handled by the news editors, concluded within 3 working days
(政府网站 spot checks fail a site whose error reports go unanswered for 3 working days)."""

from django.db import migrations, models

NAME = "网站纠错"


def add_category(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    category, _ = Category.objects.get_or_create(
        name=NAME,
        defaults={
            "description": "网站页面内容有误：错字、数据、链接、过时信息",
            "sort_order": 90,
            # Filed through the 纠错 link of a page, never chosen on 我要反映.
            "is_public": False,
            "handled_by": "editor",
        },
    )
    DeadlineRule.objects.get_or_create(
        kind="ordinary",
        stage="conclude",
        category=category,
        defaults={
            "unit": "working",
            "length": 3,
            "start_event": "received",
            "legal_basis": "政府网站检查指标：网民纠错 3 个工作日内答复",
        },
    )


def remove_category(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    Category.objects.filter(name=NAME, cases__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0013_person_name_checked'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='handled_by',
            field=models.CharField(blank=True, choices=[('secretary', '街道党工委书记'), ('area_leader', '包片领导'), ('community_secretary', '社区书记'), ('grid_worker', '网格员'), ('mediator', '调解员'), ('editor', '宣传编辑')], help_text='留空按社区、网格办理；设定后本类诉求由该角色在全街道范围受理和办理，社区和网格不再按地点看到（如网站纠错由宣传编辑办理）', max_length=30, verbose_name='专门办理角色'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('handled_by', ''), ('handled_by__in', ['secretary', 'area_leader', 'community_secretary', 'grid_worker', 'mediator', 'editor']), _connector='OR'), name='category_handled_by_valid'),
        ),
        migrations.RunPython(add_category, remove_category),
    ]
