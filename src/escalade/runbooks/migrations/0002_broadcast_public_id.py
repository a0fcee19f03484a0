import secrets

from django.db import migrations, models

import escalade.runbooks.models


def fill(apps, schema_editor):
    Broadcast = apps.get_model("runbooks", "Broadcast")
    for b in Broadcast.objects.filter(public_id__isnull=True).only("pk"):
        Broadcast.objects.filter(pk=b.pk).update(public_id=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("runbooks", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="broadcast",
            name="public_id",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="broadcast",
            name="public_id",
            field=models.CharField(
                default=escalade.runbooks.models.public_id,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
