"""Seed the holiday calendar with the arrangements published so far."""

from django.db import migrations


def seed(apps, schema_editor):
    from portal.calendar_data import import_calendar

    import_calendar(apps.get_model("portal", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_official_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
