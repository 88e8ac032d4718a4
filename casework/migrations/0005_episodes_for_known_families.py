"""Families known before episodes were kept get one: open from the day their record was
opened, and closed (reason unknown) on the day they were last changed if they have
finished."""

from django.db import migrations

FINISHED = {"closed", "stepped_down"}


def open_episodes(apps, schema_editor):
    Family = apps.get_model("portal", "Family")
    Episode = apps.get_model("casework", "Episode")
    for family in Family.objects.filter(episodes__isnull=True).iterator():
        finished = family.status in FINISHED
        Episode.objects.create(
            family=family,
            opened_on=family.created_at.date(),
            closed_on=family.updated_at.date() if finished else None,
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_framework_2022_25"), ("portal", "0011_status_history")]

    operations = [migrations.RunPython(open_episodes, migrations.RunPython.noop)]
