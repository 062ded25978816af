"""Built-in deadline rules and categories; make the case timeline append-only in the database."""

from django.db import migrations

CATEGORIES = [
    # (name, working days to conclude an ordinary request, description)
    ("环境卫生", 3, "垃圾清运、卫生死角、公共区域保洁"),
    ("市政设施", 7, "道路、路灯、井盖、排水管网"),
    ("物业纠纷", 10, "物业服务、物业费、维修资金"),
    ("消防通道/停车", 5, "占用消防通道、停车秩序"),
    ("邻里纠纷", 10, "噪音、漏水、私搭乱建等邻里矛盾"),
    ("政策咨询", 1, "社保、低保、养老、就业等政策问答"),
    ("老旧小区改造", 15, "改造方案、施工问题、加装电梯"),
    ("供暖供水", 3, "供暖温度、停水停热"),
    ("社会保障", 7, "救助、低保、残疾人和老年人服务"),
    ("婚姻家庭", 10, "家庭矛盾、赡养抚养"),
    ("劳动纠纷", 10, "欠薪、劳动合同"),
    ("其他", 5, ""),
]

# (kind, stage, unit, length, start event, max extension, basis)
RULES = [
    ("petition", "accept", "calendar", 15, "received", 0, "《信访工作条例》第二十二、二十三条"),
    ("petition", "conclude", "calendar", 60, "accepted", 30, "《信访工作条例》第三十四条"),
    ("review", "conclude", "calendar", 30, "received", 0, "《信访工作条例》第三十五条"),
    ("recheck", "conclude", "calendar", 30, "received", 0, "《信访工作条例》第三十六条"),
    ("ordinary", "conclude", "working", 5, "received", 0, "本街道诉求办理规定"),
    ("ordinary", "sign", "working", 1, "assigned", 0, "本街道诉求办理规定"),
    ("petition", "sign", "working", 1, "assigned", 0, "本街道诉求办理规定"),
    ("review", "sign", "working", 1, "assigned", 0, "本街道诉求办理规定"),
    ("recheck", "sign", "working", 1, "assigned", 0, "本街道诉求办理规定"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    for kind, stage, unit, length, start, extension, basis in RULES:
        DeadlineRule.objects.get_or_create(
            kind=kind,
            stage=stage,
            category=None,
            defaults={
                "unit": unit,
                "length": length,
                "start_event": start,
                "max_extension_days": extension,
                "legal_basis": basis,
            },
        )
    for order, (name, days, description) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            name=name, defaults={"sort_order": order, "description": description}
        )
        if days != 5:
            DeadlineRule.objects.get_or_create(
                kind="ordinary",
                stage="conclude",
                category=category,
                defaults={
                    "unit": "working",
                    "length": days,
                    "start_event": "received",
                    "legal_basis": "本街道诉求办理规定",
                },
            )


APPEND_ONLY = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION petitions_caseevent_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '办理记录只能追加，不能修改或删除';
        END;
        $$ LANGUAGE plpgsql;
        """,
        """
        CREATE TRIGGER petitions_caseevent_no_update
        BEFORE UPDATE OR DELETE ON petitions_caseevent
        FOR EACH ROW EXECUTE FUNCTION petitions_caseevent_append_only();
        """,
    ],
    # SQLite empties tables with DELETE between some tests, so only updates are refused there.
    "sqlite": [
        """
        CREATE TRIGGER petitions_caseevent_no_update
        BEFORE UPDATE ON petitions_caseevent
        BEGIN SELECT RAISE(ABORT, '办理记录只能追加，不能修改'); END;
        """,
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS petitions_caseevent_no_update ON petitions_caseevent;",
        "DROP FUNCTION IF EXISTS petitions_caseevent_append_only();",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS petitions_caseevent_no_update;"],
}


def append_only(apps, schema_editor):
    for statement in APPEND_ONLY.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_append_only(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_cases")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
