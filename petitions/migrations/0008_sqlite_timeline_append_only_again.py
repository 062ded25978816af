"""SQLite rebuilds a table to change a constraint, and the rebuild drops its triggers: 0007 took
the append-only trigger off petitions_caseevent there. Put it back (PostgreSQL kept it).

A later migration that changes petitions_caseevent must do the same; the lifecycle test
``test_timeline_rows_cannot_be_edited`` fails if it does not.
"""

from django.db import migrations

SQLITE = """
CREATE TRIGGER IF NOT EXISTS petitions_caseevent_no_update
BEFORE UPDATE ON petitions_caseevent
BEGIN SELECT RAISE(ABORT, '办理记录只能追加，不能修改'); END;
"""


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0007_export_on_timeline")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
