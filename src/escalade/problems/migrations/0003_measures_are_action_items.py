"""A problem's corrective measures become action items (actions app): copied with their
owner, due date and state, then the old table is dropped."""

from django.db import migrations


def to_action_items(apps, schema_editor):
    Measure = apps.get_model("problems", "CorrectiveMeasure")
    ActionItem = apps.get_model("actions", "ActionItem")
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                institution_id=m.problem.institution_id,
                source="problem",
                source_id=m.problem_id,
                source_label=m.problem.title[:200],
                link=f"/problems/{m.problem_id}/",
                text=m.text,
                owner_id=m.owner_id,
                due=m.due,
                state="done" if m.state == "done" else "open",
                done_at=m.done_at,
            )
            for m in Measure.objects.select_related("problem").order_by("id")
        ]
    )


def to_measures(apps, schema_editor):
    Measure = apps.get_model("problems", "CorrectiveMeasure")
    ActionItem = apps.get_model("actions", "ActionItem")
    for item in ActionItem.objects.filter(source="problem").order_by("id"):
        Measure.objects.create(
            problem_id=item.source_id,
            text=item.text,
            owner_id=item.owner_id,
            due=item.due,
            state="done" if item.state == "done" else "open",
            done_at=item.done_at,
        )
    ActionItem.objects.filter(source="problem").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("problems", "0002_state_constraints"),
    ]

    operations = [
        migrations.RunPython(to_action_items, to_measures),
        migrations.DeleteModel(name="CorrectiveMeasure"),
    ]
