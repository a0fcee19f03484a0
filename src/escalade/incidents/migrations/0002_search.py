"""Full-text index of incidents (see escalade/incidents/search.py)."""

from django.db import migrations


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def forwards(apps, schema_editor):
    from escalade.incidents import search

    _run({"sqlite": search.SQLITE_SETUP, "postgresql": search.POSTGRES_SETUP})(apps, schema_editor)


def backwards(apps, schema_editor):
    from escalade.incidents import search

    _run({"sqlite": search.SQLITE_TEARDOWN, "postgresql": search.POSTGRES_TEARDOWN})(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
