"""Each family known before status changes were kept starts its history at its status now."""

from django.db import migrations


def start_history(apps, schema_editor):
    Family = apps.get_model("portal", "Family")
    FamilyStatusChange = apps.get_model("portal", "FamilyStatusChange")
    FamilyStatusChange.objects.bulk_create(
        FamilyStatusChange(family=family, after=family.status, changed_at=family.created_at)
        for family in Family.objects.filter(status_changes__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_family_journey")]

    operations = [migrations.RunPython(start_history, migrations.RunPython.noop)]
